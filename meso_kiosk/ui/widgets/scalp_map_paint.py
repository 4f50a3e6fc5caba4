"""How the scalp map is drawn: zones, outline and orientation cues in scene units, labels
in screen pixels. Plain functions over what the view shows (``MapLook``), so the view
keeps only state, input and accessibility."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import NamedTuple

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPixmap, QPolygonF, QTransform

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
    draw_base(painter, geometry, paths, outline, look)
    draw_selection(painter, paths, outline, look)


def draw_base(painter: QPainter, geometry: ScalpGeometry, paths: Mapping[str, QPainterPath],
              outline: QPainterPath, look: MapLook) -> None:
    """What a tap does not change: cues, every zone unselected (its history shade when shown)
    and the head's outline. The view keeps it as a pixmap (``draw_selection`` goes over it)."""
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
    painter.setPen(QPen(OUTLINE, 1.5 / scale))
    for zone in geometry.zones:
        painter.setBrush(QBrush(history_shade(look.counts.get(zone.id, 0)) if look.show_history else SKIN))
        painter.drawPath(paths[zone.id])
    _draw_head(painter, outline, scale)


def draw_selection(painter: QPainter, paths: Mapping[str, QPainterPath], outline: QPainterPath,
                   look: MapLook, layer: "SelectionLayer | None" = None, transform: QTransform | None = None) -> None:
    """Over ``draw_base``: the selected zones (fill, stripes, thick outlines), the head's outline
    again where they cover it, and the focus ring. With a ``layer`` (the view's) and the
    view's ``transform``, the selected look is blitted from pixmaps made once per zone: a tap
    then draws no antialiased path at all (issue 26: its repaint < 2 ms)."""
    scale = look.scale
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if look.selected:
        if layer is not None and transform is not None:
            layer.draw(painter, look, transform)
        else:
            _selected_fills(painter, paths, look)
            for zone_id in look.selected:
                _selected_edge(painter, paths[zone_id], scale)
            _draw_head(painter, outline, scale)
    if look.focused_zone is not None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        path = paths[look.focused_zone]
        painter.setPen(QPen(QColor("white"), 7 / scale))
        painter.drawPath(path)
        painter.setPen(QPen(FOCUS_RING, 3.5 / scale, Qt.PenStyle.DashLine))
        painter.drawPath(path)


def _selected_fills(painter: QPainter, paths: Mapping[str, QPainterPath], look: MapLook) -> None:
    painter.setPen(Qt.PenStyle.NoPen)  # the thick outline covers the zone's edge
    stripes = QBrush(SELECTED_STRIPES, Qt.BrushStyle.BDiagPattern)
    for zone_id in look.selected:
        if not look.show_history:
            painter.setBrush(QBrush(SELECTED_FILL))
            painter.drawPath(paths[zone_id])
        painter.setBrush(stripes)
        painter.drawPath(paths[zone_id])


def _selected_edge(painter: QPainter, path: QPainterPath, scale: float) -> None:
    # Thick outlines after every fill, so neighbours never hide them.
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(SELECTED_OUTLINE, 4.5 / scale, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                        Qt.PenJoinStyle.RoundJoin))
    painter.drawPath(path)


class SelectionLayer:
    """Each zone's selected look (its fill and stripes; its thick outline) and the head's outline,
    rendered once per view transform into small pixmaps, then only blitted: the fills first,
    the outlines over them, the head's outline last, as ``draw_selection`` draws them."""

    MARGIN_PX = 6  # room for the thick outline's half width beyond the zone's bounds

    def __init__(self, paths: Mapping[str, QPainterPath], outline: QPainterPath):
        self._paths, self._outline = paths, outline
        self._sprites: dict[tuple, tuple[QPoint, QPixmap]] = {}
        self._made_for: tuple | None = None

    def draw(self, painter: QPainter, look: MapLook, transform: QTransform) -> None:
        ratio = painter.device().devicePixelRatioF()
        made_for = (transform.m11(), transform.m12(), transform.m21(), transform.m22(), transform.dx(),
                    transform.dy(), ratio)
        if made_for != self._made_for:  # resized or rescaled: the pixmaps are made again
            self._sprites.clear()
            self._made_for = made_for
        keys = [("fill", zone_id, look.show_history) for zone_id in look.selected]
        keys += [("edge", zone_id) for zone_id in look.selected] + [("head",)]
        painter.save()
        painter.resetTransform()
        for key in keys:
            at, pixmap = self._sprite(key, transform, look, ratio)
            painter.drawPixmap(at, pixmap)
        painter.restore()

    def _sprite(self, key: tuple, transform: QTransform, look: MapLook, ratio: float) -> tuple[QPoint, QPixmap]:
        if key in self._sprites:
            return self._sprites[key]
        path = self._outline if key[0] == "head" else self._paths[key[1]]
        margin = self.MARGIN_PX
        rect = transform.mapRect(path.boundingRect()).toAlignedRect().adjusted(-margin, -margin, margin, margin)
        pixmap = QPixmap(rect.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(-rect.topLeft().x(), -rect.topLeft().y())
        painter.setTransform(transform, True)
        scale = max(0.05, transform.m11())
        if key[0] == "fill":
            _selected_fills(painter, {key[1]: path}, look._replace(selected=(key[1],)))
        elif key[0] == "edge":
            _selected_edge(painter, path, scale)
        else:
            _draw_head(painter, path, scale)
        painter.end()
        self._sprites[key] = (rect.topLeft(), pixmap)
        return self._sprites[key]


def _draw_head(painter: QPainter, outline: QPainterPath, scale: float) -> None:
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(QColor(theme.TEXT), 2.5 / scale))
    painter.drawPath(outline)


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
