"""The kiosk's text size (Standard / Large / Largest): chosen on the clinic settings page or by the
patient's "A+" in the hand-off, shown on every screen at once, kept for the next start."""

from __future__ import annotations

from PySide6.QtCore import Qt

from meso_kiosk.ui import theme
from meso_kiosk.ui.startup.deferred_style import stylesheet_after
from tests.ui.conftest import build_window


def heading_px(widget) -> int:
    return widget.font().pixelSize()


def test_the_admin_chooses_a_size_and_every_screen_shows_it_at_once(kiosk, window, qtbot, qapp):
    patients = window.patients_page
    qtbot.mouseClick(patients.clinic_button, Qt.MouseButton.LeftButton)
    page = window.clinic_page
    assert page.text_size.buttons["standard"].isChecked()
    heading = window.workspace.patient_name  # a page not shown: restyled too
    assert qapp.font().pixelSize() == theme.BODY_PX
    qtbot.mouseClick(page.text_size.buttons["largest"], Qt.MouseButton.LeftButton)
    assert kiosk.text_size.current() == "largest"
    assert qapp.font().pixelSize() == round(theme.BODY_PX * 1.3)
    assert qapp.styleSheet() == theme.stylesheet(1.3)
    assert f"font-size: {round(theme.HEADING_PX * 1.3)}px" in qapp.styleSheet()
    assert heading_px(heading) == round(theme.HEADING_PX * 1.3)
    qtbot.mouseClick(page.text_size.buttons["standard"], Qt.MouseButton.LeftButton)
    assert heading_px(heading) == theme.HEADING_PX and qapp.font().pixelSize() == theme.BODY_PX
    rows = kiosk.store.conn.execute("SELECT actor FROM audit_log WHERE entity_id = 'display.text_size'").fetchall()
    assert len(rows) == 2 and all(actor.startswith("consultant:") for (actor,) in rows)


def test_the_patient_s_a_plus_steps_through_the_sizes(kiosk, window, qtbot, qapp, register):
    patient = register()
    window.open_patient(patient)
    window.workspace.go_to_step(window.workspace.step_index("consent"))
    qtbot.mouseClick(window.workspace.pages["consent"].handoff_button, Qt.MouseButton.LeftButton)
    handoff = window.stack.currentWidget()
    larger = handoff.larger_text_button
    assert larger.isVisible() and larger.accessibleName() == "Larger text"
    assert larger.width() >= 44 and larger.height() >= 44
    seen = []
    for _ in range(3):
        qtbot.mouseClick(larger, Qt.MouseButton.LeftButton)
        seen.append((kiosk.text_size.current(), qapp.font().pixelSize()))
    assert seen == [("large", round(theme.BODY_PX * 1.15)), ("largest", round(theme.BODY_PX * 1.3)),
                    ("standard", theme.BODY_PX)]


def test_the_next_start_shows_the_size_chosen(kiosk, qtbot, qapp):
    kiosk.text_size.set("large", "test")
    window = build_window(qtbot, qapp, kiosk)
    assert theme.text_scale() == 1.15
    assert heading_px(window.workspace.patient_name) == round(theme.HEADING_PX * 1.15)


def test_pages_built_without_the_stylesheet_are_styled_at_the_size_read_meanwhile(qapp):
    theme.apply(qapp, 1.0)
    with stylesheet_after(qapp):
        assert qapp.styleSheet() == ""
        theme.set_text_scale(qapp, 1.3)  # the store is read while the pages are built (app.follow_text_size)
        assert qapp.styleSheet() == ""
    assert qapp.styleSheet() == theme.stylesheet(1.3)
    theme.apply(qapp, 1.0)
    assert qapp.styleSheet() == theme.stylesheet(1.0) and qapp.font().pixelSize() == theme.BODY_PX
