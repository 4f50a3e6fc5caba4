"""What every consultation step page promises the workspace: the contract of a step.

The workspace (and the window behind it) talks to its steps only through this protocol:
it tells a step whose consultation is open, asks it to save what is typed before the
consultant moves on, to re-read what another step may have changed each time it shows
the step (``refresh``: pages do not watch their own show events), and why it must wait
(an intake stop without an override) before it opens.
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

    def flush(self) -> bool | None:
        """Save every pending edit now (leaving the step, locking, closing). A step whose
        saving can fail returns False when it kept what was typed unsaved (a wrong field),
        True otherwise; a step with nothing to save returns None."""

    def refresh(self) -> None:
        """The workspace shows this step (the consultant opened it, or came back to it after the
        lock screen or a hand-off): re-read what another step or a hand-off may have changed,
        keeping what the consultant has typed or opened here."""

    def blocked_reason(self) -> str | None:
        """Why this step must wait for the patient shown, or None when it may open."""


def held_by_intake_stops(blocked_steps: Callable[[int], Mapping[str, str]], step_id: str) -> StepGuard:
    """The guard of a step an unhandled intake stop holds back (``IntakeService.blocked_steps``)."""

    def guard(patient: Patient) -> str | None:
        return blocked_steps(patient.id).get(step_id)

    return guard
