"""Consistent copies of the database, taken with SQLite's online backup API.

A file copy of a live WAL database can miss committed pages; the backup API
reads a consistent snapshot even while the kiosk keeps writing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from . import audit


def snapshot(conn: sqlite3.Connection, destination: Path) -> None:
    """Write a consistent copy of ``conn``'s database to ``destination`` (a new file)."""
    target = sqlite3.connect(str(destination))
    try:
        conn.backup(target, pages=256)
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
    finally:
        target.close()


@dataclass(frozen=True)
class DatabaseCheck:
    integrity: str
    foreign_key_problems: int
    audit: audit.AuditReport
    patients: int

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and self.foreign_key_problems == 0 and self.audit.ok


def check_copy(path: Path, audit_key: bytes, *, contents: bool = True) -> DatabaseCheck:
    """Full integrity check, foreign keys and the audit chain of a database file, read-only;
    ``contents``: every record against its latest entry too (see ``audit.verify``)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
        problems = len(conn.execute("PRAGMA foreign_key_check").fetchall())
        report = audit.verify(conn, audit_key, contents=contents)
        patients = conn.execute("SELECT count(*) FROM patients").fetchone()[0]
    except sqlite3.DatabaseError as error:
        return DatabaseCheck(str(error), 0, audit.AuditReport(0, 0, "unreadable"), 0)
    finally:
        conn.close()
    return DatabaseCheck(integrity, problems, report, patients)
