"""The scalp-map step: exact zone hits, keyboard, the session form, closing, history, lot recall."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QPointF, Qt

from meso_kiosk.store.consultants import insert_consultant
from meso_kiosk.ui.widgets.scalp_map_view import ScalpMapView

from .session_page import build_scalp_page, click_zone, consented_earlier, open_patient

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def register(register_consented, kiosk):
    # Sessions need a complete intake and a consent signed before them (weeks ago here: the treatment gate).
    return consented_earlier(kiosk, register_consented)


@pytest.fixture
def consultant(kiosk):
    with kiosk.store.write("test") as tx:
        return insert_consultant(tx, "Dr Amélie Laurent")


@pytest.fixture
def page(qtbot, qapp, kiosk):
    return build_scalp_page(qtbot, qapp, kiosk)


def closed_session_form(consultant, days_ago: int, zones: dict) -> dict:
    return {
        "started_at": NOW - timedelta(days=days_ago),
        "consultant_id": str(consultant.id),
        "technique": "chemical_syringe",
        "zones": zones,
        "products": [{"name": "Peptide hair complex", "lot": "PX-2291/B", "expiry": "2027-06-30"}],
        "duration_min": 30,
    }


@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)])
def test_clicking_the_centre_of_every_zone_selects_exactly_that_zone(page, register, consultant, qtbot, size):
    page.resize(*size)
    open_patient(page, register(), qtbot)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    view = page.map
    assert view.editable and view.isVisible()
    for zone_id in view.geometry_model.zone_ids:
        click_zone(qtbot, view, zone_id)
        assert view.selected() == {zone_id}, zone_id
        assert zone_id in page.form.zone_rows
        click_zone(qtbot, view, zone_id)
        assert view.selected() == frozenset()


@pytest.mark.parametrize("size", [(700, 400), (260, 900)])
def test_hit_testing_is_exact_on_a_bare_map_at_any_size(qtbot, kiosk, size):
    view = ScalpMapView(kiosk.sessions.geometry)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    for zone_id in view.geometry_model.zone_ids:
        click_zone(qtbot, view, zone_id)
        assert view.selected() == {zone_id}
        click_zone(qtbot, view, zone_id)
    # Outside the scalp (the nose tip, a corner) nothing is selected.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(QPointF(500, 80)))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(QPointF(5, 5)))
    assert view.selected() == frozenset()
    # Fractions of a pixel map through the view transform exactly.
    x, y = view.geometry_model.zone("vertex").label_at
    point = view.viewportTransform().map(QPointF(x, y))
    assert view.zone_at_view_point(point) == "vertex"


def test_keyboard_moves_between_zones_and_space_toggles(qtbot, kiosk):
    view = ScalpMapView(kiosk.sessions.geometry)
    qtbot.addWidget(view)
    view.resize(500, 500)
    view.show()
    qtbot.waitExposed(view)
    view.setFocus(Qt.FocusReason.TabFocusReason)
    assert view.focused_zone == "frontal_hairline"
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert view.selected() == {"frontal_hairline"}
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert view.focused_zone == "mid_scalp"
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.focused_zone == "vertex"
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert view.selected() == {"frontal_hairline", "vertex"}
    view.set_history({"vertex": 3})
    assert view.accessibleName() == "Scalp map: Vertex (crown), selected, treated 3 times before"
    qtbot.keyClick(view, Qt.Key.Key_Left)
    qtbot.keyClick(view, Qt.Key.Key_Left)
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert view.selected() == {"vertex"}
    assert view.zone_accessible_name("occipital") == "Occipital, not selected, not treated before"
    view.set_editable(False)
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert view.selected() == {"vertex"}


def test_record_two_zones_close_and_see_the_history_overlay(page, kiosk, register, consultant, qtbot, shots):
    patient = register()
    open_patient(page, patient, qtbot)
    assert page.start_button.isVisible() and not page.form.isVisible()
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    assert page.form.isVisible()
    click_zone(qtbot, page.map, "vertex")
    click_zone(qtbot, page.map, "mid_scalp")
    vertex, mid = page.form.zone_rows["vertex"], page.form.zone_rows["mid_scalp"]
    qtbot.keyClicks(vertex.injections, "20")
    qtbot.keyClicks(vertex.volume, "1.5")
    qtbot.keyClicks(mid.injections, "15")
    qtbot.keyClicks(mid.volume, "1,0")
    qtbot.mouseClick(page.form.add_product_button, Qt.MouseButton.LeftButton)
    product = page.form.product_rows[0]
    product.name.setCurrentText("Peptide hair complex")
    qtbot.keyClicks(product.lot, "PX-2291/B")
    qtbot.keyClicks(product.expiry, "2027-06-30")
    qtbot.keyClicks(page.form.duration, "35")
    page.form.side_effect_toggles["redness"].click()
    assert "35 injections" in page.form.totals.text() and "2.5 ml" in page.form.totals.text()
    assert page.flush()
    draft = kiosk.sessions.draft(patient.id)
    assert draft.zone_ids == {"vertex", "mid_scalp"} and draft.side_effects == ("redness",)

    # Closing asks first, inline.
    qtbot.mouseClick(page.form.close_button, Qt.MouseButton.LeftButton)
    assert page.form.confirm_panel.isVisible()
    qtbot.mouseClick(page.form.confirm_panel.back, Qt.MouseButton.LeftButton)
    assert kiosk.sessions.draft(patient.id) is not None
    qtbot.mouseClick(page.form.close_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.form.confirm_panel.confirm, Qt.MouseButton.LeftButton)
    assert kiosk.sessions.draft(patient.id) is None
    assert not page.form.isVisible() and page.start_button.isVisible()

    # Reopen the patient: the overlay counts the closed session.
    open_patient(page, patient, qtbot)
    # With closed sessions and nothing in progress, the overlay shows by default, with its legend.
    assert page.map.history_visible and page.history_toggle.isChecked()
    assert page.history_toggle.text() == "Hide history"
    assert kiosk.sessions.history_counts(patient.id)["vertex"] == 1
    assert page.map._counts == {**{z: 0 for z in page.map.geometry_model.zone_ids}, "vertex": 1, "mid_scalp": 1}
    click_zone(qtbot, page.map, "vertex")  # read-only now: shows the zone's history
    assert page.map.selected() == frozenset()
    assert "treated once" in page.zone_history.title.text()
    assert "20 injections" in page.zone_history.body.text() and "PX-2291/B" in page.zone_history.body.text()
    qtbot.wait(50)  # the history box re-lays out for its longer title on the next turn of the loop
    page.grab().save(str(shots / "scalp_after_close.png"))


def test_an_expired_lot_is_refused_next_to_the_field(page, kiosk, register, consultant, qtbot):
    patient = register()
    open_patient(page, patient, qtbot)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.form.add_product_button, Qt.MouseButton.LeftButton)
    row = page.form.product_rows[0]
    row.name.setCurrentText("Peptide hair complex")
    qtbot.keyClicks(row.lot, "OLD-1")
    qtbot.keyClicks(row.expiry, "2026-11-01")
    assert "expired on 2026-11-01" in row.message.text()
    assert not page.flush()
    assert "must not be used" in row.message.text()
    assert kiosk.sessions.draft(patient.id).products == ()
    assert row.expiry.text() == "2026-11-01"  # what was typed is kept
    row.expiry.clear()
    qtbot.keyClicks(row.expiry, "2026-12-10")
    assert "⚠" in row.message.text() and "18 days" in row.message.text()
    assert page.flush()
    assert kiosk.sessions.draft(patient.id).products[0].lot == "OLD-1"


def test_a_lot_expiry_typed_as_on_the_box_year_and_month_is_checked_live(page, kiosk, register, consultant,
                                                                         qtbot, shots):
    patient = register()
    open_patient(page, patient, qtbot)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.form.add_product_button, Qt.MouseButton.LeftButton)
    row = page.form.product_rows[0]
    assert "YYYY-MM" in row.expiry.placeholderText()
    row.name.setCurrentText("Peptide hair complex")
    qtbot.keyClicks(row.lot, "BOX-7")
    qtbot.keyClicks(row.expiry, "2026-10")  # the end of October: gone
    assert "expired on 2026-10-31" in row.message.text()
    row.expiry.clear()
    qtbot.keyClicks(row.expiry, "2026-11")  # the end of this month, 8 days from today
    assert "⚠" in row.message.text() and "2026-11-30" in row.message.text()
    qtbot.wait(200)  # the new row is laid out on the next turns of the event loop
    assert row.grab().save(str(shots / "scalp_lot_expiry_month.png"))
    assert page.flush()
    assert kiosk.sessions.draft(patient.id).products[0].expiry.isoformat() == "2026-11-30"
    row.expiry.clear()
    qtbot.keyClicks(row.expiry, "11/2026")
    assert not page.flush()
    assert "YYYY-MM or YYYY-MM-DD" in row.message.text()


def test_unsaved_input_survives_a_patient_switch(page, kiosk, register, consultant, qtbot):
    claire, marcus = register("Claire", "Dubois"), register("Marcus", "Whitfield")
    open_patient(page, claire, qtbot)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    click_zone(qtbot, page.map, "occipital")
    qtbot.keyClicks(page.form.zone_rows["occipital"].injections, "abc")  # not valid yet
    open_patient(page, marcus, qtbot)
    assert page.start_button.isVisible() and not page.form.isVisible()
    open_patient(page, claire, qtbot)
    assert page.form.zone_rows["occipital"].injections.text() == "abc"
    assert "number" in page.form.zone_rows["occipital"].error.text()


def test_lot_recall_screen_lists_patients_and_opens_one(window, kiosk, qtbot, shots):
    from meso_kiosk.services.demo.seed import seed_demo

    seed_demo(kiosk)
    window.show_patients()
    qtbot.mouseClick(window.patients_page.lot_recall_button, Qt.MouseButton.LeftButton)
    recall = window.lot_recall_page
    assert window.stack.currentWidget() is recall
    qtbot.keyClicks(recall.lot, " px-2291/b")
    qtbot.keyClick(recall.lot, Qt.Key.Key_Return)
    assert recall.results.count() >= 4
    assert "4 patients" in recall.status.text()
    recall.grab().save(str(shots / "lot_recall.png"))
    qtbot.mouseClick(recall.open_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.workspace


def test_three_sessions_of_history_render_in_both_orientations(page, kiosk, register, consultant, qtbot, shots):
    patient = register("Claire", "Dubois")
    for days_ago, zones in (
        (42, {"vertex": [20, 2.5, 1.5], "mid_scalp": [15, 2.0, 1.0]}),
        (28, {"vertex": [22, 2.5, 1.6], "frontal_hairline": [8, 1.5, 0.5]}),
        (14, {"vertex": [24, 2.5, 1.8], "left_parietal": [6, 2.0, 0.4], "right_parietal": [6, 2.0, 0.4]}),
    ):
        form = closed_session_form(consultant, days_ago, {
            z: {"injections": v[0], "depth_mm": v[1], "volume_ml": v[2]} for z, v in zones.items()})
        kiosk.sessions.close(patient.id, form, "test")
    counts = kiosk.sessions.history_counts(patient.id)
    assert (counts["vertex"], counts["mid_scalp"], counts["occipital"]) == (3, 1, 0)
    for width, height in ((1280, 800), (800, 1280)):
        page.resize(width, height)
        open_patient(page, patient, qtbot)
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
        click_zone(qtbot, page.map, "vertex")
        click_zone(qtbot, page.map, "occipital")
        if not page.history_toggle.isChecked():
            page.history_toggle.click()
        form = page.form_scroll.widget()  # the form grows by a row per zone on the next turn of the loop
        qtbot.waitUntil(lambda: form.height() >= form.minimumSizeHint().height(), timeout=2000)
        assert page.map.accessibleName().endswith("treated 3 times before") or page.map.focused_zone != "vertex"
        # Nothing runs off the side: the form fits its scroll area.
        assert page.form_scroll.widget().width() <= page.form_scroll.viewport().width()
        path = shots / f"scalp_{width}x{height}.png"
        page.grab().save(str(path))
        page.map.grab().save(str(shots / f"scalp_map_only_{width}x{height}.png"))


def test_a_closed_session_is_corrected_from_its_card(page, kiosk, register, consultant, qtbot):
    patient = register()
    closed = kiosk.sessions.close(patient.id, closed_session_form(consultant, 7, {
        "vertex": {"injections": 20, "depth_mm": 2.5, "volume_ml": 1.5}}), "test").session
    open_patient(page, patient, qtbot)
    [correct] = [b for b in page.earlier.findChildren(type(page.start_button)) if b.text() == "Correct…"]
    qtbot.mouseClick(correct, Qt.MouseButton.LeftButton)
    assert page.draft.amending == closed.session_id and page.form.isVisible()
    assert page.form_title.text() == "Correct a closed session" and page.form.fields["reason"].isVisible()
    assert page.form.amend_save_button.isVisible() and not page.form.close_button.isVisible()
    assert page.form.duration.text() == "30"
    page.form.duration.setText("45")
    qtbot.mouseClick(page.form.amend_save_button, Qt.MouseButton.LeftButton)  # no reason yet
    assert page.form.fields["reason"].message.isVisible() and page.draft.amending == closed.session_id
    qtbot.keyClicks(page.form.reason, "Duration typed wrong.")
    qtbot.mouseClick(page.form.amend_save_button, Qt.MouseButton.LeftButton)
    assert page.draft.amending is None and page.status.text() == "Correction saved beside the original."
    [record] = kiosk.sessions.overview(patient.id).closed
    assert record.effective.duration_min == 45 and record.original.duration_min == 30
    notes = [w.text() for w in page.earlier.findChildren(type(page.status)) if w.text().startswith("✎ Corrected")]
    assert len(notes) == 1 and "Session length (minutes): 30 → 45" in notes[0]
