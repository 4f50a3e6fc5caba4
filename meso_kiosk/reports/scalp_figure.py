"""The scalp map on paper: vector drawing from the same geometry file as the on-screen map.

Zones are shaded by how many sessions of this course treated them (the orange ramp of
the on-screen history overlay), and every zone is labelled with its name and count, so
the picture never relies on colour alone (it reads in grey print too). A legend pairs
each shade with words. Nothing here is a bitmap: it stays sharp at any zoom.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import Flowable

from ..domain.summary import ScalpSection

# 0, 1, 2, 3 or more sessions (the on-screen map's HISTORY_SHADES).
SHADES = (colors.HexColor("#FBF8F3"), colors.HexColor("#FCE3C4"), colors.HexColor("#F5B570"),
          colors.HexColor("#DC7A2A"))
LEGEND = ("Not treated", "1 session", "2 sessions", "3 or more")
OUTLINE = colors.HexColor("#5B6672")
HEAD = colors.HexColor("#1F2933")
CUE = colors.HexColor("#8A949E")
MUTED = colors.HexColor("#52606D")


def shade(count: int) -> colors.Color:
    return SHADES[max(0, min(count, len(SHADES) - 1))]


def count_words(count: int) -> str:
    return "not treated" if count == 0 else ("1 session" if count == 1 else f"{count} sessions")


class ScalpFigure(Flowable):
    """A square map ``size`` points wide, then its legend below."""

    LEGEND_HEIGHT = 30.0

    def __init__(self, scalp: ScalpSection, size: float, font: str, bold_font: str,
                 legend: tuple[str, str, str, str] = LEGEND):
        super().__init__()
        self.scalp = scalp
        self.legend = legend  # in the document's language
        self.size = size
        self.font = font
        self.bold_font = bold_font
        self.width = size
        self.height = size + self.LEGEND_HEIGHT

    def wrap(self, availWidth, availHeight):  # noqa: N802, N803 (ReportLab's names)
        return self.width, self.height

    # -- drawing --------------------------------------------------------------
    def _xy(self, point: tuple[float, float]) -> tuple[float, float]:
        box = self.scalp.geometry.view_box
        scale = self.size / max(box.width, box.height)
        x, y = point
        return (x - box.x) * scale, self.LEGEND_HEIGHT + self.size - (y - box.y) * scale

    def _path(self, points, *, closed: bool = True):
        path = self.canv.beginPath()
        first, *rest = [self._xy(p) for p in points]
        path.moveTo(*first)
        for point in rest:
            path.lineTo(*point)
        if closed:
            path.close()
        return path

    def draw(self):
        canvas, geometry = self.canv, self.scalp.geometry
        canvas.saveState()
        canvas.setLineJoin(1)
        canvas.setLineCap(1)
        # Nose and ears first, as orientation cues behind the scalp.
        canvas.setStrokeColor(CUE)
        canvas.setLineWidth(0.8)
        for decoration in geometry.decorations:
            fill = decoration.kind in ("nose", "ear")
            canvas.setFillColor(SHADES[0])
            canvas.drawPath(self._path(decoration.points, closed=decoration.closed), stroke=1, fill=1 if fill else 0)
        canvas.setStrokeColor(OUTLINE)
        canvas.setLineWidth(0.6)
        for zone in geometry.zones:
            canvas.setFillColor(shade(self.scalp.count(zone.id)))
            canvas.drawPath(self._path(zone.polygon), stroke=1, fill=1)
        canvas.setStrokeColor(HEAD)
        canvas.setLineWidth(1.2)
        canvas.drawPath(self._path(geometry.outline), stroke=1, fill=0)
        self._cues()
        self._zone_labels()
        self._legend()
        canvas.restoreState()

    def _cues(self) -> None:
        canvas = self.canv
        canvas.setFillColor(MUTED)
        canvas.setFont(self.font, 6.5)
        for cue in self.scalp.geometry.labels:
            x, y = self._xy(cue.at)
            canvas.drawCentredString(x, y - 2.3, cue.text)

    def _zone_labels(self) -> None:
        canvas = self.canv
        size = 6.4
        leading = size + 1.2
        box = self.scalp.geometry.view_box
        max_width = 150 * self.size / max(box.width, box.height)
        for zone in self.scalp.geometry.zones:
            count = self.scalp.count(zone.id)
            lines = _wrap(zone.label, self.font, size, max_width)
            lines.append(f"{count}×" if count else "–")
            x, y = self._xy(zone.label_at)
            widths = [canvas.stringWidth(line, self.bold_font if i == len(lines) - 1 else self.font, size)
                      for i, line in enumerate(lines)]
            half_w = max(widths) / 2 + 2
            height = leading * len(lines)
            top = y + height / 2
            canvas.setFillColor(colors.Color(1, 1, 1, alpha=0.82))
            canvas.setStrokeColor(colors.Color(1, 1, 1, alpha=0))
            canvas.roundRect(x - half_w, top - height - 1.5, 2 * half_w, height + 2, 2, stroke=0, fill=1)
            canvas.setFillColor(HEAD)
            for index, line in enumerate(lines):
                bold = index == len(lines) - 1
                canvas.setFont(self.bold_font if bold else self.font, size)
                canvas.drawCentredString(x, top - leading * (index + 1) + 1.5, line)

    def _legend(self) -> None:
        canvas = self.canv
        canvas.setFont(self.font, 7)
        swatch = 8.0
        column = self.size / 2
        for index, (words, fill) in enumerate(zip(self.legend, SHADES)):
            x = (index % 2) * column
            y = self.LEGEND_HEIGHT - 10 - (index // 2) * 12
            canvas.setFillColor(fill)
            canvas.setStrokeColor(OUTLINE)
            canvas.setLineWidth(0.5)
            canvas.rect(x, y - 1.5, swatch, swatch, stroke=1, fill=1)
            canvas.setFillColor(HEAD)
            canvas.drawString(x + swatch + 4, y, f"{words}" + ("" if index == 0 else f" ({index}{'+' if index == 3 else ''}×)"))


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    words = text.split(" ")
    lines = [words[0]]
    for word in words[1:]:
        candidate = f"{lines[-1]} {word}"
        if stringWidth(candidate, font, size) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines
