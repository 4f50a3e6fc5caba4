"""The terminal shows only the app's own lines: no library warning, log record or Qt chatter.

Real processes where it matters (the filters are installed by ``main``, Qt's handler before
the QApplication exists), with a planted noisy library so the check does not depend on
which versions happen to be installed today.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from meso_kiosk.terminal import quiet_third_parties
from meso_kiosk.ui.startup.display_check import XCB_LIBRARIES, display_problem

ROOT = Path(__file__).resolve().parents[2]
# A library that warns and logs every way a real one does (at import and at call time).
NOISY_LIBRARY = '''
import logging, warnings
warnings.warn("noisy_lib is deprecated at import", DeprecationWarning, stacklevel=1)
def run():
    warnings.warn("a user warning from a library", UserWarning, stacklevel=1)
    warnings.warn("a future change", FutureWarning, stacklevel=1)
    logging.getLogger("noisy_lib").warning("chatter from a library's logger")
    logging.getLogger("noisy_lib").error("an error record nobody configured a handler for")
'''


def _environment(**changes: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONWARNINGS",)}
    env["QT_QPA_PLATFORM"] = "offscreen"
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _python(code: str, cwd: Path, **env: str | None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          cwd=cwd, env=_environment(**env), timeout=120)


@pytest.fixture
def noisy_library(tmp_path: Path) -> Path:
    (tmp_path / "noisy_lib.py").write_text(NOISY_LIBRARY, encoding="utf-8")
    return tmp_path


def _command_that_uses(library_dir: Path) -> str:
    """``meso-kiosk audit-verify`` whose command first runs the noisy library (in the real process)."""
    return f"""
        import sys
        sys.path.insert(0, {str(library_dir)!r})
        import meso_kiosk.cli as cli
        def noisy_command(args):
            import noisy_lib
            noisy_lib.run()
            print("the command's own line")
            return 0
        cli.COMMANDS["audit-verify"] = noisy_command
        sys.exit(cli.main(["audit-verify"]))
    """


def test_a_noisy_library_does_not_reach_the_terminal(noisy_library):
    result = _python(_command_that_uses(noisy_library), noisy_library)
    assert (result.returncode, result.stdout, result.stderr) == (0, "the command's own line\n", "")


def test_the_same_library_is_heard_without_the_filters(noisy_library):
    """The planted library really is noisy: run without ``main``'s filters, every line shows."""
    code = f"""
        import sys, warnings
        warnings.simplefilter("default")
        sys.path.insert(0, {str(noisy_library)!r})
        import noisy_lib
        noisy_lib.run()
    """
    err = _python(code, noisy_library).stderr
    for words in ("deprecated at import", "a user warning", "a future change", "chatter", "an error record"):
        assert words in err


def test_python_warning_options_are_honoured(noisy_library):
    """Whoever sets -W/PYTHONWARNINGS asked to see the warnings: ``main`` leaves them be."""
    result = _python(_command_that_uses(noisy_library), noisy_library, PYTHONWARNINGS="default")
    assert "a user warning from a library" in result.stderr and result.returncode == 0


@pytest.mark.parametrize("args", [["export-pdf", "--patient", "1"], ["audit-verify"], ["backup", "--out", "b.zip"]])
def test_real_commands_print_only_their_own_lines(installation, tmp_path, args):
    root, patient_id = installation
    args = [str(patient_id) if arg == "1" else arg for arg in args]
    result = subprocess.run([sys.executable, "-m", "meso_kiosk", *args, "--data-dir", str(root)],
                            capture_output=True, text=True, cwd=tmp_path, env=_environment(), timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert len(result.stdout.strip().splitlines()) == 1
    if args[0] == "export-pdf":  # pyHanko (and cryptography under it) were loaded and sealed the PDF
        exported = result.stdout.split()[1]
        verified = subprocess.run([sys.executable, "-m", "meso_kiosk", "verify", exported, "--data-dir", str(root)],
                                  capture_output=True, text=True, cwd=tmp_path, env=_environment(), timeout=300)
        assert verified.returncode == 0 and verified.stderr == "", verified.stderr


def test_the_projects_own_warnings_stay_errors_under_pytest():
    quiet_third_parties()
    with pytest.raises(UserWarning):
        warnings.warn_explicit("ours", UserWarning, "meso_kiosk/x.py", 1, module="meso_kiosk.x")
    with warnings.catch_warnings(record=True) as caught:
        warnings.warn_explicit("theirs", DeprecationWarning, "lib/x.py", 1, module="cryptography.utils")
        warnings.warn_explicit("lookalike", UserWarning, "x.py", 1, module="meso_kiosk_plugin")
    assert caught == []


def test_quieting_twice_adds_one_handler():
    quiet_third_parties()
    quiet_third_parties()
    assert sum(isinstance(h, logging.NullHandler) for h in logging.getLogger().handlers) == 1


QT_CHATTER = """
    import sys
    from meso_kiosk.ui.startup.qt_messages import quiet_qt_messages
    quiet_qt_messages()
    from PySide6.QtCore import qCritical, qWarning
    from PySide6.QtWidgets import QApplication, QWidget
    app = QApplication([])
    widget = QWidget()
    widget.show()
    widget.setMinimumSize(300, 300)  # the offscreen plugin: "does not support propagateSizeHints()"
    app.processEvents()
    qWarning("a platform note")
    qCritical("a real failure\\nover two lines")
    print("done")
"""


def test_qt_chatter_stays_off_the_terminal_but_critical_messages_show(tmp_path):
    result = _python(QT_CHATTER, tmp_path)
    assert result.stdout == "done\n"
    assert result.stderr == "meso-kiosk: Qt: a real failure over two lines\n"


def test_qt_messages_can_be_asked_for(tmp_path):
    err = _python(QT_CHATTER, tmp_path, MESO_KIOSK_QT_MESSAGES="1").stderr
    assert "propagateSizeHints" in err and "a platform note" in err


# --------------------------------------------------------------- a real screen's libraries

def test_a_missing_xcb_library_is_named_with_its_package():
    missing = {"libxcb-icccm.so.4", "libxcb-xinerama.so.0"}
    problem = display_problem({"DISPLAY": ":0"}, "linux", loads=lambda library: library not in missing)
    assert problem.startswith("Qt needs libxcb-icccm4, libxcb-xinerama0 to open a window")
    assert "apt-get install libxcb-icccm4 libxcb-xinerama0" in problem and "\n" not in problem


def test_every_library_of_readme_s_line_is_checked():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [line] = [line for line in readme.splitlines() if "apt-get install libxcb-cursor0" in line]
    assert line.strip("`.").split()[2:] == list(XCB_LIBRARIES.values())


@pytest.mark.parametrize("environ, platform", [
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux"),
    ({"QT_QPA_PLATFORM": "wayland;xcb", "WAYLAND_DISPLAY": "wayland-0"}, "linux"),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux"),
    ({}, "win32"),
    ({}, "darwin"),
])
def test_no_xcb_no_check(environ, platform):
    assert display_problem(environ, platform, loads=lambda library: False) is None


def test_all_there_and_a_display():
    assert display_problem({"DISPLAY": ":0"}, "linux", loads=lambda library: True) is None
    assert display_problem({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0"}, "linux", loads=lambda library: True) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11's xcb plugin is Linux's")
def test_no_display_ends_in_one_line_not_in_qt_s_abort(tmp_path):
    env = _environment(QT_QPA_PLATFORM=None, DISPLAY=None, WAYLAND_DISPLAY=None)
    result = subprocess.run([sys.executable, "-m", "meso_kiosk", "--data-dir", str(tmp_path / "data")],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    # .ci/run installs README's libraries, so what is left to say is that there is no display.
    assert line.startswith("meso-kiosk: There is no screen to open the window on (DISPLAY is not set)"), line
    assert not (tmp_path / "data" / "meso.db").exists()  # nothing was created for a window that cannot open
