"""The course service: plan, suggestion from the intake, changes, and the calendar file."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from meso_kiosk.domain.course import SessionStatus
from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.resources import resources_root
from meso_kiosk.services.clinic_data import ClinicData, ClinicDataError
from meso_kiosk.services.course import CourseExportError, CourseService, NoCourseError
from meso_kiosk.services.demo.seed import seed_demo
from meso_kiosk.store.settings import put_setting
from tests.course_helpers import add_closed_session

RESOURCES = resources_root()

# The test clock: 2026-11-22 is a Sunday, and the shipped calendar closes on Sundays.
TODAY = date(2026, 11, 22)
MONDAY = date(2026, 11, 23)
ACTOR = "consultant:test"


def _audit_actions(kiosk) -> list[str]:
    return [row[0] for row in kiosk.store.conn.execute("SELECT action FROM audit_log ORDER BY id")]


def _course_count(kiosk) -> int:
    return kiosk.store.conn.execute("SELECT count(*) FROM courses").fetchone()[0]


@pytest.fixture
def patient(register):
    return register()


@pytest.fixture
def mid_course(kiosk, patient):
    """Moderate course started 4 Nov, two sessions done (4 and 11 Nov)."""
    kiosk.course.start_course(patient.id, start="2026-11-04", protocol_id="moderate",
                              reason="Matches what we saw today.", actor=ACTOR)
    add_closed_session(kiosk, patient.id, date(2026, 11, 4))
    add_closed_session(kiosk, patient.id, date(2026, 11, 11))
    return patient


def _clinic_name(kiosk, name: str) -> None:
    with kiosk.store.write("test") as tx:
        put_setting(tx, "clinic.name", name)


# --------------------------------------------------------------------------------------
# Plan and overview


def test_a_patient_without_course_gets_a_proposal_not_a_record(kiosk, patient):
    overview = kiosk.course.overview(patient.id)
    assert overview.is_proposal and overview.stored is None
    assert overview.suggestion.level == "mild"
    assert overview.projected.start == MONDAY  # Sunday is closed: the next open day
    assert overview.projected.protocol.id == "mild"
    with pytest.raises(NoCourseError):
        kiosk.course.plan(patient.id)
    assert _course_count(kiosk) == 0


def test_plan_uses_the_sessions_done_and_today(kiosk, mid_course):
    course = kiosk.course.plan(mid_course.id)
    assert course.today == TODAY
    assert [s.status for s in course.sessions[:4]] == [
        SessionStatus.DONE, SessionStatus.DONE, SessionStatus.OVERDUE, SessionStatus.PLANNED]
    assert course.sessions[2].due_on == date(2026, 11, 18) and course.sessions[2].date == MONDAY
    assert course.done_count == 2 and course.total == 8


def test_start_course_is_audited_and_update_keeps_one_course(kiosk, patient):
    stored = kiosk.course.start_course(patient.id, start=MONDAY, protocol_id="mild", actor=ACTOR)
    assert stored.severity_basis == "No intake recorded yet"
    changed = kiosk.course.change_start(patient.id, "30/11/2026", actor=ACTOR)
    assert changed.id == stored.id and changed.start == date(2026, 11, 30)
    assert _audit_actions(kiosk)[-2:] == ["course.create", "course.update"]
    assert _course_count(kiosk) == 1


# --------------------------------------------------------------------------------------
# Severity suggestion from the intake


def test_suggestion_comes_from_the_latest_intake(kiosk, patient):
    assert kiosk.course.suggest(patient.id).reason == "No intake recorded yet"
    kiosk.intake.save_answer(patient.id, "complaint.hair_loss_type", "androgenetic", ACTOR)
    kiosk.intake.save_answer(patient.id, "classification.sinclair", "4", ACTOR)
    suggestion = kiosk.course.suggest(patient.id)
    assert (suggestion.level, suggestion.reason) == ("severe", "Sinclair 4 or above")
    assert kiosk.course.overview(patient.id).projected.protocol.id == "severe"


def test_override_of_the_suggestion_needs_a_reason(kiosk, patient):
    kiosk.intake.save_answer(patient.id, "complaint.hair_loss_type", "androgenetic", ACTOR)
    kiosk.intake.save_answer(patient.id, "classification.sinclair", "3", ACTOR)
    with pytest.raises(ValidationError) as caught:
        kiosk.course.start_course(patient.id, start=MONDAY, protocol_id="mild", actor=ACTOR)
    assert caught.value.field == "reason" and "moderate" in caught.value.errors["reason"]
    assert _course_count(kiosk) == 0
    stored = kiosk.course.start_course(patient.id, start=MONDAY, protocol_id="mild",
                                       reason="  Wants to try a short course first. ", actor=ACTOR)
    assert stored.choice.suggested == "moderate" and stored.choice.reason == "Wants to try a short course first."
    assert stored.severity_basis == "Sinclair 3 or above"
    # Choosing the suggestion needs no reason, and drops the old one.
    back = kiosk.course.change_protocol(patient.id, "moderate", actor=ACTOR)
    assert back.choice.reason is None and not back.choice.overridden


def test_salt_score_from_all_four_regions_feeds_the_suggestion(kiosk, patient):
    kiosk.intake.save_answer(patient.id, "complaint.hair_loss_type", "alopecia_areata", ACTOR)
    for region in ("vertex", "posterior", "right", "left"):
        kiosk.intake.save_answer(patient.id, f"classification.salt.{region}", 60, ACTOR)
    assert kiosk.course.suggest(patient.id).reason == "SALT 50 % or above"


# --------------------------------------------------------------------------------------
# Changes and hostile input


@pytest.mark.parametrize(
    "start",
    ["", "   ", "tomorrow", "31/02/2026", "2026-13-01", "'; DROP TABLE courses;--", "🦄", "٢٠٢٦-١١-٢٣",
     "9" * 10_000, None, 42, 3.5, [], "2031-01-01", "1999-01-01", "0000-00-00"],
)
def test_hostile_start_dates_are_refused_next_to_the_field(kiosk, patient, start):
    with pytest.raises(ValidationError) as caught:
        kiosk.course.start_course(patient.id, start=start, protocol_id="mild", actor=ACTOR)
    assert caught.value.field == "start"
    assert len(caught.value.errors["start"]) < 200
    assert _course_count(kiosk) == 0


def test_a_datetime_is_not_a_start_date(kiosk, patient):
    from datetime import datetime, timezone

    with pytest.raises(ValidationError) as caught:
        kiosk.course.start_course(patient.id, start=datetime(2026, 11, 23, tzinfo=timezone.utc),
                                  protocol_id="mild", actor=ACTOR)
    assert caught.value.field == "start"


@pytest.mark.parametrize("protocol_id", ["", "extreme", "MILD", None, 3, "mild'; --", "𝓂𝒾𝓁𝒹"])
def test_unknown_protocols_are_refused(kiosk, patient, protocol_id):
    with pytest.raises(ValidationError) as caught:
        kiosk.course.start_course(patient.id, start=MONDAY, protocol_id=protocol_id, reason="x", actor=ACTOR)
    assert caught.value.field == "protocol_id"


@pytest.mark.parametrize("reason", ["\x00", "a\x1b[31mb", "x" * 501, 42, "   "])
def test_hostile_reasons_are_refused(kiosk, patient, reason):
    with pytest.raises(ValidationError) as caught:
        kiosk.course.start_course(patient.id, start=MONDAY, protocol_id="severe", reason=reason, actor=ACTOR)
    assert caught.value.field == "reason"
    assert _course_count(kiosk) == 0


def test_any_script_and_emoji_in_a_reason_are_kept(kiosk, patient):
    reason = "Patientin wünscht kürzer — 患者希望 🙂 ; DROP TABLE courses;"
    stored = kiosk.course.start_course(patient.id, start=MONDAY, protocol_id="severe", reason=reason, actor=ACTOR)
    assert kiosk.course.active(patient.id).choice.reason == reason == stored.choice.reason


def test_start_after_the_first_session_done_is_refused(kiosk, mid_course):
    with pytest.raises(ValidationError) as caught:
        kiosk.course.change_start(mid_course.id, "2026-11-05", actor=ACTOR)
    assert caught.value.field == "start" and "first session done" in caught.value.errors["start"]
    assert kiosk.course.active(mid_course.id).start == date(2026, 11, 4)


def test_a_shorter_protocol_than_the_sessions_done_is_refused(kiosk, patient):
    kiosk.course.start_course(patient.id, start="2026-10-01", protocol_id="severe", reason="Fast loss.", actor=ACTOR)
    for week in range(7):
        add_closed_session(kiosk, patient.id, date(2026, 10, 1) + timedelta(days=7 * week))
    with pytest.raises(ValidationError) as caught:
        kiosk.course.change_protocol(patient.id, "mild", actor=ACTOR)
    assert caught.value.field == "protocol_id" and "longer protocol" in caught.value.errors["protocol_id"]
    assert kiosk.course.active(patient.id).protocol_id == "severe"


def test_change_one_interval_re_plans_the_rest(kiosk, mid_course):
    before = kiosk.course.plan(mid_course.id)
    kiosk.course.change_interval(mid_course.id, 5, 12, actor=ACTOR)  # phase 2 minimum is 10
    after = kiosk.course.plan(mid_course.id)
    assert after.sessions[4].gap_days == 12
    assert (after.sessions[4].date - after.sessions[3].date).days >= 12
    assert after.sessions[4].date != before.sessions[4].date or before.sessions[4].gap_days == 12
    assert _audit_actions(kiosk)[-1] == "course.update"
    # Back to the protocol's interval: nothing left to remember.
    kiosk.course.change_interval(mid_course.id, 5, None, actor=ACTOR)
    assert dict(kiosk.course.active(mid_course.id).course.interval_overrides) == {}


@pytest.mark.parametrize(
    ("number", "days", "words"),
    [
        (5, 9, "at least 10 days"),
        (3, 6, "at least 7 days"),
        (5, 0, "from 1 to 365"),
        (5, -14, "from 1 to 365"),
        (5, 10_000, "from 1 to 365"),
        (5, "🦄", "whole number"),
        (5, 12.5, "whole number"),
        (5, True, "whole number"),
        (2, 7, "already done"),
        (1, 7, "from 2 to 8"),
        (9, 7, "from 2 to 8"),
        ("5; DROP", 7, "whole number"),
    ],
)
def test_hostile_intervals_are_refused(kiosk, mid_course, number, days, words):
    before = _audit_actions(kiosk)
    with pytest.raises(ValidationError) as caught:
        kiosk.course.change_interval(mid_course.id, number, days, actor=ACTOR)
    assert caught.value.field == "interval"
    assert words in caught.value.errors["interval"]
    assert _audit_actions(kiosk) == before


def test_changes_need_a_course(kiosk, patient):
    with pytest.raises(NoCourseError):
        kiosk.course.change_start(patient.id, MONDAY, actor=ACTOR)


def test_a_broken_protocols_file_names_the_file(kiosk, tmp_path):
    shutil.copytree(RESOURCES, tmp_path / "resources")
    (tmp_path / "resources" / "protocols" / "protocols.toml").write_text("[protocols.mild]\nlabel = 'x'\nsessions = 0\n")
    with pytest.raises(ClinicDataError, match=r"^protocols/protocols\.toml: protocols\.mild"):
        CourseService(kiosk.store, kiosk.clock, ClinicData(tmp_path / "resources"))
    shutil.copy(RESOURCES / "protocols" / "protocols.toml", tmp_path / "resources" / "protocols")
    (tmp_path / "resources" / "protocols" / "clinic_calendar.toml").write_text("closed_weekdays = [")
    with pytest.raises(ClinicDataError, match=r"^protocols/clinic_calendar\.toml: Invalid value"):
        CourseService(kiosk.store, kiosk.clock, ClinicData(tmp_path / "resources"))


# --------------------------------------------------------------------------------------
# Calendar export


def _parse(path: Path) -> Calendar:
    return Calendar.from_ical(path.read_bytes())


def test_ics_holds_the_planned_sessions_with_clinic_and_aftercare(kiosk, mid_course, tmp_path):
    _clinic_name(kiosk, "Clinique Étoile — Lyon")
    target = kiosk.paths.exports / kiosk.course.ics_file_name(mid_course.id)
    result = kiosk.course.export_ics(mid_course.id, target, actor=ACTOR)
    course = kiosk.course.plan(mid_course.id)
    planned = [s for s in course.sessions if not s.is_done]
    events = list(_parse(target).walk("VEVENT"))
    assert result.events == len(events) == len(planned) == 6
    assert [e.decoded("dtstart") for e in events] == [s.date for s in planned]
    aftercare = kiosk.course.aftercare("en")
    for event, session in zip(events, planned):
        start = event.decoded("dtstart")
        assert type(start) is date  # all-day: no time, no time zone to shift it
        assert event.decoded("dtend") == start + timedelta(days=1)
        stamp = event.decoded("dtstamp")
        assert stamp.utcoffset() == timedelta(0) and event["dtstamp"].to_ical().endswith(b"Z")
        description = str(event["description"])
        assert "Clinique Étoile — Lyon" in description and "Clinique Étoile — Lyon" in str(event["summary"])
        assert aftercare.steps[0] in description and aftercare.title in description
        assert f"session {session.number} of 8" in str(event["summary"])
        assert list(event.walk("VALARM"))
    uids = [str(e["uid"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]
    assert _audit_actions(kiosk)[-1] == "course.export"


def test_uids_are_stable_between_exports(kiosk, mid_course, tmp_path):
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    kiosk.course.export_ics(mid_course.id, first, actor=ACTOR)
    kiosk.course.change_interval(mid_course.id, 6, 21, actor=ACTOR)
    kiosk.course.export_ics(mid_course.id, second, actor=ACTOR)
    uid = lambda path: [str(e["uid"]) for e in _parse(path).walk("VEVENT")]  # noqa: E731
    assert uid(first) == uid(second)
    dates = lambda path: [e.decoded("dtstart") for e in _parse(path).walk("VEVENT")]  # noqa: E731
    assert dates(first) != dates(second)


def test_export_replaces_an_existing_file_atomically(kiosk, mid_course, tmp_path, monkeypatch):
    target = tmp_path / "plan.ics"
    target.write_bytes(b"old plan")
    import meso_kiosk.services.files as module

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module.os, "replace", broken_replace)
    with pytest.raises(CourseExportError, match="No space left"):
        kiosk.course.export_ics(mid_course.id, target, actor=ACTOR)
    assert target.read_bytes() == b"old plan"  # the old file is intact
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["plan.ics"]  # no temp file left
    assert "course.export" not in _audit_actions(kiosk)
    monkeypatch.undo()
    kiosk.course.export_ics(mid_course.id, target, actor=ACTOR)
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")


@pytest.mark.parametrize("name", ["", "plan.txt", "missing-folder/plan.ics", "a\x00.ics"])
def test_bad_export_paths_are_refused(kiosk, mid_course, tmp_path, name):
    with pytest.raises(CourseExportError):
        kiosk.course.export_ics(mid_course.id, str(tmp_path / name) if name else "", actor=ACTOR)


def test_export_a_folder_is_refused(kiosk, mid_course, tmp_path):
    (tmp_path / "x.ics").mkdir()
    with pytest.raises(CourseExportError, match="folder"):
        kiosk.course.export_ics(mid_course.id, tmp_path / "x.ics", actor=ACTOR)


def test_export_needs_a_course_and_something_left_to_plan(kiosk, patient, tmp_path):
    with pytest.raises(NoCourseError):
        kiosk.course.export_ics(patient.id, tmp_path / "p.ics", actor=ACTOR)
    kiosk.course.start_course(patient.id, start="2026-10-01", protocol_id="mild", actor=ACTOR)
    for week in range(6):
        add_closed_session(kiosk, patient.id, date(2026, 10, 1) + timedelta(days=7 * week))
    with pytest.raises(ValidationError, match="nothing to add"):
        kiosk.course.export_ics(patient.id, tmp_path / "p.ics", actor=ACTOR)
    assert not (tmp_path / "p.ics").exists()


def test_aftercare_falls_back_to_english(kiosk):
    assert kiosk.course.aftercare("xx").language == "en"
    assert kiosk.course.aftercare("../../etc/passwd").language == "en"
    assert "{clinic}" not in kiosk.course.aftercare().as_text("Northgate")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offsets=st.lists(st.integers(-120, 0), max_size=8, unique=True),
       protocol_id=st.sampled_from(["mild", "moderate", "severe"]))
def test_any_history_exports_one_event_per_planned_session(kiosk, register, offsets, protocol_id):
    patient = register()
    days = sorted(TODAY + timedelta(days=o) for o in offsets)
    start = days[0] if days else MONDAY
    kiosk.course.start_course(patient.id, start=start, protocol_id=protocol_id, reason="Test.", actor=ACTOR)
    for day in days:
        add_closed_session(kiosk, patient.id, day)
    overview = kiosk.course.overview(patient.id)
    if overview.problem is not None or overview.projected.is_complete:
        return
    target = kiosk.paths.exports / f"p{patient.id}.ics"
    kiosk.course.export_ics(patient.id, target, actor=ACTOR)
    events = list(_parse(target).walk("VEVENT"))
    planned = [s.date for s in overview.projected.sessions if not s.is_done]
    assert [e.decoded("dtstart") for e in events] == planned
    assert all(d >= TODAY for d in planned)


def test_demo_courses_are_seeded_at_different_stages(kiosk):
    result = seed_demo(kiosk)
    assert result.seeded and "courses" in result.message
    statuses = {}
    for patient in kiosk.patients.recent(100):
        stored = kiosk.course.active(patient.id)
        if stored is not None:
            course = kiosk.course.plan(patient.id)
            statuses[patient.given_name] = (course.done_count, course.next_session.status)
    assert len(statuses) >= 4
    assert any(status is SessionStatus.OVERDUE for _, status in statuses.values())
    assert any(done == 0 for done, _ in statuses.values())  # just started
    assert any(done >= 3 for done, _ in statuses.values())  # mid-course
