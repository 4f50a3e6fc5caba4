"""Every command-line argument fed anything: a clear one-line message and an exit code, never a crash.

In-process through ``main(argv)`` (fast, hypothesis-driven), and a few real processes
(bytes that are not UTF-8 arrive as surrogate escapes). The window itself is replaced
by a stub here: only the parsing and the headless commands are under test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import meso_kiosk.cli as cli_module
from meso_kiosk.cli import main
from tests.safety.hostile import hostile_text

SUBCOMMANDS = ["audit-verify", "backup", "restore", "auto-backup", "export-pdf", "verify"]
OPTIONS = ["--data-dir", "--out", "--patient", "--replace", "--keep", "--folder", "--on", "--off", "--run",
           "--kiosk", "--demo"]
# A clear message names what went wrong; these words mean an error slipped through unworded.
UNWORDED = ("unexpected error", "Traceback", "Errno")

ARG = st.one_of(
    hostile_text(max_size=60),
    st.sampled_from(OPTIONS + SUBCOMMANDS),
    st.integers(-10**30, 10**30).map(str),
    st.sampled_from(["1", "0", "-1", "99999999999999999999999", "1e309", "nan", "٣", "１", "0x10", " 1 ",
                     "x.pdf", "../../etc/passwd", "/proc/self/mem", ".", "", "-", "--",
                     "a" * 5000, "é" * 300, "😀" * 200, "'; DROP TABLE patients; --", "<b>&amp;</b>"]),
)


def _argv(data: st.DataObject, root: Path) -> list[str]:
    argv = [data.draw(st.sampled_from(SUBCOMMANDS), label="command")]
    argv += data.draw(st.lists(ARG, max_size=6), label="args")
    if data.draw(st.booleans(), label="with data dir"):
        argv += ["--data-dir", str(root)]
    return argv


@pytest.fixture
def installed(kiosk, sign_consent, register, tmp_path, monkeypatch):
    patient = register()
    sign_consent(patient.id)
    kiosk.close()
    monkeypatch.chdir(tmp_path)  # relative paths land in the test's own folder
    monkeypatch.setitem(cli_module.COMMANDS, None, lambda args: 0)  # no window in this test
    return kiosk.paths.root


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse: --help, --version and usage errors
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def _check(argv, code, out, err) -> None:
    assert code in (0, 1, 2, 130), (argv, code)
    if code:
        lines = err.strip().splitlines()
        assert len(lines) == 1, (argv, err)
        assert lines[0].startswith("meso-kiosk"), (argv, err)
        assert not any(word in err for word in UNWORDED), (argv, err)
        assert len(lines[0]) < 12_000, argv  # says what is wrong without pasting a whole input back


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_argv_gives_an_exit_code_and_at_most_one_clear_line(installed, capsys, data):
    argv = _argv(data, installed)
    code, out, err = _run(argv, capsys)
    _check(argv, code, out, err)


# Every command with a value of its own, "{}" where the value goes.
VALUE_COMMANDS = [
    ["export-pdf", "--patient", "1", "--out", "{}"],
    ["export-pdf", "--patient", "{}"],
    ["verify", "{}"],
    ["backup", "--out", "{}"],
    ["restore", "{}"],
    ["auto-backup", "--keep", "{}"],
    ["auto-backup", "--folder", "{}"],
]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=ARG, command=st.sampled_from(VALUE_COMMANDS))
def test_each_argument_fed_anything(installed, capsys, value, command):
    argv = [value if part == "{}" else part for part in command] + ["--data-dir", str(installed)]
    code, out, err = _run(argv, capsys)
    _check(argv, code, out, err)


@pytest.mark.parametrize("value", [
    "", "\x00", "a\x00b.pdf", "\ud800.pdf", "x" * 1_000_000, "😀" * 250_000, "é/" * 5000 + "x.pdf",
    "99999999999999999999999999", "-1", "1e9999", "'); DROP TABLE documents; --",
])
@pytest.mark.parametrize("command", [*VALUE_COMMANDS, ["audit-verify", "--data-dir", "{}"]])
def test_the_nastiest_values_in_every_argument(installed, capsys, value, command):
    argv = [value if part == "{}" else part for part in command]
    if "--data-dir" not in argv:
        argv += ["--data-dir", str(installed)]
    code, out, err = _run(argv, capsys)
    _check(argv, code, out, err)
    assert code != 0 or command[0] in ("auto-backup", "export-pdf", "backup")


def _process(*args: str | bytes, cwd: Path) -> subprocess.CompletedProcess:
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "meso_kiosk", *args], capture_output=True, env=env,
                          timeout=120, cwd=cwd)


@pytest.mark.parametrize("args", [
    [b"export-pdf", b"--patient", b"1", b"--out", b"\xff\xfe-not-utf8.pdf"],
    [b"verify", b"\xc3\x28.pdf"],
    [b"backup", b"--out", "résumé-😀.zip".encode()],
    [b"export-pdf", b"--patient", "١".encode()],
])
def test_real_processes_with_bytes_that_are_not_text(installed, args, tmp_path):
    result = _process(*args, b"--data-dir", bytes(installed), cwd=tmp_path)
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode in (0, 1, 2), err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 1, err
    if result.returncode:
        assert not any(word in err for word in UNWORDED), err
