"""My PIN: the signed-in consultant replaces their own PIN (current PIN, then the new one twice).

The accounts service checks the current PIN (wrong guesses count towards the lockout, as on
the lock screen), hashes the new one and audits the change. Typed PINs never outlive a lock or leaving the page.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ...domain.errors import ValidationError
from ...domain.pin import MIN_PIN_LENGTH
from ...services.accounts import AccountService
from ...store.consultant_accounts import ConsultantAccount
from ..sign_in import SignIn
from ..widgets.basics import button, label, scrolling, show_field_error
from ..widgets.pin_entry import pin_field
from .consultants_admin import new_pin_problems

FIELD_KEYS = ("old_pin", "new_pin", "new_pin_again")


class ChangePinPage(QWidget):
    """Current PIN, new PIN, new PIN again; "Change my PIN"; a calm confirmation after."""

    back_requested = Signal()

    def __init__(self, accounts: AccountService, sign_in: SignIn, parent: QWidget | None = None):
        super().__init__(parent)
        self._accounts = accounts
        self._sign_in = sign_in
        self._owner_id: int | None = None  # who opened the page: only they come back to it after a lock

        self.title = label("Change my PIN", "heading")
        self.who = label("", "muted")
        self.fields: dict[str, QLineEdit] = {
            "old_pin": pin_field("Current PIN", "Current PIN"),
            "new_pin": pin_field("New PIN", f"New PIN ({MIN_PIN_LENGTH} digits or more)"),
            "new_pin_again": pin_field("New PIN again", "New PIN again"),
        }
        self.errors: dict[str, QLabel] = {}
        self.done_notice = label("", "notice")
        self.done_notice.setAccessibleName("PIN changed")
        self.done_notice.hide()
        self.save_button = button("Change my PIN", "Change my PIN", primary=True)
        self.back_button = button("Back to patients", "Back to the patient list")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scrolling(self._build_body()))
        self._connect_signals()

    def _build_body(self) -> QWidget:
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(32, 24, 32, 24)
        column.setSpacing(10)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.back_button)
        column.addLayout(top)
        column.addWidget(self.who)
        column.addWidget(label("Your new PIN replaces the old one at once: to unlock, countersign and take "
                               "the tablet back. Choose one others would not guess: no birthday, no 123456.",
                               "muted"))
        column.addSpacing(8)
        words = {"old_pin": "Your current PIN", "new_pin": "Your new PIN", "new_pin_again": "Your new PIN again"}
        for key, field in self.fields.items():
            field.setMaximumWidth(360)
            error = label("", "error")
            error.hide()
            self.errors[key] = error
            column.addWidget(label(words[key], "minor-heading"))
            column.addWidget(field)
            column.addWidget(error)
        column.addSpacing(8)
        actions = QHBoxLayout()
        actions.addWidget(self.save_button)
        actions.addStretch(1)
        column.addLayout(actions)
        column.addWidget(self.done_notice)
        column.addStretch(1)
        return body

    def _connect_signals(self) -> None:
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.back_button.clicked.connect(self.clear)  # nothing typed stays behind the patient list
        self.back_button.clicked.connect(self.back_requested)
        self.fields["old_pin"].returnPressed.connect(self._on_old_pin_return_pressed)
        self.fields["new_pin"].returnPressed.connect(self._on_new_pin_return_pressed)
        self.fields["new_pin_again"].returnPressed.connect(self._on_save_button_clicked)
        self._sign_in.locked.connect(self.clear)  # nothing typed here waits under the lock screen

    # ------------------------------------------------------------ public

    def allowed_for(self, account: ConsultantAccount | None) -> bool:
        """After a lock, only whoever opened the page comes back to it."""
        return account is not None and account.id == self._owner_id

    def start(self) -> bool:
        """Open the page fresh for the signed-in consultant; False if nobody is signed in."""
        account = self._sign_in.consultant
        if account is None:
            return False
        self._owner_id = account.id
        self.who.setText(f"Signed in as {account.display_name}")
        self.clear()
        self.fields["old_pin"].setFocus()
        return True

    def clear(self, *_args) -> None:
        for field in self.fields.values():
            field.clear()
        self._show_errors({})
        self.done_notice.hide()

    # ------------------------------------------------------------ handlers

    def _on_old_pin_return_pressed(self) -> None:
        self.fields["new_pin"].setFocus()

    def _on_new_pin_return_pressed(self) -> None:
        self.fields["new_pin_again"].setFocus()

    def _on_save_button_clicked(self) -> None:
        account = self._sign_in.consultant
        if account is None or account.id != self._owner_id:
            self.back_requested.emit()
            return
        old, new, again = (self.fields[key].text() for key in FIELD_KEYS)
        problems = {} if old else {"old_pin": "Type your current PIN."}
        problems |= new_pin_problems(new, again, "new_pin", "new_pin_again")
        if problems:
            self._show_errors(problems)
            return
        try:
            self._accounts.change_own_pin(account.id, old, new)
        except ValidationError as error:
            known = {key: words for key, words in error.errors.items() if key in FIELD_KEYS}
            self._show_errors(known or {"old_pin": " ".join(error.errors.values())})
            if "old_pin" in known:
                self.fields["old_pin"].clear()
            return
        self.clear()
        self.done_notice.setText("✓ Your PIN is changed. Use the new PIN from now on.")
        self.done_notice.show()
        self.back_button.setFocus()

    def _show_errors(self, errors: dict[str, str]) -> None:
        for key, field in self.fields.items():
            show_field_error(field, self.errors[key], errors.get(key, ""))
        first = next((key for key in FIELD_KEYS if errors.get(key)), None)
        if first is not None:
            self.fields[first].setFocus()
