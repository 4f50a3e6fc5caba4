"""Idle auto-lock: a short injected timeout, input keeps it open, background locks, nothing typed is lost."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from meso_kiosk.ui.idle_lock import IdleLock, install_idle_lock
from tests.conftest import COUNTERSIGN_PIN

IDLE = 0.3  # seconds, instead of the default two minutes


@pytest.fixture
def start_idle(window):
    """Starts the idle lock (IDLE seconds) when the test calls it, on its first line: started by
    a fixture, its short clock would already run while pytest-qt handles the events left after
    setup, and on a busy machine the window could lock before the test's first check."""
    started = []

    def start():
        lock = install_idle_lock(window, lambda: IDLE)
        started.append(lock)
        return lock

    yield start
    for lock in started:
        lock.stop()


def locked(window) -> bool:
    return window.stack.currentWidget() is window.lock_page


def unlock_with_pin(qtbot, window, pin=COUNTERSIGN_PIN):
    page = window.lock_page
    tile = next(tile for tile in page.tiles if tile.account.id == window_consultant_id(window))
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    for digit in pin:
        qtbot.mouseClick(page.pin_entry.digit_keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.pin_entry.ok_key, Qt.MouseButton.LeftButton)


def window_consultant_id(window):
    return window.test_consultant_id


@pytest.fixture(autouse=True)
def _remember_consultant(window):
    window.test_consultant_id = window.sign_in.consultant.id


def test_the_window_locks_itself_after_the_idle_time(window, start_idle, qtbot):
    idle = start_idle()
    assert not locked(window) and idle.is_running()
    qtbot.waitUntil(lambda: locked(window), timeout=3000)
    assert window.sign_in.consultant is None
    assert window.sign_in.actor() == "kiosk"


def test_input_keeps_the_window_open(window, start_idle, qtbot):
    start_idle()
    search = window.patients_page.search
    for step in range(8):  # 8 × 0.1 s of typing and moving: more than twice the idle time
        qtbot.keyClick(search, Qt.Key.Key_A)
        qtbot.mouseMove(window.patients_page.results, QPoint(10 + step, 10))
        qtbot.wait(100)
        assert not locked(window), f"locked while someone was typing (step {step})"
    qtbot.waitUntil(lambda: locked(window), timeout=3000)  # then, left alone, it locks


def test_leaving_the_app_locks_at_once(window, start_idle, qapp):
    start_idle()
    qapp.applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)
    assert not locked(window)
    qapp.applicationStateChanged.emit(Qt.ApplicationState.ApplicationInactive)
    assert locked(window)


def test_suspending_the_app_locks(window, start_idle, qapp):
    start_idle()
    qapp.applicationStateChanged.emit(Qt.ApplicationState.ApplicationSuspended)
    assert locked(window)


def test_an_idle_lock_keeps_the_page_and_what_was_typed(window, start_idle, kiosk, register, qtbot, type_text):
    patient = register()
    window.open_patient(patient)
    idle = start_idle()
    intake = window.workspace.pages["intake"]
    note = intake.fields["notes.consultant"].editor
    type_text(note, "Call back in June — Ελένη 👩‍⚕️")
    idle.touch()
    # nothing reached the database yet? the lock flushes it before showing the lock screen
    qtbot.waitUntil(lambda: locked(window), timeout=3000)
    assert kiosk.intake.latest_intake(patient.id).notes.consultant == "Call back in June — Ελένη 👩‍⚕️"

    unlock_with_pin(qtbot, window)
    assert window.stack.currentWidget() is window.workspace
    assert window.workspace.stack.currentWidget() is intake
    assert window.workspace.patient.id == patient.id
    assert note.toPlainText() == "Call back in June — Ελένη 👩‍⚕️"


def test_a_lock_while_locked_changes_nothing(window, start_idle, qtbot):
    idle = start_idle()
    window.screen_lock.lock()
    page = window.lock_page
    qtbot.mouseClick(page.tiles[0], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.pin_entry.digit_keys["7"], Qt.MouseButton.LeftButton)
    idle.touch()
    qtbot.wait(int(IDLE * 2000))  # the idle timer fires again while the lock screen shows
    assert locked(window)
    assert page.pin_entry.pin() == "7"  # what the consultant started typing stays


def test_hand_off_mode_keeps_the_hand_off_screen(window, start_idle, qtbot, qapp):
    start_idle()
    patient_screen = QWidget()
    patient_screen.setAccessibleName("Patient's consent")
    window.enter_handoff(patient_screen)  # the CONSENT helper's lockdown: window.in_handoff is True
    try:
        assert window.in_handoff
        qtbot.wait(int(IDLE * 3000))
        qapp.applicationStateChanged.emit(Qt.ApplicationState.ApplicationInactive)
        window.screen_lock.lock()
        assert window.stack.currentWidget() is patient_screen
        assert not locked(window)
        assert window.sign_in.consultant is not None  # leaving hand-off needs a consultant PIN anyway
    finally:
        window.exit_handoff()
    qtbot.waitUntil(lambda: locked(window), timeout=3000)  # back with the consultant: the idle lock works again


def test_the_timeout_is_read_each_time(qapp, qtbot):
    """An admin's new setting applies without a restart."""
    locks, timeout = [], [60.0]
    idle = IdleLock(qapp, lambda: locks.append("locked"), lambda: timeout[0])
    idle.start()
    try:
        timeout[0] = 0.1
        idle.timer.timeout.emit()  # the long timer fires (or an old one): it re-reads the setting
        qtbot.waitUntil(lambda: locks == ["locked"], timeout=2000)
    finally:
        idle.stop()
    assert not idle.is_running()


def test_the_application_wide_filter_sees_input_anywhere(qapp, qtbot, window):
    now = [100.0]
    idle = IdleLock(QGuiApplication.instance(), lambda: None, lambda: 120, clock=lambda: now[0])
    idle.start()
    try:
        now[0] = 150.0
        assert idle.idle_seconds() == 50.0
        qtbot.keyClick(window.patients_page.search, Qt.Key.Key_B)
        assert idle.idle_seconds() == 0.0
        now[0] = 160.0
        qtbot.mouseClick(window.patients_page.lot_recall_button, Qt.MouseButton.LeftButton)
        assert idle.idle_seconds() == 0.0
    finally:
        idle.stop()
