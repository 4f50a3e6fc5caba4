"""A paragraph of any script: font runs from the chain, right-to-left lines in visual order.

ReportLab's Paragraph wraps in the order it is given. Right-to-left text must be cut
into lines in *logical* order and only then reordered line by line, or a two-line
Arabic sentence would start on its second line. So ``ScriptParagraph`` learns its
width first (``wrap``), breaks right-to-left text itself, and hands each line,
already in visual order, to an ordinary Paragraph. Text is always escaped: what a
patient typed can never become Paragraph markup.

Most text needs no Paragraph at all: left-to-right text that the first face of the
chain prints whole (Latin, Greek, Cyrillic…) is broken into lines by word widths and
drawn with plain ``drawString`` calls (no markup parsing, no escaping needed), which
is most of the cost of a long document. Anything else, and any split across pages,
goes through a Paragraph as described above. A paragraph with text to shape (Indic, Thai,
emoji sequences…) is laid out by ``reports.shaped`` instead of a Paragraph.
"""

from __future__ import annotations

import unicodedata
from copy import copy

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Spacer

from .fonts import FontChain, base_direction, is_rtl, printable, shape_rtl, visual_order
from .shaped import ShapedLines


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
        # Plain: one face prints it all, left to right; drawn without a Paragraph when it fits.
        self._font = fonts.base_font(bold=bold)
        self._runs: list[list[tuple[str, str]] | None] = []
        plain = style.alignment in (TA_LEFT, TA_RIGHT, TA_CENTER)
        self._shaped = False  # some run is in a face that HarfBuzz shapes
        for line in self.text.split("\n"):
            runs = fonts.runs(line, bold=bold)
            self._shaped = self._shaped or any(name in fonts.shaped_fonts for name, _ in runs)
            if is_rtl(line):
                self._runs.append(None)
                plain = False
            else:
                self._runs.append(runs)
                plain = plain and all(name == self._font for name, _ in runs)
        self._plain = plain
        self._lines: list[tuple[float, str]] | None = None  # (x, text) per line, for the plain path
        self._wrapped_at: float | None = None

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
                cut = self._longest_fit(piece, size, width)
                lines.append(piece[:cut])
                piece = piece[cut:]
            lines.append(piece)
        return [visual_order(piece, base) for piece in lines]

    def _longest_fit(self, piece: str, size: float, width: float) -> int:
        """How many characters of ``piece`` fit in ``width`` (at least one): found by halving,
        so a 4,000-character word costs a dozen measures a line, not thousands."""
        low, high = 1, len(piece) - 1  # piece[:low] is taken whatever; piece itself is too wide
        while low < high:
            middle = (low + high + 1) // 2
            if self._fonts.width(piece[:middle], size, bold=self._bold) <= width:
                low = middle
            else:
                high = middle - 1
        return low

    def _build(self, width: float) -> Paragraph:
        if self._para is not None and self._para_width == width:
            return self._para
        style = self.style
        base = self._direction or base_direction(self.text)
        rendered: list[str] = []
        for line, runs in zip(self.text.split("\n"), self._runs):
            if runs is None:
                rendered.extend(self._fonts.markup(piece, bold=self._bold) for piece in self._rtl_lines(line, width, base))
            else:
                rendered.append(self._fonts.markup_of(runs, bold=self._bold))
        if base == "R" and style.alignment == TA_LEFT and (self._direction == "R" or len(rendered) > 1):
            style = copy(style)
            style.alignment = TA_RIGHT
        if self._shaped:
            self._para = self._shaped_lines(width, base, style)
            self._para_width = width
            self._size = None
            return self._para
        if _has_cjk(self.text) and not is_rtl(self.text):
            style = copy(style)
            style.wordWrap = "CJK"
        self._para = Paragraph("<br/>".join(rendered) or "&nbsp;", style)
        self._para_width = width
        self._size = None
        return self._para

    def _shaped_lines(self, width: float, base: str, style: ParagraphStyle) -> ShapedLines:
        lines: list[tuple[list[tuple[str, str]], bool]] = []
        for line, runs in zip(self.text.split("\n"), self._runs):
            if runs is None:  # right to left: broken and put in visual order here, drawn as it is
                lines.extend((self._fonts.runs(piece, bold=self._bold), True) for piece in self._rtl_lines(line, width, base))
            else:
                lines.append((runs, False))
        return ShapedLines(lines, style, self._fonts.shaped_fonts, self._font)

    def _plain_lines(self, width: float) -> list[tuple[float, str]] | None:
        """Greedy word wrap in the base face; None when a word alone is wider than its line."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        style, font, size = self.style, self._font, self.style.fontSize
        space = stringWidth(" ", font, size)
        lines: list[tuple[float, str]] = []
        first = True
        for paragraph_line in self.text.split("\n"):
            indent = style.leftIndent + (style.firstLineIndent if first else 0)
            available = width - indent - style.rightIndent
            current: list[str] = []
            used = 0.0
            for word in paragraph_line.split(" "):
                if not word:
                    continue
                size_of_word = stringWidth(word, font, size)
                if size_of_word > available:
                    return None
                if current and used + space + size_of_word > available:
                    lines.append((indent, " ".join(current)))
                    first = False
                    indent = style.leftIndent
                    available = width - indent - style.rightIndent
                    current, used = [word], size_of_word
                else:
                    used = used + space + size_of_word if current else size_of_word
                    current.append(word)
            lines.append((indent, " ".join(current)))
            first = False
        if style.alignment != TA_LEFT:
            placed = []
            for x, line in lines:
                free = width - style.rightIndent - x - stringWidth(line, font, size)
                placed.append((x + (free if style.alignment == TA_RIGHT else free / 2), line))
            lines = placed
        return lines

    # -- Flowable -------------------------------------------------------------
    def wrap(self, availWidth, availHeight):  # noqa: N802, N803 (ReportLab's names)
        self._wrapped_at = availWidth
        if self._plain:
            if self._lines is None or self._para_width != availWidth:
                self._lines = self._plain_lines(availWidth)
                self._para_width = availWidth
                self._para = None
            if self._lines is not None:
                self.width, self.height = availWidth, self.style.leading * len(self._lines)
                return self.width, self.height
        para = self._build(availWidth)
        # Tables ask again and again with the same width; a split may have undone the wrap.
        if self._size is None or not hasattr(para, "blPara"):
            self._size = para.wrap(availWidth, availHeight)
        self.width, self.height = self._size
        return self._size

    def split(self, availWidth, availHeight):  # noqa: N802, N803
        # A table splits a cell at its column's whole width, having wrapped it inside its padding:
        # split at the width it was wrapped at, or the parts come out shorter than the row it measured.
        availWidth = min(availWidth, self._wrapped_at or availWidth)
        self._lines = None  # a split is typeset by Paragraph, whichever path wrapped it
        pieces = _parts(self._build(availWidth).split(availWidth, availHeight), availWidth, availHeight, self._font)
        self._size = None
        return pieces

    def draw(self):
        if self._lines is not None and self._para is None:
            canvas, style = self.canv, self.style
            text = canvas.beginText()
            text.setFont(self._font, style.fontSize)
            text.setFillColor(style.textColor)
            y = self.height - style.fontSize
            for x, line in self._lines:
                text.setTextOrigin(x, y)
                text.textOut(line)
                y -= style.leading
            canvas.drawText(text)
            return
        assert self._para is not None
        self._para.drawOn(self.canv, 0, 0)

    def minWidth(self):  # noqa: N802
        if self._plain:
            from reportlab.pdfbase.pdfmetrics import stringWidth

            words = [w for w in self.text.replace("\n", " ").split(" ") if w]
            return max((stringWidth(w, self._font, self.style.fontSize) for w in words), default=0)
        return self._para.minWidth() if self._para is not None else 0



def _parts(pieces: list[Flowable], width: float, height: float, space_font: str) -> list[Flowable]:
    """A split's pieces as a table can use them: two parts or none, each measured (a table reads
    a part's height before it wraps it), shaped lines in parts that can split and break again."""
    pieces = [_ShapedPart(_rebreakable(piece, space_font, first=index == 0), space_font)
              if isinstance(piece, ShapedLines) else piece for index, piece in enumerate(pieces)]
    for piece in pieces:
        piece.wrap(width, height)
    if len(pieces) == 1:  # it all fits after all (a table measured it with another padding)
        return [pieces[0], Spacer(0, 0)]  # Table._splitCell takes two parts
    return pieces


class _ShapedPart(Flowable):
    """A part of split shaped lines, split again the same way as its paragraph."""

    def __init__(self, lines: ShapedLines, space_font: str):
        super().__init__()
        self._lines, self._space_font = lines, space_font
        self._wrapped_at: float | None = None

    def wrap(self, availWidth, availHeight):  # noqa: N802, N803
        self._wrapped_at = availWidth
        self.width, self.height = self._lines.wrap(availWidth, availHeight)
        return self.width, self.height

    def split(self, availWidth, availHeight):  # noqa: N802, N803
        availWidth = min(availWidth, self._wrapped_at or availWidth)  # as ScriptParagraph.split
        return _parts(self._lines.split(availWidth, availHeight), availWidth, availHeight, self._space_font)

    def draw(self):
        self._lines.drawOn(self.canv, 0, 0)

    def minWidth(self):  # noqa: N802
        return self._lines.minWidth()

def _rebreakable(part: ShapedLines, space_font: str, *, first: bool) -> ShapedLines:
    """A part of split shaped lines that can break its lines again at another width.

    ReportLab's Table splits a cell at its column's whole width, then wraps the parts inside
    the cell's padding; a part holding only lines broken for the wider width came back empty
    (a session's products vanished and the table repeated its header down a dozen pages).
    A line that is one word with spaces in it is a right-to-left line already in visual
    order: it stays as it is. A part after the first takes no first-line indent.
    """
    lines: list[tuple[list[tuple[str, str]], bool]] = []
    for entry in part._broken or []:
        # a line is its words, or (indent, its words) since shaped lines keep a hanging indent
        line = entry[1] if len(entry) == 2 and isinstance(entry[0], (int, float)) else entry
        runs: list[tuple[str, str]] = []
        for index, word in enumerate(line):
            if index:
                runs.append((space_font, " "))
            runs.extend(word)
        fixed = len(line) == 1 and any(" " in text for _, text in line[0])
        lines.append((runs, fixed))
    style = part.style
    if not first and style.firstLineIndent:
        style = copy(style)
        style.firstLineIndent = 0
    return ShapedLines(lines, style, part._shaped, space_font)
