"""Shown instead of a step that must wait: why, and a button to the step whose work opens it
(an intake stop without an override, or one that cannot be overridden such as pregnancy, waits
for the intake; a treatment without a consent in force waits for the consent)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from ...domain.consultation_progress import STEP_CONSENT, STEP_INTAKE
from ...domain.screening import Level
from .basics import button, label
from .intake_screening import ICONS, level_title

# What the consultant does on the unblocking step, by its id.
HOW_TO_UNBLOCK = {
    STEP_INTAKE: (
        "Open the intake and read the screening panel at the end of the page: each stop needs the "
        "consultant's reason for going ahead (for example the prescriber's written agreement), each "
        "warning a tick, and the intake is then marked complete. A stop the clinic made one that cannot "
        "be overridden (pregnancy) keeps this step closed while it applies."),
    STEP_CONSENT: "This step opens as soon as a signed consent is in force (the reason above says what is missing).",
}


class BlockedStepPanel(QWidget):
    """Says why the step is blocked and offers the way to unblock it."""

    go_to = Signal(str)  # the id of the step that unblocks it

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.unblocked_by: str | None = None
        card = QFrame()
        card.setProperty("role", "finding-stop")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.setSpacing(12)
        title_row, self.title = level_title(Level.STOP, "")
        self.reason = label("")
        self.reason.setAccessibleName("Why this step is blocked")
        self.how = label("", "muted")
        inner.addLayout(title_row)
        inner.addWidget(self.reason)
        inner.addWidget(self.how)
        self.go_button = button("", "", primary=True)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.go_button)
        inner.addLayout(actions)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(card)
        layout.addStretch(1)
        self.go_button.clicked.connect(self._on_go_button_clicked)

    def show_hold(self, step_label: str, reason: str, unblocked_by: str, unblocking_label: str) -> None:
        """``step_label`` waits for step ``unblocked_by`` (shown as ``unblocking_label``) because ``reason``."""
        self.unblocked_by = unblocked_by
        words = unblocking_label.lower()
        title = f"{step_label} waits for the {words}"
        self.title.setText(title)
        self.title.setAccessibleName(f"{ICONS[Level.STOP]} {title}")
        self.reason.setText(f"Why: {reason}")
        self.how.setText(HOW_TO_UNBLOCK.get(unblocked_by, ""))
        self.how.setVisible(unblocked_by in HOW_TO_UNBLOCK)
        self.go_button.setText(f"Go to {words}")
        self.go_button.setAccessibleName(f"Go to the {words} step")

    def _on_go_button_clicked(self) -> None:
        if self.unblocked_by is not None:
            self.go_to.emit(self.unblocked_by)
