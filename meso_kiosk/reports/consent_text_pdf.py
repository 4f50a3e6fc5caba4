"""The unsigned consent text, to take home and read before deciding ("take it home and decide later").

The blocks are the ones the hand-off shows (``domain.consent_template.text_blocks``), in the
patient's language, with the clinic's block for that patient. Every page carries the mark
("Not signed — to read at home") at its top, so no page can pass for a signed consent.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from ..domain.consent_template import BlockKind, TextBlock
from .fonts import FontChain
from .shaped import draw_line
from .text import ScriptParagraph

MARGIN = 20 * mm
_MARK_COLOUR = colors.HexColor("#9b1c1c")
_INK = colors.HexColor("#1f2933")
# How each kind of block begins: the boxes stay empty (nothing is ticked on a text taken home).
_PREFIX = {BlockKind.BULLET: "•\u00a0\u00a0", BlockKind.CHECKLIST_ITEM: "☐\u00a0\u00a0",
           BlockKind.CHOICE: "○\u00a0\u00a0"}


def _styles(fonts: FontChain) -> dict[BlockKind, ParagraphStyle]:
    regular, bold = fonts.base_font(), fonts.base_font(bold=True)
    body = ParagraphStyle("body", fontName=regular, fontSize=11, leading=15.5, textColor=_INK, spaceAfter=6)
    listed = ParagraphStyle("listed", parent=body, leftIndent=6 * mm, firstLineIndent=-4 * mm, spaceAfter=2)
    return {
        BlockKind.TITLE: ParagraphStyle("title", parent=body, fontName=bold, fontSize=17, leading=22, spaceAfter=10),
        BlockKind.HEADING: ParagraphStyle("heading", parent=body, fontName=bold, fontSize=13, leading=17,
                                          spaceBefore=8),
        BlockKind.SUBHEADING: ParagraphStyle("subheading", parent=body, fontName=bold, spaceBefore=4),
        BlockKind.PARAGRAPH: body,
        BlockKind.QUESTION: ParagraphStyle("question", parent=body, fontName=bold, spaceBefore=4),
        BlockKind.BULLET: listed,
        BlockKind.CHECKLIST_ITEM: listed,
        BlockKind.CHOICE: listed,
    }


def render_consent_text(blocks: Iterable[TextBlock], *, mark: str, fonts: FontChain, title: str,
                        footer: str = "") -> bytes:
    """The text as PDF bytes, ``mark`` at the top of every page and ``footer`` (e.g. who it is for
    and when it was printed) at its foot. Raises ``MissingGlyphError`` for unprintable text."""
    styles = _styles(fonts)
    bold = fonts.base_font(bold=True)
    mark_text, footer_text = fonts.without_missing_symbols(mark), fonts.without_missing_symbols(footer)

    def on_page(canvas, document) -> None:
        canvas.saveState()
        canvas.setFillColor(_MARK_COLOUR)
        canvas.setStrokeColor(_MARK_COLOUR)
        top = A4[1] - 13 * mm
        draw_line(canvas, fonts, A4[0] / 2, top, mark_text, 13, bold=True, align="centre")
        canvas.setLineWidth(1.2)
        canvas.line(MARGIN, top - 3 * mm, A4[0] - MARGIN, top - 3 * mm)
        canvas.setFillColor(_INK)
        # the patient's name, in any script: each run in its face (a canvas string has one font)
        draw_line(canvas, fonts, MARGIN, 10 * mm, footer_text, 8.5)
        draw_line(canvas, fonts, A4[0] - MARGIN, 10 * mm, f"{mark_text} · {document.page}", 8.5, align="right")
        canvas.restoreState()

    story = []
    for block in blocks:
        text = _PREFIX.get(block.kind, "") + block.text
        style = styles.get(block.kind, styles[BlockKind.PARAGRAPH])
        story.append(ScriptParagraph(text, style, fonts, bold=style.fontName == bold))
    story.append(Spacer(1, 4 * mm))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + 6 * mm,
                                 bottomMargin=MARGIN, title=title, subject=mark, creator="Meso Kiosk")
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
