"""What every consultation step page promises the workspace: the contract of a step.

The workspace (and the window behind it) talks to its steps only through this protocol:
it tells a step whose consultation is open, asks it to save what is typed before the
consultant moves on, to re-read what another step may have changed, and why it must
wait (an intake stop without an override) before it opens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

from ...domain.patient import Patient

# Why a step must wait for this patient, in consultant words, or None when it may open.
StepGuard = Callable[[Patient], "str | None"]


def never_blocked(_patient: Patient) -> str | None:
    """The guard of a step nothing holds back (the intake itself, the course, the summary)."""
    return None


@runtime_checkable
class ConsultationStep(Protocol):
    def show_patient(self, patient: Patient) -> None:
        """Open this patient's consultation (saving what is pending for the one before)."""

    def flush(self) -> object:
        """Save every pending edit now (leaving the step, locking, closing)."""

    def refresh(self) -> None:
        """Re-read what the step shows; another step or a hand-off may have changed it."""

    def blocked_reason(self) -> str | None:
        """Why this step must wait for the patient shown, or None when it may open."""


def held_by_intake_stops(blocked_steps: Callable[[int], Mapping[str, str]], step_id: str) -> StepGuard:
    """The guard of a step an unhandled intake stop holds back (``IntakeService.blocked_steps``)."""

    def guard(patient: Patient) -> str | None:
        return blocked_steps(patient.id).get(step_id)

    return guard
