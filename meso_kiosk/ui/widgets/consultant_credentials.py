"""Who performs the treatment, on a consultant's row of the admin page: their profession and
registration number in words, and the in-line form an admin records them with."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ...store.credentials import Credentials
from .basics import button, label, show_field_error
from .field_errors import error_line

# Room to paste a little too much: the accounts service says what is too long, next to the field.
_TYPING_ROOM = 200


def credentials_words(credentials: Credentials | None) -> str | None:
    """``Dermatologist · RPPS 10001234567``; None when neither is recorded."""
    if credentials is None or not (credentials.profession or credentials.registration):
        return None
    profession = credentials.profession or "Profession not recorded"
    registration = credentials.registration or "no registration number"
    return f"{profession} · {registration}"


def credentials_line(credentials: Credentials | None) -> QLabel:
    """The row's line: the words, or a muted "Profession not recorded"."""
    words = credentials_words(credentials)
    line = label(words or "Profession not recorded", None if words else "muted")
    line.setAccessibleName("Profession and registration number")
    return line


def _field(accessible_name: str, placeholder: str) -> QLineEdit:
    field = QLineEdit()
    field.setAccessibleName(accessible_name)
    field.setPlaceholderText(placeholder)
    field.setMaxLength(_TYPING_ROOM)
    field.setMinimumHeight(48)
    return field


class CredentialsEditor(QFrame):
    """Profession and registration number, in line under the row (hidden until asked for)."""

    save_requested = Signal(str, str)  # profession, registration number (as typed)

    def __init__(self, display_name: str, credentials: Credentials | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "interval-editor")
        self._credentials = credentials
        self.profession = _field(f"Profession of {display_name}", "e.g. Dermatologist, Registered nurse")
        self.registration = _field(f"Registration number of {display_name}", "e.g. RPPS 10001234567")
        self.errors = {"profession": _error(), "registration": _error()}
        self.save_button = button("Save", f"Save the profession of {display_name}", primary=True)
        self.cancel_button = button("Cancel", "Cancel editing the profession")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)
        layout.addWidget(label(f"Who {display_name} is professionally", "minor-heading"))
        layout.addWidget(label("Printed on consents and summaries. Leave both empty when not known.", "muted"))
        for key, title, field in (("profession", "Profession", self.profession),
                                  ("registration", "Registration number (with its register, e.g. RPPS, GMC)",
                                   self.registration)):
            layout.addWidget(label(title, None))
            layout.addWidget(field)
            layout.addWidget(self.errors[key])
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.hide()
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.registration.returnPressed.connect(self._on_save_button_clicked)
        self.cancel_button.clicked.connect(self.close_editor)

    def open_editor(self) -> None:
        """Show the form with what is recorded now (what was typed is kept after a refusal)."""
        if self.isHidden():
            current = self._credentials
            self.profession.setText((current.profession if current else None) or "")
            self.registration.setText((current.registration if current else None) or "")
            self.show_errors({})
        self.show()
        self.profession.setFocus()

    def close_editor(self) -> None:
        self.show_errors({})
        self.hide()

    def show_errors(self, errors: dict[str, str]) -> None:
        show_field_error(self.profession, self.errors["profession"], errors.get("profession", ""))
        show_field_error(self.registration, self.errors["registration"], errors.get("registration", ""))

    def _on_save_button_clicked(self) -> None:
        self.save_requested.emit(self.profession.text(), self.registration.text())


def _error() -> QLabel:
    return error_line()  # its room kept while empty: the Save button does not move
