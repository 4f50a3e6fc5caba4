"""Courses: rows <-> ``StoredCourse``, the patient's active course, and the dates of the
sessions already given (what the planner keeps as history).

A patient has at most one active course (a unique index says so). ``save_active_course``
creates it the first time and changes it afterwards, each time with its audit entry.
The row keeps:

- ``protocol_id``: the protocol the consultant chose;
- ``severity``: the level the kiosk suggested when that choice was made, and
  ``severity_basis``: why (e.g. "Norwood IV or above");
- ``severity_reason``: the consultant's reason when the choice differs from the suggestion;
- ``plan``: JSON ``{"version": 1, "interval_overrides": {"5": 10}}`` (session number ->
  days before it).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, tzinfo

from ..domain.clock import parse_utc_iso
from ..domain.course import Course
from ..domain.errors import ValidationError
from ..domain.severity import SeverityChoice
from .db import Transaction
from .errors import RecordNotFoundError, StoreError

PLAN_FORMAT_VERSION = 1
MAX_BASIS_LENGTH = 300
_COLUMNS = (
    "id, patient_id, protocol_id, severity, severity_reason, severity_basis, start_date, plan, status,"
    " created_at, updated_at"
)


@dataclass(frozen=True)
class StoredCourse:
    id: int
    patient_id: int
    course: Course
    choice: SeverityChoice
    severity_basis: str | None
    status: str
    created_at: str
    updated_at: str

    @property
    def start(self) -> date:
        return self.course.start

    @property
    def protocol_id(self) -> str:
        return self.course.protocol_id


def _plan_json(course: Course) -> str:
    overrides = {str(number): days for number, days in sorted(course.interval_overrides.items())}
    return json.dumps({"version": PLAN_FORMAT_VERSION, "interval_overrides": overrides}, sort_keys=True)


def _overrides_from(plan: str | None, course_id: int) -> dict[int, int]:
    if not plan:
        return {}
    try:
        data = json.loads(plan)
        raw = data.get("interval_overrides", {}) if isinstance(data, dict) else None
        if not isinstance(raw, dict) or data.get("version", PLAN_FORMAT_VERSION) != PLAN_FORMAT_VERSION:
            raise ValueError("unexpected plan")
        return {int(number): days for number, days in raw.items()}
    except (ValueError, TypeError, AttributeError) as error:
        raise StoreError(f"The stored plan of course {course_id} cannot be read ({error}).") from error


def _to_stored(row: tuple) -> StoredCourse:
    (course_id, patient_id, protocol_id, severity, reason, basis, start, plan, status, created, updated) = row
    try:
        course = Course(
            start=date.fromisoformat(start),
            protocol_id=protocol_id,
            interval_overrides=_overrides_from(plan, course_id),
        )
        # An older row may lack the suggestion: then the choice stands as its own suggestion.
        choice = SeverityChoice(suggested=severity or protocol_id, chosen=protocol_id, reason=reason)
    except (ValueError, ValidationError) as error:
        raise StoreError(f"The stored course {course_id} cannot be read ({error}).") from error
    return StoredCourse(
        id=course_id, patient_id=patient_id, course=course, choice=choice, severity_basis=basis,
        status=status, created_at=created, updated_at=updated,
    )


def get_active_course(conn: sqlite3.Connection, patient_id: int) -> StoredCourse | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM courses WHERE patient_id = ? AND status = 'active' ORDER BY id DESC LIMIT 1",
        (patient_id,),
    ).fetchone()
    return None if row is None else _to_stored(row)


def get_course(conn: sqlite3.Connection, course_id: int) -> StoredCourse:
    row = conn.execute(f"SELECT {_COLUMNS} FROM courses WHERE id = ?", (course_id,)).fetchone()
    if row is None:
        raise RecordNotFoundError(f"Course {course_id} does not exist.")
    return _to_stored(row)


def _check_choice(course: Course, choice: SeverityChoice) -> None:
    if choice.chosen != course.protocol_id:
        raise ValueError("the severity choice must name the course's protocol")


def save_active_course(
    tx: Transaction,
    patient_id: int,
    course: Course,
    choice: SeverityChoice,
    severity_basis: str | None = None,
) -> StoredCourse:
    """Create the patient's active course, or change it; one audit entry either way."""
    _check_choice(course, choice)
    if tx.execute("SELECT 1 FROM patients WHERE id = ?", (patient_id,)).fetchone() is None:
        raise RecordNotFoundError(f"Patient {patient_id} does not exist.")
    basis = None if severity_basis is None else severity_basis[:MAX_BASIS_LENGTH]
    values = {
        "patient_id": patient_id,
        "protocol_id": course.protocol_id,
        "severity": choice.suggested,
        "severity_reason": choice.reason,
        "severity_basis": basis,
        "start_date": course.start.isoformat(),
        "plan": _plan_json(course),
        "at": tx.at,
    }
    existing = tx.execute(
        "SELECT id FROM courses WHERE patient_id = ? AND status = 'active'", (patient_id,)
    ).fetchone()
    if existing is None:
        cursor = tx.execute(
            "INSERT INTO courses (patient_id, protocol_id, severity, severity_reason, severity_basis, start_date,"
            " plan, status, created_at, updated_at) VALUES (:patient_id, :protocol_id, :severity,"
            " :severity_reason, :severity_basis, :start_date, :plan, 'active', :at, :at)",
            values,
        )
        course_id = cursor.lastrowid
        tx.audit("course.create", "course", course_id)
    else:
        course_id = existing[0]
        tx.execute(
            "UPDATE courses SET protocol_id = :protocol_id, severity = :severity,"
            " severity_reason = :severity_reason, severity_basis = :severity_basis, start_date = :start_date,"
            " plan = :plan, updated_at = :at WHERE id = :id",
            values | {"id": course_id},
        )
        tx.audit("course.update", "course", course_id)
    return get_course(tx.conn, course_id)


def done_session_dates(
    conn: sqlite3.Connection, patient_id: int, *, tz: tzinfo, course_id: int | None = None
) -> list[date]:
    """The clinic-local days of the patient's closed treatment sessions, oldest first.

    Amendments (rows that correct another session) are not visits and are left out.
    Two closed sessions on the same clinic day count as one visit. With ``course_id``,
    sessions recorded for another course are left out (sessions without a course count).
    """
    sql = (
        "SELECT started_at FROM treatment_sessions"
        " WHERE patient_id = ? AND status = 'closed' AND amends_session_id IS NULL"
    )
    params: tuple = (patient_id,)
    if course_id is not None:
        sql += " AND (course_id IS NULL OR course_id = ?)"
        params = (patient_id, course_id)
    days = set()
    for (started_at,) in conn.execute(sql, params):
        try:
            days.add(parse_utc_iso(started_at).astimezone(tz).date())
        except (TypeError, ValueError) as error:
            raise StoreError(f"A session of patient {patient_id} has an unreadable start time ({error}).") from error
    return sorted(days)


def record_export(tx: Transaction, patient_id: int, kind: str, path: str, sha256: str) -> int:
    """Note a file given to the patient (e.g. the calendar) in ``documents``, audited."""
    cursor = tx.execute(
        "INSERT INTO documents (patient_id, kind, path, sha256, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
        (patient_id, kind, path, sha256, tx.at, tx.actor),
    )
    tx.audit("course.export", "document", cursor.lastrowid)
    return cursor.lastrowid
