"""The screening panel shows each finding's rationale and source; pregnancy offers no override."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from meso_kiosk.ui.pages.intake import IntakePage
from meso_kiosk.ui.pages.patient_details import PatientDetailsPage
from meso_kiosk.ui.theme import apply_theme

ACTOR = "consultant:1"


@pytest.fixture
def themed(qapp):
    apply_theme(qapp)


def _page(kiosk, qtbot, size) -> IntakePage:
    details = PatientDetailsPage(kiosk.patients, kiosk.clinic_data.languages(), kiosk.clock, lambda: ACTOR)
    page = IntakePage(kiosk.intake, details, kiosk.clock, lambda: ACTOR)
    qtbot.addWidget(page)
    page.setMinimumSize(640, 480)
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    return page


def _pregnant_on_a_blood_thinner(kiosk, register):
    patient = register("Amara", "Nwosu", sex_at_birth="female")
    for path, value in {"medical.pregnancy": "pregnant", "medical.anticoagulants": True,
                        "medical.fainting": True}.items():
        kiosk.intake.save_answer(patient.id, path, value, ACTOR)
    return patient


@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)])
def test_findings_show_why_and_where_from_and_pregnancy_cannot_be_overridden(
    kiosk, register, qtbot, themed, shots, size
):
    patient = _pregnant_on_a_blood_thinner(kiosk, register)
    page = _page(kiosk, qtbot, size)
    page.show_patient(patient)
    rows = page.screening.rows

    blood = rows["anticoagulants"]
    assert blood.rationale.isVisible() and blood.rationale.property("role") == "muted"
    assert blood.rationale.text().startswith("Why: ") and "clot" in blood.rationale.text()
    assert blood.source.isVisible() and blood.source.text().startswith("Source: Product information of anticoag")
    assert blood.override_button is not None and blood.not_overridable is None

    pregnant = rows["pregnant_or_breastfeeding"]
    assert pregnant.override_button is None and pregnant.reason_box is None
    assert pregnant.not_overridable.isVisible()
    assert pregnant.not_overridable.text().startswith(
        "This cannot be overridden: no treatment while this applies (pregnant or breastfeeding)."
    )
    assert "Finasteride" in pregnant.source.text()
    assert rows["fainting"].rationale.isVisible() and rows["fainting"].ack is not None

    page.scroll.verticalScrollBar().setValue(page.scroll.verticalScrollBar().maximum())
    qtbot.wait(50)
    page.grab().save(str(shots / f"screening-provenance-{size[0]}x{size[1]}.png"))
    # Nothing the panel shows lets the consultant through: the stop stays, the steps stay blocked.
    assert kiosk.intake.blocked_steps(patient.id)


def test_the_blood_thinner_override_still_works_beside_an_unoverridable_stop(
    kiosk, register, qtbot, themed, type_text
):
    patient = _pregnant_on_a_blood_thinner(kiosk, register)
    page = _page(kiosk, qtbot, (1280, 800))
    page.show_patient(patient)
    row = page.screening.rows["anticoagulants"]
    qtbot.mouseClick(row.override_button, Qt.MouseButton.LeftButton)
    type_text(row.reason, "Prescriber's letter of 12 May on file")
    qtbot.mouseClick(row.record_button, Qt.MouseButton.LeftButton)
    assert "Override recorded" in page.screening.rows["anticoagulants"].override_note.text()
    assert "pregnant" in " ".join(kiosk.intake.blocked_steps(patient.id).values()).lower()


def test_the_blocked_step_says_a_pregnancy_stop_cannot_be_overridden(kiosk, register, qtbot, themed, shots):
    from meso_kiosk.ui.widgets.blocked_step import BlockedStepPanel

    patient = _pregnant_on_a_blood_thinner(kiosk, register)
    kiosk.intake.override(patient.id, "anticoagulants", "Prescriber's letter of 12 May on file", ACTOR)
    reason = kiosk.intake.blocked_steps(patient.id)["consent"]
    assert reason == ("Pregnant or breastfeeding. (Cannot be overridden: no treatment while it applies.)")
    panel = BlockedStepPanel()
    qtbot.addWidget(panel)
    panel.setMinimumSize(640, 480)  # a fixed floor, as the main window has (offscreen warns otherwise)
    panel.resize(1280, 800)
    panel.show_hold("Consent", reason, "intake", "Intake")
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.title.text() == "Consent waits for the intake"
    assert panel.reason.text() == f"Why: {reason}"
    assert panel.go_button.text() == "Go to intake"
    panel.grab().save(str(shots / "blocked-consent-pregnancy-1280x800.png"))
