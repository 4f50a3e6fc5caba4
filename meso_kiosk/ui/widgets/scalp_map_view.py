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

Assistive technology sees every zone as its own object: an accessibility factory
(``QAccessible.installFactory``, which PySide6 accepts a Python callable for) gives the
map an interface whose children are the zones, each a check box named after the zone
("Vertex (crown), selected, treated 3 times before") with its checked state and its
rectangle on screen. Moving between zones sends a Focus event for that child and
toggling a StateChanged event, so a screen reader follows the keyboard. The map's own
accessible name also names the focused zone: a fallback for a bridge that does not
walk custom children.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import shiboken6
from PySide6.QtCore import QObject, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleEvent,
    QAccessibleInterface,
    QAccessibleStateChangeEvent,
    QBrush,
    QColor,
    QFocusEvent,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAccessibleWidget,
    QFrame,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QSizePolicy,
    QWidget,
)

from ...domain.scalp import ScalpGeometry, zone_at
from .. import theme

# Colours: blue for "selected now", an orange ramp for "treated before".
SKIN = QColor("#FBF8F3")
OUTLINE = QColor("#5B6672")
SELECTED_FILL = QColor("#A9C8EC")
SELECTED_STRIPES = QColor(theme.ACCENT)
SELECTED_OUTLINE = QColor("#0B3B73")
FOCUS_RING = QColor(theme.TEXT)
CUE = QColor("#8A949E")
# 0, 1, 2, 3 or more earlier sessions.
HISTORY_SHADES = (QColor("#FBF8F3"), QColor("#FCE3C4"), QColor("#F5B570"), QColor("#DC7A2A"))
HISTORY_LEGEND = ("Not treated before", "1 earlier session", "2 earlier sessions", "3 or more")


def history_shade(count: int) -> QColor:
    return HISTORY_SHADES[max(0, min(count, len(HISTORY_SHADES) - 1))]


def times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def post_accessibility_event(event: QAccessibleEvent) -> None:
    """Tell assistive technology what changed (one place, so tests can listen in)."""
    QAccessible.updateAccessibility(event)


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


def _accessible_factory(class_name: str, obj: QObject) -> QAccessibleInterface | None:
    return MapAccessible(obj) if isinstance(obj, ScalpMapView) else None


_factory_installed = False  # a process-wide Qt registration, done once


def install_accessibility() -> None:
    global _factory_installed
    if not _factory_installed:
        QAccessible.installFactory(_accessible_factory)
        _factory_installed = True


class ScalpMapView(QGraphicsView):
    """Shows the zones; ``selection_changed`` carries the selected zone ids (a frozenset)."""

    selection_changed = Signal(object)  # frozenset[str]
    zone_tapped = Signal(str)  # zone id, whether or not the map is editable

    def __init__(self, geometry: ScalpGeometry, parent: QWidget | None = None):
        super().__init__(parent)
        self._geometry = geometry
        self._paths = {zone.id: self._path(zone.polygon) for zone in geometry.zones}
        self._outline = self._path(geometry.outline)
        self._selected: set[str] = set()
        self._counts: dict[str, int] = {zone_id: 0 for zone_id in geometry.zone_ids}
        self._show_history = False
        self._editable = True
        self._focus_index = 0
        self._pressed_zone: str | None = None
        install_accessibility()
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
        # The antialiased zones are most of a repaint (~5 ms for 22 paths): keep them as a
        # pixmap, redrawn only when the selection, history, focus, size or scale changes.
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setBackgroundBrush(QBrush(QColor(theme.SURFACE)))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(280, 280)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._update_accessible_name()

    @staticmethod
    def _path(points) -> QPainterPath:
        path = QPainterPath()
        path.addPolygon(QPolygonF([QPointF(x, y) for x, y in points]))
        path.closeSubpath()
        return path

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
        self._changed()

    def set_history_visible(self, visible: bool) -> None:
        self._show_history = visible
        self._changed()

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

    def _changed(self) -> None:
        self._update_accessible_name()
        self._redraw()

    def _update_accessible_name(self) -> None:
        hint = "Space toggles" if self._editable else "read only"
        self.setAccessibleName(f"Scalp map: {self.zone_accessible_name(self.focused_zone)}")
        self.setAccessibleDescription(
            f"Top view of the head, nose at the top. Tab or arrow keys move between zones; {hint}."
        )

    # ------------------------------------------------------------ geometry mapping

    def scene_point_of(self, zone_id: str) -> QPointF:
        x, y = self._geometry.zone(zone_id).label_at
        return QPointF(x, y)

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

    def _redraw(self) -> None:
        self.resetCachedContent()  # what drawBackground draws has changed
        self.viewport().update()

    def _scale(self) -> float:
        return max(0.05, self.transform().m11())

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        super().drawBackground(painter, rect)
        scale = self._scale()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # Nose and ears under the scalp, as orientation cues.
        cue_pen = QPen(CUE, 2.0 / scale)
        cue_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        cue_pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        for decoration in self._geometry.decorations:
            points = [QPointF(x, y) for x, y in decoration.points]
            painter.setPen(cue_pen)
            painter.setBrush(QBrush(SKIN) if decoration.kind in ("nose", "ear") else Qt.BrushStyle.NoBrush)
            path = QPainterPath()
            path.addPolygon(QPolygonF(points))
            if decoration.closed:
                path.closeSubpath()
            painter.drawPath(path)

        for zone in self._geometry.zones:
            path = self._paths[zone.id]
            selected = zone.id in self._selected
            if self._show_history:
                fill = history_shade(self._counts.get(zone.id, 0))
            else:
                fill = SELECTED_FILL if selected else SKIN
            painter.setPen(QPen(OUTLINE, 1.5 / scale))
            painter.setBrush(QBrush(fill))
            painter.drawPath(path)
            if selected:
                painter.setPen(Qt.PenStyle.NoPen)
                stripes = QBrush(SELECTED_STRIPES, Qt.BrushStyle.BDiagPattern)
                painter.setBrush(stripes)
                painter.drawPath(path)
        # Thick outlines on top, so neighbours never hide them.
        for zone_id in self._selected:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(SELECTED_OUTLINE, 4.5 / scale, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                                Qt.PenJoinStyle.RoundJoin))
            painter.drawPath(self._paths[zone_id])
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(theme.TEXT), 2.5 / scale))
        painter.drawPath(self._outline)
        if self.hasFocus():
            path = self._paths[self.focused_zone]
            painter.setPen(QPen(QColor("white"), 7 / scale))
            painter.drawPath(path)
            painter.setPen(QPen(FOCUS_RING, 3.5 / scale, Qt.PenStyle.DashLine))
            painter.drawPath(path)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        # Text in screen pixels (readable at any map size), anchored at scene points.
        scale = self._scale()
        painter.save()
        painter.resetTransform()
        px = max(11, min(18, round(30 * scale)))
        font = QFont(self.font())
        font.setPixelSize(px)
        font.setBold(True)
        cue_font = QFont(font)
        cue_font.setPixelSize(max(11, px - 2))
        cue_font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 1.5)
        painter.setFont(cue_font)
        painter.setPen(QColor(theme.MUTED))
        for cue in self._geometry.labels:
            self._text(painter, self.mapFromScene(QPointF(*cue.at)), [cue.text], cue_font)
        painter.setFont(font)
        for zone in self._geometry.zones:
            lines = self._wrap(zone.label, font, 150 * scale)
            if zone.id in self._selected:
                lines[0] = "✓ " + lines[0]
            count = self._counts.get(zone.id, 0)
            if self._show_history and count:
                lines.append(f"{count}× before" if scale >= 0.45 else f"{count}×")
            anchor = self.mapFromScene(QPointF(*zone.label_at))
            self._text(painter, anchor, lines, font, boxed=True)
        painter.restore()

    @staticmethod
    def _wrap(text: str, font: QFont, width: float) -> list[str]:
        metrics = QFontMetricsF(font)
        if metrics.horizontalAdvance(text) <= width or " " not in text:
            return [text]
        words = text.split(" ")
        lines = [words[0]]
        for word in words[1:]:
            candidate = f"{lines[-1]} {word}"
            if metrics.horizontalAdvance(candidate) <= width:
                lines[-1] = candidate
            else:
                lines.append(word)
        return lines

    @staticmethod
    def _text(painter: QPainter, anchor, lines: list[str], font: QFont, *, boxed: bool = False) -> None:
        metrics = QFontMetricsF(font)
        height = metrics.height()
        width = max(metrics.horizontalAdvance(line) for line in lines)
        top = anchor.y() - height * len(lines) / 2
        if boxed:
            # A soft white plate keeps labels readable on stripes and dark shades.
            plate = QRectF(anchor.x() - width / 2 - 5, top - 2, width + 10, height * len(lines) + 4)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, 215))
            painter.drawRoundedRect(plate, 5, 5)
            painter.setPen(QColor(theme.TEXT))
        for i, line in enumerate(lines):
            x = anchor.x() - metrics.horizontalAdvance(line) / 2
            y = top + i * height + metrics.ascent()
            painter.drawText(QPointF(x, y), line)


class HistoryLegend(QWidget):
    """Swatches with words: what each shade and the stripes mean."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(
            "Legend: blue stripes with a check mark mean selected for this session; orange shades, "
            "from light to dark, mean treated in 1, 2, or 3 or more earlier sessions."
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self._history_visible = False
        self.setMinimumHeight(64)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_history_visible(self, visible: bool) -> None:
        self._history_visible = visible
        self._fit_height()
        self.update()

    def _entries(self) -> list[tuple[str, QColor, bool]]:
        entries = [("✓ Selected now", SELECTED_FILL, True)]
        if self._history_visible:
            entries += [(text, shade, False) for text, shade in zip(HISTORY_LEGEND, HISTORY_SHADES)]
        return entries

    def _font(self) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(theme.SMALL_PX)
        return font

    def _positions(self, width: float) -> tuple[list[tuple[float, float]], float]:
        """Where each entry goes when wrapped to ``width``, and the height needed."""
        metrics = QFontMetricsF(self._font())
        x, y, row_height = 0.0, 4.0, 28.0
        places = []
        for text, _colour, _stripes in self._entries():
            item_width = 26 + metrics.horizontalAdvance(text) + 18
            if x > 0 and x + item_width > width:
                x, y = 0.0, y + row_height
            places.append((x, y))
            x += item_width
        return places, y + row_height + 4

    def _fit_height(self) -> None:
        _places, height = self._positions(max(1, self.width()))
        if self.minimumHeight() != int(height):
            self.setMinimumHeight(int(height))
            self.updateGeometry()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = self._font()
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        places, _height = self._positions(self.width())
        for (text, colour, stripes), (x, y) in zip(self._entries(), places):
            swatch = QRectF(x, y + 3, 20, 20)
            painter.setPen(QPen(OUTLINE, 1))
            painter.setBrush(colour)
            painter.drawRect(swatch)
            if stripes:
                painter.setBrush(QBrush(SELECTED_STRIPES, Qt.BrushStyle.BDiagPattern))
                painter.drawRect(swatch)
                painter.setPen(QPen(SELECTED_OUTLINE, 3))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(swatch)
            painter.setPen(QColor(theme.TEXT))
            painter.drawText(QPointF(x + 26, y + 3 + 10 + metrics.ascent() / 2 - 2), text)
        painter.end()
