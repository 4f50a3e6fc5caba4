"""One patient's consultation: a header naming them (and who is signed in), the steps, the
current step's page, and the way on.

It opens on today's task (``domain.consultation_progress.next_task``); a step whose work is
done offers "Continue to <next step> ›" as the one main action, beside the step's title; a
step that must wait shows why, with a button to the step that unblocks it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from ...domain.clock import Clock
from ...domain.consultation_progress import OPTIONAL_STEPS, ConsultationFacts, next_task, step_done
from ...domain.patient import Patient
from ...services.reference import Step
from .. import theme
from ..widgets.basics import button, label
from ..widgets.blocked_step import BlockedStepPanel
from ..widgets.signed_in import SignedInBadge
from ..widgets.step_bar import StepBar
from .step import ConsultationStep

# The facts of a patient's consultation today (``ConsultationProgress.facts``).
ProgressFacts = Callable[[int], ConsultationFacts]


class WorkspacePage(QWidget):
    back_requested = Signal()
    lock_requested = Signal()

    def __init__(self, steps: tuple[Step, ...], pages: dict[str, ConsultationStep], clock: Clock,
                 parent: QWidget | None = None, *, progress: ProgressFacts | None = None):
        """``progress``: without it (a test's workspace) every patient opens on the first step and
        no step is ever done."""
        super().__init__(parent)
        for step in steps:  # a page that breaks the contract fails here, not at its first use
            if not isinstance(pages[step.id], ConsultationStep):
                raise TypeError(f"the {step.id!r} page is not a ConsultationStep")
        self._steps = steps
        self._ids = [step.id for step in steps]
        self._clock = clock
        self._progress = progress
        self.pages = pages
        self.patient: Patient | None = None
        self._shown_step: ConsultationStep | None = None  # None while the blocked panel stands in
        self._index = 0
        self._done_here: tuple[int, int, bool] | None = None  # (patient, step, done) last shown

        self.step_bar = StepBar(steps)
        self.step_title = label("", "muted")
        self.continue_button = button("", "", primary=True)
        self.continue_button.hide()
        self.stack = QStackedWidget()
        for step in steps:
            self.stack.addWidget(pages[step.id])
        self.blocked = BlockedStepPanel()
        self.stack.addWidget(self.blocked)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_header())
        steps_box = QVBoxLayout()
        steps_box.setContentsMargins(24, 16, 24, 8)
        steps_box.setSpacing(8)
        steps_box.addWidget(self.step_bar)
        title_row = QHBoxLayout()
        title_row.addWidget(self.step_title, 1)
        title_row.addWidget(self.continue_button)
        title_strut = QWidget()  # the row keeps a button's height: the page under it never jumps
        title_strut.setFixedSize(0, theme.TOUCH_TARGET)
        title_row.addWidget(title_strut)
        steps_box.addLayout(title_row)
        layout.addLayout(steps_box)
        layout.addWidget(self.stack, 1)
        self._connect_signals()

    def _build_header(self) -> QFrame:
        header = QFrame()
        header.setProperty("role", "header")
        self.back_button = button("‹ Patients", "Back to the patient list")
        self.patient_name = label("", "heading")  # wraps: a long name never squeezes the header in portrait
        self.patient_facts = label("", "muted")
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.patient_name)
        names.addWidget(self.patient_facts)
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(24, 12, 24, 12)
        header_layout.addWidget(self.back_button)
        header_layout.addSpacing(16)
        header_layout.addLayout(names, 1)
        self.signed_in = SignedInBadge()
        self.lock_button = self.signed_in.lock_button
        header_layout.addWidget(self.signed_in)
        return header

    def _connect_signals(self) -> None:
        self.step_bar.step_selected.connect(self.go_to_step)
        self.back_button.clicked.connect(self.back_requested)
        self.lock_button.clicked.connect(self.lock_requested)
        self.blocked.go_to.connect(self.go_to_step)
        self.continue_button.clicked.connect(self._on_continue_button_clicked)

    def show_patient(self, patient: Patient) -> None:
        """Every step learns the patient (the intake loads their answers), then today's task opens."""
        for step in self._steps:
            self.pages[step.id].show_patient(patient)
        self.patient = patient
        self._done_here = None
        self.update_header(patient)
        facts = self._progress(patient.id) if self._progress is not None else None
        task = next_task(facts) if facts is not None else self._ids[0]
        self._show_step(self.step_index(task), refresh=False, facts=facts)  # each step has just read this patient

    def update_header(self, patient: Patient) -> None:
        self.patient = patient
        self.patient_name.setText(patient.display_name)
        age = patient.age_on(self._clock.today())
        self.patient_facts.setText(f"Born {patient.date_of_birth.strftime('%d %b %Y')} · {age} years · record #{patient.id}")

    def step_index(self, step: int | str) -> int:
        """The position of a step given by id (or already by position); the first step for an id
        this clinic's app.toml does not list."""
        if isinstance(step, int):
            return step
        return self._ids.index(step) if step in self._ids else 0

    @property
    def current_step(self) -> str:
        """The id of the step on screen (or waiting, behind the blocked panel)."""
        return self._ids[self._index]

    def go_to_step(self, step: int | str) -> None:
        """Show a step, by position or id (or why it must wait); a step that comes on screen re-reads its data."""
        self._show_step(self.step_index(step), refresh=True)

    def _show_step(self, index: int, *, refresh: bool, facts: ConsultationFacts | None = None) -> None:
        # The page being left saves what is pending first, so the guard sees the latest answers.
        self.flush_current()
        leaving = self._shown_step
        self._index = index
        self.step_bar.set_current(index)
        step = self._steps[index]
        page = self.pages[step.id]
        hold = page.blocked_reason() if self.patient is not None else None
        if hold is not None:
            unblocking = self._steps[self.step_index(hold.unblocked_by)]
            self.blocked.show_hold(step.label, hold.reason, unblocking.id, unblocking.label)
            self.stack.setCurrentWidget(self.blocked)
            self._shown_step = None
        else:
            self.stack.setCurrentIndex(index)
            self._shown_step = page
        self.step_title.setText(f"Step {index + 1} of {len(self._steps)} — {step.label}")
        if refresh and self._shown_step is not None and self._shown_step is not leaving:
            self._shown_step.refresh()  # (a step already on screen is as the consultant left it)
        self.update_progress(facts)

    def update_progress(self, facts: ConsultationFacts | None = None) -> None:
        """Read where the consultation stands (after a step changed something; ``facts``: read just
        now): tick the steps done, tell the step on screen, and offer "Continue" when its work is done."""
        if facts is None and self.patient is not None and self._progress is not None:
            facts = self._progress(self.patient.id)
        done = {step.id for step in self._steps if facts is not None and step_done(step.id, facts)}
        self.step_bar.set_done(done)
        here = self.current_step in done
        if self._shown_step is not None and facts is not None:
            self._shown_step.show_progress(here)
        following = self._index + 1 if self._index + 1 < len(self._steps) else None
        may_go_on = here or self.current_step in OPTIONAL_STEPS  # (photos: optional, Continue always offered)
        offer = may_go_on and self._shown_step is not None and following is not None
        if offer:
            label_next = self._steps[following].label
            self.continue_button.setText(f"Continue to {label_next} ›")
            self.continue_button.setAccessibleName(f"Continue to step {following + 1}: {label_next}")
        self.continue_button.setVisible(offer)
        shown = (self.patient.id if self.patient else 0, self._index, offer)
        if offer and self._done_here is not None and self._done_here[:2] == shown[:2] and not self._done_here[2]:
            self.continue_button.setFocus()  # just done here: Enter goes on
        self._done_here = shown

    def refresh_current(self) -> None:
        """The workspace is on screen again (after the lock screen or a hand-off): the step
        shown re-reads what may have changed meanwhile."""
        if self._shown_step is None and self.patient is not None:
            self._show_step(self._index, refresh=True)  # a step waiting may open now (a consent signed)
            return
        if self._shown_step is not None:
            self._shown_step.refresh()
        self.update_progress()

    def flush_current(self) -> None:
        """Save what the step on screen has pending (its autosave), as leaving it does."""
        if self._shown_step is not None:
            self._shown_step.flush()

    def _on_continue_button_clicked(self) -> None:
        if self._index + 1 < len(self._steps):
            self.go_to_step(self._index + 1)
