"""What an audit entry vouches for: the canonical content of the record it wrote.

Each audited entity is a record made of rows: a consent is its ``consents`` row and its
signatures; a session is its row, its zones and products, and its amendments with their
lots. The content is every column of those rows, serialised one stable way (JSON, keys
sorted, rows in rowid order, a BLOB as its SHA-256), and its SHA-256 goes into the audit
entry of every write, inside the HMAC (``audit.append``). ``audit.verify`` recomputes it:
an edit made with the triggers dropped, a row added or deleted behind the app's back, no
longer matches the record's latest entry.

A migration that adds a column to one of these tables changes every record's content:
it must schedule a new baseline (see ``migrations._step_0009_audit_content``). A part added
to a record later is marked ``added``: a record with no rows in it serialises as before, so
the records written before it keep the content their entries vouch for.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Iterator, NamedTuple


class Part(NamedTuple):
    table: str
    # SQL naming the record a row of ``table`` belongs to (the record's id or key).
    record: str
    # Added after records were written: left out of the content while the record has no rows in it.
    added: bool = False


# entity (as written in audit_log.entity) → the rows that make one such record.
RECORDS: dict[str, tuple[Part, ...]] = {
    "patient": (Part("patients", "id"), Part("patient_name_orders", "patient_id", added=True)),
    "consultant": (Part("consultants", "id"),),
    "intake": (Part("intakes", "id"),),
    "course": (Part("courses", "id"),),
    "session": (
        Part("treatment_sessions", "id"),
        Part("session_zones", "session_id"),
        Part("session_products", "session_id"),
        Part("session_amendments", "session_id"),
        Part("amendment_lots", "(SELECT session_id FROM session_amendments a WHERE a.id = amendment_id)"),
    ),
    "consent": (Part("consents", "id"), Part("signatures", "consent_id"),
                Part("consent_parties", "consent_id", added=True)),
    "document": (Part("documents", "id"),),
    "setting": (Part("settings", "key"),),
    "restore": (Part("restores", "id"),),
    "seal_certificate": (Part("seal_certificates", "id"),),
    "consultant_credentials": (Part("consultant_credentials", "id"),),
    "clinic_logo": (Part("clinic_logos", "id"),),
    "cooling_off_waiver": (Part("cooling_off_waivers", "id"),),
    # A photo's row holds its file's SHA-256: the chain vouches for the picture through it.
    "photo": (Part("photos", "id"),),
    "photo_consent_withdrawal": (Part("photo_consent_withdrawals", "id"),),
}


def _plain(values: tuple) -> list:
    """A row's values as JSON can hold them: a BLOB (a signature's picture) as its SHA-256."""
    return [{"sha256": hashlib.sha256(value).hexdigest()} if isinstance(value, bytes) else value
            for value in values]


def _rows(cursor: sqlite3.Cursor) -> tuple[list[str], Iterator[tuple[object, list]]]:
    """The column names in sorted order, and (record, values in that order) for a cursor whose
    first column is the record; a row's values stay a list, which serialises faster than a dict."""
    names = [column[0] for column in cursor.description[1:]]
    order = sorted(range(len(names)), key=names.__getitem__)
    columns = [names[i] for i in order]

    def rows() -> Iterator[tuple[object, list]]:
        for record, *values in cursor:
            ordered = [values[i] for i in order]
            if bytes in map(type, ordered):
                ordered = _plain(ordered)
            yield record, ordered

    return columns, rows()


def _digest(parts: dict[str, dict[str, list]]) -> str:
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _key(entity: str, record: object) -> object:
    return str(record) if entity == "setting" else int(record)


def content_hash(conn: sqlite3.Connection, entity: str, record: object) -> str | None:
    """The SHA-256 of one record's content as it is now; None for an entity that is no stored
    record (an event such as a seal made or a restore).

    The content: for each part, in ``RECORDS`` order, its table's columns (sorted) and the
    values of its rows (rowid order)."""
    parts = RECORDS.get(entity)
    if parts is None or record is None:
        return None
    key = _key(entity, record)
    content = {}
    for part in parts:
        cursor = conn.execute(f"SELECT {part.record}, * FROM {part.table} WHERE {part.record} = ? ORDER BY rowid",
                              (key,))
        columns, rows = _rows(cursor)
        values = [values for _, values in rows]
        if values or not part.added:
            content[part.table] = {"columns": columns, "rows": values}
    return _digest(content)


def has_rows(conn: sqlite3.Connection, entity: str, record: object) -> bool:
    """Whether any row of the record exists (a record being created has none yet)."""
    key = _key(entity, record)
    return any(conn.execute(f"SELECT EXISTS (SELECT 1 FROM {part.table} WHERE {part.record} = ?)", (key,)).fetchone()[0]
               for part in RECORDS[entity])


def all_content_hashes(conn: sqlite3.Connection, entity: str) -> dict[str, str]:
    """Every record of ``entity`` (its id as audit_log writes it) → its content hash, a table at a
    time: what ``content_hash`` gives record by record, for a whole database at once."""
    grouped: dict[str, dict[str, dict[str, list]]] = {}
    columns_of: dict[str, list[str]] = {}
    added = {part.table for part in RECORDS[entity] if part.added}
    for number, part in enumerate(RECORDS[entity]):
        columns, rows = _rows(conn.execute(f"SELECT {part.record}, * FROM {part.table} ORDER BY rowid"))
        columns_of[part.table] = columns
        for record, values in rows:
            content = grouped.get(str(record))
            if content is None:
                # A child whose record is gone still counts: as a record no entry vouches for.
                content = grouped[str(record)] = {}
            content.setdefault(part.table, {"columns": columns, "rows": []})["rows"].append(values)
    for content in grouped.values():  # every part, in order, even those with no rows for this record
        for table, columns in columns_of.items():
            if table not in added:
                content.setdefault(table, {"columns": columns, "rows": []})
    return {record: _digest({table: content[table] for table in columns_of if table in content})
            for record, content in grouped.items()}


def patient_records(conn: sqlite3.Connection, patient_id: int) -> list[tuple[str, int]]:
    """(entity, id) of the patient and of every clinical record of theirs: what a summary prints."""
    records = [("patient", patient_id)]
    for entity, table in (("intake", "intakes"), ("course", "courses"), ("session", "treatment_sessions"),
                          ("consent", "consents")):
        records += [(entity, row[0]) for row in
                    conn.execute(f"SELECT id FROM {table} WHERE patient_id = ? ORDER BY id", (patient_id,))]
    return records
