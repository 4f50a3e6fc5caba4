"""The course's progress: a row of segments, one per session, and the words beside it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...domain.course import ProjectedCourse
from .. import theme
from .timeline import day_text


def progress_words(course: ProjectedCourse | None, saved: bool) -> tuple[str, str]:
    """The progress card's heading and the line under its bar."""
    if course is None:
        return "No plan", "Fix the problem above to see the dates."
    following = course.next_session
    if following is None:
        heading = f"All {course.total} sessions done"
        detail = "The course is complete."
        if course.maintenance_from:
            detail += f" Optional maintenance from {day_text(course.maintenance_from)}."
    else:
        heading = f"Session {following.number} of {course.total}"
        done = f"{course.done_count} done" if course.done_count else "None done yet"
        if following.status == "overdue":
            when = f"overdue since {day_text(following.due_on)}; book it for {day_text(following.date)} or soon after"
        else:
            when = f"next visit {day_text(following.date)}"
        detail = f"{done} · {when}. Last session around {day_text(course.last_date)}."
    if not saved:
        detail = f"{course.total} sessions from {day_text(course.start)} · not saved yet."
    return heading, detail


class ProgressBar(QWidget):
    """One segment per session: filled when done, outlined in the accent colour for the next."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._done = 0
        self._total = 0
        self.setMinimumHeight(20)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_progress(self, done: int, total: int) -> None:
        self._done, self._total = done, total
        self.setAccessibleName(f"{done} of {total} sessions done")
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if not self._total:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        gap = 6
        width = (self.width() - gap * (self._total - 1)) / self._total
        for index in range(self._total):
            x = index * (width + gap)
            if index < self._done:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(theme.SUCCESS))
            elif index == self._done:
                painter.setPen(QPen(QColor(theme.ACCENT), 3))
                painter.setBrush(QColor(theme.ACCENT_SOFT))
            else:
                painter.setPen(QPen(QColor(theme.BORDER), 2))
                painter.setBrush(QColor(theme.SURFACE))
            painter.drawRoundedRect(x + 1.5, 1.5, width - 3, self.height() - 3, 5, 5)
