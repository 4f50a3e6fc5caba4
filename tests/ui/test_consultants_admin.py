"""Consultant administration: only a signed-in admin reaches it; every change asks the admin's PIN."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget

from meso_kiosk.domain.pin import PinOutcome
from meso_kiosk.domain.actor import consultant_actor
from meso_kiosk.ui.pages.consultants_admin import ConsultantsAdminPage
from meso_kiosk.ui.theme import TOUCH_TARGET
from tests.conftest import COUNTERSIGN_PIN
from tests.ui.conftest import account_page_alone, signed_in_consultant

ADMIN_PIN = COUNTERSIGN_PIN  # the window fixture's admin, "Dr Test Consultant"
SAM_PIN = "739154"


@pytest.fixture
def admin(kiosk):
    """The clinic's admin, "Dr Test Consultant" (the one the window fixture signs in)."""
    return signed_in_consultant(kiosk)


@pytest.fixture
def sam(kiosk, admin):
    return kiosk.accounts.add_consultant(admin.id, ADMIN_PIN, "Sam Okafor", SAM_PIN)


@pytest.fixture
def page(qtbot, qapp, kiosk, admin, sam):
    """The admin page alone, opened by the signed-in admin."""
    return account_page_alone(qtbot, qapp, ConsultantsAdminPage, kiosk, admin)


@pytest.fixture
def window_page(window, qtbot, sam):
    """The admin page reached from the patient list in the window (for the ways in and out)."""
    window.patients_page.refresh()
    assert not window.patients_page.admin_button.isHidden()  # an admin is signed in
    qtbot.mouseClick(window.patients_page.admin_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.admin_page
    return window.admin_page


def confirm(qtbot, page, pin=ADMIN_PIN):
    assert page.views.currentWidget() is page.confirm_view
    for digit in pin:
        qtbot.mouseClick(page.confirm_pin.digit_keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.confirm_pin.ok_key, Qt.MouseButton.LeftButton)


def actions(kiosk, action):
    return kiosk.store.conn.execute("SELECT actor FROM audit_log WHERE action = ?", (action,)).fetchall()


def test_the_page_lists_everyone_with_their_state(page, admin, sam):
    assert set(page.rows) == {admin.id, sam.id}
    assert "(you)" in page.rows[admin.id].name.text()
    assert page.rows[sam.id].state_word.text() == "✓ Active"
    assert page.idle_now.text() == "Now: 2 minutes"
    assert page.idle_minutes.value() == 2


def test_an_admin_adds_a_consultant_with_their_pin(page, kiosk, admin, qtbot, type_text):
    type_text(page.add_name, "  Dr  Zoë Ng ")
    qtbot.mouseClick(page.role_admin, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page.add_pin, "560912")
    qtbot.keyClicks(page.add_pin_again, "560912")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert "Add Dr Zoë Ng as an admin" == page.confirm_what.text()

    confirm(qtbot, page, "918273")  # a wrong admin PIN: nothing is added, the PIN pad says so
    assert "Wrong PIN" in page.confirm_pin.error.text()
    assert page.views.currentWidget() is page.confirm_view
    assert [a.display_name for a in kiosk.accounts.accounts()] == ["Dr Test Consultant", "Sam Okafor"]

    confirm(qtbot, page)
    assert page.views.currentWidget() is page.body_view
    zoe = next(a for a in kiosk.accounts.accounts() if a.display_name == "Dr Zoë Ng")
    assert zoe.is_admin and zoe.has_pin
    assert kiosk.accounts.verify_pin(zoe.id, "560912").ok
    assert "Dr Zoë Ng was added as an admin." in page.notice.text()
    assert zoe.id in page.rows
    assert page.add_name.text() == "" and page.add_pin.text() == ""
    # the admin's PIN check is audited as theirs (once for Sam in the fixture, once here)
    assert actions(kiosk, "consultant.admin_auth") == [(consultant_actor(admin.id),)] * 2


def test_add_form_errors_sit_next_to_the_fields_before_any_pin_is_asked(page, kiosk, qtbot):
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert page.views.currentWidget() is page.body_view
    assert "Enter the consultant's name" in page.add_errors["name"].text()
    assert "at least 6 digits" in page.add_errors["pin"].text()
    qtbot.keyClicks(page.add_name, "Robert'); DROP TABLE consultants;--")
    qtbot.keyClicks(page.add_pin, "111111")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert "easy to guess" in page.add_errors["pin"].text() and page.add_errors["name"].isHidden()
    page.add_pin.clear()
    qtbot.keyClicks(page.add_pin, "560912")
    qtbot.keyClicks(page.add_pin_again, "560913")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert "not the same" in page.add_errors["pin_again"].text()
    assert page.add_name.text() == "Robert'); DROP TABLE consultants;--"  # kept what was typed
    qtbot.keyClicks(page.add_pin_again, "560912")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    confirm(qtbot, page)
    assert "Robert'); DROP TABLE consultants;--" in [a.display_name for a in kiosk.accounts.accounts()]


def test_a_service_error_comes_back_next_to_its_field(page, kiosk, qtbot, type_text):
    type_text(page.add_name, "Bad\u200bName")  # an invisible character: only the service knows
    qtbot.keyClicks(page.add_pin, "560912")
    qtbot.keyClicks(page.add_pin_again, "560912")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    confirm(qtbot, page)
    assert page.views.currentWidget() is page.body_view
    assert "invisible control character" in page.add_errors["name"].text()
    assert page.add_name.text() == "Bad\u200bName"
    assert len(kiosk.accounts.accounts()) == 2


def test_switch_off_and_on_again(window_page, window, kiosk, sam, admin, qtbot):
    row = window_page.rows[sam.id]
    qtbot.mouseClick(row.toggle_button, Qt.MouseButton.LeftButton)
    assert window_page.confirm_what.text() == "Switch off Sam Okafor"
    confirm(qtbot, window_page)
    assert not kiosk.accounts.account(sam.id).active
    assert window_page.rows[sam.id].state_word.text() == "✗ Switched off"
    assert kiosk.accounts.verify_pin(sam.id, SAM_PIN).outcome is PinOutcome.DISABLED
    window.screen_lock.lock()
    assert sam.id not in [tile.account.id for tile in window.lock_page.tiles]
    window.sign_in.sign_in(kiosk.accounts.account(admin.id))
    assert window.stack.currentWidget() is window_page  # back where the admin was

    qtbot.mouseClick(window_page.rows[sam.id].toggle_button, Qt.MouseButton.LeftButton)
    assert window_page.confirm_what.text() == "Switch on Sam Okafor"
    confirm(qtbot, window_page)
    assert kiosk.accounts.account(sam.id).active


def test_an_admin_cannot_switch_off_their_own_account(page, admin, kiosk, qtbot):
    qtbot.mouseClick(page.rows[admin.id].toggle_button, Qt.MouseButton.LeftButton)
    assert page.views.currentWidget() is page.body_view
    assert "your own account" in page.rows[admin.id].error.text()
    assert kiosk.accounts.account(admin.id).active


def test_reset_a_forgotten_pin(page, kiosk, sam, qtbot):
    for _ in range(5):
        kiosk.accounts.verify_pin(sam.id, "000111")  # Sam forgot it and is locked out
    assert kiosk.accounts.lock_state(sam.id).locked
    page.refresh()
    row = page.rows[sam.id]
    assert "5 wrong PINs in a row" in row.detail.text()
    qtbot.mouseClick(row.reset_button, Qt.MouseButton.LeftButton)
    assert row.reset_panel.isVisible()
    qtbot.keyClicks(row.new_pin, "12")
    qtbot.mouseClick(row.set_pin_button, Qt.MouseButton.LeftButton)
    assert "at least 6 digits" in row.new_pin_error.text()
    row.new_pin.clear()
    qtbot.keyClicks(row.new_pin, "604418")
    qtbot.keyClicks(row.new_pin_again, "604418")
    qtbot.mouseClick(row.set_pin_button, Qt.MouseButton.LeftButton)
    assert page.confirm_what.text() == "Set a new PIN for Sam Okafor"
    confirm(qtbot, page)
    assert "Sam Okafor has a new PIN." in page.notice.text()
    assert not kiosk.accounts.lock_state(sam.id).locked
    assert kiosk.accounts.verify_pin(sam.id, "604418").ok
    assert actions(kiosk, "consultant.pin_reset")


def test_clear_a_lockout_keeps_the_pin(page, kiosk, sam, qtbot, shots):
    assert not page.rows[sam.id].unlock_button.isVisible()  # nothing to clear
    for _ in range(5):
        kiosk.accounts.verify_pin(sam.id, "000111")
    page.refresh()
    row = page.rows[sam.id]
    assert row.unlock_button.isVisible() and "Too many wrong PINs" in row.detail.text()
    assert row.unlock_button.height() >= TOUCH_TARGET and row.unlock_button.accessibleName()
    for width, height in ((1280, 800), (800, 1280)):
        page.resize(width, height)
        qtbot.wait(20)
        page.grab().save(str(shots / f"admin-locked-{width}x{height}.png"))
        assert row.unlock_button.geometry().right() <= row.width()
    qtbot.mouseClick(row.unlock_button, Qt.MouseButton.LeftButton)
    assert page.confirm_what.text() == "Clear the lock-out of Sam Okafor"
    confirm(qtbot, page)
    assert "Sam Okafor can sign in again" in page.notice.text()
    assert kiosk.accounts.verify_pin(sam.id, SAM_PIN).ok
    assert actions(kiosk, "consultant.lockout_cleared")


def test_cancel_leaves_everything_as_it_was(page, kiosk, sam, qtbot):
    qtbot.mouseClick(page.rows[sam.id].toggle_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.cancel_confirm_button, Qt.MouseButton.LeftButton)
    assert page.views.currentWidget() is page.body_view
    assert kiosk.accounts.account(sam.id).active


def test_set_the_idle_lock_minutes(page, kiosk, qtbot):
    page.idle_minutes.setValue(5)
    qtbot.mouseClick(page.idle_save_button, Qt.MouseButton.LeftButton)
    confirm(qtbot, page)
    assert kiosk.accounts.idle_lock_seconds() == 300
    assert page.idle_now.text() == "Now: 5 minutes"
    assert "locks after 5 minutes" in page.notice.text()


def test_a_consultant_who_is_not_admin_cannot_reach_the_page(window, kiosk, sam, qtbot):
    window.screen_lock.lock()
    window.sign_in.sign_in(kiosk.accounts.account(sam.id))
    assert window.stack.currentWidget() is window.patients_page
    assert window.patients_page.admin_button.isHidden()
    window.patients_page.admin_requested.emit()  # even if the button were reached somehow
    assert window.stack.currentWidget() is window.patients_page
    assert not window.admin_page.start()


def test_after_a_lock_a_non_admin_does_not_land_on_the_admin_page(window_page, window, kiosk, sam, qtbot):
    window.screen_lock.lock()
    window.sign_in.sign_in(kiosk.accounts.account(sam.id))
    assert window.stack.currentWidget() is window.patients_page


def test_back_returns_to_the_patient_list(window_page, window, qtbot):
    qtbot.mouseClick(window_page.back_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.patients_page


def test_controls_are_named_and_touch_sized(page, sam, qtbot):
    qtbot.mouseClick(page.rows[sam.id].reset_button, Qt.MouseButton.LeftButton)
    for control in page.findChildren(QWidget):
        if not control.isVisibleTo(page) or not isinstance(control, (QAbstractButton, QLineEdit)):
            continue
        if control.parent() is not None and control.parent().inherits("QAbstractSpinBox"):
            continue
        assert control.accessibleName(), type(control).__name__
        assert control.sizeHint().height() >= 44 or control.height() >= 44, control.accessibleName()


def test_the_admin_page_renders_in_both_orientations(page, kiosk, admin, sam, qtbot, shots):
    kiosk.accounts.disable_consultant(admin.id, ADMIN_PIN, sam.id)
    page.refresh()
    for width, height in ((1280, 800), (800, 1280)):
        page.resize(width, height)
        page.views.setCurrentWidget(page.body_view)
        qtbot.wait(20)
        page.grab().save(str(shots / f"admin-{width}x{height}.png"))
        body = page.body_view.widget()
        assert body.width() <= page.body_view.viewport().width()  # no sideways scrolling
    qtbot.mouseClick(page.rows[sam.id].reset_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)  # errors showing
    for width, height in ((1280, 800), (800, 1280)):
        page.resize(width, height)
        qtbot.wait(20)
        page.body_view.verticalScrollBar().setValue(page.body_view.verticalScrollBar().maximum())
        page.grab().save(str(shots / f"admin-errors-{width}x{height}.png"))
    qtbot.mouseClick(page.rows[sam.id].toggle_button, Qt.MouseButton.LeftButton)
    for width, height in ((1280, 800), (800, 1280)):
        page.resize(width, height)
        qtbot.wait(20)
        page.grab().save(str(shots / f"admin-confirm-{width}x{height}.png"))
        assert page.confirm_pin.ok_key.isVisible()
