"""Text in the scripts that need shaping (Indic, Thai, Khmer, Myanmar…, emoji sequences):
HarfBuzz picks and places the glyphs, we break the lines and draw them.

ReportLab's own shaping (``shaping=1`` on a Paragraph) shapes a word that mixes fonts
with the first font's glyphs, and shapes the Arabic that ``reports.text`` has already put
in visual order a second time, backwards. So the runs of a paragraph that holds shaped
text are laid out here: each run of a shaped face goes through HarfBuzz alone
(``ttfonts.shapeStr``, which needs the ``uharfbuzz`` package; without it the text is
drawn unshaped), and lines are broken between words, or between clusters when a word is
longer than the line.

A shaped glyph says nothing of the letters it stands for: a conjunct is a glyph of its
own (ReportLab maps it to a private-use code), and the vowel sign ि is drawn before
the consonant it follows. So each shaped word is drawn inside a marked-content span whose
``ActualText`` is the word as typed (PDF 32000-1, 14.9.4): copying or ``pdftotext`` gives
back the typed text, not the glyphs.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Sequence

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable

_SKIN_TONE = re.compile("([^\\s])[\U0001F3FB-\U0001F3FF]")
Run = tuple[str, str]  # (ReportLab font name, text)
Word = tuple[Run, ...]  # runs with no space between them
Line = tuple[float, list[Word]]  # indent, words


class ShapedTTFont(TTFont):
    """A face whose text HarfBuzz shapes.

    ReportLab gives a glyph that shaping makes (a conjunct, a joined emoji family) a
    private-use code and a width, but the width in the font's own units where every other
    width is in thousandths of the size: right for fonts whose em is 1000 units (the Noto
    scripts), twice too wide for Noto Emoji's 2048. The drawing is right either way (the
    position is corrected after the glyph), but a reader that places text by the widths
    (pdftotext) saw the next emoji overlap and put it on a line of its own."""

    def _TTFont__addPrivate(self, name, gid, advance):  # noqa: N802 (ReportLab's private method)
        return super()._TTFont__addPrivate(name, gid, self.face._pdfScale(advance))


@functools.lru_cache(maxsize=8192)  # names and labels come back in every export
def shaped(name: str, text: str):
    """``text`` shaped in font ``name``: a ReportLab ``ShapedStr`` (its advances are in
    thousandths of the size, so one shaping serves every size), or ``text`` unchanged when
    HarfBuzz changes nothing or is not installed.

    Left out (the typed text keeps them, in the ActualText): a skin tone after an emoji (a
    monochrome font has no colour to give it and would draw a swatch beside the hand) and
    the emoji/text presentation selectors (Noto Emoji draws them with its em-wide space
    glyph, moved back: text extraction took that for a gap and broke the line there)."""
    from reportlab.pdfbase.ttfonts import shapeStr

    text = _SKIN_TONE.sub(r"\1", text).replace("\ufe0f", "").replace("\ufe0e", "")
    return shapeStr(text, name, 10) if text else text


def run_width(name: str, text: str, size: float, is_shaped: bool) -> float:
    if is_shaped:
        glyphs = shaped(name, text)
        data = getattr(glyphs, "__shapeData__", None)
        if data is not None:
            return sum(glyph.x_advance for glyph in data) * size / 1000
        text = str(glyphs)  # what is drawn: unchanged by HarfBuzz, less any skin tone
    return stringWidth(text, name, size)


def actual_text(text: str) -> str:
    """``text`` as a PDF string in UTF-16 (big-endian, with its byte-order mark)."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def draw_runs(text_object, runs: Sequence[Run], size: float, shaped_fonts: frozenset[str]) -> None:
    """Draw ``runs`` one after the other from the text object's current point."""
    for name, run in runs:
        text_object.setFont(name, size)
        if name not in shaped_fonts:
            text_object.textOut(run)
            continue
        code = text_object._code  # ReportLab has no call for marked content inside a text object
        code.append(f"/Span <</ActualText {actual_text(run)}>> BDC")
        text_object.textOut(shaped(name, run))
        code.append("EMC")


def draw_line(canvas, fonts, x: float, y: float, text: str, size: float, *, bold: bool = False,
              align: str = "left") -> None:
    """One line of any script at ``(x, y)``: ``align`` 'left' starts it there, 'right' ends it
    there, 'centre' centres it (for page headers and footers drawn on the canvas)."""
    found = words(fonts.runs(text, bold=bold))
    space = stringWidth(" ", fonts.base_font(bold=bold), size)  # a shaped face's space may be wider
    widths = [word_width(word, size, fonts.shaped_fonts) for word in found]
    if align != "left":
        width = sum(widths) + space * max(len(found) - 1, 0)
        x -= width if align == "right" else width / 2
    text_object = canvas.beginText()
    for word, width in zip(found, widths):
        text_object.setTextOrigin(x, y)
        draw_runs(text_object, word, size, fonts.shaped_fonts)
        x += width + space
    canvas.drawText(text_object)


def word_width(word: Word, size: float, shaped_fonts: frozenset[str]) -> float:
    return sum(run_width(name, run, size, name in shaped_fonts) for name, run in word)


def words(runs: Sequence[Run]) -> list[Word]:
    """``runs`` cut at spaces into words, each word the runs (fonts) it is made of."""
    found: list[list[Run]] = [[]]
    for name, run in runs:
        for index, piece in enumerate(run.split(" ")):
            if index:
                found.append([])
            if piece:
                found[-1].append((name, piece))
    return [tuple(word) for word in found if word]


def _cluster_starts(text: str) -> list[int]:
    """Where ``text`` may be cut without splitting a cluster: not before a mark or a joiner,
    not after a virama (which joins the next consonant to its own) or a joiner."""
    starts = []
    for index in range(1, len(text)):
        char, before = text[index], text[index - 1]
        if unicodedata.category(char)[0] == "M" or char in "\u200c\u200d" or before in "\u200c\u200d":
            continue
        if unicodedata.combining(before) == 9:  # virama, coeng, asat
            continue
        if "\U0001F3FB" <= char <= "\U0001F3FF":  # a skin tone belongs to the emoji before it
            continue
        starts.append(index)
    return starts


class ShapedLines(Flowable):
    """Lines of font runs in one paragraph style, broken to the width given at ``wrap``.

    ``lines``: each logical line as ``(runs, fixed)``; a fixed line (right-to-left text
    already broken and put in visual order by ``reports.text``) is drawn as it is.
    """

    def __init__(self, lines: Sequence[tuple[Sequence[Run], bool]], style: ParagraphStyle,
                 shaped_fonts: frozenset[str], space_font: str):
        super().__init__()
        self._lines = [(list(runs), fixed) for runs, fixed in lines]
        self.style = style
        self._shaped = shaped_fonts
        self._space = stringWidth(" ", space_font, style.fontSize)
        self._broken: list[Line] | None = None
        self._width: float | None = None
        self.blPara = True  # ``ScriptParagraph.wrap`` asks: nothing to undo here

    def _word_width(self, word: Word) -> float:
        return word_width(word, self.style.fontSize, self._shaped)

    def _cut(self, word: Word, available: float) -> list[Word]:
        """A word wider than the line in pieces that fit, cut between clusters (measured one
        cluster at a time: a long word costs no more than its length)."""
        pieces: list[Word] = []
        current: list[Run] = []
        used = 0.0
        for name, run in word:
            bounds = [0, *_cluster_starts(run), len(run)]
            for begin, end in zip(bounds, bounds[1:]):
                cluster = (name, run[begin:end])
                size = self._word_width((cluster,))
                if current and used + size > available:
                    pieces.append(tuple(current))
                    current, used = [], 0.0
                current = _merged([*current, cluster])
                used += size
        if current:
            pieces.append(tuple(current))
        return pieces

    def _break(self, width: float) -> list[Line]:
        """The lines, each with its indent: the paragraph's first line takes ``firstLineIndent``
        (a bullet's hanging indent)."""
        style = self.style
        lines: list[Line] = []
        for runs, fixed in self._lines:
            indent = style.leftIndent + (0 if lines else style.firstLineIndent)
            available = max(width - indent - style.rightIndent, 1.0)
            if fixed:
                lines.append((indent, [tuple(runs)] if runs else []))
                continue
            current: list[Word] = []
            used = 0.0
            for word in words(runs):
                size = self._word_width(word)
                for piece in (self._cut(word, available) if size > available else [word]):
                    size = self._word_width(piece)
                    if current and used + self._space + size > available:
                        lines.append((indent, current))
                        indent = style.leftIndent
                        available = max(width - indent - style.rightIndent, 1.0)
                        current, used = [], 0.0
                    used = used + self._space + size if current else size
                    current.append(piece)
            lines.append((indent, current))
        return lines

    def wrap(self, availWidth, availHeight):  # noqa: N802, N803 (ReportLab's names)
        if self._broken is None or self._width != availWidth:
            self._broken = self._break(availWidth)
            self._width = availWidth
        self.width, self.height = availWidth, self.style.leading * len(self._broken)
        return self.width, self.height

    def split(self, availWidth, availHeight):  # noqa: N802, N803
        self.wrap(availWidth, availHeight)
        assert self._broken is not None
        fit = int(availHeight // self.style.leading)
        if fit <= 0 or fit >= len(self._broken):
            return [] if fit <= 0 else [self]
        return [self._part(self._broken[:fit], availWidth), self._part(self._broken[fit:], availWidth)]

    def _part(self, broken: list[Line], width: float) -> "ShapedLines":
        part = ShapedLines([], self.style, self._shaped, "Helvetica")
        part._space, part._broken, part._width = self._space, broken, width
        return part

    def minWidth(self):  # noqa: N802
        return max((self._word_width(word) for runs, _ in self._lines for word in words(runs)), default=0)

    def draw(self):
        style, size = self.style, self.style.fontSize
        text = self.canv.beginText()
        text.setFillColor(style.textColor)
        y = self.height - size
        for indent, line in self._broken or []:
            widths = [self._word_width(word) for word in line]
            free = self.width - indent - style.rightIndent - sum(widths) - self._space * max(len(line) - 1, 0)
            x = indent + (free if style.alignment == TA_RIGHT else free / 2 if style.alignment == TA_CENTER else 0)
            for word, width in zip(line, widths):
                text.setTextOrigin(x, y)
                draw_runs(text, word, size, self._shaped)
                x += width + self._space
            y -= style.leading
        self.canv.drawText(text)


def _merged(runs: list[Run]) -> list[Run]:
    """Neighbouring runs in the same font as one."""
    merged: list[Run] = []
    for name, text in runs:
        if merged and merged[-1][0] == name:
            merged[-1] = (name, merged[-1][1] + text)
        else:
            merged.append((name, text))
    return merged
