"""--kiosk holds: closing takes a consultant's PIN (at the lock screen and signed in), and the
window comes back full screen when it is minimised or un-fullscreened; a windowed start
fits the screen it opens on."""

import pytest
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QDialog

from meso_kiosk.ui.kiosk_guard import RESTORE_DELAY_MS, guard_kiosk
from meso_kiosk.ui.startup.window import WINDOWED_SIZE, show_window, windowed_size
from tests.conftest import COUNTERSIGN_PIN
from tests.ui.test_lock_screen import SAM_PIN, build, staff, type_pin  # noqa: F401 (build, staff: fixtures)

FULL = Qt.WindowState.WindowFullScreen
# The offscreen platform cannot raise a window; the guard asks it to when the window is behind.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise")


def close_by_window_manager(window) -> bool:
    """What Alt+F4 or a window manager's close delivers; whether the window took it."""
    event = QCloseEvent()
    QApplication.sendEvent(window, event)
    return event.isAccepted()


@pytest.fixture
def kiosk_window(qtbot, kiosk):
    """Guard a window as ``--kiosk`` does; disarmed at the end so the test's teardown can close it."""
    guarded = []

    def _guard(window):
        guard = guard_kiosk(window, lambda: kiosk.accounts)
        guarded.append(guard)
        qtbot.waitExposed(window)
        return guard

    yield _guard
    for guard in guarded:
        if guard.prompt is not None:
            guard.prompt.reject()
        guard.disarm()


def audited(kiosk, action):
    return [row[0] for row in kiosk.store.conn.execute(
        "SELECT entity_id FROM audit_log WHERE action = ? ORDER BY id", (action,))]


def test_at_the_lock_screen_a_close_waits_for_a_consultants_pin(kiosk, staff, build, kiosk_window, qtbot):
    admin, sam = staff
    window = build(kiosk)
    guard = kiosk_window(window)
    assert window.lock_page_shown()
    assert not close_by_window_manager(window)
    prompt = guard.prompt
    assert window.isVisible() and prompt.isVisible()
    assert prompt.pin.chooser.isVisible()  # nobody is signed in: whoever closes chooses their name
    prompt.pin.chooser.setCurrentIndex(prompt.pin.chooser.findData(sam.id))
    type_pin(qtbot, prompt.pin.pin_entry, "000000")
    assert window.isVisible() and prompt.isVisible()
    assert "wrong" in prompt.pin.pin_entry.error.text().lower()
    assert not close_by_window_manager(window)  # asked again: the same prompt, still open
    type_pin(qtbot, prompt.pin.pin_entry, SAM_PIN)
    assert not window.isVisible()
    assert audited(kiosk, "consultant.kiosk_quit") == [str(sam.id)]


def test_signed_in_the_consultant_closes_with_their_own_pin(window, kiosk, kiosk_window, qtbot):
    guard = kiosk_window(window)
    assert not close_by_window_manager(window)
    prompt = guard.prompt
    assert prompt.pin.who.text() == window.sign_in.consultant.display_name
    assert not prompt.pin.chooser.isVisible()
    qtbot.mouseClick(prompt.cancel_button, Qt.MouseButton.LeftButton)
    assert not prompt.isVisible() and window.isVisible()
    window.close()  # Ctrl+Q's close: asked too
    assert prompt.isVisible() and window.isVisible()
    type_pin(qtbot, prompt.pin.pin_entry, COUNTERSIGN_PIN)
    assert not window.isVisible()


def test_the_prompt_goes_when_the_app_locks_under_it(window, kiosk_window):
    guard = kiosk_window(window)
    assert not close_by_window_manager(window)
    assert guard.prompt.isVisible()
    window.sign_in.lock()  # the idle lock: the prompt named a consultant who is no longer signed in
    assert not guard.prompt.isVisible() and window.isVisible()
    assert not close_by_window_manager(window)
    assert guard.prompt.pin.chooser.isVisible()  # asked again: now whoever closes chooses their name


def test_a_hand_off_still_ignores_a_close_without_a_prompt(window, kiosk, kiosk_window, register):
    guard = kiosk_window(window)
    window.open_patient(register())
    window.enter_handoff(window.workspace)
    assert not close_by_window_manager(window)
    assert guard.prompt is None  # the patient holds the tablet: no PIN pad is offered to them
    window.exit_handoff()


def test_the_apps_own_shutdown_is_not_asked(window, kiosk_window):
    guard = kiosk_window(window)
    guard.disarm()  # as aboutToQuit does when the event loop ends
    assert close_by_window_manager(window)
    assert guard.prompt is None


def test_a_minimised_or_unfullscreened_kiosk_window_comes_back_full_screen(window, kiosk_window, qtbot):
    kiosk_window(window)
    assert window.windowState() & FULL
    window.showMinimized()
    qtbot.waitUntil(lambda: window.windowState() == FULL, timeout=RESTORE_DELAY_MS * 10)
    window.showNormal()
    qtbot.waitUntil(lambda: window.windowState() == FULL, timeout=RESTORE_DELAY_MS * 10)


def test_the_guard_never_fights_the_apps_own_dialog(window, kiosk_window, qtbot):
    guard = kiosk_window(window)
    box = QDialog(window)  # a message of the app's (a backup problem, unsaved details)
    box.setWindowModality(Qt.WindowModality.ApplicationModal)
    box.setMinimumSize(300, 200)  # a top level's own minimum (the offscreen plugin warns otherwise)
    box.open()
    qtbot.waitExposed(box)
    window.showNormal()
    assert guard.own_dialog_open()
    qtbot.wait(RESTORE_DELAY_MS * 3)
    assert not window.windowState() & FULL  # left as it is while the dialog is up
    box.accept()
    qtbot.waitUntil(lambda: window.windowState() == FULL, timeout=RESTORE_DELAY_MS * 10)


@pytest.mark.parametrize(("available", "expected"), [
    (QSize(1920, 1080), WINDOWED_SIZE),
    (QSize(1280, 800), WINDOWED_SIZE),
    (QSize(800, 1240), QSize(800, 1240)),   # an 800×1280 portrait tablet less its panel: all of it
    (QSize(1366, 728), QSize(1366, 728)),   # a laptop less its task bar: 800 px do not fit in height
])
def test_a_windowed_start_is_never_larger_than_the_screen(available, expected):
    assert windowed_size(available) == expected


def test_a_windowed_start_fits_the_screen_it_opens_on(window, qtbot):
    free = window.screen().availableGeometry()  # the offscreen platform's: 800×800
    window.hide()
    window.resize(1280, 800)
    show_window(window, kiosk_mode=False)
    qtbot.waitExposed(window)
    assert window.width() <= max(free.width(), window.minimumWidth())
    assert window.height() <= max(free.height(), window.minimumHeight())
    assert window.size() == windowed_size(free.size()).expandedTo(window.minimumSize())
    assert window.kiosk_guard is None


def test_a_kiosk_start_is_guarded(qapp, tmp_path, monkeypatch):
    """``meso-kiosk --kiosk`` puts the guard on the window it starts (and still ends by itself)."""
    from meso_kiosk.ui import idle_lock, startup
    from meso_kiosk.ui.startup import launch

    guards = []
    real_install = idle_lock.install_idle_lock

    def install(window, *args, **kwargs):  # called once the window is complete
        guards.append(window.kiosk_guard)
        return real_install(window, *args, **kwargs)

    monkeypatch.setattr(idle_lock, "install_idle_lock", install)
    monkeypatch.setenv(launch.EXIT_AFTER_FIRST_PAINT_ENV, "1")
    try:
        code = startup.run_gui(tmp_path / "kiosk-data", kiosk_mode=True, show_error=pytest.fail)
    finally:
        QTimer.singleShot(0, qapp.quit)  # one empty turn clears Qt's quit flag (see test_handoff)
        qapp.exec()
    assert code == 0
    assert len(guards) == 1 and guards[0] is not None


@pytest.mark.screens
@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)])
def test_render_the_kiosk_pin_prompt(kiosk, staff, build, kiosk_window, qtbot, shots, size):
    window = build(kiosk, size=size)
    guard = kiosk_window(window)
    close_by_window_manager(window)
    qtbot.waitExposed(guard.prompt)
    qtbot.wait(100)
    tag = f"{size[0]}x{size[1]}"
    assert guard.prompt.grab().save(str(shots / f"kiosk_pin_{tag}.png"))
