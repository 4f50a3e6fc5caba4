import os
import subprocess
import sys

from meso_kiosk.cli import main
from meso_kiosk.services.demo.seed import seed_demo
from meso_kiosk.services.kiosk import open_kiosk
from meso_kiosk.store.instance_lock import InstanceLock
from tests.conftest import cheap_seal


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


def test_backup_then_restore_from_the_command_line(tmp_path, capsys):
    kiosk = open_kiosk(tmp_path / "data", make_seal=cheap_seal)
    seed_demo(kiosk)
    kiosk.close()
    assert main(["backup", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "b.zip")]) == 0
    assert one_line(capsys.readouterr().out).startswith("backup written and verified:")
    assert main(["restore", str(tmp_path / "b.zip"), "--data-dir", str(tmp_path / "new")]) == 0
    assert "restored" in one_line(capsys.readouterr().out)
    assert main(["audit-verify", "--data-dir", str(tmp_path / "new")]) == 0


def test_restore_over_data_needs_replace(tmp_path, capsys):
    kiosk = open_kiosk(tmp_path / "data", make_seal=cheap_seal)
    seed_demo(kiosk)
    kiosk.close()
    main(["backup", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "b.zip")])
    capsys.readouterr()
    assert main(["restore", str(tmp_path / "b.zip"), "--data-dir", str(tmp_path / "data")]) == 1
    assert "--replace" in one_line(capsys.readouterr().err)


def test_backup_and_restore_failures_are_one_line(tmp_path, capsys):
    assert main(["restore", str(tmp_path / "missing.zip"), "--data-dir", str(tmp_path / "x")]) == 1
    assert "no backup file" in one_line(capsys.readouterr().err)
    (tmp_path / "junk.zip").write_bytes(b"junk")
    assert main(["restore", str(tmp_path / "junk.zip"), "--data-dir", str(tmp_path / "x")]) == 1
    assert "not a backup" in one_line(capsys.readouterr().err)
    assert main(["backup", "--data-dir", str(tmp_path / "none"), "--out", str(tmp_path / "o.zip")]) == 1
    one_line(capsys.readouterr().err)


def test_a_second_window_on_the_same_folder_refuses_politely(tmp_path):
    kiosk = open_kiosk(tmp_path / "data", make_seal=cheap_seal)
    kiosk.close()
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "MESO_KIOSK_EXIT_AFTER_FIRST_PAINT": "1"}
    with InstanceLock(tmp_path / "data"):  # as the first, running copy holds it
        result = subprocess.run([sys.executable, "-m", "meso_kiosk", "--data-dir", str(tmp_path / "data")],
                                capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert "already running" in one_line(result.stderr)


# ---------------------------------------------------------------- faults a clinic meets, in words


def _seeded(tmp_path):
    kiosk = open_kiosk(tmp_path / "data", make_seal=cheap_seal)
    seed_demo(kiosk)
    kiosk.close()
    return tmp_path / "data"


def test_a_backup_onto_a_full_disk_or_a_read_only_folder_is_one_line_and_leaves_nothing(
        tmp_path, capsys, monkeypatch):
    import errno
    import sqlite3
    import zipfile

    import meso_kiosk.services.backup as backup_module

    data = _seeded(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    faults = {
        "the disk is full": lambda *a, **k: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device")),
        "cannot be written to": lambda *a, **k: (_ for _ in ()).throw(OSError(errno.EROFS, "Read-only file system")),
    }
    for words, fault in faults.items():
        with monkeypatch.context() as patched:
            patched.setattr(zipfile.ZipFile, "write", fault)  # fails half-way through the zip
            assert main(["backup", "--data-dir", str(data), "--out", str(out / "b.zip")]) == 1
        err = one_line(capsys.readouterr().err)
        assert words in err and "Nothing was changed" in err and "Errno" not in err, err
        assert list(out.iterdir()) == []  # no partial zip, no temp folder
    with monkeypatch.context() as patched:  # the snapshot itself hits the full disk (an SQLite error)
        patched.setattr(backup_module, "snapshot", lambda *a: (_ for _ in ()).throw(
            sqlite3.OperationalError("database or disk is full")))
        assert main(["backup", "--data-dir", str(data), "--out", str(out / "b.zip")]) == 1
    err = one_line(capsys.readouterr().err)
    assert "the disk is full" in err and "unexpected" not in err, err
    assert list(out.iterdir()) == []


def test_a_restore_onto_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    import errno
    import zipfile

    data = _seeded(tmp_path)
    assert main(["backup", "--data-dir", str(data), "--out", str(tmp_path / "b.zip")]) == 0
    capsys.readouterr()
    target = tmp_path / "restored-here"
    target.mkdir()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "extract", full)
    assert main(["restore", str(tmp_path / "b.zip"), "--data-dir", str(target / "data")]) == 1
    err = one_line(capsys.readouterr().err)
    assert "the disk is full" in err and "Nothing was changed" in err, err
    assert list(target.iterdir()) == []  # the staging folder went too


def test_restoring_a_damaged_or_foreign_archive_is_one_line_and_restores_nothing(tmp_path, capsys):
    import zipfile

    data = _seeded(tmp_path)
    good = tmp_path / "good.zip"
    assert main(["backup", "--data-dir", str(data), "--out", str(good)]) == 0
    capsys.readouterr()
    source = zipfile.ZipFile(good)

    def variant(name, change):
        path = tmp_path / f"{name}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in source.namelist():
                archive.writestr(member, change(member, source.read(member)))
        return path

    raw = bytearray(good.read_bytes())
    start = raw.find(b"meso.db") + 200
    raw[start:start + 400] = bytes(400)  # noise inside the compressed database
    (tmp_path / "noise.zip").write_bytes(bytes(raw))
    cases = {
        variant("manifest", lambda m, b: b"{not json" if m == "meso-kiosk-backup.json" else b): "not a backup",
        variant("list", lambda m, b: b"[1, 2]" if m == "meso-kiosk-backup.json" else b): "not a backup",
        variant("key", lambda m, b: b"zz" if m == "audit.key" else b): "audit key",
        variant("db", lambda m, b: b"junk" * 100 if m == "meso.db" else b): "damaged",
        tmp_path / "noise.zip": "damaged",
    }
    for archive, words in cases.items():
        target = tmp_path / f"into-{archive.stem}"
        assert main(["restore", str(archive), "--data-dir", str(target)]) == 1, archive
        err = one_line(capsys.readouterr().err)
        assert words in err and "unexpected" not in err, err
        assert not target.exists()
        assert not [p for p in tmp_path.iterdir() if ".restore-" in p.name]


def test_a_data_dir_that_is_a_file_or_an_unknown_home_is_one_line(tmp_path, capsys):
    data = _seeded(tmp_path)
    assert main(["backup", "--data-dir", str(data), "--out", str(tmp_path / "b.zip")]) == 0
    capsys.readouterr()
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    for args in (["audit-verify"], ["export-pdf", "--patient", "1"], ["backup", "--out", str(tmp_path / "x.zip")],
                 ["restore", str(tmp_path / "b.zip")]):
        assert main([*args, "--data-dir", str(a_file)]) == 1
        assert "is a file, not a data folder" in one_line(capsys.readouterr().err)
    assert a_file.read_text() == "not a folder"
    for args in (["backup", "--out", "~no-such-user-here/b.zip", "--data-dir", str(data)],
                 ["audit-verify", "--data-dir", "~no-such-user-here"]):
        try:
            code = main(args)
        except SystemExit as exit_:  # a usage error, from argparse
            code = exit_.code
        assert code == 2
        assert "no home folder" in one_line(capsys.readouterr().err)
