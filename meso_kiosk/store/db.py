"""Opening the database safely, and the one way to write to it."""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from . import anchor, audit
from .errors import (DatabaseBusyError, DatabaseDamagedError, DatabaseReadOnlyError, RecordForgedError,
                     StorageFullError, StoreError)
from .migrations import SCHEMA_VERSION, apply_migrations, is_current
from .record_content import RECORDS, all_content_hashes
from .schema import check_schema

# "MESO" in ASCII: marks the file as ours, so a stranger's SQLite file is refused.
APPLICATION_ID = 0x4D45534F
BUSY_TIMEOUT_MS = 5000


def damaged(path: Path, detail: str) -> DatabaseDamagedError:
    return DatabaseDamagedError(
        f"The database {path} is damaged or is not a Meso Kiosk database ({detail}). "
        "It has not been changed. Restore it with 'meso-kiosk restore BACKUP', "
        "or move the file aside to start with an empty database."
    )


def storage_error(error: sqlite3.Error, what: str = "The change was not saved") -> StoreError | None:
    """The fault behind an SQLite error in words for the kiosk, or None when it is not one.

    A full disk, a read-only file, a failing disk or a database held by another
    program are faults of the machine, not of the program: they get a message and the
    transaction is rolled back, so nothing is half-written.
    """
    text = str(error).lower()
    if "is full" in text:  # "database or disk is full"
        return StorageFullError(f"{what}: the disk is full. Free some space, then try again.")
    if "readonly" in text.replace(" ", "") or "read-only" in text:
        return DatabaseReadOnlyError(f"{what}: the database cannot be written to (read-only). "
                                     "Check the data folder's permissions.")
    if "locked" in text or "busy" in text:
        return DatabaseBusyError(f"{what}: the database is busy (in use by another program). Try again in a moment.")
    if "disk i/o" in text or "i/o error" in text:
        return StoreError(f"{what}: the disk reported an error. Check the disk, then try again.")
    return None


def check_file(conn: sqlite3.Connection, path: Path, *, quick_check: bool = True) -> None:
    """Read-only checks before anything is written to an existing file."""
    try:
        result = [row[0] for row in conn.execute("PRAGMA quick_check")] if quick_check else ["ok"]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    except sqlite3.DatabaseError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise DatabaseBusyError(
                f"The database {path} is busy: in use by another program. Close it and try again."
            ) from error
        raise damaged(path, str(error)) from error
    if result != ["ok"]:
        raise damaged(path, "; ".join(result[:3]))
    if tables and app_id != APPLICATION_ID:
        raise damaged(path, "it belongs to another program")


class IntegrityCheck:
    """``PRAGMA quick_check`` of an existing database on its own query-only connection in a
    thread, while the app starts (seconds on a 100k-patient file; SQLite lets the other
    thread run meanwhile). ``Store.write`` waits for it: nothing is written before it passed."""

    def __init__(self, path: Path):
        self._path = path
        self._error: BaseException | None = None
        self._conn: sqlite3.Connection | None = None
        self._thread = threading.Thread(target=self._run, name="meso-quick-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:  # the window's start comes first where CPUs are few (Linux: a thread has its own nice)
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except (AttributeError, OSError):
            pass
        try:
            conn = self._conn = sqlite3.connect(str(self._path), timeout=BUSY_TIMEOUT_MS / 1000,
                                                check_same_thread=False)
            try:
                conn.execute("PRAGMA query_only = ON")
                check_file(conn, self._path)
            finally:
                conn.close()
        except BaseException as error:  # noqa: BLE001 — handed to whoever waits
            self._error = error if isinstance(error, StoreError) else damaged(self._path, str(error))

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def wait_quietly(self) -> None:
        """Stop it (the store is closing) and wait for its connection to close."""
        if self._conn is not None and not self.done:
            try:
                self._conn.interrupt()
            except sqlite3.ProgrammingError:
                pass  # closed meanwhile
        self._thread.join()

    def wait(self) -> None:
        """Block until checked; raises ``DatabaseDamagedError`` (every time) if the file failed."""
        self._thread.join()
        if self._error is not None:
            raise self._error


class WalCheckpointer:
    """SQLite's WAL checkpoint (copying committed pages back into the database file, with its
    fsync) on a connection of its own in a thread, a moment after the writes, instead of
    inside the commit that happens to pass 1000 pages: on the 100,000-patient file that
    commit took ~230 ms on the UI thread (issue 26's walk, 'close the session: ask').
    PASSIVE: it never holds a writer or a reader back; the last connection's close still
    checkpoints as before."""

    DELAY_S = 1.0  # after a write: the writes of one action go back together

    def __init__(self, path: Path):
        self._path = path
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="meso-wal-checkpoint", daemon=True)
        self._thread.start()

    def nudge(self) -> None:
        """A write was committed: checkpoint it soon."""
        self._wake.set()

    def _run(self) -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except (AttributeError, OSError):
            pass
        try:
            conn = sqlite3.connect(str(self._path), timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error:
            return  # the commits' own connection checkpoints at its close
        try:
            while True:
                self._wake.wait()
                if self._stopping.wait(self.DELAY_S):  # (closing: no wait, the close checkpoints)
                    return
                self._wake.clear()
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    pass  # busy or gone: the next write tries again, the close checkpoints anyway
        finally:
            conn.close()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join()


def connect(path: Path) -> sqlite3.Connection:
    """Open ``path`` with the pragmas the kiosk relies on, migrating it if needed."""
    return _connect(path, check_in_background=False)[0]


def _connect(path: Path, *, check_in_background: bool) -> tuple[sqlite3.Connection, IntegrityCheck | None]:
    # ``check_in_background``: a file already in WAL mode at the current schema version needs
    # no write to open, so its quick_check may run beside the start (``IntegrityCheck``).
    existed = path.exists() and path.stat().st_size > 0
    pending: IntegrityCheck | None = None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as error:
        raise StoreError(f"Cannot open the database {path}: {error}.") from error
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if existed:
            later = check_in_background and _opens_without_writing(conn)
            check_file(conn, path, quick_check=not later)
            if later:
                pending = IntegrityCheck(path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            # Marked ours before the first table is committed: a power cut between two migration
            # steps of a first start must leave a file the next start recognises and finishes, not
            # one "of another program" (the crash harness's power cuts found it).
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            apply_migrations(conn)
        check_schema(conn, path)
    except sqlite3.OperationalError as error:
        conn.close()
        if "locked" in str(error) or "busy" in str(error):
            raise DatabaseBusyError(
                f"The database {path} is busy: in use by another program. Close it and try again."
            ) from error
        if "readonly" in str(error).replace(" ", "").lower():
            raise DatabaseReadOnlyError(
                f"The database {path} is read-only. Check the folder's permissions.") from error
        raise storage_error(error, f"Cannot open the database {path}") or StoreError(
            f"Cannot open the database {path}: {error}.") from error
    except BaseException:
        conn.close()
        raise
    return conn, pending


def connect_read_only(database: Path) -> sqlite3.Connection:
    """A connection that writes nothing, not even the WAL index: plain read-only first; where the
    folder itself cannot be written (SQLite cannot make the -shm file beside a WAL database),
    as an immutable file, which nothing else can be writing then."""
    try:
        conn = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as error:
        if "unable to open" not in str(error) and "readonly" not in str(error).replace(" ", "").lower():
            raise
    wal = database.with_name(database.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        # Committed changes still in the WAL (the writer was stopped): read a copy of both where the
        # WAL index can be made, rather than an immutable file that would miss them.
        copy = Path(tempfile.mkdtemp(prefix="meso-read-only-"))
        atexit.register(shutil.rmtree, copy, True)
        shutil.copy2(database, copy / database.name)
        shutil.copy2(wal, copy / wal.name)
        return sqlite3.connect(f"{(copy / database.name).as_uri()}?mode=ro", uri=True)
    return sqlite3.connect(f"{database.as_uri()}?immutable=1", uri=True)


def _holds_records(conn: sqlite3.Connection) -> bool:
    """Whether any audited record exists (each has an audit entry: none may exist without a log)."""
    tables = sorted({parts[0].table for parts in RECORDS.values()})
    return any(conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0] for table in tables)


def _write_baseline(conn: sqlite3.Connection, key: bytes, at: str, anchor_path: Path) -> None:
    """One ``audit.baseline`` entry for each record whose latest entry is from before content hashes
    (migration 0009), vouching for its content as it is now. Only those: a record whose latest
    entry already vouches for its content, or that has no entry at all (added behind the app's
    back), is left for ``audit.verify`` to judge, so a row slipped into audit_baseline_due
    blesses nothing."""
    legacy = audit.legacy_records(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        head = anchor.current_head(conn)
        for entity in RECORDS:
            for record, content in all_content_hashes(conn, entity).items():
                if (entity, record) in legacy:
                    head = audit.append(conn, key, at=at, actor="migration", action="audit.baseline",
                                        entity=entity, entity_id=record, content=content)
        conn.execute("DELETE FROM audit_baseline_due")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    anchor.write_anchor(anchor_path, key, head)


def _check_anchor(conn: sqlite3.Connection, key: bytes, anchor_path: Path, *, adopt: bool = False) -> None:
    """``AuditAnchorError`` when the log disagrees with its anchor (``anchor.anchor_problem``).
    ``adopt``: where no anchor was ever written, anchor the log as it is now, so the anchor
    exists before the first write that could be cut off after its commit."""
    anchored = anchor.read_anchor(anchor_path, key)
    problem = anchor.anchor_problem(conn, anchored, anchor_path)
    if problem:
        raise anchor.AuditAnchorError(f"The audit log of {anchor_path.parent} fails its anchor: {problem}. "
                                      "Nothing was changed; restore the data folder from a backup (meso-kiosk restore).")
    if anchored is None and adopt:
        anchor.write_anchor(anchor_path, key, anchor.current_head(conn), only_forward=False)


def _opens_without_writing(conn: sqlite3.Connection) -> bool:
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal" and is_current(conn)
    except sqlite3.DatabaseError:
        return False  # the full check, now, says what is wrong


@dataclass
class Transaction:
    """An open write transaction; ``audit`` records what it changed."""

    conn: sqlite3.Connection
    actor: str
    at: str
    _key: bytes
    entries: list[tuple[str, str, object | None]] = field(default_factory=list)

    def audit(self, action: str, entity: str, entity_id: object | None) -> None:
        """Say what this transaction changed. The entry is appended just before the commit,
        when the record is written whole (a consent with its signatures), so that the
        content it vouches for is the record as committed."""
        self.entries.append((action, entity, entity_id))

    def append_entries(self, committed: sqlite3.Connection | None = None) -> audit.Head:
        """Append the entries; first, with ``committed`` (a connection that sees the database as
        last committed), refuse the change if a record it touches was changed behind the app's
        back: its new entry would otherwise vouch for the forged content too."""
        if committed is not None:
            touched = list(dict.fromkeys((entity, entity_id) for _, entity, entity_id in self.entries))
            forged = audit.unvouched_record(committed, touched, new_ones_allowed=True)
            if forged:
                raise RecordForgedError(f"The change was not saved: {forged}. Run 'meso-kiosk audit-verify', "
                                        "and restore the data from a backup.")
        head = None
        for action, entity, entity_id in self.entries:
            head = audit.append(self.conn, self._key, at=self.at, actor=self.actor, action=action,
                                entity=entity, entity_id=entity_id)
        return head

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)


class Store:
    """The database connection plus the audit key: every write goes through ``write``."""

    def __init__(self, conn: sqlite3.Connection, audit_key: bytes, now_iso: Callable[[], str], path: Path | None = None,
                 integrity: IntegrityCheck | None = None, anchor_path: Path | None = None):
        self.conn = conn
        self.path = path
        self._audit_key = audit_key
        self._now_iso = now_iso
        self.integrity = integrity  # a quick_check still running (``open(check_in_background=True)``)
        self.anchor_path = anchor_path  # audit.head; None: not anchored (a copy under test)
        self.read_only = False  # opened with ``open_read_only``: every write is refused
        self._reader: sqlite3.Connection | None = None  # see ``_committed``
        self._checkpoints: WalCheckpointer | None = None  # see ``_checkpoint_later``

    @classmethod
    def open(cls, database: Path, audit_key_path: Path, now_iso: Callable[[], str], *,
             check_in_background: bool = False) -> "Store":
        # The audit key is made only after the first schema is committed: an empty database
        # beside it is a damaged one (truncated by a failing disk), never a fresh install to fill.
        if audit_key_path.exists() and database.exists() and database.stat().st_size == 0:
            raise damaged(database, "the file is empty")
        conn, pending = _connect(database, check_in_background=check_in_background)
        anchor_path = audit_key_path.with_name(anchor.FILE_NAME)
        try:
            # An existing audit log needs its own key: a new one would break the chain.
            has_log = conn.execute("SELECT EXISTS (SELECT 1 FROM audit_log)").fetchone()[0]
            if not has_log and _holds_records(conn):
                raise damaged(database, "it holds records but its audit log is empty: the log was wiped")
            if pending is not None and not has_log:
                pending.wait()  # a new key is a file written: only beside a checked database
            key = audit.load_or_create_key(audit_key_path, create=not has_log)
            _check_anchor(conn, key, anchor_path, adopt=True)
            if conn.execute("SELECT EXISTS (SELECT 1 FROM audit_baseline_due)").fetchone()[0]:
                _write_baseline(conn, key, now_iso(), anchor_path)
            anchor.sweep_leftovers(anchor_path)
        except BaseException as error:
            conn.close()
            if pending is not None:
                if isinstance(error, sqlite3.DatabaseError):
                    pending.wait()  # a damaged file: the check's verdict says so better
                pending.wait_quietly()
            raise
        return cls(conn, key, now_iso, database, pending, anchor_path)

    @classmethod
    def open_read_only(cls, database: Path, audit_key_path: Path, now_iso: Callable[[], str]) -> "Store":
        """The database of a folder that cannot be written (a disk remounted read-only, a copy on a
        locked medium), to rescue what it holds: checked as any open is (file, schema, key, anchor),
        nothing migrated, made or written; every ``write`` is refused."""
        conn = connect_read_only(database)
        anchor_path = audit_key_path.with_name(anchor.FILE_NAME)
        try:
            check_file(conn, database)
            check_schema(conn, database)
            if not is_current(conn):
                raise DatabaseReadOnlyError(f"The database {database} is from an older version and must be updated, "
                                            "which a folder that cannot be written does not allow. Copy the folder "
                                            "somewhere writable first.")
            has_log = conn.execute("SELECT EXISTS (SELECT 1 FROM audit_log)").fetchone()[0]
            key = audit.load_or_create_key(audit_key_path, create=False) if has_log else b"\0" * 32
            _check_anchor(conn, key, anchor_path)
        except BaseException:
            conn.close()
            raise
        store = cls(conn, key, now_iso, database)
        store.read_only = True
        return store

    def wait_for_integrity(self) -> None:
        """Until the open-time quick_check has passed; ``DatabaseDamagedError`` if it failed."""
        if self.integrity is not None:
            self.integrity.wait()

    @contextmanager
    def write(self, actor: str) -> Iterator[Transaction]:
        """One transaction for one change, with its audit rows; all or nothing.

        BEGIN IMMEDIATE takes the write lock up front, so a second writer waits
        (busy timeout) instead of failing half-way.
        """
        if self.conn.in_transaction:
            raise RuntimeError("nested write transactions are not supported")
        if self.read_only:
            raise DatabaseReadOnlyError("The data folder cannot be written to (read-only): it was opened to "
                                        "read what it holds, and nothing can be saved.")
        self.wait_for_integrity()  # nothing is written to a file the open-time check refused
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise DatabaseBusyError(
                "The database is busy (another copy of Meso Kiosk may be saving). Try again in a moment."
            ) from error
        tx = Transaction(self.conn, actor, self._now_iso(), self._audit_key)
        try:
            yield tx
            if not tx.entries:
                raise RuntimeError("every change to the database must leave an audit entry")
            head = tx.append_entries(self._committed())
            self._checkpoint_later()
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as error:
            self._rollback()
            fault = storage_error(error)
            if fault is None:
                raise
            raise fault from error
        except BaseException:
            self._rollback()
            raise
        self._anchor(head)
        if self._checkpoints is not None:
            self._checkpoints.nudge()

    def _checkpoint_later(self) -> None:
        """From the first write on, this connection's commits no longer checkpoint the WAL
        themselves: a ``WalCheckpointer`` does it beside them (a file on disk only)."""
        if self._checkpoints is None and self.path is not None:
            self.conn.execute("PRAGMA wal_autocheckpoint = 0")
            self._checkpoints = WalCheckpointer(self.path)

    def _committed(self) -> sqlite3.Connection | None:
        """A second, read-only connection: it sees the last committed state while a write is open
        (WAL), which is what the records' latest entries vouch for."""
        if self.path is None or self.read_only:
            return None
        if self._reader is None:
            self._reader = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True,
                                           timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        return self._reader

    def _anchor(self, head: audit.Head) -> None:
        if self.anchor_path is None:
            return
        try:
            anchor.write_anchor(self.anchor_path, self._audit_key, head)
        except OSError:
            # The change is committed; an anchor left one write behind still holds the log to
            # everything before it, and the next write moves it on.
            pass

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # SQLite rolls back by itself when it cannot (e.g. after an I/O error)

    def verify_audit(self) -> audit.AuditReport:
        """The chain, every record's content, and the anchor (when this store keeps one)."""
        report = audit.verify(self.conn, self._audit_key)
        if not report.ok or self.anchor_path is None:
            return report
        try:
            _check_anchor(self.conn, self._audit_key, self.anchor_path)
        except anchor.AuditAnchorError as error:
            return audit.AuditReport(report.rows_checked, None, str(error), report.head_hash, anchor.FILE_NAME)
        return report

    def head(self) -> audit.Head:
        return anchor.current_head(self.conn)

    def close(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.stop()  # its connection closed before the last one checkpoints
        if self._reader is not None:
            self._reader.close()
        self.conn.close()
        if self.integrity is not None:
            self.integrity.wait_quietly()  # its connection closed too before the files are let go
