"""What every consultation step page promises the workspace: the contract of a step.

The workspace (and the window behind it) talks to its steps only through this protocol:
it tells a step whose consultation is open, asks it to save what is typed before the
consultant moves on, to re-read what another step may have changed each time it shows
the step (``refresh``: pages do not watch their own show events), why it must wait (an
intake stop without an override, no consent in force) and which step unblocks it, and
whether its work is done today (``show_progress``: its "do it again" actions then step
back, and the workspace's "Continue" is the one main action).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple, Protocol, runtime_checkable

from PySide6.QtWidgets import QPushButton

from ...domain.consultation_progress import STEP_INTAKE
from ...domain.patient import Patient
from ...domain.treatment_gate import Refusal
from ..widgets.basics import restyle


class StepHold(NamedTuple):
    """Why a step must wait, in consultant words, and the step whose work lets it open."""

    reason: str
    unblocked_by: str  # a step id ("intake", "consent")


# Why a step must wait for this patient, or None when it may open.
StepGuard = Callable[[Patient], "StepHold | None"]


def never_blocked(_patient: Patient) -> StepHold | None:
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

    def blocked_reason(self) -> StepHold | None:
        """Why this step must wait for the patient shown and what unblocks it, or None when it may open."""

    def show_progress(self, done: bool) -> None:
        """Whether this step's work is done for the patient today (``domain.consultation_progress``).
        Done, an action that would do it again (a re-assessment, a new signature, another
        session) is shown as a secondary one: going on is the main action."""


def held_by_intake_stops(blocked_steps: Callable[[int], Mapping[str, str]], step_id: str) -> StepGuard:
    """The guard of a step an unhandled intake stop holds back (``IntakeService.blocked_steps``)."""

    def guard(patient: Patient) -> StepHold | None:
        reason = blocked_steps(patient.id).get(step_id)
        return None if reason is None else StepHold(reason, STEP_INTAKE)

    return guard


def held_by_refusal(refusal: Callable[[int], Refusal | None]) -> StepGuard:
    """The guard of a step the treatment gate holds back (``ConsultationProgress.treatment_hold``):
    its words, and the step it names as the one that unblocks it."""

    def guard(patient: Patient) -> StepHold | None:
        found = refusal(patient.id)
        return None if found is None else StepHold(found.message, found.step)

    return guard


def show_as_main_action(widget: QPushButton, main: bool) -> None:
    """A step's own action as its main one (the accent, Enter) or, its work done, a secondary one."""
    widget.setProperty("role", "primary" if main else None)
    widget.setAutoDefault(main)
    restyle(widget)
