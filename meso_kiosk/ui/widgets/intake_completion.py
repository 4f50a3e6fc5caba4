"""The intake's last card: why it cannot be completed yet, or the button that completes it.

Completing cannot be undone (the record becomes immutable), so it is confirmed here,
inline, never in a pop-up.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from .basics import button, label


class CompletionCard(QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        layout.addWidget(label("Finish the intake", "subheading"))
        self.complete_button = button("Mark intake complete…", "Mark intake complete", primary=True)
        self.reasons_label = label("", "muted")
        layout.addWidget(self.reasons_label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.complete_button)
        layout.addLayout(row)
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
        layout.addWidget(self.confirm_panel)

    def set_confirming(self, confirming: bool) -> None:
        self.confirm_panel.setVisible(confirming)
        self.complete_button.setVisible(not confirming)

    def show_reasons(self, reasons: list[str]) -> None:
        """What is still missing, or that everything needed is there."""
        if reasons:
            self.reasons_label.setText(
                "Before the intake can be marked complete:\n" + "\n".join(f"•  {r}" for r in reasons)
            )
        else:
            self.reasons_label.setText("Everything needed is answered and every stop and warning is handled.")
