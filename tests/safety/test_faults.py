"""Faults of the machine, not of the program: each ends in a clear message and changes no data.

A read-only data folder, a full disk (at the file, the database and the audit key),
a database held by another process, a corrupt database, a missing or damaged seal
key, a missing resource file, and a second copy of the app on the same folder.
CLI: one line on stderr, a non-zero exit, no traceback. GUI: ``run_gui`` shows the
message through its ``show_error`` dialog (injected here, so no modal is left open).
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

import meso_kiosk.resources as resources_module
import meso_kiosk.services.files as files_module
import meso_kiosk.store.audit as audit_module
import meso_kiosk.store.db as db_module
from meso_kiosk.services.export import ExportError
from meso_kiosk.store.errors import DatabaseBusyError, DatabaseReadOnlyError, StorageFullError
from meso_kiosk.store.instance_lock import InstanceLock
from tests.safety.conftest import fingerprint, reopen

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------------------- helpers


class _DiskFull:
    """Stands in for the ``os`` module of one module: every fsync reports a full disk."""

    def __getattr__(self, name):
        return getattr(os, name)

    @staticmethod
    def fsync(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def dialogs():
    """The GUI's error dialog, recorded instead of shown: a list of (title, message)."""
    shown: list[tuple[str, str]] = []
    return shown


@pytest.fixture
def gui(qapp, dialogs, monkeypatch):
    """``run_gui`` as ``main`` would call it, quitting after the first frame."""
    from meso_kiosk.ui.startup import run_gui
    from meso_kiosk.ui.startup.launch import EXIT_AFTER_FIRST_PAINT_ENV

    monkeypatch.setenv(EXIT_AFTER_FIRST_PAINT_ENV, "1")

    def _run(data_dir: Path) -> int:
        try:
            return run_gui(data_dir, show_error=lambda title, message: dialogs.append((title, message)))
        finally:
            # run_gui is a process's only event loop in real use. Here, once its loop has run,
            # Qt's "quit now" flag can stay set and end every later test's event loop at once
            # (waits return immediately); one empty turn of the application's loop clears it.
            QTimer.singleShot(0, qapp.quit)
            qapp.exec()

    return _run


def _deny_writes(root: Path, monkeypatch) -> None:
    """Make ``root`` read-only as a non-root user would see it (root ignores permission bits)."""
    for path in [root, *root.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    if os.geteuid() == 0:
        real_access = os.access

        def access(path, mode, *args, **kwargs):
            if mode & os.W_OK and Path(path).resolve().is_relative_to(root.resolve()):
                return False
            return real_access(path, mode, *args, **kwargs)

        monkeypatch.setattr(os, "access", access)


def _restore_writes(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(0o700 if path.is_dir() else 0o600)


def _database_read_only(root: Path, monkeypatch) -> None:
    """SQLite opens meso.db read-only (as for a file owned by someone else), even for root."""
    real_connect = sqlite3.connect
    target = str(root / "meso.db")

    def connect(database, *args, **kwargs):
        if str(database) == target:
            return real_connect(f"file:{database}?mode=ro", *args, uri=True, **kwargs)
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(db_module.sqlite3, "connect", connect)


def _documents(root: Path) -> int:
    conn = sqlite3.connect(root / "meso.db")
    try:
        return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        conn.close()


def _no_temp_files(root: Path) -> None:
    assert not [p for p in root.rglob("*") if p.name.endswith(".tmp")]


# ------------------------------------------------------------------------------- read-only


def test_a_read_only_data_folder_is_one_line_and_nothing_changes(installation, cli, monkeypatch):
    root, patient_id = installation
    before = fingerprint(root)
    _deny_writes(root, monkeypatch)
    try:
        code, _, err = cli("export-pdf", "--patient", patient_id, "--data-dir", root)
        assert code == 1 and "read-only" in err
        code, _, err = cli("auto-backup", "--keep", "3", "--data-dir", root)
        assert code == 1 and "read-only" in err
    finally:
        _restore_writes(root)
    assert fingerprint(root) == before


def test_a_read_only_data_folder_stops_the_gui_with_a_dialog(installation, gui, dialogs, monkeypatch):
    root, _ = installation
    before = fingerprint(root)
    _deny_writes(root, monkeypatch)
    try:
        assert gui(root) == 1
    finally:
        _restore_writes(root)
    [(title, message)] = dialogs
    assert title == "Meso Kiosk cannot start" and "read-only" in message
    assert fingerprint(root) == before


def test_a_read_only_database_refuses_each_change_with_a_message(installation, cli, monkeypatch):
    root, patient_id = installation
    before = fingerprint(root)
    _database_read_only(root, monkeypatch)
    kiosk = reopen(root)
    try:
        with pytest.raises(DatabaseReadOnlyError, match="read-only"):
            kiosk.patients.register({"given_name": "New", "family_name": "Person",
                                     "date_of_birth": "1990-01-01"}, "test")
        with pytest.raises(DatabaseReadOnlyError):
            kiosk.intake.save_answer(patient_id, "medical.medications", "Changed", "test")
    finally:
        kiosk.close()
    code, _, err = cli("export-pdf", "--patient", patient_id, "--data-dir", root)
    assert code == 1 and "read-only" in err
    _no_temp_files(root)
    assert fingerprint(root) == before  # the refused export took its PDF away again


# ------------------------------------------------------------------------------- full disk


def test_a_full_disk_at_the_pdf_write_exports_nothing(installation, cli, monkeypatch):
    root, patient_id = installation
    before = fingerprint(root)
    monkeypatch.setattr(files_module, "os", _DiskFull())
    code, _, err = cli("export-pdf", "--patient", patient_id, "--data-dir", root)
    assert code == 1 and "disk is full" in err
    _no_temp_files(root)
    assert fingerprint(root) == before
    assert _documents(root) == 1


def test_a_full_disk_while_the_seal_is_first_stored_does_not_block_exports_for_good(kiosk, register_consented):
    """Defect found: the certificate used to be trusted before the key was written, so a
    full disk (or a crash) in between left a "history without key" and every later export
    was refused although nothing had ever been sealed."""
    patient = register_consented()
    real_write = files_module.write_atomically
    calls = []

    def full_after_first(target, data, **kwargs):
        calls.append(target.name)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        return real_write(target, data, **kwargs)

    import meso_kiosk.services.seal as seal_module

    seal_module.write_atomically, original = full_after_first, seal_module.write_atomically
    try:
        with pytest.raises(ExportError, match="disk is full"):
            kiosk.export.export_pdf(patient.id, "test")
    finally:
        seal_module.write_atomically = original
    assert not list(kiosk.paths.exports.glob("*.pdf"))
    exported = kiosk.export.export_pdf(patient.id, "test")  # space freed: the export works
    assert kiosk.export.verify(exported.path).ok


def test_a_seal_key_written_without_its_certificate_is_completed_on_the_next_export(kiosk, register_consented):
    patient = register_consented()
    first = kiosk.export.export_pdf(patient.id, "test")
    seal = kiosk.export.seal
    for pem in seal.trusted_folder.glob("*.pem"):  # as if killed right after the key was written
        pem.unlink()
    seal.certificate_file.unlink()
    kiosk.export.seal._sealer = None
    second = kiosk.export.export_pdf(patient.id, "test")
    assert kiosk.export.verify(second.path).ok and kiosk.export.verify(first.path).ok


def test_a_full_database_rolls_back_and_says_so(installation, monkeypatch):
    root, patient_id = installation
    kiosk = reopen(root)
    try:
        conn = kiosk.store.conn
        audit_rows = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")  # the database may not grow: a full disk
        saved = "Minoxidil 5 %"
        with pytest.raises(StorageFullError, match="disk is full"):
            for number in range(200):  # long answers and new patients until the database is full
                kiosk.patients.register({"given_name": "Fill", "family_name": "Up", "date_of_birth": "1990-01-01"},
                                        "test")
                audit_rows += 1
                value = f"{number} " + "x" * 3990
                kiosk.intake.save_answer(patient_id, "medical.medications", value, "test")
                audit_rows, saved = audit_rows + 1, value
        assert not conn.in_transaction
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit_rows
        assert kiosk.intake.latest_intake(patient_id).medical.medications == saved
        conn.execute("PRAGMA max_page_count = 1073741823")  # space freed: saving works again
        kiosk.intake.save_answer(patient_id, "medical.medications", "y" * 3990, "test")
        assert kiosk.store.verify_audit().ok
    finally:
        kiosk.close()


def test_a_full_database_is_one_line_from_the_cli(installation, cli, monkeypatch):
    root, patient_id = installation
    real_execute = db_module.Transaction.execute

    def execute(tx, sql, params=()):  # SQLite's own answer when the disk fills at this insert
        if sql.startswith("INSERT INTO documents"):
            raise sqlite3.OperationalError("database or disk is full")
        return real_execute(tx, sql, params)

    monkeypatch.setattr(db_module.Transaction, "execute", execute)
    before = _documents(root)
    code, _, err = cli("export-pdf", "--patient", patient_id, "--data-dir", root)
    assert code == 1 and "disk is full" in err, err
    assert _documents(root) == before
    assert len(list((root / "exports").glob("*.pdf"))) == before  # the PDF went with the refused row
    _no_temp_files(root)


def test_a_full_disk_when_the_audit_key_is_created_stops_the_start_cleanly(tmp_path, gui, dialogs, monkeypatch):
    monkeypatch.setattr(audit_module, "os", _DiskFull())
    assert gui(tmp_path / "fresh") == 1
    [(_, message)] = dialogs
    assert "audit key" in message and "No space left" in message
    assert not (tmp_path / "fresh" / "audit.key").exists()
    _no_temp_files(tmp_path / "fresh")
    monkeypatch.undo()
    kiosk = reopen(tmp_path / "fresh")  # space freed: the next start makes the key
    try:
        assert (tmp_path / "fresh" / "audit.key").exists()
    finally:
        kiosk.close()


def test_a_missing_audit_key_is_never_silently_replaced(installation, cli, gui, dialogs):
    """Defect found: a lost audit.key was silently replaced by a new one, after which the
    chain could never verify again (and new rows were chained with the wrong key)."""
    root, patient_id = installation
    (root / "audit.key").unlink()
    before = fingerprint(root)
    code, _, err = cli("audit-verify", "--data-dir", root)
    assert code == 1 and "audit key" in err and "missing" in err
    assert gui(root) == 1 and "audit key" in dialogs[0][1]
    assert fingerprint(root) == before and not (root / "audit.key").exists()


# ------------------------------------------------------------------------------- locked


LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "exclusive-mode":
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
conn.execute("BEGIN EXCLUSIVE")
conn.execute("SELECT count(*) FROM patients").fetchone()
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


@pytest.fixture
def locked_by_another_process(installation):
    processes = []

    def _lock(mode: str = "transaction"):
        root, _ = installation
        process = subprocess.Popen([sys.executable, "-c", LOCKER, str(root / "meso.db"), mode],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        processes.append(process)
        assert process.stdout.readline().strip() == "locked"
        return process

    yield _lock
    for process in processes:
        process.stdin.close()
        process.wait(10)


def test_a_database_held_by_another_process_waits_then_says_so(installation, locked_by_another_process, cli,
                                                                monkeypatch):
    root, patient_id = installation
    locked_by_another_process()
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 300)
    before = fingerprint(root)
    kiosk = reopen(root)
    try:
        began = time.monotonic()
        with pytest.raises(DatabaseBusyError, match="busy|in use"):
            kiosk.patients.register({"given_name": "Wait", "family_name": "Ing", "date_of_birth": "1990-01-01"},
                                    "test")
        assert time.monotonic() - began >= 0.25  # it waited the busy timeout first
        assert kiosk.patients.count() == 1  # reading still works
    finally:
        kiosk.close()
    code, _, err = cli("export-pdf", "--patient", patient_id, "--data-dir", root)
    assert code == 1 and ("busy" in err or "in use" in err)
    _no_temp_files(root)
    assert fingerprint(root) == before


@pytest.mark.slow
def test_a_held_database_is_one_line_from_a_real_cli_process(installation, locked_by_another_process):
    root, _ = installation
    locked_by_another_process()
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "meso_kiosk", "auto-backup", "--keep", "2", "--data-dir", str(root)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert "busy" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_database_locked_exclusively_stops_the_gui_with_a_dialog(installation, locked_by_another_process, gui,
                                                                   dialogs, monkeypatch):
    root, _ = installation
    locked_by_another_process("exclusive-mode")
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 300)
    assert gui(root) == 1
    [(_, message)] = dialogs
    assert "in use by another program" in message


# ------------------------------------------------------------------------------- corrupt


def _corrupt(root: Path, how: str) -> None:
    database = root / "meso.db"
    data = bytearray(database.read_bytes())
    if how == "empty":  # truncated to nothing: must not be taken for a new, empty installation
        data = bytearray()
    elif how == "garbage":
        data = bytearray(b"not a database at all " * 500)
    elif how == "truncated":
        data = data[: len(data) // 3]
    elif how == "pages":  # the header is fine, pages in the middle are noise
        for offset in range(4096 * 2, min(len(data), 4096 * 6)):
            data[offset] = (offset * 7919) % 256
    elif how == "foreign":  # a healthy SQLite file of another program
        database.unlink()
        other = sqlite3.connect(database)
        other.execute("CREATE TABLE t (x)")
        other.commit()
        other.close()
        return
    database.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["garbage", "truncated", "pages", "foreign", "empty"])
def test_a_corrupt_database_is_refused_by_cli_and_gui_and_left_as_it_is(installation, cli, gui, dialogs, how):
    root, patient_id = installation
    _corrupt(root, how)
    before = fingerprint(root)
    for args in (["audit-verify"], ["export-pdf", "--patient", str(patient_id)], ["backup", "--out", str(root.parent / "b.zip")]):
        code, _, err = cli(*args, "--data-dir", root)
        assert code == 1 and ("damaged" in err or "not a Meso Kiosk database" in err), (args, err)
    assert gui(root) == 1
    [(title, message)] = dialogs
    assert "damaged" in message and "restore" in message
    assert fingerprint(root) == before
    assert not (root.parent / "b.zip").exists()


# ------------------------------------------------------------------------------- seal key


@pytest.mark.parametrize("damage", ["missing-key", "garbage-key", "missing-passphrase", "wrong-passphrase"])
def test_a_missing_or_damaged_seal_key_stops_the_export_and_makes_no_new_seal(installation, cli, damage):
    root, patient_id = installation
    seal = root / "seal"
    if damage == "missing-key":
        (seal / "seal.p12").unlink()
    elif damage == "garbage-key":
        (seal / "seal.p12").write_bytes(b"\x00garbage" * 100)
    elif damage == "missing-passphrase":
        (seal / "passphrase").unlink()
    else:
        (seal / "passphrase").write_text("0" * 64 + "\n")
    before = fingerprint(root)
    code, _, err = cli("export-pdf", "--patient", patient_id, "--data-dir", root)
    assert code == 1 and "seal" in err and ("backup" in err or "damaged" in err), err
    assert fingerprint(root) == before
    assert _documents(root) == 1
    # Verifying an earlier document still works: the certificate is kept apart from the key.
    [earlier] = (root / "exports").glob("*.pdf")
    code, out, err = cli("verify", earlier, "--data-dir", root)
    assert code == 0 and "trusted: yes" in out, err


# ------------------------------------------------------------------------------- resources


@pytest.fixture
def resources_without(tmp_path, monkeypatch):
    """A copy of resources/ with one file removed, used instead of the shipped one."""

    def _without(name: str) -> Path:
        copy = tmp_path / "resources-copy"
        if copy.exists():
            shutil.rmtree(copy)
        shutil.copytree(ROOT / "resources", copy)
        (copy / name).unlink()
        monkeypatch.setenv("MESO_KIOSK_RESOURCES", str(copy))
        resources_module.resources_root.cache_clear()
        return copy

    yield _without
    monkeypatch.delenv("MESO_KIOSK_RESOURCES", raising=False)
    resources_module.resources_root.cache_clear()


def _shipped_files() -> list[str]:
    return sorted(p.relative_to(ROOT / "resources").as_posix() for p in (ROOT / "resources").rglob("*")
                  if p.is_file() and p.name != "MANIFEST.txt")


@pytest.mark.parametrize("name", _shipped_files())
def test_a_missing_resource_file_never_ends_in_a_traceback_on_the_cli(installation, cli, resources_without, name):
    root, patient_id = installation
    resources_without(name)
    before = fingerprint(root)
    code, out, err = cli("export-pdf", "--patient", patient_id, "--data-dir", root)
    if code:
        assert name in err and "unexpected" not in err, err
        assert fingerprint(root) == before
    else:  # not needed by this command (demo data, icons, fonts with a system fallback)
        assert out.startswith("exported ")


@pytest.mark.parametrize("name", ["app.toml", "intake/options.toml", "screening/rules.toml", "languages.toml",
                                  "icons/app.svg", "scalp/zones.json", "side_effects.toml"])
def test_a_missing_resource_file_stops_the_gui_with_a_dialog_naming_it(installation, gui, dialogs,
                                                                       resources_without, name):
    root, _ = installation
    resources_without(name)
    before = fingerprint(root)
    code = gui(root)
    if code:
        assert dialogs and name in dialogs[0][1]
    else:
        assert not dialogs
    assert fingerprint(root) == before


# ------------------------------------------------------------------------------- two copies


def test_a_second_gui_on_the_same_folder_refuses_politely(installation, gui, dialogs):
    root, _ = installation
    with InstanceLock(root):  # the first copy, running
        assert gui(root) == 1
    [(title, message)] = dialogs
    assert "already running" in message
    assert gui(root) == 0  # once the first copy is gone, it starts


@pytest.mark.slow
def test_two_real_copies_the_second_refuses_and_the_first_keeps_working(installation, cli):
    root, _ = installation
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    first = subprocess.Popen([sys.executable, "-m", "meso_kiosk", "--data-dir", str(root)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        lock = root / "meso-kiosk.lock"
        while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
            assert first.poll() is None, first.stderr.read()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        second = subprocess.run([sys.executable, "-m", "meso_kiosk", "--data-dir", str(root)], env=env,
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 1 and "already running" in second.stderr
        assert "Traceback" not in second.stderr and len(second.stderr.strip().splitlines()) == 1
        code, _, err = cli("restore", root.parent / "none.zip", "--replace", "--data-dir", root)
        assert code == 1
        assert first.poll() is None  # the first copy is untouched
    finally:
        first.kill()
        first.wait(10)


# ------------------------------------------------------------------------------- errors while running


def test_an_error_in_a_click_handler_becomes_a_dialog_not_a_silent_traceback(installation, gui, dialogs):
    from PySide6.QtCore import QTimer

    root, _ = installation

    def handler():  # a slot hitting a full disk, as a page's save would
        raise StorageFullError("The change was not saved: the disk is full. Free some space, then try again.")

    QTimer.singleShot(0, handler)
    assert gui(root) == 0
    [(title, message)] = dialogs
    assert title == "Meso Kiosk: something went wrong" and "disk is full" in message
    assert sys.excepthook is not None and getattr(sys.excepthook, "__name__", "") != "hook"  # restored


def test_the_store_names_a_full_disk_and_rolls_back(tmp_path):
    kiosk = reopen(tmp_path / "d")
    try:
        with pytest.raises(StorageFullError):
            with kiosk.store.write("test") as tx:
                tx.audit("test.action", "thing", 1)
                raise sqlite3.OperationalError("database or disk is full")
        assert not kiosk.store.conn.in_transaction
        assert kiosk.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 0
        with pytest.raises(sqlite3.OperationalError, match="no such table"):  # a bug stays a bug
            with kiosk.store.write("test") as tx:
                tx.execute("SELECT * FROM no_such_table")
    finally:
        kiosk.close()



def test_half_written_exports_left_by_a_crash_are_swept_later(kiosk, register_consented):
    patient = register_consented()
    exports = kiosk.paths.exports
    exports.mkdir(exist_ok=True)
    stale, fresh = exports / ".summary-MK-1.pdf.abc123.tmp", exports / ".summary-MK-2.pdf.def456.tmp"
    stale.write_bytes(b"%PDF-1.7 half")
    fresh.write_bytes(b"%PDF-1.7 being written by another process")
    an_hour_ago = time.time() - 3700
    os.utime(stale, (an_hour_ago, an_hour_ago))
    kiosk.export.export_pdf(patient.id, "test")
    assert not stale.exists() and fresh.exists()
