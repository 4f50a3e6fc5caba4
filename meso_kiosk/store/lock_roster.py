"""Who can unlock the kiosk, read for a cold start's first frame.

The lock screen needs only the clinic's name and the consultants who can sign in. Read
straight from the database file, read-only, they let the window paint before the store
and the services are opened; opening them (migrations, the integrity check, the audit
key) follows the first frame. Anything out of the ordinary (no database yet, a schema
to bring up to date, no administrator who can unlock, a file that cannot be read) gives
``None``: the app then opens the store first, which says what is wrong, as it always did.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import NamedTuple

from ..domain.clinic_name import CLINIC_NAME_DEFAULT
from .consultant_accounts import ConsultantAccount, count_active_admins_with_pin, list_accounts
from .migrations import is_current

# Not worth waiting for: a write lock held by another program (a WAL database lets readers
# through) leaves the roster None, and the full open, which waits, says what holds it.
_BUSY_TIMEOUT_S = 0.2


# A NamedTuple, not a dataclass: built on the cold start's path to the first frame (see ui/startup).
class LockRoster(NamedTuple):
    clinic_name: str
    accounts: tuple[ConsultantAccount, ...]  # active, with a PIN, in the lock screen's order


def lock_accounts(conn: sqlite3.Connection) -> tuple[ConsultantAccount, ...]:
    """The accounts the lock screen offers: active ones with a PIN, by name."""
    return tuple(account for account in list_accounts(conn) if account.has_pin)


def lock_clinic_name(conn: sqlite3.Connection) -> str:
    """``settings.clinic_name``, its JSON value decoded by SQLite (``json_extract``): the first
    frame needs no other setting, and so does without Python's json. A malformed value raises
    sqlite3.Error, as ``clinic_name``'s raises ValueError."""
    row = conn.execute("SELECT json_extract(value, '$') FROM settings WHERE key = 'clinic.name'").fetchone()
    return CLINIC_NAME_DEFAULT if row is None else str(row[0])


def read_lock_roster(database: Path) -> LockRoster | None:
    """The lock screen's names from ``database``, or None (see the module's docstring).

    Nothing is written; a WAL database's readers share its ``-wal`` and ``-shm`` files,
    which this read may create (empty) as any reader does, and the store opens anyway.
    """
    if not database.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=_BUSY_TIMEOUT_S)
    except (sqlite3.Error, OSError, ValueError):
        return None
    try:
        if not is_current(conn) or count_active_admins_with_pin(conn) == 0:
            return None
        return LockRoster(lock_clinic_name(conn), lock_accounts(conn))
    except (sqlite3.Error, ValueError):  # damaged, not a database, or a value the full open will name
        return None
    finally:
        conn.close()
