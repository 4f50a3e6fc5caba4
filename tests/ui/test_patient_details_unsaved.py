"""Patient-detail edits are never dropped silently (issue 22): leaving the intake step saves
them, or, when a field is wrong, asks to go back and correct it (the error in view) or to
discard them. Errors show once a field is left and go when it is corrected."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from meso_kiosk.ui import app as app_module
from meso_kiosk.ui import window_controls

CONSENT_STEP = 3  # any step but the intake
# The question is a dialog: the offscreen platform notes it cannot size a new window.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def answer_next_question(qtbot, button_text: str) -> list[str]:
    """Click ``button_text`` on the next question the window asks; returns its text once asked."""
    asked: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        asked.append(box.text())
        next(b for b in box.findChildren(QPushButton) if b.text() == button_text).click()

    QTimer.singleShot(0, click)
    return asked


@pytest.fixture(autouse=True)
def _closing_drops_wrong_edits(monkeypatch):
    """Closing the test's window at its end does not ask about wrong edits a test left."""
    monkeypatch.setattr(app_module, "discard_unsaved_details", lambda _window: True)


def _open_with_details(window, register):
    patient = register(email="claire@example.com")
    window.open_patient(patient)
    window.activateWindow()
    return patient, window.details_page


def test_a_correct_edit_is_saved_when_the_intake_step_is_left(window, register, kiosk, type_text):
    patient, details = _open_with_details(window, register)
    details.form.phone.clear()
    type_text(details.form.phone, "+33 6 12 34 56 78")
    window.workspace.go_to_step(CONSENT_STEP)
    assert not details.dirty
    assert kiosk.patients.get(patient.id).phone == "+33 6 12 34 56 78"


def test_leaving_with_a_wrong_field_asks_and_goes_back_to_it(window, register, kiosk, qtbot, type_text):
    patient, details = _open_with_details(window, register)
    intake = window.workspace.pages["intake"]
    details.form.email.clear()
    type_text(details.form.email, "not-an-email")
    asked = answer_next_question(qtbot, "Go back and correct")

    window.workspace.go_to_step(CONSENT_STEP)
    qtbot.waitUntil(lambda: bool(asked))

    assert "e-mail address" in asked[0]  # the question says what is wrong
    qtbot.waitUntil(lambda: window.workspace.stack.currentWidget() is intake)
    assert details.form.email.text() == "not-an-email"  # what was typed is kept
    assert "e-mail address" in details.form.error_text("email")
    assert details.form.email.hasFocus() or not window.isActiveWindow()
    viewport = intake.scroll.viewport()
    top_left = details.form.email.mapTo(viewport, details.form.email.rect().topLeft())
    assert viewport.rect().contains(top_left), "the wrong field is in view"
    assert kiosk.patients.get(patient.id).email == "claire@example.com"


def test_leaving_with_a_wrong_field_can_discard_the_edits(window, register, kiosk, qtbot, type_text):
    patient, details = _open_with_details(window, register)
    details.form.email.clear()
    type_text(details.form.email, "not-an-email")
    asked = answer_next_question(qtbot, "Discard my changes")

    window.workspace.go_to_step(CONSENT_STEP)
    qtbot.waitUntil(lambda: not details.dirty)

    assert asked
    assert details.form.email.text() == "claire@example.com"  # the stored details again
    assert details.form.error_text("email") == ""
    assert window.workspace.stack.currentWidget() is not window.workspace.pages["intake"]


def test_closing_over_a_wrong_field_names_it_and_cancel_keeps_it(window, register, qtbot, type_text, monkeypatch):
    monkeypatch.setattr(app_module, "discard_unsaved_details", window_controls.discard_unsaved_details)
    _patient, details = _open_with_details(window, register)
    details.form.date_of_birth.clear()
    type_text(details.form.date_of_birth, "2099-01-01")
    asked = answer_next_question(qtbot, "Cancel")

    window.close()

    assert asked and "date of birth" in asked[0].lower()
    assert window.isVisible()
    assert details.form.date_of_birth.text() == "2099-01-01"
    assert details.form.error_text("date_of_birth")
    details.discard_edits()


def test_an_error_shows_when_the_field_is_left_and_goes_when_corrected(window, register, qtbot, type_text):
    _patient, details = _open_with_details(window, register)
    form = details.form
    form.email.clear()
    type_text(form.email, "claire@")
    assert form.error_text("email") == ""  # not while typing
    qtbot.keyClick(form.email, Qt.Key.Key_Tab)
    form.email.editingFinished.emit()  # (offscreen focus may not move: leave it as Tab does)
    assert "e-mail address" in form.error_text("email")
    assert details.status.text().startswith("Not saved") or details.status.text() == "Unsaved changes"
    form.email.setFocus()
    type_text(form.email, "example.com")
    form.email.editingFinished.emit()
    assert form.error_text("email") == ""
    assert details.status.text() == "Unsaved changes"
    assert form.error_text("given_name") == ""  # untouched fields say nothing


def test_the_new_patient_banner_goes_once_every_field_is_corrected(window, qtbot, type_text):
    window.patients_page.new_requested.emit()
    page = window.new_patient_page
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.banner.isVisibleTo(page) and "fields" in page.banner.text()
    for editor, text in ((page.form.given_name, "Amara"), (page.form.family_name, "Okafor"),
                         (page.form.date_of_birth, "1990-05-17")):
        type_text(editor, text)
        editor.editingFinished.emit()
    assert not page.banner.isVisibleTo(page)
    assert all(page.form.error_text(name) == "" for name in page.form.field_names())
