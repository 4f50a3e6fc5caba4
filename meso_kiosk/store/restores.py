"""Restores, recorded in the data they restored (table ``restores``, immutable)."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from .audit import Head
from .db import Transaction
from .settings import get_setting, put_setting

NOTICED_SETTING = "restore.noticed_id"


class Restore(NamedTuple):
    id: int
    backup_name: str
    backup_created_at: str | None
    backup_head: Head
    replaced_head: Head | None
    older: bool
    key_source: str
    restored_at: str


def record_restore(tx: Transaction, *, backup_name: str, backup_created_at: str | None, backup_head: Head,
                   replaced_head: Head | None, older: bool, key_source: str) -> int:
    cursor = tx.execute(
        "INSERT INTO restores (backup_name, backup_created_at, backup_rows, backup_head, replaced_rows,"
        " replaced_head, older, key_source, restored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (backup_name, backup_created_at, backup_head.rows, backup_head.hash,
         None if replaced_head is None else replaced_head.rows,
         None if replaced_head is None else replaced_head.hash, int(older), key_source, tx.at),
    )
    tx.audit("backup.restore", "restore", cursor.lastrowid)
    return cursor.lastrowid


def _restore(row: tuple) -> Restore:
    (id_, name, created, rows, head, replaced_rows, replaced_head, older, key_source, at) = row
    replaced = None if replaced_head is None else Head(replaced_rows, replaced_head)
    return Restore(id_, name, created, Head(rows, head), replaced, bool(older), key_source, at)


def unnoticed_restore(conn: sqlite3.Connection) -> Restore | None:
    """The latest restore no one has been shown yet (``mark_noticed``)."""
    noticed = get_setting(conn, NOTICED_SETTING, 0)
    row = conn.execute(
        "SELECT id, backup_name, backup_created_at, backup_rows, backup_head, replaced_rows, replaced_head,"
        " older, key_source, restored_at FROM restores WHERE id > ? ORDER BY id DESC LIMIT 1",
        (noticed if isinstance(noticed, int) else 0,),
    ).fetchone()
    return None if row is None else _restore(row)


def mark_noticed(tx: Transaction, restore_id: int) -> None:
    put_setting(tx, NOTICED_SETTING, restore_id)
