"""The lock screen's PIN view: who is signing in (badge, name, lock-out) and the PIN pad.

Side by side in landscape, one column in portrait. The lock screen builds it on first
need: a cold start paints only the tiles.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QLabel, QVBoxLayout, QWidget

from ..widgets.basics import button, label
from ..widgets.pin_entry import PinEntry


class PinView(QWidget):
    """Type your PIN: who (left) and the pad (right) in landscape, stacked in portrait."""

    def __init__(self, landscape: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.chosen_badge = QLabel("")
        self.chosen_badge.setProperty("role", "initials-large")
        self.chosen_badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chosen_badge.setFixedSize(80, 80)
        self.chosen_name = label("", "lock-title")
        self.chosen_name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin_prompt = label("Enter your PIN", "muted")
        self.pin_prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin_entry = PinEntry("Your PIN")
        self.lockout = label("", "lockout")
        self.lockout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.lockout.setAccessibleName("Account locked")
        self.lockout.setFixedWidth(380)
        self.lockout.hide()
        self.not_you_button = button("‹ Not you? Choose another name", "Choose another consultant")
        self.identity = QWidget()
        self.identity.setFixedWidth(400)
        self.identity_layout = QVBoxLayout(self.identity)
        self.identity_layout.setContentsMargins(0, 0, 0, 0)
        self.identity_layout.setSpacing(12)
        self.identity_layout.addWidget(self.chosen_badge, 0, Qt.AlignmentFlag.AlignHCenter)
        self.identity_layout.addWidget(self.chosen_name)
        self.identity_layout.addWidget(self.pin_prompt)
        self.identity_layout.addWidget(self.lockout, 0, Qt.AlignmentFlag.AlignHCenter)
        self.pad = QWidget()
        self.pad_layout = QVBoxLayout(self.pad)
        self.pad_layout.setContentsMargins(0, 0, 0, 0)
        self.pad_layout.setSpacing(20)
        self.pad_layout.addWidget(self.pin_entry, 0, Qt.AlignmentFlag.AlignHCenter)
        self.pin_box = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.pin_box.setSpacing(24)
        pin_layout = QVBoxLayout(self)
        pin_layout.setContentsMargins(0, 0, 0, 0)
        pin_layout.addLayout(self.pin_box)
        pin_layout.addStretch(1)
        self._landscape: bool | None = None
        self.reflow(landscape)

    def reflow(self, landscape: bool) -> None:
        """Landscape: name and "Not you?" beside the pad; portrait: all in one column."""
        if landscape == self._landscape:
            return
        self._landscape = landscape
        self.identity_layout.removeWidget(self.not_you_button)
        self.pad_layout.removeWidget(self.not_you_button)
        while self.pin_box.count():  # re-add: side by side and centred together, or one column
            self.pin_box.takeAt(0)
        top = Qt.AlignmentFlag.AlignTop
        if landscape:
            self.pin_box.setDirection(QBoxLayout.Direction.LeftToRight)
            self.identity_layout.addWidget(self.not_you_button, 0, Qt.AlignmentFlag.AlignHCenter)
            self.pin_box.addStretch(1)
            self.pin_box.addWidget(self.identity, 0, top)
            self.pin_box.addSpacing(48)
            self.pin_box.addWidget(self.pad, 0, top)
            self.pin_box.addStretch(1)
        else:
            self.pin_box.setDirection(QBoxLayout.Direction.TopToBottom)
            self.pad_layout.addWidget(self.not_you_button, 0, Qt.AlignmentFlag.AlignHCenter)
            self.pin_box.addWidget(self.identity, 0, top | Qt.AlignmentFlag.AlignHCenter)
            self.pin_box.addWidget(self.pad, 0, top | Qt.AlignmentFlag.AlignHCenter)
        self.not_you_button.show()  # moving it between columns re-parents it, which hides it
        self.fit_identity()

    def fit_identity(self) -> None:
        # The wrapped labels make this column height-for-width, which a box layout turned
        # sideways under-measures: pin its height to what its contents need.
        self.identity_layout.invalidate()
        self.identity.setFixedHeight(self.identity_layout.minimumSize().height())

    def show_lock_state(self, locked: bool, message: str) -> None:
        """Grey out the pad while the account is locked, saying when it opens again."""
        self.pin_entry.setEnabled(not locked)
        self.lockout.setVisible(locked)
        if locked:
            self.lockout.setText(f"{message}\nThe PIN pad opens again by itself.")
            self.lockout.setFixedHeight(self.lockout.heightForWidth(self.lockout.width()) + 4)
        else:
            self.lockout.clear()
        self.fit_identity()
