"""Courses in the store: one active course per patient, audited changes, sessions done."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from meso_kiosk.domain.course import Course
from meso_kiosk.domain.severity import SeverityChoice
from meso_kiosk.store import courses as course_rows
from meso_kiosk.store.errors import RecordNotFoundError, StoreError
from tests.course_helpers import add_closed_session


def _audit(kiosk) -> list[tuple[str, str, str]]:
    return list(kiosk.store.conn.execute("SELECT action, entity, entity_id FROM audit_log ORDER BY id"))


def _save(kiosk, patient_id, course, choice, basis=None):
    with kiosk.store.write("consultant:test") as tx:
        return course_rows.save_active_course(tx, patient_id, course, choice, basis)


def test_create_then_update_the_active_course_with_audit(kiosk, register):
    patient = register()
    course = Course(date(2026, 11, 23), "moderate", {6: 21})
    stored = _save(kiosk, patient.id, course, SeverityChoice("moderate", "moderate"), "Sinclair 3 or above")
    assert (stored.patient_id, stored.start, stored.protocol_id) == (patient.id, date(2026, 11, 23), "moderate")
    assert dict(stored.course.interval_overrides) == {6: 21}
    assert stored.severity_basis == "Sinclair 3 or above" and stored.status == "active"
    assert _audit(kiosk)[-1] == ("course.create", "course", str(stored.id))

    changed = Course(date(2026, 11, 30), "severe")
    choice = SeverityChoice("moderate", "severe", "Rapid loss since the summer.")
    updated = _save(kiosk, patient.id, changed, choice, "Sinclair 3 or above")
    assert updated.id == stored.id
    assert updated.choice == choice and updated.choice.overridden
    assert dict(updated.course.interval_overrides) == {}
    assert _audit(kiosk)[-1] == ("course.update", "course", str(stored.id))
    assert course_rows.get_active_course(kiosk.store.conn, patient.id) == updated
    assert kiosk.store.verify_audit().ok


def test_no_course_yet_and_unknown_patient(kiosk, register):
    patient = register()
    assert course_rows.get_active_course(kiosk.store.conn, patient.id) is None
    with pytest.raises(RecordNotFoundError):
        _save(kiosk, 9999, Course(date(2026, 11, 23), "mild"), SeverityChoice("mild", "mild"))
    assert kiosk.store.conn.execute("SELECT count(*) FROM courses").fetchone()[0] == 0
    with pytest.raises(RecordNotFoundError):
        course_rows.get_course(kiosk.store.conn, 1)


def test_the_choice_must_name_the_course_protocol(kiosk, register):
    patient = register()
    with pytest.raises(ValueError):
        _save(kiosk, patient.id, Course(date(2026, 11, 23), "mild"), SeverityChoice("severe", "severe"))


def test_the_database_refuses_a_second_active_course(kiosk, register):
    patient = register()
    _save(kiosk, patient.id, Course(date(2026, 11, 23), "mild"), SeverityChoice("mild", "mild"))
    with pytest.raises(sqlite3.IntegrityError):
        with kiosk.store.write("test") as tx:
            tx.execute(
                "INSERT INTO courses (patient_id, protocol_id, start_date, status, created_at, updated_at)"
                " VALUES (?, 'mild', '2026-12-01', 'active', ?, ?)", (patient.id, tx.at, tx.at))
            tx.audit("course.create", "course", 0)


def test_a_damaged_plan_is_reported_not_guessed(kiosk, register):
    patient = register()
    stored = _save(kiosk, patient.id, Course(date(2026, 11, 23), "mild"), SeverityChoice("mild", "mild"))
    with kiosk.store.write("test") as tx:
        tx.execute("UPDATE courses SET plan = ? WHERE id = ?", ('{"interval_overrides": [1, 2]}', stored.id))
        tx.audit("course.update", "course", stored.id)
    with pytest.raises(StoreError, match="cannot be read"):
        course_rows.get_active_course(kiosk.store.conn, patient.id)


def test_done_session_dates_are_clinic_days_of_closed_sessions(kiosk, register):
    patient = register()
    other = register("Marcus", "Whitfield", "1979-09-30")
    first = add_closed_session(kiosk, patient.id, date(2026, 11, 2))
    add_closed_session(kiosk, patient.id, date(2026, 11, 9))
    add_closed_session(kiosk, patient.id, date(2026, 11, 9), at=time(15, 0))  # same day: one visit
    add_closed_session(kiosk, patient.id, date(2026, 11, 16), status="open")  # still being recorded
    add_closed_session(kiosk, patient.id, date(2026, 11, 3), amends=first)  # a correction, not a visit
    add_closed_session(kiosk, other.id, date(2026, 11, 4))
    days = course_rows.done_session_dates(kiosk.store.conn, patient.id, tz=kiosk.clock.tz)
    assert days == [date(2026, 11, 2), date(2026, 11, 9)]


def test_done_session_dates_use_the_clinic_time_zone(kiosk, register):
    patient = register()
    # 23:30 UTC on 1 Dec is already 2 Dec in Paris and still 1 Dec in New York.
    started = datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc).isoformat()
    with kiosk.store.write("test") as tx:
        tx.execute(
            "INSERT INTO treatment_sessions (patient_id, started_at, technique, status, created_at, updated_at)"
            " VALUES (?, ?, 'chemical_syringe', 'closed', ?, ?)", (patient.id, started, tx.at, tx.at))
        tx.audit("session.create", "session", 1)
    conn = kiosk.store.conn
    assert course_rows.done_session_dates(conn, patient.id, tz=ZoneInfo("Europe/Paris")) == [date(2026, 12, 2)]
    assert course_rows.done_session_dates(conn, patient.id, tz=ZoneInfo("America/New_York")) == [date(2026, 12, 1)]


def test_sessions_of_another_course_do_not_count(kiosk, register):
    patient = register()
    old = _save(kiosk, patient.id, Course(date(2026, 1, 5), "mild"), SeverityChoice("mild", "mild"))
    add_closed_session(kiosk, patient.id, date(2026, 1, 5), course_id=old.id)
    with kiosk.store.write("test") as tx:
        tx.execute("UPDATE courses SET status = 'finished' WHERE id = ?", (old.id,))
        tx.audit("course.update", "course", old.id)
    new = _save(kiosk, patient.id, Course(date(2026, 11, 2), "mild"), SeverityChoice("mild", "mild"))
    assert new.id != old.id
    add_closed_session(kiosk, patient.id, date(2026, 11, 2), course_id=new.id)
    add_closed_session(kiosk, patient.id, date(2026, 11, 9))  # recorded without a course: counts
    conn, tz = kiosk.store.conn, kiosk.clock.tz
    assert course_rows.done_session_dates(conn, patient.id, tz=tz, course_id=new.id) == [
        date(2026, 11, 2), date(2026, 11, 9)]
    assert len(course_rows.done_session_dates(conn, patient.id, tz=tz)) == 3


def test_record_export_is_audited(kiosk, register):
    patient = register()
    with kiosk.store.write("consultant:test") as tx:
        document_id = course_rows.record_export(tx, patient.id, "course_calendar", "/x/plan.ics", "ab" * 32)
    assert _audit(kiosk)[-1] == ("course.export", "document", str(document_id))
    row = kiosk.store.conn.execute("SELECT kind, created_by FROM documents WHERE id = ?", (document_id,)).fetchone()
    assert row == ("course_calendar", "consultant:test")


def test_overrides_round_trip_in_order(kiosk, register):
    patient = register()
    overrides = {8: 20, 3: 10, 5: 12}
    stored = _save(kiosk, patient.id, Course(date(2026, 11, 23), "severe", overrides),
                   SeverityChoice("severe", "severe"))
    plan = kiosk.store.conn.execute("SELECT plan FROM courses WHERE id = ?", (stored.id,)).fetchone()[0]
    assert plan == '{"interval_overrides": {"3": 10, "5": 12, "8": 20}, "version": 1}'
    assert dict(stored.course.interval_overrides) == overrides
    assert stored.created_at <= stored.updated_at
