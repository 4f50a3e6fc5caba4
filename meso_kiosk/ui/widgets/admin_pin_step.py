""""Confirm with your admin PIN": the inline step (not a dialog) before an admin's change is stored."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from .basics import button, label
from .pin_entry import PinEntry


class AdminPinStep(QWidget):
    """What is about to change (``what``), the PIN pad (``pin``) and a way back (``cancel_button``);
    the page that shows it checks the PIN and stores the change."""

    def __init__(self, cancel_words: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.what = label("", "subheading-small", align=Qt.AlignmentFlag.AlignCenter)
        self.pin = PinEntry("Your admin PIN")
        self.cancel_button = button("Cancel", cancel_words)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 32)
        layout.setSpacing(12)
        layout.addWidget(label("Confirm with your admin PIN", "lock-title", align=Qt.AlignmentFlag.AlignCenter))
        layout.addWidget(self.what)
        layout.addWidget(self.pin, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)

    def ask(self, what: str) -> None:
        """Say what the PIN confirms, with an empty PIN pad (focus it once shown)."""
        self.what.setText(what)
        self.pin.clear()
