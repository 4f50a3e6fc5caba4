"""The Course step: the plan of sessions, its progress and milestones, and its settings.

Before a course is stored the page shows a proposal (the suggested protocol from the
next open day) and one primary action, "Start this course". Once stored, every change
(start date, protocol, one interval) is saved at once, audited by the service, and the
timeline re-plans. A protocol other than the suggested one waits for a reason, typed in
line. Errors sit next to the field that caused them and what was typed is kept.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain.clock import Clock
from ...domain.course import ProjectedCourse
from ...domain.errors import ValidationError
from ...domain.patient import Patient
from ...domain.session_captions import clock_time
from ...services.course import CourseExportError, CourseOverview, CourseService, NoCourseError
from ...store.errors import StoreError
from .. import theme
from ..widgets.basics import button, label, restyle, scrolling
from ..widgets.course_calendar import CalendarFileCard
from ..widgets.course_progress import ProgressBar, progress_words
from ..widgets.interval_editor import IntervalEditor
from ..widgets.timeline import TimelineView, day_text
from .step import StepGuard, StepHold, never_blocked

# Below this page width the two columns stack (portrait tablet).
TWO_COLUMNS_FROM = 1100


def _say(message_label, text: str) -> None:
    """Set a message; an empty one takes no room."""
    message_label.setText(text)
    message_label.setVisible(bool(text))


def _card(*widgets: QWidget, spacing: int = 12) -> tuple[QFrame, QVBoxLayout]:
    card = QFrame()
    card.setProperty("role", "card")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(20, 16, 20, 16)
    layout.setSpacing(spacing)
    for widget in widgets:
        layout.addWidget(widget)
    return card, layout


class CoursePage(QWidget):
    saved = Signal(object)  # StoredCourse

    def __init__(self, courses: CourseService, clock: Clock, exports_dir: Path, actor: Callable[[], str],
                 parent: QWidget | None = None, *, guard: StepGuard = never_blocked):
        super().__init__(parent)
        self._guard = guard
        self._courses = courses
        self._exports_dir = exports_dir
        self._actor = actor
        self._clock = clock
        self.patient: Patient | None = None
        self.overview: CourseOverview | None = None
        self._shown: ProjectedCourse | None = None
        self._filling = False
        self._portrait = False
        self._progress_card = self._build_progress()
        self._settings_card = self._build_settings()
        self._calendar_card = self._build_calendar()
        self._timeline_card = self._build_timeline()
        self._build_columns()
        self.setTabOrder(self.protocol, self.reason)
        self.setTabOrder(self.reason, self.use_protocol_button)
        self.setTabOrder(self.use_protocol_button, self.start)
        self.setTabOrder(self.start, self.start_button)
        self.setTabOrder(self.start_button, self.ics_button)
        self._connect_signals()

    # -- building ------------------------------------------------------------------------

    def _build_progress(self) -> QFrame:
        self.title = label("Course plan", "subheading")
        self.status = label("", "saved", wrap=False)
        self.progress_heading = label("", "heading")
        self.progress_bar = ProgressBar()
        self.progress_detail = label("", None)
        # The clinic's price for the course shown; hidden (no room taken) when it set none.
        self.price = label("", None)
        self.price.setAccessibleName("Price")
        self.price.hide()
        self.banner = label("", "banner-error")
        self.banner.hide()
        progress_card, _ = _card(self.progress_heading, self.progress_bar, self.progress_detail,
                                 self.price, spacing=8)
        return progress_card

    def _build_settings(self) -> QFrame:
        """Protocol (a change from the suggested one waits for a reason) and start date."""
        self.suggestion = label("", None)
        self.suggestion_basis = label("", "muted")
        self.protocol = QComboBox()
        self.protocol.setAccessibleName("Protocol")
        for protocol in self._courses.protocols.values():
            self.protocol.addItem(protocol.label, protocol.id)
        self.protocol.setMinimumHeight(theme.TOUCH_TARGET)
        self.protocol_error = label("", "error")
        self.reason_box = self._build_reason_box()
        self.start = QLineEdit()
        self.start.setAccessibleName("Start date")
        self.start.setPlaceholderText("YYYY-MM-DD")
        self.start.setMaxLength(40)
        self.start_shown = label("", "muted")
        self.start_error = label("", "error")
        self.start_button = button("Start this course", "Start this course", primary=True)
        start_row = QHBoxLayout()
        start_row.setSpacing(12)
        start_row.addWidget(self.start, 1)
        start_row.addWidget(self.start_shown, 1)
        settings_card, settings = _card(spacing=6)
        settings.addWidget(label("Protocol and start", "subheading-small"))
        settings.addWidget(self.suggestion)
        settings.addWidget(self.suggestion_basis)
        settings.addSpacing(6)
        settings.addWidget(label("Protocol", None))
        settings.addWidget(self.protocol)
        settings.addWidget(self.protocol_error)
        settings.addWidget(self.reason_box)
        settings.addSpacing(6)
        settings.addWidget(label("Start date (first session)", None))
        settings.addLayout(start_row)
        settings.addWidget(self.start_error)
        settings.addSpacing(6)
        settings.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignLeft)
        return settings_card

    def _build_reason_box(self) -> QWidget:
        """Shown under the protocol when it is not the suggested one: the reason, kept in the record."""
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason for choosing another protocol")
        self.reason.setPlaceholderText("Why this protocol instead of the suggested one?")
        self.reason.setMaxLength(600)
        self.reason_label = label("Reason for the change (kept in the record)", None)
        self.reason_error = label("", "error")
        self.use_protocol_button = button("Use this protocol", "Use the chosen protocol")
        reason_box = QWidget()
        reason_layout = QVBoxLayout(reason_box)
        reason_layout.setContentsMargins(0, 0, 0, 0)
        reason_layout.setSpacing(6)
        reason_layout.addWidget(self.reason_label)
        reason_layout.addWidget(self.reason)
        reason_layout.addWidget(self.reason_error)
        reason_layout.addWidget(self.use_protocol_button, 0, Qt.AlignmentFlag.AlignLeft)
        return reason_box

    def _build_calendar(self) -> QFrame:
        self.calendar = CalendarFileCard()
        self.ics_button, self.ics_status, self.ics_error = (self.calendar.ics_button, self.calendar.ics_status,
                                                            self.calendar.ics_error)
        return self.calendar

    def _build_timeline(self) -> QFrame:
        self.timeline = TimelineView()
        self.interval_editor = IntervalEditor()
        self.timeline.set_editor(self.interval_editor)
        self.timeline_note = label(
            "The dates of the later sessions move if a visit is late. Milestones show what often happens;"
            " results vary from person to person and are not guaranteed.", "muted")
        timeline_card, timeline_layout = _card(label("Dates", "subheading-small"), spacing=8)
        timeline_layout.addWidget(self.timeline)
        timeline_layout.addWidget(self.timeline_note)
        return timeline_card

    def _build_columns(self) -> None:
        """Two columns in landscape, one in portrait (``_reflow``), under the title and status."""
        self.left = QVBoxLayout()
        self.left.setSpacing(16)
        for widget in (self._progress_card, self._settings_card, self._calendar_card):
            self.left.addWidget(widget)
        self.left.addStretch(1)
        self.right = QVBoxLayout()
        self.right.setSpacing(16)
        self.right.addWidget(self._timeline_card)
        self.right.addStretch(1)
        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.columns.setSpacing(24)
        self.columns.addLayout(self.left, 5)
        self.columns.addLayout(self.right, 6)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(32, 8, 32, 24)
        body_layout.setSpacing(16)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.status)
        body_layout.addLayout(header)
        body_layout.addWidget(self.banner)
        body_layout.addLayout(self.columns)
        body_layout.addStretch(1)
        self.scroll = scrolling(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)

    def _connect_signals(self) -> None:
        self.protocol.currentIndexChanged.connect(self._on_protocol_current_index_changed)
        self.reason.returnPressed.connect(self._on_use_protocol_button_clicked)
        self.use_protocol_button.clicked.connect(self._on_use_protocol_button_clicked)
        self.start.editingFinished.connect(self._on_start_editing_finished)
        self.start.textEdited.connect(self._on_start_text_edited)
        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.ics_button.clicked.connect(self._on_ics_button_clicked)
        self.timeline.session_activated.connect(self._on_timeline_session_activated)
        self.interval_editor.apply_requested.connect(self._on_interval_editor_apply_requested)
        self.interval_editor.reset_requested.connect(self._on_interval_editor_reset_requested)
        self.interval_editor.close_requested.connect(self._on_interval_editor_close_requested)

    # -- showing -------------------------------------------------------------------------

    def show_patient(self, patient: Patient) -> None:
        self.patient = patient
        self._set_status("", ok=True)
        self.calendar.clear()
        self.timeline.close_editor()
        self._reload()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._reflow(event.size().width())

    def _reflow(self, width: int) -> None:
        portrait = width < TWO_COLUMNS_FROM
        if portrait == self._portrait:
            return
        self._portrait = portrait
        # Portrait: progress, settings, dates, calendar file, in one column.
        for layout in (self.left, self.right):
            while layout.count():
                layout.takeAt(0)
        if portrait:
            self.columns.setDirection(QBoxLayout.Direction.TopToBottom)
            for widget in (self._progress_card, self._timeline_card, self._settings_card, self._calendar_card):
                self.left.addWidget(widget)
        else:
            self.columns.setDirection(QBoxLayout.Direction.LeftToRight)
            for widget in (self._progress_card, self._settings_card, self._calendar_card):
                self.left.addWidget(widget)
            self.right.addWidget(self._timeline_card)
        self.left.addStretch(1)
        self.right.addStretch(1)

    def refresh(self) -> None:
        """Re-read the course (sessions may have been recorded meanwhile), unless a reason is
        being typed for a change."""
        if not self._has_unsaved_input():
            self._reload()
        else:
            self._show_price(self._shown)  # prices may have changed meanwhile, even so

    def _reload(self) -> None:
        if self.patient is None:
            return
        self.overview = self._courses.overview(self.patient.id)
        self._fill_settings()
        self._show_course(self.overview.projected)

    def flush(self) -> None:
        """Nothing waits: every change here is saved by its own button."""

    def blocked_reason(self) -> StepHold | None:
        return self._guard(self.patient) if self.patient is not None else None

    def show_progress(self, done: bool) -> None:
        """Nothing to change: once a course is stored, "Start this course" is gone and the rest
        (dates, calendar file) are secondary actions; the workspace offers to go on."""

    def _has_unsaved_input(self) -> bool:
        return bool(self.reason_box.isVisible() and self.reason.text().strip())

    def _fill_settings(self) -> None:
        overview = self.overview
        assert overview is not None
        self._filling = True
        self._show_suggestion()
        stored = overview.stored
        protocol_id = stored.protocol_id if stored else (overview.projected.protocol.id if overview.projected
                                                         else self.protocol.currentData())
        self.protocol.setCurrentIndex(max(0, self.protocol.findData(protocol_id)))
        start = stored.start if stored else (overview.projected.start if overview.projected
                                             else self._courses.proposed_start(overview.done))
        self.start.setText(start.isoformat())
        self.start_shown.setText(day_text(start))
        self.reason.setText((stored.choice.reason or "") if stored else "")
        self._show_errors({})
        self._filling = False
        self._update_reason_box()
        self.start_button.setVisible(stored is None)
        self.title.setText("Course plan" if stored else "Proposed course (not started yet)")
        self.banner.setVisible(overview.problem is not None)
        if overview.problem is not None:
            self.banner.setText("This course cannot be planned as it is: "
                                + overview.problem.errors[overview.problem.field] + " ")

    def _show_suggestion(self) -> None:
        """What the intake suggests and why; for a stored course, what was suggested then."""
        overview = self.overview
        current = overview.suggestion
        stored = overview.stored
        if stored is None:
            self.suggestion.setText(f"Suggested from the intake: {self._label(current.level)}")
            lines = [f"Why: {current.reason}"]
        else:
            self.suggestion.setText(f"Suggested when the course was planned: {self._label(stored.choice.suggested)}")
            lines = [f"Why: {stored.severity_basis or 'not recorded'}"]
            if stored.choice.overridden:
                lines.append(f"Chosen instead: {self._label(stored.protocol_id)}, because: {stored.choice.reason}")
            if current.level != stored.choice.suggested:
                lines.append(f"The latest intake now suggests {self._label(current.level)} ({current.reason}).")
        if current.level not in self._courses.protocols:
            lines.append("That level is not one of this clinic's protocols: choose one and say why.")
        self.suggestion_basis.setText("\n".join(lines))

    def _label(self, protocol_id: str) -> str:
        protocol = self._courses.protocols.get(protocol_id)
        return protocol.label if protocol else protocol_id

    def _show_course(self, course: ProjectedCourse | None) -> None:
        self._shown = course
        stored = self.overview.stored if self.overview else None
        self.timeline.set_course(course, self._courses.calendar, editable=stored is not None)
        self.calendar.show_course(course, stored is not None)
        heading, detail = progress_words(course, stored is not None)
        self.progress_heading.setText(heading)
        self.progress_detail.setText(detail)
        self._show_price(course)
        if course is None:
            self.progress_bar.set_progress(0, 0)
            return
        self.progress_bar.set_progress(course.done_count, course.total)
        self.progress_heading.setAccessibleName(heading)

    def _show_price(self, course: ProjectedCourse | None) -> None:
        _say(self.price, self._courses.price_words(course) or "")

    # -- protocol and reason -------------------------------------------------------------

    def _chosen_protocol(self) -> str:
        return self.protocol.currentData()

    def _needs_reason(self) -> bool:
        return self.overview is not None and self._chosen_protocol() != self.overview.suggestion.level

    def _update_reason_box(self) -> None:
        """The reason field shows only while a choice other than the suggestion waits to be made."""
        stored = self.overview.stored if self.overview else None
        changed = stored is None or self._chosen_protocol() != stored.protocol_id
        self.reason_box.setVisible(changed and self._needs_reason())
        self.use_protocol_button.setVisible(stored is not None and changed)

    def _on_protocol_current_index_changed(self, _index: int) -> None:
        if self._filling or self.overview is None:
            return
        self._show_errors({})
        self._update_reason_box()
        stored = self.overview.stored
        if stored is None:
            self._preview()
        elif not self._needs_reason() and self._chosen_protocol() != stored.protocol_id:
            self._save(lambda actor: self._courses.change_protocol(
                self.patient.id, self._chosen_protocol(), actor=actor))
        elif self._chosen_protocol() != stored.protocol_id:
            self._show_errors({"reason": "Say why you chose this protocol, then tap “Use this protocol”."})
            self.reason.setFocus()

    def _on_use_protocol_button_clicked(self) -> None:
        stored = self.overview.stored if self.overview else None
        if stored is None:
            self._on_start_button_clicked()
            return
        self._save(lambda actor: self._courses.change_protocol(
            self.patient.id, self._chosen_protocol(), self.reason.text(), actor=actor))

    # -- start date ----------------------------------------------------------------------

    def _on_start_text_edited(self, _text: str) -> None:
        self.start_shown.setText("")

    def _on_start_editing_finished(self) -> None:
        if self.overview is None or self.patient is None:
            return
        stored = self.overview.stored
        if stored is None:
            self._preview()
            return
        if self.start.text().strip() == stored.start.isoformat():
            self.start_shown.setText(day_text(stored.start))
            self._show_errors({"start": ""})
            return
        self._save(lambda actor: self._courses.change_start(self.patient.id, self.start.text(), actor=actor))

    def _preview(self) -> None:
        try:
            course = self._courses.preview(self.patient.id, start=self.start.text(), protocol_id=self._chosen_protocol())
        except ValidationError as error:
            self._show_errors(error.errors)
            return
        self._show_errors({})
        self.start_shown.setText(day_text(course.start))
        self._show_course(course)

    def _on_start_button_clicked(self) -> None:
        if self.patient is None:
            return
        self._save(lambda actor: self._courses.start_course(
            self.patient.id, start=self.start.text(), protocol_id=self._chosen_protocol(),
            reason=self.reason.text() if self._needs_reason() else None, actor=actor))

    # -- intervals -----------------------------------------------------------------------

    def _on_timeline_session_activated(self, number: int) -> None:
        if self._shown is None:
            return
        session = self._shown.sessions[number - 1]
        self.interval_editor.edit(number, session.gap_days or 1, self._shown.protocol)
        self.timeline.open_editor(number)
        self.interval_editor.days.setFocus()
        self.interval_editor.days.selectAll()

    def _on_interval_editor_apply_requested(self, number: int, days: int) -> None:
        self._save(lambda actor: self._courses.change_interval(self.patient.id, number, days, actor=actor))

    def _on_interval_editor_reset_requested(self, number: int) -> None:
        self._save(lambda actor: self._courses.change_interval(self.patient.id, number, None, actor=actor))

    def _on_interval_editor_close_requested(self) -> None:
        number = self.timeline.editor_session
        self.timeline.close_editor()
        row = self.timeline.row_for(number) if number else None
        if row is not None:
            row.setFocus()

    # -- saving and errors ---------------------------------------------------------------

    def _save(self, change) -> bool:
        try:
            stored = change(self._actor())
        except ValidationError as error:
            self._show_errors(error.errors)
            self._set_status("Not saved: see the message in red.", ok=False)
            return False
        except StoreError as error:
            self._show_errors({"banner": str(error)})
            return False
        editing = self.timeline.editor_session
        self._reload()
        if editing is not None and self.timeline.row_for(editing) is not None:
            self.timeline.open_editor(editing)
            session = self._shown.sessions[editing - 1] if self._shown else None
            if session is not None:
                self.interval_editor.edit(editing, session.gap_days or 1, self._shown.protocol)
        self._set_status(f"Saved at {clock_time(self._clock, self._clock.now_utc())}", ok=True)
        self.saved.emit(stored)
        return True

    def _set_status(self, text: str, *, ok: bool) -> None:
        self.status.setText(text)
        self.status.setProperty("role", "saved" if ok else "error")
        restyle(self.status)

    def _show_errors(self, errors: dict[str, str]) -> None:
        """Each message next to its field; ``{}`` clears them all, ``{"start": ""}`` one."""
        fields = {
            "start": (self.start_error, self.start),
            "protocol_id": (self.protocol_error, None),
            "reason": (self.reason_error, self.reason),
        }
        clear_all = not errors
        for key, (message_label, field) in fields.items():
            if clear_all or key in errors:
                message = errors.get(key, "")
                message_label.setText(message)
                message_label.setVisible(bool(message))
                if field is not None:
                    field.setProperty("invalid", "true" if message else "false")
                    restyle(field)
        if clear_all or "interval" in errors:
            self.interval_editor.show_error(errors.get("interval", ""))
        leftovers = [m for k, m in errors.items() if k not in fields and k != "interval" and m]
        if leftovers:
            self.banner.setText(" ".join(leftovers))
            self.banner.show()

    # -- calendar file -------------------------------------------------------------------

    def _on_ics_button_clicked(self) -> None:
        if self.patient is None:
            return
        target = self._exports_dir / self._courses.ics_file_name(self.patient.id)
        try:
            result = self._courses.export_ics(self.patient.id, target, actor=self._actor())
        except (ValidationError, CourseExportError, NoCourseError, StoreError) as error:
            self.calendar.show_error(error.errors[error.field] if isinstance(error, ValidationError) else str(error))
            return
        self.calendar.show_saved(result.events, result.path, clock_time(self._clock, self._clock.now_utc()))

    # For tests and screenshots.
    def error_text(self, field: str) -> str:
        return {"start": self.start_error, "protocol_id": self.protocol_error, "reason": self.reason_error,
                "interval": self.interval_editor.error}[field].text()

    @property
    def shown_course(self) -> ProjectedCourse | None:
        return self._shown

    def today(self) -> date | None:
        return self._shown.today if self._shown else None
