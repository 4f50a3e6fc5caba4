import json
import os
import sqlite3
import threading
import time
import zipfile

import pytest

from meso_kiosk.services.backup import (BackupError, auto_backup_if_due, configure_auto_backup, create_backup,
                                        installation_id, restore_backup)
from meso_kiosk.services.demo.seed import seed_demo
from meso_kiosk.services.kiosk import open_kiosk
from meso_kiosk.store.instance_lock import InstanceLock, InstanceLockedError
from meso_kiosk.store.settings import put_setting
from tests.conftest import FIXED_NOW, cheap_seal


def test_round_trip_restores_everything_verified(kiosk, tmp_path):
    seed_demo(kiosk)
    (kiosk.paths.exports / "summary-1.pdf").write_bytes(b"%PDF-1.7 pretend")
    report = create_backup(kiosk, tmp_path / "out" / "backup.zip")
    assert report.patients == kiosk.patients.count() and report.audit_rows > 0
    names = zipfile.ZipFile(report.path).namelist()
    assert {"meso.db", "audit.key", "exports/summary-1.pdf", "meso-kiosk-backup.json"} <= set(names)

    message = restore_backup(report.path, tmp_path / "restored")
    assert "audit rows verified" in message
    # Back in WAL mode, as the store keeps it, with no -wal/-shm left beside it: the next start
    # checks it beside the first frame, as any start does, not in front of it.
    assert sorted(p.name for p in (tmp_path / "restored").glob("meso.db*")) == ["meso.db"]
    probe = sqlite3.connect(f"file:{tmp_path / 'restored' / 'meso.db'}?mode=ro", uri=True)
    assert probe.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    probe.close()
    started = open_kiosk(tmp_path / "restored", check_in_background=True, make_seal=cheap_seal)
    try:
        assert started.store.integrity is not None  # the open-time check runs beside the start
        started.store.wait_for_integrity()
    finally:
        started.close()
    restored = open_kiosk(tmp_path / "restored", make_seal=cheap_seal)
    try:
        assert [p.display_name for p in restored.patients.recent(100)] == [
            p.display_name for p in kiosk.patients.recent(100)]
        assert restored.store.verify_audit().ok
        assert (restored.paths.exports / "summary-1.pdf").read_bytes() == b"%PDF-1.7 pretend"
    finally:
        restored.close()


def test_backup_while_another_connection_writes(kiosk, tmp_path, register):
    seed_demo(kiosk)
    started, stop, written = threading.Event(), threading.Event(), []

    def keep_writing():  # a second copy of the store, as the running app would be
        writer = open_kiosk(kiosk.paths.root, make_seal=cheap_seal)
        try:
            while not stop.is_set() and len(written) < 300:
                writer.patients.register({"given_name": "Writer", "family_name": "Busy",
                                          "date_of_birth": "1990-01-01"}, "test")
                written.append(1)
                started.set()
        finally:
            writer.close()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    started.wait(10)
    try:
        report = create_backup(kiosk, tmp_path / "live.zip")
    finally:
        stop.set()
        thread.join()
    assert written and report.patients >= 22  # the demo plus what was committed before the snapshot
    restore_backup(report.path, tmp_path / "restored")  # and the snapshot verifies on its own


def test_restore_refuses_a_non_empty_folder_unless_replace(kiosk, tmp_path, register):
    register()
    backup = create_backup(kiosk, tmp_path / "b.zip").path
    root = kiosk.paths.root
    kiosk.close()
    with pytest.raises(BackupError, match="already holds data"):
        restore_backup(backup, root)
    message = restore_backup(backup, root, replace=True)  # the same data: nothing newer is lost
    kept = [p for p in root.parent.iterdir() if p.name.startswith(f"{root.name}.before-restore-")]
    assert len(kept) == 1 and str(kept[0]) in message
    assert (kept[0] / "meso.db").is_file()  # the previous data is never thrown away


def test_a_backup_of_another_installation_is_not_restored_over_this_one(kiosk, tmp_path, register):
    register()
    backup = create_backup(kiosk, tmp_path / "b.zip").path
    target = open_kiosk(tmp_path / "other", make_seal=cheap_seal)
    target.patients.register({"given_name": "Keep", "family_name": "Me", "date_of_birth": "1970-01-01"}, "t")
    target.close()
    with pytest.raises(BackupError, match="backup of another installation"):
        restore_backup(backup, tmp_path / "other", replace=True)
    reopened = open_kiosk(tmp_path / "other", make_seal=cheap_seal)
    try:
        assert [p.given_name for p in reopened.patients.recent()] == ["Keep"]
    finally:
        reopened.close()


def test_restore_refuses_while_the_app_runs_on_the_folder(kiosk, tmp_path, register):
    register()
    backup = create_backup(kiosk, tmp_path / "b.zip").path
    with InstanceLock(kiosk.paths.root):
        with pytest.raises(InstanceLockedError, match="already running"):
            restore_backup(backup, kiosk.paths.root, replace=True)


@pytest.mark.parametrize("damage", ["not-zip", "no-manifest", "bad-db", "bad-audit"])
def test_damaged_backups_are_refused_and_nothing_changes(kiosk, tmp_path, register, damage):
    register()
    good = create_backup(kiosk, tmp_path / "good.zip").path
    bad = tmp_path / "bad.zip"
    if damage == "not-zip":
        bad.write_bytes(b"PK\x03\x04 but not really")
    else:
        with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
            for name in source.namelist():
                data = source.read(name)
                if damage == "no-manifest" and name == "meso-kiosk-backup.json":
                    continue
                if damage == "bad-db" and name == "meso.db":
                    data = data[:4096] + b"\x00" * (len(data) - 4096)
                if damage == "bad-audit" and name == "meso.db":
                    path = tmp_path / "tamper.db"
                    path.write_bytes(data)
                    conn = sqlite3.connect(path)
                    conn.execute("DROP TRIGGER audit_log_no_update")
                    conn.execute("UPDATE audit_log SET actor = 'intruder'")
                    conn.commit()
                    conn.close()
                    data = path.read_bytes()
                target.writestr(name, data)
    with pytest.raises(BackupError):
        restore_backup(bad, tmp_path / "fresh")
    assert not (tmp_path / "fresh").exists()
    assert not [p for p in tmp_path.iterdir() if ".restore-" in p.name]


def test_backup_never_half_replaces_an_existing_file(kiosk, tmp_path, register, monkeypatch):
    register()
    out = tmp_path / "b.zip"
    out.write_bytes(b"previous backup")
    import meso_kiosk.services.backup as backup_module

    def broken_snapshot(conn, destination):
        destination.write_bytes(b"garbage")

    monkeypatch.setattr(backup_module, "snapshot", broken_snapshot)
    with pytest.raises(BackupError, match="damaged"):
        create_backup(kiosk, out, force=True)  # even asked to replace it
    assert out.read_bytes() == b"previous backup"


def test_automatic_backup_runs_once_a_day_and_keeps_the_newest(kiosk, register):
    register()
    with kiosk.store.write("test") as tx:
        put_setting(tx, "backup.keep", 2)
    assert auto_backup_if_due(kiosk) is not None
    assert auto_backup_if_due(kiosk) is None  # already done today
    folder = kiosk.paths.backups
    mine = f"auto-{installation_id(kiosk)}"
    for day in ("20261101", "20261102", "20261103"):
        (folder / f"{mine}-{day}-120000.zip").write_bytes(b"old")
    # A new day: one more backup, and only the newest two are kept.
    for path in folder.glob(f"{mine}-20261122-*.zip"):
        path.rename(folder / f"{mine}-20261121-090000.zip")
    assert auto_backup_if_due(kiosk) is not None
    assert len(list(folder.glob("auto-*.zip"))) == 2
    assert oct(next(folder.glob("auto-*.zip")).stat().st_mode & 0o777) == "0o600"


def test_two_kiosks_sharing_a_backup_folder_each_back_up_and_keep_their_own(kiosk, register, tmp_path):
    shared = tmp_path / "nas"
    other = open_kiosk(tmp_path / "second-kiosk", now=lambda: FIXED_NOW, make_seal=cheap_seal)
    try:
        for each in (kiosk, other):
            register() if each is kiosk else other.patients.register(
                {"given_name": "Zoë", "family_name": "Second", "date_of_birth": "1990-01-01"}, "t")
            configure_auto_backup(each, "test", keep=1, folder=str(shared))
        assert auto_backup_if_due(kiosk) is not None
        assert auto_backup_if_due(other) is not None  # the first kiosk's zip of today is not its own
        assert auto_backup_if_due(other) is None
        theirs = sorted(shared.glob(f"auto-{installation_id(kiosk)}-*.zip"))
        (shared / theirs[0].name.replace("20261122", "20261120")).write_bytes(b"older, first kiosk")
        for path in shared.glob(f"auto-{installation_id(other)}-*.zip"):
            path.rename(path.with_name(path.name.replace("20261122", "20261121")))
        assert auto_backup_if_due(other) is not None  # a new day for the second kiosk: keep=1 prunes its own
        assert len(list(shared.glob(f"auto-{installation_id(kiosk)}-*.zip"))) == 2  # the first's untouched
        assert len(list(shared.glob(f"auto-{installation_id(other)}-*.zip"))) == 1
        with zipfile.ZipFile(theirs[0]) as archive:
            assert json.loads(archive.read("meso-kiosk-backup.json"))["installation_id"] == installation_id(kiosk)
    finally:
        other.close()


def _work_folder(parent, name, *, hours_old):
    folder = parent / name
    folder.mkdir(parents=True)
    (folder / "meso.db").write_bytes(b"a copy of patient data")
    moment = time.time() - hours_old * 3600
    os.utime(folder, (moment, moment))
    return folder


def test_work_folders_a_power_cut_left_are_swept_by_the_next_backup_and_restore(kiosk, tmp_path, register):
    """A cut during a backup or restore leaves its work folder (a copy of the database); the
    next one removes those old enough to be nobody's, and never a running one's or a link's."""
    register()
    out = tmp_path / "backups"
    stale = _work_folder(out, ".meso-backup-abc123", hours_old=30)
    running = _work_folder(out, ".meso-backup-def456", hours_old=0)
    (out / ".meso-backup-link").symlink_to(running, target_is_directory=True)
    archive = out / "one.zip"
    create_backup(kiosk, archive)
    assert not stale.exists() and running.exists() and (out / ".meso-backup-link").is_symlink()
    assert sorted(p.name for p in out.iterdir()) == [".meso-backup-def456", ".meso-backup-link", "one.zip"]

    target = tmp_path / "restored"
    left = _work_folder(tmp_path, ".restored.restore-x1y2", hours_old=13)
    other = _work_folder(tmp_path, ".elsewhere.restore-x1y2", hours_old=13)  # another folder's
    restore_backup(archive, target)
    assert not left.exists() and other.exists()
    assert not any(p.name.startswith(".restored.restore-") for p in tmp_path.iterdir())
