"""Digits typed on a keyboard count after the on-screen keypad was used (issue 22: a tap on a
key gave focus to the page's scroll area, and every key typed after it was lost)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from meso_kiosk.ui.widgets.basics import scrolling
from meso_kiosk.ui.widgets.consultant_pin import ConsultantPin

from .test_lock_screen import SAM_PIN, build, staff, tile_for  # noqa: F401 (fixtures)


def keyboard(window: QWidget, digits: str) -> None:
    """Type as a hardware keyboard does: the window hands each key to whoever has focus."""
    for digit in digits:
        key = Qt.Key.Key_Return if digit == "\r" else Qt.Key(ord(digit))
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(window.windowHandle(), QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, digit))


def _active(qtbot, window: QWidget) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def test_lock_screen_keypad_then_keyboard_then_enter_unlocks(kiosk, staff, build, qtbot):
    window = build(kiosk)
    _active(qtbot, window)
    qtbot.mouseClick(tile_for(window, "Sam Okafor"), Qt.MouseButton.LeftButton)
    entry = window.lock_page.pin_entry

    qtbot.mouseClick(entry.digit_keys[SAM_PIN[0]], Qt.MouseButton.LeftButton)
    keyboard(window, SAM_PIN[1:4])
    qtbot.mouseClick(entry.digit_keys[SAM_PIN[4]], Qt.MouseButton.LeftButton)
    keyboard(window, SAM_PIN[5:])

    assert entry.pin() == SAM_PIN  # every digit counted, from the pad and the keyboard
    assert entry.field.hasFocus()
    keyboard(window, "\r")
    assert window.stack.currentWidget() is window.patients_page


def test_after_a_wrong_pin_and_the_backspace_key_the_keyboard_still_types(kiosk, staff, build, qtbot):
    window = build(kiosk)
    _active(qtbot, window)
    qtbot.mouseClick(tile_for(window, "Sam Okafor"), Qt.MouseButton.LeftButton)
    entry = window.lock_page.pin_entry
    for digit in "1111":
        qtbot.mouseClick(entry.digit_keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(entry.ok_key, Qt.MouseButton.LeftButton)
    assert "Wrong PIN" in entry.error.text()

    qtbot.mouseClick(entry.digit_keys["9"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(entry.backspace_key, Qt.MouseButton.LeftButton)
    keyboard(window, "42")

    assert entry.pin() == "42"


def test_a_consultant_pin_in_a_scrolling_page_keeps_the_keyboard(kiosk, staff, qtbot):
    admin, _sam = staff
    confirm = ConsultantPin(kiosk.accounts, lambda: admin, "Countersign PIN")
    page = scrolling(confirm)  # as the consent and hand-off pages hold it
    qtbot.addWidget(page)
    page.resize(800, 900)
    page.show()
    _active(qtbot, page)
    confirm.prepare()
    confirm.focus()
    got = []
    confirm.submitted.connect(lambda who, pin: got.append((who, pin)))

    qtbot.mouseClick(confirm.pin_entry.digit_keys["5"], Qt.MouseButton.LeftButton)
    keyboard(page, "678")
    qtbot.mouseClick(confirm.pin_entry.ok_key, Qt.MouseButton.LeftButton)

    assert got == [(admin.id, "5678")]
