"""The summary's treated zones (figure and counts) and its treatment sessions (table and notes).

Everything a closed session may hold prints, at the validators' limits too: the session
table's rows split across pages (20 products, five side effects and a 500-character note
make a row taller than a page), and the consultant's notes follow the table as paragraphs
that run on from page to page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle

from .scalp_figure import ScalpFigure
from .summary_style import RULE, TEXT_WIDTH, WARNING, WARNING_SOFT, number

if TYPE_CHECKING:
    from ..domain.summary import SessionRow

FIGURE_WIDTH = 74 * mm
FIGURE_GAP = 8 * mm


def scalp(b) -> list[Flowable]:
    """The map of treated zones beside their counts, under its heading."""
    section = b.summary.scalp
    if section is None:
        return []
    s, w = b.styles, b.w
    for zone in section.zones:
        b.fonts.check(zone.label)
    legend = (w("not_treated"), w("legend_one"), w("legend_two"), w("legend_more"))
    figure = ScalpFigure(section, FIGURE_WIDTH, b.fonts.base_font(), b.fonts.base_font(bold=True), legend)
    rows = [[zone.label, str(zone.sessions) if zone.sessions else "–",
             str(zone.injections) if zone.sessions else "–",
             b.day(zone.last) if zone.last else w("not_treated")]
            for zone in section.zones]
    side_width = TEXT_WIDTH - FIGURE_WIDTH - FIGURE_GAP
    table = b.grid([w("zone"), w("sessions"), w("injections"), w("last_treated")], rows, [2.6, 1.9, 2.2, 2.4],
                   width=side_width)
    side = Table([[figure, [table, Spacer(1, 3 * mm), b.p(w("scalp_note"), s.small)]]],
                 colWidths=[FIGURE_WIDTH + FIGURE_GAP, side_width])
    side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0)]))
    # The picture cannot split: its heading moves with it to the next page when needed.
    return [KeepTogether([b.p(w("treated_zones"), s.heading, bold=True), side])]


def _row(b, session: SessionRow) -> list[str]:
    w = b.w
    zones = "\n".join(
        f"{z.zone}: {z.injections}\u00a0inj., {number(z.depth_mm, 'mm')}, {number(z.volume_ml, 'ml')}"
        for z in session.zones) or "—"
    products = "\n".join(
        f"{p.product} ({w('lot')}\u00a0{p.lot_number}"
        + (f", {w('expiry_short')} {b.day(p.expiry)})" if p.expiry else ")")
        for p in session.products) or "—"
    label = str(session.number) if session.number is not None else ""
    if session.corrections:
        label += " *"
    return [label, b.when_lines(session.started_at), session.consultant, zones, str(session.injections),
            number(round(session.volume_ml, 2), "ml"), products, "\n".join(session.side_effects) or w("none_observed")]


COLUMNS = [10, 24, 21.5, 38.5, 9, 16, 31, 20]  # relative widths of the session table's columns


def sessions(b) -> list[Flowable]:
    """The closed sessions, one row each, then their notes. A corrected session's correction
    follows its row in a box of its own, and the table goes on below it with its header: a
    correction of a thousand characters is a box that runs on across pages, which a row
    spanning the table's columns could not do."""
    rows_of, s, w = b.summary.sessions, b.styles, b.w
    flowables: list[Flowable] = []
    if rows_of:
        head = ["#", w("date_and_time"), w("consultant"), w("zones_column"), w("injections_short"), w("volume"),
                w("products"), w("side_effects_observed")]
        flowables += b.heading(w("treatment_sessions"))
        rows: list[list[str]] = []
        for session in rows_of:
            rows.append(_row(b, session))
            if session.corrections:
                flowables += [b.grid(head, rows, COLUMNS), *corrections(b, session)]
                rows = []
        if rows:
            flowables.append(b.grid(head, rows, COLUMNS))
        # Who treated, once each, under the table: the column is too narrow for a registration.
        treated_by = dict.fromkeys((row.consultant, row.consultant_credentials) for row in rows_of
                                   if row.consultant_credentials)
        if treated_by:
            flowables.append(b.line("\n".join(f"{name}: {words}." for name, words in treated_by), s.note))
        flowables += notes(b)
    if b.summary.sessions_in_progress:
        if not flowables:
            flowables += b.heading(w("treatment_sessions"))
        flowables.append(b.p(w("still_recording", count=b.summary.sessions_in_progress), s.note))
    return flowables


def corrections(b, session: SessionRow) -> list[Flowable]:
    """Each correction of a session: when, who, why and what changed, in a box marked at its left."""
    boxes: list[Flowable] = []
    for correction in session.corrections:
        changes = "; ".join(correction.changes) or "no field changed"
        text = b.w("corrected", when=b.when(correction.at), who=correction.by, reason=correction.reason.rstrip("."),
                   changes=changes)
        box = Table([[b.p(text, b.styles.cell)]], colWidths=[TEXT_WIDTH], splitInRow=1)
        box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), WARNING_SOFT),
                                 ("LINEBEFORE", (0, 0), (0, -1), 2, WARNING),
                                 ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                                 ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]))
        boxes.append(box)
    return boxes


def notes(b) -> list[Flowable]:
    """Each session's notes, as the consultant typed them, under the session's number and date."""
    noted = [session for session in b.summary.sessions if session.notes and session.notes.strip()]
    if not noted:
        return []
    s, w = b.styles, b.w
    flowables: list[Flowable] = [CondPageBreak(25 * mm), b.p(w("session_notes"), s.subheading, bold=True)]
    for session in noted:
        title = w("session_notes_of", number=session.number or "",
                  date=b.day(b.clock.local(session.started_at).date()))
        # a title never stays behind alone at a page's foot; the note itself runs on across pages
        flowables += [CondPageBreak(12 * mm), b.p(title, s.label, bold=True), b.p(session.notes, s.body),
                      Spacer(1, 2 * mm)]
    return flowables
