"""An honest placeholder for a step that a later release fills in."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ...services.reference import Step
from ..widgets.basics import label


class ComingNextPage(QWidget):
    def __init__(self, step: Step, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.setSpacing(12)
        layout.addWidget(label(step.label, "subheading"))
        layout.addWidget(label(step.summary))
        layout.addWidget(label(
            "Coming next: this step is not built yet. Nothing is recorded here, "
            "and no data is lost by visiting it.", "muted"))
        layout.addStretch(1)
