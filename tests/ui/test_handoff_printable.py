"""The patient's question for the consultant is checked for what the PDF can print when they
press Continue, next to the question, before they sign (issue 24); emoji go through."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.test_handoff import claire, enter_handoff, read_and_tick  # noqa: F401 (claire: a fixture)


def test_a_question_the_pdf_cannot_print_is_refused_before_signing(qtbot, window, claire, type_text):
    page = enter_handoff(qtbot, window, claire)
    read_and_tick(qtbot, page, type_text)
    type_text(page.read.question, "Is it safe? བསྟན")  # Tibetan: no font of the PDF has it
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.READ
    assert page.read.question_error.isVisible()
    assert page.read.question_error.text() == "Please shorten your question, or take out any unusual signs."
    page.read.question.clear()
    type_text(page.read.question, "Will it hurt? 😬🙏")
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.SIGN
