"""Patients: rows <-> ``Patient``, recent list and search."""

from __future__ import annotations

import re
import sqlite3
from datetime import date

from ..domain.contact import phone_digits
from ..domain.patient import Patient, parse_date, search_key
from ..domain.errors import ValidationError
from .db import Transaction
from .errors import RecordNotFoundError

_COLUMNS = "id, given_name, family_name, date_of_birth, sex_at_birth, phone, email, preferred_language"
# Name searches matching more patients than this are not ranked (see ``search_patients``).
RANKED_AT_MOST = 500
_PATIENT_FIELDS = ("given_name", "family_name", "date_of_birth", "sex_at_birth", "phone", "email", "preferred_language")


def _to_patient(row: tuple) -> Patient:
    return Patient(
        id=row[0], given_name=row[1], family_name=row[2], date_of_birth=date.fromisoformat(row[3]),
        sex_at_birth=row[4], phone=row[5], email=row[6], preferred_language=row[7],
    )


def _values(patient: Patient) -> dict[str, object]:
    values = {name: getattr(patient, name) for name in _PATIENT_FIELDS}
    values["date_of_birth"] = patient.date_of_birth.isoformat()
    values["phone_digits"] = phone_digits(patient.phone)
    values["name_key"] = patient.name_key
    return values


def insert_patient(tx: Transaction, patient: Patient) -> Patient:
    values = _values(patient) | {"created_at": tx.at, "updated_at": tx.at}
    columns = ", ".join(values)
    placeholders = ", ".join(f":{name}" for name in values)
    cursor = tx.execute(f"INSERT INTO patients ({columns}) VALUES ({placeholders})", values)
    tx.audit("patient.create", "patient", cursor.lastrowid)
    return patient.with_id(cursor.lastrowid)


def update_patient(tx: Transaction, patient: Patient) -> Patient:
    if patient.id is None:
        raise ValueError("update_patient needs a stored patient")
    values = _values(patient) | {"updated_at": tx.at, "id": patient.id}
    assignments = ", ".join(f"{name} = :{name}" for name in values if name != "id")
    cursor = tx.execute(f"UPDATE patients SET {assignments} WHERE id = :id", values)
    if cursor.rowcount != 1:
        raise RecordNotFoundError(f"Patient {patient.id} does not exist.")
    tx.audit("patient.update", "patient", patient.id)
    return patient


def get_patient(conn: sqlite3.Connection, patient_id: int) -> Patient:
    row = conn.execute(f"SELECT {_COLUMNS} FROM patients WHERE id = ?", (patient_id,)).fetchone()
    if row is None:
        raise RecordNotFoundError(f"Patient {patient_id} does not exist.")
    return _to_patient(row)


def count_patients(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM patients").fetchone()[0]


def list_recent(conn: sqlite3.Connection, limit: int = 50) -> list[Patient]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM patients ORDER BY updated_at DESC, id DESC LIMIT ?", (limit,)
    ).fetchall()
    return [_to_patient(row) for row in rows]


def _fts_query(text: str) -> str | None:
    """Each word becomes a quoted prefix term, so typed punctuation is never FTS syntax."""
    words = [w for w in re.split(r"[\s,;]+", search_key(text)) if w]
    terms = []
    for word in words:
        cleaned = "".join(ch for ch in word if ch.isalnum() or ch in "'’-")
        cleaned = cleaned.strip("'’-")
        if cleaned:
            terms.append('"' + cleaned.replace('"', '""') + '"*')
    return " ".join(terms) or None


def _as_date(text: str) -> date | None:
    try:
        return parse_date(text, "query", "date")
    except ValidationError:
        return None


def search_patients(conn: sqlite3.Connection, query: str, limit: int = 50) -> list[Patient]:
    """Name words (any script, accents optional), a date of birth, or a phone prefix."""
    text = (query or "").strip()[:200]
    if not text:
        return list_recent(conn, limit)
    born = _as_date(text)
    if born is not None:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM patients WHERE date_of_birth = ? ORDER BY family_name, given_name LIMIT ?",
            (born.isoformat(), limit),
        ).fetchall()
        return [_to_patient(row) for row in rows]
    digits = phone_digits(text)
    if re.fullmatch(r"\+?[0-9 ()./\-]+", text) and len(digits) >= 2:
        # Range scan on the index: every string starting with the digits sorts in [digits, digits + ':').
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM patients WHERE phone_digits >= ? AND phone_digits < ?"
            " ORDER BY phone_digits LIMIT ?",
            (digits, digits + ":", limit),
        ).fetchall()
        return [_to_patient(row) for row in rows]
    fts = _fts_query(text)
    if fts is None:
        return []
    prefixed = ", ".join(f"p.{c.strip()}" for c in _COLUMNS.split(","))
    # Ranking (bm25) costs time per matching patient: fine for a few hundred, but the first
    # letter or two typed match thousands in a large clinic (benchmarks: search). Then the
    # newest-registered matches come first (an index walk) until the typing narrows it.
    probe = conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM patients_fts WHERE patients_fts MATCH ? LIMIT ?)",
        (fts, RANKED_AT_MOST + 1),
    ).fetchone()[0]
    order = "rank" if probe <= RANKED_AT_MOST else "patients_fts.rowid DESC"
    rows = conn.execute(
        f"SELECT {prefixed} FROM patients_fts JOIN patients p ON p.id = patients_fts.rowid"
        f" WHERE patients_fts MATCH ? ORDER BY {order} LIMIT ?",
        (fts, limit),
    ).fetchall()
    return [_to_patient(row) for row in rows]
