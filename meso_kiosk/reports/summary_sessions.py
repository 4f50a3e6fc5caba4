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
from .summary_style import TEXT_WIDTH, number

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


def sessions(b) -> list[Flowable]:
    """The closed sessions, one row each (a correction in a row of its own below), then their notes."""
    rows_of, s, w = b.summary.sessions, b.styles, b.w
    flowables: list[Flowable] = []
    if rows_of:
        rows: list[list[str]] = []
        corrections: list[int] = []
        for session in rows_of:
            rows.append(_row(b, session))
            for correction in session.corrections:
                changes = "; ".join(correction.changes) or "no field changed"
                corrections.append(len(rows) + 1)  # +1: the header row
                rows.append([w("corrected", when=b.when(correction.at), who=correction.by,
                               reason=correction.reason.rstrip("."), changes=changes)])
        head = ["#", w("date_and_time"), w("consultant"), w("zones_column"), w("injections_short"), w("volume"),
                w("products"), w("side_effects_observed")]
        table = b.grid(head, rows, [10, 24, 21.5, 38.5, 9, 16, 31, 20], spans=corrections)
        flowables += [*b.heading(w("treatment_sessions")), table]
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
