"""Shown instead of a step that must wait (an intake stop without an override, or one that
cannot be overridden at all, such as pregnancy)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from ...domain.screening import Level
from .basics import button, label
from .intake_screening import level_title


class BlockedStepPanel(QWidget):
    """Says why the step is blocked and offers the way to unblock it."""

    go_to_intake = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        card = QFrame()
        card.setProperty("role", "finding-stop")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.setSpacing(12)
        title_row, self.title = level_title(Level.STOP, "")
        self.reason = label("")
        self.reason.setAccessibleName("Why this step is blocked")
        inner.addLayout(title_row)
        inner.addWidget(self.reason)
        inner.addWidget(label(
            "Open the intake, read the stop in the screening panel at the end of the page, and record the "
            "consultant's reason for going ahead (for example the prescriber's written agreement). "
            "This step opens as soon as every stop has an override. A stop the clinic made one that cannot "
            "be overridden (pregnancy) keeps it closed while it applies.", "muted"))
        self.intake_button = button("Go to intake", "Go to the intake step", primary=True)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.intake_button)
        inner.addLayout(actions)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(card)
        layout.addStretch(1)
        self.intake_button.clicked.connect(self.go_to_intake)

    def show_reason(self, step_label: str, reason: str) -> None:
        self.title.setText(f"{step_label} is blocked by an intake stop")
        self.reason.setText(f"Blocked by an intake stop — {reason}")
