"""The Course step's calendar-file card: save the planned sessions as an .ics file for the
patient's phone, and say where it went (or why it could not be written)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QSizePolicy, QVBoxLayout, QWidget

from ...domain.course import ProjectedCourse
from .basics import button, label


def _say(message_label, text: str) -> None:
    """Set a message; an empty one takes no room."""
    message_label.setText(text)
    message_label.setVisible(bool(text))


class CalendarFileCard(QFrame):
    """"Take the dates home". The page writes the file (``ics_button``) and reports here."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.ics_button = button("Add to calendar (.ics)", "Save the planned sessions as a calendar file")
        self.ics_status = label("", "muted")
        self.ics_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long folder name must not widen the page (no sideways scrolling): it wraps or clips.
        self.ics_status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.ics_error = label("", "error")
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        for widget in (label("Take the dates home", "subheading-small"),
                       label("A calendar file with the planned sessions and the aftercare advice, for the patient's"
                             " phone or computer.", "muted"),
                       self.ics_button, self.ics_status, self.ics_error):
            layout.addWidget(widget)
        layout.setAlignment(self.ics_button, Qt.AlignmentFlag.AlignLeft)

    def clear(self) -> None:
        _say(self.ics_status, "")
        _say(self.ics_error, "")

    def show_course(self, course: ProjectedCourse | None, stored: bool) -> None:
        """Offer the file only for a stored course with dates left (a "Saved …" line stays)."""
        self.ics_button.setEnabled(stored and course is not None and not course.is_complete)
        if not stored:
            _say(self.ics_status, "Start the course first; then its dates can be saved as a calendar file.")
        elif course is not None and course.is_complete:
            _say(self.ics_status, "Every session is done: there are no dates left to add.")
        elif not self.ics_status.text().startswith("Saved"):
            _say(self.ics_status, "")

    def show_saved(self, events: int, path: Path, at: str) -> None:
        sessions = "session" if events == 1 else "sessions"
        _say(self.ics_error, "")
        _say(self.ics_status,
             f"Saved {events} {sessions} at {at} to:\n{path}\n"
             "Send it to the patient by e-mail or copy it to their phone.")

    def show_error(self, message: str) -> None:
        _say(self.ics_error, message)
        _say(self.ics_status, "")
