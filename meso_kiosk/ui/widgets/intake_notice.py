"""What the intake on screen is (new, draft, re-assessment, complete, earlier), in words,
and the notice above the form that says so with the way onward."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QFrame, QHBoxLayout, QWidget

from ...domain.clock import Clock
from ...services.intake import IntakeRecord
from .basics import button, label, restyle


@dataclass(frozen=True)
class IntakeState:
    line: str  # under the page's heading
    notice: str | None = None  # above the form; None: no notice
    just_completed: bool = False  # completed on this screen a moment ago: the calm "done" look


def previous_complete(record: IntakeRecord, history: list[IntakeRecord]) -> IntakeRecord | None:
    """The complete intake just before ``record`` (what a re-assessment was copied from)."""
    ids = [r.id for r in history]
    if record.id not in ids:
        return None
    return next((r for r in history[ids.index(record.id) + 1:] if r.is_complete), None)


def intake_state(shown: IntakeRecord | None, current: IntakeRecord | None, history: list[IntakeRecord],
                 completed_now: int | None, clock: Clock) -> IntakeState:
    """The words for the intake ``shown`` (``current`` is the patient's newest)."""
    if shown is None:
        return IntakeState("New intake · answers are saved as you type.")
    if not shown.is_complete:
        started = clock.format_local(shown.created_at)
        line = f"Draft · started {started} · answers are saved as you type."
        previous = previous_complete(shown, history)
        if previous is None:
            return IntakeState(line)
        when = clock.local(previous.completed_at or previous.created_at).strftime("%d %b %Y")
        return IntakeState(line, (
            f"Re-assessment. Copied from the assessment of {when}: the type of hair loss, when it "
            "started, family history and earlier treatments — check them with the patient. "
            "The classification, every medical screening question and the notes are asked again."))
    done = clock.format_local(shown.completed_at or shown.updated_at)
    if current is not None and shown.id != current.id:
        return IntakeState(f"Earlier assessment · complete · {done}",
                           f"An earlier assessment, completed {done}. Read-only.")
    if completed_now == shown.id:
        return IntakeState(f"Complete · {done}", (
            f"✓ Intake marked complete at {clock.local(shown.completed_at or shown.updated_at):%H:%M}. "
            "Its answers are now kept as they are and can no longer change; "
            "to record changes later, start a re-assessment."), just_completed=True)
    return IntakeState(f"Complete · {done}",
                       "This intake is complete and can no longer change. To record new answers, start a "
                       "re-assessment.")


class IntakeNotice(QFrame):
    """Re-assessment, earlier or complete intake: said above the form, with the way onward."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "intake-notice")
        notice_layout = QHBoxLayout(self)
        notice_layout.setContentsMargins(16, 8, 16, 8)
        self.text = label("")
        notice_layout.addWidget(self.text, 1)
        # Secondary: shown on a complete intake, where going on to the next step is the main action.
        self.reassess_button = button("Start a re-assessment", "Start a re-assessment (a new intake)")
        self.current_button = button("Back to the current intake", "Back to the current intake")
        notice_layout.addWidget(self.reassess_button)
        notice_layout.addWidget(self.current_button)

    def show_state(self, state: IntakeState) -> None:
        role = "intake-done" if state.just_completed else "intake-notice"
        if self.property("role") != role:
            self.setProperty("role", role)
            restyle(self)
        if state.notice is None:
            self.hide()
            return
        self.text.setText(state.notice)
        self.show()
