"""The command line is a contract: one line on failure, a non-zero exit, never a traceback."""

import os
import subprocess
import sys

import pytest

from meso_kiosk.cli import main
from meso_kiosk.services.demo.seed import seed_demo
from meso_kiosk.services.kiosk import open_kiosk


def run(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"} | (env_extra or {})
    return subprocess.run([sys.executable, "-m", "meso_kiosk", *args], capture_output=True, text=True,
                          env=env, timeout=60)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def test_audit_verify_passes_on_a_healthy_database(tmp_path):
    kiosk = open_kiosk(tmp_path / "data")
    seed_demo(kiosk)
    kiosk.close()
    result = run("audit-verify", "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    assert one_line(result.stdout).startswith("audit log intact: ")


def test_audit_verify_names_the_first_broken_row(tmp_path, capsys):
    kiosk = open_kiosk(tmp_path / "data")
    seed_demo(kiosk)
    conn = kiosk.store.conn
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET actor = 'intruder' WHERE id = 7")
    conn.commit()
    kiosk.close()
    assert main(["audit-verify", "--data-dir", str(tmp_path / "data")]) == 1
    err = one_line(capsys.readouterr().err)
    assert "row 7" in err


def test_data_dir_is_also_read_from_the_environment(tmp_path, capsys, monkeypatch):
    kiosk = open_kiosk(tmp_path / "elsewhere")
    kiosk.close()
    monkeypatch.setenv("MESO_KIOSK_HOME", str(tmp_path / "elsewhere"))
    assert main(["audit-verify"]) == 0
    assert "0 rows" in capsys.readouterr().out


def test_a_folder_without_a_database_is_one_clear_line(tmp_path, capsys):
    assert main(["audit-verify", "--data-dir", str(tmp_path / "nothing")]) == 1
    assert "no Meso Kiosk database" in one_line(capsys.readouterr().err)
    assert not (tmp_path / "nothing").exists()


def test_a_corrupt_database_is_one_clear_line(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "meso.db").write_bytes(b"garbage" * 1000)
    result = run("audit-verify", "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 1
    assert "damaged" in one_line(result.stderr)
    assert (tmp_path / "data" / "meso.db").read_bytes() == b"garbage" * 1000


def test_the_gui_refuses_a_corrupt_database_with_one_line(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "meso.db").write_bytes(b"garbage" * 1000)
    result = run("--data-dir", str(tmp_path / "data"))
    assert result.returncode == 1
    assert "damaged" in one_line(result.stderr)


@pytest.mark.parametrize("args", [["--no-such-flag"], ["frobnicate"], ["audit-verify", "extra"], ["--data-dir"]])
def test_usage_errors_are_one_line_and_exit_2(args):
    result = run(*args)
    assert result.returncode == 2
    assert "try --help" in one_line(result.stderr)


def test_help_lists_the_contract():
    result = run("--help")
    assert result.returncode == 0
    for word in ("--data-dir", "--kiosk", "--demo", "audit-verify"):
        assert word in result.stdout


def test_hostile_data_dir_values_fail_cleanly(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for value in [str(blocker / "sub"), str(tmp_path / ("ü" * 300))]:
        assert main(["audit-verify", "--data-dir", value]) == 1
        one_line(capsys.readouterr().err)
    # A NUL can never be part of a path: refused as a usage error before anything is opened.
    with pytest.raises(SystemExit) as usage:
        main(["audit-verify", "--data-dir", "\x00bad"])
    assert usage.value.code == 2
    assert "NUL" in one_line(capsys.readouterr().err)



def test_a_reader_that_leaves_early_gets_no_complaint(tmp_path):
    """``meso-kiosk verify FILE | head -1``: the pipe closes before the last line; the command stops
    quietly with 141 (128 + SIGPIPE), as Unix tools do, not "meso-kiosk: Broken pipe"."""
    import subprocess
    import sys

    code = ("import sys; from meso_kiosk import cli\n"
            "def spill(args):\n"
            "    for n in range(200000): print('line', n)\n"
            "    return 0\n"
            "cli.COMMANDS['audit-verify'] = spill\n"
            "sys.exit(cli.main(['audit-verify']))\n")
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.readline()
    process.stdout.close()
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 141
    assert errors == b""
