"""Cold start: the first frame is the lock screen's face alone, importing only what it shows;
the store, the lock screen and the pages follow it (or come on first use)."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from PySide6.QtCore import QTimer

from meso_kiosk.store.lock_roster import lock_clinic_name
from meso_kiosk.store.settings import clinic_name
from meso_kiosk.ui import idle_lock, startup
from meso_kiosk.ui.app import build_main_window
from meso_kiosk.ui.startup.launch import EXIT_AFTER_FIRST_PAINT_ENV
from meso_kiosk.ui.theme import BODY_PX, apply_theme
from tests.ui.test_lock_screen import ADMIN_PIN, staff, unlock  # noqa: F401 (staff is a fixture)

# What a cold start must not have imported when its first frame paints. Slow libraries wait
# until they are used (after the pages are built too); the services, the composition root
# and the pages wait until after the first frame; so do the settings (and Python's json, which
# only they use): the first frame's clinic name is decoded by SQLite (store.lock_roster).
SLOW_LIBRARIES = ("reportlab", "pyhanko", "pyhanko_certvalidator", "cryptography", "sqlite_utils", "argon2",
                  "pypdf", "pypdfium2", "PIL", "lxml", "icalendar", "arabic_reshaper", "bidi",
                  "PySide6.QtMultimedia")
AFTER_THE_FIRST_FRAME = ("meso_kiosk.services.kiosk", "meso_kiosk.services.accounts", "meso_kiosk.services.backup",
                         "meso_kiosk.services.demo", "meso_kiosk.store.db", "meso_kiosk.reports", "meso_kiosk.ui.app",
                         "meso_kiosk.ui.navigator", "meso_kiosk.ui.pages", "meso_kiosk.ui.widgets",
                         "meso_kiosk.ui.sign_in", "meso_kiosk.ui.idle_lock", "meso_kiosk.store.settings", "json")

FIRST_FRAME_PROBE = r"""
import sys
from meso_kiosk.cli import main
from meso_kiosk.ui.startup import launch
from PySide6.QtCore import QEvent, QObject
import PySide6.QtCore

def loaded(names):
    return ",".join(name for name in names
                    if any(module == name or module.startswith(name + ".") for module in sys.modules)) or "-"

class Probe(QObject):
    done = False
    def eventFilter(self, obj, event):
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            with open("/proc/self/maps") as maps:  # Qt's SVG library and plugin, loaded or not
                svg = any(name in maps.read() for name in ("Qt6Svg", "libqsvg"))
            print("FIRST-FRAME", obj.opening is not None, "Qt" in vars(PySide6.QtCore), svg,
                  loaded(sys.argv[2].split(",")), flush=True)
        return False

start = launch.start_window
def start_and_probe(*args, **kwargs):
    window = start(*args, **kwargs)
    window._probe = Probe()
    window.installEventFilter(window._probe)
    return window
launch.start_window = start_and_probe
code = main(["--data-dir", sys.argv[1]])
print("PAGES-BUILT", loaded(sys.argv[3].split(",")), flush=True)
sys.exit(code)
"""


def test_the_first_frame_imports_only_what_it_shows(kiosk, staff):
    """``meso-kiosk`` in a real process, looked at when its first frame paints: the lock screen's
    face (built from names read straight from the database file), with none of the slow
    libraries, the services, the composition root or the pages imported, PySide's ``Qt``
    namespace not built (its enum classes) and Qt's SVG library not loaded (the header's
    icons are PNG copies). Once the pages are built, the slow libraries still wait."""
    root = kiosk.paths.root
    kiosk.close()
    forbidden = ",".join(SLOW_LIBRARIES + AFTER_THE_FIRST_FRAME)
    done = subprocess.run([sys.executable, "-c", FIRST_FRAME_PROBE, str(root), forbidden, ",".join(SLOW_LIBRARIES)],
                          capture_output=True, text=True, timeout=120,
                          env=os.environ | {"QT_QPA_PLATFORM": "offscreen", EXIT_AFTER_FIRST_PAINT_ENV: "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["FIRST-FRAME True False False -", "PAGES-BUILT -"]


def _locked_window(qtbot, qapp, kiosk):
    apply_theme(qapp)
    window = build_main_window(kiosk, defer_pages=True)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_the_first_frame_decodes_the_clinic_name_as_the_settings_do(ensure_ascii):
    """SQLite's json_extract (the first frame's) and Python's json (the settings') give the same
    name, the default when none is set, and both refuse a malformed value."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    assert lock_clinic_name(conn) == clinic_name(conn)
    for name in ["Clinique du Cuir Chevelu 🌿 عيادة\u200f", 'Dr "Q" \\ Partners\n\tLyon', "  ", "é" * 200]:
        conn.execute("INSERT OR REPLACE INTO settings VALUES ('clinic.name', ?)",
                     (json.dumps(name, ensure_ascii=ensure_ascii),))
        assert lock_clinic_name(conn) == clinic_name(conn) == name
    conn.execute("""UPDATE settings SET value = '"cut short' WHERE key = 'clinic.name'""")
    with pytest.raises(sqlite3.Error):
        lock_clinic_name(conn)
    with pytest.raises(ValueError):
        clinic_name(conn)


def test_the_first_frame_is_the_lock_screen_alone(qtbot, qapp, kiosk, staff):
    window = _locked_window(qtbot, qapp, kiosk)
    assert not window.pages_built and window.workspace is None and window.patients_page is None
    assert window.stack.currentWidget() is window.lock_page
    assert [tile.account.display_name for tile in window.lock_page.tiles] == ["Dr Amélie Laurent", "Sam Okafor"]

    window.ensure_pages()  # what the start does right after the first frame
    assert window.pages_built and set(window.workspace.pages) >= {"intake", "scalp_map", "course", "consent"}
    assert window.stack.currentWidget() is window.lock_page  # still locked
    assert not window.patients_page.admin_button.isVisible()

    unlock(qtbot, window, "Dr Amélie Laurent", ADMIN_PIN)
    assert window.stack.currentWidget() is window.patients_page
    assert window.patients_page.admin_button.isVisible()  # the admin page is wired as in a full build


def test_a_pin_typed_before_the_pages_exist_builds_them_and_opens_the_patient_list(qtbot, qapp, kiosk, staff):
    window = _locked_window(qtbot, qapp, kiosk)
    unlock(qtbot, window, "Dr Amélie Laurent", ADMIN_PIN)
    assert window.pages_built
    assert window.stack.currentWidget() is window.patients_page
    window.patients_page.lock_button.click()  # the pages' Lock buttons work
    assert window.stack.currentWidget() is window.lock_page


def test_the_idle_lock_starts_once_the_first_frame_is_painted(qapp, tmp_path, monkeypatch):
    """The idle lock is an application event filter, which every event of the first show would
    call into Python: the start installs it with the pages, after the lock screen is painted."""
    seen: list[tuple[bool, bool, bool]] = []
    real_install = idle_lock.install_idle_lock

    def install(window, *args, **kwargs):
        idle = real_install(window, *args, **kwargs)
        seen.append((window.pages_built, idle.is_running(), window.idle_lock is idle))
        return idle

    monkeypatch.setattr(idle_lock, "install_idle_lock", install)
    monkeypatch.setenv(EXIT_AFTER_FIRST_PAINT_ENV, "1")
    dialogs: list[tuple[str, str]] = []
    try:
        code = startup.run_gui(tmp_path / "data", show_error=lambda title, message: dialogs.append((title, message)))
    finally:
        QTimer.singleShot(0, qapp.quit)  # clears Qt's quit flag for the tests after this one
        qapp.exec()
    assert dialogs == [] and code == 0
    assert seen == [(True, True, True)]  # once, running, with the pages built after the first frame


def test_a_new_application_starts_in_the_theme_style_and_font(tmp_path):
    """The start's QApplication is made in the theme's style (named on its command line), even by
    a launcher that gives no program name, with the theme's font and stylesheet."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from meso_kiosk.ui import startup\n"
        "from meso_kiosk.ui.startup.window import application\n"
        "from meso_kiosk.ui.theme import STYLE\n"
        "data = Path(sys.argv[1])\n"
        "if sys.argv[2:] == ['empty']:\n"
        "    sys.argv = []  # a launcher that gives no program name\n"
        "app = application()\n"
        "styled = bool(app.styleSheet())\n"
        "sheet = app.styleSheet()\n"
        "app.setStyleSheet('')  # the style under the stylesheet's wrapper\n"
        "style = app.style().name()\n"
        "app.setStyleSheet(sheet)\n"
        "code = startup.run_gui(data)  # quits once the pages are built\n"
        "print(style, STYLE, app.font().pixelSize(), styled, code)\n"
    )
    for argv in ([], ["empty"]):
        done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "data"), *argv], capture_output=True,
                              text=True, timeout=60, env=os.environ | {"QT_QPA_PLATFORM": "offscreen",
                                                                      EXIT_AFTER_FIRST_PAINT_ENV: "1"})
        assert done.returncode == 0, done.stderr
        style, theme_style, pixels, styled, code = done.stdout.split()
        assert style.lower() == theme_style.lower() == "fusion", argv
        assert int(pixels) == BODY_PX and styled == "True" and code == "0"
