"""Clinic settings: small JSON values by key."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # reading a setting needs no store (the lock roster of a cold start)
    from .db import Transaction


def get_setting(conn: sqlite3.Connection, key: str, default: object = None) -> object:
    import json  # here, not at import: see clinic_name

    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return default if row is None else json.loads(row[0])


CLINIC_NAME_DEFAULT = "Meso Kiosk clinic"


def clinic_name(conn: sqlite3.Connection) -> str:
    """The clinic's name as set by its admin (a neutral default until then).

    Decoded by SQLite's JSON reader: the lock screen's heading is read for a cold start's
    first frame, which does without Python's json module (it compiles its regular
    expressions at import). A malformed value raises sqlite3.OperationalError."""
    row = conn.execute("SELECT json_extract(value, '$') FROM settings WHERE key = 'clinic.name'").fetchone()
    return CLINIC_NAME_DEFAULT if row is None else str(row[0])


def put_setting(tx: Transaction, key: str, value: object) -> None:
    import json

    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, json.dumps(value, ensure_ascii=False)),
    )
    tx.audit("settings.update", "setting", key)
