"""The audit log: an append-only, HMAC-chained record of every change to patient data.

Each row stores the hash of the row before it and its own HMAC-SHA256 over its
fields and that previous hash. The key lives in the data folder, outside the
database, so whoever edits ``meso.db`` alone cannot re-forge the chain.
Rows name what changed (entity and id), never clinical free text.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

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
    import secrets  # here, like hashlib below: not needed to open the app (its first frame)

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
             entity_id: str | None, prev_hash: str) -> str:
    import hashlib
    import hmac
    import json

    message = json.dumps(
        [id, at, actor, action, entity, entity_id, prev_hash], ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _label(value: str, what: str) -> str:
    if not value or len(value) > _MAX_LABEL or not value.isprintable():
        raise ValueError(f"audit {what} must be a short printable label, got {value!r}")
    return value


def append(conn: sqlite3.Connection, key: bytes, *, at: str, actor: str, action: str,
           entity: str, entity_id: object | None) -> str:
    """Append one row inside the caller's open transaction; returns its hash."""
    if not conn.in_transaction:
        raise RuntimeError("audit rows are written inside the transaction of the change they record")
    _label(actor, "actor"), _label(action, "action"), _label(entity, "entity")
    last = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    next_id = (last[0] + 1) if last else 1
    prev_hash = last[1] if last else GENESIS_HASH
    ref = None if entity_id is None else str(entity_id)
    digest = row_hash(key, id=next_id, at=at, actor=actor, action=action, entity=entity,
                      entity_id=ref, prev_hash=prev_hash)
    conn.execute(
        "INSERT INTO audit_log (id, at, actor, action, entity, entity_id, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (next_id, at, actor, action, entity, ref, prev_hash, digest),
    )
    return digest


@dataclass(frozen=True)
class AuditReport:
    rows_checked: int
    first_broken_id: int | None = None
    reason: str | None = None
    head_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def verify(conn: sqlite3.Connection, key: bytes) -> AuditReport:
    """Walk the chain from the first row; report the first row that does not check out."""
    import hmac

    expected_prev = GENESIS_HASH
    expected_id = 1
    count = 0
    cursor = conn.execute(
        "SELECT id, at, actor, action, entity, entity_id, prev_hash, hash FROM audit_log ORDER BY id"
    )
    for row_id, at, actor, action, entity, entity_id, prev_hash, stored in cursor:
        if row_id != expected_id:
            return AuditReport(count, row_id, f"row {expected_id} is missing before row {row_id}", expected_prev)
        if prev_hash != expected_prev:
            return AuditReport(count, row_id, "it does not link to the row before it", expected_prev)
        digest = row_hash(key, id=row_id, at=at, actor=actor, action=action, entity=entity,
                          entity_id=entity_id, prev_hash=prev_hash)
        if not hmac.compare_digest(digest, stored or ""):
            return AuditReport(count, row_id, "its contents do not match its hash", expected_prev)
        expected_prev = stored
        expected_id += 1
        count += 1
    return AuditReport(count, head_hash=expected_prev)


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
