"""The Consent step names who signed beside the patient (guardian, witness, interpreter), and a
withdrawal made in person by a patient under the clinic's minimum age takes their guardian's
name, relationship and signature too; by phone, e-mail or letter nobody signs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from meso_kiosk.domain.consent import ConsentKind, WithdrawalChannel
from meso_kiosk.domain.consent_parties import PartyRole
from meso_kiosk.ui.pages.consent import parties_words
from tests.conftest import COUNTERSIGN_PIN
from tests.services.test_consent_parties import GUARDIAN, YOUNG, party, sign
from tests.ui.test_consent_page import consent_page, draw, show_consent, type_pin  # noqa: F401 (fixture)

BESIDE = ("with Anne Martin (parent or guardian, mother) · witness: Sam O'Neil · "
          "interpreter: Chen Wei (Chinese)")


@pytest.fixture
def lea(kiosk, register):
    """16 on the fixed day, at a clinic that treats minors from 18 with a guardian."""
    kiosk.clinic.update({"minimum_age": "18", "treats_minors": True}, "test")
    return register("Léa", "Martin", YOUNG)


def _open_withdraw_panel(qtbot, page, channel: WithdrawalChannel):
    qtbot.mouseClick(page.withdraw_button, Qt.MouseButton.LeftButton)
    panel = page.withdraw_panel
    qtbot.mouseClick(panel.channel_buttons[channel], Qt.MouseButton.LeftButton)
    return panel


def test_the_status_and_history_name_who_signed_beside_the_patient(consent_page, kiosk, lea):  # noqa: F811
    sign(kiosk, consent_page.consultant.id, lea.id, parties=[
        GUARDIAN, party("witness", "Sam O'Neil"), party("interpreter", "Chen Wei", language="zh")])
    page = show_consent(consent_page, lea)
    assert f"by Léa Martin (assent, aged 16) {BESIDE} · English, version" in page.status_detail.text()
    assert BESIDE in page.history_rows[0].detail.text()


def test_an_adult_alone_reads_as_before_and_a_typed_relationship_keeps_its_case(consent_page, kiosk, register):  # noqa: F811,E501
    adult = register("Claire", "Dubois", "1986-04-12")
    sign(kiosk, consent_page.consultant.id, adult.id)
    page = show_consent(consent_page, adult)
    assert "with " not in page.status_detail.text() and "assent" not in page.status_detail.text()
    typed = type("Party", (), {"role": PartyRole.GUARDIAN, "name": "Jo Lee", "relationship": "Aunt (DAS)",
                               "language": None})
    assert parties_words((typed,)) == "with Jo Lee (parent or guardian, Aunt (DAS))"


def test_a_minor_s_withdrawal_in_person_takes_the_guardian_who_is_there(qtbot, consent_page, kiosk, lea):  # noqa: F811
    sign(kiosk, consent_page.consultant.id, lea.id, parties=[GUARDIAN])
    page = show_consent(consent_page, lea)
    panel = _open_withdraw_panel(qtbot, page, WithdrawalChannel.IN_PERSON)
    guardian = panel.guardian
    assert guardian.isVisibleTo(page) and "Léa Martin is 16, under the clinic's minimum age of 18" in \
        guardian.intro.text()
    assert guardian.name_field.accessibleName() and guardian.relationship_field.accessibleName()
    draw(qtbot, panel.pad.canvas)  # the young person signs; the guardian has begun
    guardian.name_field.setText("Robert'); DROP TABLE consents;--")
    type_pin(qtbot, panel.pin, COUNTERSIGN_PIN)
    assert "letters, spaces, hyphens and apostrophes only" in guardian.name_error.text()
    assert guardian.name_error.isVisibleTo(page)
    assert "relationship" in guardian.relationship_error.text()
    assert guardian.pad.message.text() == "Please sign in the box first."
    assert kiosk.consents.latest(lea.id).kind is ConsentKind.CONSENT  # nothing stored
    guardian.name_field.setText("  Anne   Martin ")
    assert not guardian.name_error.isVisibleTo(page)  # typing clears its message
    guardian.relationship_field.setText("Mother")
    draw(qtbot, guardian.pad.canvas)
    type_pin(qtbot, panel.pin, COUNTERSIGN_PIN)
    withdrawal = kiosk.consents.latest(lea.id)
    assert withdrawal.kind is ConsentKind.WITHDRAWAL
    (signer,) = kiosk.consents.parties(withdrawal.id)
    assert (signer.role, signer.name, signer.relationship) == (PartyRole.GUARDIAN, "Anne Martin", "Mother")
    assert signer.signature == guardian.pad.strokes()
    assert "signed by Léa Martin with Anne Martin (parent or guardian, mother)" in page.history_rows[0].detail.text()


def test_a_minor_may_withdraw_in_person_without_a_guardian(qtbot, consent_page, kiosk, lea):  # noqa: F811
    """Changing one's mind is never refused: with no guardian here, the young person's own signature
    records the withdrawal (the guardian part is left empty)."""
    sign(kiosk, consent_page.consultant.id, lea.id, parties=[GUARDIAN])
    page = show_consent(consent_page, lea)
    panel = _open_withdraw_panel(qtbot, page, WithdrawalChannel.IN_PERSON)
    assert "leave this empty" in panel.guardian.intro.text()
    draw(qtbot, panel.pad.canvas)
    type_pin(qtbot, panel.pin, COUNTERSIGN_PIN)
    withdrawal = kiosk.consents.latest(lea.id)
    assert withdrawal.kind is ConsentKind.WITHDRAWAL and withdrawal.patient_signature is not None
    assert kiosk.consents.parties(withdrawal.id) == ()


def test_a_minor_s_withdrawal_by_phone_takes_no_signature(qtbot, consent_page, kiosk, lea):  # noqa: F811
    sign(kiosk, consent_page.consultant.id, lea.id, parties=[GUARDIAN])
    page = show_consent(consent_page, lea)
    panel = _open_withdraw_panel(qtbot, page, WithdrawalChannel.IN_PERSON)
    assert panel.guardian.isVisibleTo(page)
    qtbot.mouseClick(panel.channel_buttons[WithdrawalChannel.PHONE], Qt.MouseButton.LeftButton)
    assert panel.guardian.isHidden() and panel.pad.isHidden()
    type_pin(qtbot, panel.pin, COUNTERSIGN_PIN)
    withdrawal = kiosk.consents.latest(lea.id)
    assert withdrawal.kind is ConsentKind.WITHDRAWAL and withdrawal.patient_signature is None
    assert kiosk.consents.parties(withdrawal.id) == ()


def test_an_adult_s_withdrawal_in_person_asks_no_guardian(qtbot, consent_page, kiosk, register):  # noqa: F811
    adult = register("Claire", "Dubois", "1986-04-12")
    sign(kiosk, consent_page.consultant.id, adult.id)
    page = show_consent(consent_page, adult)
    panel = _open_withdraw_panel(qtbot, page, WithdrawalChannel.IN_PERSON)
    assert panel.pad.isVisibleTo(page) and panel.guardian.isHidden()


@pytest.mark.screens
@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)])
def test_render_parties_and_a_minor_s_withdrawal(qtbot, consent_page, kiosk, lea, shots, size):  # noqa: F811
    sign(kiosk, consent_page.consultant.id, lea.id, parties=[
        GUARDIAN, party("witness", "Sam O'Neil"), party("interpreter", "Chen Wei", language="zh")])
    consent_page.resize(*size)
    page = show_consent(consent_page, lea)
    tag = f"{size[0]}x{size[1]}"
    qtbot.wait(250)  # wrapped text settles over a few layout passes
    assert page.grab().save(str(shots / f"consent_parties_{tag}.png"))
    panel = _open_withdraw_panel(qtbot, page, WithdrawalChannel.IN_PERSON)
    draw(qtbot, panel.pad.canvas)
    type_pin(qtbot, panel.pin, COUNTERSIGN_PIN)  # the guardian's messages by their fields
    qtbot.wait(250)
    page.scroll.ensureWidgetVisible(panel.guardian.pad, 0, 16)
    qtbot.wait(100)
    assert page.grab().save(str(shots / f"consent_minor_withdraw_pad_{tag}.png"))
    for widget in (panel.guardian.name_field, panel.guardian.relationship_field):
        assert widget.height() >= 44  # touch target
