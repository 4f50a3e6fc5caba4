"""A PIN field with a large on-screen digit keypad: touch first, keyboard works too.

Digits only, masked. OK (or Enter) emits ``submitted`` with the typed PIN; the caller
checks it with the accounts service and calls ``show_error`` (which clears the field)
when it is wrong. Used by the lock screen, the admin page and hand-off exit.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ...domain.pin import MAX_PIN_LENGTH
from .basics import button, restyle
from .field_errors import error_line

KEY_SIZE = 64  # px: well above the 48 px touch minimum, the pad is the main thing to hit


def pin_field(accessible_name: str, placeholder: str = "") -> QLineEdit:
    """A masked, digits-only PIN field (the on-screen keyboard offers digits and learns nothing)."""
    field = QLineEdit()
    field.setAccessibleName(accessible_name)
    field.setPlaceholderText(placeholder)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(MAX_PIN_LENGTH)
    field.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]*"), field))
    field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData
                              | Qt.InputMethodHint.ImhNoPredictiveText)
    return field


class PinEntry(QWidget):
    """Masked digits-only field + 3×4 keypad (1–9, ⌫, 0, OK); ``submitted(pin)`` on OK/Enter."""

    submitted = Signal(str)

    def __init__(self, accessible_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.field = pin_field(accessible_name, "PIN")
        # A tap on a key (which takes no focus) gives focus to the first ancestor that takes it
        # on a click: without this one that was the page's scroll area, and digits typed on a
        # keyboard after the keypad went nowhere. The pad takes it and hands it to the field.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setFocusProxy(self.field)
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field.setProperty("role", "pin")
        # Room for the longest message (a wrong PIN and the tries left, on three lines), kept
        # while empty: the keypad never moves under a finger when a message comes or goes.
        self.error = error_line(3, f"{accessible_name}: message")
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.digit_keys: dict[str, QPushButton] = {}
        for digit in "0123456789":
            key = button(digit, f"Digit {digit}", role="pin-key")
            key.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing stays in the field
            self.digit_keys[digit] = key
        self.backspace_key = button("⌫", "Delete last digit", role="pin-key")
        self.backspace_key.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.ok_key = button("OK", "Enter PIN", primary=True)
        self.ok_key.setProperty("pin_ok", True)
        self.ok_key.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for key in [*self.digit_keys.values(), self.backspace_key, self.ok_key]:
            key.setFixedSize(KEY_SIZE + 24, KEY_SIZE)  # the theme says the same (its min-height would win)
        self._build()
        self._connect_signals()

    # ------------------------------------------------------------ public

    def pin(self) -> str:
        return self.field.text()

    def clear(self) -> None:
        self.field.clear()
        self.error.show_text("")
        self._set_invalid(False)

    def show_error(self, message: str) -> None:
        self.field.clear()
        self.error.show_text(message)
        # a wrapped label under-reports its height to a box layout: give it what it needs
        # (never less than its kept room, so a short message moves nothing)
        self.error.setFixedHeight(max(self.error.heightForWidth(self.error.width()), self.error.reserved_height()))
        self._set_invalid(bool(message))

    def focus(self) -> None:
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        for index, digit in enumerate("123456789"):
            grid.addWidget(self.digit_keys[digit], index // 3, index % 3)
        grid.addWidget(self.backspace_key, 3, 0)
        grid.addWidget(self.digit_keys["0"], 3, 1)
        grid.addWidget(self.ok_key, 3, 2)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(12)
        column.addWidget(self.field)
        column.addWidget(self.error)
        column.addLayout(grid)
        column.setAlignment(grid, Qt.AlignmentFlag.AlignHCenter)
        width = 3 * (KEY_SIZE + 24) + 2 * 12
        self.field.setFixedWidth(width)
        self.error.setFixedWidth(width)
        column.setAlignment(self.field, Qt.AlignmentFlag.AlignHCenter)
        column.setAlignment(self.error, Qt.AlignmentFlag.AlignHCenter)

    def _connect_signals(self) -> None:
        for digit, key in self.digit_keys.items():
            key.clicked.connect(lambda _checked=False, d=digit: self._on_digit_clicked(d))
        self.backspace_key.clicked.connect(self._on_backspace_key_clicked)
        self.ok_key.clicked.connect(self._on_ok_key_clicked)
        self.field.returnPressed.connect(self._on_ok_key_clicked)
        self.field.textEdited.connect(self._on_field_text_edited)

    # ------------------------------------------------------------ handlers

    def _on_digit_clicked(self, digit: str) -> None:
        if len(self.field.text()) < MAX_PIN_LENGTH:
            self.field.setText(self.field.text() + digit)
        self._on_field_text_edited(self.field.text())

    def _on_backspace_key_clicked(self) -> None:
        self.field.setText(self.field.text()[:-1])

    def _on_ok_key_clicked(self) -> None:
        if not self.isEnabled():
            return
        self.submitted.emit(self.field.text())

    def _on_field_text_edited(self, _text: str) -> None:
        if self.field.property("invalid"):
            self._set_invalid(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        # The field already submitted on Return (returnPressed) and passes the key up: stop it here.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def _set_invalid(self, invalid: bool) -> None:
        self.field.setProperty("invalid", invalid)
        restyle(self.field)
