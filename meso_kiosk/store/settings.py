"""Clinic settings: small JSON values by key."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Iterable

from ..domain.clinic_name import CLINIC_NAME_DEFAULT

if TYPE_CHECKING:
    from .db import Transaction


def get_setting(conn: sqlite3.Connection, key: str, default: object = None) -> object:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return default if row is None else json.loads(row[0])


def get_settings(conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, object]:
    """The stored values of ``keys`` (a key never set is absent)."""
    wanted = list(keys)
    marks = ", ".join("?" * len(wanted))
    return {key: json.loads(value)
            for key, value in conn.execute(f"SELECT key, value FROM settings WHERE key IN ({marks})", wanted)}


def clinic_name(conn: sqlite3.Connection) -> str:
    """The clinic's name as set by its admin (a neutral default until then). A malformed
    value raises ValueError (json.JSONDecodeError)."""
    return str(get_setting(conn, "clinic.name", CLINIC_NAME_DEFAULT))


def put_setting(tx: Transaction, key: str, value: object) -> None:
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, json.dumps(value, ensure_ascii=False)),
    )
    tx.audit("settings.update", "setting", key)
