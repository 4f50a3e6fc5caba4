"""The scalp map: a top-down head drawn from ``resources/scalp/zones.json``.

Tap, click or stylus toggles a zone (when the map is editable); every tap also
reports the zone so the page can show its history. Keyboard: Tab / Shift+Tab and
the arrow keys move between zones in map order, Space or Enter toggles, and a
dashed ring shows which zone has the focus. Selected zones are never shown by
colour alone: blue fill, blue stripes, a thick outline and a check mark beside
the label. The history overlay shades zones in an orange scale by how many
earlier sessions treated them (blue and orange stay apart for colour-blind eyes).

Hit testing maps the pointer through the view's own transform into the file's
coordinates and asks the domain (``zone_at``), so it is exact at any size and
device-pixel ratio. All geometry maths stays in the domain.

Assistive technology sees every zone as its own object (``scalp_map_accessible``).
Moving between zones sends a Focus event for that child and toggling a StateChanged
event, so a screen reader follows the keyboard. The map's own accessible name also
names the focused zone: a fallback for a bridge that does not walk custom children.
The drawing is in ``scalp_map_paint``, the legend in ``scalp_map_legend``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleEvent,
    QAccessibleStateChangeEvent,
    QBrush,
    QColor,
    QFocusEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QResizeEvent,
)
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QSizePolicy, QWidget

from ...domain.scalp import ScalpGeometry, zone_at
from ...domain.session_captions import times
from .. import theme
from .scalp_map_accessible import ZoneAccessible, install_accessibility
from .scalp_map_paint import MapLook, SelectionLayer, draw_base, draw_labels, draw_selection, polygon_path


def post_accessibility_event(event: QAccessibleEvent) -> None:
    """Tell assistive technology what changed (one place, so tests can listen in)."""
    QAccessible.updateAccessibility(event)


class ScalpMapView(QGraphicsView):
    """Shows the zones; ``selection_changed`` carries the selected zone ids (a frozenset)."""

    selection_changed = Signal(object)  # frozenset[str]
    zone_tapped = Signal(str)  # zone id, whether or not the map is editable

    def __init__(self, geometry: ScalpGeometry, parent: QWidget | None = None):
        super().__init__(parent)
        self._geometry = geometry
        self._paths = {zone.id: polygon_path(zone.polygon) for zone in geometry.zones}
        self._outline = polygon_path(geometry.outline)
        self._selection = SelectionLayer(self._paths, self._outline)  # what a tap shows, as pixmaps
        self._selected: set[str] = set()
        self._counts: dict[str, int] = {zone_id: 0 for zone_id in geometry.zone_ids}
        self._show_history = False
        self._editable = True
        self._focus_index = 0
        self._pressed_zone: str | None = None
        install_accessibility(ScalpMapView)
        self._zone_accessibles = [ZoneAccessible(self, zone_id) for zone_id in geometry.zone_ids]

        box = geometry.view_box
        scene = QGraphicsScene(QRectF(box.x, box.y, box.width, box.height), self)
        self.setScene(scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # No scene items take events: Tab must reach focusNextPrevChild (zone to zone).
        self.setInteractive(False)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        # The antialiased zones are most of a repaint: keep them as a pixmap, redrawn only
        # when the history, size or scale changes (benchmarks: scalp_map); the selection and
        # the focus ring are drawn over it (drawForeground), so a tap never redraws it.
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setBackgroundBrush(QBrush(QColor(theme.SURFACE)))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(280, 280)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._update_accessible_name()

    # ------------------------------------------------------------ state in and out

    @property
    def geometry_model(self) -> ScalpGeometry:
        return self._geometry

    def selected(self) -> frozenset[str]:
        return frozenset(self._selected)

    def set_selected(self, zone_ids: Iterable[str]) -> None:
        """Show a selection without announcing it (loading a stored session)."""
        self._selected = {zone_id for zone_id in zone_ids if self._geometry.has_zone(zone_id)}
        self._changed()

    def set_history(self, counts: Mapping[str, int]) -> None:
        self._counts = {zone_id: int(counts.get(zone_id, 0)) for zone_id in self._geometry.zone_ids}
        self._changed(base=True)

    def set_history_visible(self, visible: bool) -> None:
        self._show_history = visible
        self._changed(base=True)

    @property
    def history_visible(self) -> bool:
        return self._show_history

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        self._update_accessible_name()

    @property
    def editable(self) -> bool:
        return self._editable

    def toggle(self, zone_id: str) -> None:
        if not self._editable or not self._geometry.has_zone(zone_id):
            return
        self._selected ^= {zone_id}
        self._changed()
        changed = QAccessible.State()
        changed.checked = True
        event = QAccessibleStateChangeEvent(self, changed)
        event.setChild(self._geometry.zone_ids.index(zone_id))
        post_accessibility_event(event)
        self.selection_changed.emit(self.selected())

    @property
    def focused_zone(self) -> str:
        return self._geometry.zone_ids[self._focus_index]

    def zone_accessible_name(self, zone_id: str) -> str:
        """E.g. "Vertex (crown), selected, treated 3 times before"."""
        parts = [self._geometry.zone(zone_id).label]
        parts.append("selected" if zone_id in self._selected else "not selected")
        count = self._counts.get(zone_id, 0)
        parts.append(f"treated {times(count)} before" if count else "not treated before")
        return ", ".join(parts)

    def zone_accessible_description(self, zone_id: str) -> str:
        zone = self._geometry.zone(zone_id)
        hint = "Space toggles it for this session" if self._editable else "read only"
        return f"{zone.label}: about {zone.area_share * 100:.0f} % of the scalp; {hint}."

    def zone_accessibles(self) -> list[ZoneAccessible]:
        """One accessible object per zone, in map (and Tab) order."""
        return list(self._zone_accessibles)

    def zone_screen_rect(self, zone_id: str) -> QRect:
        """Where the zone is on the screen (its bounding box), for magnifiers and touch readers."""
        polygon = self.mapFromScene(self._paths[zone_id].boundingRect())
        box = polygon.boundingRect()
        return QRect(self.viewport().mapToGlobal(box.topLeft()), box.size())

    def _announce_focus(self) -> None:
        """The focused zone, for a screen reader (only while the map has the keyboard focus)."""
        if not self.hasFocus():
            return
        event = QAccessibleEvent(self, QAccessible.Event.Focus)
        event.setChild(self._focus_index)
        post_accessibility_event(event)

    def _changed(self, *, base: bool = False) -> None:
        self._update_accessible_name()
        self._redraw(base=base)

    def _update_accessible_name(self) -> None:
        hint = "Space toggles" if self._editable else "read only"
        self.setAccessibleName(f"Scalp map: {self.zone_accessible_name(self.focused_zone)}")
        self.setAccessibleDescription(
            f"Top view of the head, nose at the top. Tab or arrow keys move between zones; {hint}."
        )

    # ------------------------------------------------------------ geometry mapping

    def zone_at_view_point(self, point: QPointF) -> str | None:
        """Zone under a point given in viewport coordinates (fractions of a pixel allowed)."""
        inverse, ok = self.viewportTransform().inverted()
        if not ok:
            return None
        scene = inverse.map(point)
        return zone_at(self._geometry, scene.x(), scene.y())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def sizeHint(self) -> QSize:
        return QSize(480, 480)

    # ------------------------------------------------------------ pointer and keys

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._pressed_zone = self.zone_at_view_point(event.position())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mouseReleaseEvent(event)
        zone_id = self.zone_at_view_point(event.position())
        pressed, self._pressed_zone = self._pressed_zone, None
        event.accept()
        if zone_id is None or zone_id != pressed:
            return  # a drag from one zone to another toggles nothing
        self._focus_index = self._geometry.zone_ids.index(zone_id)
        self.toggle(zone_id)
        self._update_accessible_name()
        self._redraw()
        self._announce_focus()
        self.zone_tapped.emit(zone_id)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        event.accept()  # no rubber band, no drag

    def wheelEvent(self, event) -> None:
        event.ignore()  # the page scrolls, the map never zooms

    def _move_focus(self, step: int) -> None:
        count = len(self._geometry.zones)
        self._focus_index = (self._focus_index + step) % count
        self._update_accessible_name()
        self._redraw()
        self._announce_focus()

    def focusNextPrevChild(self, next: bool) -> bool:
        # Tab walks the zones; after the last (or before the first) it leaves the map.
        last = len(self._geometry.zones) - 1
        if (next and self._focus_index < last) or (not next and self._focus_index > 0):
            self._move_focus(1 if next else -1)
            return True
        return super().focusNextPrevChild(next)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self._move_focus(1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self._move_focus(-1)
        elif key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Select):
            zone_id = self.focused_zone
            self.toggle(zone_id)
            self.zone_tapped.emit(zone_id)
        else:
            return super().keyPressEvent(event)
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        reason = event.reason()
        if reason == Qt.FocusReason.TabFocusReason:
            self._focus_index = 0
        elif reason == Qt.FocusReason.BacktabFocusReason:
            self._focus_index = len(self._geometry.zones) - 1
        self._update_accessible_name()
        super().focusInEvent(event)
        self._redraw()
        self._announce_focus()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self._redraw()

    # ------------------------------------------------------------ painting

    def _redraw(self, *, base: bool = False) -> None:
        """Paint again; ``base``: what the cached pixmap holds (history, its shades) changed too.
        A tap or a focus move only changes what ``drawForeground`` draws over it."""
        if base:
            self.resetCachedContent()
        self.viewport().update()

    def _scale(self) -> float:
        return max(0.05, self.transform().m11())

    def _look(self) -> MapLook:
        return MapLook(self._selected, self._counts, self._show_history,
                       self.focused_zone if self.hasFocus() else None, self._scale())

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        super().drawBackground(painter, rect)
        draw_base(painter, self._geometry, self._paths, self._outline, self._look())

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        look = self._look()
        draw_selection(painter, self._paths, self._outline, look, self._selection, self.viewportTransform())
        draw_labels(painter, self._geometry, self.mapFromScene, self.font(), look)
