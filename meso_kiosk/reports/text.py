"""A paragraph of any script: font runs from the chain, right-to-left lines in visual order.

ReportLab's Paragraph wraps in the order it is given. Right-to-left text must be cut
into lines in *logical* order and only then reordered line by line, or a two-line
Arabic sentence would start on its second line. So ``ScriptParagraph`` learns its
width first (``wrap``), breaks right-to-left text itself, and hands each line,
already in visual order, to an ordinary Paragraph. Text is always escaped: what a
patient typed can never become Paragraph markup.
"""

from __future__ import annotations

import unicodedata
from copy import copy

from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from .fonts import FontChain, base_direction, is_rtl, printable, shape_rtl, visual_order


def _has_cjk(text: str) -> bool:
    # Scripts written without spaces need ReportLab's character-level line breaking.
    return any(unicodedata.east_asian_width(char) in "WF" and unicodedata.category(char)[0] == "L" for char in text)


class ScriptParagraph(Flowable):
    """Like ``Paragraph(text, style)`` for plain text in any script (``\\n`` breaks lines).

    ``direction`` is the paragraph's base direction: ``None`` takes it from the first
    strong character (right for a patient's Arabic note), ``"L"`` suits an English line
    that merely contains a right-to-left name. A right-to-left paragraph of more than one
    line is set flush right; a single right-to-left value stays where its column starts.
    """

    def __init__(self, text: str, style: ParagraphStyle, fonts: FontChain, *, bold: bool = False,
                 direction: str | None = None):
        super().__init__()
        self._direction = direction
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.text = "\n".join(printable(line) for line in lines)
        self.style = style
        self._fonts = fonts
        self._bold = bold
        self._para: Paragraph | None = None
        self._para_width: float | None = None
        self._size: tuple[float, float] | None = None
        self.spaceBefore = style.spaceBefore
        self.spaceAfter = style.spaceAfter
        # Left-to-right lines are typeset once, whatever width the table tries; the glyph
        # check happens here, so a missing glyph fails at build time naming the text.
        self._ltr_markup: list[str | None] = []
        for line in self.text.split("\n"):
            if is_rtl(line):
                fonts.check(line)
                self._ltr_markup.append(None)
            else:
                self._ltr_markup.append(fonts.markup(line, bold=bold))

    # -- building -------------------------------------------------------------
    def _rtl_lines(self, line: str, width: float, base: str) -> list[str]:
        """Break one logical line to ``width``, then put each piece in visual order."""
        shaped = shape_rtl(line)
        size = self.style.fontSize
        pieces: list[str] = []
        current = ""
        for word in shaped.split(" "):
            candidate = f"{current} {word}" if current else word
            if not current or self._fonts.width(candidate, size, bold=self._bold) <= width:
                current = candidate
                continue
            pieces.append(current)
            current = word
        pieces.append(current)
        lines: list[str] = []
        for piece in pieces:  # a single word longer than the line is cut where it must be
            while len(piece) > 1 and self._fonts.width(piece, size, bold=self._bold) > width:
                cut = len(piece) - 1
                while cut > 1 and self._fonts.width(piece[:cut], size, bold=self._bold) > width:
                    cut -= 1
                lines.append(piece[:cut])
                piece = piece[cut:]
            lines.append(piece)
        return [visual_order(piece, base) for piece in lines]

    def _build(self, width: float) -> Paragraph:
        if self._para is not None and self._para_width == width:
            return self._para
        style = self.style
        base = self._direction or base_direction(self.text)
        rendered: list[str] = []
        for line, markup in zip(self.text.split("\n"), self._ltr_markup):
            if markup is None:
                rendered.extend(self._fonts.markup(piece, bold=self._bold) for piece in self._rtl_lines(line, width, base))
            else:
                rendered.append(markup)
        if base == "R" and style.alignment == TA_LEFT and (self._direction == "R" or len(rendered) > 1):
            style = copy(style)
            style.alignment = TA_RIGHT
        if _has_cjk(self.text) and not is_rtl(self.text):
            style = copy(style)
            style.wordWrap = "CJK"
        self._para = Paragraph("<br/>".join(rendered) or "&nbsp;", style)
        self._para_width = width
        self._size = None
        return self._para

    # -- Flowable -------------------------------------------------------------
    def wrap(self, availWidth, availHeight):  # noqa: N802, N803 (ReportLab's names)
        para = self._build(availWidth)
        # Tables ask again and again with the same width; a split may have undone the wrap.
        if self._size is None or not hasattr(para, "blPara"):
            self._size = para.wrap(availWidth, availHeight)
        self.width, self.height = self._size
        return self._size

    def split(self, availWidth, availHeight):  # noqa: N802, N803
        pieces = self._build(availWidth).split(availWidth, availHeight)
        self._size = None
        return pieces

    def draw(self):
        assert self._para is not None
        self._para.drawOn(self.canv, 0, 0)

    def minWidth(self):  # noqa: N802
        return self._para.minWidth() if self._para is not None else 0
