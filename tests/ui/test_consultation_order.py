"""Issue 22 point 2 through the real window: the steps in the order they are done, a returning
patient opening on today's task, "Continue" going on from a step whose work is done (its redo
action stepped back), a blocked treatment's button landing on the step that unblocks it, and the
signed-in consultant shown in both headers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from tests.conftest import COUNTERSIGN_PIN, FIXED_NOW
from tests.consultation import CLEAR_INTAKE, complete_intake, ensure_consultant, session_form, sign
from tests.ui.session_page import click_zone
from tests.ui.test_lock_screen import unlock

STEPS = ["Intake", "Course", "Consent", "Photos", "Treatment", "Summary"]


@pytest.fixture
def monday(kiosk):
    """The clinic is closed on Sundays (FIXED_NOW is one): a Monday, when a session can be due."""
    kiosk.clock.now = lambda: FIXED_NOW + timedelta(days=1)


def plan_course(kiosk, patient_id: int, days_from_today: int = 0) -> None:
    start = kiosk.clock.today() + timedelta(days=days_from_today)
    kiosk.course.start_course(patient_id, start=start.isoformat(), protocol_id=kiosk.course.suggest(patient_id).level,
                              actor="test")


def close_session_today(kiosk, patient_id: int) -> None:
    consultant_id, _ = ensure_consultant(kiosk)
    kiosk.sessions.close(patient_id, session_form(consultant_id, kiosk.clock.now_utc(), 1), "test")


def bar_words(workspace) -> list[str]:
    return [widget.text() for widget in workspace.step_bar.buttons]


def shown(workspace):
    return workspace.stack.currentWidget()


def ready(kiosk, register, sign_consent, *, course_in_days: int = 0, name=("Claire", "Dubois")):
    """Intake complete, a course planned, a consent in force."""
    patient = register(*name)
    complete_intake(kiosk, patient.id)
    plan_course(kiosk, patient.id, course_in_days)
    sign_consent(patient.id)
    return patient


CASES = {
    "a new patient: intake": ("intake", lambda kiosk, patient, sign_consent: None),
    "an intake begun: intake": ("intake", lambda kiosk, patient, sign_consent: kiosk.intake.save_answer(
        patient.id, "complaint.duration_months", "6", "test")),
    "intake complete, no course: course": ("course", lambda kiosk, patient, sign_consent: complete_intake(
        kiosk, patient.id)),
    "no consent yet: consent": ("consent", lambda kiosk, patient, sign_consent: (
        complete_intake(kiosk, patient.id), plan_course(kiosk, patient.id))),
    "a session due today: treatment": ("scalp_map", lambda kiosk, patient, sign_consent: (
        complete_intake(kiosk, patient.id), plan_course(kiosk, patient.id), sign_consent(patient.id))),
    "a session open: treatment": ("scalp_map", lambda kiosk, patient, sign_consent: (
        complete_intake(kiosk, patient.id), plan_course(kiosk, patient.id, 10), sign_consent(patient.id),
        kiosk.sessions.start(patient.id, "test"))),
    "today's session closed: summary": ("summary", lambda kiosk, patient, sign_consent: (
        complete_intake(kiosk, patient.id), plan_course(kiosk, patient.id), sign_consent(patient.id),
        close_session_today(kiosk, patient.id))),
    "no session due today: summary": ("summary", lambda kiosk, patient, sign_consent: (
        complete_intake(kiosk, patient.id), plan_course(kiosk, patient.id, 10), sign_consent(patient.id))),
}


@pytest.mark.parametrize("case", CASES)
def test_a_returning_patient_opens_on_todays_task(qtbot, window, kiosk, register, sign_consent, monday, case):
    expected, prepare = CASES[case]
    patient = register()
    prepare(kiosk, patient, sign_consent)
    window.open_patient(patient)
    workspace = window.workspace
    assert [text.split(maxsplit=1)[1].removesuffix(" ✓") for text in bar_words(workspace)] == STEPS
    assert workspace.current_step == expected
    assert shown(workspace) is workspace.pages[expected]
    assert workspace.step_bar.buttons[workspace.step_index(expected)].isChecked()
    position = workspace.step_index(expected) + 1
    label = STEPS[position - 1]
    assert workspace.step_title.text() == f"Step {position} of 6 — {label}"


def test_continue_goes_on_from_each_done_step_and_the_redo_actions_step_back(qtbot, window, kiosk, register,
                                                                             sign_consent, monday, shots):
    patient = ready(kiosk, register, sign_consent)
    window.open_patient(patient)
    workspace = window.workspace
    assert workspace.current_step == "scalp_map"  # today's session is due
    assert bar_words(workspace) == ["1  Intake ✓", "2  Course ✓", "3  Consent ✓", "4  Photos ✓", "5  Treatment",
                                  "6  Summary"]
    assert workspace.step_bar.buttons[0].accessibleName() == "Step 1 of 6: Intake, done"

    treatment = workspace.pages["scalp_map"]
    assert not workspace.continue_button.isVisible()  # the session to do is the main action
    assert treatment.start_button.property("role") == "primary"
    assert treatment.start_button.text() == "Start today's session"

    workspace.go_to_step("intake")
    intake = workspace.pages["intake"]
    assert intake.reassess_button.isVisible() and intake.reassess_button.property("role") != "primary"
    for step, following in (("intake", "Course"), ("course", "Consent"), ("consent", "Photos"),
                            ("photos", "Treatment")):  # the photos are optional: Continue is always offered
        assert workspace.current_step == step
        assert workspace.continue_button.isVisible()
        assert workspace.continue_button.text() == f"Continue to {following} ›"
        assert workspace.continue_button.property("role") == "primary"
        assert workspace.continue_button.height() >= 44
        if step == "consent":
            consent = workspace.pages["consent"]
            assert consent.handoff_button.text() == "Hand to patient to sign again"
            assert consent.handoff_button.property("role") != "primary"
            workspace.grab().save(str(shots / "consent_done_continue_1280x800.png"))
        qtbot.mouseClick(workspace.continue_button, Qt.MouseButton.LeftButton)
    assert workspace.current_step == "scalp_map" and shown(workspace) is treatment

    # Today's session, recorded and closed on the treatment step: then the summary is the way on.
    qtbot.mouseClick(treatment.start_button, Qt.MouseButton.LeftButton)
    assert treatment.draft.editing and not workspace.continue_button.isVisible()
    click_zone(qtbot, treatment.map, "vertex")
    row = treatment.form.zone_rows["vertex"]
    qtbot.keyClicks(row.injections, "20")
    qtbot.keyClicks(row.volume, "1.5")
    qtbot.mouseClick(treatment.form.add_product_button, Qt.MouseButton.LeftButton)
    product = treatment.form.product_rows[0]
    product.name.setCurrentText("Peptide hair complex")
    qtbot.keyClicks(product.lot, "PX-2291/B")
    qtbot.keyClicks(product.expiry, "2027-06-30")
    qtbot.keyClicks(treatment.form.duration, "35")
    qtbot.mouseClick(treatment.form.close_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(treatment.form.confirm_panel.confirm, Qt.MouseButton.LeftButton)
    assert kiosk.sessions.draft(patient.id) is None
    assert workspace.continue_button.isVisible() and workspace.continue_button.text() == "Continue to Summary ›"
    assert treatment.start_button.text() == "Start another session"
    assert treatment.start_button.property("role") != "primary"
    assert bar_words(workspace)[4] == "5  Treatment ✓"
    qtbot.mouseClick(workspace.continue_button, Qt.MouseButton.LeftButton)
    assert workspace.current_step == "summary" and not workspace.continue_button.isVisible()  # the last step
    window.workspace.pages["summary"].wait_for_preview()


def test_marking_the_intake_complete_offers_to_go_on_with_the_focus_on_it(qtbot, window, kiosk, register):
    patient = register()
    for path, value in CLEAR_INTAKE.items():  # answered, not yet marked complete
        kiosk.intake.save_answer(patient.id, path, value, "test")
    window.open_patient(patient)
    workspace, intake = window.workspace, window.workspace.pages["intake"]
    assert workspace.current_step == "intake" and not workspace.continue_button.isVisible()
    assert intake.complete_button.isEnabled()
    qtbot.mouseClick(intake.complete_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(intake.confirm_complete, Qt.MouseButton.LeftButton)
    assert kiosk.intake.current(patient.id).is_complete
    assert workspace.continue_button.isVisible() and workspace.continue_button.text() == "Continue to Course ›"
    assert workspace.continue_button.hasFocus()
    assert bar_words(workspace)[0] == "1  Intake ✓"
    qtbot.keyClick(workspace.continue_button, Qt.Key.Key_Return)
    assert workspace.current_step == "course" and shown(workspace) is workspace.pages["course"]


def test_a_blocked_treatment_says_what_unblocks_it_with_a_button_that_goes_there(qtbot, window, kiosk, register,
                                                                                  sign_consent, shots):
    workspace = window.workspace
    rahul = register("Rahul", "Mehta", "1991-08-19")
    sign_consent(rahul.id)  # signed, but no intake at all
    window.open_patient(rahul)
    assert workspace.current_step == "intake"
    workspace.go_to_step("scalp_map")
    assert shown(workspace) is workspace.blocked and not workspace.continue_button.isVisible()
    assert workspace.blocked.title.text() == "Treatment waits for the intake"
    assert "No intake for this patient yet" in workspace.blocked.reason.text()
    assert workspace.blocked.go_button.text() == "Go to intake"
    assert workspace.blocked.go_button.accessibleName() == "Go to the intake step"
    workspace.grab().save(str(shots / "treatment_waits_for_intake_1280x800.png"))
    qtbot.mouseClick(workspace.blocked.go_button, Qt.MouseButton.LeftButton)
    assert workspace.current_step == "intake" and shown(workspace) is workspace.pages["intake"]

    claire = register("Claire", "Dubois")
    complete_intake(kiosk, claire.id)
    window.open_patient(claire)
    workspace.go_to_step("scalp_map")
    assert workspace.blocked.title.text() == "Treatment waits for the consent"
    assert "No signed consent" in workspace.blocked.reason.text()
    assert workspace.blocked.go_button.text() == "Go to consent"
    workspace.grab().save(str(shots / "treatment_waits_for_consent_1280x800.png"))
    qtbot.mouseClick(workspace.blocked.go_button, Qt.MouseButton.LeftButton)
    assert workspace.current_step == "consent" and shown(workspace) is workspace.pages["consent"]
    assert workspace.pages["consent"].handoff_button.property("role") == "primary"  # signing is the task here

    # Signed a moment ago: the time to think is shown on the treatment step itself (an admin may waive it).
    consultant_id, _ = ensure_consultant(kiosk)
    sign(kiosk, claire.id, consultant_id)
    workspace.go_to_step("scalp_map")
    treatment = workspace.pages["scalp_map"]
    assert shown(workspace) is treatment
    assert "cooling-off" in treatment.status.text() and treatment.cooling_off_panel.isVisible()


def test_who_is_signed_in_shows_in_both_headers_and_follows_a_new_sign_in(qtbot, window, kiosk, register):
    first = window.sign_in.consultant
    kiosk.accounts.add_consultant(first.id, COUNTERSIGN_PIN, "Sam Okafor", "739154")
    patients, workspace = window.patients_page, window.workspace
    assert patients.signed_in.name.text() == first.display_name == "Dr Test Consultant"
    assert patients.signed_in.name.accessibleName() == "Signed in: Dr Test Consultant"
    assert patients.signed_in.name.isVisible() and patients.lock_button is patients.signed_in.lock_button
    window.open_patient(register())
    assert workspace.signed_in.name.text() == "Dr Test Consultant" and workspace.signed_in.name.isVisible()
    assert workspace.lock_button.accessibleName() == "Lock the kiosk now (signs out Dr Test Consultant)"

    qtbot.mouseClick(workspace.lock_button, Qt.MouseButton.LeftButton)
    assert window.lock_page_shown()
    assert workspace.signed_in.name.text() == "" and patients.signed_in.name.text() == ""
    unlock(qtbot, window, "Sam Okafor", "739154")
    assert window.stack.currentWidget() is workspace
    assert workspace.signed_in.name.text() == "Sam Okafor" == patients.signed_in.name.text()
    assert workspace.signed_in.name.accessibleName() == "Signed in: Sam Okafor"


def _cut(button) -> bool:
    """Whether a button's longest line needs more than its inside (its width less the theme's padding)."""
    metrics = button.fontMetrics()
    return max(metrics.horizontalAdvance(line) for line in button.text().split("\n")) > button.width() - 8


@pytest.mark.parametrize("scale", [1.0, 1.3], ids=["standard text", "largest text"])
def test_the_step_bar_and_continue_fit_at_both_tablet_sizes(qtbot, qapp, window, kiosk, register, sign_consent,
                                                             monday, shots, scale):
    from meso_kiosk.ui import theme

    patient = ready(kiosk, register, sign_consent)
    close_session_today(kiosk, patient.id)  # every step done: every tick shown, the longest labels
    window.open_patient(patient)
    workspace = window.workspace
    theme.set_text_scale(qapp, scale)
    try:
        for step in ("intake", "course", "consent", "scalp_map"):
            workspace.go_to_step(step)
            for size in ((1280, 800), (800, 1280)):
                window.resize(*size)
                qtbot.wait(150)
                assert [b.text() for b in workspace.step_bar.buttons if _cut(b)] == [], (step, size)
                assert all(b.height() >= b.sizeHint().height() for b in workspace.step_bar.buttons)
                assert workspace.continue_button.isVisible() and not _cut(workspace.continue_button)
                assert workspace.continue_button.height() >= 44
                name = workspace.signed_in.name
                assert name.fontMetrics().horizontalAdvance(name.text().split()[0]) <= name.width()
                window.grab().save(str(shots / f"{step}_done_{size[0]}x{size[1]}_{scale}.png"))
    finally:
        theme.set_text_scale(qapp, 1.0)
