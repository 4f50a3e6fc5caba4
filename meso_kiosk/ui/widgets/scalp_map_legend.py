"""The legend under the scalp map: what the blue stripes and each orange shade mean, in words."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QWidget

from .. import theme
from .scalp_map_paint import HISTORY_LEGEND, HISTORY_SHADES, OUTLINE, SELECTED_FILL, SELECTED_OUTLINE, SELECTED_STRIPES


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
