"""A consultant confirms with their PIN: who (the one signed in, or chosen) and the PIN pad.

Used to countersign a consent, to record a withdrawal, to continue after a hand-off
identity mismatch and to take the tablet back from a patient. The caller checks the
PIN with the accounts or consent service and calls ``show_error`` when it is refused.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from ...services.accounts import AccountService
from ...store.consultant_accounts import ConsultantAccount
from .basics import label
from .pin_entry import PinEntry

CurrentConsultant = Callable[[], ConsultantAccount | None]


class ConsultantPin(QWidget):
    """``submitted(consultant_id, pin)`` when OK is pressed; -1 as id when nobody is chosen."""

    submitted = Signal(int, str)

    def __init__(self, accounts: AccountService, current_consultant: CurrentConsultant, accessible_name: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._accounts = accounts
        self._current_consultant = current_consultant
        self.who = label("", "subheading-small")
        self.who.setAccessibleName("Consultant confirming")
        self.chooser = QComboBox()
        self.chooser.setAccessibleName("Which consultant is confirming")
        self.chooser.setMinimumHeight(48)
        self.chooser_label = label("Consultant", "subheading-small")
        self.pin_entry = PinEntry(accessible_name)
        chooser_row = QHBoxLayout()
        chooser_row.setSpacing(12)
        chooser_row.addWidget(self.chooser_label)
        chooser_row.addWidget(self.chooser, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.who, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(chooser_row)
        layout.addWidget(self.pin_entry, 0, Qt.AlignmentFlag.AlignHCenter)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.pin_entry.submitted.connect(self._on_pin_entry_submitted)

    def prepare(self) -> None:
        """Show who confirms (the signed-in consultant), or offer the list when nobody is signed in."""
        self.pin_entry.clear()
        current = self._current_consultant()
        self.chooser.clear()
        if current is not None:
            self.who.setText(current.display_name)
            self.who.show()
            self.chooser.hide()
            self.chooser_label.hide()
            return
        self.who.hide()
        self.chooser.addItem("Choose your name…", -1)
        for account in self._accounts.accounts():
            if account.has_pin:
                self.chooser.addItem(account.display_name, account.id)
        self.chooser.show()
        self.chooser_label.show()

    def consultant_id(self) -> int:
        current = self._current_consultant()
        if current is not None:
            return current.id
        data = self.chooser.currentData()
        return int(data) if data is not None else -1

    def show_error(self, message: str) -> None:
        self.pin_entry.show_error(message)

    def focus(self) -> None:
        self.pin_entry.focus()

    def _on_pin_entry_submitted(self, pin: str) -> None:
        if self.consultant_id() < 0:
            self.pin_entry.show_error("Choose your name first, then type your PIN.")
            return
        self.submitted.emit(self.consultant_id(), pin)
