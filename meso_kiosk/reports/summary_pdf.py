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
from ..domain.summary import ConsultationSummary, NoticeLevel, SignatureBlock
from .fonts import FontChain
from . import signed_text
from .scalp_figure import ScalpFigure
from .text import ScriptParagraph

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#52606D")
RULE = colors.HexColor("#C9CED6")
ACCENT = colors.HexColor("#1D5FA8")
ACCENT_SOFT = colors.HexColor("#E3ECF7")
WARNING = colors.HexColor("#8A5300")
WARNING_SOFT = colors.HexColor("#FDF3E1")
ZEBRA = colors.HexColor("#F7F8FA")

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 18 * mm
MARGIN_BOTTOM = 26 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
LOGO_HEIGHT = 18 * mm
LOGO_MAX_WIDTH = 40 * mm
META_WIDTH = 60 * mm  # the document id and when it was made, on the header's right
LONG_NAME = 40  # characters of the clinic's name from which the header sets it smaller


class _Styles:
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
        table = Table(data, colWidths=[label_width, width - label_width])
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ]))
        return table

    def grid(self, head: list[str], rows: list[list[str]], widths: list[float], *, width: float = TEXT_WIDTH,
             spans: list[int] = ()) -> Table:
        """A table with a tinted header row that repeats on every page it spans.

        ``spans`` are row indexes (the header is row 0) holding one cell that runs across
        the whole table: a note beside the row above it (e.g. a session's correction).
        """
        s = self.styles
        columns = len(head)
        data = [[self.p(text, s.cell_head, bold=True) for text in head]]
        for row in rows:
            cells = [self.p(text, s.cell) for text in row]
            data.append(cells + [""] * (columns - len(cells)))
        scale = width / sum(widths)
        table = Table(data, colWidths=[w * scale for w in widths], repeatRows=1)
        style = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), ACCENT_SOFT),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ]
        for row in spans:
            style += [("SPAN", (0, row), (-1, row)), ("BACKGROUND", (0, row), (-1, row), WARNING_SOFT),
                      ("LINEBEFORE", (0, row), (0, row), 2, WARNING)]
        table.setStyle(TableStyle(style))
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

    def scalp(self) -> list[Flowable]:
        scalp = self.summary.scalp
        if scalp is None:
            return []
        s = self.styles
        for zone in scalp.zones:
            self.fonts.check(zone.label)
        legend = (self.w("not_treated"), self.w("legend_one"), self.w("legend_two"), self.w("legend_more"))
        figure = ScalpFigure(scalp, 74 * mm, self.fonts.base_font(), self.fonts.base_font(bold=True), legend)
        w = self.w
        rows = [[zone.label, str(zone.sessions) if zone.sessions else "–",
                 str(zone.injections) if zone.sessions else "–",
                 self.day(zone.last) if zone.last else w("not_treated")]
                for zone in scalp.zones]
        table = self.grid([w("zone"), w("sessions"), w("injections"), w("last_treated")], rows, [2.6, 1.9, 2.2, 2.4],
                          width=TEXT_WIDTH - 74 * mm - 8 * mm)
        side = Table([[figure, [table, Spacer(1, 3 * mm), self.p(w("scalp_note"), s.small)]]],
            colWidths=[74 * mm + 8 * mm, TEXT_WIDTH - 74 * mm - 8 * mm])
        side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                  ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0)]))
        # The picture cannot split: its heading moves with it to the next page when needed.
        return [KeepTogether([self.p(w("treated_zones"), self.styles.heading, bold=True), side])]

    def sessions(self) -> list[Flowable]:
        sessions, s, w = self.summary.sessions, self.styles, self.w
        flowables: list[Flowable] = []
        if sessions:
            rows: list[list[str]] = []
            corrections: list[int] = []
            for session in sessions:
                zones = "\n".join(
                    f"{z.zone}: {z.injections}\u00a0inj., {_number(z.depth_mm, 'mm')}, {_number(z.volume_ml, 'ml')}"
                    for z in session.zones) or "—"
                products = "\n".join(
                    f"{p.product} ({w('lot')}\u00a0{p.lot_number}"
                    + (f", {w('expiry_short')} {self.day(p.expiry)})" if p.expiry else ")")
                    for p in session.products) or "—"
                number = str(session.number) if session.number is not None else ""
                if session.corrections:
                    number += " *"
                rows.append([number, self.when_lines(session.started_at), session.consultant, zones,
                             str(session.injections), _number(round(session.volume_ml, 2), "ml"), products,
                             "\n".join(session.side_effects) or w("none_observed")])
                for correction in session.corrections:
                    changes = "; ".join(correction.changes) or "no field changed"
                    corrections.append(len(rows) + 1)  # +1: the header row
                    rows.append([w("corrected", when=self.when(correction.at), who=correction.by,
                                   reason=correction.reason.rstrip("."), changes=changes)])
            head = ["#", w("date_and_time"), w("consultant"), w("zones_column"), w("injections_short"), w("volume"),
                    w("products"), w("side_effects_observed")]
            table = self.grid(head, rows, [10, 24, 21.5, 38.5, 9, 16, 31, 20], spans=corrections)
            flowables += [*self.heading(w("treatment_sessions")), table]
            # Who treated, once each, under the table: the column is too narrow for a registration.
            treated_by = dict.fromkeys((row.consultant, row.consultant_credentials) for row in sessions
                                       if row.consultant_credentials)
            if treated_by:
                flowables.append(self.line("\n".join(f"{name}: {words}." for name, words in treated_by), s.note))
        if self.summary.sessions_in_progress:
            count = self.summary.sessions_in_progress
            if not flowables:
                flowables += self.heading(w("treatment_sessions"))
            flowables.append(self.p(w("still_recording", count=count), s.note))
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

    def consent(self) -> list[Flowable]:
        consent = self.summary.consent
        if consent is None:
            return []
        w, rows = self.w, []
        if consent.status:
            rows.append((w("status"), consent.status))
        rows += [(w("consent_text"), w("consent_version", language=consent.language, version=consent.version)),
                 (w("text_sha256"), consent.text_sha256)]
        flowables: list[Flowable] = [*self.heading(w("consent")), self.facts(rows, digests=(w("text_sha256"),))]
        if consent.answers:
            flowables += [Spacer(1, 3 * mm), self.grid(
                [w("side_effect_read"), w("patient_answer")],
                [[a.item, a.answer] for a in consent.answers], [6, 1.7])]
        extra = []
        if consent.photo_question:
            extra += [(w("photos"), consent.photo_question), (w("answer"), consent.photo_answer or w("not_answered"))]
        if consent.question_for_consultant:
            extra.append((w("patients_question"), consent.question_for_consultant))
        if extra:
            flowables += [Spacer(1, 3 * mm), self.facts(extra)]
        for title, items in ((consent.pre_treatment_title, consent.pre_treatment),
                             (consent.aftercare_title, consent.aftercare)):
            if items:  # a subheading never stays behind without its first item
                bullets = self.bullets(items)
                flowables += [KeepTogether([self.p(title, self.styles.subheading, bold=True), bullets[0]]), *bullets[1:]]
        return flowables + signed_text.in_consent_section(self, TEXT_WIDTH)  # the whole text, or where it is

    def signatures(self) -> list[Flowable]:
        summary = self.summary
        if not summary.signatures and not summary.unsigned:
            return []
        blocks = [self.signature(block) for block in summary.signatures]
        if summary.unsigned and summary.consent is None:
            blocks.append(self.unsigned_row(summary.unsigned))
        # Each block stays whole, and the heading never stays behind alone: it moves with the
        # first block (one KeepTogether, never one inside another: ReportLab cannot nest them).
        first = [self.p(self.w("signatures"), self.styles.heading, bold=True), *blocks[0]]
        return [KeepTogether(first), *(KeepTogether(block) for block in blocks[1:])]

    def signature(self, block: SignatureBlock) -> list[Flowable]:
        w = self.w
        rows = [(w("signed_by"), f"{block.printed_name} ({block.role})")]
        if block.credentials:
            rows.append((w("profession"), block.credentials))
        rows += [
            (w("date_and_time_signed"), self.when(block.signed_at)),
            (w("meaning"), block.meaning),
            (w("how"), block.method),
        ]
        digests: tuple[str, ...] = ()
        if block.strokes_sha256:
            rows.append((block.digest_label, block.strokes_sha256))
            digests = (block.digest_label,)
        facts = self.facts(rows, digests=digests, templated=(w("signed_by"), w("date_and_time_signed")))
        drawn: Flowable = _Strokes(block.strokes, block.aspect) if block.strokes else Spacer(1, 1 * mm)
        return [drawn, facts, Spacer(1, 5 * mm)]

    def unsigned_row(self, blocks) -> list[Flowable]:
        """The empty signature lines side by side: one short block, never a page of its own."""
        gap = 8 * mm
        width = (TEXT_WIDTH - gap * (len(blocks) - 1)) / len(blocks)
        cells: list = []
        for index, block in enumerate(blocks):
            if index:
                cells.append("")
            cells.append(self.unsigned(block, width))
        widths = [width if index % 2 == 0 else gap for index in range(len(cells))]
        row = Table([cells], colWidths=widths, hAlign="LEFT")
        row.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0)]))
        return [row, Spacer(1, 5 * mm)]

    def unsigned(self, block, width: float) -> list[Flowable]:
        s = self.styles
        box = Table([[self.p(self.w("not_signed"), s.notice_title, bold=True)]], colWidths=[width],
                    rowHeights=[14 * mm], hAlign="LEFT")
        box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1, WARNING), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                 ("BACKGROUND", (0, 0), (-1, -1), WARNING_SOFT),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 8)]))
        rows = [(self.w("role"), block.role)]
        if block.printed_name:
            rows.append((self.w("name"), block.printed_name))
        rows.append((self.w("status"), block.why))
        return [box, Spacer(1, 1.5 * mm), self.facts(rows, width=width, label_width=18 * mm)]

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
        return [*self.header(), *self.notices(), *self.patient(), *self.intake(), *self.scalp(), *self.sessions(),
                *self.course(), *self.consent(), *self.signatures(), *self.not_yet(),
                *signed_text.appendix(self, TEXT_WIDTH)]

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
            self.w("footer_patient", name=patient.display_name, date=self.day(patient.date_of_birth),
                   id=summary.document_id),
            self.w("audit_head", hash=summary.audit_head),
            self.w("sealed"),
        ]
        y = top - 2 * mm
        for text in lines:
            para = self.line(text, s.footer)
            _, height = para.wrap(TEXT_WIDTH - 30 * mm, 20 * mm)
            y -= height
            para.drawOn(canvas, MARGIN_X, y)
        page_label = self.line(self.w("page", page=page, pages=pages),
                               ParagraphStyle("page", parent=s.footer, alignment=TA_RIGHT))
        _, height = page_label.wrap(30 * mm, 10 * mm)
        page_label.drawOn(canvas, PAGE_WIDTH - MARGIN_X - 30 * mm, top - 2 * mm - height)
        canvas.restoreState()


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


class _Strokes(Flowable):
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
