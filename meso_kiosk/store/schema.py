"""Is the schema the one the migrations build? Checked at every open, and by ``restore``.

Dropping an immutability trigger is the first step of an edit behind the app's back, and
a trigger added to a backup could rewrite every new consent. The stored schema (tables,
indexes, triggers) is compared with what the migrations build before anything is read or
written; the app's own is kept as a fingerprint (``SCHEMA_SHA256``, held to the migrations
by a test), so an open costs one read of ``sqlite_master``, and only a mismatch builds
the migrations' schema in memory to name the difference.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from .errors import DatabaseDamagedError
from .migrations import SCHEMA_VERSION, STEPS, apply_migrations

# What ``apply_migrations`` builds: a new step changes it (tests/store/test_schema.py says to what).
SCHEMA_SHA256 = "164f222986b4c4a8b3dffe075004c7cfaf77097164bc1b6155ec043dc6587473"
# Tables whose SQL is not ours to compare: the migrator's bookkeeping (sqlite-utils writes it)
# and FTS5's shadow tables (SQLite writes them, and may word them differently from version to version).
_NAME_ONLY_PREFIXES = ("_sqlite_migrations", "idx__sqlite_migrations", "patients_fts_", "patient_names_fts_")

SchemaRow = tuple[str, str, "str | None"]


def schema_rows(conn: sqlite3.Connection) -> list[SchemaRow]:
    """(type, name, SQL) of every table, index, trigger and view, in a stable order."""
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name"
    ).fetchall()
    return [(kind, name, None if name.startswith(_NAME_ONLY_PREFIXES) else sql) for kind, name, sql in rows]


def fingerprint(rows: list[SchemaRow]) -> str:
    return hashlib.sha256(json.dumps(rows, separators=(",", ":")).encode("utf-8")).hexdigest()


def built_by_migrations(version: int = SCHEMA_VERSION) -> list[SchemaRow]:
    """The schema the first ``version`` migration steps build (a new database gets all of them)."""
    conn = sqlite3.connect(":memory:")
    try:
        apply_migrations(conn, stop_before=STEPS[version][0] if version < SCHEMA_VERSION else None)
        return schema_rows(conn)
    finally:
        conn.close()


def difference(found: list[SchemaRow], expected: list[SchemaRow]) -> str:
    """The first differences between two schemas, in words."""
    have = {(kind, name): sql for kind, name, sql in found}
    want = {(kind, name): sql for kind, name, sql in expected}
    words = []
    for kind, name in sorted(want.keys() - have.keys()):
        words.append(f"{kind} {name} is missing")
    for kind, name in sorted(have.keys() - want.keys()):
        words.append(f"{kind} {name} is not one of the app's")
    for kind, name in sorted(want.keys() & have.keys()):
        if want[(kind, name)] != have[(kind, name)]:
            words.append(f"{kind} {name} differs from the app's")
    more = f" (and {len(words) - 2} more)" if len(words) > 2 else ""
    return "; ".join(words[:2]) + more if words else "its schema differs from the app's"


def check_schema(conn: sqlite3.Connection, path: Path | str) -> None:
    """Raise ``DatabaseDamagedError`` naming the first difference when ``conn``'s schema is not the
    one the app's migrations build at its version (``restore`` meets older ones; a newer one is
    refused as such)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise DatabaseDamagedError(
            f"The database {path} was written by a newer version of Meso Kiosk (schema {version}, this one "
            f"knows {SCHEMA_VERSION}). It has not been changed. Install the newer version to open it.")
    found = schema_rows(conn)
    if version == SCHEMA_VERSION and fingerprint(found) == SCHEMA_SHA256:
        return
    expected = built_by_migrations(version)
    if found == expected:
        return
    raise DatabaseDamagedError(
        f"The database {path} has been changed outside Meso Kiosk: {difference(found, expected)}. "
        "It has not been changed further. Restore it with 'meso-kiosk restore BACKUP'.")
