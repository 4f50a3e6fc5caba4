from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QWidget

from meso_kiosk.services.demo.seed import seed_demo
from meso_kiosk.services.kiosk import open_kiosk


def press_quit(qtbot, window) -> None:
    """Ctrl+Q as a keyboard sends it: to the focused widget of the active window."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    QTest.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_q_quits_and_saves_the_details_typed(window, kiosk, qtbot, register, type_text, data_dir):
    patient = register()
    window.open_patient(patient)
    window.details_page.show_patient(patient)
    phone = window.details_page.form.phone
    phone.clear()
    type_text(phone, "+33 6 12 34 56 78")
    phone.setFocus()
    press_quit(qtbot, window)
    assert not window.isVisible()
    other = open_kiosk(data_dir)
    try:
        assert other.patients.get(patient.id).phone == "+33 6 12 34 56 78"
    finally:
        other.close()


def test_window_opens_on_the_patient_list(window, kiosk):
    assert window.windowTitle().startswith("Meso Kiosk — ")
    assert not window.windowIcon().isNull()
    assert window.stack.currentWidget() is window.patients_page
    assert window.patients_page.search.hasFocus() or window.patients_page.search.isVisible()


def test_typing_in_search_filters_the_list(window, kiosk, qtbot, type_text):
    seed_demo(kiosk)
    window.patients_page.refresh()
    assert len(window.patients_page.visible_patients()) == kiosk.patients.count()
    qtbot.keyClicks(window.patients_page.search, "Sch")
    assert [p.family_name for p in window.patients_page.visible_patients()] == ["Schäfer-Lindqvist"]
    window.patients_page.search.clear()
    type_text(window.patients_page.search, "соко")
    assert [p.family_name for p in window.patients_page.visible_patients()] == ["Соколов"]
    window.patients_page.search.clear()
    qtbot.keyClicks(window.patients_page.search, "zzzz")
    assert window.patients_page.visible_patients() == []
    assert "No patient matches" in window.patients_page.status.text()


def test_creating_a_patient_through_the_ui_persists_it(window, kiosk, qtbot, data_dir, type_text):
    qtbot.mouseClick(window.patients_page.new_button, Qt.MouseButton.LeftButton)
    page = window.new_patient_page
    assert window.stack.currentWidget() is page
    type_text(page.form.given_name, "Ελένη")
    type_text(page.form.family_name, "Παπαδοπούλου")
    qtbot.keyClicks(page.form.date_of_birth, "21/06/1975")
    qtbot.keyClicks(page.form.phone, "+30 691 234 5678")
    page.form.sex_at_birth.setCurrentIndex(page.form.sex_at_birth.findData("female"))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)

    assert window.stack.currentWidget() is window.workspace
    assert window.workspace.patient_name.text() == "Ελένη Παπαδοπούλου"
    # A second, independent connection sees the committed row and its audit entry.
    other = open_kiosk(data_dir)
    try:
        [stored] = other.patients.search("Παπαδοπούλου")
        assert (stored.date_of_birth.isoformat(), stored.sex_at_birth) == ("1975-06-21", "female")
        # (the window fixture's consultant account has its own audit rows: look at the patient's)
        actors = [r[0] for r in other.store.conn.execute("SELECT actor FROM audit_log WHERE entity = 'patient'")]
        assert actors == ["consultant:test"]
        assert other.store.verify_audit().ok
    finally:
        other.close()


def test_validation_errors_sit_next_to_their_fields(window, kiosk, qtbot, shots):
    window.patients_page.new_requested.emit()
    page = window.new_patient_page
    qtbot.keyClicks(page.form.given_name, "R2D2")
    qtbot.keyClicks(page.form.date_of_birth, "2031-01-01")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is page
    assert "letters" in page.form.error_text("given_name")
    assert page.form.error_text("family_name") == "Please enter the family name."
    assert "future" in page.form.error_text("date_of_birth")
    assert page.form.error_text("phone") == ""
    assert page.banner.isVisible() and "3 fields" in page.banner.text()
    assert page.form.given_name.text() == "R2D2"  # what was typed is kept
    assert kiosk.patients.count() == 0
    window.grab().save(str(shots / "new_patient_errors.png"))


def test_workspace_shows_the_steps_and_edits_demographics(window, kiosk, qtbot, register):
    patient = register("Marcus", "Whitfield", "1979-09-30")
    window.patients_page.refresh()
    window.open_patient(patient)
    workspace = window.workspace
    assert [b.text().split(maxsplit=1)[1] for b in workspace.step_bar.buttons] == [
        "Intake", "Course", "Consent", "Photos", "Treatment", "Summary"]
    assert all(b.height() >= 44 for b in workspace.step_bar.buttons)
    qtbot.mouseClick(workspace.step_bar.buttons[1], Qt.MouseButton.LeftButton)
    assert workspace.step_title.text() == "Step 2 of 6 — Course"
    qtbot.mouseClick(workspace.step_bar.buttons[0], Qt.MouseButton.LeftButton)

    details = window.details_page
    details.form.family_name.clear()
    qtbot.keyClicks(details.form.family_name, "Whitfield-Okoro")
    qtbot.mouseClick(details.save_button, Qt.MouseButton.LeftButton)
    assert kiosk.patients.get(patient.id).family_name == "Whitfield-Okoro"
    assert workspace.patient_name.text() == "Marcus Whitfield-Okoro"
    assert details.status.text().startswith("Saved at")


def test_leaving_a_patient_saves_what_was_typed(window, kiosk, qtbot, register):
    patient = register("Ana", "Silva")
    window.open_patient(patient)
    qtbot.keyClicks(window.details_page.form.phone, "+351 912 345 678")
    qtbot.mouseClick(window.workspace.back_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.patients_page
    assert kiosk.patients.get(patient.id).phone == "+351 912 345 678"


def test_leaving_with_invalid_input_stays_and_explains(window, kiosk, qtbot, register):
    patient = register("Ana", "Silva")
    window.open_patient(patient)
    window.workspace.go_to_step("consent")
    window.details_page.form.date_of_birth.clear()
    qtbot.keyClicks(window.details_page.form.date_of_birth, "31/02/1990")
    qtbot.mouseClick(window.workspace.back_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.workspace
    assert window.workspace.stack.currentIndex() == 0
    assert "real date" in window.details_page.form.error_text("date_of_birth")
    assert kiosk.patients.get(patient.id).date_of_birth.isoformat() == "1986-04-12"
    window.details_page.form.date_of_birth.setText("28/02/1990")  # fixed, so closing asks nothing
    assert window.details_page.save()


def test_every_control_is_named_and_big_enough_to_touch(window, kiosk, register):
    window.open_patient(register())
    for page in (window.patients_page, window.new_patient_page, window.workspace):
        window.stack.setCurrentWidget(page)
        for control in page.findChildren(QWidget):
            if not control.isVisibleTo(page) or not isinstance(control, (QAbstractButton, QLineEdit)):
                continue
            if control.parent() is not None and control.parent().inherits("QLineEdit"):
                continue  # the clear button inside a search box
            assert control.accessibleName(), f"{type(control).__name__} {control.objectName()} has no accessible name"
            assert control.sizeHint().height() >= 44 or control.height() >= 44, control.accessibleName()


def test_screens_render_in_both_tablet_orientations(window, kiosk, register, shots, qtbot):
    seed_demo(kiosk)
    window.patients_page.refresh()
    for width, height in ((1280, 800), (800, 1280)):
        window.resize(width, height)
        window.show_patients()
        qtbot.wait(10)
        image = window.grab()
        assert (image.width(), image.height()) == (width, height)
        image.save(str(shots / f"patients_{width}x{height}.png"))
        window.open_patient(window.patients_page.visible_patients()[0])
        qtbot.wait(10)
        window.grab().save(str(shots / f"workspace_{width}x{height}.png"))
        # In portrait the step labels stay whole (number above the label).
        for button in window.workspace.step_bar.buttons:
            assert button.fontMetrics().horizontalAdvance(button.text().split("\n")[-1]) <= button.width()
