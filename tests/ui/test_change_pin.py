"""My PIN: a signed-in consultant changes their own PIN from the patient list."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QWidget

from meso_kiosk.services.accounts import PinPurpose
from meso_kiosk.ui.pages.change_pin import ChangePinPage
from tests.conftest import COUNTERSIGN_PIN
from tests.ui.conftest import account_page_alone, signed_in_consultant
from tests.ui.test_lock_screen import type_pin

NEW_PIN = "583920"


@pytest.fixture
def me(kiosk):
    """The signed-in consultant (the window fixture's admin, PIN ``COUNTERSIGN_PIN``)."""
    return signed_in_consultant(kiosk)


@pytest.fixture
def page(qtbot, qapp, kiosk, me):
    """My PIN alone, opened by the signed-in consultant."""
    return account_page_alone(qtbot, qapp, ChangePinPage, kiosk, me)


@pytest.fixture
def window_page(window, qtbot):
    """My PIN reached from the patient list in the window (for the ways in and out, and the lock)."""
    qtbot.mouseClick(window.patients_page.pin_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.pin_page
    return window.pin_page


def fill(qtbot, page, old, new, again):
    for key, text in (("old_pin", old), ("new_pin", new), ("new_pin_again", again)):
        page.fields[key].clear()
        qtbot.keyClicks(page.fields[key], text)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)


def shown_errors(page) -> dict[str, str]:
    return {key: error.text() for key, error in page.errors.items() if not error.isHidden()}


def pin_changes(kiosk):
    return kiosk.store.conn.execute(
        "SELECT actor, entity_id FROM audit_log WHERE action = 'consultant.pin_change'").fetchall()


def test_a_consultant_changes_their_pin_and_unlocks_with_the_new_one(window, window_page, kiosk, qtbot):
    me = window.sign_in.consultant
    assert window_page.who.text() == f"Signed in as {me.display_name}"
    assert all(field.echoMode() == QLineEdit.EchoMode.Password for field in window_page.fields.values())
    fill(qtbot, window_page, COUNTERSIGN_PIN, NEW_PIN, NEW_PIN)
    assert shown_errors(window_page) == {}
    assert window_page.done_notice.text().startswith("✓ Your PIN is changed")
    assert all(field.text() == "" for field in window_page.fields.values())  # no PIN left in a field
    assert [tuple(row) for row in pin_changes(kiosk)] == [(f"consultant:{me.id}", str(me.id))]
    assert kiosk.accounts.verify_pin(me.id, NEW_PIN, PinPurpose.UNLOCK).ok
    assert not kiosk.accounts.verify_pin(me.id, COUNTERSIGN_PIN, PinPurpose.UNLOCK).ok

    qtbot.mouseClick(window_page.back_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.patients_page
    window.patients_page.lock_button.click()
    qtbot.mouseClick(next(tile for tile in window.lock_page.tiles if tile.account.id == me.id),
                     Qt.MouseButton.LeftButton)
    type_pin(qtbot, window.lock_page.pin_entry, NEW_PIN)
    assert window.stack.currentWidget() is window.patients_page


@pytest.mark.parametrize("old, new, again, field, words", [
    ("", NEW_PIN, NEW_PIN, "old_pin", "Type your current PIN."),
    (COUNTERSIGN_PIN, "", "", "new_pin", "PIN"),
    (COUNTERSIGN_PIN, "12", "12", "new_pin", "digits"),
    (COUNTERSIGN_PIN, "123456", "123456", "new_pin", "guess"),
    (COUNTERSIGN_PIN, NEW_PIN, "583921", "new_pin_again", "not the same"),
    (COUNTERSIGN_PIN, COUNTERSIGN_PIN, COUNTERSIGN_PIN, "new_pin", "differ"),
    ("000000", NEW_PIN, NEW_PIN, "old_pin", "Wrong PIN"),
])
def test_a_wrong_or_weak_pin_is_said_next_to_its_field_and_nothing_changes(me, page, kiosk, qtbot,
                                                                           old, new, again, field, words):
    fill(qtbot, page, old, new, again)
    errors = shown_errors(page)
    assert list(errors) == [field] and words.lower() in errors[field].lower(), errors
    assert page.fields[field].property("invalid") is True
    assert page.done_notice.isHidden()
    assert pin_changes(kiosk) == []
    assert kiosk.accounts.verify_pin(me.id, COUNTERSIGN_PIN, PinPurpose.UNLOCK).ok  # the old PIN still works


def test_wrong_current_pins_count_towards_the_lockout(page, kiosk, qtbot):
    for _ in range(5):  # the fifth wrong PIN in a row locks the account (LockoutPolicy.free_attempts)
        fill(qtbot, page, "000000", NEW_PIN, NEW_PIN)
    assert shown_errors(page)["old_pin"].startswith("Wrong PIN. Too many tries: locked for 30 seconds")
    fill(qtbot, page, COUNTERSIGN_PIN, NEW_PIN, NEW_PIN)  # even the right PIN waits out the lockout
    assert shown_errors(page)["old_pin"].startswith("Too many wrong PINs: try again in")
    assert pin_changes(kiosk) == []


def test_a_lock_clears_what_was_typed_and_another_consultant_does_not_come_back_to_it(window, window_page, kiosk,
                                                                                       qtbot):
    me = window.sign_in.consultant
    sam = kiosk.accounts.add_consultant(me.id, COUNTERSIGN_PIN, "Sam Okafor", "739154")
    qtbot.keyClicks(window_page.fields["old_pin"], COUNTERSIGN_PIN)
    qtbot.keyClicks(window_page.fields["new_pin"], "9")
    window.screen_lock.lock()
    assert all(field.text() == "" for field in window_page.fields.values())
    window.lock_page.refresh()
    qtbot.mouseClick(next(tile for tile in window.lock_page.tiles if tile.account.id == sam.id),
                     Qt.MouseButton.LeftButton)
    type_pin(qtbot, window.lock_page.pin_entry, "739154")
    assert window.stack.currentWidget() is window.patients_page  # not my PIN page
    window.patients_page.lock_button.click()
    qtbot.mouseClick(next(tile for tile in window.lock_page.tiles if tile.account.id == me.id),
                     Qt.MouseButton.LeftButton)
    type_pin(qtbot, window.lock_page.pin_entry, COUNTERSIGN_PIN)
    assert window.stack.currentWidget() is window.patients_page


def test_whoever_opened_the_page_comes_back_to_it_empty_after_a_lock(window, window_page, qtbot):
    me = window.sign_in.consultant
    qtbot.keyClicks(window_page.fields["old_pin"], COUNTERSIGN_PIN)
    window.screen_lock.lock()
    qtbot.mouseClick(next(tile for tile in window.lock_page.tiles if tile.account.id == me.id),
                     Qt.MouseButton.LeftButton)
    type_pin(qtbot, window.lock_page.pin_entry, COUNTERSIGN_PIN)
    assert window.stack.currentWidget() is window_page
    assert all(field.text() == "" for field in window_page.fields.values())


def test_back_clears_what_was_typed(window, window_page, qtbot):
    qtbot.keyClicks(window_page.fields["old_pin"], COUNTERSIGN_PIN)
    qtbot.mouseClick(window_page.back_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.patients_page
    assert all(field.text() == "" for field in window_page.fields.values())


def test_every_control_has_a_name_and_is_a_touch_target(page):
    for widget in page.findChildren(QWidget):
        if isinstance(widget, (QAbstractButton, QLineEdit)) and widget.isVisibleTo(page):
            assert widget.accessibleName(), widget
            assert widget.height() >= 44, (widget.accessibleName(), widget.height())


@pytest.mark.screens
@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)])
def test_render_my_pin(page, qtbot, shots, size):
    page.resize(*size)
    fill(qtbot, page, COUNTERSIGN_PIN, "123456", "123456")
    qtbot.wait(150)
    assert page.grab().save(str(shots / f"my_pin_error_{size[0]}x{size[1]}.png"))
    fill(qtbot, page, COUNTERSIGN_PIN, NEW_PIN, NEW_PIN)
    qtbot.wait(150)
    assert page.grab().save(str(shots / f"my_pin_done_{size[0]}x{size[1]}.png"))


def test_the_pin_fields_take_digits_only_and_no_more_than_a_pin(page, qtbot):
    field = page.fields["new_pin"]
    qtbot.keyClicks(field, "x '; DROP--5")  # letters, spaces, SQL: refused by the field (QTest types ASCII only)
    assert field.text() == "5"
    for pasted in ("😀", "١٢٣٤٥٦", "１２３４５６", "123 456"):  # a paste is checked as typing is
        QApplication.clipboard().setText(pasted)
        field.paste()
        assert field.text() == "5", pasted
    field.clear()
    QApplication.clipboard().setText("5" * 50_000)
    field.paste()
    assert field.text() == "5" * 12  # cut at MAX_PIN_LENGTH
    field.clear()
    qtbot.keyClicks(field, "7" * 50)
    assert field.text() == "7" * 12  # MAX_PIN_LENGTH
