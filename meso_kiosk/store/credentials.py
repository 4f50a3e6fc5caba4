"""Who performs the treatment: each consultant's profession and registration number.

Append-only (``consultant_credentials`` refuses UPDATE and DELETE): a change is a new row,
so what a consultant was registered as on any day stays readable."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from .db import Transaction


class Credentials(NamedTuple):
    profession: str | None
    registration: str | None


NO_CREDENTIALS = Credentials(None, None)


def record_credentials(tx: Transaction, consultant_id: int, credentials: Credentials) -> None:
    cursor = tx.execute(
        "INSERT INTO consultant_credentials (consultant_id, profession, registration, set_at) VALUES (?, ?, ?, ?)",
        (consultant_id, credentials.profession, credentials.registration, tx.at))
    tx.audit("consultant.credentials", "consultant_credentials", cursor.lastrowid)


def current_credentials(conn: sqlite3.Connection) -> dict[int, Credentials]:
    """Each consultant's latest credentials (a consultant never given any is absent)."""
    rows = conn.execute(
        "SELECT consultant_id, profession, registration FROM consultant_credentials"
        " WHERE id IN (SELECT MAX(id) FROM consultant_credentials GROUP BY consultant_id)")
    return {consultant_id: Credentials(profession, registration) for consultant_id, profession, registration in rows}
