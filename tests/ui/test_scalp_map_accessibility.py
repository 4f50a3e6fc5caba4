"""Every zone of the scalp map is its own accessible object, followed by focus and state events."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QAccessible

from meso_kiosk.domain.polygon import interior_point
from meso_kiosk.ui.widgets import scalp_map_view
from meso_kiosk.ui.widgets.scalp_map_accessible import MapAccessible, ZoneAccessible
from meso_kiosk.ui.widgets.scalp_map_view import ScalpMapView


@pytest.fixture
def view(qtbot, kiosk):
    shown = ScalpMapView(kiosk.sessions.geometry)
    qtbot.addWidget(shown)
    shown.resize(520, 520)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


@pytest.fixture
def announced(monkeypatch):
    """What the map tells assistive technology: (event type, child index, checked changed?)."""
    events: list[tuple[QAccessible.Event, int, bool]] = []

    def listen(event) -> None:
        checked = event.type() == QAccessible.Event.StateChanged and event.changedStates().checked
        events.append((event.type(), event.child(), bool(checked)))

    monkeypatch.setattr(scalp_map_view, "post_accessibility_event", listen)
    return events


def test_each_zone_is_an_accessible_check_box_with_its_own_name_and_place(view):
    geometry = view.geometry_model
    map_interface = QAccessible.queryAccessibleInterface(view)
    assert isinstance(map_interface, MapAccessible)
    assert map_interface.role() == QAccessible.Role.Grouping
    assert map_interface.childCount() == len(geometry.zone_ids) >= 8
    view_rect = QRect(view.mapToGlobal(view.rect().topLeft()), view.size())
    for index, zone_id in enumerate(geometry.zone_ids):
        child = map_interface.child(index)
        assert isinstance(child, ZoneAccessible) and child.zone_id == zone_id
        assert child.isValid() and child.role() == QAccessible.Role.CheckBox
        name = child.text(QAccessible.Text.Name)
        assert name == view.zone_accessible_name(zone_id)
        assert name.startswith(geometry.zone(zone_id).label + ", not selected")
        assert "% of the scalp" in child.text(QAccessible.Text.Description)
        assert child.parent() is map_interface and map_interface.indexOfChild(child) == index
        state = child.state()
        assert state.focusable and state.checkable and not state.checked and not state.readOnly
        # Its rectangle is on the map, and a point inside the zone finds this very child.
        assert view_rect.contains(child.rect())
        x, y = interior_point(geometry.zone(zone_id).polygon)
        point = view.viewport().mapToGlobal(view.mapFromScene(QPointF(x, y)))
        assert map_interface.childAt(point.x(), point.y()) is child
    assert map_interface.child(len(geometry.zone_ids)) is None


def test_selection_and_history_reach_the_zone_objects(view, announced):
    map_interface = QAccessible.queryAccessibleInterface(view)
    vertex = map_interface.child(view.geometry_model.zone_ids.index("vertex"))
    view.toggle("vertex")
    assert vertex.state().checked
    assert announced[-1] == (QAccessible.Event.StateChanged, view.geometry_model.zone_ids.index("vertex"), True)
    view.set_history({"vertex": 3})
    assert vertex.text(QAccessible.Text.Name) == "Vertex (crown), selected, treated 3 times before"
    view.set_editable(False)
    assert vertex.state().readOnly
    assert "read only" in vertex.text(QAccessible.Text.Description)


def test_keyboard_focus_moves_are_announced_zone_by_zone(qtbot, view, announced):
    view.activateWindow()
    qtbot.waitActive(view)
    view.setFocus(Qt.FocusReason.TabFocusReason)
    assert view.hasFocus()
    ids = view.geometry_model.zone_ids
    map_interface = QAccessible.queryAccessibleInterface(view)
    assert announced[-1] == (QAccessible.Event.Focus, 0, False)
    assert map_interface.focusChild() is map_interface.child(0)
    assert map_interface.child(0).state().focused
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert announced[-1] == (QAccessible.Event.Focus, 1, False)
    assert map_interface.focusChild().text(QAccessible.Text.Name).startswith("Mid-scalp")
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert announced[-1] == (QAccessible.Event.Focus, ids.index("vertex"), False)
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert view.selected() == {"vertex"}
    assert (QAccessible.Event.StateChanged, ids.index("vertex"), True) in announced
    # The map's own name follows too (for a bridge that does not walk children).
    assert view.accessibleName() == "Scalp map: Vertex (crown), selected, not treated before"
    # A tap on a zone moves the focus there and says so.
    x, y = interior_point(view.geometry_model.zone("occipital").polygon)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(QPointF(x, y)))
    assert announced[-1] == (QAccessible.Event.Focus, ids.index("occipital"), False)
    assert map_interface.focusChild().text(QAccessible.Text.Name).startswith("Occipital, selected")


def test_zone_objects_turn_invalid_when_the_map_is_gone(qtbot, kiosk):
    view = ScalpMapView(kiosk.sessions.geometry)
    zones = view.zone_accessibles()
    assert all(zone.isValid() for zone in zones)
    view.deleteLater()
    qtbot.waitUntil(lambda: not zones[0].isValid())
    assert zones[0].text(QAccessible.Text.Name) == "" and zones[0].state().invalid
    assert zones[0].rect() == QRect() and zones[0].parent() is None
