"""Withdrawing the photo consent from the Photos step: the record says what happens to the photos
already taken (nothing preselected), the consultant's PIN confirms it, and from then on the photos
are gone from the step; refused input leaves everything as it was."""

from __future__ import annotations

from PySide6.QtCore import Qt

from meso_kiosk.store.photos import photos_folder
from meso_kiosk.ui.theme import apply_theme
from meso_kiosk.ui.widgets.photo_withdraw import PhotoWithdrawPanel
from tests.consultation import COUNTERSIGN_PIN
from tests.photo_files import consenting_patient, jpeg
from tests.ui.test_consent_page import type_pin


def panel_for(qtbot, qapp, kiosk, register, photos_taken: int = 2):
    apply_theme(qapp)
    patient_id, consultant_id = consenting_patient(kiosk, register)
    for colour in ("sienna", "khaki", "olive")[:photos_taken]:
        kiosk.photos.add(patient_id, "vertex", jpeg(colour=colour), consultant_id)
    account = kiosk.accounts.account(consultant_id)
    panel = PhotoWithdrawPanel(kiosk.photos, kiosk.accounts, lambda: account)
    qtbot.addWidget(panel)
    panel.setMinimumSize(640, 480)  # a top level's own minimum (the offscreen plugin warns otherwise)
    panel.resize(900, 1000)
    panel.show()
    panel.start(kiosk.patients.get(patient_id))
    return panel, patient_id


def withdrawals(kiosk, patient_id: int) -> list[tuple]:
    return kiosk.store.conn.execute("SELECT disposition, reason FROM photo_consent_withdrawals WHERE patient_id = ?",
                                    (patient_id,)).fetchall()


def test_nothing_is_preselected_and_a_wrong_pin_records_nothing(qtbot, qapp, kiosk, register):
    panel, patient_id = panel_for(qtbot, qapp, kiosk, register)
    assert panel.taken.text() == "2 photos have been taken so far."
    assert panel.disposition() is None
    type_pin(qtbot, panel.pin, COUNTERSIGN_PIN)
    assert panel.choice_error.isVisible() and "Choose what happens" in panel.choice_error.text()
    assert withdrawals(kiosk, patient_id) == []

    qtbot.mouseClick(panel.choice_buttons["keep"], Qt.MouseButton.LeftButton)
    assert not panel.choice_error.isVisible()
    type_pin(qtbot, panel.pin, "000000")
    assert panel.pin.pin_entry.error.text()  # the PIN's own message, by the PIN
    assert withdrawals(kiosk, patient_id) == [] and len(kiosk.photos.photos(patient_id)) == 2


def test_keep_hides_the_photos_and_says_so(qtbot, qapp, kiosk, register):
    panel, patient_id = panel_for(qtbot, qapp, kiosk, register)
    qtbot.mouseClick(panel.choice_buttons["keep"], Qt.MouseButton.LeftButton)
    panel.reason.setPlainText("Ne veut plus de photos 📷 '); DROP TABLE photos;--")
    with qtbot.waitSignal(panel.withdrawn) as signal:
        type_pin(qtbot, panel.pin, COUNTERSIGN_PIN)
    record, words = signal.args
    assert record is not None and "retention rule" in words
    assert withdrawals(kiosk, patient_id) == [("keep", "Ne veut plus de photos 📷 '); DROP TABLE photos;--")]
    assert kiosk.photos.photos(patient_id) == [] and kiosk.photos.may_take(patient_id)
    files = list((photos_folder(kiosk.paths.root) / str(patient_id)).glob("*.jpg"))
    assert len(files) == 2  # kept under the retention rule, shown nowhere


def test_delete_removes_the_files_on_request(qtbot, qapp, kiosk, register):
    panel, patient_id = panel_for(qtbot, qapp, kiosk, register, photos_taken=3)
    qtbot.mouseClick(panel.choice_buttons["delete"], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.withdrawn) as signal:
        type_pin(qtbot, panel.pin, COUNTERSIGN_PIN)
    assert "3 photo(s)" in signal.args[1] and "deleted" in signal.args[1]
    assert list((photos_folder(kiosk.paths.root) / str(patient_id)).glob("*.jpg")) == []
    assert withdrawals(kiosk, patient_id) == [("delete", None)]


def test_a_reason_too_long_is_refused_by_its_field_and_nothing_is_recorded(qtbot, qapp, kiosk, register):
    panel, patient_id = panel_for(qtbot, qapp, kiosk, register)
    qtbot.mouseClick(panel.choice_buttons["keep"], Qt.MouseButton.LeftButton)
    panel.reason.setPlainText("x" * 5000)
    type_pin(qtbot, panel.pin, COUNTERSIGN_PIN)
    assert panel.reason_error.isVisible() and panel.reason_error.text()
    assert panel.reason.property("invalid") is True
    assert withdrawals(kiosk, patient_id) == [] and len(kiosk.photos.photos(patient_id)) == 2


def test_every_control_is_named_and_big_enough(qtbot, qapp, kiosk, register):
    panel, _ = panel_for(qtbot, qapp, kiosk, register)
    for control in (*panel.choice_buttons.values(), panel.cancel_button, panel.reason):
        assert control.accessibleName()
        assert control.height() >= 44


def test_from_the_photos_step_the_photos_go_and_the_step_says_why(qtbot, window, kiosk, register):
    from tests.ui.test_photos_page import open_photos

    patient_id, consultant_id = consenting_patient(kiosk, register)
    kiosk.photos.add(patient_id, "vertex", jpeg(), consultant_id)
    page = open_photos(window, kiosk, patient_id)
    page.tiles_area.ensureWidgetVisible(page.withdraw_button)  # after the six views
    assert page.withdraw_button.isVisible() and page.withdraw_button.height() >= 44
    qtbot.mouseClick(page.withdraw_button, Qt.MouseButton.LeftButton)
    panel = page.withdraw
    assert page.stack.currentWidget() is page.withdraw_area and panel.isVisible()
    assert panel.taken.text() == "One photo has been taken so far."
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is page.tiles_page and kiosk.photos.may_take(patient_id) is None

    qtbot.mouseClick(page.withdraw_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.choice_buttons["delete"], Qt.MouseButton.LeftButton)
    type_pin(qtbot, panel.pin, COUNTERSIGN_PIN)
    assert page.stack.currentWidget() is page.notice
    assert "withdrew their photo consent" in page.notice_reason.text()
    assert "1 photo(s) already taken were deleted" in page.notice_reason.text()
    photos_step = window.workspace.step_bar.buttons[window.workspace.step_index("photos")]
    assert photos_step.text().endswith("✓")  # no photos to take any more: nothing left to do here
    assert kiosk.photos.photos(patient_id) == []

    window.open_patient(kiosk.patients.get(patient_id))  # another day: the notice, without the one-off words
    window.workspace.go_to_step(window.workspace.step_index("photos"))
    assert page.stack.currentWidget() is page.notice and "deleted" not in page.notice_reason.text()
