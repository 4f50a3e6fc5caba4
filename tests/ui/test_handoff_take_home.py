"""Hand-off: 'Take it home and decide later' while reading exports the unsigned text in the patient's
language; the patient is told in their words, the consultant where the file is once back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pypdf import PdfReader

from meso_kiosk.ui.pages.handoff_take_home import consultant_words
from tests.conftest import COUNTERSIGN_PIN
from tests.ui.test_consent_page import type_pin
from tests.ui.test_handoff import claire, confirm_identity, enter_handoff, leave_handoff_at_teardown  # noqa: F401


def test_the_patient_takes_the_text_home_in_french_and_the_consultant_is_told_where(qtbot, window, kiosk, claire,
                                                                                 type_text, shots):  # noqa: F811
    page = enter_handoff(qtbot, window, claire)
    qtbot.mouseClick(page.language_buttons["fr"], Qt.MouseButton.LeftButton)
    confirm_identity(qtbot, page, "Claire Dubois", "12/04/1986", type_text)
    take_home = page.take_home
    assert take_home.button.isVisible() and take_home.button.text() == "L’emporter et décider plus tard"
    assert take_home.button.accessibleName() == take_home.button.text() and take_home.button.height() >= 44
    qtbot.wait(300)  # the text's layout settles
    window.grab().save(str(shots / "handoff_take_home_fr_1280x800.png"))
    window.resize(800, 1280)
    qtbot.wait(300)
    assert take_home.button.width() >= take_home.button.sizeHint().width()  # never cut in portrait
    window.grab().save(str(shots / "handoff_take_home_fr_800x1280.png"))
    window.resize(1280, 800)
    qtbot.mouseClick(take_home.button, Qt.MouseButton.LeftButton)  # before reaching the end: allowed
    assert page.read.status.text() == page.template.label("take_home_done")
    assert not take_home.button.isVisible()  # one copy is enough
    copy = take_home.copy
    assert copy.path.parent == kiosk.paths.exports and copy.language == "fr"
    text = "".join(p.extract_text() for p in PdfReader(str(copy.path)).pages)
    assert "Non signé — à lire chez vous" in text and "Claire Dubois" in text
    qtbot.wait(300)
    window.grab().save(str(shots / "handoff_take_home_done_fr_1280x800.png"))
    assert kiosk.store.conn.execute("SELECT count(*) FROM consents").fetchone()[0] == 0  # nothing signed

    qtbot.mouseClick(page.consultant_button, Qt.MouseButton.LeftButton)
    type_pin(qtbot, page.exit_pin, COUNTERSIGN_PIN)
    qtbot.waitUntil(lambda: not window.in_handoff, timeout=2000)
    consent = window.workspace.pages["consent"]
    assert consent.saved.isVisible() and str(copy.path) in consent.saved.text()
    assert "No printer is set up on this computer" in consent.saved.text()  # offscreen: no printer
    window.grab().save(str(shots / "consent_after_take_home_1280x800.png"))


def test_the_consultant_words_offer_printing_when_a_printer_exists(tmp_path):
    from meso_kiosk.services.take_home import TakeHomeCopy

    copy = TakeHomeCopy(tmp_path / "consent-to-read-1-2026-11-22.pdf", "en", 2)
    assert "Print it from there" in consultant_words(copy, True)
    assert "No printer" in consultant_words(copy, False)
