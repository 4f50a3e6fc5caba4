"""An honest placeholder for a step that a later release fills in."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ...domain.patient import Patient
from ...services.reference import Step
from ..widgets.basics import label
from .step import StepGuard, StepHold, never_blocked


class ComingNextPage(QWidget):
    """A ``ConsultationStep`` with nothing to save or re-read; it may still be held back."""

    def __init__(self, step: Step, parent: QWidget | None = None, *, guard: StepGuard = never_blocked):
        super().__init__(parent)
        self._guard = guard
        self.patient: Patient | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.setSpacing(12)
        layout.addWidget(label(step.label, "subheading"))
        layout.addWidget(label(step.summary))
        layout.addWidget(label(
            "Coming next: this step is not built yet. Nothing is recorded here, "
            "and no data is lost by visiting it.", "muted"))
        layout.addStretch(1)

    def show_patient(self, patient: Patient) -> None:
        self.patient = patient

    def flush(self) -> None:
        """Nothing is typed here."""

    def refresh(self) -> None:
        """Nothing is read here."""

    def blocked_reason(self) -> StepHold | None:
        return self._guard(self.patient) if self.patient is not None else None

    def show_progress(self, done: bool) -> None:
        """Nothing is done here."""
