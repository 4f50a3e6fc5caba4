"""The consultation summary as PDF bytes: ``render_summary(summary, fonts)``.

Calm typography for a document given to patients: one sans-serif family, generous
leading, muted labels, sections only for what has been recorded. Every page names the
patient and carries the document id, "page x of y" and the audit-chain head, so a
single loose page still says what it belongs to.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate, CondPageBreak, Flowable, Frame, HRFlowable, KeepTogether, PageTemplate, Spacer, Table, TableStyle,
)

from ..domain.clock import Clock
from ..domain.patient import SEX_AT_BIRTH
from ..domain.summary import ConsultationSummary, SignatureBlock
from .fonts import FontChain
from .text import ScriptParagraph

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#52606D")
RULE = colors.HexColor("#C9CED6")
ACCENT = colors.HexColor("#1D5FA8")
ACCENT_SOFT = colors.HexColor("#E3ECF7")

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 18 * mm
MARGIN_BOTTOM = 26 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X


class _Styles:
    def __init__(self, fonts: FontChain):
        regular, bold = fonts.base_font(), fonts.base_font(bold=True)
        self.title = ParagraphStyle("title", fontName=bold, fontSize=17, leading=22, textColor=INK)
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
        self.footer = ParagraphStyle("footer", fontName=regular, fontSize=7.5, leading=10, textColor=MUTED)


def _day(value: date) -> str:
    return value.strftime("%d %b %Y")


def _number(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value:g}\u00a0{unit}"  # a number never parts from its unit


class _Builder:
    """Turns one summary into flowables; holds the fonts, styles and clinic clock."""

    def __init__(self, summary: ConsultationSummary, fonts: FontChain):
        self.summary = summary
        self.fonts = fonts
        self.styles = _Styles(fonts)
        self.clock = Clock(tz=summary.clinic.timezone)

    def p(self, text: str, style: ParagraphStyle | None = None, *, bold: bool = False,
          direction: str | None = None) -> ScriptParagraph:
        return ScriptParagraph(text, style or self.styles.body, self.fonts, bold=bold, direction=direction)

    def line(self, text: str, style: ParagraphStyle | None = None) -> ScriptParagraph:
        """An English sentence around names: left-to-right whatever script the names are in."""
        return self.p(text, style, direction="L")

    def when(self, moment: datetime) -> str:
        return self.clock.format_local(moment, with_offset=True)

    # -- pieces ---------------------------------------------------------------
    def header(self) -> list[Flowable]:
        s, summary = self.styles, self.summary
        left = [self.p(summary.clinic.name, s.title, bold=True), self.p("Consultation summary", s.subtitle)]
        right = [self.line(f"Document {summary.document_id}", s.meta),
                 self.line(f"Made {self.when(summary.generated_at)}", s.meta)]
        table = Table([[left, right]], colWidths=[TEXT_WIDTH * 0.62, TEXT_WIDTH * 0.38])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        return [table, Spacer(1, 4 * mm), HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceAfter=2 * mm)]

    def facts(self, rows: list[tuple[str, str]], *, digests: tuple[str, ...] = (), templated: tuple[str, ...] = ()) -> Table:
        """Label / value pairs, labels muted in a narrow column.

        ``digests`` name rows holding a hash (set small enough to fit one line),
        ``templated`` rows whose value is an English phrase around a name.
        """
        data = [[self.p(label, self.styles.label),
                 self.p(value, self.styles.digest if label in digests else None,
                        direction="L" if label in templated else None)]
                for label, value in rows]
        table = Table(data, colWidths=[42 * mm, TEXT_WIDTH - 42 * mm])
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ]))
        return table

    def grid(self, head: list[str], rows: list[list[str]], widths: list[float]) -> Table:
        """A table with a tinted header row that repeats on every page it spans."""
        s = self.styles
        data = [[self.p(text, s.cell_head, bold=True) for text in head]]
        data += [[self.p(text, s.cell) for text in row] for row in rows]
        scale = TEXT_WIDTH / sum(widths)
        table = Table(data, colWidths=[w * scale for w in widths], repeatRows=1)
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), ACCENT_SOFT),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ]))
        return table

    def bullets(self, items: tuple[str, ...]) -> list[Flowable]:
        return [self.p(f"•  {item}") for item in items]

    def heading(self, text: str) -> list[Flowable]:
        # A heading starts a new page when less than a few lines would follow it here;
        # keepWithNext would push a long table, and its heading, wholly to the next page.
        return [CondPageBreak(32 * mm), self.p(text, self.styles.heading, bold=True)]

    # -- sections -------------------------------------------------------------
    def patient(self) -> list[Flowable]:
        patient, today = self.summary.patient, self.clock.local(self.summary.generated_at).date()
        rows = [
            ("Name", patient.display_name),
            ("Date of birth", f"{_day(patient.date_of_birth)} (age {patient.age_on(today)})"),
        ]
        if patient.sex_at_birth:
            rows.append(("Sex at birth", SEX_AT_BIRTH.get(patient.sex_at_birth, patient.sex_at_birth)))
        if patient.id is not None:
            rows.append(("Patient number", str(patient.id)))
        if patient.preferred_language:
            rows.append(("Preferred language", patient.preferred_language))
        return [*self.heading("Patient"), self.facts(rows)]

    def intake(self) -> list[Flowable]:
        intake = self.summary.intake
        if intake is None:
            return []
        rows = [("Screening", intake.screening_outcome)]
        if intake.scale:
            rows.append(("Scale", intake.scale + (f" — {intake.stage}" if intake.stage else "")))
        if intake.completed_at:
            by = f" by {intake.completed_by}" if intake.completed_by else ""
            rows.append(("Completed", self.when(intake.completed_at) + by))
        flowables: list[Flowable] = [*self.heading("Intake"), self.facts(rows, templated=("Completed",))]
        if intake.findings:
            flowables += [Spacer(1, 2 * mm), *self.bullets(intake.findings)]
        if intake.overrides:
            flowables += [Spacer(1, 2 * mm), self.grid(
                ["Screening rule overridden", "Reason", "Decided by"],
                [[o.rule, o.reason, o.by] for o in intake.overrides], [3, 4, 2])]
        return flowables

    def sessions(self) -> list[Flowable]:
        sessions = self.summary.sessions
        if not sessions:
            return []
        rows = []
        for session in sessions:
            zones = "\n".join(
                f"{z.zone}: {z.injections}\u00a0inj., {_number(z.depth_mm, 'mm')}, {_number(z.volume_ml, 'ml')}"
                for z in session.zones) or "—"
            products = "\n".join(
                f"{p.product} (lot {p.lot_number}" + (f", exp. {_day(p.expiry)})" if p.expiry else ")")
                for p in session.products) or "—"
            rows.append([self.when(session.started_at), session.consultant, zones, str(session.injections),
                         _number(round(session.volume_ml, 2), "ml"), products,
                         "\n".join(session.side_effects) or "None observed"])
        head = ["Date", "Consultant", "Zones (injections, depth, volume)", "Inj.", "Volume", "Products and lots",
                "Side effects"]
        return [*self.heading("Treatment sessions"), self.grid(head, rows, [2.3, 2, 3.6, 0.8, 1.5, 3, 2.2])]

    def course(self) -> list[Flowable]:
        course = self.summary.course
        if course is None:
            return []
        flowables: list[Flowable] = [
            *self.heading("Course"),
            self.facts([("Protocol", course.protocol), ("Started", _day(course.start))]),
        ]
        if course.visits:
            flowables += [Spacer(1, 2 * mm), self.grid(
                ["Visit", "Date", "Status"], [[str(v.number), _day(v.day), v.status] for v in course.visits],
                [1, 2, 3])]
        if course.milestones:
            flowables += [Spacer(1, 2 * mm),
                          *self.bullets(tuple(f"{m.when}: {m.text}" for m in course.milestones))]
        return flowables

    def consent(self) -> list[Flowable]:
        consent = self.summary.consent
        if consent is None:
            return []
        flowables: list[Flowable] = [*self.heading("Consent"), self.facts([
            ("Template", f"{consent.language}, version {consent.version}"),
            ("Text SHA-256", consent.text_sha256),
        ], digests=("Text SHA-256",))]
        if consent.answers:
            flowables += [Spacer(1, 2 * mm), self.grid(
                ["Side effect explained", "Patient's answer"], [[a.item, a.answer] for a in consent.answers], [5, 2])]
        for title, items in (("Before treatment", consent.pre_treatment), ("Aftercare", consent.aftercare)):
            if items:
                flowables += [self.p(title, self.styles.subheading, bold=True), *self.bullets(items)]
        return flowables

    def signatures(self) -> list[Flowable]:
        if not self.summary.signatures:
            return []
        return [*self.heading("Signatures"), *(self.signature(block) for block in self.summary.signatures)]

    def signature(self, block: SignatureBlock) -> Flowable:
        facts = self.facts([
            ("Signed by", f"{block.printed_name} ({block.role})"),
            ("Date and time", self.when(block.signed_at)),
            ("Meaning", block.meaning),
            ("Strokes SHA-256", block.strokes_sha256),
        ], digests=("Strokes SHA-256",), templated=("Signed by", "Date and time"))
        return KeepTogether([_Strokes(block.strokes), facts, Spacer(1, 4 * mm)])

    def not_yet(self) -> list[Flowable]:
        summary = self.summary
        missing = [name for name, present in (
            ("intake", summary.intake), ("treatment sessions", summary.sessions), ("course plan", summary.course),
            ("consent", summary.consent), ("signatures", summary.signatures)) if not present]
        if not missing:
            return []
        return [self.p("Not recorded yet: " + ", ".join(missing) + ".", self.styles.note)]

    def story(self) -> list[Flowable]:
        return [*self.header(), *self.patient(), *self.intake(), *self.sessions(), *self.course(),
                *self.consent(), *self.signatures(), *self.not_yet()]

    # -- every page -----------------------------------------------------------
    def footer(self, canvas: Canvas, page: int, pages: int) -> None:
        s, summary = self.styles, self.summary
        patient = summary.patient
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        top = MARGIN_BOTTOM - 7 * mm
        canvas.line(MARGIN_X, top, PAGE_WIDTH - MARGIN_X, top)
        lines = [
            f"{patient.display_name} · born {_day(patient.date_of_birth)} · Document {summary.document_id}",
            f"Audit chain head {summary.audit_head}",
            "Sealed with the clinic's digital signature: any change to this file breaks the seal.",
        ]
        y = top - 2 * mm
        for text in lines:
            para = self.line(text, s.footer)
            _, height = para.wrap(TEXT_WIDTH - 30 * mm, 20 * mm)
            y -= height
            para.drawOn(canvas, MARGIN_X, y)
        page_label = self.line(f"Page {page} of {pages}", ParagraphStyle("page", parent=s.footer, alignment=TA_RIGHT))
        _, height = page_label.wrap(30 * mm, 10 * mm)
        page_label.drawOn(canvas, PAGE_WIDTH - MARGIN_X - 30 * mm, top - 2 * mm - height)
        canvas.restoreState()


class _Strokes(Flowable):
    """The signature as drawn: vector strokes in a light box (no bitmap, sharp at any zoom)."""

    def __init__(self, strokes, width: float = 70 * mm, height: float = 24 * mm):
        super().__init__()
        self.strokes, self.width, self.height = strokes, width, height

    def wrap(self, availWidth, availHeight):  # noqa: N802, N803
        return self.width, self.height + 2 * mm

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
            points = [(x * self.width, base + (1 - y) * self.height) for x, y in stroke]
            if len(points) == 1:
                points.append((points[0][0] + 0.3, points[0][1]))
            path = canvas.beginPath()
            path.moveTo(*points[0])
            for point in points[1:]:
                path.lineTo(*point)
            canvas.drawPath(path, stroke=1, fill=0)


def _numbered_canvas(builder: _Builder) -> type[Canvas]:
    """A canvas that holds its pages until the end, so each footer can say "of y"."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                builder.footer(self, number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def render_summary(summary: ConsultationSummary, fonts: FontChain) -> bytes:
    """The summary as PDF bytes (unsigned). Raises ``MissingGlyphError`` for unprintable text."""
    builder = _Builder(summary, fonts)
    story = builder.story()
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"Consultation summary – {summary.patient.display_name}", author=summary.clinic.name,
        subject=f"Document {summary.document_id}", creator="Meso Kiosk",
    )
    # No frame padding: tables, headings and the footer share one left edge.
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, TEXT_WIDTH, PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    document.addPageTemplates([PageTemplate("page", [frame])])
    document.build(story, canvasmaker=_numbered_canvas(builder))
    return buffer.getvalue()
