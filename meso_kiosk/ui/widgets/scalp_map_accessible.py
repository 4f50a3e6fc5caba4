"""The scalp map for assistive technology: every zone its own object.

Zones are drawn, not widgets, so an accessibility factory (``QAccessible.installFactory``,
which PySide6 accepts a Python callable for) gives the map an interface whose children
are the zones, each a check box named after the zone ("Vertex (crown), selected,
treated 3 times before") with its checked state and its rectangle on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QPoint, QPointF, QRect
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QAccessibleWidget

if TYPE_CHECKING:
    from .scalp_map_view import ScalpMapView


class ZoneAccessible(QAccessibleInterface):
    """One zone as assistive technology sees it: a check box named after the zone.

    Zones are drawn, not widgets, so this interface has no QObject; it lives as long as
    its map (the map keeps it) and reports itself invalid once the map is gone.
    """

    def __init__(self, view: "ScalpMapView", zone_id: str):
        super().__init__()
        self._view = view
        self.zone_id = zone_id

    def _alive(self) -> bool:
        return shiboken6.isValid(self._view)

    def isValid(self) -> bool:  # noqa: N802 (Qt API)
        return self._alive()

    def object(self) -> QObject | None:
        return None

    def window(self):
        return self._view.window().windowHandle() if self._alive() else None

    def parent(self) -> QAccessibleInterface | None:
        return QAccessible.queryAccessibleInterface(self._view) if self._alive() else None

    def child(self, index: int) -> None:
        return None

    def childCount(self) -> int:  # noqa: N802
        return 0

    def indexOfChild(self, child) -> int:  # noqa: N802
        return -1

    def childAt(self, x: int, y: int) -> None:  # noqa: N802
        return None

    def text(self, kind: QAccessible.Text) -> str:
        if not self._alive():
            return ""
        if kind == QAccessible.Text.Name:
            return self._view.zone_accessible_name(self.zone_id)
        if kind == QAccessible.Text.Description:
            return self._view.zone_accessible_description(self.zone_id)
        return ""

    def setText(self, kind, text: str) -> None:  # noqa: N802
        pass  # the name comes from the zone catalogue

    def rect(self) -> QRect:
        return self._view.zone_screen_rect(self.zone_id) if self._alive() else QRect()

    def role(self) -> QAccessible.Role:
        return QAccessible.Role.CheckBox

    def state(self):
        state = QAccessible.State()
        if not self._alive():
            state.invalid = True
            return state
        view = self._view
        state.focusable = True
        state.focused = view.hasFocus() and view.focused_zone == self.zone_id
        state.checkable = True
        state.checked = self.zone_id in view.selected()
        state.readOnly = not view.editable
        state.invisible = not view.isVisible()
        return state


class MapAccessible(QAccessibleWidget):
    """The map for assistive technology: a group whose children are the zones, in map order."""

    def __init__(self, view: "ScalpMapView"):
        super().__init__(view, QAccessible.Role.Grouping)
        self._view = view

    def _zones(self) -> list[ZoneAccessible]:
        return self._view.zone_accessibles() if shiboken6.isValid(self._view) else []

    def childCount(self) -> int:  # noqa: N802
        return len(self._zones())

    def child(self, index: int) -> QAccessibleInterface | None:
        zones = self._zones()
        return zones[index] if 0 <= index < len(zones) else None

    def indexOfChild(self, child) -> int:  # noqa: N802
        return next((i for i, zone in enumerate(self._zones()) if zone is child), -1)

    def focusChild(self) -> QAccessibleInterface | None:  # noqa: N802
        view = self._view
        if not shiboken6.isValid(view) or not view.hasFocus():
            return None
        return self.child(view.geometry_model.zone_ids.index(view.focused_zone))

    def childAt(self, x: int, y: int) -> QAccessibleInterface | None:  # noqa: N802
        view = self._view
        if not shiboken6.isValid(view):
            return None
        zone_id = view.zone_at_view_point(QPointF(view.viewport().mapFromGlobal(QPoint(x, y))))
        return None if zone_id is None else self.child(view.geometry_model.zone_ids.index(zone_id))


# The factory Qt calls (a process-wide registration, done once); kept here so it lives as long as Qt may call it.
_factory: Callable[[str, QObject], QAccessibleInterface | None] | None = None


def install_accessibility(view_class: type[QObject]) -> None:
    """Give every ``view_class`` (the scalp map view, which passes itself) its ``MapAccessible``."""
    global _factory
    if _factory is not None:
        return

    def accessible_factory(_class_name: str, obj: QObject) -> QAccessibleInterface | None:
        return MapAccessible(obj) if isinstance(obj, view_class) else None

    _factory = accessible_factory
    QAccessible.installFactory(accessible_factory)
