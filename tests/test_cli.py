"""The command line is a contract: one line on failure, a non-zero exit, never a traceback."""

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meso_kiosk.cli import build_parser, main, parse_arguments
from meso_kiosk.services.demo import seed_demo
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


# ------------------------------------------------------------------ the window's quick parse

_WORDS = ["--kiosk", "--demo", "--data-dir", "--data-dir=", "--dat", "--kio", "-h", "--help", "--version", "backup",
          "--out", "verify", "self-test", "export-pdf", "--patient", "7", "x", "folder one", "~", "\x00", "-",
          "--", "--demo=1", "Robert'); DROP TABLE--", "🙂", "--data-dir=backup", "--data-dir=-x", "-5", "~/x",
          "--data-dir=~", "--data-dir=\x00", "\udcff", "--kiosk=", "--DEMO", "—kiosk"]


def _outcome(parse, argv, capsys):
    """What a parse gives: the namespace, or its exit code and what it printed."""
    try:
        return ("parsed", vars(parse(argv)))
    except SystemExit as leaving:
        out, err = capsys.readouterr()
        return ("exit", leaving.code, out, err)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=st.lists(st.sampled_from(_WORDS), max_size=5))
def test_the_quick_parse_of_a_window_start_reads_every_command_line_as_the_full_parser_does(argv, capsys):
    """``parse_arguments`` spares a plain window start the commands' parsers; for any command
    line, its result (or its usage message and exit code) is the full parser's."""
    expected = _outcome(lambda a: build_parser().parse_args(a), argv, capsys)
    assert _outcome(parse_arguments, argv, capsys) == expected


def test_a_plain_window_start_builds_no_parser(monkeypatch):
    monkeypatch.setattr("argparse.ArgumentParser.__init__", lambda *a, **k: pytest.fail("a parser was built"))
    args = parse_arguments(["--kiosk", "--data-dir", "/srv/kiosk"])
    assert (args.command, args.kiosk, args.demo, args.data_dir) == (None, True, False, "/srv/kiosk")
    args = parse_arguments(["--demo", "--data-dir=Clinique du Cuir 🌿"])
    assert (args.command, args.kiosk, args.demo, args.data_dir) == (None, False, True, "Clinique du Cuir 🌿")
    assert vars(parse_arguments([])) == {"command": None, "data_dir": None, "kiosk": False, "demo": False}
