"""The lock screen: the app opens locked; a PIN unlocks; wrong PINs lock out (across restarts); first run."""

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget

from meso_kiosk.domain.actor import consultant_actor
from meso_kiosk.services.accounts import PinPurpose
from meso_kiosk.services.kiosk import open_kiosk
from meso_kiosk.ui.app import build_main_window
from meso_kiosk.ui.startup.lock_opening import ConsultantTile, initials
from meso_kiosk.ui.sign_in import SignIn
from meso_kiosk.ui.theme import apply_theme
from meso_kiosk.ui.widgets.pin_entry import PinEntry
from tests.conftest import CHEAP_PIN_HASHER, FIXED_NOW

ADMIN_PIN = "482619"
SAM_PIN = "739154"


@pytest.fixture
def staff(kiosk):
    """The demo's two consultants: Dr Amélie Laurent (admin) and Sam Okafor."""
    admin = kiosk.accounts.create_first_admin("Dr Amélie Laurent", ADMIN_PIN)
    sam = kiosk.accounts.add_consultant(admin.id, ADMIN_PIN, "Sam Okafor", SAM_PIN)
    return admin, sam


@pytest.fixture
def build(qtbot, qapp):
    """Build and show a real (locked) main window, as the app does."""

    def _build(kiosk, size=(1280, 800)):
        apply_theme(qapp)
        window = build_main_window(kiosk)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        return window

    return _build


def type_pin(qtbot, entry: PinEntry, pin: str) -> None:
    """Tap the on-screen keypad, then OK."""
    for digit in pin:
        qtbot.mouseClick(entry.digit_keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(entry.ok_key, Qt.MouseButton.LeftButton)


def tile_for(window, name):
    return next(tile for tile in window.lock_page.tiles if tile.account.display_name == name)


def unlock(qtbot, window, name, pin):
    qtbot.mouseClick(tile_for(window, name), Qt.MouseButton.LeftButton)
    type_pin(qtbot, window.lock_page.pin_entry, pin)


def audit(kiosk, action):
    return kiosk.store.conn.execute(
        "SELECT actor, entity, entity_id FROM audit_log WHERE action = ? ORDER BY id", (action,)).fetchall()


# ------------------------------------------------------------------ widgets


def test_pin_entry_keypad_keyboard_and_errors(qtbot):
    entry = PinEntry("Your PIN")
    qtbot.addWidget(entry)
    got = []
    entry.submitted.connect(got.append)
    for digit in "4826":
        qtbot.mouseClick(entry.digit_keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(entry.backspace_key, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(entry.field, "x1-9 ")  # letters, signs and spaces are refused by the field
    assert entry.pin() == "48219"
    assert entry.field.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClick(entry.field, Qt.Key.Key_Return)
    assert got == ["48219"]
    entry.show_error("Wrong PIN. 4 tries left before this account locks for a while.")
    assert entry.pin() == "" and not entry.error.isHidden() and "4 tries left" in entry.error.text()
    entry.clear()
    assert entry.error.isHidden()
    for key in [*entry.digit_keys.values(), entry.backspace_key, entry.ok_key]:
        assert key.accessibleName() and key.height() >= 48 and key.width() >= 48
    entry.setEnabled(False)
    qtbot.mouseClick(entry.ok_key, Qt.MouseButton.LeftButton)
    assert got == ["48219"]  # a disabled pad submits nothing


def test_initials_skip_titles_and_survive_odd_names():
    assert initials("Dr Amélie Laurent") == "AL"
    assert initials("Sam Okafor") == "SO"
    assert initials("Zoë") == "Z"
    assert initials("Prof. Jean-Luc Picard") == "JP"
    assert initials("李 小龍") == "李小"
    assert initials("🙂") == "?"


def test_sign_in_holds_the_actor(staff):
    admin, _ = staff
    sign_in = SignIn()
    events = []
    sign_in.signed_in.connect(lambda account: events.append(("in", account.id)))
    sign_in.locked.connect(lambda: events.append(("locked",)))
    assert sign_in.actor() == "kiosk" and not sign_in.is_signed_in()
    sign_in.sign_in(admin)
    assert sign_in.actor() == consultant_actor(admin.id) and sign_in.is_admin()
    sign_in.lock()
    assert sign_in.actor() == "kiosk" and sign_in.consultant is None
    assert events == [("in", admin.id), ("locked",)]


# ------------------------------------------------------------------ locking and unlocking


def test_the_app_opens_locked_and_the_right_pin_unlocks(kiosk, staff, build, qtbot):
    admin, sam = staff
    window = build(kiosk)
    assert window.stack.currentWidget() is window.lock_page
    assert window.sign_in.consultant is None
    assert [tile.account.display_name for tile in window.lock_page.tiles] == ["Dr Amélie Laurent", "Sam Okafor"]
    assert window.lock_page.clinic_label.text() == kiosk.clinic.profile().name

    unlock(qtbot, window, "Sam Okafor", SAM_PIN)

    assert window.stack.currentWidget() is window.patients_page
    assert window.sign_in.consultant.id == sam.id
    assert audit(kiosk, "consultant.unlock") == [(consultant_actor(sam.id), "consultant", str(sam.id))]
    assert window.patients_page.admin_button.isHidden()  # Sam is no admin


def test_a_refresh_takes_the_old_tiles_off_screen_at_once(kiosk, staff, build):
    """The old tiles are deleted on a later turn of the event loop; until then they must not
    show, out of the grid, in the corner of the next frame."""
    _, sam = staff
    window = build(kiosk)
    page = window.lock_page
    old = list(page.tiles)
    page.refresh()
    assert page.tiles == old  # the same accounts: the same tiles (the first frame's stay)
    kiosk.accounts.verify_pin(sam.id, "000000", PinPurpose.UNLOCK)  # a wrong PIN: Sam's account changed
    page.refresh()  # no event loop turn: the old tiles still exist
    assert len(page.tiles) == 2 and not set(page.tiles) & set(old)
    assert [tile for tile in page.findChildren(ConsultantTile) if tile in old and tile.isVisibleTo(page)] == []


def test_changes_are_attributed_to_the_signed_in_consultant(kiosk, staff, build, qtbot, type_text):
    _, sam = staff
    window = build(kiosk)
    unlock(qtbot, window, "Sam Okafor", SAM_PIN)
    qtbot.mouseClick(window.patients_page.new_button, Qt.MouseButton.LeftButton)
    form = window.new_patient_page.form
    type_text(form.given_name, "Ana")
    type_text(form.family_name, "Pereira")
    qtbot.keyClicks(form.date_of_birth, "03/02/1990")
    qtbot.mouseClick(window.new_patient_page.save_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.workspace
    actors = {row[0] for row in kiosk.store.conn.execute("SELECT actor FROM audit_log WHERE entity = 'patient'")}
    assert actors == {consultant_actor(sam.id)}


def test_wrong_pins_say_how_many_tries_are_left_then_lock_out(kiosk, staff, build, qtbot):
    _, sam = staff
    window = build(kiosk)
    page = window.lock_page
    qtbot.mouseClick(tile_for(window, "Sam Okafor"), Qt.MouseButton.LeftButton)
    type_pin(qtbot, page.pin_entry, "000000")
    assert "4 tries left" in page.pin_entry.error.text()
    assert page.pin_entry.pin() == ""
    for _ in range(3):
        type_pin(qtbot, page.pin_entry, "111111")
    assert "One more wrong try" in page.pin_entry.error.text()
    type_pin(qtbot, page.pin_entry, "222222")

    assert "locked for 30 seconds" in page.pin_entry.error.text()
    assert not page.pin_entry.isEnabled()
    assert page.lockout.isVisible() and "try again in 30 seconds" in page.lockout.text()
    assert page.countdown.isActive()
    type_pin(qtbot, page.pin_entry, SAM_PIN)  # the pad is disabled: even the right PIN does nothing
    assert window.stack.currentWidget() is page
    # every failure is audited (never with the PIN), attributed to nobody in particular
    assert audit(kiosk, "consultant.pin_failed") == [("kiosk", "consultant", str(sam.id))] * 5


def test_lockout_survives_a_rebuilt_window_on_the_same_data_dir(kiosk, staff, build, qtbot, data_dir):
    _, sam = staff
    first = build(kiosk)
    qtbot.mouseClick(tile_for(first, "Sam Okafor"), Qt.MouseButton.LeftButton)
    for _ in range(5):
        type_pin(qtbot, first.lock_page.pin_entry, "123987")
    first.close()

    later = open_kiosk(data_dir, now=lambda: FIXED_NOW + timedelta(seconds=10), pin_hasher=CHEAP_PIN_HASHER)
    try:
        again = build(later)
        qtbot.mouseClick(tile_for(again, "Sam Okafor"), Qt.MouseButton.LeftButton)
        assert not again.lock_page.pin_entry.isEnabled()
        assert "try again in 20 seconds" in again.lock_page.lockout.text()
        again.close()
    finally:
        later.close()


def test_the_countdown_reopens_the_pad_when_the_lock_ends(staff, build, qtbot, data_dir, kiosk):
    now = [FIXED_NOW]
    moving = open_kiosk(data_dir, now=lambda: now[0], pin_hasher=CHEAP_PIN_HASHER)
    try:
        window = build(moving)
        page = window.lock_page
        qtbot.mouseClick(tile_for(window, "Sam Okafor"), Qt.MouseButton.LeftButton)
        for _ in range(5):
            type_pin(qtbot, page.pin_entry, "123987")
        assert "30 seconds" in page.lockout.text()
        now[0] += timedelta(seconds=21)
        page.countdown.timeout.emit()
        assert "9 seconds" in page.lockout.text() and not page.pin_entry.isEnabled()
        now[0] += timedelta(seconds=10)
        qtbot.waitUntil(lambda: page.pin_entry.isEnabled(), timeout=3000)
        assert page.lockout.isHidden() and not page.countdown.isActive()
        type_pin(qtbot, page.pin_entry, SAM_PIN)
        assert window.stack.currentWidget() is window.patients_page
        window.close()
    finally:
        moving.close()


def test_not_you_goes_back_to_the_names(kiosk, staff, build, qtbot):
    window = build(kiosk)
    page = window.lock_page
    qtbot.mouseClick(tile_for(window, "Sam Okafor"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.pin_entry.digit_keys["7"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.not_you_button, Qt.MouseButton.LeftButton)
    assert page.views.currentWidget() is page.choose_view and page.chosen is None
    qtbot.mouseClick(tile_for(window, "Dr Amélie Laurent"), Qt.MouseButton.LeftButton)
    assert page.pin_entry.pin() == "" and page.chosen_name.text() == "Dr Amélie Laurent"


def test_a_switched_off_consultant_has_no_tile(kiosk, staff, build):
    admin, sam = staff
    kiosk.accounts.disable_consultant(admin.id, ADMIN_PIN, sam.id)
    window = build(kiosk)
    assert [tile.account.id for tile in window.lock_page.tiles] == [admin.id]


def test_the_lock_button_locks_and_unlocking_returns_to_the_same_place(kiosk, staff, build, qtbot, register,
                                                                       type_text):
    patient = register()
    window = build(kiosk)
    unlock(qtbot, window, "Dr Amélie Laurent", ADMIN_PIN)
    assert not window.patients_page.admin_button.isHidden()
    qtbot.mouseClick(window.patients_page.lock_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.lock_page and window.sign_in.consultant is None
    assert window.patients_page.admin_button.isHidden()
    unlock(qtbot, window, "Dr Amélie Laurent", ADMIN_PIN)
    assert window.stack.currentWidget() is window.patients_page

    window.open_patient(patient)
    window.workspace.go_to_step(0)
    qtbot.mouseClick(window.workspace.lock_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.lock_page
    unlock(qtbot, window, "Sam Okafor", SAM_PIN)
    assert window.stack.currentWidget() is window.workspace
    assert window.workspace.patient is patient


# ------------------------------------------------------------------ first run


def test_first_run_asks_for_the_first_administrator(kiosk, build, qtbot, type_text):
    window = build(kiosk)
    page = window.lock_page
    panel = page.setup_panel
    assert page.is_setup() and window.stack.currentWidget() is page

    qtbot.mouseClick(panel.create_button, Qt.MouseButton.LeftButton)
    assert "Enter your name" in panel.errors["name"].text()
    assert "at least 6 digits" in panel.errors["pin"].text()

    type_text(panel.name, "  Dr   Amélie Laurent ")
    qtbot.keyClicks(panel.pin, "123456")
    qtbot.mouseClick(panel.create_button, Qt.MouseButton.LeftButton)
    assert panel.errors["name"].isHidden() and "run of digits" in panel.errors["pin"].text()

    panel.pin.clear()
    qtbot.keyClicks(panel.pin, ADMIN_PIN)
    qtbot.keyClicks(panel.pin_again, "482618")
    qtbot.mouseClick(panel.create_button, Qt.MouseButton.LeftButton)
    assert "not the same" in panel.errors["pin_again"].text()
    assert panel.name.text() == "  Dr   Amélie Laurent " and panel.pin.text() == ADMIN_PIN  # kept what was typed
    assert kiosk.accounts.needs_setup()

    qtbot.keyClicks(panel.pin_again, ADMIN_PIN)
    qtbot.keyClick(panel.pin_again, Qt.Key.Key_Return)

    assert not kiosk.accounts.needs_setup()
    [admin] = kiosk.accounts.accounts()
    assert (admin.display_name, admin.role, admin.has_pin) == ("Dr Amélie Laurent", "admin", True)
    # then the clinic's own details (tests/ui/test_first_run_clinic.py), then the kiosk opens
    assert page.is_clinic_setup() and window.stack.currentWidget() is page
    type_text(page.clinic_panel.form.name, "Clinique du Parc")
    qtbot.mouseClick(page.clinic_panel.save_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.patients_page
    assert window.sign_in.consultant.id == admin.id
    # next lock: the tiles, no more setup
    window.screen_lock.lock()
    assert not page.is_setup() and [tile.account.id for tile in page.tiles] == [admin.id]


def test_first_run_refuses_hostile_names(kiosk, build, qtbot, type_text):
    window = build(kiosk)
    panel = window.lock_page.setup_panel
    type_text(panel.name, "Dr\u200bX")  # an invisible character pasted in
    qtbot.keyClicks(panel.pin, ADMIN_PIN)
    qtbot.keyClicks(panel.pin_again, ADMIN_PIN)
    qtbot.mouseClick(panel.create_button, Qt.MouseButton.LeftButton)
    assert kiosk.accounts.needs_setup()
    assert "invisible control character" in panel.errors["name"].text()
    assert window.stack.currentWidget() is window.lock_page
    panel.name.clear()
    type_text(panel.name, "Robert'); DROP TABLE consultants;-- 🙂" + "x" * 200)  # cut at 100 by the field
    qtbot.mouseClick(panel.create_button, Qt.MouseButton.LeftButton)
    [admin] = kiosk.accounts.accounts()
    assert admin.display_name.startswith("Robert'); DROP TABLE consultants;-- 🙂") and len(admin.display_name) <= 100


# ------------------------------------------------------------------ touch and looks


def test_lock_screen_controls_are_named_and_touch_sized(kiosk, staff, build, qtbot):
    window = build(kiosk)
    page = window.lock_page
    qtbot.mouseClick(tile_for(window, "Sam Okafor"), Qt.MouseButton.LeftButton)
    for view in (page.choose_view, page.pin_view):
        page.views.setCurrentWidget(view)
        for control in view.findChildren(QWidget):
            if not control.isVisibleTo(view) or not isinstance(control, (QAbstractButton, QLineEdit)):
                continue
            assert control.accessibleName(), type(control).__name__
            assert control.sizeHint().height() >= 44 or control.height() >= 44, control.accessibleName()


def test_the_lock_screen_renders_in_both_orientations(kiosk, staff, build, qtbot, shots, data_dir):
    window = build(kiosk)
    page = window.lock_page
    for width, height in ((1280, 800), (800, 1280)):
        window.resize(width, height)
        page.refresh()
        qtbot.wait(20)
        window.grab().save(str(shots / f"lock-names-{width}x{height}.png"))
        assert window.lock_page.tiles[0].isVisible()
        qtbot.mouseClick(tile_for(window, "Sam Okafor"), Qt.MouseButton.LeftButton)
        type_pin(qtbot, page.pin_entry, "918273")
        qtbot.wait(20)
        window.grab().save(str(shots / f"lock-pin-{width}x{height}.png"))
    for _ in range(3):
        type_pin(qtbot, page.pin_entry, "918273")
    for width, height in ((1280, 800), (800, 1280)):
        window.resize(width, height)
        qtbot.wait(20)
        window.grab().save(str(shots / f"lock-locked-out-{width}x{height}.png"))
        assert page.lockout.isVisible()
        assert page.lockout.geometry().right() <= page.width()

    fresh_dir = data_dir.parent / "fresh"
    fresh = open_kiosk(fresh_dir, now=lambda: FIXED_NOW, pin_hasher=CHEAP_PIN_HASHER)
    try:
        setup = build(fresh)
        for width, height in ((1280, 800), (800, 1280)):
            setup.resize(width, height)
            qtbot.wait(20)
            setup.grab().save(str(shots / f"lock-first-run-{width}x{height}.png"))
            assert setup.lock_page.setup_panel.create_button.isVisible()
        setup.close()
    finally:
        fresh.close()
