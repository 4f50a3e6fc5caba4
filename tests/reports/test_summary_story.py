"""The summary tells the whole story (issue 24, point 5): a 24-session patient who withdrew and
signed again, exported through the services and read back page by page with pypdf."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest
from tests.pdf_tools import page_texts

from .conftest import body_text
from .story import ALLERGIES, LONG_NOTE, MEDICATIONS, record_long_story


def _flat(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Story:
    kiosk: object
    patient: object
    exported: object
    pdf: bytes


@pytest.fixture
def story(kiosk, register) -> Story:
    patient = register("Claire", "Dubois", "1986-04-12")
    record_long_story(kiosk, patient.id)
    exported = kiosk.export.export_pdf(patient.id, "test")  # sealed, written, recorded: no LayoutError
    return Story(kiosk, patient, exported, exported.path.read_bytes())


def test_a_24_session_story_reads_in_order_with_every_session_and_note(story):
    kiosk, patient, pdf = story.kiosk, story.patient, story.pdf
    body = body_text(pdf)
    headings = ["Patient", "Treated zones", "Intake", "Current medications", "Allergies", "Treatment sessions",
                "Notes from the sessions", "Your course", "Consent history", "Signatures",
                "Appendix: the text the patient signed", "Technical details for verification"]
    at = 0
    for heading in headings:  # each after the one before it
        at = body.index(heading, at)
    for session in range(1, 25):
        assert f"Session {session}, " in body  # each session's notes under its number and date
    assert _flat(LONG_NOTE) in body and _flat(MEDICATIONS) in body and _flat(ALLERGIES) in body
    assert "PX-2223/2" in body  # the third product of the last session with three


def test_the_consent_history_lists_signed_withdrawn_and_signed_again(story):
    kiosk, patient, pdf = story.kiosk, story.patient, story.pdf
    body = body_text(pdf)
    history = body[body.index("Consent history"):body.index("Possible side effect")]
    signed, withdrawn, again = (history.index(event) for event in
                                ("Consent signed ", "Consent withdrawn (phone)", "Consent signed again"))
    assert signed < withdrawn < again
    events = kiosk.consents.history(patient.id)
    for entry in events:  # each at the clinic's local time, with its text's version
        local = kiosk.clock.local(entry.record.signed_at)
        assert f"{local:%d %b %Y}, {local:%H:%M}" in history
    assert history.count(f"English (en), version {events[0].record.template_version}") == 3
    assert "In force: signed" in body


def test_the_signatures_of_the_consent_stand_on_one_page(story):
    pdf = story.pdf
    pages = [_flat(text) for text in page_texts(pdf)]
    holding = [number for number, text in enumerate(pages) if "Claire Dubois (Patient)" in text]
    assert len(holding) == 1
    page = pages[holding[0]]
    assert "Signatures" in page and "(Consultant)" in page
    assert page.index("Signatures") < page.index("Claire Dubois (Patient)") < page.index("(Consultant)")


def test_technical_details_are_in_the_appendix_and_not_on_the_patients_pages(story):
    kiosk, patient, pdf, exported = story.kiosk, story.patient, story.pdf, story.exported
    pages = [_flat(text) for text in page_texts(pdf)]
    start = next(number for number, text in enumerate(pages) if "Technical details for verification" in text)
    assert start == len(pages) - 1 or start == len(pages) - 2  # at the very end
    record = kiosk.consents.current(patient.id)
    device, head = record.device_id, exported.record.audit_head  # the head the document was made against
    before = " ".join(pages[:start]) + pages[start][:pages[start].index("Technical details for verification")]
    after = " ".join(pages[start:])
    assert device and f"Tablet {device}" in after
    assert device not in before.replace("kiosk tablet", "")
    for digest in (record.text_sha256, record.patient_signature_sha256):
        assert digest not in "".join(before.split()) and digest in "".join(after.split())
    assert head[:16] in "".join(after.split()) and head[:16] not in "".join(before.split())


def test_no_page_but_the_last_is_left_mostly_empty(story):
    """No half-empty pages: the map no longer waits for a page of its own, nor the appendix."""
    pdf = story.pdf
    pages = page_texts(pdf)
    assert len(pages) < 20
    for text in pages[:-1]:
        assert len(text) > 1200, text[:200]


@pytest.mark.parametrize("utc, local_day, expected", [
    ("10:59", 23, "Next"),        # 23:59 on the 23rd at the clinic: the visit is tomorrow
    ("11:01", 24, "Due today"),   # 00:01 on the 24th at the clinic, still the 23rd in UTC
    ("22:00", 24, "Due today"),   # 11:00 on the 24th
])
def test_a_visit_planned_for_today_is_due_today_around_midnight_in_the_clinics_time_zone(tmp_path, utc, local_day,
                                                                                        expected):
    """Auckland is UTC+13 in November; the course starts on Tuesday 24 November."""
    from meso_kiosk.services.kiosk import open_kiosk
    from tests.conftest import CHEAP_PIN_HASHER, cheap_seal

    hour, minute = map(int, utc.split(":"))
    now = datetime(2026, 11, 23, hour, minute, tzinfo=timezone.utc)
    kiosk = open_kiosk(tmp_path / "data", now=lambda: now, pin_hasher=CHEAP_PIN_HASHER, make_seal=cheap_seal)
    try:
        kiosk.clinic.update({"timezone": "Pacific/Auckland"}, "test")
        patient = kiosk.patients.register({"given_name": "Aroha", "family_name": "Ngata",
                                           "date_of_birth": "1990-02-01"}, "test")
        kiosk.course.start_course(patient.id, start="2026-11-24", protocol_id="moderate", actor="test",
                                  reason="Agreed with the patient.")
        visits = kiosk.export.build_summary(patient.id).course.visits
        assert kiosk.clock.today() == date(2026, 11, local_day)
    finally:
        kiosk.close()
    assert visits[0].day == date(2026, 11, 24) and visits[0].status == expected
    assert all(visit.status == "Planned" for visit in visits[1:])


def test_a_late_visit_booked_for_today_is_due_today_and_one_booked_later_overdue():
    """The due state is the domain's (course.due_state): booked today, it is due today whatever
    the protocol wanted; still late and not bookable today (the clinic is closed), overdue."""
    from meso_kiosk.domain.course import DueState, PlannedSession, SessionStatus, due_state

    today = date(2026, 11, 23)
    late = PlannedSession(3, today, SessionStatus.OVERDUE, due_on=date(2026, 11, 16))
    assert due_state(late, today) is DueState.DUE_TODAY
    closed_today = PlannedSession(3, date(2026, 11, 24), SessionStatus.OVERDUE, due_on=date(2026, 11, 16))
    assert due_state(closed_today, today) is DueState.OVERDUE
    assert due_state(PlannedSession(3, date(2026, 11, 30), SessionStatus.DUE, due_on=date(2026, 11, 30)),
                     today) is DueState.DUE
    assert due_state(PlannedSession(1, date(2026, 11, 2), SessionStatus.DONE), today) is DueState.DONE
