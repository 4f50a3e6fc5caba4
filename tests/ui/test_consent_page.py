"""The Consent step for the consultant: status, history, hand-off button, withdrawal in line."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from meso_kiosk.domain.consent import ConsentKind, RecordStatus, WithdrawalChannel
from meso_kiosk.services.demo.seed import seed_demo
from meso_kiosk.services.demo.signature import synthetic_signature
from meso_kiosk.services.clinic_data import app_info
from meso_kiosk.ui.pages.consent import ConsentPage
from meso_kiosk.ui.theme import apply_theme
from tests.conftest import COUNTERSIGN_PIN
from tests.consultation import complete_intake
from tests.ui.conftest import signed_in_consultant
from tests.ui.session_page import build_scalp_page, open_patient

WRONG_PIN = "000000"


def step_index(step_id: str) -> int:
    return [step.id for step in app_info().steps].index(step_id)


def open_consent(window, patient):
    window.open_patient(patient)
    window.workspace.go_to_step(step_index("consent"))
    page = window.workspace.pages["consent"]
    assert window.workspace.stack.currentWidget() is page
    return page


def type_pin(qtbot, consultant_pin, pin: str) -> None:
    for digit in pin:
        qtbot.mouseClick(consultant_pin.pin_entry.digit_keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(consultant_pin.pin_entry.ok_key, Qt.MouseButton.LeftButton)


def draw(qtbot, canvas) -> None:
    points = [QPoint(40 + 10 * i, 110 + (25 if i % 4 < 2 else -25)) for i in range(36)]
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        QTest.mouseMove(canvas, point)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=points[-1])


@pytest.fixture
def consent_page(qtbot, qapp, kiosk):
    """The Consent step alone, countersigned by the signed-in admin (``consent_page.consultant``)."""
    apply_theme(qapp)
    consultant = signed_in_consultant(kiosk)
    page = ConsentPage(kiosk.consents, kiosk.accounts, kiosk.clock, lambda: consultant)
    page.consultant = consultant
    qtbot.addWidget(page)
    page.setMinimumSize(640, 480)  # a top level's own minimum: layouts do not push theirs up (offscreen warns)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def show_consent(page, patient):
    page.show_patient(patient)
    return page


@pytest.fixture
def claire(register):
    return register("Claire", "Dubois", "1986-04-12")


def test_without_consent_the_page_says_sessions_need_one(consent_page, claire):
    page = show_consent(consent_page, claire)
    assert page.status_title.text() == "⚠ No signed consent: no session can be recorded yet"
    assert "cannot be recorded without a current signed consent" in page.explain.text()
    assert page.handoff_button.text() == "Hand the tablet to the patient"
    assert page.handoff_button.isVisible() and page.handoff_button.height() >= 48
    assert page.withdraw_button.isHidden()
    assert page.history_empty.isVisibleTo(page) and page.history_rows == []


def test_a_signed_consent_shows_when_what_and_who(consent_page, kiosk, claire, sign_consent):
    record = sign_consent(claire.id)
    page = show_consent(consent_page, claire)
    assert page.status_title.text() == "✓ Signed consent in force: sessions can be recorded"
    detail = page.status_detail.text()
    assert kiosk.clock.format_local(record.signed_at) in detail
    assert f"English, version {record.template_version}" in detail  # the version signed today
    assert f"countersigned by {record.countersignature.consultant_name}" in detail
    assert "photos: no" in detail
    assert page.status_signature.isVisibleTo(page)
    assert page.handoff_button.text() == "Hand to patient to sign again"
    assert page.withdraw_button.isVisibleTo(page)
    assert len(page.history_rows) == 1
    assert page.history_rows[0].title.text() == "Consent · ✓ In force"


def test_withdrawal_by_phone_needs_the_pin_and_closes_the_gate(qtbot, consent_page, kiosk, claire, sign_consent):
    sign_consent(claire.id)
    page = show_consent(consent_page, claire)
    qtbot.mouseClick(page.withdraw_button, Qt.MouseButton.LeftButton)
    panel = page.withdraw_panel
    assert panel.isVisibleTo(page)
    assert panel.pad.isHidden()  # by phone the patient does not sign
    type_pin(qtbot, panel.pin, COUNTERSIGN_PIN)
    assert panel.channel_error.text() == "Choose how the patient told us."
    qtbot.mouseClick(panel.channel_buttons[WithdrawalChannel.PHONE], Qt.MouseButton.LeftButton)
    panel.reason.setPlainText("Moving abroad'); DROP TABLE consents;--")
    type_pin(qtbot, panel.pin, WRONG_PIN)
    assert panel.pin.pin_entry.error.isVisibleTo(page)
    assert kiosk.consents.latest(claire.id).kind is ConsentKind.CONSENT  # nothing stored
    assert panel.reason.toPlainText() == "Moving abroad'); DROP TABLE consents;--"  # kept
    type_pin(qtbot, panel.pin, COUNTERSIGN_PIN)
    latest = kiosk.consents.latest(claire.id)
    assert latest.kind is ConsentKind.WITHDRAWAL
    assert latest.withdrawal_channel is WithdrawalChannel.PHONE
    assert latest.withdrawal_reason == "Moving abroad'); DROP TABLE consents;--"
    assert panel.isHidden()
    assert page.saved.text().startswith("✓ Withdrawal recorded")
    assert page.status_title.text() == "⚠ Consent withdrawn: no session can be recorded"
    assert "A new consent must be signed" in page.status_detail.text()
    assert [row.title.text() for row in page.history_rows] == [
        "Withdrawal · ⚠ Withdrawal in force", "Consent · Withdrawn later"]
    assert kiosk.consents.consent_gate(claire.id) is not None
    assert page.handoff_button.text() == "Hand the tablet to the patient"


def test_withdrawal_in_person_needs_the_patients_signature(qtbot, consent_page, kiosk, claire, sign_consent):
    sign_consent(claire.id)
    page = show_consent(consent_page, claire)
    qtbot.mouseClick(page.withdraw_button, Qt.MouseButton.LeftButton)
    panel = page.withdraw_panel
    qtbot.mouseClick(panel.channel_buttons[WithdrawalChannel.IN_PERSON], Qt.MouseButton.LeftButton)
    assert panel.pad.isVisibleTo(page)
    type_pin(qtbot, panel.pin, COUNTERSIGN_PIN)
    assert panel.pad.message.text() == "Please sign in the box first."
    assert kiosk.consents.latest(claire.id).kind is ConsentKind.CONSENT
    draw(qtbot, panel.pad.canvas)
    type_pin(qtbot, panel.pin, COUNTERSIGN_PIN)
    latest = kiosk.consents.latest(claire.id)
    assert latest.kind is ConsentKind.WITHDRAWAL
    assert latest.patient_signature == panel.pad.strokes()
    assert latest.patient_signature_png.startswith(b"\x89PNG")


def test_a_too_long_reason_is_refused_next_to_the_field(qtbot, consent_page, kiosk, claire, sign_consent):
    sign_consent(claire.id)
    page = show_consent(consent_page, claire)
    qtbot.mouseClick(page.withdraw_button, Qt.MouseButton.LeftButton)
    panel = page.withdraw_panel
    qtbot.mouseClick(panel.channel_buttons[WithdrawalChannel.LETTER], Qt.MouseButton.LeftButton)
    panel.reason.setPlainText("🦄" * 1200)
    type_pin(qtbot, panel.pin, COUNTERSIGN_PIN)
    assert "too long" in panel.reason_error.text()
    assert kiosk.consents.latest(claire.id).kind is ConsentKind.CONSENT
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert panel.isHidden() and page.withdraw_button.isEnabled()


def test_the_history_keeps_every_record_with_its_status(consent_page, kiosk, claire, sign_consent):
    first = sign_consent(claire.id)
    account = consent_page.consultant
    kiosk.consents.withdraw(claire.id, channel="email", consultant_id=account.id, consultant_pin=COUNTERSIGN_PIN,
                            reason="Wants to think about it.")
    sign_consent(claire.id)
    page = show_consent(consent_page, claire)
    assert [entry.status for entry in page.history] == [
        RecordStatus.CURRENT, RecordStatus.WITHDRAWAL_ENDED, RecordStatus.WITHDRAWN]
    assert [row.title.text() for row in page.history_rows] == [
        "Consent · ✓ In force", "Withdrawal · Withdrawal, followed by a new consent", "Consent · Withdrawn later"]
    assert "By e-mail" in page.history_rows[1].detail.text()
    assert "Reason: Wants to think about it." in page.history_rows[1].detail.text()
    assert page.history[-1].record.id == first.id


def test_handing_over_requires_a_patient_and_enters_handoff(qtbot, window, claire):
    page = open_consent(window, claire)
    qtbot.mouseClick(page.handoff_button, Qt.MouseButton.LeftButton)
    assert window.in_handoff
    window.exit_handoff()
    assert window.workspace.stack.currentWidget() is page


def test_scalp_map_explains_the_consent_gate(qtbot, qapp, kiosk, claire):
    complete_intake(kiosk, claire.id)  # screened: what holds the session back now is the consent
    scalp = open_patient(build_scalp_page(qtbot, qapp, kiosk), claire, qtbot)
    assert not scalp.start_button.isEnabled()
    assert "No signed consent" in scalp.status.text()


def test_demo_consents_show_well(consent_page, kiosk, qtbot, shots):
    seed_demo(kiosk)
    siobhan = next(p for p in kiosk.patients.search("O'Brien"))
    page = show_consent(consent_page, siobhan)
    assert page.status_title.text().startswith("✓ Signed consent in force")
    assert [entry.status for entry in page.history] == [
        RecordStatus.CURRENT, RecordStatus.WITHDRAWAL_ENDED, RecordStatus.WITHDRAWN]
    assert "By phone" in page.history_rows[1].detail.text()
    qtbot.wait(250)
    assert consent_page.grab().save(str(shots / "consent_demo_obrien_1280x800.png"))
    claire = next(p for p in kiosk.patients.search("Dubois"))
    page = show_consent(consent_page, claire)
    assert "French, version 2" in page.status_detail.text()  # the demo signs the current text
    marcus = next(p for p in kiosk.patients.search("Whitfield"))
    page = show_consent(consent_page, marcus)
    assert "Question for the consultant: Can I go to the gym the day after a session?" in page.status_detail.text()


# ---------------------------------------------------------------- looking at it


@pytest.mark.screens
@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)])
def test_render_the_consent_step(qtbot, window, kiosk, claire, sign_consent, shots, size):
    window.resize(*size)
    tag = f"{size[0]}x{size[1]}"

    def shot(name: str) -> None:
        qtbot.wait(250)  # wrapped text settles over a few layout passes
        assert window.grab().save(str(shots / f"consent_{name}_{tag}.png"))

    open_consent(window, claire)
    shot("1_none")
    sign_consent(claire.id)
    account = window.sign_in.consultant
    kiosk.consents.withdraw(claire.id, channel="phone", consultant_id=account.id, consultant_pin=COUNTERSIGN_PIN,
                            reason="Wanted more time to think it over.")
    french = kiosk.consents.template_for("fr")  # the version signed today
    kiosk.consents.sign(
        claire.id, language="fr", version=french.version, shown_text_sha256=french.text_sha256,
        checklist={i.id: True for i in french.checklist}, photo_consent=True,
        signature=synthetic_signature("Claire Dubois").to_data(), consultant_id=account.id,
        consultant_pin=COUNTERSIGN_PIN, question="Puis-je me laver les cheveux le lendemain ?",
    )
    page = open_consent(window, claire)
    shot("2_history")
    qtbot.mouseClick(page.withdraw_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.withdraw_panel.channel_buttons[WithdrawalChannel.IN_PERSON], Qt.MouseButton.LeftButton)
    shot("3_withdraw")
