"""Patients: rows <-> ``Patient``, recent list and search."""

from __future__ import annotations

import re
import sqlite3
from datetime import date

from ..domain.contact import phone_digits
from ..domain.errors import ValidationError
from ..domain.name_folding import query_words
from ..domain.patient import Patient, parse_date
from .db import Transaction
from .errors import RecordNotFoundError

_COLUMNS = ("p.id, p.given_name, p.family_name, p.date_of_birth, p.sex_at_birth, p.phone, p.email,"
            " p.preferred_language, o.name_order")
# A patient with their chosen name order (none for those registered before it was asked: by script).
_PATIENTS = "patients p LEFT JOIN patient_name_orders o ON o.patient_id = p.id"
_FTS = "patient_names_fts"  # the folded words of every name (migration 0013)
# Name searches matching more patients than this are not ranked (see ``search_patients``).
RANKED_AT_MOST = 500
_PATIENT_FIELDS = ("given_name", "family_name", "date_of_birth", "sex_at_birth", "phone", "email", "preferred_language")


def _to_patient(row: tuple) -> Patient:
    return Patient(
        id=row[0], given_name=row[1], family_name=row[2], date_of_birth=date.fromisoformat(row[3]),
        sex_at_birth=row[4], phone=row[5], email=row[6], preferred_language=row[7], name_order=row[8],
    )


def _values(patient: Patient) -> dict[str, object]:
    values = {name: getattr(patient, name) for name in _PATIENT_FIELDS}
    values["date_of_birth"] = patient.date_of_birth.isoformat()
    values["phone_digits"] = phone_digits(patient.phone)
    return values


def _write_name(tx: Transaction, patient_id: int, patient: Patient) -> None:
    """The chosen order (part of the patient's record) and the words the search finds them by."""
    tx.execute("INSERT INTO patient_name_orders (patient_id, name_order) VALUES (?, ?)"
               " ON CONFLICT (patient_id) DO UPDATE SET name_order = excluded.name_order", (patient_id, patient.order))
    tx.execute("INSERT INTO patient_name_words (patient_id, words) VALUES (?, ?)"
               " ON CONFLICT (patient_id) DO UPDATE SET words = excluded.words WHERE words != excluded.words",
               (patient_id, patient.name_key))


def insert_patient(tx: Transaction, patient: Patient) -> Patient:
    values = _values(patient) | {"created_at": tx.at, "updated_at": tx.at}
    columns = ", ".join(values)
    placeholders = ", ".join(f":{name}" for name in values)
    cursor = tx.execute(f"INSERT INTO patients ({columns}) VALUES ({placeholders})", values)
    _write_name(tx, cursor.lastrowid, patient)
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
    _write_name(tx, patient.id, patient)
    tx.audit("patient.update", "patient", patient.id)
    return patient


def get_patient(conn: sqlite3.Connection, patient_id: int) -> Patient:
    row = conn.execute(f"SELECT {_COLUMNS} FROM {_PATIENTS} WHERE p.id = ?", (patient_id,)).fetchone()
    if row is None:
        raise RecordNotFoundError(f"Patient {patient_id} does not exist.")
    return _to_patient(row)


def count_patients(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM patients").fetchone()[0]


def list_recent(conn: sqlite3.Connection, limit: int = 50) -> list[Patient]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM {_PATIENTS} ORDER BY p.updated_at DESC, p.id DESC LIMIT ?", (limit,)
    ).fetchall()
    return [_to_patient(row) for row in rows]


def born_on(conn: sqlite3.Connection, born: date, limit: int = 200) -> list[Patient]:
    """Patients with this date of birth (a handful, even in a large clinic: the date is indexed)."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM {_PATIENTS} WHERE p.date_of_birth = ? ORDER BY p.family_name, p.given_name LIMIT ?",
        (born.isoformat(), limit),
    ).fetchall()
    return [_to_patient(row) for row in rows]


def _fts_query(text: str) -> str | None:
    """Each folded word becomes a quoted prefix term, so typed punctuation is never FTS syntax."""
    terms = ['"' + word.replace('"', '""') + '"*' for word in query_words(text)]
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
        return born_on(conn, born, limit)
    digits = phone_digits(text)
    if re.fullmatch(r"\+?[0-9 ()./\-]+", text) and len(digits) >= 2:
        # Range scan on the index: every string starting with the digits sorts in [digits, digits + ':').
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM {_PATIENTS} WHERE p.phone_digits >= ? AND p.phone_digits < ?"
            " ORDER BY p.phone_digits LIMIT ?",
            (digits, digits + ":", limit),
        ).fetchall()
        return [_to_patient(row) for row in rows]
    fts = _fts_query(text)
    if fts is None:
        return []
    return _by_name(conn, fts, query_words(text), limit)


def _by_name(conn: sqlite3.Connection, fts: str, typed: list[str], limit: int) -> list[Patient]:
    # Ranking costs time per matching patient: fine for a few hundred, but the first letter or two
    # typed match thousands in a large clinic (benchmarks: search). Then the newest-registered
    # matches come first (an index walk) until the typing narrows it. Ranked: the patients with
    # more typed words whole in their name first ("kim" before "Kimberly"), then FTS5's bm25.
    probe = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {_FTS} WHERE {_FTS} MATCH ? LIMIT ?)",
        (fts, RANKED_AT_MOST + 1),
    ).fetchone()[0]
    whole = " + ".join([f"instr(' ' || {_FTS}.words || ' ', ?) > 0"] * len(typed))
    order = f"{whole} DESC, {_FTS}.rank" if probe <= RANKED_AT_MOST else f"{_FTS}.rowid DESC"
    params = [f" {word} " for word in typed] if probe <= RANKED_AT_MOST else []
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM {_FTS} JOIN patients p ON p.id = {_FTS}.rowid"
        f" LEFT JOIN patient_name_orders o ON o.patient_id = p.id WHERE {_FTS} MATCH ? ORDER BY {order} LIMIT ?",
        (fts, *params, limit),
    ).fetchall()
    return [_to_patient(row) for row in rows]
