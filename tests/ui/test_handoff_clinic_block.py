"""The hand-off shows the clinic's block (price, who treats) in the patient's language, and the
consent stored is exactly what the screen drew (issue 21, point 2)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel

from meso_kiosk.domain.consent_template import blocks_to_text, sha256_text
from tests.conftest import COUNTERSIGN_PIN
from tests.ui.conftest import signed_in_consultant
from tests.ui.test_consent_page import type_pin
from tests.ui.test_handoff import (  # noqa: F401 (fixtures)
    claire, confirm_identity, draw_signature, handoff_page, read_and_tick, start,
)

EN_WHO = "Your treatment is given by Dr Test Consultant, Dermatologist, registration RPPS 10001234567."
FR_PRICE = "Chaque séance coûte 95,00\u00a0EUR. Les 8 séances prévues coûtent environ 760,00\u00a0EUR au total."


@pytest.fixture
def priced(kiosk, claire):
    """The clinic priced the moderate protocol; Claire's course is one; the signed-in consultant's
    profession and registration are recorded."""
    consultant = signed_in_consultant(kiosk)
    kiosk.clinic.update({"currency": "EUR", "prices": {"moderate": "95"}}, "test")
    kiosk.accounts.set_credentials(consultant.id, COUNTERSIGN_PIN, consultant.id, "Dermatologist",
                                   "RPPS 10001234567")
    kiosk.course.start_course(claire.id, start=kiosk.clock.today().isoformat(), protocol_id="moderate",
                              reason="Agreed with the patient.", actor="test")
    return consultant


def shown_words(page) -> list[str]:
    return [widget.text() for widget in page.read.findChildren(QLabel) if widget.isVisibleTo(page.read)]


def test_the_patient_reads_the_block_and_signs_exactly_that_text(qtbot, handoff_page, kiosk, claire, priced,
                                                                 type_text):
    page = start(handoff_page, claire)
    read_and_tick(qtbot, page, type_text, language="en")
    words = shown_words(page)
    assert "What it costs, and who treats you" in words and EN_WHO in words
    assert "Each session costs 95.00\u00a0EUR. The 8 sessions planned cost about 760.00\u00a0EUR in total." in words
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)
    draw_signature(qtbot, page.pad.canvas)
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.hand_back_button, Qt.MouseButton.LeftButton)
    type_pin(qtbot, page.countersign.pin, COUNTERSIGN_PIN)
    assert page.current_panel() == page.DONE
    record = kiosk.consents.current(claire.id)
    assert record.text == blocks_to_text(page.read.blocks) and EN_WHO in record.text
    assert record.text_sha256 == sha256_text(record.text)
    assert kiosk.consents.verify(record) == []


def test_in_french_the_block_is_french(qtbot, handoff_page, kiosk, claire, priced, type_text):
    page = start(handoff_page, claire)
    qtbot.mouseClick(page.language_buttons["fr"], Qt.MouseButton.LeftButton)
    confirm_identity(qtbot, page, "Claire Dubois", "12/04/1986", type_text)
    words = shown_words(page)
    assert "Le coût, et qui vous soigne" in words and FR_PRICE in words


@pytest.mark.screens
@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_render_the_block_on_the_reading_panel(qtbot, handoff_page, kiosk, claire, priced, type_text, shots,
                                              size, language):
    page = start(handoff_page, claire)
    page.resize(*size)
    qtbot.mouseClick(page.language_buttons[language], Qt.MouseButton.LeftButton)
    confirm_identity(qtbot, page, "Claire Dubois", "12/04/1986", type_text)
    heading = next(label for label in page.read.findChildren(QLabel)
                   if label.text() in ("What it costs, and who treats you", "Le coût, et qui vous soigne"))
    qtbot.wait(250)  # wrapped text settles over a few layout passes
    top = heading.mapTo(page.read.scroll.widget(), QPoint(0, 0)).y()
    page.read.scroll.verticalScrollBar().setValue(top - 120)  # the block near the top, the course above it
    qtbot.wait(100)
    assert page.grab().save(str(shots / f"handoff_clinic_block_{language}_{size[0]}x{size[1]}.png"))
