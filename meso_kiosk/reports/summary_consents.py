"""The summary's consent: what was agreed, its history (signed, withdrawn, signed again) and the signatures.

The signatures of one act (the consent; a withdrawal) stand together on one page: a
patient's signature never sits at the foot of one page and the consultant's at the top of
the next. Digests and the tablet's name are for verification, not for reading: they are
in the appendix at the end (``summary_appendix``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from . import signed_text
from .summary_style import INK, RULE, TEXT_WIDTH, WARNING, WARNING_SOFT

if TYPE_CHECKING:
    from ..domain.summary import SignatureBlock


def consent(b) -> list[Flowable]:
    """What the patient agreed to: status, text, history, ticks, answers, before and after care."""
    section = b.summary.consent
    if section is None:
        return []
    w, rows = b.w, []
    if section.status:
        rows.append((w("status"), section.status))
    rows.append((w("consent_text"), w("consent_version", language=section.language, version=section.version)))
    flowables: list[Flowable] = [*b.heading(w("consent")), b.facts(rows)]
    flowables += history(b)
    if section.answers:
        flowables += [Spacer(1, 3 * mm), b.grid(
            [w("side_effect_read"), w("patient_answer")],
            [[a.item, a.answer] for a in section.answers], [6, 1.7])]
    extra = []
    if section.photo_question:
        extra += [(w("photos"), section.photo_question), (w("answer"), section.photo_answer or w("not_answered"))]
    if section.question_for_consultant:
        extra.append((w("patients_question"), section.question_for_consultant))
    if extra:
        flowables += [Spacer(1, 3 * mm), b.facts(extra)]
    for title, items in ((section.pre_treatment_title, section.pre_treatment),
                         (section.aftercare_title, section.aftercare)):
        if items:  # a subheading never stays behind without its first item
            bullets = b.bullets(items)
            flowables += [KeepTogether([b.p(title, b.styles.subheading, bold=True), bullets[0]]), *bullets[1:]]
    return flowables + signed_text.in_consent_section(b, TEXT_WIDTH)  # the whole text, or where it is


def history(b) -> list[Flowable]:
    """Every consent and withdrawal the patient signed, oldest first, with the clinic's local time."""
    events = b.summary.consent.history if b.summary.consent else ()
    if len(events) < 2:  # one signature: the status line says it all
        return []
    w = b.w
    rows = [[b.when(event.at), event.what, w("consent_version", language=event.language, version=event.version)]
            for event in events]
    return [Spacer(1, 3 * mm), b.p(w("consent_history"), b.styles.subheading, bold=True),
            b.grid([w("date_and_time"), w("what_happened"), w("consent_text")], rows, [3, 3.4, 3])]


def signatures(b) -> list[Flowable]:
    """Each act's signatures on one page (the heading with the first act)."""
    summary = b.summary
    if not summary.signatures and not summary.unsigned:
        return []
    acts: list[list[Flowable]] = []
    for index, block in enumerate(summary.signatures):
        if not index or block.withdrawal != summary.signatures[index - 1].withdrawal:
            acts.append([])  # the consent's signatures, then the withdrawal's
        acts[-1] += signature(b, block)
    if summary.unsigned and summary.consent is None:
        acts.append(unsigned_row(b, summary.unsigned))
    # One KeepTogether per act, never one inside another: ReportLab cannot nest them.
    first = [b.p(b.w("signatures"), b.styles.heading, bold=True), *acts[0]]
    return [KeepTogether(first), *(KeepTogether(act) for act in acts[1:])]


def signature(b, block: SignatureBlock) -> list[Flowable]:
    w = b.w
    rows = [(w("signed_by"), f"{block.printed_name} ({block.role})")]
    if block.credentials:
        rows.append((w("profession"), block.credentials))
    rows += [
        (w("date_and_time_signed"), b.when(block.signed_at)),
        (w("meaning"), block.meaning),
        (w("how"), block.method),
    ]
    facts = b.facts(rows, templated=(w("signed_by"), w("date_and_time_signed")))
    drawn: Flowable = Strokes(block.strokes, block.aspect) if block.strokes else Spacer(1, 1 * mm)
    return [drawn, facts, Spacer(1, 4 * mm)]


def unsigned_row(b, blocks) -> list[Flowable]:
    """The empty signature lines side by side: one short block, never a page of its own."""
    gap = 8 * mm
    width = (TEXT_WIDTH - gap * (len(blocks) - 1)) / len(blocks)
    cells: list = []
    for index, block in enumerate(blocks):
        if index:
            cells.append("")
        cells.append(unsigned(b, block, width))
    widths = [width if index % 2 == 0 else gap for index in range(len(cells))]
    row = Table([cells], colWidths=widths, hAlign="LEFT")
    row.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0)]))
    return [row, Spacer(1, 5 * mm)]


def unsigned(b, block, width: float) -> list[Flowable]:
    s = b.styles
    box = Table([[b.p(b.w("not_signed"), s.notice_title, bold=True)]], colWidths=[width],
                rowHeights=[14 * mm], hAlign="LEFT")
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1, WARNING), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                             ("BACKGROUND", (0, 0), (-1, -1), WARNING_SOFT),
                             ("LEFTPADDING", (0, 0), (-1, -1), 8)]))
    rows = [(b.w("role"), block.role)]
    if block.printed_name:
        rows.append((b.w("name"), block.printed_name))
    rows.append((b.w("status"), block.why))
    return [box, Spacer(1, 1.5 * mm), b.facts(rows, width=width, label_width=18 * mm)]


class Strokes(Flowable):
    """The signature as drawn: vector strokes above a signing line (no bitmap, sharp at any zoom).

    The strokes come in a 0..1 box of ``aspect`` (width / height), fitted here into at most
    ``width`` × ``height`` without distortion.
    """

    def __init__(self, strokes, aspect: float = 3.0, width: float = 70 * mm, height: float = 24 * mm):
        super().__init__()
        self.strokes, self.width, self.height = strokes, width, height
        aspect = aspect if aspect > 0 else 3.0
        self.ink_width = min(width, height * aspect)
        self.ink_height = self.ink_width / aspect

    def wrap(self, availWidth, availHeight):  # noqa: N802, N803
        return self.width, self.ink_height + 4 * mm

    def draw(self):
        canvas = self.canv
        base = 2 * mm
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(0, base + 2 * mm, self.width, base + 2 * mm)  # the signing line
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(1.1)
        canvas.setLineCap(1)
        canvas.setLineJoin(1)
        for stroke in self.strokes:
            points = [(x * self.ink_width, base + 2 * mm + (1 - y) * self.ink_height) for x, y in stroke]
            if len(points) == 1:
                points.append((points[0][0] + 0.3, points[0][1]))
            path = canvas.beginPath()
            path.moveTo(*points[0])
            for point in points[1:]:
                path.lineTo(*point)
            canvas.drawPath(path, stroke=1, fill=0)
