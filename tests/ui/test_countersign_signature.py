"""The countersign panel shows the signature being countersigned, with the patient's name and
the time; it is the consultant's panel, in English, whatever language the patient read."""

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QColor

from meso_kiosk.ui import theme
from tests.ui.test_handoff import draw_signature, enter_handoff, read_and_tick

SIZES = [(1280, 800), (800, 1280)]


def to_countersign(qtbot, window, register, type_text, language="fr"):
    claire = register("Claire", "Dubois", "1986-04-12", preferred_language=language)
    page = enter_handoff(qtbot, window, claire)
    read_and_tick(qtbot, page, type_text, language)
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)
    draw_signature(qtbot, page.pad.canvas)
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.hand_back_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.COUNTERSIGN
    return page


def ink_pixels(widget) -> int:
    """How many pixels of the widget are drawn darker than its box (the signature's ink)."""
    image = widget.grab().toImage()
    surface = QColor(theme.SURFACE).lightness()
    return sum(1 for y in range(4, image.height() - 4, 2) for x in range(6, image.width() - 6, 2)
               if image.pixelColor(x, y).lightness() < surface - 80)


def test_the_countersign_panel_shows_the_patients_signature_name_and_time(qtbot, window, register, type_text):
    page = to_countersign(qtbot, window, register, type_text)
    panel = page.countersign
    assert panel.signature is page.signature and panel.signature.point_count > 10
    assert panel.signature_view.isVisible() and ink_pixels(panel.signature_view) > 20
    assert panel.signed_by.isVisible()
    assert panel.signed_by.text().startswith("Signed by Claire Dubois, ")
    assert page._clock.format_local(page.signed_at) in panel.signed_by.text()


def test_the_countersign_panel_is_the_consultants_in_english(qtbot, window, register, type_text):
    page = to_countersign(qtbot, window, register, type_text, language="fr")
    panel = page.countersign
    assert panel.locale().language() == QLocale.Language.English
    assert panel.signature_view.locale().language() == QLocale.Language.English
    assert panel.title.text() == "Countersign the consent"
    # the patient's language is named as what they read, nothing more
    assert "read the consent in Français" in panel.summary.text()


@pytest.mark.screens
@pytest.mark.parametrize("size", SIZES)
def test_render_the_countersign_panel(qtbot, window, register, type_text, shots, size):
    window.resize(*size)
    page = to_countersign(qtbot, window, register, type_text)
    qtbot.wait(250)  # wrapped text settles over a few layout passes
    assert window.grab().save(str(shots / f"countersign_fr_{size[0]}x{size[1]}.png"))
