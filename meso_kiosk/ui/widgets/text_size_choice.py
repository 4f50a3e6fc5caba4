"""The kiosk's text size as three large choices (Standard / Large / Largest), and the
patient's "A+" that steps through them on the hand-off's reading screen.

Either changes the installation's text size at once (``services.text_size``): the theme
listens and restyles every screen, nothing to save and no restart.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QWidget

from ...services.text_size import TEXT_SIZES, TextSizeService
from .basics import button


class TextSizeChoice(QWidget):
    """One checkable button per size; ``chosen(size)`` when the admin taps another."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.buttons: dict[str, QPushButton] = {}
        self._group = QButtonGroup(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        for size, (words, scale) in TEXT_SIZES.items():
            choice = button(f"{words} ({round(scale * 100)} %)", f"Text size: {words}", role="toggle")
            choice.setCheckable(True)
            self._group.addButton(choice)
            self.buttons[size] = choice
            layout.addWidget(choice)
            choice.clicked.connect(lambda _checked=False, size=size: self.chosen.emit(size))
        layout.addStretch(1)

    def show_size(self, size: str) -> None:
        self.buttons[size].setChecked(True)


def next_size(size: str) -> str:
    """The next larger size, from the largest back to the standard one."""
    sizes = list(TEXT_SIZES)
    return sizes[(sizes.index(size) + 1) % len(sizes)]


def larger_text_button(text_size: TextSizeService, actor: Callable[[], str]) -> QPushButton:
    """"A+": each tap the next text size (after the largest, the standard one again)."""
    larger = button("A+", "Larger text", role="text-size")
    larger.setAutoDefault(False)
    larger.clicked.connect(lambda: text_size.set(next_size(text_size.current()), actor()))
    return larger


def wire_larger_text(header: QHBoxLayout, text_size: TextSizeService, actor: Callable[[], str]) -> QPushButton:
    """The patient's "A+" in the hand-off's header, before the consultant's button."""
    larger = larger_text_button(text_size, actor)
    header.insertWidget(header.count() - 1, larger)
    return larger
