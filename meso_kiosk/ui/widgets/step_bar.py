"""The consultation steps as large touch targets; the current one is highlighted, and a step
whose work is done today carries a tick (a word for screen readers: never colour alone)."""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QSizePolicy, QWidget

from ...services.reference import Step
from .basics import button, restyle

DONE_MARK = "✓"


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
            widget = button("", "", role="step")
            widget.setCheckable(True)
            widget.setMinimumWidth(0)
            widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            widget.setToolTip(step.summary)
            self._group.addButton(widget, index)
            layout.addWidget(widget)
            self.buttons.append(widget)
        self._steps = steps
        self._narrow = False
        self._done: frozenset[str] = frozenset()
        self._show_words()
        self._group.idClicked.connect(self.step_selected)

    def _words(self, index: int, step: Step, separator: str) -> str:
        mark = f" {DONE_MARK}" if step.id in self._done else ""
        if separator == "\n":  # narrow: the tick beside the number, so the label line is only the label
            return f"{index + 1}{mark}\n{step.label}"
        return f"{index + 1}{separator}{step.label}{mark}"

    def _show_words(self) -> None:
        separator = "\n" if self._narrow else "  "
        total = len(self._steps)
        for index, (widget, step) in enumerate(zip(self.buttons, self._steps)):
            widget.setText(self._words(index, step, separator))
            done = ", done" if step.id in self._done else ""
            widget.setAccessibleName(f"Step {index + 1} of {total}: {step.label}{done}")

    def resizeEvent(self, event) -> None:
        self._fit(event.size().width())
        super().resizeEvent(event)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        # A new text size (the stylesheet's font sizes) changes what fits at the same width.
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._fit(self.width())
        super().changeEvent(event)

    def _fit(self, width: int) -> None:
        """On a portrait tablet (or at a large text size) the number goes above the label, so no
        label is cut off; the width is reckoned with the buttons' own (bold) font and every tick
        shown, so a tick never tips a label over."""
        if not self.buttons:
            return
        # The wide form's font (the bar's own, bold as buttons are), not the buttons' own: the narrow
        # form's is smaller, and measuring with it would flip the bar back and forth.
        font = QFont(self.font())
        font.setWeight(QFont.Weight.DemiBold)
        metrics = QFontMetrics(font)
        needed = sum(metrics.horizontalAdvance(f"{i + 1}  {s.label} {DONE_MARK}") + 48
                     for i, s in enumerate(self._steps))
        narrow = width < needed + 8 * len(self._steps)
        if narrow != self._narrow:
            self._narrow = narrow
            self._show_words()
            for widget in self.buttons:
                widget.setProperty("compact", narrow)
                restyle(widget)

    def set_current(self, index: int) -> None:
        self.buttons[index].setChecked(True)

    def set_done(self, step_ids: Collection[str]) -> None:
        """Tick the steps whose work is done today."""
        done = frozenset(step_ids)
        if done != self._done:
            self._done = done
            self._show_words()
