"""A long patient story recorded through the services, for the summary's whole-story tests.

``record_long_story`` gives a patient a completed intake with typed medications and allergies,
a consent signed a year ago, ``sessions`` closed sessions (several products each, long notes on
some), a withdrawal by phone and a consent signed again since. The person looking at the pages
(``python -m tests.reports.story``) and the tests use the same story.
"""

from __future__ import annotations

from datetime import timedelta

from tests.consultation import record_consultation, session_form, sign, signed_earlier

MEDICATIONS = "Minoxidil 5 % foam, twice daily\nFinasteride 1 mg, one tablet a day since March"
ALLERGIES = "Penicillin: hives within an hour\nNickel (earrings): itchy rash"
LONG_NOTE = ("Scalp calm before the session; patient slept badly and asked for a pause after the vertex. "
             "Firm pressure at the hairline for two minutes. ") * 25  # ~3,500 characters
PRODUCTS = ("Peptide hair complex", "Vitamin and biotin hair cocktail", "Organic silicium solution")


def record_long_story(kiosk, patient_id: int, *, sessions: int = 24, language: str = "en") -> int:
    """The story above; returns the consultant's id."""
    for path, text in (("medical.medications", MEDICATIONS), ("medical.allergies", ALLERGIES)):
        kiosk.intake.save_answer(patient_id, path, text, "test")  # typed before the intake is completed
    consultation = record_consultation(kiosk, patient_id, sessions=0, consent=False, course=False)
    consultant, actor = consultation.consultant_id, f"consultant:{consultation.consultant_id}"
    with signed_earlier(kiosk, timedelta(days=14 * sessions + 30)):
        sign(kiosk, patient_id, consultant, language=language, question="Will it hurt near the scar?")
    now = kiosk.clock.now_utc().replace(second=0, microsecond=0)
    first = now - timedelta(days=14 * sessions + 7)
    kiosk.course.start_course(patient_id, start=kiosk.clock.local(first).date().isoformat(), protocol_id="severe",
                              actor=actor, reason="Long history; a longer course agreed with the patient.")
    for number in range(1, sessions + 1):
        form = session_form(consultant, first + timedelta(days=14 * (number - 1)), number)
        form["products"] = [{"name": name, "lot": f"PX-{2200 + number}/{index}", "expiry": "2028-03"}
                            for index, name in enumerate(PRODUCTS[:1 + number % 3])]
        form["notes"] = LONG_NOTE if number % 8 == 0 else f"Session {number}: well tolerated."
        kiosk.sessions.close(patient_id, form, actor)
    with signed_earlier(kiosk, timedelta(days=3)):
        from tests.consultation import COUNTERSIGN_PIN

        kiosk.consents.withdraw(patient_id, channel="phone", consultant_id=consultant,
                                consultant_pin=COUNTERSIGN_PIN, reason="Wants to think it over.")
    with signed_earlier(kiosk, timedelta(days=1)):
        sign(kiosk, patient_id, consultant, language=language)
    return consultant
