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
from dataclasses import replace
from functools import partial

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from ...domain.clock import Clock
from ...domain.errors import ValidationError
from ...domain.intake import Intake
from ...domain.intake_form import SECTIONS, TREATMENTS_PREFIX, FieldSpec
from ...domain.patient import SEX_AT_BIRTH, Patient
from ...domain.scales import SALT, SALT_REGION_IDS
from ...domain.screening import ScreeningOutcome
from ...services.intake import IntakeRecord, IntakeService
from ...services.intake_draft import AnswerNotYetSaved, AnswerRefused, IntakeDraft
from ..widgets.basics import button, discard, label, restyle, scrolling
from ..widgets.intake_fields import IntakeField, ReflowGrid, is_short, make_field
from ..widgets.intake_screening import ScreeningPanel
from .patient_details import PatientDetailsPage

AUTOSAVE_DELAY_MS = 600  # after the last key press; leaving the field saves at once
COLUMN_MAX_WIDTH = 1040
_SALT_PATHS = tuple(f"classification.salt.{region}" for region in SALT_REGION_IDS)


def intake_summary(record: IntakeRecord, service: IntakeService) -> str:
    """A one-line description of an intake for the list of earlier assessments."""
    intake = record.intake
    parts: list[str] = []
    types = {c.id: c.label for c in service.options.hair_loss_types}
    if intake.complaint.hair_loss_type:
        parts.append(types.get(intake.complaint.hair_loss_type, intake.complaint.hair_loss_type).split(" (")[0])
    stages = intake.classification
    for scale, stage in (("norwood", stages.norwood), ("ludwig", stages.ludwig), ("sinclair", stages.sinclair)):
        if stage:
            parts.append(f"{service.options.scales.label(scale).split(' (')[0]} {stage}")
    score = service.salt_score(intake)
    if score is not None:
        parts.append(f"SALT {score:g}")
    if record.overrides:
        parts.append(f"{len(record.overrides)} stop(s) overridden")
    return " · ".join(parts) or "No answers"


class IntakePage(QWidget):
    changed = Signal(object)  # IntakeRecord, after every stored change

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
        self.fields: dict[str, IntakeField] = {}
        self._timers: dict[str, QTimer] = {}
        self._grids: list[ReflowGrid] = []
        self._grid_of: dict[str, ReflowGrid] = {}
        self._shown: dict[str, bool] = {}
        self._completed_now: int | None = None  # the intake completed on this screen just now
        self._history_button_ids: list[int] = []
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

        top = QHBoxLayout()
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(label("Intake", "subheading"))
        self.state_label = label("", "muted")
        heading.addWidget(self.state_label)
        top.addLayout(heading, 1)
        self.saved_label = label("", "saved", wrap=False)
        self.saved_label.setAccessibleName("Autosave status")
        top.addWidget(self.saved_label)
        self.earlier_jump = button("Earlier assessments", "Go to the list of earlier assessments")
        top.addWidget(self.earlier_jump)
        col.addLayout(top)

        self.notice = QFrame()
        self.notice.setProperty("role", "intake-notice")
        notice_layout = QHBoxLayout(self.notice)
        notice_layout.setContentsMargins(16, 8, 16, 8)
        self.notice_text = label("")
        notice_layout.addWidget(self.notice_text, 1)
        self.reassess_button = button("Start a re-assessment", "Start a re-assessment (a new intake)", primary=True)
        self.current_button = button("Back to the current intake", "Back to the current intake")
        notice_layout.addWidget(self.reassess_button)
        notice_layout.addWidget(self.current_button)
        col.addWidget(self.notice)

        col.addWidget(self._details_card())
        for section, title in SECTIONS:
            col.addWidget(self._section_card(section, title))

        screening = self._card("Screening")
        self.screening = ScreeningPanel(self._format_time, self._service.actor_label)
        screening.layout().addWidget(self.screening)
        col.addWidget(screening)

        self.complete_card = self._card("Finish the intake")
        self.complete_button = button("Mark intake complete…", "Mark intake complete", primary=True)
        self.reasons_label = label("", "muted")
        self.complete_card.layout().addWidget(self.reasons_label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.complete_button)
        self.complete_card.layout().addLayout(row)
        # Completing cannot be undone (the record becomes immutable), so it is confirmed
        # here, inline, never in a pop-up.
        self.confirm_panel = QFrame()
        self.confirm_panel.setProperty("role", "intake-notice")
        confirm = QVBoxLayout(self.confirm_panel)
        confirm.setContentsMargins(16, 12, 16, 12)
        confirm.setSpacing(8)
        self.confirm_text = label(
            "Once complete, these answers can no longer be changed. A later change means starting "
            "a re-assessment. Mark this intake complete now?"
        )
        confirm.addWidget(self.confirm_text)
        confirm_row = QHBoxLayout()
        confirm_row.addStretch(1)
        self.confirm_back = button("Keep editing", "Keep editing the intake")
        self.confirm_complete = button("Yes, mark complete", "Confirm: mark the intake complete", primary=True)
        confirm_row.addWidget(self.confirm_back)
        confirm_row.addWidget(self.confirm_complete)
        confirm.addLayout(confirm_row)
        self.confirm_panel.hide()
        self.complete_card.layout().addWidget(self.confirm_panel)
        col.addWidget(self.complete_card)

        self.history_card = self._card("Earlier assessments")
        self.history_box = QVBoxLayout()
        self.history_box.setSpacing(8)
        self.history_card.layout().addLayout(self.history_box)
        self.history_buttons: list = []
        self.history_rows: list = []
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

    def _card(self, title: str) -> QFrame:
        card = QFrame()
        card.setProperty("role", "card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        layout.addWidget(label(title, "subheading"))
        return card

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

    def _section_card(self, section: str, title: str) -> QFrame:
        card = self._card(title)
        layout: QVBoxLayout = card.layout()  # type: ignore[assignment]
        specs = [s for s in self._service.specs if s.section == section]
        grid: ReflowGrid | None = None
        for index, spec in enumerate(specs):
            extras = self._extras_before(spec, specs[index - 1] if index else None)
            for extra in extras:
                layout.addWidget(extra)
                grid = None
            field = make_field(self._spec_for_form(spec), self._choices(spec))
            self.fields[spec.path] = field
            if is_short(spec, self._choices(spec)):
                if grid is None:
                    grid = ReflowGrid()
                    self._grids.append(grid)
                    layout.addWidget(grid)
                grid.add(field)
                self._grid_of[spec.path] = grid
            else:
                grid = None
                layout.addWidget(field)
            if spec.path == _SALT_PATHS[-1]:
                self.salt_score_label = label("", "salt-score")
                self.salt_score_label.setAccessibleName("SALT score")
                layout.addWidget(self.salt_score_label)
                grid = None
        return card

    def _extras_before(self, spec: FieldSpec, previous: FieldSpec | None) -> list[QWidget]:
        if spec.section == "classification" and previous is None:
            self.scale_hint = label("", "muted")
            return [self.scale_hint]
        if spec.path.startswith(TREATMENTS_PREFIX) and not (previous and previous.path.startswith(TREATMENTS_PREFIX)):
            return [
                label("Previous treatments and how they went", "minor-heading"),
                label("Leave “Not tried” for anything the patient has not used.", "muted"),
            ]
        if spec.path == _SALT_PATHS[0]:
            self.salt_heading = label(
                "SALT (alopecia areata): the percent of hair lost in each region", "minor-heading"
            )
            return [self.salt_heading]
        return []

    def _spec_for_form(self, spec: FieldSpec) -> FieldSpec:
        if spec.scale == SALT and not spec.help:
            region = next(r for r in self._service.options.scales.salt.regions if spec.path.endswith("." + r.id))
            return replace(spec, help=f"{region.label}: {region.weight:g} % of the scalp.")
        if spec.path.startswith(TREATMENTS_PREFIX):
            return replace(spec, help="")  # said once, above the list
        if spec.path == "complaint.daily_shedding":
            options = self._service.options
            return replace(
                spec, help=f"Normal is about {options.shedding_normal_min}–{options.shedding_normal_max} a day."
            )
        return spec

    def _choices(self, spec: FieldSpec):
        return self._service.options.choices(spec.choices) if spec.choices else ()

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
        return self._shown.get(path, False)

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
        self._update_salt()
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
        if path in _SALT_PATHS:
            self._update_salt()

    def _on_field_committed(self, path: str) -> None:
        if self._draft.read_only:
            return
        self._save(path)

    def flush(self) -> None:
        """Save every answer still waiting for its pause (page hidden, patient switched, closing)."""
        for path in self._draft.pending():
            self._save(path)

    def refresh(self) -> None:
        """Re-read the patient's intakes (what is pending is saved first)."""
        if self._patient is not None:
            self.show_patient(self._patient)

    def blocked_reason(self) -> str | None:
        return None  # the intake is where the stops that hold other steps back are handled

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

    def _answer_now(self, path: str) -> object:
        value = self.fields[path].raw_value()
        return None if isinstance(value, str) and not value.strip() else value

    def offered_scales(self) -> tuple[str, ...]:
        sex = self._patient.sex_at_birth if self._patient else None
        return self._service.offered_scales(self._answer_now("complaint.hair_loss_type"), sex)  # type: ignore[arg-type]

    def _update_visibility(self) -> None:
        offered = self.offered_scales()
        for spec in self._service.specs:
            shown = True
            if spec.scale is not None:
                shown = spec.scale in offered
            if spec.shown_when is not None:
                other, wanted = spec.shown_when
                answer = self._answer_now(other)
                shown = answer is not None if wanted is None else answer == wanted
            if self._answer_now(spec.path) is not None:
                shown = True  # never hide an answer that is there
            self._shown[spec.path] = shown
            grid = self._grid_of.get(spec.path)
            if grid is not None:
                grid.set_shown(self.fields[spec.path], shown)
            else:
                self.fields[spec.path].setVisible(shown)
        for grid in self._grids:
            grid.arrange()
        salt_shown = any(self._shown[p] for p in _SALT_PATHS)
        self.salt_heading.setVisible(salt_shown)
        self.salt_score_label.setVisible(salt_shown)
        self.scale_hint.setText(self._scale_hint(offered))

    def _scale_hint(self, offered: tuple[str, ...]) -> str:
        hair_type = self._answer_now("complaint.hair_loss_type")
        if hair_type is None:
            return "Choose the type of hair loss first: the form then offers the scale that fits the patient."
        if not offered:
            return "No classification scale is used for this type of hair loss."
        sex = self._patient.sex_at_birth if self._patient else None
        who = SEX_AT_BIRTH.get(sex, "sex at birth not recorded").lower() if sex else "sex at birth not recorded"
        names = ", ".join(self._service.options.scales.label(s) for s in offered)
        return f"Offered for this type of hair loss ({who}): {names}."

    def _update_salt(self) -> None:
        regions = {region: self.fields[path].raw_value() for region, path in zip(SALT_REGION_IDS, _SALT_PATHS)}
        score = self._service.salt_score_of(regions)
        if score is None:
            self.salt_score_label.setText("SALT score: appears when all four regions hold a percent from 0 to 100.")
        else:
            self.salt_score_label.setText(f"SALT score {score:g} of 100 — {self._service.salt_band_label(score)}")

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
            self.reasons_label.setText(
                "Before the intake can be marked complete:\n" + "\n".join(f"•  {r}" for r in reasons)
            )
        else:
            self.reasons_label.setText("Everything needed is answered and every stop and warning is handled.")

    def _update_notice(self) -> None:
        record, current = self._viewing, self._draft.record
        earlier = record is not None and current is not None and record.id != current.id
        self.current_button.setVisible(earlier)
        self.reassess_button.setVisible(not earlier and current is not None and current.is_complete)
        count = len(self._history) - 1
        self.earlier_jump.setVisible(count > 0)
        self.earlier_jump.setText(f"Earlier assessments ({count})")
        self._set_notice_role("intake-notice")
        if record is None:
            self.state_label.setText("New intake · answers are saved as you type.")
            self.notice.hide()
            return
        if not record.is_complete:
            started = self._clock.format_local(record.created_at)
            self.state_label.setText(f"Draft · started {started} · answers are saved as you type.")
            previous = self._previous_complete(record)
            if previous is None:
                self.notice.hide()
                return
            when = self._clock.local(previous.completed_at or previous.created_at).strftime("%d %b %Y")
            self.notice_text.setText(
                f"Re-assessment. Copied from the assessment of {when}: the type of hair loss, when it "
                "started, family history and earlier treatments — check them with the patient. "
                "The classification, every medical screening question and the notes are asked again."
            )
            self.notice.show()
            return
        done = self._clock.format_local(record.completed_at or record.updated_at)
        if earlier:
            self.state_label.setText(f"Earlier assessment · complete · {done}")
            self.notice_text.setText(f"An earlier assessment, completed {done}. Read-only.")
        elif self._completed_now == record.id:
            self.state_label.setText(f"Complete · {done}")
            self._set_notice_role("intake-done")
            self.notice_text.setText(
                f"✓ Intake marked complete at {self._clock.local(record.completed_at or record.updated_at):%H:%M}. "
                "Its answers are now kept as they are and can no longer change; "
                "to record changes later, start a re-assessment."
            )
        else:
            self.state_label.setText(f"Complete · {done}")
            self.notice_text.setText(
                "This intake is complete and can no longer change. To record new answers, start a re-assessment."
            )
        self.notice.show()

    def _set_notice_role(self, role: str) -> None:
        if self.notice.property("role") != role:
            self.notice.setProperty("role", role)
            restyle(self.notice)

    def _previous_complete(self, record: IntakeRecord) -> IntakeRecord | None:
        """The complete intake just before ``record`` (what a re-assessment was copied from)."""
        ids = [r.id for r in self._history]
        if record.id not in ids:
            return None
        return next((r for r in self._history[ids.index(record.id) + 1:] if r.is_complete), None)

    def _refresh_history(self) -> None:
        discard(self.history_rows, self.history_box)
        self.history_rows: list[QFrame] = []
        self.history_buttons = []
        self._history_button_ids: list[int] = []
        earlier = self._history[1:]
        for record in earlier:
            when = self._clock.local(record.completed_at or record.created_at).strftime("%d %b %Y")
            status = "complete" if record.is_complete else "draft"
            row = QFrame()
            row.setProperty("role", "yes-no-row")
            line = QHBoxLayout(row)
            line.setContentsMargins(12, 4, 8, 4)
            line.addWidget(label(f"{when} · {status}\n{intake_summary(record, self._service)}"), 1)
            widget = button("Open", f"Open the assessment of {when} (read-only)")
            widget.clicked.connect(partial(self._open_earlier, record.id))
            line.addWidget(widget)
            self.history_box.addWidget(row)
            row.show()
            self.history_rows.append(row)
            self.history_buttons.append(widget)
            self._history_button_ids.append(record.id)
        self.history_card.setVisible(bool(earlier))
        self._update_history_marks()

    def _update_history_marks(self) -> None:
        """The earlier assessment on screen says so instead of offering to open it again."""
        shown = self._viewing.id if self._viewing is not None else None
        for widget, intake_id in zip(self.history_buttons, self._history_button_ids):
            here = intake_id == shown
            widget.setText("Shown above" if here else "Open")
            widget.setEnabled(not here)

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
        self.confirm_panel.setVisible(confirming)
        self.complete_button.setVisible(not confirming)

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

    def _open_earlier(self, intake_id: int) -> None:
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
        if self.history_buttons:
            target = next((b for b in self.history_buttons if b.isEnabled()), self.history_buttons[0])
            target.setFocus()
