"""The intake's list of earlier assessments: one line each, and a button that opens it read-only."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ...domain.clock import Clock
from ...services.intake import IntakeRecord, IntakeService
from .basics import button, discard, label


def intake_card(title: str) -> QFrame:
    """A card of the intake page: a titled box the page fills."""
    card = QFrame()
    card.setProperty("role", "card")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(20, 16, 20, 16)
    layout.setSpacing(8)
    layout.addWidget(label(title, "subheading"))
    return card


def intake_summary(record: IntakeRecord, service: IntakeService) -> str:
    """A one-line description of an intake for the list of earlier assessments."""
    intake = record.intake
    parts: list[str] = []
    types = {c.id: c.label for c in service.options.hair_loss_types}
    if intake.complaint.hair_loss_type:
        parts.append(types.get(intake.complaint.hair_loss_type, intake.complaint.hair_loss_type).split(" (")[0])
    stages = intake.classification
    for scale, stage in (("norwood", stages.norwood), ("ludwig", stages.ludwig), ("sinclair", stages.sinclair)):
        if stage:
            parts.append(f"{service.options.scales.label(scale).split(' (')[0]} {stage}")
    score = service.salt_score(intake)
    if score is not None:
        parts.append(f"SALT {score:g}")
    if record.overrides:
        parts.append(f"{len(record.overrides)} stop(s) overridden")
    return " · ".join(parts) or "No answers"


class IntakeHistoryCard(QFrame):
    """"Earlier assessments": ``open_requested(intake_id)`` when one is opened."""

    open_requested = Signal(int)

    def __init__(self, service: IntakeService, clock: Clock, parent: QWidget | None = None):
        super().__init__(parent)
        self._service = service
        self._clock = clock
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        layout.addWidget(label("Earlier assessments", "subheading"))
        self.box = QVBoxLayout()
        self.box.setSpacing(8)
        layout.addLayout(self.box)
        self.rows: list[QFrame] = []
        self.buttons: list[QPushButton] = []
        self._ids: list[int] = []

    def fill(self, earlier: list[IntakeRecord]) -> None:
        """One row per earlier assessment, newest first; the card hides when there is none."""
        discard(self.rows, self.box)
        self.rows, self.buttons, self._ids = [], [], []
        for record in earlier:
            when = self._clock.local(record.completed_at or record.created_at).strftime("%d %b %Y")
            status = "complete" if record.is_complete else "draft"
            row = QFrame()
            row.setProperty("role", "yes-no-row")
            line = QHBoxLayout(row)
            line.setContentsMargins(12, 4, 8, 4)
            line.addWidget(label(f"{when} · {status}\n{intake_summary(record, self._service)}"), 1)
            widget = button("Open", f"Open the assessment of {when} (read-only)")
            widget.clicked.connect(partial(self.open_requested.emit, record.id))
            line.addWidget(widget)
            self.box.addWidget(row)
            row.show()
            self.rows.append(row)
            self.buttons.append(widget)
            self._ids.append(record.id)
        self.setVisible(bool(earlier))

    def mark_shown(self, intake_id: int | None) -> None:
        """The earlier assessment on screen says so instead of offering to open it again."""
        for widget, row_id in zip(self.buttons, self._ids):
            here = row_id == intake_id
            widget.setText("Shown above" if here else "Open")
            widget.setEnabled(not here)

    def first_to_open(self) -> QPushButton | None:
        """The button to focus when the consultant jumps to the list."""
        return next((b for b in self.buttons if b.isEnabled()), self.buttons[0] if self.buttons else None)


