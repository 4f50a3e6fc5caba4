"""Cooling-off waivers (``cooling_off_waivers``, immutable) and the facts the cooling-off rule reads:
the patient's first consent and whether their first session has been recorded."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from ..domain.clock import parse_utc_iso
from ..domain.cooling_off import CoolingOffWaiver
from .db import Transaction

_COLUMNS = "id, patient_id, consent_id, reason, admin_id, admin_name, created_at"


def _to_waiver(row: tuple) -> CoolingOffWaiver:
    *values, created_at = row
    return CoolingOffWaiver(*values, created_at=parse_utc_iso(created_at))


def insert_waiver(tx: Transaction, patient_id: int, consent_id: int, reason: str, admin_id: int,
                  admin_name: str) -> CoolingOffWaiver:
    cursor = tx.execute(
        "INSERT INTO cooling_off_waivers (patient_id, consent_id, reason, admin_id, admin_name, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)", (patient_id, consent_id, reason, admin_id, admin_name, tx.at))
    tx.audit("consent.cooling_off_waiver", "cooling_off_waiver", cursor.lastrowid)
    return CoolingOffWaiver(cursor.lastrowid, patient_id, consent_id, reason, admin_id, admin_name,  # type: ignore[arg-type]
                            parse_utc_iso(tx.at))


def waiver_for(conn: sqlite3.Connection, consent_id: int) -> CoolingOffWaiver | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM cooling_off_waivers WHERE consent_id = ?", (consent_id,)).fetchone()
    return None if row is None else _to_waiver(row)


def first_consent(conn: sqlite3.Connection, patient_id: int) -> tuple[int, datetime] | None:
    """(id, signed at) of the patient's earliest signed consent (withdrawals are not consents)."""
    row = conn.execute("SELECT id, signed_at FROM consents WHERE patient_id = ? AND kind = 'consent'"
                       " ORDER BY signed_at, id LIMIT 1", (patient_id,)).fetchone()
    return None if row is None else (row[0], parse_utc_iso(row[1]))


def first_session_recorded(conn: sqlite3.Connection, patient_id: int) -> bool:
    """Whether the patient has a closed session: the first one has happened, later ones wait for nothing."""
    return conn.execute("SELECT EXISTS (SELECT 1 FROM treatment_sessions WHERE patient_id = ? AND status = 'closed')",
                        (patient_id,)).fetchone()[0] == 1
