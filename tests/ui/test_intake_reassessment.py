"""Intake over time: an inline confirmation before completing, read-only once complete,
re-assessments pre-filled with the stable history, earlier intakes readable, and every change
attributed to whoever the actor callable names at that moment."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from meso_kiosk.domain.intake import CARRIED_INTO_REASSESSMENT, reassessment_draft
from meso_kiosk.domain.actor import consultant_actor
from meso_kiosk.store.consultants import insert_consultant
from meso_kiosk.ui.pages.intake import IntakePage
from meso_kiosk.ui.pages.patient_details import PatientDetailsPage
from meso_kiosk.ui.theme import apply_theme
from meso_kiosk.ui.widgets.intake_fields import ChoiceField, LineField, TextAreaField, YesNoField

CLEAR_MEDICAL = {
    "medical.nsaids": False, "medical.anticoagulants": False, "medical.allergy_solution_ingredient": False,
    "medical.allergy_local_anaesthetic": False, "medical.pregnancy": "not_applicable",
    "medical.bleeding_disorder": False, "medical.scalp_infection": False, "medical.scalp_scarring": False,
    "medical.keloid_tendency": False, "medical.autoimmune": False, "medical.diabetes": False,
    "medical.cancer_treatment": False, "medical.antiplatelets": False, "medical.mesotherapy_reaction": False,
    "medical.heart_condition": False, "medical.fainting": False,
}
FIRST_VISIT = {
    "complaint.hair_loss_type": "androgenetic",
    "complaint.onset_date": "2023-03-01",
    "complaint.duration_months": "44",
    "complaint.family_history": True,
    "complaint.daily_shedding": "160",
    "complaint.previous_treatments.minoxidil": "partly_helped",
    "complaint.previous_treatments.other": "no_effect",
    "complaint.previous_treatment_other": "Rosemary oil",
    "classification.norwood": "III",
    "classification.bald_areas": False,
    "medical.medications": "Ibuprofen when needed",
    "notes.expectations": "Keep the crown",
    "notes.consultant": "First visit",
} | CLEAR_MEDICAL


@pytest.fixture
def themed(qapp):
    apply_theme(qapp)


@pytest.fixture
def who(kiosk):
    """The actor callable, as the sign-in gives it: whoever has the app unlocked right now."""
    with kiosk.store.write("test") as tx:
        first = insert_consultant(tx, "Dr Amélie Laurent")
        second = insert_consultant(tx, "Sam Okafor")
    state = {"actor": consultant_actor(first.id)}
    state["first"], state["second"] = consultant_actor(first.id), consultant_actor(second.id)
    return state


def _page(kiosk, qtbot, who, size=(1280, 800)) -> IntakePage:
    actor = lambda: who["actor"]  # noqa: E731 — read at every write, like SignIn.actor
    details = PatientDetailsPage(kiosk.patients, kiosk.clinic_data.languages(), kiosk.clock, actor)
    page = IntakePage(kiosk.intake, details, kiosk.clock, actor)
    qtbot.addWidget(page)
    page.setMinimumSize(640, 480)
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    return page


def _complete_first_visit(kiosk, patient, actor: str):
    for path, value in FIRST_VISIT.items():
        kiosk.intake.save_answer(patient.id, path, value, actor)
    return kiosk.intake.complete(patient.id, actor)


def _no_dialogs() -> None:
    for widget in QApplication.topLevelWidgets():
        assert not (isinstance(widget, (QDialog, QMessageBox)) and widget.isVisible()), widget


def _audit_actors(kiosk, action: str) -> list[str]:
    return [r[0] for r in kiosk.store.conn.execute("SELECT actor FROM audit_log WHERE action = ?", (action,))]


def test_completing_asks_inline_then_confirms_inline_and_locks_the_form(kiosk, register, qtbot, themed, who):
    patient = register(sex_at_birth="male")
    for path, value in FIRST_VISIT.items():
        kiosk.intake.save_answer(patient.id, path, value, who["actor"])
    page = _page(kiosk, qtbot, who)
    page.show_patient(patient)
    assert page.complete_button.isEnabled(), page.reasons_label.text()
    assert not page.confirm_panel.isVisible()

    # First tap: an inline question, nothing stored yet, no pop-up.
    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)
    assert page.confirm_panel.isVisible() and not page.complete_button.isVisible()
    assert "can no longer be changed" in page.confirm_text.text()
    assert page.focusWidget() is page.confirm_complete  # Enter confirms
    _no_dialogs()
    assert not kiosk.intake.current(patient.id).is_complete
    # "Keep editing" steps back; the draft is still editable.
    qtbot.mouseClick(page.confirm_back, Qt.MouseButton.LeftButton)
    assert not page.confirm_panel.isVisible() and page.complete_button.isVisible()
    assert not page.fields["complaint.daily_shedding"].editor.isReadOnly()
    # A new problem while confirming closes the question (nothing can be completed half-valid).
    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)
    page.fields["medical.diabetes"].yes.click()
    assert not page.confirm_panel.isVisible() and not page.complete_button.isEnabled()
    page.screening.rows["diabetes"].ack.click()

    who["actor"] = who["second"]  # another consultant signs in before confirming
    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.confirm_complete, Qt.MouseButton.LeftButton)
    _no_dialogs()
    record = kiosk.intake.current(patient.id)
    assert record.is_complete
    assert _audit_actors(kiosk, "intake.complete") == [who["second"]]
    # The confirmation is inline, at the top, in words and an icon (not colour alone).
    assert page.notice.isVisible() and page.notice.property("role") == "intake-done"
    assert page.notice_text.text().startswith("✓ Intake marked complete at 09:30")
    assert "can no longer change" in page.notice_text.text()
    assert page.saved_label.text() == "Completed 09:30"
    assert page.reassess_button.isVisible() and not page.complete_card.isVisible()
    # Read-only everywhere: typing, picking and tapping change nothing.
    for path, field in page.fields.items():
        if isinstance(field, (LineField, TextAreaField)):
            assert field.editor.isReadOnly(), path
        elif isinstance(field, ChoiceField):
            assert not field.editor.isEnabled(), path
        elif isinstance(field, YesNoField):
            assert not field.yes.isEnabled() and not field.no.isEnabled(), path
    assert page.fields["complaint.duration_months"].editor.placeholderText() != "YYYY-MM-DD"
    # Coming back to the patient later: the plain "complete" notice, still read-only.
    page.show_patient(patient)
    assert page.notice.property("role") == "intake-notice"
    assert "can no longer change" in page.notice_text.text()


def test_reassessment_copies_the_stable_history_and_asks_the_rest_again(kiosk, register, qtbot, themed, who):
    patient = register(sex_at_birth="male")
    first = _complete_first_visit(kiosk, patient, who["first"])
    page = _page(kiosk, qtbot, who, (800, 1280))
    page.show_patient(patient)
    assert page.earlier_jump.isHidden()
    who["actor"] = who["second"]
    qtbot.mouseClick(page.reassess_button, Qt.MouseButton.LeftButton)

    draft = kiosk.intake.current(patient.id)
    assert draft.id != first.id and not draft.is_complete
    assert _audit_actors(kiosk, "intake.create")[-1] == who["second"]
    carried = set(CARRIED_INTO_REASSESSMENT) | {
        "complaint.previous_treatments.minoxidil", "complaint.previous_treatments.other"}
    for spec in kiosk.intake.specs:
        shown = page.fields[spec.path].raw_value()
        if spec.path in carried:
            assert draft.intake.answer(spec.path) == first.intake.answer(spec.path), spec.path
            assert (shown in (None, "")) == (first.intake.answer(spec.path) is None), spec.path
        else:
            assert draft.intake.answer(spec.path) is None, spec.path
            assert shown in (None, ""), spec.path
    # Every screening question is open again, so the form cannot be completed as it stands.
    assert any("Pregnancy" in reason for reason in page.reasons_not_complete())
    assert page.notice.isVisible()
    assert page.notice_text.text().startswith("Re-assessment. Copied from the assessment of 22 Nov 2026")
    assert "asked again" in page.notice_text.text()
    assert page.earlier_jump.isVisible() and page.earlier_jump.text() == "Earlier assessments (1)"
    # Answers go to the new draft; the complete one is untouched.
    page.fields["complaint.daily_shedding"].editor.setText("90")
    page.fields["complaint.daily_shedding"].editor.editingFinished.emit()
    assert kiosk.intake.current(patient.id).intake.complaint.daily_shedding == 90
    assert kiosk.intake.get(first.id).intake.complaint.daily_shedding == 160


def test_reassessment_draft_is_a_pure_copy_of_the_history_only(kiosk):
    assert not any(v is not None for v in reassessment_draft(None).answers().values())
    service = kiosk.intake
    from meso_kiosk.domain.intake import Intake, update_field

    intake = Intake()
    for path, value in FIRST_VISIT.items():
        intake = update_field(intake, path, value, options=service.options, today=kiosk.clock.today())
    draft = reassessment_draft(intake)
    assert draft.status.value == "draft"
    assert draft.complaint.previous_treatments == intake.complaint.previous_treatments
    assert draft.medical == type(draft.medical)() and draft.classification == type(draft.classification)()
    assert draft.notes == type(draft.notes)()
    assert draft.complaint.duration_months is None and draft.complaint.daily_shedding is None
    assert draft.complaint.onset_date == intake.complaint.onset_date


def test_earlier_intakes_open_read_only_with_date_status_answers_and_screening(
        kiosk, register, qtbot, themed, who, shots):
    patient = register("Jürgen", "Schäfer", sex_at_birth="male")
    for path, value in (FIRST_VISIT | {"medical.anticoagulants": True}).items():
        kiosk.intake.save_answer(patient.id, path, value, who["first"])
    page = _page(kiosk, qtbot, who)
    page.show_patient(patient)
    row = page.screening.rows["anticoagulants"]
    qtbot.mouseClick(row.override_button, Qt.MouseButton.LeftButton)
    row.reason.setPlainText("Cardiologist's letter on file.")
    qtbot.mouseClick(row.record_button, Qt.MouseButton.LeftButton)
    assert _audit_actors(kiosk, "intake.override") == [who["first"]]
    note = page.screening.rows["anticoagulants"].override_note.text()
    assert note.endswith("by Dr Amélie Laurent"), note  # a name, not "consultant:1", never "kiosk"
    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.confirm_complete, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.reassess_button, Qt.MouseButton.LeftButton)
    page.fields["classification.norwood"].editor.setCurrentIndex(
        page.fields["classification.norwood"].editor.findData("IV"))

    # The earlier one: found from the top, opened read-only, with its own answers and outcome.
    qtbot.mouseClick(page.earlier_jump, Qt.MouseButton.LeftButton)
    assert page.history_card.isVisible() and len(page.history_buttons) == 1
    qtbot.mouseClick(page.history_buttons[0], Qt.MouseButton.LeftButton)
    assert page.state_label.text().startswith("Earlier assessment · complete · 22 Nov 2026")
    assert "Read-only" in page.notice_text.text() and page.current_button.isVisible()
    assert page.fields["classification.norwood"].raw_value() == "III"
    assert page.fields["notes.consultant"].raw_value() == "First visit"
    assert not page.fields["classification.norwood"].editor.isEnabled()
    stop = page.screening.rows["anticoagulants"]
    assert stop.override_button is None and "Cardiologist" in stop.override_reason.text()
    assert "all handled" in page.screening.summary.text()
    assert page.history_buttons[0].text() == "Shown above" and not page.history_buttons[0].isEnabled()
    for width, height in ((1280, 800), (800, 1280)):
        page.resize(width, height)
        qtbot.wait(20)
        assert page.scroll.widget().width() <= page.scroll.viewport().width()
        name = f"intake_earlier_{width}x{height}.png"
        page.grab().save(str(shots / name))
    qtbot.mouseClick(page.current_button, Qt.MouseButton.LeftButton)
    assert page.fields["classification.norwood"].raw_value() == "IV"
    assert page.history_buttons[0].text() == "Open" and page.history_buttons[0].isEnabled()


def test_the_page_attributes_changes_to_the_actor_callable_only():
    source = Path(__file__).parents[2] / "meso_kiosk" / "ui" / "pages" / "intake.py"
    text = source.read_text(encoding="utf-8")
    assert '"kiosk"' not in text and "'kiosk'" not in text

