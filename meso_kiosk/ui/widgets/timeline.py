"""The course timeline: sessions, milestones and today, one row each, top to bottom.

``timeline_rows`` is a pure function (no Qt objects) that turns a ``ProjectedCourse``
into what each row says; ``TimelineView`` only draws those rows. Every state has a word
and a mark of its own shape (tick, "!", number, diamond), never colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from ...domain.clinic_calendar import ClinicCalendar
from ...domain.course import PlannedSession, ProjectedCourse, SessionStatus
from ...domain.protocol import MilestoneAnchor
from .. import theme
from .basics import label

DONE, NEXT, OVERDUE, PLANNED, MILESTONE, TODAY, MAINTENANCE = (
    "done", "next", "overdue", "planned", "milestone", "today", "maintenance")


def day_text(day: date) -> str:
    """A date as the clinic reads it: "Tue 1 Dec 2026"."""
    return f"{day:%a} {day.day} {day:%b %Y}"


@dataclass(frozen=True)
class TimelineRow:
    kind: str  # one of DONE, NEXT, OVERDUE, PLANNED, MILESTONE, TODAY, MAINTENANCE
    date: date
    title: str
    detail: str
    number: int | None = None  # the session number, for session rows
    editable: bool = False  # a tap changes the interval before this session
    passed: bool = False  # a milestone already behind


def _gap_words(session: PlannedSession, previous: PlannedSession | None, course: ProjectedCourse) -> str:
    """How far after the session before it: the real gap for a done one, the planned gap otherwise."""
    if previous is None:
        return "First session"
    if session.is_done or session.gap_days is None:
        return f"{(session.date - previous.date).days} days after session {previous.number}"
    words = f"{session.gap_days} days after session {previous.number}"
    if session.gap_days != course.protocol.phase_of(session.number).interval_days:
        words += " (set by hand)"
    return words


def _moved_words(session: PlannedSession, previous: PlannedSession | None, calendar: ClinicCalendar) -> str:
    """Why a planned date is later than its gap asks for: the clinic is closed then."""
    if previous is None or session.gap_days is None:
        return ""
    wanted = previous.date + timedelta(days=session.gap_days)
    if session.date == wanted or session.status is SessionStatus.OVERDUE:
        return ""
    closure = calendar.closure_on(wanted)
    if closure is not None:
        return f"Moved: clinic closed ({closure.reason})" if closure.reason else "Moved: clinic closed"
    if wanted.weekday() in calendar.closed_weekdays:
        return f"Moved: clinic closed on {wanted:%A}s"
    return ""


def timeline_rows(course: ProjectedCourse, calendar: ClinicCalendar, *, editable: bool = True) -> list[TimelineRow]:
    """Every row of the timeline in date order, with today's marker in its place."""
    entries: list[tuple[date, int, TimelineRow]] = []
    previous: PlannedSession | None = None
    for session in course.sessions:
        title = f"Session {session.number} · {day_text(session.date)}"
        can_edit = editable and not session.is_done and session.number >= 2
        if session.status is SessionStatus.DONE:
            row = TimelineRow(DONE, session.date, title, _gap_words(session, previous, course), session.number)
        elif session.status is SessionStatus.OVERDUE:
            assert session.due_on is not None
            detail = (f"Overdue: it was due {day_text(session.due_on)}. Book it as soon as possible;"
                      " the sessions after it move with it.")
            row = TimelineRow(OVERDUE, session.date, title, detail, session.number, can_edit)
        else:
            parts = [_gap_words(session, previous, course)]
            moved = _moved_words(session, previous, calendar)
            if moved:
                parts.append(moved)
            kind = NEXT if session.status is SessionStatus.DUE else PLANNED
            row = TimelineRow(kind, session.date, title, " · ".join(parts), session.number, can_edit)
        entries.append((session.date, 0, row))
        previous = session
    for placed in course.milestones:
        milestone = placed.milestone
        if milestone.anchor is MilestoneAnchor.MONTHS:
            months = "month" if milestone.at == 1 else "months"
            title = f"About {milestone.at} {months} in · around {day_text(placed.date)}"
        else:
            title = f"Around session {milestone.at} · {day_text(placed.date)}"
        entries.append((placed.date, 1, TimelineRow(MILESTONE, placed.date, title, placed.text, passed=placed.passed)))
    if course.maintenance_from is not None and course.protocol.maintenance_every_months:
        every = course.protocol.maintenance_every_months
        entries.append((course.maintenance_from, 2, TimelineRow(
            MAINTENANCE, course.maintenance_from, f"From {day_text(course.maintenance_from)}",
            f"Optional maintenance visit every {every} months, if you and your consultant decide so.")))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    rows = [row for _, _, row in entries]
    today = TimelineRow(TODAY, course.today, day_text(course.today), "")
    at = next((i for i, row in enumerate(rows) if row.date >= course.today and row.kind != DONE), len(rows))
    rows.insert(at, today)
    return rows


# --------------------------------------------------------------------------------------
# Drawing


_MARK_COLOURS = {
    DONE: (theme.SUCCESS, theme.SUCCESS, "white"),
    NEXT: (theme.ACCENT, theme.ACCENT, "white"),
    OVERDUE: (theme.WARNING, theme.WARNING, "white"),
    PLANNED: (theme.SURFACE, theme.ACCENT, theme.ACCENT),
    MILESTONE: (theme.ACCENT_SOFT, theme.ACCENT, theme.ACCENT),
    TODAY: (theme.ACCENT, theme.ACCENT, "white"),
    MAINTENANCE: (theme.SURFACE, theme.BORDER, theme.MUTED),
}
_WORDS = {DONE: "Done", NEXT: "Next", OVERDUE: "Overdue", PLANNED: "Planned", MILESTONE: "Usually",
          TODAY: "Today", MAINTENANCE: "Later"}
MARK_WIDTH = 56


class _Mark(QWidget):
    """The left column of a row: the line of the timeline and this row's mark."""

    def __init__(self, row: TimelineRow, first: bool, last: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self._row = row
        self._first = first
        self._last = last
        self.setFixedWidth(MARK_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(MARK_WIDTH, 48)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        kind = self._row.kind
        x = self.width() / 2
        cy = 26.0
        line = QPen(QColor(theme.BORDER), 3)
        painter.setPen(line)
        if not self._first:
            painter.drawLine(QPointF(x, 0), QPointF(x, cy))
        if not self._last:
            painter.drawLine(QPointF(x, cy), QPointF(x, self.height()))
        fill, edge, ink = _MARK_COLOURS[kind]
        painter.setPen(QPen(QColor(edge), 3))
        painter.setBrush(QColor(fill))
        if kind == MILESTONE:
            r = 12.0
            painter.drawPolygon(QPolygonF([QPointF(x, cy - r), QPointF(x + r, cy), QPointF(x, cy + r),
                                           QPointF(x - r, cy)]))
            return
        if kind == TODAY:
            painter.drawRoundedRect(QRectF(x - 20, cy - 5, 40, 10), 5, 5)
            return
        r = 17.0
        if kind == MAINTENANCE:
            pen = QPen(QColor(edge), 2, Qt.PenStyle.DashLine)
            painter.setPen(pen)
        painter.drawEllipse(QPointF(x, cy), r, r)
        painter.setPen(QPen(QColor(ink), 3.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                            Qt.PenJoinStyle.RoundJoin))
        if kind == DONE:
            tick = QPainterPath(QPointF(x - 7, cy + 0.5))
            tick.lineTo(QPointF(x - 2, cy + 5.5))
            tick.lineTo(QPointF(x + 8, cy - 5.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(tick)
            return
        font = QFont(self.font())
        font.setPixelSize(17)
        font.setBold(True)
        painter.setFont(font)
        text = "!" if kind == OVERDUE else ("…" if kind == MAINTENANCE else str(self._row.number or ""))
        painter.drawText(QRectF(x - r, cy - r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, text)


class TimelineRowWidget(QFrame):
    """One row; a row whose interval can be changed reacts to a tap, Enter or Space."""

    activated = Signal(int)  # the session number

    def __init__(self, row: TimelineRow, first: bool, last: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.row = row
        self.setProperty("role", f"timeline-{row.kind}")
        self.setProperty("passed", "true" if row.passed else "false")
        self.setProperty("editable", "true" if row.editable else "false")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.setSpacing(8)
        layout.addWidget(_Mark(row, first, last))
        text = QVBoxLayout()
        text.setContentsMargins(0, 8, 0, 10)
        text.setSpacing(2)
        heading = QHBoxLayout()
        heading.setSpacing(8)
        self.word = label(_WORDS[row.kind], "timeline-word", wrap=False)
        self.word.setProperty("kind", row.kind)
        self.title = label(row.title, "timeline-title")
        heading.addWidget(self.word, 0, Qt.AlignmentFlag.AlignTop)
        heading.addWidget(self.title, 1)
        text.addLayout(heading)
        self.detail = label(row.detail, "timeline-detail")
        text.addWidget(self.detail)
        layout.addLayout(text, 1)
        # Only now is the label this row's child: shown while it had no parent, it was a
        # window of its own for a moment, which took the focus from the kiosk's window.
        self.detail.setVisible(bool(row.detail))
        self.hint = None
        if row.editable:
            self.hint = label("Change ›", "timeline-hint", wrap=False)
            layout.addWidget(self.hint, 0, Qt.AlignmentFlag.AlignVCenter)
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setMinimumHeight(theme.TOUCH_TARGET + 8)
        else:
            self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        spoken = f"{_WORDS[row.kind]}: {row.title}. {row.detail}".strip()
        self.setAccessibleName(spoken + (" Tap to change the days before this session." if row.editable else ""))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self.row.editable and event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.activated.emit(self.row.number)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if self.row.editable and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit(self.row.number)
            event.accept()
            return
        super().keyPressEvent(event)


class TimelineView(QWidget):
    """The rows of a ``ProjectedCourse``; an editor panel can open below one session."""

    session_activated = Signal(int)  # the session number whose interval should change

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        self.rows: list[TimelineRowWidget] = []
        self._editor: QWidget | None = None
        self._editor_for: int | None = None

    def set_editor(self, editor: QWidget) -> None:
        self._editor = editor
        editor.setParent(self)
        editor.hide()

    @property
    def editor_session(self) -> int | None:
        return self._editor_for

    def set_course(self, course: ProjectedCourse | None, calendar: ClinicCalendar, *, editable: bool = True) -> None:
        if self._editor is not None:
            self._layout.removeWidget(self._editor)
        for widget in self.rows:
            self._layout.removeWidget(widget)
            widget.hide()  # gone at once, not at the next turn of the event loop
            widget.deleteLater()
        self.rows = []
        if course is None:
            self.close_editor()
            return
        data = timeline_rows(course, calendar, editable=editable)
        for index, row in enumerate(data):
            widget = TimelineRowWidget(row, first=index == 0, last=index == len(data) - 1)
            widget.activated.connect(self.session_activated)
            self._layout.addWidget(widget)
            widget.show()
            self.rows.append(widget)
        if self._editor_for is not None and self.row_for(self._editor_for) is not None:
            self.open_editor(self._editor_for)
        else:
            self.close_editor()

    def row_for(self, number: int) -> TimelineRowWidget | None:
        return next((w for w in self.rows if w.row.number == number and w.row.kind not in (MILESTONE, TODAY)), None)

    def open_editor(self, number: int) -> None:
        row = self.row_for(number)
        if self._editor is None or row is None or not row.row.editable:
            self.close_editor()
            return
        self._layout.removeWidget(self._editor)
        self._layout.insertWidget(self._layout.indexOf(row) + 1, self._editor)
        self._editor_for = number
        self._editor.show()

    def close_editor(self) -> None:
        self._editor_for = None
        if self._editor is not None:
            self._editor.hide()
