"""Days between one session of a course and the one before it, edited in place on the timeline."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSpinBox, QVBoxLayout, QWidget

from ...domain.protocol import MAX_INTERVAL_DAYS, Protocol
from .. import theme
from .basics import button, label, restyle

MARGIN_LEFT = 16


class IntervalEditor(QFrame):
    """Days between one session and the one before it, opened under a tapped session."""

    apply_requested = Signal(int, int)  # session number, days
    reset_requested = Signal(int)  # session number: back to the protocol's interval
    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "interval-editor")
        self.number = 0
        self.heading = label("", "subheading-small")
        self.minus = button("−", "Fewer days")
        self.plus = button("+", "More days")
        for small in (self.minus, self.plus):
            small.setProperty("role", "square")
            small.setFixedSize(theme.TOUCH_TARGET, theme.TOUCH_TARGET)
        self.days = QSpinBox()
        self.days.setRange(1, MAX_INTERVAL_DAYS)
        self.days.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.days.setFixedWidth(96)
        self.days.setMinimumHeight(theme.TOUCH_TARGET)
        self.days.setAccessibleName("Days after the previous session")
        self.hint = label("", "muted")
        self.error = label("", "error")
        self.error.hide()
        self.save_button = button("Save interval", "Save the days before this session", primary=True)
        self.reset_button = button("Use the protocol's", "Use the protocol's interval")
        self.close_button = button("Close", "Close the interval editor")
        spin_row = QHBoxLayout()
        spin_row.setSpacing(8)
        spin_row.addWidget(self.minus)
        spin_row.addWidget(self.days)
        spin_row.addWidget(self.plus)
        spin_row.addWidget(label("days after the previous session", wrap=True), 1)
        actions = QHBoxLayout()
        actions.setSpacing(8)
        actions.addWidget(self.save_button)
        actions.addWidget(self.close_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(MARGIN_LEFT, 12, 16, 16)
        layout.setSpacing(8)
        layout.addWidget(self.heading)
        layout.addLayout(spin_row)
        layout.addWidget(self.error)
        layout.addWidget(self.hint)
        layout.addLayout(actions)
        layout.addWidget(self.reset_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.minus.clicked.connect(self._on_minus_clicked)
        self.plus.clicked.connect(self._on_plus_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.days.editingFinished.connect(self._on_days_editing_finished)
        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        self.close_button.clicked.connect(self.close_requested)

    def edit(self, number: int, days: int, protocol: Protocol) -> None:
        phase = protocol.phase_of(number)
        self.number = number
        self.heading.setText(f"Session {number}: when, after session {number - 1}?")
        self.days.setValue(days)
        self.hint.setText(
            f"The protocol plans {phase.interval_days} days; you can choose {phase.min_interval_days} days"
            " or more. The sessions after it move with it.")
        self.reset_button.setText(f"Use the protocol's {phase.interval_days} days")
        self.show_error("")

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.days.setProperty("invalid", "true" if message else "false")
        restyle(self.days)

    def _on_minus_clicked(self) -> None:
        self.days.stepDown()

    def _on_plus_clicked(self) -> None:
        self.days.stepUp()

    def _on_save_button_clicked(self) -> None:
        self.days.interpretText()
        self.apply_requested.emit(self.number, self.days.value())

    def _on_days_editing_finished(self) -> None:
        if self.days.hasFocus():  # Enter in the field saves; leaving it does not
            self._on_save_button_clicked()

    def _on_reset_button_clicked(self) -> None:
        self.reset_requested.emit(self.number)
