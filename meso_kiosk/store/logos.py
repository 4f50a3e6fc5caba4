"""The clinic's logos, kept in the database (``clinic_logos``, immutable): a backup, a restore
and the audit chain carry them like any record. The setting ``clinic.logo`` names the one in use."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from .db import Transaction


class Logo(NamedTuple):
    sha256: str
    png: bytes
    width: int
    height: int


def keep_logo(tx: Transaction, logo: Logo) -> None:
    """Store ``logo`` once (a logo used before is already there)."""
    if tx.execute("SELECT 1 FROM clinic_logos WHERE sha256 = ?", (logo.sha256,)).fetchone():
        return
    cursor = tx.execute("INSERT INTO clinic_logos (sha256, png, width, height, added_at) VALUES (?, ?, ?, ?, ?)",
                        (logo.sha256, logo.png, logo.width, logo.height, tx.at))
    tx.audit("clinic.logo", "clinic_logo", cursor.lastrowid)


def read_logo(conn: sqlite3.Connection, sha256: str) -> Logo | None:
    row = conn.execute("SELECT sha256, png, width, height FROM clinic_logos WHERE sha256 = ?", (sha256,)).fetchone()
    return None if row is None else Logo(*row)
