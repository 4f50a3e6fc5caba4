"""The consultation steps as large touch targets; the current one is highlighted."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QSizePolicy, QWidget

from ...services.reference import Step
from .basics import button, restyle


class StepBar(QWidget):
    step_selected = Signal(int)

    def __init__(self, steps: tuple[Step, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.buttons = []
        for index, step in enumerate(steps):
            widget = button(f"{index + 1}  {step.label}", f"Step {index + 1} of {len(steps)}: {step.label}", role="step")
            widget.setCheckable(True)
            widget.setMinimumWidth(0)
            widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            widget.setToolTip(step.summary)
            self._group.addButton(widget, index)
            layout.addWidget(widget)
            self.buttons.append(widget)
        self._steps = steps
        self._narrow: bool | None = None
        self._group.idClicked.connect(self.step_selected)

    def resizeEvent(self, event) -> None:
        # On a portrait tablet the number goes above the label, so no label is cut off.
        metrics = self.fontMetrics()
        needed = sum(metrics.horizontalAdvance(f"{i + 1}  {s.label}") + 48 for i, s in enumerate(self._steps))
        narrow = event.size().width() < needed + 8 * len(self._steps)
        if narrow != self._narrow:
            self._narrow = narrow
            separator = "\n" if narrow else "  "
            for index, (widget, step) in enumerate(zip(self.buttons, self._steps)):
                widget.setText(f"{index + 1}{separator}{step.label}")
                widget.setProperty("compact", narrow)
                restyle(widget)
        super().resizeEvent(event)

    def set_current(self, index: int) -> None:
        self.buttons[index].setChecked(True)
