"""How the scalp map is drawn: zones, outline and orientation cues in scene units, labels
in screen pixels. Plain functions over what the view shows (``MapLook``), so the view
keeps only state, input and accessibility."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import NamedTuple

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF

from ...domain.scalp import ScalpGeometry
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


class MapLook(NamedTuple):
    """What the map shows at one moment."""

    selected: Collection[str]
    counts: Mapping[str, int]
    show_history: bool
    focused_zone: str | None  # None while the map does not have the keyboard focus
    scale: float  # view pixels per scene unit


def polygon_path(points) -> QPainterPath:
    path = QPainterPath()
    path.addPolygon(QPolygonF([QPointF(x, y) for x, y in points]))
    path.closeSubpath()
    return path


def draw_scalp(painter: QPainter, geometry: ScalpGeometry, paths: Mapping[str, QPainterPath],
               outline: QPainterPath, look: MapLook) -> None:
    """Cues, zones (fill, stripes, thick outlines), the head's outline and the focus ring, in scene units."""
    scale = look.scale
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    # Nose and ears under the scalp, as orientation cues.
    cue_pen = QPen(CUE, 2.0 / scale)
    cue_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    cue_pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    for decoration in geometry.decorations:
        points = [QPointF(x, y) for x, y in decoration.points]
        painter.setPen(cue_pen)
        painter.setBrush(QBrush(SKIN) if decoration.kind in ("nose", "ear") else Qt.BrushStyle.NoBrush)
        path = QPainterPath()
        path.addPolygon(QPolygonF(points))
        if decoration.closed:
            path.closeSubpath()
        painter.drawPath(path)

    for zone in geometry.zones:
        path = paths[zone.id]
        selected = zone.id in look.selected
        if look.show_history:
            fill = history_shade(look.counts.get(zone.id, 0))
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
    for zone_id in look.selected:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(SELECTED_OUTLINE, 4.5 / scale, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                            Qt.PenJoinStyle.RoundJoin))
        painter.drawPath(paths[zone_id])
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(QColor(theme.TEXT), 2.5 / scale))
    painter.drawPath(outline)
    if look.focused_zone is not None:
        path = paths[look.focused_zone]
        painter.setPen(QPen(QColor("white"), 7 / scale))
        painter.drawPath(path)
        painter.setPen(QPen(FOCUS_RING, 3.5 / scale, Qt.PenStyle.DashLine))
        painter.drawPath(path)


def draw_labels(painter: QPainter, geometry: ScalpGeometry, to_view: Callable[[QPointF], QPoint],
                base_font: QFont, look: MapLook) -> None:
    """Text in screen pixels (readable at any map size), anchored at scene points."""
    scale = look.scale
    painter.save()
    painter.resetTransform()
    px = max(11, min(18, round(30 * scale)))
    font = QFont(base_font)
    font.setPixelSize(px)
    font.setBold(True)
    cue_font = QFont(font)
    cue_font.setPixelSize(max(11, px - 2))
    cue_font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 1.5)
    painter.setFont(cue_font)
    painter.setPen(QColor(theme.MUTED))
    for cue in geometry.labels:
        _draw_lines(painter, to_view(QPointF(*cue.at)), [cue.text], cue_font)
    painter.setFont(font)
    for zone in geometry.zones:
        lines = _wrap(zone.label, font, 150 * scale)
        if zone.id in look.selected:
            lines[0] = "✓ " + lines[0]
        count = look.counts.get(zone.id, 0)
        if look.show_history and count:
            lines.append(f"{count}× before" if scale >= 0.45 else f"{count}×")
        anchor = to_view(QPointF(*zone.label_at))
        _draw_lines(painter, anchor, lines, font, boxed=True)
    painter.restore()


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


def _draw_lines(painter: QPainter, anchor, lines: list[str], font: QFont, *, boxed: bool = False) -> None:
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
