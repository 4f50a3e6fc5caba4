"""``audit-verify``: everything that shows a change made behind the app's back, read-only.

Unlike opening the store (which stops at the first fault it finds), this reports every
kind of finding at once, so that a forged row in a database whose triggers were dropped
is named as well as the missing triggers: the schema against the app's, the audit chain,
each record's content against its latest entry, and the anchored head. It writes nothing
(never a new audit key) and takes no lock, so it also runs beside the app.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import NamedTuple

from . import anchor, audit
from .db import check_file, connect_read_only, damaged
from .errors import AuditKeyError, DatabaseDamagedError, StoreError
from .photos import file_problems as photo_file_problems, photos_folder
from .schema import check_schema


class FolderCheck(NamedTuple):
    report: audit.AuditReport | None  # None: the chain could not be read at all
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return "; also: ".join(self.problems)
        return (f"audit log intact: {self.report.rows_checked} rows, head {self.report.head_hash[:16]}; "
                "every record matches its latest entry; the anchored head is in the log; every photo file matches "
                "its record")


def check_folder(database: Path, key_path: Path, anchor_path: Path) -> FolderCheck:
    if database.stat().st_size == 0:
        return FolderCheck(None, (str(damaged(database, "the file is empty")),))
    try:
        conn = connect_read_only(database)
    except sqlite3.Error as error:
        return FolderCheck(None, (str(damaged(database, str(error))),))
    problems: list[str] = []
    try:
        try:
            check_file(conn, database)  # a damaged file, or a stranger's: nothing else to check in it
            key = audit.load_or_create_key(key_path, create=False)
        except (StoreError, AuditKeyError) as error:
            return FolderCheck(None, (str(error),))
        # The anchor first, then one snapshot of the database: the app may write meanwhile, and its
        # anchor follows its commits, so an anchor read before the snapshot is never ahead of it.
        try:
            anchored = anchor.read_anchor(anchor_path, key)
        except anchor.AuditAnchorError as error:
            anchored = error
        conn.isolation_level = None
        conn.execute("BEGIN")
        try:
            check_schema(conn, database)
        except DatabaseDamagedError as error:
            problems.append(str(error).split(". It has not been changed")[0])
        report = audit.verify(conn, key)
        if not report.ok:
            problems.insert(0, report.problem())
        # A photo's row (which the chain vouches for) holds its file's SHA-256: a swapped picture shows here.
        problems += photo_file_problems(conn, photos_folder(database.parent))
        if isinstance(anchored, anchor.AuditAnchorError):
            problems.append(str(anchored))
        elif gap := anchor.anchor_problem(conn, anchored, anchor_path):
            problems.append(gap)
    except sqlite3.DatabaseError as error:
        return FolderCheck(None, (*problems, f"the database {database} cannot be read: {error}"))
    finally:
        conn.close()
    return FolderCheck(report, tuple(problems))
