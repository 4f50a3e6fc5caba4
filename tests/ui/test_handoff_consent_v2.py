"""The hand-off reading panel with consent version 2 (issue 23, points 1 and 2): the clinic's phone and
time to think are on the screen in the patient's language, every side effect of the catalogue is a
tick row, and the text stored is the text drawn."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel

from meso_kiosk.domain.consent_template import blocks_to_text
from tests.conftest import COUNTERSIGN_PIN
from tests.ui.conftest import signed_in_consultant
from tests.ui.test_handoff import (  # noqa: F401 (fixtures)
    claire, confirm_identity, handoff_page, start,
)

WORDS = {
    "en": ("call us at +33\u00a01\u00a099\u00a000\u00a042\u00a017 straight away",
           "We will wait at least 24 hours before your first session"),
    "fr": ("appelez-nous tout de suite au +33\u00a01\u00a099\u00a000\u00a042\u00a017",
           "Nous attendrons au moins 24 heures avant votre première séance"),
}


@pytest.fixture
def clinic(kiosk, claire):
    consultant = signed_in_consultant(kiosk)
    kiosk.clinic.update({"phone": "+33 1 99 00 42 17"}, "test")
    return consultant


def shown_words(page) -> str:
    return "\n".join(widget.text() for widget in page.read.findChildren(QLabel) if widget.isVisibleTo(page.read))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_version_2_on_the_reading_panel(qtbot, handoff_page, kiosk, claire, clinic, type_text, language):
    page = start(handoff_page, claire)
    qtbot.mouseClick(page.language_buttons[language], Qt.MouseButton.LeftButton)
    confirm_identity(qtbot, page, "Claire Dubois", "12/04/1986", type_text)
    assert page.read.template.version == 2
    words = shown_words(page)
    assert all(sentence in words for sentence in WORDS[language]), words
    assert list(page.read.rows) == [effect.id for effect in kiosk.clinic_data.side_effects()]
    for effect in kiosk.clinic_data.side_effects():
        assert effect.wording(language) in words
    drawn = blocks_to_text(page.read.blocks)
    assert "{" not in drawn and all(sentence in drawn for sentence in WORDS[language])


@pytest.mark.screens
@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)])
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("near", ["treatment", "rare", "urgent"])
def test_render_version_2(qtbot, handoff_page, kiosk, claire, clinic, type_text, shots, size, language, near):
    page = start(handoff_page, claire)
    page.resize(*size)
    qtbot.mouseClick(page.language_buttons[language], Qt.MouseButton.LeftButton)
    confirm_identity(qtbot, page, "Claire Dubois", "12/04/1986", type_text)
    qtbot.wait(250)  # wrapped text settles over a few layout passes
    if near != "treatment":
        marker = {"rare": ("Rare side effects", "Effets indésirables rares"),
                  "urgent": ("After each session", "Après chaque séance")}[near]
        label = next(label for label in page.read.findChildren(QLabel) if label.text() in marker)
        top = label.mapTo(page.read.scroll.widget(), QPoint(0, 0)).y()
        page.read.scroll.verticalScrollBar().setValue(top - 80)
        qtbot.wait(100)
    assert page.grab().save(str(shots / f"handoff_v2_{near}_{language}_{size[0]}x{size[1]}.png"))
