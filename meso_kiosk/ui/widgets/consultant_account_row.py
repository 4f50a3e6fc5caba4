"""One consultant's account on the admin page: name, role and state words, their profession
and registration number, Reset PIN and Switch off/on, Clear lock-out while locked out, and the
reset-PIN and profession forms in line."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...store.consultant_accounts import ConsultantAccount
from ...store.credentials import Credentials
from .basics import button, label, show_field_error
from .field_errors import error_line
from .consultant_credentials import CredentialsEditor, credentials_line
from .pin_entry import pin_field


def error_label() -> QLabel:
    return error_line()  # its room kept while empty: the rows below do not move


def account_facts(account: ConsultantAccount, locked_words: str) -> str:
    """What else the admin should know about an account (no PIN, wrong PINs, a lock-out)."""
    extra = "" if account.has_pin else "  ·  no PIN set"
    if account.failed_pin_count:
        extra += f"  ·  {account.failed_pin_count} wrong PIN{'s' if account.failed_pin_count != 1 else ''} in a row"
    if locked_words:
        extra += f"  ·  {locked_words}"
    return extra


class ConsultantAccountRow(QFrame):
    """One consultant: name, role and state words, Reset PIN and Switch off/on, a reset-PIN form."""

    reset_requested = Signal(object, str, str)   # account, new PIN, new PIN again
    toggle_requested = Signal(object)            # account
    unlock_requested = Signal(object)            # account
    credentials_requested = Signal(object, str, str)  # account, profession, registration number

    def __init__(self, account: ConsultantAccount, is_self: bool, parent: QWidget | None = None, *,
                 locked_words: str = "", credentials: Credentials | None = None):
        super().__init__(parent)
        self.account = account
        self.setProperty("role", "card")
        name = account.display_name + ("  (you)" if is_self else "")
        self.name = label(name, "subheading-small")
        role_word = label("Admin" if account.is_admin else "Consultant", "status-word", wrap=False)
        role_word.setProperty("kind", "admin")
        state_word = label("✓ Active" if account.active else "✗ Switched off", "status-word", wrap=False)
        state_word.setProperty("kind", "on" if account.active else "off")
        self.state_word = state_word
        extra = account_facts(account, locked_words)
        self.detail = label(extra.strip(" ·"), "muted")
        self.detail.setVisible(bool(extra))
        self.credentials = credentials_line(credentials)
        self.credentials_button = button("Edit profession…",
                                         f"Edit the profession and registration number of {account.display_name}")
        self.credentials_button.setMinimumWidth(self.credentials_button.sizeHint().width())  # never cut
        self.reset_button = button("Reset PIN", f"Reset the PIN of {account.display_name}")
        # Only while the account is locked out: ends the lock, keeps the PIN.
        self.unlock_button = button("Clear lock-out", f"Clear the lock-out of {account.display_name}")
        self.toggle_button = button(
            "Switch off" if account.active else "Switch on",
            f"{'Switch off' if account.active else 'Switch on'} the account of {account.display_name}")
        self.error = error_label()

        self.reset_panel = self._build_reset_panel(account)
        self.credentials_editor = CredentialsEditor(account.display_name, credentials)

        words = QHBoxLayout()
        words.setSpacing(8)
        words.addWidget(role_word)
        words.addWidget(state_word)
        words.addStretch(1)
        facts = QVBoxLayout()
        facts.setSpacing(4)
        facts.addWidget(self.name)
        facts.addLayout(words)
        facts.addWidget(self.detail)
        facts.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignLeft)  # under the words: no wider a row
        top = QHBoxLayout()
        top.setSpacing(12)
        top.addLayout(facts, 1)
        top.addWidget(self.reset_button, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.toggle_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addLayout(top)
        # Who they are professionally, the whole card wide (beside the PIN buttons it would squeeze)
        credentials_row = QHBoxLayout()
        credentials_row.setSpacing(12)
        credentials_row.addWidget(self.credentials, 1)
        credentials_row.addWidget(self.credentials_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(credentials_row)
        layout.addWidget(self.error)
        layout.addWidget(self.reset_panel)
        layout.addWidget(self.credentials_editor)
        self.unlock_button.setHidden(not locked_words)  # once in the row: a parentless widget shown is a window
        self._connect_signals()

    def _build_reset_panel(self, account: ConsultantAccount) -> QFrame:
        """The new PIN, twice, in line under the row (hidden until Reset PIN)."""
        self.reset_panel = QFrame()
        self.reset_panel.setProperty("role", "interval-editor")
        self.new_pin = pin_field(f"New PIN for {account.display_name}", "New PIN, at least 6 digits")
        self.new_pin_again = pin_field(f"New PIN again for {account.display_name}", "The same PIN again")
        self.new_pin_error = error_label()
        self.new_pin_again_error = error_label()
        self.set_pin_button = button("Set new PIN", f"Set the new PIN of {account.display_name}", primary=True)
        self.cancel_reset_button = button("Cancel", "Cancel the PIN reset")
        reset_layout = QVBoxLayout(self.reset_panel)
        reset_layout.setContentsMargins(16, 12, 16, 12)
        reset_layout.setSpacing(6)
        reset_layout.addWidget(label(f"New PIN for {account.display_name}", "minor-heading"))
        reset_layout.addWidget(label("Tell them the new PIN in person; it unlocks any lock-out.", "muted"))
        reset_layout.addWidget(self.new_pin)
        reset_layout.addWidget(self.new_pin_error)
        reset_layout.addWidget(self.new_pin_again)
        reset_layout.addWidget(self.new_pin_again_error)
        reset_buttons = QHBoxLayout()
        reset_buttons.addWidget(self.set_pin_button)
        reset_buttons.addWidget(self.cancel_reset_button)
        reset_buttons.addStretch(1)
        reset_layout.addLayout(reset_buttons)
        self.reset_panel.hide()
        return self.reset_panel

    def _connect_signals(self) -> None:
        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        self.cancel_reset_button.clicked.connect(self._on_cancel_reset_button_clicked)
        self.set_pin_button.clicked.connect(self._on_set_pin_button_clicked)
        self.new_pin_again.returnPressed.connect(self._on_set_pin_button_clicked)
        self.toggle_button.clicked.connect(lambda: self.toggle_requested.emit(self.account))
        self.unlock_button.clicked.connect(lambda: self.unlock_requested.emit(self.account))
        self.credentials_button.clicked.connect(self.credentials_editor.open_editor)
        self.credentials_editor.save_requested.connect(
            lambda profession, registration: self.credentials_requested.emit(self.account, profession, registration))

    def show_errors(self, errors: dict[str, str]) -> None:
        show_field_error(self.new_pin, self.new_pin_error, errors.get("new_pin", ""))
        show_field_error(self.new_pin_again, self.new_pin_again_error, errors.get("new_pin_again", ""))
        show_field_error(None, self.error, errors.get("consultant", ""))

    def _on_reset_button_clicked(self) -> None:
        self.reset_panel.show()
        self.new_pin.setFocus()

    def _on_cancel_reset_button_clicked(self) -> None:
        self.new_pin.clear()
        self.new_pin_again.clear()
        self.show_errors({})
        self.reset_panel.hide()

    def _on_set_pin_button_clicked(self) -> None:
        self.reset_requested.emit(self.account, self.new_pin.text(), self.new_pin_again.text())
