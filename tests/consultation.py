"""A whole consultation recorded through the services, for export tests and the benchmark.

``record_consultation`` gives a registered patient a completed intake (one stop
overridden with a reason, one warning acknowledged), a signed and countersigned
consent (before the first session), a course, and ``sessions`` closed sessions a fortnight
apart (the second one corrected by an amendment). Everything goes through the services,
as the kiosk does. ``complete_intake`` alone gives a patient the intake every session needs.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

COUNTERSIGN_PIN = "739184"
INTAKE = {
    "complaint.hair_loss_type": "androgenetic",
    "complaint.duration_months": "18",
    "classification.norwood": "III",
    "medical.nsaids": True,
    "medical.anticoagulants": True,
    "medical.allergy_solution_ingredient": False,
    "medical.allergy_local_anaesthetic": False,
    "medical.pregnancy": "not_applicable",
    "medical.bleeding_disorder": False,
    "medical.scalp_infection": False,
    "medical.scalp_scarring": False,
    "medical.keloid_tendency": False,
    "medical.autoimmune": False,
    "medical.diabetes": False,
    "medical.cancer_treatment": False,
    "medical.antiplatelets": False,
    "medical.mesotherapy_reaction": False,
    "medical.heart_condition": False,
    "medical.fainting": False,
}
# The same patient with nothing to stop or warn about: the intake a test needs before a session.
CLEAR_INTAKE = INTAKE | {"medical.nsaids": False, "medical.anticoagulants": False}
OVERRIDE_REASON = "Prescriber's letter of 12 Nov on file: apixaban continues, firm pressure after each zone."
SIDE_EFFECT_IDS = ("redness", "bruising", "itching")
# Consents are signed this long before "now": longer than the clinic's default time to think (24 h)
# before a first session, so the sessions a test records next are not held by it.
THINKING_TIME = timedelta(days=2)


@contextmanager
def signed_earlier(kiosk, delta: timedelta = THINKING_TIME):
    """The kiosk's clock moved ``delta`` back while the block runs (a consent signed two days ago)."""
    now = kiosk.clock.now
    kiosk.clock.now = lambda: now() - delta
    try:
        yield
    finally:
        kiosk.clock.now = now


@dataclass(frozen=True)
class Consultation:
    patient_id: int
    consultant_id: int
    consultant_name: str
    session_ids: tuple[int, ...]


def ensure_consultant(kiosk, name: str = "Dr Amélie Laurent") -> tuple[int, str]:
    """The clinic's first consultant (made if there is none), with the countersigning PIN set."""
    from meso_kiosk.store.consultants import insert_consultant

    row = kiosk.store.conn.execute("SELECT id, display_name FROM consultants ORDER BY id LIMIT 1").fetchone()
    with kiosk.store.write("test") as tx:
        if row is None:
            made = insert_consultant(tx, name)
            row = (made.id, made.display_name)
        kiosk.accounts.set_initial_pin(tx, row[0], COUNTERSIGN_PIN)
    return row[0], row[1]


def complete_intake(kiosk, patient_id: int, actor: str = "test", *, answers: dict = CLEAR_INTAKE,
                    override: dict[str, str] | None = None, acknowledge: tuple[str, ...] = ()):
    """The patient's intake answered and marked complete, through the service (sessions need one):
    ``override`` maps a stop's rule id to the reason for going ahead, ``acknowledge`` ticks warnings."""
    for path, value in answers.items():
        kiosk.intake.save_answer(patient_id, path, value, actor)
    for rule_id, reason in (override or {}).items():
        kiosk.intake.override(patient_id, rule_id, reason, actor)
    for rule_id in acknowledge:
        kiosk.intake.acknowledge(patient_id, rule_id, actor)
    return kiosk.intake.complete(patient_id, actor)


def sign(kiosk, patient_id: int, consultant_id: int, *, language: str = "en", photos: bool = True,
         question: str | None = None):
    from meso_kiosk.services.demo.signature import synthetic_signature

    template = kiosk.consents.template_for(language)
    extra = {"question": question} if question else {}
    return kiosk.consents.sign(
        patient_id, language=language, version=template.version, shown_text_sha256=template.text_sha256,
        checklist={item.id: True for item in template.checklist}, photo_consent=photos,
        signature=synthetic_signature(str(patient_id)).to_data(), consultant_id=consultant_id,
        consultant_pin=COUNTERSIGN_PIN, **extra)


def session_form(consultant_id: int, started_at, number: int) -> dict:
    zones = {"vertex": {"injections": 20 + number % 5, "depth_mm": 2.5, "volume_ml": 1.5},
             "mid_scalp": {"injections": 15, "depth_mm": 2.0, "volume_ml": 1.0}}
    if number % 3 == 0:
        zones["frontal_hairline"] = {"injections": 8, "depth_mm": 1.5, "volume_ml": 0.5}
    return {
        "started_at": started_at,
        "consultant_id": str(consultant_id),
        "technique": "chemical_syringe",
        "numbing": "none",
        "zones": zones,
        "products": [{"name": "Peptide hair complex", "lot": f"PX-{2200 + number}/B", "expiry": "2028-03"}],
        "duration_min": 35,
        "side_effects": [SIDE_EFFECT_IDS[number % 3]] if number % 2 == 0 else [],
        "shedding": 2,
        "satisfaction": 4,
    }


def record_consultation(kiosk, patient_id: int, *, sessions: int = 4, actor: str = "consultant:1",
                        consent: bool = True, intake: bool = True, course: bool = True) -> Consultation:
    consultant_id, consultant_name = ensure_consultant(kiosk)
    actor = f"consultant:{consultant_id}"
    if intake:
        complete_intake(kiosk, patient_id, actor, answers=INTAKE, override={"anticoagulants": OVERRIDE_REASON},
                        acknowledge=("nsaids",))
    now = kiosk.clock.now_utc().replace(second=0, microsecond=0)
    first = now - timedelta(days=14 * sessions)
    if consent:  # before the first session, which relies on it, and the clinic's time to think before it
        with signed_earlier(kiosk, now - first + THINKING_TIME):
            sign(kiosk, patient_id, consultant_id)
    if course and sessions:
        kiosk.course.start_course(patient_id, start=kiosk.clock.local(first).date().isoformat(),
                                  protocol_id="severe" if sessions > 8 else "moderate", actor=actor,
                                  reason="Long history; a longer course agreed with the patient." if sessions > 8 else None)
    ids = []
    for number in range(1, sessions + 1):
        form = session_form(consultant_id, first + timedelta(days=14 * (number - 1)), number)
        closed = kiosk.sessions.close(patient_id, form, actor).session
        ids.append(closed.session_id)
        if number == 2:
            corrected = form | {"zones": form["zones"] | {"vertex": {"injections": 22, "depth_mm": 2.0,
                                                                        "volume_ml": 1.5}}}
            kiosk.sessions.amend(closed.session_id, corrected, "Depth typed wrong: it was 2 mm.", actor)
    return Consultation(patient_id, consultant_id, consultant_name, tuple(ids))
