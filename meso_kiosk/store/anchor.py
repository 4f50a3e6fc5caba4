"""The audit chain's head, kept outside the database: a log cut short or rewritten shows.

The chain proves that no row was changed, but not that none was removed from its end:
deleting the last rows (or every row) leaves a shorter chain that still checks out. So
each write also records the head (row count and last hash) in ``audit.head`` beside the
audit key, under an HMAC with that key. The log must still hold the anchored row with
the anchored hash; it may be longer (the anchor is written just after each commit, so a
power cut between the two leaves it one write behind, never ahead).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import time
from pathlib import Path

from .audit import GENESIS_HASH, Head, has_content_entries
from .errors import AuditKeyError

FILE_NAME = "audit.head"


class AuditAnchorError(AuditKeyError):
    """The anchor is missing, damaged, or the log no longer reaches it."""


def _mac(key: bytes, head: Head) -> str:
    return hmac.new(key, f"meso-kiosk audit head {head.rows} {head.hash}".encode("ascii"), hashlib.sha256).hexdigest()


def read_anchor(path: Path, key: bytes) -> Head | None:
    """The anchored head; None when there is no anchor file. ``AuditAnchorError`` when it is damaged
    or was not written with ``key``."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        head = Head(int(record["rows"]), str(record["hash"]))
        mac = str(record["mac"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AuditAnchorError(f"The audit anchor {path} is damaged ({error}). Restore it from a backup.") from error
    if not hmac.compare_digest(mac, _mac(key, head)):
        raise AuditAnchorError(f"The audit anchor {path} was not written with this installation's audit key "
                               "(changed or swapped). Restore it from a backup.")
    return head


def write_anchor(path: Path, key: bytes, head: Head, *, only_forward: bool = True) -> None:
    """Anchor ``head``: written to a temporary file, synced, renamed over the old anchor.
    ``only_forward``: leave an anchor that is already further on alone (another process wrote it)."""
    if only_forward:
        try:
            current = read_anchor(path, key)
        except AuditAnchorError:
            current = None
        if current is not None and current.rows >= head.rows:
            return
    record = {"rows": head.rows, "hash": head.hash, "mac": _mac(key, head)}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        if hasattr(os, "O_DIRECTORY"):  # the first anchor must survive a power cut too
            folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# A temporary anchor older than this was left by a process that stopped mid-write (killed, power cut).
STALE_SECONDS = 600


def sweep_leftovers(path: Path) -> None:
    """Remove temporary anchors that a stopped process left behind (each process writes its own)."""
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if time.time() - leftover.stat().st_mtime > STALE_SECONDS:
                leftover.unlink()
        except OSError:
            pass  # gone meanwhile, or not ours to remove: harmless either way


def current_head(conn: sqlite3.Connection) -> Head:
    row = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return Head(row[0], row[1]) if row else Head(0, GENESIS_HASH)


def reaches(conn: sqlite3.Connection, anchor: Head) -> str | None:
    """Why the log does not reach ``anchor`` (rows removed from its end, or rewritten); None if it does."""
    if anchor.rows == 0:
        return None
    row = conn.execute("SELECT hash FROM audit_log WHERE id = ?", (anchor.rows,)).fetchone()
    have = current_head(conn).rows
    if row is None:
        return (f"the audit log has {have} rows but its anchor says {anchor.rows}: "
                "rows were removed behind the app's back")
    if row[0] != anchor.hash:
        return f"audit row {anchor.rows} is not the one anchored: the log was rewritten behind the app's back"
    return None


def anchor_problem(conn: sqlite3.Connection, anchored: Head | None, path: Path) -> str | None:
    """Why the log disagrees with its anchor ``anchored`` (read from ``path``), in words; None when
    it agrees. A missing anchor is expected only where none was ever written: an empty log, or
    one from before anchors (no entry carries a content hash)."""
    if anchored is None:
        if current_head(conn).rows and has_content_entries(conn):
            return f"the audit anchor {path} is missing, but the audit log was anchored there"
        return None
    return reaches(conn, anchored)
