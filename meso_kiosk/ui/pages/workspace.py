"""One patient's consultation: a header naming them, the steps, and the current step's page."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from ...domain.clock import Clock
from ...domain.patient import Patient
from ...services.reference import Step
from ..widgets.basics import button, label
from ..widgets.blocked_step import BlockedStepPanel
from ..widgets.step_bar import StepBar
from .step import ConsultationStep


class WorkspacePage(QWidget):
    back_requested = Signal()
    lock_requested = Signal()

    def __init__(self, steps: tuple[Step, ...], pages: dict[str, ConsultationStep], clock: Clock,
                 parent: QWidget | None = None):
        super().__init__(parent)
        for step in steps:  # a page that breaks the contract fails here, not at its first use
            if not isinstance(pages[step.id], ConsultationStep):
                raise TypeError(f"the {step.id!r} page is not a ConsultationStep")
        self._steps = steps
        self._clock = clock
        self.pages = pages
        self.patient: Patient | None = None
        self._shown_step: ConsultationStep | None = None  # None while the blocked panel stands in

        header = QFrame()
        header.setProperty("role", "header")
        self.back_button = button("‹ Patients", "Back to the patient list")
        self.patient_name = label("", "heading", wrap=False)
        self.patient_facts = label("", "muted", wrap=False)
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.patient_name)
        names.addWidget(self.patient_facts)
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(24, 12, 24, 12)
        header_layout.addWidget(self.back_button)
        header_layout.addSpacing(16)
        header_layout.addLayout(names, 1)
        self.lock_button = button("Lock", "Lock the kiosk now")
        header_layout.addWidget(self.lock_button)

        self.step_bar = StepBar(steps)
        self.step_title = label("", "muted")
        self.stack = QStackedWidget()
        for step in steps:
            self.stack.addWidget(pages[step.id])
        self.blocked = BlockedStepPanel()
        self.stack.addWidget(self.blocked)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        steps_box = QVBoxLayout()
        steps_box.setContentsMargins(24, 16, 24, 8)
        steps_box.setSpacing(8)
        steps_box.addWidget(self.step_bar)
        steps_box.addWidget(self.step_title)
        layout.addLayout(steps_box)
        layout.addWidget(self.stack, 1)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.step_bar.step_selected.connect(self.go_to_step)
        self.back_button.clicked.connect(self.back_requested)
        self.lock_button.clicked.connect(self.lock_requested)
        self.blocked.go_to_intake.connect(self._on_blocked_go_to_intake)

    def show_patient(self, patient: Patient) -> None:
        """Every step learns the patient (the intake loads their answers), then step 1 opens."""
        for step in self._steps:
            self.pages[step.id].show_patient(patient)
        self.patient = patient
        self.update_header(patient)
        self._show_step(0, refresh=False)  # each step has just read this patient

    def update_header(self, patient: Patient) -> None:
        self.patient = patient
        self.patient_name.setText(patient.display_name)
        age = patient.age_on(self._clock.today())
        self.patient_facts.setText(f"Born {patient.date_of_birth.strftime('%d %b %Y')} · {age} years · record #{patient.id}")

    def go_to_step(self, index: int) -> None:
        """Show step ``index`` (or why it must wait); a step that comes on screen re-reads its data."""
        self._show_step(index, refresh=True)

    def _show_step(self, index: int, *, refresh: bool) -> None:
        # The page being left saves what is pending first, so the guard sees the latest answers.
        self.flush_current()
        leaving = self._shown_step
        self.step_bar.set_current(index)
        step = self._steps[index]
        page = self.pages[step.id]
        reason = page.blocked_reason() if self.patient is not None else None
        if reason:
            self.blocked.show_reason(step.label, reason)
            self.stack.setCurrentWidget(self.blocked)
            self._shown_step = None
        else:
            self.stack.setCurrentIndex(index)
            self._shown_step = page
        self.step_title.setText(f"Step {index + 1} of {len(self._steps)} — {step.label}")
        if refresh and self._shown_step is not None and self._shown_step is not leaving:
            self._shown_step.refresh()  # (a step already on screen is as the consultant left it)

    def refresh_current(self) -> None:
        """The workspace is on screen again (after the lock screen or a hand-off): the step
        shown re-reads what may have changed meanwhile."""
        if self._shown_step is not None:
            self._shown_step.refresh()

    def flush_current(self) -> None:
        """Save what the step on screen has pending (its autosave), as leaving it does."""
        if self._shown_step is not None:
            self._shown_step.flush()

    def _on_blocked_go_to_intake(self) -> None:
        ids = [step.id for step in self._steps]
        self.go_to_step(ids.index("intake") if "intake" in ids else 0)
