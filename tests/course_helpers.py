"""Test helpers for the course feature: closed sessions written straight into the table.

The sessions feature has its own service; these rows are the minimum the planner reads
(closed, not an amendment), written the house's way: one transaction with its audit entry.
"""

from __future__ import annotations

from datetime import date, datetime, time

from meso_kiosk.domain.clock import utc_iso


def add_closed_session(kiosk, patient_id: int, day: date, *, course_id: int | None = None,
                       at: time = time(10, 0), amends: int | None = None, status: str = "closed") -> int:
    started = datetime.combine(day, at, tzinfo=kiosk.clock.tz)
    with kiosk.store.write("test") as tx:
        cursor = tx.execute(
            "INSERT INTO treatment_sessions (patient_id, course_id, started_at, technique, status, closed_at,"
            " amends_session_id, amendment_reason, created_at, updated_at)"
            " VALUES (?, ?, ?, 'chemical_syringe', ?, ?, ?, ?, ?, ?)",
            (patient_id, course_id, utc_iso(started), status, utc_iso(started) if status == "closed" else None,
             amends, "typo" if amends else None, tx.at, tx.at),
        )
        tx.audit("session.create", "session", cursor.lastrowid)
    return cursor.lastrowid
