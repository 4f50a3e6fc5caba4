"""Who signs beside the patient on the hand-off: a 16-year-old signs (assent), then a parent or
guardian in the patient's language, then the consultant may add a witness and an interpreter
before countersigning; a clinic that treats no minors says so before the tablet is handed over."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from meso_kiosk.domain.consent_parties import PartyRole
from meso_kiosk.ui.theme import TOUCH_TARGET
from tests.conftest import COUNTERSIGN_PIN
from tests.ui.test_consent_page import type_pin
from tests.ui.test_handoff import (  # noqa: F401 (fixtures)
    confirm_identity, draw_signature, handoff_page, leave_handoff_at_teardown, scroll_to_end, start, tick_everything,
)


@pytest.fixture
def lea(kiosk, register):
    kiosk.clinic.update({"minimum_age": "18", "treats_minors": True}, "test")
    return register("Léa", "Martin", "2010-05-01", preferred_language="fr")


def to_signature(qtbot, page, type_text, language: str) -> None:
    qtbot.mouseClick(page.language_buttons[language], Qt.MouseButton.LeftButton)
    confirm_identity(qtbot, page, "Léa Martin", "01/05/2010", type_text)
    scroll_to_end(page)
    tick_everything(qtbot, page)
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)
    draw_signature(qtbot, page.pad.canvas)
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)


def save(page, shots, name: str, size: tuple[int, int]) -> None:
    page.resize(*size)
    page.grab().save(str(shots / f"{name}-{size[0]}x{size[1]}.png"))


def test_a_16_year_old_signs_then_the_guardian_then_the_consultant(qtbot, handoff_page, kiosk, lea, type_text,
                                                                   shots):
    page = start(handoff_page, lea)
    to_signature(qtbot, page, type_text, "en")
    assert page.current_panel() == page.GUARDIAN
    assert page.guardian.title.text() == "Now a parent or guardian signs"
    assert "Léa Martin is under 18" in page.guardian.intro.text()
    save(page, shots, "guardian-en", (1280, 800))
    save(page, shots, "guardian-en", (800, 1280))

    # nothing typed: each message by its field, and the tablet stays here
    qtbot.mouseClick(page.guardian.sign_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.GUARDIAN
    assert page.guardian.name_error.text() == "Please write your full name, in letters."
    assert page.guardian.relationship_error.isVisibleTo(page.guardian)
    assert page.guardian.pad.message.text() == "Please sign in the box first."
    type_text(page.guardian.name_field, "Anne <script>")
    type_text(page.guardian.relationship_field, "Mother")
    draw_signature(qtbot, page.guardian.pad.canvas)
    qtbot.mouseClick(page.guardian.sign_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.GUARDIAN  # "<" is no letter of a name
    page.guardian.name_field.clear()
    type_text(page.guardian.name_field, "Anne Martin")
    qtbot.mouseClick(page.guardian.sign_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.HAND_BACK

    qtbot.mouseClick(page.hand_back_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.COUNTERSIGN
    assert "Aged 16: this is their assent. Consent given by Anne Martin (Mother)" in page.countersign.summary.text()

    # the consultant adds a witness and an interpreter, each signing on their own box
    qtbot.mouseClick(page.countersign.parties_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.PARTIES
    parties = page.extra_parties
    qtbot.mouseClick(parties.witness.toggle, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(parties.interpreter.toggle, Qt.MouseButton.LeftButton)
    type_text(parties.witness.name_field, "Sam O'Neil")
    type_text(parties.interpreter.name_field, "Chen Wei")
    qtbot.mouseClick(parties.done_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.PARTIES  # no signatures, no language yet
    assert parties.interpreter.language_error.text() == "Choose the language the interpreter spoke."
    parties.interpreter.language.setCurrentIndex(parties.interpreter.language.findData("zh"))
    draw_signature(qtbot, parties.witness.pad.canvas)
    draw_signature(qtbot, parties.interpreter.pad.canvas)
    save(page, shots, "parties", (1280, 800))
    save(page, shots, "parties", (800, 1280))
    page.resize(1280, 800)
    for widget in page.extra_parties.findChildren(QPushButton):
        if widget.isVisible():
            assert widget.height() >= TOUCH_TARGET and widget.accessibleName(), widget.text()
    qtbot.mouseClick(parties.done_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.COUNTERSIGN
    assert "Also signing: witness Sam O'Neil, interpreter Chen Wei." in page.countersign.summary.text()
    assert page.countersign.witness_field.text() == "Sam O'Neil" and page.countersign.witness_field.isReadOnly()
    save(page, shots, "countersign", (1280, 800))

    type_pin(qtbot, page.countersign.pin, COUNTERSIGN_PIN)
    assert page.current_panel() == page.DONE
    record = kiosk.consents.current(lea.id)
    guardian, witness, interpreter = kiosk.consents.parties(record.id)
    assert (guardian.role, guardian.name, guardian.relationship, guardian.patient_age) == (
        PartyRole.GUARDIAN, "Anne Martin", "Mother", 16)
    assert guardian.signature_png.startswith(b"\x89PNG") and guardian.signature == page.guardian.pad.strokes()
    assert (witness.name, interpreter.name, interpreter.language) == ("Sam O'Neil", "Chen Wei", "zh")
    assert record.witness_name == "Sam O'Neil"


def test_the_guardian_panel_speaks_french(qtbot, handoff_page, kiosk, lea, type_text, shots):
    page = start(handoff_page, lea)
    to_signature(qtbot, page, type_text, "fr")
    assert page.current_panel() == page.GUARDIAN
    template = kiosk.consents.template_for("fr")
    assert page.guardian.title.text() == "Maintenant, un parent ou un tuteur signe"
    assert page.guardian.intro.text().startswith("Léa Martin a moins de 18 ans")
    assert page.guardian.relationship_label.text() == "Quel est votre lien avec Léa Martin ?"
    assert page.guardian.sign_button.text() == template.label("guardian_sign_button")
    assert page.guardian.pad.undo_button.text() == template.label("undo")
    qtbot.mouseClick(page.guardian.sign_button, Qt.MouseButton.LeftButton)
    assert page.guardian.name_error.text() == "Écrivez votre nom complet, en lettres."
    assert page.guardian.relationship_error.text() == "Dites en quelques mots quel est votre lien."
    save(page, shots, "guardian-fr", (1280, 800))
    save(page, shots, "guardian-fr", (800, 1280))


def test_an_adult_goes_straight_to_the_consultant(qtbot, handoff_page, kiosk, register, type_text):
    adult = register("Léa", "Martin", "1990-05-01")
    page = start(handoff_page, adult)
    to_signature(qtbot, page, type_text, "en")
    assert page.current_panel() == page.HAND_BACK


def test_a_clinic_that_treats_no_minors_says_so_before_the_hand_off(qtbot, handoff_page, kiosk, register, shots):
    young = register("Léa", "Martin", "2010-05-01")
    page = start(handoff_page, young)
    assert page.current_panel() == page.REFUSED
    assert "This patient is 16. The clinic treats patients from 18 only" in page.refused.text.text()
    save(page, shots, "refused", (1280, 800))
    with qtbot.waitSignal(page.exit_confirmed):
        qtbot.mouseClick(page.refused.back_button, Qt.MouseButton.LeftButton)
