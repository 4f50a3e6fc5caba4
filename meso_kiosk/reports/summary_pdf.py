"""The consultation summary as PDF bytes: ``render_summary(summary, fonts)``.

A calm document given to patients: sections only for what has been recorded, in the order
the consultation went (patient, intake, zones and sessions, course, progress photos, consent,
signatures), then the signed text when it is long and, last, the technical details a checker needs.
Every page names the patient and carries the document id and "page x of y", so a single
loose page still says what it belongs to. This module holds the document's frame, its
shared pieces (facts, grids, headings) and the short sections; the long ones have their
own modules (``summary_sessions``, ``summary_photos``, ``summary_consents``, ``summary_appendix``).

Nothing a form accepts may stop the document: tables split between their rows and inside a
row, long words wrap, and long free text is set as paragraphs that run on across pages.
"""

from __future__ import annotations

import io
from datetime import datetime

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
from ..domain.summary import ConsultationSummary, NoticeLevel
from . import signed_text, summary_appendix, summary_consents, summary_photos, summary_sessions
from .fonts import FontChain
from .summary_style import (
    ACCENT, ACCENT_SOFT, LOGO_HEIGHT, LOGO_MAX_WIDTH, LONG_NAME, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, META_WIDTH,
    PAGE_HEIGHT, PAGE_WIDTH, RULE, TEXT_WIDTH, WARNING, WARNING_SOFT, Styles,
)
from .text import ScriptParagraph


ROW_SPLIT = 36  # points: the least of a table row set at a page's foot when the row is split there


class _Builder:
    """Turns one summary into flowables; holds the fonts, styles and clinic clock."""

    def __init__(self, summary: ConsultationSummary, fonts: FontChain):
        self.summary = summary
        self.fonts = fonts
        self.styles = Styles(fonts)
        self.clock = Clock(tz=summary.clinic.timezone)
        if summary.words is None:
            raise ValueError("the summary carries no PDF words (resources/pdf/<language>.toml)")
        self.w = summary.words  # headings, captions and month names in the patient's language
        self.day = self.w.day

    def p(self, text: str, style: ParagraphStyle | None = None, *, bold: bool = False,
          direction: str | None = None) -> ScriptParagraph:
        return ScriptParagraph(text, style or self.styles.body, self.fonts, bold=bold, direction=direction)

    def line(self, text: str, style: ParagraphStyle | None = None) -> ScriptParagraph:
        """An English sentence around names: left-to-right whatever script the names are in."""
        return self.p(text, style, direction="L")

    def when(self, moment: datetime) -> str:
        return self.w.moment(self.clock.local(moment))  # the month's name in the patient's language

    def when_lines(self, moment: datetime) -> str:
        """Date, time and UTC offset on three short lines, for a narrow column."""
        day, time = self.w.moment(self.clock.local(moment), with_offset=False).split(", ")
        offset = self.when(moment).rsplit(" ", 1)[1]
        return f"{day}\n{time}\n{offset}"

    # -- pieces ---------------------------------------------------------------
    def header(self) -> list[Flowable]:
        s, summary = self.styles, self.summary
        clinic = summary.clinic
        # The clinic's identity is on every document: a symbol no font has (an emoji) is left
        # out of it rather than stop every export; letters no font has still stop it, named.
        shown = self.fonts.without_missing_symbols
        name = shown(clinic.name) or clinic.name
        left: list[Flowable] = [self.p(name, s.title if len(name) <= LONG_NAME else s.long_title, bold=True)]
        contact = [*(clinic.address or "").split("\n"), clinic.phone or "", clinic.email or ""]
        left += [self.p(shown(line), s.small) for line in contact if shown(line)]
        left += [Spacer(1, 1.5 * mm), self.p(self.w("subtitle"), s.subtitle)]
        right = [self.line(self.w("document", id=summary.document_id), s.meta),
                 self.line(self.w("made", when=self.when(summary.generated_at)), s.meta)]
        logo = _logo(clinic.logo_png)
        cells, widths = [left, right], [TEXT_WIDTH - META_WIDTH, META_WIDTH]
        if logo is not None:
            cells, widths = [logo, *cells], [logo.drawWidth + 5 * mm, widths[0] - logo.drawWidth - 5 * mm, widths[1]]
        table = Table([cells], colWidths=widths)
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        return [table, Spacer(1, 4 * mm), HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceAfter=2 * mm)]

    def facts(self, rows: list[tuple[str, str]], *, digests: tuple[str, ...] = (), templated: tuple[str, ...] = (),
              width: float = TEXT_WIDTH, label_width: float = 42 * mm) -> Table:
        """Label / value pairs, labels muted in a narrow column.

        ``digests`` name rows holding a hash (set small enough to fit one line),
        ``templated`` rows whose value is an English phrase around a name.
        """
        data = [[self.p(label, self.styles.label),
                 self.p(value, self.styles.digest if label in digests else None,
                        direction="L" if label in templated else None)]
                for label, value in rows]
        table = Table(data, colWidths=[label_width, width - label_width], splitInRow=1)  # a long value runs on
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ]))
        return table

    def grid(self, head: list[str], rows: list[list[str]], widths: list[float], *, width: float = TEXT_WIDTH) -> Table:
        """A table with a tinted header row that repeats on every page it spans; a row taller
        than what is left of the page (20 products, a long note) runs on to the next."""
        s = self.styles
        columns = len(head)
        data = [[self.p(text, s.cell_head, bold=True) for text in head]]
        for row in rows:  # a missing cell is an empty list: a row splits only between flowables
            data.append([self.p(text, s.cell) for text in row] + [[] for _ in range(columns - len(row))])
        scale = width / sum(widths)
        # A row is split where the page ends (splitByRow=0 tries that first), when at least three
        # lines of it fit: split between rows first, ReportLab set the row's top on the same
        # page as a table of its own, under a second header.
        table = Table(data, colWidths=[w * scale for w in widths], repeatRows=1, splitByRow=0, splitInRow=ROW_SPLIT)
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
        return [self.p(f"•\u00a0\u00a0{item}", self.styles.bullet) for item in items]

    def heading(self, text: str) -> list[Flowable]:
        # A heading starts a new page when less than a few lines would follow it here;
        # keepWithNext would push a long table, and its heading, wholly to the next page.
        return [CondPageBreak(32 * mm), self.p(text, self.styles.heading, bold=True)]

    # -- sections -------------------------------------------------------------
    def notices(self) -> list[Flowable]:
        flowables: list[Flowable] = []
        for notice in self.summary.notices:
            warning = notice.level is NoticeLevel.WARNING
            title = self.p(("⚠  " if warning else "ℹ  ") + notice.title, self.styles.notice_title, bold=True)
            box = Table([[[title, self.p(notice.text, self.styles.body)]]], colWidths=[TEXT_WIDTH])
            box.setStyle(TableStyle([
                ("BACKGROUND", (0, 0), (-1, -1), WARNING_SOFT if warning else ACCENT_SOFT),
                ("BOX", (0, 0), (-1, -1), 1.2, WARNING if warning else ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]))
            flowables += [Spacer(1, 2 * mm), box]
        return flowables

    def patient(self) -> list[Flowable]:
        patient, today = self.summary.patient, self.clock.local(self.summary.generated_at).date()
        w = self.w
        rows = [
            (w("name"), patient.display_name),
            (w("date_of_birth"), f"{self.day(patient.date_of_birth)} {w('age', years=patient.age_on(today))}"),
        ]
        if patient.sex_at_birth:
            rows.append((w("sex_at_birth"), w(f"sex_{patient.sex_at_birth}") if patient.sex_at_birth in SEX_AT_BIRTH
                         else patient.sex_at_birth))
        if patient.id is not None:
            rows.append((w("patient_number"), str(patient.id)))
        if patient.preferred_language:
            rows.append((w("preferred_language"), self.summary.preferred_language or patient.preferred_language))
        return [*self.heading(w("patient")), self.facts(rows)]

    def intake(self) -> list[Flowable]:
        intake = self.summary.intake
        if intake is None:
            return []
        w = self.w
        rows = [(w("status"), intake.status)]
        if intake.hair_loss_type:
            rows.append((w("hair_loss"), intake.hair_loss_type))
        rows += [(scale, reading) for scale, reading in intake.scales]
        rows.append((w("screening"), intake.screening_outcome))
        if intake.completed_at:
            when = self.when(intake.completed_at)
            rows.append((w("completed"), w("done_by", when=when, who=intake.completed_by)
                         if intake.completed_by else when))
        flowables: list[Flowable] = [*self.heading(w("intake")), self.facts(rows, templated=(w("completed"),))]
        if intake.findings:
            flowables += [Spacer(1, 3 * mm), self.grid(
                [w("screening_found"), w("what_it_means"), w("handled")],
                [[f.level, f.text, f.handled] for f in intake.findings], [1.9, 5.4, 2])]
        for o in intake.overrides:  # each overridden stop said in one plain sentence: what, why, who, when
            who = f"{o.by}, {self.when(o.at)}" if o.at else o.by
            flowables += [Spacer(1, 2 * mm), self.p(
                f"{w('stop_overridden')}: {o.rule} — {w('reason_to_go_ahead')}: “{o.reason}” — {w('decided_by')}: {who}")]
        return flowables

    def intake_texts(self) -> list[Flowable]:
        """What the patient told in their own words (medications, allergies, notes): each under its
        label, as paragraphs that run on across pages however long the answer."""
        intake = self.summary.intake
        if intake is None or not intake.texts:
            return []
        flowables: list[Flowable] = []
        for label, text in intake.texts:
            # a label never stays behind alone at a page's foot
            flowables += [CondPageBreak(14 * mm), self.p(label, self.styles.subheading, bold=True),
                          self.p(text, self.styles.body)]
        return flowables

    def course(self) -> list[Flowable]:
        course = self.summary.course
        if course is None:
            return []
        w = self.w
        rows = [(w("protocol"), course.protocol), (w("started"), self.day(course.start))]
        if course.visits:
            rows.append((w("progress"), w("progress_words", done=course.done, total=len(course.visits))))
        if course.price:
            rows.append((w("price"), course.price.removeprefix("Price: ")))
        if course.note:
            rows.append((w("plan"), course.note))
        if course.maintenance_from:
            rows.append((w("maintenance"), w("maintenance_from", date=self.day(course.maintenance_from))))
        heading = self.heading(w("your_course"))
        flowables: list[Flowable] = [heading[-1], self.facts(rows)]
        if course.visits:
            flowables += [Spacer(1, 3 * mm), self.visits(course)]
        if course.milestones:
            flowables += [Spacer(1, 3 * mm), self.grid(
                [w("around"), w("what_to_expect"), w("status")],
                [[self.day(m.day), m.text, w("reached" if m.passed else "ahead")] for m in course.milestones],
                [1.8, 6.4, 1.2])]
        # Facts, plan and milestones read as one: the section moves whole rather than leave
        # two rows of its plan at the foot of a page (it still splits if longer than a page).
        return [*heading[:-1], KeepTogether(flowables)]

    def visits(self, course) -> Table:
        """The planned sessions, two visits to a row so a long course stays short."""
        visits = list(course.visits)
        half = (len(visits) + 1) // 2
        left, right = visits[:half], visits[half:]
        rows = []
        for index, visit in enumerate(left):
            other = right[index] if index < len(right) else None
            rows.append([str(visit.number), self.day(visit.day), visit.status,
                         str(other.number) if other else "", self.day(other.day) if other else "",
                         other.status if other else ""])
        head = [self.w("session"), self.w("date"), self.w("status")]
        return self.grid(head * 2, rows, [1, 2, 1.6, 1, 2, 1.6])

    def not_yet(self) -> list[Flowable]:
        summary = self.summary
        missing = [self.w(key).lower() for key, present in (
            ("intake", summary.intake), ("treatment_sessions", summary.sessions or summary.sessions_in_progress),
            ("course_plan", summary.course), ("consent", summary.consent),
            ("signatures", summary.signatures)) if not present]
        if not missing:
            return []
        return [self.p(self.w("not_recorded", items=", ".join(missing)), self.styles.note)]

    def story(self) -> list[Flowable]:
        # The map of treated zones comes right after the patient, near the top of the first page:
        # there is always room for it there, where after the intake it left a third of a page empty.
        return [*self.header(), *self.notices(), *self.patient(), *summary_sessions.scalp(self), *self.intake(),
                *self.intake_texts(), *summary_sessions.sessions(self), *self.course(),
                *summary_photos.photos(self), *summary_consents.consent(self), *summary_consents.signatures(self),
                *self.not_yet(),
                *signed_text.appendix(self, TEXT_WIDTH), *summary_appendix.technical_details(self)]

    # -- every page -----------------------------------------------------------
    def footer(self, canvas: Canvas, page: int, pages: int) -> None:
        """Who and which document, and the page: one line under a rule (the rest is in the appendix)."""
        s, summary = self.styles, self.summary
        patient = summary.patient
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        top = MARGIN_BOTTOM - 7 * mm
        canvas.line(MARGIN_X, top, PAGE_WIDTH - MARGIN_X, top)
        para = self.line(self.w("footer_patient", name=footer_name(patient.display_name),
                                date=self.day(patient.date_of_birth), id=summary.document_id), s.footer)
        _, height = para.wrap(TEXT_WIDTH - 30 * mm, 20 * mm)
        para.drawOn(canvas, MARGIN_X, top - 2 * mm - height)
        page_label = self.line(self.w("page", page=page, pages=pages),
                               ParagraphStyle("page", parent=s.footer, alignment=TA_RIGHT))
        _, height = page_label.wrap(30 * mm, 10 * mm)
        page_label.drawOn(canvas, PAGE_WIDTH - MARGIN_X - 30 * mm, top - 2 * mm - height)
        canvas.restoreState()


FOOTER_NAME = 48  # characters of the patient's name in the footer: it stays one line under every page


def footer_name(name: str, limit: int = FOOTER_NAME) -> str:
    """``name`` whole when short, else cut at a word before ``limit`` and marked "…" (page 1 has it whole)."""
    if len(name) <= limit:
        return name
    cut = name.rfind(" ", limit // 2, limit)
    return name[:cut if cut > 0 else limit - 1].rstrip() + "…"


def _logo(png: bytes | None) -> Flowable | None:
    """The clinic's logo at the header's height, its aspect kept (and never wider than a third
    of the name column); None without one, or when the picture cannot be read."""
    if not png:
        return None
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image

    try:
        width, height = ImageReader(io.BytesIO(png)).getSize()
    except Exception:  # noqa: BLE001 — a logo that cannot be read leaves the name alone, not the document
        return None
    if width <= 0 or height <= 0:
        return None
    scale = min(LOGO_HEIGHT / height, LOGO_MAX_WIDTH / width)
    logo = Image(io.BytesIO(png), width=width * scale, height=height * scale)
    logo.hAlign = "LEFT"
    return logo



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
        title=f"{builder.w('subtitle')} – {summary.patient.display_name}", author=summary.clinic.name,
        subject=builder.w("document", id=summary.document_id), creator="Meso Kiosk",
    )
    # No frame padding: tables, headings and the footer share one left edge.
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, TEXT_WIDTH, PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    document.addPageTemplates([PageTemplate("page", [frame])])
    document.build(story, canvasmaker=_numbered_canvas(builder))
    return buffer.getvalue()
