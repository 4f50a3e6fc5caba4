"""The question a ``--kiosk`` window asks before it closes: a consultant's PIN.

Any active consultant's PIN closes it (the one signed in, or, at the lock screen, whoever
chooses their name): closing is the end of a clinic day, not an admin change, and a clinic
whose admin is away must still be able to shut the tablet down properly rather than pull
its plug. Wrong PINs count towards that consultant's lockout, as at the lock screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from ...services.accounts import AccountService, PinPurpose
from .basics import button, label
from .consultant_pin import ConsultantPin, CurrentConsultant


class KioskQuitPin(QDialog):
    """Accepted on a right PIN; rejected by Cancel (or Escape)."""

    def __init__(self, accounts: AccountService, current_consultant: CurrentConsultant,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._accounts = accounts
        self.setWindowTitle("Close the app")
        self.setAccessibleName("Close the app: consultant PIN")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        title = label("Close the app?", "heading")
        why = label("This tablet is locked to the app. A consultant's PIN closes it.", "muted")
        self.pin = ConsultantPin(accounts, current_consultant, "Consultant PIN to close the app")
        self.cancel_button = button("Cancel: keep the app open", "Cancel: keep the app open")
        self.cancel_button.setMinimumHeight(48)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.setSpacing(16)
        for widget in (title, why, self.pin, self.cancel_button):
            layout.addWidget(widget)
        self.pin.submitted.connect(self._on_pin_submitted)
        self.cancel_button.clicked.connect(self.reject)

    def ask(self) -> None:
        """Show the prompt (not blocking: ``open``) with a fresh PIN pad."""
        self.pin.prepare()
        self.ensurePolished()
        # A top level's own minimum, from what it holds now (the name chooser or not): the pad is never squeezed.
        self.setMinimumSize(self.layout().totalMinimumSize().expandedTo(self.layout().totalSizeHint()))
        self.open()
        self.pin.focus()

    def _on_pin_submitted(self, consultant_id: int, pin: str) -> None:
        check = self._accounts.verify_pin(consultant_id, pin, PinPurpose.KIOSK_QUIT)
        if not check.ok:
            self.pin.show_error(check.message)
            return
        self.accept()
