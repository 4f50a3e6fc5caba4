import os
import subprocess
import sys

from meso_kiosk.cli import main
from meso_kiosk.services.demo import seed_demo
from meso_kiosk.services.kiosk import open_kiosk
from meso_kiosk.store.instance_lock import InstanceLock


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


def test_backup_then_restore_from_the_command_line(tmp_path, capsys):
    kiosk = open_kiosk(tmp_path / "data")
    seed_demo(kiosk)
    kiosk.close()
    assert main(["backup", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "b.zip")]) == 0
    assert one_line(capsys.readouterr().out).startswith("backup written and verified:")
    assert main(["restore", str(tmp_path / "b.zip"), "--data-dir", str(tmp_path / "new")]) == 0
    assert "restored" in one_line(capsys.readouterr().out)
    assert main(["audit-verify", "--data-dir", str(tmp_path / "new")]) == 0


def test_restore_over_data_needs_replace(tmp_path, capsys):
    kiosk = open_kiosk(tmp_path / "data")
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
    kiosk = open_kiosk(tmp_path / "data")
    kiosk.close()
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "MESO_KIOSK_EXIT_AFTER_FIRST_PAINT": "1"}
    with InstanceLock(tmp_path / "data"):  # as the first, running copy holds it
        result = subprocess.run([sys.executable, "-m", "meso_kiosk", "--data-dir", str(tmp_path / "data")],
                                capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert "already running" in one_line(result.stderr)
