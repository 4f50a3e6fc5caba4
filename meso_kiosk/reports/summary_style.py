"""The summary PDF's look: colours, page geometry and paragraph styles, shared by its section modules.

Calm typography for a document given to patients: one sans-serif family, generous leading,
muted labels.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from .fonts import FontChain

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#52606D")
RULE = colors.HexColor("#C9CED6")
ACCENT = colors.HexColor("#1D5FA8")
ACCENT_SOFT = colors.HexColor("#E3ECF7")
WARNING = colors.HexColor("#8A5300")
WARNING_SOFT = colors.HexColor("#FDF3E1")

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 18 * mm
MARGIN_BOTTOM = 20 * mm  # room for the footer's one line and the page number
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
LOGO_HEIGHT = 18 * mm
LOGO_MAX_WIDTH = 40 * mm
META_WIDTH = 60 * mm  # the document id and when it was made, on the header's right
LONG_NAME = 40  # characters of the clinic's name from which the header sets it smaller


class Styles:
    """Every paragraph style of the summary, in the fonts of its chain."""

    def __init__(self, fonts: FontChain):
        regular, bold = fonts.base_font(), fonts.base_font(bold=True)
        self.title = ParagraphStyle("title", fontName=bold, fontSize=17, leading=22, textColor=INK)
        self.long_title = ParagraphStyle("long_title", parent=self.title, fontSize=13, leading=17)
        self.subtitle = ParagraphStyle("subtitle", fontName=regular, fontSize=10.5, leading=14, textColor=MUTED)
        self.meta = ParagraphStyle("meta", fontName=regular, fontSize=8.5, leading=12, textColor=MUTED,
                                   alignment=TA_RIGHT)
        self.heading = ParagraphStyle("heading", fontName=bold, fontSize=12.5, leading=16, textColor=ACCENT,
                                      spaceBefore=14, spaceAfter=6)
        self.body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=14, textColor=INK)
        self.label = ParagraphStyle("label", fontName=regular, fontSize=9, leading=14, textColor=MUTED)
        self.subheading = ParagraphStyle("subheading", fontName=bold, fontSize=9.5, leading=14, textColor=MUTED,
                                         spaceBefore=8, spaceAfter=2)
        self.digest = ParagraphStyle("digest", fontName=regular, fontSize=8, leading=14, textColor=INK)
        self.cell = ParagraphStyle("cell", fontName=regular, fontSize=8.5, leading=11, textColor=INK)
        self.cell_head = ParagraphStyle("cell_head", fontName=bold, fontSize=8.5, leading=11, textColor=INK)
        self.note = ParagraphStyle("note", fontName=regular, fontSize=9, leading=13, textColor=MUTED, spaceBefore=10)
        hang = fonts.width("•\u00a0\u00a0", 10)
        self.bullet = ParagraphStyle("bullet", parent=self.body, leftIndent=hang, firstLineIndent=-hang, spaceAfter=1.5)
        self.small = ParagraphStyle("small", fontName=regular, fontSize=8.5, leading=11.5, textColor=MUTED)
        self.notice_title = ParagraphStyle("notice_title", fontName=bold, fontSize=11.5, leading=15, textColor=WARNING,
                                           spaceAfter=2)
        self.footer = ParagraphStyle("footer", fontName=regular, fontSize=7.5, leading=10, textColor=MUTED)
        self.signed = ParagraphStyle("signed", fontName=regular, fontSize=9, leading=12.5, textColor=INK)


def number(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value:g}\u00a0{unit}"  # a number never parts from its unit


