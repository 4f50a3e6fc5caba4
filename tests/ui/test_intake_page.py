"""The intake page: filled through its widgets, autosaved without a Save button, restored exactly."""

from __future__ import annotations


import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget

from meso_kiosk.domain.intake_form import FieldKind
from meso_kiosk.services.kiosk import open_kiosk
from meso_kiosk.ui.pages.coming_next import ComingNextPage
from meso_kiosk.ui.pages.intake import AUTOSAVE_DELAY_MS, IntakePage
from meso_kiosk.ui.pages.patient_details import PatientDetailsPage
from meso_kiosk.ui.pages.workspace import WorkspacePage
from meso_kiosk.ui.pages.step import held_by_intake_stops
from meso_kiosk.ui.theme import apply_theme
from meso_kiosk.ui.widgets.intake_fields import ChoiceField, LineField, TextAreaField, YesNoField

from ..conftest import FIXED_NOW

ACTOR = "consultant:test"

# One answer for every question on the form, as a consultant would type or pick it.
# "other" as the type of hair loss, for a patient whose sex at birth is not recorded,
# offers every scale, and "other" as a previous treatment asks for its description:
# so every question of the form is on screen and answered.
WHOLE_FORM: dict[str, object] = {
    "complaint.hair_loss_type": "other",
    "complaint.hair_loss_type_other": "Diffuse thinning after COVID-19 — Ελένη's sister too 👩‍⚕️",
    "complaint.onset_date": "2025-09-15",
    "complaint.duration_months": "14",
    "complaint.family_history": True,
    "complaint.daily_shedding": "180",
    "complaint.previous_treatments.minoxidil": "helped",
    "complaint.previous_treatments.finasteride": "stopped_side_effects",
    "complaint.previous_treatments.prp": "no_effect",
    "complaint.previous_treatments.transplant": "unknown",
    "complaint.previous_treatments.other": "ongoing",
    "complaint.previous_treatment_other": "Rosemary oil; 'DROP TABLE intakes;--",
    "classification.norwood": "III_vertex",
    "classification.ludwig": "II",
    "classification.sinclair": "3",
    "classification.salt.vertex": "50",
    "classification.salt.posterior": "25",
    "classification.salt.right": "10",
    "classification.salt.left": "12.5",
    "classification.bald_areas": False,
    "medical.medications": "Levothyroxine 50 µg\nVitamin D",
    "medical.nsaids": True,
    "medical.anticoagulants": False,
    "medical.antiplatelets": False,
    "medical.allergies": "Penicillin (rash)",
    "medical.allergy_solution_ingredient": False,
    "medical.allergy_local_anaesthetic": True,
    "medical.mesotherapy_reaction": False,
    "medical.pregnancy": "not_applicable",
    "medical.bleeding_disorder": False,
    "medical.scalp_infection": False,
    "medical.scalp_scarring": False,
    "medical.keloid_tendency": True,
    "medical.autoimmune": False,
    "medical.diabetes": False,
    "medical.heart_condition": False,
    "medical.fainting": False,
    "medical.cancer_treatment": False,
    "medical.notes": "Thyroid checked in May: normal.",
    "notes.expectations": "Less shedding; 王 said the same",
    "notes.consultant": "Good candidate. مرحبا",
}


def _page(kiosk, qtbot, size=(1280, 800)) -> IntakePage:
    details = PatientDetailsPage(kiosk.patients, kiosk.clinic_data.languages(), kiosk.clock, lambda: ACTOR)
    page = IntakePage(kiosk.intake, details, kiosk.clock, lambda: ACTOR)
    qtbot.addWidget(page)
    page.setMinimumSize(640, 480)  # a fixed floor, as the main window has (offscreen warns otherwise)
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def themed(qapp):
    apply_theme(qapp)


def _enter(page: IntakePage, qtbot, type_text, path: str, value: object) -> None:
    """Answer one question the way a person does: pick, tap or type."""
    field = page.fields[path]
    page.scroll.ensureWidgetVisible(field)
    if isinstance(field, ChoiceField):
        field.editor.setCurrentIndex(field.editor.findData(value))
    elif isinstance(field, YesNoField):
        qtbot.mouseClick(field.yes if value else field.no, Qt.MouseButton.LeftButton)
    elif isinstance(field, LineField):
        field.editor.clear()
        type_text(field.editor, str(value))
    else:
        assert isinstance(field, TextAreaField)
        field.editor.clear()
        for index, line in enumerate(str(value).split("\n")):
            if index:
                qtbot.keyClick(field.editor, Qt.Key.Key_Return)
            type_text(field.editor, line)


def _shown_text(field) -> object:
    if isinstance(field, (ChoiceField, YesNoField)):
        return field.raw_value()
    return field.editor.text() if isinstance(field, LineField) else field.editor.toPlainText()


def test_whole_form_filled_closed_without_saving_and_restored_from_the_database(
    kiosk, register, data_dir, qtbot, type_text, themed
):
    patient = register("Noa", "Quispe")  # sex at birth not recorded: every scale is offered
    page = _page(kiosk, qtbot)
    page.show_patient(patient)
    assert [spec.path for spec in kiosk.intake.specs] == list(WHOLE_FORM), "a question was added: answer it here"
    for path, value in WHOLE_FORM.items():
        assert page.is_shown(path), f"{path} is not on the form"
        _enter(page, qtbot, type_text, path, value)
    assert page.fields["complaint.daily_shedding"].error_text() == ""
    # No save action: the page is simply closed (as when the window closes or the step changes).
    page.close()
    kiosk.close()

    reopened = open_kiosk(data_dir, now=lambda: FIXED_NOW)
    try:
        stored = reopened.intake.latest_intake(patient.id)
        for path in WHOLE_FORM:
            assert stored.answer(path) is not None, f"{path} was not saved"
        again = _page(reopened, qtbot)
        again.show_patient(reopened.patients.get(patient.id))
        for path, value in WHOLE_FORM.items():
            assert _shown_text(again.fields[path]) == value, path
            assert again.is_shown(path)
        assert "SALT score 30.1" in again.salt_score_label.text()
        assert again.state_label.text().startswith("Draft")
        rules = {f.rule_id for f in reopened.intake.current(patient.id).outcome.findings}
        assert {"nsaids", "allergy_local_anaesthetic", "keloid_tendency", "finasteride_side_effects"} <= rules
    finally:
        reopened.close()


def test_an_answer_reaches_the_database_within_a_second_while_typing(kiosk, register, qtbot, themed):
    patient = register()
    page = _page(kiosk, qtbot)
    page.show_patient(patient)
    editor = page.fields["complaint.daily_shedding"].editor
    editor.setFocus()
    qtbot.keyClicks(editor, "240")
    assert AUTOSAVE_DELAY_MS <= 700
    qtbot.waitUntil(
        lambda: (kiosk.intake.latest_intake(patient.id) or None) is not None
        and kiosk.intake.latest_intake(patient.id).complaint.daily_shedding == 240,
        timeout=1000,
    )
    qtbot.waitUntil(lambda: page.saved_label.text() == "Saved 09:30" or page.saved_label.text().startswith("Saved "))


def test_leaving_a_field_saves_at_once_and_switching_patient_flushes(kiosk, register, qtbot, themed):
    first, second = register("Ana", "Silva"), register("Ben", "Okoro")
    page = _page(kiosk, qtbot)
    page.show_patient(first)
    qtbot.keyClicks(page.fields["complaint.duration_months"].editor, "7")
    page.fields["complaint.duration_months"].editor.editingFinished.emit()  # what focus-out sends
    assert kiosk.intake.latest_intake(first.id).complaint.duration_months == 7
    qtbot.keyClicks(page.fields["notes.consultant"].editor, "Call back in June")
    page.show_patient(second)  # no pause: the pending note must not be lost, nor land on Ben
    assert kiosk.intake.latest_intake(first.id).notes.consultant == "Call back in June"
    assert kiosk.intake.latest_intake(second.id) is None
    assert page.fields["notes.consultant"].editor.toPlainText() == ""


@pytest.mark.parametrize(
    ("path", "typed", "words"),
    [
        ("classification.salt.vertex", "150", "between 0 and 100"),
        ("complaint.onset_date", "2030-01-01", "future"),
        ("complaint.daily_shedding", "99999", "not plausible"),
        ("complaint.daily_shedding", "-4", "negative"),
        ("complaint.hair_loss_type_other", "x" * 300, "too long"),
    ],
)
def test_invalid_answer_keeps_the_typing_shows_why_and_stores_nothing(
    kiosk, register, qtbot, themed, path, typed, words
):
    patient = register()
    page = _page(kiosk, qtbot)
    page.show_patient(patient)
    if path == "complaint.hair_loss_type_other":
        page.fields["complaint.hair_loss_type"].editor.setCurrentIndex(
            page.fields["complaint.hair_loss_type"].editor.findData("other"))
    if path.startswith("classification.salt"):
        page.fields["complaint.hair_loss_type"].editor.setCurrentIndex(
            page.fields["complaint.hair_loss_type"].editor.findData("alopecia_areata"))
    field = page.fields[path]
    field.editor.setText(typed)
    field.editor.textEdited.emit(typed)
    qtbot.waitUntil(lambda: words in field.error_text(), timeout=1500)
    assert field.editor.text() == typed
    intake = kiosk.intake.latest_intake(patient.id)
    assert intake is None or intake.answer(path) is None
    assert "Not saved" in page.saved_label.text()
    assert not page.complete_button.isEnabled()
    assert any("not valid and not saved" in r for r in page.reasons_not_complete())


def test_pasting_100_kb_or_control_characters_into_notes_is_refused_politely(kiosk, register, qtbot, themed):
    patient = register()
    page = _page(kiosk, qtbot)
    page.show_patient(patient)
    notes = page.fields["notes.consultant"]
    notes.editor.setPlainText("é" * 100_000)
    page.flush()
    assert "too long" in notes.error_text()
    notes.editor.setPlainText("bell\x07 ring")
    page.flush()
    assert "control character" in notes.error_text()
    assert kiosk.intake.latest_intake(patient.id) is None or kiosk.intake.latest_intake(patient.id).notes.consultant is None
    notes.editor.setPlainText("'); DELETE FROM intakes; --")
    page.flush()
    assert notes.error_text() == ""
    assert kiosk.intake.latest_intake(patient.id).notes.consultant == "'); DELETE FROM intakes; --"


def test_salt_score_is_computed_live_as_regions_are_typed(kiosk, register, qtbot, themed):
    patient = register(sex_at_birth="female")
    page = _page(kiosk, qtbot)
    page.show_patient(patient)
    type_box = page.fields["complaint.hair_loss_type"].editor
    type_box.setCurrentIndex(type_box.findData("alopecia_areata"))
    assert page.is_shown("classification.salt.vertex") and not page.is_shown("classification.ludwig")
    for region, value in (("vertex", "50"), ("posterior", "25"), ("right", "10")):
        qtbot.keyClicks(page.fields[f"classification.salt.{region}"].editor, value)
    assert "appears when all four" in page.salt_score_label.text()
    qtbot.keyClicks(page.fields["classification.salt.left"].editor, "0")
    assert page.salt_score_label.text() == "SALT score 27.8 of 100 — S2 – 25 to 49 %"  # before any save
    qtbot.keyClick(page.fields["classification.salt.left"].editor, Qt.Key.Key_Backspace)
    qtbot.keyClicks(page.fields["classification.salt.left"].editor, "100")
    assert "SALT score 45.8" in page.salt_score_label.text()


@pytest.mark.parametrize(
    ("sex", "hair_type", "shown", "hidden"),
    [
        ("male", "androgenetic", ["norwood"], ["ludwig", "sinclair", "salt.vertex"]),
        ("female", "androgenetic", ["ludwig", "sinclair"], ["norwood", "salt.vertex"]),
        ("female", "alopecia_areata", ["salt.vertex", "salt.left"], ["norwood", "ludwig", "sinclair"]),
        ("male", "scalp_condition", [], ["norwood", "ludwig", "sinclair", "salt.vertex"]),
    ],
)
def test_classification_offers_the_scale_that_fits(kiosk, register, qtbot, themed, sex, hair_type, shown, hidden):
    patient = register(sex_at_birth=sex)
    page = _page(kiosk, qtbot)
    page.show_patient(patient)
    box = page.fields["complaint.hair_loss_type"].editor
    box.setCurrentIndex(box.findData(hair_type))
    for name in shown:
        assert page.is_shown(f"classification.{name}") and page.fields[f"classification.{name}"].isVisible()
    for name in hidden:
        assert not page.is_shown(f"classification.{name}") and not page.fields[f"classification.{name}"].isVisible()
    if not shown:
        assert "No classification scale" in page.scale_hint.text()


def _workspace(kiosk, qtbot, size=(1280, 800)):
    """The workspace as ui/app.py composes it, with the other steps as placeholders."""
    info = kiosk.clinic_data.app_info()
    details = PatientDetailsPage(kiosk.patients, kiosk.clinic_data.languages(), kiosk.clock, lambda: ACTOR)
    pages: dict[str, QWidget] = {s.id: ComingNextPage(s, guard=held_by_intake_stops(kiosk.intake.blocked_steps, s.id))
                                 for s in info.steps if s.id != "intake"}
    pages["intake"] = IntakePage(kiosk.intake, details, kiosk.clock, lambda: ACTOR)
    workspace = WorkspacePage(info.steps, pages, kiosk.clock)
    qtbot.addWidget(workspace)
    workspace.setMinimumSize(640, 480)
    workspace.resize(*size)
    workspace.show()
    qtbot.waitExposed(workspace)
    return workspace


def _open(workspace, patient):
    workspace.show_patient(patient)  # every step learns the patient, then step 1 opens


def test_a_stop_blocks_the_scalp_map_until_a_reasoned_override(kiosk, register, qtbot, type_text, themed):
    patient = register("Jürgen", "Schäfer", sex_at_birth="male")
    workspace = _workspace(kiosk, qtbot)
    _open(workspace, patient)
    page: IntakePage = workspace.pages["intake"]
    qtbot.mouseClick(page.fields["medical.anticoagulants"].yes, Qt.MouseButton.LeftButton)
    stop_row = page.screening.rows["anticoagulants"]
    assert stop_row.title.text() == "Stop" and stop_row.title.accessibleName().startswith("⛔")

    qtbot.mouseClick(workspace.step_bar.buttons[workspace.step_index("scalp_map")], Qt.MouseButton.LeftButton)
    assert workspace.stack.currentWidget() is workspace.blocked
    assert workspace.blocked.title.text() == "Treatment waits for the intake"
    assert workspace.blocked.reason.text().startswith("Why: ")
    assert "blood thinner" in workspace.blocked.reason.text()
    qtbot.mouseClick(workspace.step_bar.buttons[2], Qt.MouseButton.LeftButton)  # Consent: blocked too
    assert workspace.stack.currentWidget() is workspace.blocked
    qtbot.mouseClick(workspace.step_bar.buttons[1], Qt.MouseButton.LeftButton)  # Course: not blocked
    assert workspace.stack.currentWidget() is workspace.pages["course"]
    workspace.go_to_step("scalp_map")
    assert workspace.blocked.go_button.text() == "Go to intake"
    qtbot.mouseClick(workspace.blocked.go_button, Qt.MouseButton.LeftButton)
    assert workspace.stack.currentWidget() is page

    # An empty reason is refused next to the box; nothing is recorded.
    stop_row = page.screening.rows["anticoagulants"]
    qtbot.mouseClick(stop_row.override_button, Qt.MouseButton.LeftButton)
    assert stop_row.reason_box.isVisible()
    qtbot.mouseClick(stop_row.record_button, Qt.MouseButton.LeftButton)
    assert "reason" in stop_row.reason_error.text()
    assert kiosk.intake.blocked_steps(patient.id)

    type_text(stop_row.reason, "Dr Weber (cardiology) agrees in writing, letter of 12 Nov on file.")
    qtbot.mouseClick(stop_row.record_button, Qt.MouseButton.LeftButton)
    assert kiosk.intake.blocked_steps(patient.id) == {}
    assert "Override recorded" in page.screening.rows["anticoagulants"].override_note.text()
    action = kiosk.store.conn.execute("SELECT action, entity FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert tuple(action) == ("intake.override", "intake")
    qtbot.mouseClick(workspace.step_bar.buttons[workspace.step_index("scalp_map")], Qt.MouseButton.LeftButton)
    assert workspace.stack.currentWidget() is workspace.pages["scalp_map"]


def test_complete_then_reassess_keeps_the_earlier_one_readable(kiosk, register, qtbot, themed):
    patient = register(sex_at_birth="male")
    page = _page(kiosk, qtbot, (800, 1280))
    page.show_patient(patient)
    assert not page.complete_button.isEnabled()
    assert "Type of hair loss" in page.reasons_label.text()
    box = page.fields["complaint.hair_loss_type"].editor
    box.setCurrentIndex(box.findData("androgenetic"))
    page.fields["classification.norwood"].editor.setCurrentIndex(
        page.fields["classification.norwood"].editor.findData("IV"))
    page.fields["complaint.duration_months"].editor.setText("24")
    page.fields["complaint.duration_months"].editor.editingFinished.emit()
    pregnancy = page.fields["medical.pregnancy"].editor
    pregnancy.setCurrentIndex(pregnancy.findData("not_applicable"))
    for spec in kiosk.intake.specs:
        if spec.kind is FieldKind.BOOL and spec.section == "medical":
            qtbot.mouseClick(page.fields[spec.path].no, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.fields["medical.diabetes"].yes, Qt.MouseButton.LeftButton)
    ack = page.screening.rows["diabetes"].ack
    assert ack.text().startswith("Acknowledged") and ack.height() >= 44
    assert not page.complete_button.isEnabled()
    ack.click()
    assert page.complete_button.isEnabled(), page.reasons_label.text()
    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)
    assert page.confirm_panel.isVisible() and not kiosk.intake.current(patient.id).is_complete
    qtbot.mouseClick(page.confirm_complete, Qt.MouseButton.LeftButton)
    assert kiosk.intake.current(patient.id).is_complete
    assert page.state_label.text().startswith("Complete")
    assert page.reassess_button.isVisible() and not page.complete_card.isVisible()
    assert page.fields["complaint.duration_months"].editor.isReadOnly()

    qtbot.mouseClick(page.reassess_button, Qt.MouseButton.LeftButton)
    assert page.state_label.text().startswith("Draft")
    assert page.fields["classification.norwood"].raw_value() is None  # re-staged, not copied
    assert page.fields["complaint.hair_loss_type"].raw_value() == "androgenetic"  # history copied
    assert len(page.history_buttons) == 1 and page.history_card.isVisible()
    page.fields["classification.norwood"].editor.setCurrentIndex(
        page.fields["classification.norwood"].editor.findData("V"))
    qtbot.mouseClick(page.history_buttons[0], Qt.MouseButton.LeftButton)
    assert page.fields["classification.norwood"].raw_value() == "IV"  # the earlier one, read-only
    assert not page.fields["classification.norwood"].editor.isEnabled()
    assert "earlier assessment" in page.notice_text.text()
    qtbot.mouseClick(page.current_button, Qt.MouseButton.LeftButton)
    assert page.fields["classification.norwood"].raw_value() == "V"
    assert kiosk.intake.latest_intake(patient.id).classification.norwood == "V"


def test_every_intake_control_is_named_and_big_enough(kiosk, register, qtbot, themed):
    patient = register()
    page = _page(kiosk, qtbot)
    page.show_patient(patient)
    qtbot.mouseClick(page.fields["medical.anticoagulants"].yes, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.fields["medical.nsaids"].yes, Qt.MouseButton.LeftButton)
    for control in page.findChildren(QWidget):
        if not control.isVisibleTo(page) or not isinstance(control, (QAbstractButton, QLineEdit)):
            continue
        assert control.accessibleName(), f"{type(control).__name__} {control.text()!r} has no accessible name"
        assert max(control.sizeHint().height(), control.height()) >= 44, control.accessibleName()


def test_intake_renders_in_both_tablet_orientations(kiosk, register, qtbot, themed, shots):
    patient = register("Amara", "Nwosu", sex_at_birth="female")
    for path, value in {
        "complaint.hair_loss_type": "androgenetic", "complaint.duration_months": "30",
        "complaint.daily_shedding": "350", "classification.ludwig": "II", "medical.nsaids": True,
        "medical.anticoagulants": True, "medical.pregnancy": "no", "medical.allergies": "Nickel",
    }.items():
        kiosk.intake.save_answer(patient.id, path, value, ACTOR)
    for width, height in ((1280, 800), (800, 1280)):
        workspace = _workspace(kiosk, qtbot, (width, height))
        _open(workspace, patient)
        page: IntakePage = workspace.pages["intake"]
        qtbot.wait(20)
        body = page.scroll.widget()
        assert body.width() <= page.scroll.viewport().width()  # no sideways scrolling
        for name in (f"intake_{width}x{height}.png",):
            image = workspace.grab()
            assert (image.width(), image.height()) == (width, height)
            image.save(str(shots / name))
        full = body.grab()
        full.save(str(shots / f"intake_full_{width}x{height}.png"))
        page.scroll.ensureWidgetVisible(page.screening)
        qtbot.wait(10)
        workspace.grab().save(str(shots / f"intake_screening_{width}x{height}.png"))
        workspace.go_to_step("scalp_map")
        workspace.grab().save(str(shots / f"intake_blocked_{width}x{height}.png"))
        workspace.close()


def test_refresh_reads_what_was_stored_elsewhere_and_keeps_a_refused_answer(kiosk, register, qtbot, type_text,
                                                                            themed):
    patient = register()
    page = _page(kiosk, qtbot)
    page.show_patient(patient)
    kiosk.intake.save_answer(patient.id, "medical.medications", "Sertraline 50 mg", ACTOR)  # another screen
    page.refresh()
    assert _shown_text(page.fields["medical.medications"]) == "Sertraline 50 mg"
    _enter(page, qtbot, type_text, "complaint.daily_shedding", "lots")
    page.flush()
    assert page.fields["complaint.daily_shedding"].error_text()
    kiosk.intake.save_answer(patient.id, "notes.consultant", "Seen with her sister.", ACTOR)
    page.refresh()
    assert _shown_text(page.fields["complaint.daily_shedding"]) == "lots"  # what was typed stays
    assert page.fields["complaint.daily_shedding"].error_text()
    assert page.record.intake.answer("notes.consultant") == "Seen with her sister."
