"""The audit log: an append-only, HMAC-chained record of every change to patient data.

Each row stores the hash of the row before it and its own HMAC-SHA256 over its
fields, the hash of the content of the record it wrote (``record_content``) and that
previous hash. The key lives in the data folder, outside the database, so whoever
edits ``meso.db`` alone cannot re-forge the chain, nor change a record without its
latest entry showing it. Rows name what changed (entity and id), never clinical free
text. Rows written before content hashes existed have none (NULL) and keep their old
HMAC; a baseline entry vouches for each record's content from then on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from . import record_content
from .errors import AuditKeyError

GENESIS_HASH = "0" * 64
_KEY_BYTES = 32
_MAX_LABEL = 64


def load_or_create_key(path: Path, *, create: bool = True) -> bytes:
    """Read the installation's audit key, creating it (mode 0600) on first start.

    ``create=False`` (the database already holds audit rows): a missing key is an
    error, never silently replaced — a new key would break the chain's verification.
    """
    if not path.exists() and not create:
        raise AuditKeyError(
            f"The audit key {path} is missing, but the audit log was written with it. "
            "Restore it from a backup (meso-kiosk restore); nothing was changed."
        )
    if path.exists():
        try:
            key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        except (ValueError, UnicodeDecodeError, OSError) as error:
            raise AuditKeyError(
                f"The audit key {path} is damaged ({error}). Restore it from a backup; "
                "without it the audit log cannot be verified."
            ) from error
        if len(key) != _KEY_BYTES:
            raise AuditKeyError(f"The audit key {path} is damaged (wrong length). Restore it from a backup.")
        return key
    key = secrets.token_bytes(_KEY_BYTES)
    tmp = path.with_suffix(".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key.hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        if hasattr(os, "O_DIRECTORY"):  # the rename itself must survive a power cut
            folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
    except OSError as error:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise AuditKeyError(
            f"Cannot create the audit key {path}: {error.strerror or error}. "
            "Free some disk space or fix the folder's permissions, then start again."
        ) from error
    return key


def row_hash(key: bytes, *, id: int, at: str, actor: str, action: str, entity: str,
             entity_id: str | None, prev_hash: str, content_hash: str | None = None,
             legacy: bool = False) -> str:
    """The row's HMAC. ``legacy``: the message of rows written before content hashes (no content)."""
    fields = [id, at, actor, action, entity, entity_id, prev_hash]
    if not legacy:
        fields.insert(6, content_hash)
    message = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _label(value: str, what: str) -> str:
    if not value or len(value) > _MAX_LABEL or not value.isprintable():
        raise ValueError(f"audit {what} must be a short printable label, got {value!r}")
    return value


class Head(NamedTuple):
    """The end of the chain: how many rows, and the last row's hash."""

    rows: int
    hash: str


# ``append``'s default: read the record's content from the database now.
CONTENT_NOW = object()


def append(conn: sqlite3.Connection, key: bytes, *, at: str, actor: str, action: str,
           entity: str, entity_id: object | None, content: str | None | object = CONTENT_NOW) -> Head:
    """Append one row inside the caller's open transaction, vouching for the record's content
    as it is now (call it once the record is written; ``content``: its hash, already computed
    for a whole table at once); returns the new head."""
    if not conn.in_transaction:
        raise RuntimeError("audit rows are written inside the transaction of the change they record")
    _label(actor, "actor"), _label(action, "action"), _label(entity, "entity")
    last = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    next_id = (last[0] + 1) if last else 1
    prev_hash = last[1] if last else GENESIS_HASH
    ref = None if entity_id is None else str(entity_id)
    if content is CONTENT_NOW:
        content = record_content.content_hash(conn, entity, ref)
    digest = row_hash(key, id=next_id, at=at, actor=actor, action=action, entity=entity,
                      entity_id=ref, prev_hash=prev_hash, content_hash=content)
    conn.execute(
        "INSERT INTO audit_log (id, at, actor, action, entity, entity_id, content_hash, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (next_id, at, actor, action, entity, ref, content, prev_hash, digest),
    )
    return Head(next_id, digest)


@dataclass(frozen=True)
class AuditReport:
    rows_checked: int
    first_broken_id: int | None = None
    reason: str | None = None
    head_hash: str = GENESIS_HASH
    # The record whose content no longer matches its latest entry ("consent 3"), when the chain held.
    record: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None

    def problem(self) -> str:
        """What is wrong, in one sentence (for a report that is not ``ok``)."""
        if self.first_broken_id is None:
            return f"{self.reason} ({self.rows_checked} audit rows check out)"
        return (f"audit log broken at row {self.first_broken_id}: {self.reason} "
                f"({self.rows_checked} rows before it check out)")


def verify(conn: sqlite3.Connection, key: bytes, *, contents: bool = True) -> AuditReport:
    """Walk the chain from the first row, then (``contents``) compare every record with its latest
    entry; report the first row, or the first record, that does not check out. The records take
    most of the time (benchmarks/audit_verify.py): a backup checks the chain only,
    ``audit-verify`` and ``restore`` both."""
    expected_prev = GENESIS_HASH
    expected_id = 1
    count = 0
    latest: dict[tuple[str, str | None], tuple[int, str | None]] = {}
    has_content = "content_hash" in {row[1] for row in conn.execute("PRAGMA table_info(audit_log)")}
    cursor = conn.execute(
        f"SELECT id, at, actor, action, entity, entity_id, {'content_hash' if has_content else 'NULL'}, prev_hash,"
        " hash FROM audit_log ORDER BY id"
    )
    for row_id, at, actor, action, entity, entity_id, content, prev_hash, stored in cursor:
        if row_id != expected_id:
            return AuditReport(count, row_id, f"row {expected_id} is missing before row {row_id}", expected_prev)
        if prev_hash != expected_prev:
            return AuditReport(count, row_id, "it does not link to the row before it", expected_prev)
        fields = dict(id=row_id, at=at, actor=actor, action=action, entity=entity, entity_id=entity_id,
                      prev_hash=prev_hash, content_hash=content)
        # An entry without content is either an event (a seal made) or older than content hashes.
        candidates = [False, True] if content is None else [False]
        if not any(hmac.compare_digest(row_hash(key, **fields, legacy=legacy), stored or "") for legacy in candidates):
            return AuditReport(count, row_id, "its contents do not match its hash", expected_prev)
        latest[(entity, entity_id)] = (row_id, content)
        expected_prev = stored
        expected_id += 1
        count += 1
    changed = _first_changed_record(conn, latest, _baseline_due(conn)) if contents and has_content else None
    if changed is not None:
        record, reason = changed
        return AuditReport(count, None, reason, expected_prev, record)
    return AuditReport(count, head_hash=expected_prev)


def unvouched_record(conn: sqlite3.Connection, records: list[tuple[str, object]], *,
                     new_ones_allowed: bool = False) -> str | None:
    """The first of ``records`` ((entity, id) pairs) whose content is not what its latest audit
    entry vouches for, in words; None when all match. A few records, not the whole database
    (``verify``): what is about to be sealed into a PDF, what a write is about to change.
    ``new_ones_allowed``: a record with neither an entry nor rows is one being created. An entry
    from before content hashes (its baseline still to come) vouches for nothing, and is let be."""
    for entity, record in records:
        if entity not in record_content.RECORDS or record is None:
            continue
        row = conn.execute("SELECT id, content_hash FROM audit_log WHERE entity = ? AND entity_id = ?"
                           " ORDER BY id DESC LIMIT 1", (entity, str(record))).fetchone()
        if row is None:
            if new_ones_allowed and not record_content.has_rows(conn, entity, record):
                continue
            return f"{entity} {record} has no audit entry: it was added behind the app's back"
        if row[1] is not None and row[1] != record_content.content_hash(conn, entity, record):
            return f"{entity} {record} no longer matches its latest audit entry (row {row[0]}): changed behind the app's back"
    return None


def legacy_records(conn: sqlite3.Connection) -> set[tuple[str, str | None]]:
    """The records whose latest entry is from before content hashes (none vouches for their content)."""
    latest: dict[tuple[str, str | None], str | None] = {}
    for entity, record, content in conn.execute("SELECT entity, entity_id, content_hash FROM audit_log ORDER BY id"):
        latest[(entity, record)] = content
    return {key for key, content in latest.items() if content is None}


def has_content_entries(conn: sqlite3.Connection) -> bool:
    """Whether any entry vouches for content: the log was written by a version that anchors it."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(audit_log)")}
    return "content_hash" in columns and bool(
        conn.execute("SELECT EXISTS (SELECT 1 FROM audit_log WHERE content_hash IS NOT NULL)").fetchone()[0])


def head_row(conn: sqlite3.Connection, head: str) -> int | None:
    """The audit row whose hash is ``head`` (a head printed on a document), if the log still holds it."""
    row = conn.execute("SELECT id FROM audit_log WHERE hash = ?", (head,)).fetchone()
    return None if row is None else row[0]


def _baseline_due(conn: sqlite3.Connection) -> bool:
    """Whether records from before content hashes still wait for their baseline entries (the next open)."""
    return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM audit_baseline_due)").fetchone()[0])


def _first_changed_record(conn: sqlite3.Connection, latest: dict[tuple[str, str | None], tuple[int, str | None]],
                          baseline_due: bool) -> tuple[str, str] | None:
    """(record, reason) for the first record whose content is not what its latest entry vouches for."""
    by_entity: dict[str, dict[str | None, tuple[int, str | None]]] = {}
    for (entity, record), entry in latest.items():
        by_entity.setdefault(entity, {})[record] = entry
    for entity in record_content.RECORDS:
        current = record_content.all_content_hashes(conn, entity)
        vouched = by_entity.get(entity, {})
        for record in sorted(current.keys() | vouched.keys(), key=_record_order):
            name = f"{entity} {record}"
            if record not in vouched:
                return name, f"{name} has no audit entry: it was added behind the app's back"
            row_id, content = vouched[record]
            if record not in current:
                return name, f"{name} is gone, though audit row {row_id} vouches for it: deleted behind the app's back"
            if content is None:
                if baseline_due:
                    continue  # from before content hashes: vouched for at the next open
                return name, f"{name} has no content hash in its latest audit entry (row {row_id})"
            if content != current[record]:
                return name, (f"{name} no longer matches its latest audit entry (row {row_id}): "
                              "changed behind the app's back")
    return None


def _record_order(record: str | None) -> tuple[int, str]:
    text = record or ""
    return (int(text), "") if text.isdigit() else (1 << 62, text)


def head_hash(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else GENESIS_HASH


def last_actor(conn: sqlite3.Connection, action: str, entity: str, entity_id: object) -> tuple[str, str] | None:
    """(actor, UTC time) of the latest audit entry of ``action`` on one entity, or None."""
    row = conn.execute(
        "SELECT actor, at FROM audit_log WHERE action = ? AND entity = ? AND entity_id = ? ORDER BY id DESC LIMIT 1",
        (action, entity, str(entity_id)),
    ).fetchone()
    return (row[0], row[1]) if row else None
