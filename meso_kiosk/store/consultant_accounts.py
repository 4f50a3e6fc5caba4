"""Consultant accounts: PIN hash, wrong-PIN counter and lock, active flag.

Rows of ``consultants`` (``consultants.py`` creates and lists them; this module adds
what signing in needs). The PIN hash is read only by ``pin_hash``, never carried in
``ConsultantAccount``, so it cannot end up in a repr, a log or a screen. Nothing here
sees a clear PIN: the accounts service hashes before calling in.

The counter and ``locked_until`` live in the database so that closing the app does
not clear a lock.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING, Callable, NamedTuple

from ..domain.clock import parse_utc_iso, utc_iso
from .errors import RecordNotFoundError

if TYPE_CHECKING:
    from .db import Transaction

_COLUMNS = (
    "id, display_name, role, active, pin_hash IS NOT NULL, failed_pin_count, locked_until,"
    " last_pin_failure_at, pin_changed_at, created_at"
)


# A NamedTuple, not a dataclass: built on the cold start's path to the first frame (see ui/startup).
class ConsultantAccount(NamedTuple):
    id: int
    display_name: str
    role: str                       # "consultant" or "admin"
    active: bool
    has_pin: bool
    failed_pin_count: int
    locked_until: datetime | None   # UTC; in the past once the lock is over
    last_pin_failure_at: datetime | None
    pin_changed_at: datetime | None
    created_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


def _when(text: str | None) -> datetime | None:
    return None if text is None else parse_utc_iso(text)


def _to_account(row: tuple) -> ConsultantAccount:
    return ConsultantAccount(
        id=row[0], display_name=row[1], role=row[2], active=bool(row[3]), has_pin=bool(row[4]),
        failed_pin_count=row[5], locked_until=_when(row[6]), last_pin_failure_at=_when(row[7]),
        pin_changed_at=_when(row[8]), created_at=parse_utc_iso(row[9]),
    )


def get_account(conn: sqlite3.Connection, consultant_id: int) -> ConsultantAccount:
    row = conn.execute(f"SELECT {_COLUMNS} FROM consultants WHERE id = ?", (consultant_id,)).fetchone()
    if row is None:
        raise RecordNotFoundError(f"Consultant {consultant_id} does not exist.")
    return _to_account(row)


def list_accounts(conn: sqlite3.Connection, *, active_only: bool = True) -> list[ConsultantAccount]:
    sql = f"SELECT {_COLUMNS} FROM consultants"
    if active_only:
        sql += " WHERE active = 1"
    return [_to_account(row) for row in conn.execute(sql + " ORDER BY display_name COLLATE NOCASE, id")]


def count_active_admins_with_pin(conn: sqlite3.Connection, *, excluding: int | None = None) -> int:
    return conn.execute(
        "SELECT count(*) FROM consultants WHERE role = 'admin' AND active = 1 AND pin_hash IS NOT NULL"
        " AND id IS NOT ?",
        (excluding,),
    ).fetchone()[0]


def pin_hash(conn: sqlite3.Connection, consultant_id: int) -> str | None:
    """The stored Argon2id hash (an encoded string), or None when no PIN was set."""
    row = conn.execute("SELECT pin_hash FROM consultants WHERE id = ?", (consultant_id,)).fetchone()
    if row is None:
        raise RecordNotFoundError(f"Consultant {consultant_id} does not exist.")
    return row[0]


def set_pin_hash(tx: Transaction, consultant_id: int, new_hash: str, action: str) -> None:
    """Store a new PIN hash and clear any lock; ``action`` says why (``consultant.pin_set``,
    ``consultant.pin_reset``, ``consultant.pin_change``)."""
    cursor = tx.execute(
        "UPDATE consultants SET pin_hash = ?, pin_changed_at = ?, failed_pin_count = 0,"
        " locked_until = NULL, last_pin_failure_at = NULL WHERE id = ?",
        (new_hash, tx.at, consultant_id),
    )
    if cursor.rowcount != 1:
        raise RecordNotFoundError(f"Consultant {consultant_id} does not exist.")
    tx.audit(action, "consultant", consultant_id)


def record_pin_failure(tx: Transaction, consultant_id: int, at: datetime,
                       lock_until: Callable[[int], datetime | None]) -> ConsultantAccount:
    """Count one wrong PIN (audited ``consultant.pin_failed``); lock until ``lock_until(count)``
    (the lockout policy's answer for that many wrong PINs in a row; None: no lock), also
    audited (``consultant.locked``). The count is read inside the write transaction, so two
    wrong PINs at once both count."""
    row = tx.execute("SELECT failed_pin_count FROM consultants WHERE id = ?", (consultant_id,)).fetchone()
    if row is None:
        raise RecordNotFoundError(f"Consultant {consultant_id} does not exist.")
    count = row[0] + 1
    until = lock_until(count)
    tx.execute(
        "UPDATE consultants SET failed_pin_count = ?, last_pin_failure_at = ?, locked_until = ? WHERE id = ?",
        (count, utc_iso(at), None if until is None else utc_iso(until), consultant_id),
    )
    tx.audit("consultant.pin_failed", "consultant", consultant_id)
    if until is not None:
        tx.audit("consultant.locked", "consultant", consultant_id)
    return get_account(tx.conn, consultant_id)


def record_pin_success(tx: Transaction, consultant_id: int, action: str, rehashed: str | None = None) -> None:
    """A right PIN: the counter and lock are cleared; ``action`` is audited (e.g.
    ``consultant.unlock``). ``rehashed`` replaces the hash when the hasher's
    parameters were raised since the PIN was set."""
    if rehashed is not None:
        tx.execute("UPDATE consultants SET pin_hash = ? WHERE id = ?", (rehashed, consultant_id))
    tx.execute(
        "UPDATE consultants SET failed_pin_count = 0, locked_until = NULL, last_pin_failure_at = NULL WHERE id = ?",
        (consultant_id,),
    )
    tx.audit(action, "consultant", consultant_id)


def set_active(tx: Transaction, consultant_id: int, active: bool) -> None:
    cursor = tx.execute("UPDATE consultants SET active = ? WHERE id = ?", (int(active), consultant_id))
    if cursor.rowcount != 1:
        raise RecordNotFoundError(f"Consultant {consultant_id} does not exist.")
    tx.audit("consultant.enable" if active else "consultant.disable", "consultant", consultant_id)


def shorten_lock(tx: Transaction, consultant_id: int, until: datetime) -> None:
    """Bring a lock that ends too far ahead (a clock that was wrong) back to ``until`` (audited)."""
    tx.execute("UPDATE consultants SET locked_until = ? WHERE id = ?", (utc_iso(until), consultant_id))
    tx.audit("consultant.lock_shortened", "consultant", consultant_id)


def latest_action(conn: sqlite3.Connection, consultant_id: int) -> str | None:
    """The action of the latest audit entry about this consultant."""
    row = conn.execute("SELECT action FROM audit_log WHERE entity = 'consultant' AND entity_id = ?"
                       " ORDER BY id DESC LIMIT 1", (str(consultant_id),)).fetchone()
    return None if row is None else row[0]
