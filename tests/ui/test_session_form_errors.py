"""The session form's errors (issue 22): a row just added says nothing before anything is
typed in it; closing shows every error with the first in view and focused (it was never
scrolled to, so the button looked dead); the banner goes once the fields are corrected."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from .session_page import build_scalp_page, click_zone, open_patient
from .test_scalp_map import consultant  # noqa: F401 (fixture)


@pytest.fixture
def page(qtbot, qapp, kiosk):
    return build_scalp_page(qtbot, qapp, kiosk, size=(800, 1280))


def _in_view(page, widget: QWidget) -> bool:
    viewport = page.form_scroll.viewport()
    top_left = widget.mapTo(viewport, widget.rect().topLeft())
    return viewport.rect().contains(top_left)


def _started(page, register_consented, qtbot):
    open_patient(page, register_consented(), qtbot)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)


def test_new_rows_say_nothing_before_anything_is_typed(page, register_consented, consultant, qtbot):
    _started(page, register_consented, qtbot)
    click_zone(qtbot, page.map, "vertex")
    qtbot.mouseClick(page.form.add_product_button, Qt.MouseButton.LeftButton)
    page.flush(while_typing=True)  # the autosave pause

    assert page.form.zone_rows["vertex"].error.isHidden()
    assert page.form.product_rows[0].message.isHidden(), page.form.product_rows[0].message.text()
    assert page.banner.isHidden()


def test_closing_brings_the_first_error_into_view_and_the_banner_goes_when_fixed(
        page, register_consented, consultant, qtbot):
    _started(page, register_consented, qtbot)
    click_zone(qtbot, page.map, "vertex")
    page.form_scroll.verticalScrollBar().setValue(page.form_scroll.verticalScrollBar().maximum())

    qtbot.mouseClick(page.form.close_button, Qt.MouseButton.LeftButton)

    assert not page.form.confirm_panel.isVisible()
    assert page.banner.isVisible() and "need" in page.banner.text()
    first_widget, focus = page.form.first_error(page.draft.closing_errors(page.form.values()))
    assert _in_view(page, first_widget), "the first wrong field is scrolled into view"
    assert focus.hasFocus()

    # Correct everything the close asked for; the banner and messages go as it autosaves.
    page.form.consultant.setCurrentIndex(page.form.consultant.findData(str(consultant.id)))
    page.form.technique.buttons["chemical_syringe"].click()
    row = page.form.zone_rows["vertex"]
    for editor, text in ((row.injections, "20"), (row.volume, "1.5")):
        editor.setText(text)
    qtbot.mouseClick(page.form.add_product_button, Qt.MouseButton.LeftButton)
    product = page.form.product_rows[0]
    product.name.setCurrentText("Peptide hair complex")
    product.lot.setText("PX-2291/B")
    product.expiry.setText("2027-06-30")
    page.form.duration.setText("30")
    page.flush(while_typing=True)

    assert page.draft.closing_errors(page.form.values()) == {}
    assert page.banner.isHidden()
    assert row.error.isHidden()
    qtbot.mouseClick(page.form.close_button, Qt.MouseButton.LeftButton)
    assert page.form.confirm_panel.isVisible() and _in_view(page, page.form.confirm_panel.confirm)
