"""Consultants: the people who run consultations and sign as clinicians."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .db import Transaction


@dataclass(frozen=True)
class ConsultantRow:
    id: int
    display_name: str
    role: str
    active: bool


def insert_consultant(tx: Transaction, display_name: str, role: str = "consultant") -> ConsultantRow:
    cursor = tx.execute(
        "INSERT INTO consultants (display_name, role, created_at) VALUES (?, ?, ?)",
        (display_name, role, tx.at),
    )
    tx.audit("consultant.create", "consultant", cursor.lastrowid)
    return ConsultantRow(cursor.lastrowid, display_name, role, True)


def list_consultants(conn: sqlite3.Connection, *, active_only: bool = True) -> list[ConsultantRow]:
    sql = "SELECT id, display_name, role, active FROM consultants"
    if active_only:
        sql += " WHERE active = 1"
    return [ConsultantRow(r[0], r[1], r[2], bool(r[3])) for r in conn.execute(sql + " ORDER BY display_name")]


def consultant_names(conn: sqlite3.Connection) -> dict[str, str]:
    """Every consultant ever registered, id (as text, as records and audit actors hold it) to
    name: old records name consultants switched off since."""
    return {str(row.id): row.display_name for row in list_consultants(conn, active_only=False)}
