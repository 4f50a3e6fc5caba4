"""Step 1 — Intake: patient details, history, classification, medical screening, notes.

Every answer saves itself: a typed answer a moment after the last key (or when the
consultant leaves the field), a pick or a tap at once, and everything still pending when
the page is hidden, the patient changes or the window closes. There is no Save button;
a quiet "Saved 09:41" says it happened. An answer the domain refuses is not stored: the
message sits under the field and the typed text stays for correcting.

The screening panel at the end shows what the rules found; stops need an override with a
reason, warnings an acknowledgement tick, before "Mark intake complete" is possible.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ...domain.clock import Clock
from ...domain.errors import ValidationError
from ...domain.intake import Intake
from ...domain.patient import SEX_AT_BIRTH, Patient
from ...domain.screening import ScreeningOutcome
from ...services.intake import IntakeRecord, IntakeService
from ...services.intake_draft import AnswerNotYetSaved, AnswerRefused, IntakeDraft
from ..widgets.basics import button, label, restyle, scrolling
from ..widgets.field_errors import ErrorLine
from ..widgets.intake_fields import IntakeField
from ..widgets.intake_completion import CompletionCard
from ..widgets.intake_history import IntakeHistoryCard, intake_card
from ..widgets.intake_notice import IntakeNotice, intake_state
from ..widgets.intake_screening import ScreeningPanel
from ..widgets.intake_sections import SALT_PATHS, IntakeSections
from .patient_details import PatientDetailsPage

AUTOSAVE_DELAY_MS = 600  # after the last key press; leaving the field saves at once
COLUMN_MAX_WIDTH = 1040


class IntakePage(QWidget):
    changed = Signal(object)  # IntakeRecord, after every stored change
    details_not_saved = Signal()  # a flush found a wrong patient detail (kept, with its error)

    def __init__(self, service: IntakeService, details: PatientDetailsPage, clock: Clock,
                 actor: Callable[[], str], parent: QWidget | None = None):
        super().__init__(parent)
        self._service = service
        self._clock = clock
        self._actor = actor
        self.details = details
        self._patient: Patient | None = None
        # What the form holds that the database does not (pending and refused answers).
        self._draft = IntakeDraft(service, clock, actor)
        self._viewing: IntakeRecord | None = None  # what the form shows (current or earlier)
        self._history: list[IntakeRecord] = []
        self._timers: dict[str, QTimer] = {}
        self._completed_now: int | None = None  # the intake completed on this screen just now
        self._build()
        self._connect_signals()
        self._show_record(None, read_only=False)

    # -- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        column = QWidget()
        column.setMaximumWidth(COLUMN_MAX_WIDTH)
        col = QVBoxLayout(column)
        col.setContentsMargins(24, 16, 24, 32)
        col.setSpacing(16)

        col.addLayout(self._build_top())
        col.addWidget(self._build_notice())

        col.addWidget(self._details_card())
        self.sections = IntakeSections(self._service)
        # The questions' widgets, as the page's own: its handlers and the tests reach them here.
        self.fields: dict[str, IntakeField] = self.sections.fields
        self.scale_hint, self.salt_heading = self.sections.scale_hint, self.sections.salt_heading
        self.salt_score_label = self.sections.salt_score_label
        for card in self.sections.cards:
            col.addWidget(card)

        screening = self._card("Screening")
        self.screening = ScreeningPanel(self._format_time, self._service.actor_label)
        screening.layout().addWidget(self.screening)
        col.addWidget(screening)

        self.complete_card = CompletionCard()
        # The card's parts, as the page's own: tests and the page's handlers reach them here.
        self.complete_button, self.reasons_label = self.complete_card.complete_button, self.complete_card.reasons_label
        self.confirm_panel, self.confirm_text = self.complete_card.confirm_panel, self.complete_card.confirm_text
        self.confirm_back, self.confirm_complete = self.complete_card.confirm_back, self.complete_card.confirm_complete
        col.addWidget(self.complete_card)

        self.history_card = IntakeHistoryCard(self._service, self._clock)
        col.addWidget(self.history_card)
        col.addStretch(1)

        body = QWidget()
        centre = QHBoxLayout(body)
        centre.setContentsMargins(0, 0, 0, 0)
        centre.addStretch(0)
        centre.addWidget(column, 1)
        centre.addStretch(0)
        self.scroll = scrolling(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)

    def _build_top(self) -> QHBoxLayout:
        """The heading, what state the intake is in, the autosave line."""
        top = QHBoxLayout()
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(label("Intake", "subheading"))
        # Room for two lines kept: the autosave line beside it takes width when it says something,
        # and the state wrapping then would push the whole intake down under the finger.
        self.state_label = ErrorLine(2, "muted")
        self.state_label.show()
        heading.addWidget(self.state_label)
        top.addLayout(heading, 1)
        self.saved_label = label("", "saved", wrap=False)
        self.saved_label.setAccessibleName("Autosave status")
        top.addWidget(self.saved_label)
        self.earlier_jump = button("Earlier assessments", "Go to the list of earlier assessments")
        top.addWidget(self.earlier_jump)
        return top

    def _build_notice(self) -> QFrame:
        self.notice = IntakeNotice()
        # The notice's parts, as the page's own: its handlers and the tests reach them here.
        self.notice_text = self.notice.text
        self.reassess_button, self.current_button = self.notice.reassess_button, self.notice.current_button
        return self.notice

    def _card(self, title: str) -> QFrame:
        return intake_card(title)

    def _details_card(self) -> QFrame:
        card = QFrame()
        card.setProperty("role", "card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(20, 12, 20, 12)
        layout.setSpacing(8)
        head = QHBoxLayout()
        self.details_summary = label("", "muted")
        self.details_toggle = button("Patient details ▾", "Show or hide the patient details")
        self.details_toggle.setProperty("role", "disclosure")
        head.addWidget(self.details_toggle)
        head.addWidget(self.details_summary, 1)
        layout.addLayout(head)
        self.details.layout().setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.details)
        return card

    def _connect_signals(self) -> None:
        for path, field in self.fields.items():
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.setInterval(AUTOSAVE_DELAY_MS)
            timer.timeout.connect(partial(self._save, path))
            self._timers[path] = timer
            field.edited.connect(self._on_field_edited)
            field.committed.connect(self._on_field_committed)
        self.screening.override_requested.connect(self._on_screening_override_requested)
        self.screening.acknowledgement_toggled.connect(self._on_screening_acknowledgement_toggled)
        self.complete_button.clicked.connect(self._on_complete_button_clicked)
        self.confirm_back.clicked.connect(self._on_confirm_back_clicked)
        self.confirm_complete.clicked.connect(self._on_confirm_complete_clicked)
        self.earlier_jump.clicked.connect(self._on_earlier_jump_clicked)
        self.reassess_button.clicked.connect(self._on_reassess_button_clicked)
        self.current_button.clicked.connect(self._on_current_button_clicked)
        self.details_toggle.clicked.connect(self._on_details_toggle_clicked)
        self.details.saved.connect(self._on_details_saved)
        self.history_card.open_requested.connect(self._on_history_card_open_requested)

    # -- the patient and the record shown --------------------------------------------------------

    def show_patient(self, patient: Patient) -> None:
        """Open a patient's current intake (saving anything pending for the previous one first)."""
        self.flush()
        self._patient = patient
        self._completed_now = None
        self.details.show_patient(patient)
        self._history = self._service.history(patient.id)
        self._draft.open(patient.id, self._history[0] if self._history else None)
        self._set_details_expanded(self._draft.record is None)
        self._show_record(self._draft.record, read_only=bool(self._draft.record and self._draft.record.is_complete))
        self._refresh_history()
        self._update_details_summary()
        self.saved_label.setText("")
        self.scroll.verticalScrollBar().setValue(0)

    @property
    def patient(self) -> Patient | None:
        return self._patient

    def is_shown(self, path: str) -> bool:
        """Whether the question is on the form now (its scale fits, its condition is met)."""
        return self.sections.is_shown(path)

    @property
    def record(self) -> IntakeRecord | None:
        return self._viewing

    def _show_record(self, record: IntakeRecord | None, *, read_only: bool) -> None:
        self._viewing = record
        self._draft.show(read_only=read_only)
        self._set_confirming(False)
        for timer in self._timers.values():
            timer.stop()
        for path, field in self.fields.items():
            field.set_value(record.intake.answer(path) if record else None)
            field.set_error(None)
            field.set_read_only(read_only)
        self._refresh()

    def _refresh(self) -> None:
        self._update_visibility()
        self.sections.update_salt()
        self._update_screening()
        self._update_completion()
        self._update_notice()
        self._update_history_marks()

    # -- autosave ---------------------------------------------------------------------------------

    def _on_field_edited(self, path: str) -> None:
        if not self._draft.edited(path):
            return
        self._timers[path].start()
        self._show_status()
        if path in SALT_PATHS:
            self.sections.update_salt()

    def _on_field_committed(self, path: str) -> None:
        if self._draft.read_only:
            return
        self._save(path)

    def flush(self) -> bool:
        """Save every answer still waiting for its pause (page hidden, patient switched, closing)
        and the patient details' edits; False when a detail is wrong (kept, its error shown)."""
        for path in self._draft.pending():
            self._save(path)
        if self.details.dirty and not self.details.save(reveal=False):
            self.details_not_saved.emit()
            return False
        return True

    def refresh(self) -> None:
        """Re-read the patient's intakes, saving what is pending first. The form is filled
        again only when it shows the current intake and holds no refused answer (what was
        typed stays, and so does an open "mark complete?" question); the patient details are
        left as they are."""
        if self._patient is None:
            return
        confirming = self.confirm_panel.isVisibleTo(self)
        self.flush()
        self._history = self._service.history(self._patient.id)
        current = self._history[0] if self._history else None
        shown_current = self._viewing is None or (self._draft.record is not None
                                                  and self._viewing.id == self._draft.record.id)
        self._draft.record = current
        if shown_current and not self._draft.errors:
            self._show_record(current, read_only=bool(current and current.is_complete))
        else:
            if shown_current:
                self._viewing = current  # screening and completion follow the stored answers
            self._refresh()
        self._refresh_history()
        if confirming and self.complete_button.isEnabled():
            self._set_confirming(True)

    def blocked_reason(self) -> None:
        return None  # the intake is where the stops that hold other steps back are handled

    def show_progress(self, done: bool) -> None:
        """Nothing to change: complete, the form is read-only and its re-assessment is already a
        secondary action; the workspace offers to go on."""

    def hideEvent(self, event) -> None:
        self.flush()
        super().hideEvent(event)

    def _save(self, path: str) -> None:
        self._timers[path].stop()
        field = self.fields[path]
        result = self._draft.save(path, field.raw_value())
        if result is None:
            return
        self._show_status()
        if isinstance(result, AnswerRefused):
            field.set_error(result.message)
            self._update_completion()
            return
        if isinstance(result, AnswerNotYetSaved):
            self._timers[path].start()  # try again after the pause
            return
        field.set_error(None)
        self._viewing = result.record
        if result.created:
            self._history = self._service.history(self._patient.id)
            self._refresh_history()
        self._refresh()
        self.changed.emit(result.record)

    def _set_saved_text(self, text: str, role: str) -> None:
        self._draft.set_status(text, role)
        self._show_status()

    def _show_status(self) -> None:
        status = self._draft.status
        self.saved_label.setText(status.text)
        self.saved_label.setProperty("role", status.role)
        restyle(self.saved_label)

    def _format_time(self, iso: str) -> str:
        return self._clock.format_local(iso)

    # -- what is shown ------------------------------------------------------------------------------

    def offered_scales(self) -> tuple[str, ...]:
        sex = self._patient.sex_at_birth if self._patient else None
        hair_type = self.sections.answer_now("complaint.hair_loss_type")
        return self._service.offered_scales(hair_type, sex)  # type: ignore[arg-type]

    def _update_visibility(self) -> None:
        offered = self.offered_scales()
        self.sections.update_visibility(offered, self._scale_hint(offered))

    def _scale_hint(self, offered: tuple[str, ...]) -> str:
        hair_type = self.sections.answer_now("complaint.hair_loss_type")
        if hair_type is None:
            return "Choose the type of hair loss first: the form then offers the scale that fits the patient."
        if not offered:
            return "No classification scale is used for this type of hair loss."
        sex = self._patient.sex_at_birth if self._patient else None
        who = SEX_AT_BIRTH.get(sex, "sex at birth not recorded").lower() if sex else "sex at birth not recorded"
        names = ", ".join(self._service.options.scales.label(s) for s in offered)
        return f"Offered for this type of hair loss ({who}): {names}."

    def _update_screening(self) -> None:
        record = self._viewing
        if record is None:
            self.screening.show_outcome(ScreeningOutcome(), {}, {}, frozenset(), self._draft.read_only)
            return
        self.screening.show_outcome(
            record.outcome, record.overrides, record.override_times, record.acknowledged, self._draft.read_only
        )

    def reasons_not_complete(self) -> list[str]:
        record = self._viewing or IntakeRecord(id=0, patient_id=0, intake=Intake())
        reasons = self._draft.reasons_not_valid(lambda path: self.fields[path].spec.label)
        return reasons + self._service.reasons_not_complete(record)

    def _update_completion(self) -> None:
        self.complete_card.setVisible(not self._draft.read_only)
        if self._draft.read_only:
            return
        reasons = self.reasons_not_complete()
        self.complete_button.setEnabled(not reasons and self._patient is not None)
        if reasons:
            self._set_confirming(False)
        self.complete_card.show_reasons(reasons)

    def _update_notice(self) -> None:
        record, current = self._viewing, self._draft.record
        earlier = record is not None and current is not None and record.id != current.id
        self.current_button.setVisible(earlier)
        self.reassess_button.setVisible(not earlier and current is not None and current.is_complete)
        count = len(self._history) - 1
        self.earlier_jump.setVisible(count > 0)
        self.earlier_jump.setText(f"Earlier assessments ({count})")
        state = intake_state(record, current, self._history, self._completed_now, self._clock)
        self.state_label.setText(state.line)
        self.notice.show_state(state)

    @property
    def history_buttons(self) -> list[QPushButton]:
        return self.history_card.buttons

    @property
    def history_rows(self) -> list[QFrame]:
        return self.history_card.rows

    def _refresh_history(self) -> None:
        self.history_card.fill(self._history[1:])
        self._update_history_marks()

    def _update_history_marks(self) -> None:
        self.history_card.mark_shown(self._viewing.id if self._viewing is not None else None)

    # -- patient details ----------------------------------------------------------------------------

    def _set_details_expanded(self, expanded: bool) -> None:
        self.details.setVisible(expanded)
        self.details_toggle.setText("Patient details ▴" if expanded else "Patient details ▾")
        self.details_summary.setVisible(not expanded)

    def _update_details_summary(self) -> None:
        patient = self._patient
        if patient is None:
            self.details_summary.setText("")
            return
        sex = SEX_AT_BIRTH.get(patient.sex_at_birth or "", "sex at birth not recorded")
        born = patient.date_of_birth.strftime("%d %b %Y")
        self.details_summary.setText(f"{patient.display_name} · born {born} · {sex}")

    def _on_details_toggle_clicked(self) -> None:
        if self.details.isHidden():
            self._set_details_expanded(True)
            return
        if self.details.dirty and not self.details.save():
            return  # keep the errors in view
        self._set_details_expanded(False)

    def _on_details_saved(self, patient: Patient) -> None:
        if self._patient is not None and patient.id == self._patient.id:
            self._patient = patient
            self._update_details_summary()
            self._update_visibility()

    # -- screening, completion, re-assessment --------------------------------------------------------

    def _on_screening_override_requested(self, rule_id: str, reason: str) -> None:
        if self._patient is None or self._draft.read_only:
            return
        self.flush()
        try:
            record = self._service.override(self._patient.id, rule_id, reason, self._actor())
        except ValidationError as error:
            self.screening.show_reason_error(rule_id, next(iter(error.errors.values())))
            return
        self._after_change(record)

    def _on_screening_acknowledgement_toggled(self, rule_id: str, ticked: bool) -> None:
        if self._patient is None or self._draft.read_only:
            return
        try:
            record = self._service.acknowledge(self._patient.id, rule_id, self._actor(), ticked)
        except ValidationError as error:
            self._set_saved_text(next(iter(error.errors.values())), "error")
            return
        self._after_change(record)

    def _after_change(self, record: IntakeRecord) -> None:
        self._viewing = record
        self._draft.changed(record)
        self._refresh()
        self._show_status()
        self.changed.emit(record)

    def _set_confirming(self, confirming: bool) -> None:
        self.complete_card.set_confirming(confirming)

    def _on_complete_button_clicked(self) -> None:
        if self._patient is None or self._draft.read_only:
            return
        self.flush()
        if self.reasons_not_complete():
            self._update_completion()
            return
        self._set_confirming(True)
        self.confirm_complete.setFocus()
        self.scroll.ensureWidgetVisible(self.confirm_panel)

    def _on_confirm_back_clicked(self) -> None:
        self._set_confirming(False)
        self.complete_button.setFocus()

    def _on_confirm_complete_clicked(self) -> None:
        if self._patient is None or self._draft.read_only:
            return
        self.flush()
        try:
            record = self._service.complete(self._patient.id, self._actor())
        except ValidationError as error:
            self._set_confirming(False)
            self.reasons_label.setText(next(iter(error.errors.values())))
            return
        self._history = self._service.history(self._patient.id)
        self._draft.record = record
        self._completed_now = record.id
        self._show_record(record, read_only=True)
        self._refresh_history()
        self._set_saved_text(f"Completed {self._clock.local(record.updated_at).strftime('%H:%M')}", "saved")
        self.scroll.verticalScrollBar().setValue(0)  # the confirmation sits at the top, by the heading
        self.reassess_button.setFocus()
        self.changed.emit(record)

    def _on_reassess_button_clicked(self) -> None:
        if self._patient is None:
            return
        record = self._service.start(self._patient.id, self._actor())
        self._history = self._service.history(self._patient.id)
        self._draft.record = record
        self._show_record(record, read_only=False)
        self._refresh_history()
        self.scroll.verticalScrollBar().setValue(0)
        self.changed.emit(record)

    def _on_history_card_open_requested(self, intake_id: int) -> None:
        self.flush()
        record = next((r for r in self._history if r.id == intake_id), None)
        if record is None:
            return
        self._show_record(record, read_only=True)
        self.scroll.verticalScrollBar().setValue(0)

    def _on_current_button_clicked(self) -> None:
        self._show_record(self._draft.record, read_only=bool(self._draft.record and self._draft.record.is_complete))
        self.scroll.verticalScrollBar().setValue(0)

    def _on_earlier_jump_clicked(self) -> None:
        self.scroll.ensureWidgetVisible(self.history_card, 0, 0)
        target = self.history_card.first_to_open()
        if target is not None:
            target.setFocus()
