"""Issued documents: one immutable row per file that left the kiosk (path, SHA-256, who, when)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .db import Transaction


@dataclass(frozen=True)
class DocumentRecord:
    id: int
    patient_id: int
    kind: str
    path: str
    sha256: str
    created_at: str
    created_by: str
    audit_head: str | None = None  # the audit chain's head the document prints (summaries)


_COLUMNS = "id, patient_id, kind, path, sha256, created_at, created_by, audit_head"


def insert_document(tx: Transaction, *, patient_id: int, kind: str, path: str, sha256: str,
                    audit_head: str | None = None) -> DocumentRecord:
    cursor = tx.execute(
        "INSERT INTO documents (patient_id, kind, path, sha256, created_at, created_by, audit_head)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (patient_id, kind, path, sha256, tx.at, tx.actor, audit_head),
    )
    tx.audit("document.export", "document", cursor.lastrowid)
    return DocumentRecord(cursor.lastrowid, patient_id, kind, path, sha256, tx.at, tx.actor, audit_head)


def find_by_sha256(conn: sqlite3.Connection, sha256: str) -> DocumentRecord | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM documents WHERE sha256 = ? ORDER BY id LIMIT 1", (sha256,)).fetchone()
    return DocumentRecord(*row) if row else None


def find_by_path(conn: sqlite3.Connection, path: str) -> DocumentRecord | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM documents WHERE path = ? ORDER BY id LIMIT 1", (path,)).fetchone()
    return DocumentRecord(*row) if row else None


def list_for_patient(conn: sqlite3.Connection, patient_id: int) -> list[DocumentRecord]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM documents WHERE patient_id = ? ORDER BY id", (patient_id,))
    return [DocumentRecord(*row) for row in rows]
