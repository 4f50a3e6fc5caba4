"""The scalp-map step in portrait and landscape, and who corrected a session, in words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QPoint, Qt

from meso_kiosk.store.consultants import insert_consultant

from ..conftest import FIXED_NOW
from .session_page import build_scalp_page, consented_earlier


@pytest.fixture
def register_consented(register_consented, kiosk):
    # The sessions below go back six weeks: intake and consent come before them (the treatment gate).
    return consented_earlier(kiosk, register_consented)


@pytest.fixture
def consultant(kiosk):
    with kiosk.store.write("test") as tx:
        return insert_consultant(tx, "Dr Amélie Laurent")


def _form(consultant, days_ago: int, zones: dict, duration: int = 30) -> dict:
    return {
        "started_at": FIXED_NOW - timedelta(days=days_ago),
        "consultant_id": str(consultant.id),
        "technique": "chemical_syringe",
        "zones": {z: {"injections": v[0], "depth_mm": v[1], "volume_ml": v[2]} for z, v in zones.items()},
        "products": [{"name": "Peptide hair complex", "lot": "PX-2291/B", "expiry": "2027-06-30"}],
        "duration_min": duration,
    }


def _three_sessions(kiosk, patient, consultant):
    stored = None
    for days_ago, zones in (
        (42, {"vertex": [20, 2.5, 1.5], "mid_scalp": [15, 2.0, 1.0]}),
        (28, {"vertex": [22, 2.5, 1.6], "frontal_hairline": [8, 1.5, 0.5]}),
        (14, {"vertex": [24, 2.5, 1.8], "left_parietal": [6, 2.0, 0.4]}),
    ):
        stored = kiosk.sessions.close(patient.id, _form(consultant, days_ago, zones), "test")
    return stored


def _top_left(widget, ancestor) -> QPoint:
    return widget.mapTo(ancestor, QPoint(0, 0))


def test_portrait_puts_legend_and_zone_history_beside_the_map_and_leaves_room_for_the_form(
        qapp, kiosk, register_consented, consultant, qtbot, shots):
    patient = register_consented("Claire", "Dubois")
    _three_sessions(kiosk, patient, consultant)
    page = build_scalp_page(qtbot, qapp, kiosk, (800, 1280))
    for width, height in ((800, 1280), (1280, 800)):
        page.resize(width, height)
        page.show_patient(patient)
        if not page.form.isVisible():
            qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
        qtbot.wait(300)  # let the reflow after the resize settle before measuring
        map_box = page.map.geometry()
        legend_at = _top_left(page.legend, page.map_panel)
        map_at = _top_left(page.map, page.map_panel)
        if width < height:  # portrait: beside the map, and the form keeps at least 40 % of the page
            assert legend_at.x() >= map_at.x() + map_box.width()
            assert page.form_scroll.height() >= 0.4 * page.height()
        else:  # landscape: under the map, the form beside it
            assert legend_at.y() >= map_at.y() + map_box.height()
            assert _top_left(page.form_scroll, page).x() > _top_left(page.map_panel, page).x()
        # Nothing cut off: the legend and the zone history card fit their panel.
        assert legend_at.x() + page.legend.width() <= page.map_panel.width()
        assert page.legend.height() >= page.legend.minimumHeight()
        assert page.form_scroll.widget().width() <= page.form_scroll.viewport().width()
        picker = page.form.started_at
        assert picker.date_edit.height() >= 44 and picker.now_button.isVisible()
        name = f"scalp_form_{width}x{height}.png"
        page.grab().save(str(shots / name))


def test_a_correction_names_the_consultant_not_the_actor_id(qapp, kiosk, register_consented, consultant, qtbot):
    patient = register_consented()
    closed = _three_sessions(kiosk, patient, consultant)
    form = _form(consultant, 14, {"vertex": [24, 2.5, 1.8], "left_parietal": [6, 2.0, 0.4]}, duration=45)
    kiosk.sessions.amend(closed.session.session_id, form, "Duration typed wrong.", f"consultant:{consultant.id}")
    page = build_scalp_page(qtbot, qapp, kiosk)
    page.show_patient(patient)
    texts = [w.text() for w in page.findChildren(type(page.status)) if w.text().startswith("✎ Corrected")]
    assert len(texts) == 1
    assert "by Dr Amélie Laurent." in texts[0] and "consultant:" not in texts[0]
