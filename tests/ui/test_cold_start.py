"""Cold start: the window opens on the lock screen alone; its pages are built right after (or on first use)."""

from meso_kiosk.ui.app import EXIT_AFTER_FIRST_PAINT_ENV, build_main_window
from meso_kiosk.ui.theme import BODY_PX, apply_theme
from tests.ui.test_lock_screen import ADMIN_PIN, staff, unlock  # noqa: F401 (staff is a fixture)


def _locked_window(qtbot, qapp, kiosk):
    apply_theme(qapp)
    window = build_main_window(kiosk, defer_pages=True)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_first_frame_is_the_lock_screen_alone(qtbot, qapp, kiosk, staff):
    window = _locked_window(qtbot, qapp, kiosk)
    assert not window.pages_built and window.workspace is None and window.patients_page is None
    assert window.stack.currentWidget() is window.lock_page
    assert [tile.account.display_name for tile in window.lock_page.tiles] == ["Dr Amélie Laurent", "Sam Okafor"]

    window.ensure_pages()  # what run_gui does right after the first frame
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
    """An application event filter in Python before the first frame would make PySide build a
    class for every kind of object the first show reaches: ``run_gui`` starts the idle lock
    with the pages, after the lock screen is painted."""
    from PySide6.QtCore import QTimer

    from meso_kiosk.ui import app as app_module
    from meso_kiosk.ui import idle_lock

    seen: list[bool] = []
    real_install = idle_lock.install_idle_lock

    def install(window, *args, **kwargs):
        idle = real_install(window, *args, **kwargs)
        seen.append((window.pages_built, idle.is_running(), window.idle_lock is idle))
        return idle

    monkeypatch.setattr(idle_lock, "install_idle_lock", install)  # run_gui imports it after the first frame
    monkeypatch.setenv(app_module.EXIT_AFTER_FIRST_PAINT_ENV, "1")
    dialogs: list[tuple[str, str]] = []
    try:
        code = app_module.run_gui(tmp_path / "data", show_error=lambda title, message: dialogs.append((title, message)))
    finally:
        QTimer.singleShot(0, qapp.quit)  # clears Qt's quit flag for the tests after this one
        qapp.exec()
    assert dialogs == [] and code == 0
    assert seen == [(True, True, True)]  # once, running, with the pages built after the first frame


def test_a_new_application_starts_in_the_theme_style_and_font(tmp_path):
    """``run_gui``'s QApplication is made in the theme's style (named on its command line, no
    ``setStyle`` round trip), even by a launcher that gives no program name; the theme's font
    follows the first frame, before the pages are built."""
    import os
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from meso_kiosk.ui import app as app_module\n"
        "from meso_kiosk.ui.theme import STYLE\n"
        "data = Path(sys.argv[1])\n"
        "if sys.argv[2:] == ['empty']:\n"
        "    sys.argv = []  # a launcher that gives no program name\n"
        "app = app_module._application()\n"
        "styled = bool(app.styleSheet())\n"
        "sheet = app.styleSheet()\n"
        "app.setStyleSheet('')  # the style under the stylesheet's wrapper\n"
        "style = app.style().name()\n"
        "app.setStyleSheet(sheet)\n"
        "code = app_module.run_gui(data)  # quits once the pages are built\n"
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
