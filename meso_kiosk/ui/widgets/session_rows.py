"""The parts the session form is made of: a labelled field with its message line, toggle
groups, one row per treated zone, one per product with its lot, and the close confirmation."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .basics import button, label, restyle
from .field_errors import error_line
from .date_time import SessionDateTimePicker


class RowToggle(QCheckBox):
    """A check box whose whole row (not only the small square) toggles it."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setProperty("role", "row")
        self.setAccessibleName(text)
        self.setMinimumHeight(48)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def hitButton(self, pos) -> bool:
        return self.rect().contains(pos)


class ToggleGroup(QWidget):
    """Big exclusive toggle buttons in a grid, one per option; ``toggled`` after each change."""

    def __init__(self, options: dict[str, str], accessible: str, columns: int, parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        for i, (value, text) in enumerate(options.items()):
            toggle = button(text, f"{accessible}: {text}", role="toggle")
            toggle.setCheckable(True)
            self.group.addButton(toggle)
            grid.addWidget(toggle, i // columns, i % columns)
            self.buttons[value] = toggle

    def value(self) -> str | None:
        return next((value for value, toggle in self.buttons.items() if toggle.isChecked()), None)

    def set_value(self, value) -> None:
        """Check the option ``value``; an unknown value leaves the choice as it is."""
        toggle = self.buttons.get(value)
        if toggle is not None:
            toggle.setChecked(True)


class FormField(QWidget):
    """Caption, editor(s) and the message line beneath (error or warning)."""

    def __init__(self, caption: str, editor: QWidget, hint: str = ""):
        super().__init__()
        self.editor = editor
        self.message = error_line()  # its room kept while empty: nothing below moves
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(4)
        title = label(caption)
        layout.addWidget(title)
        layout.addWidget(editor)
        if hint:
            layout.addWidget(label(hint, "muted"))
        layout.addWidget(self.message)

    def set_message(self, text: str | None, role: str = "error") -> None:
        self.message.setText(text or "")
        self.message.setProperty("role", role)
        restyle(self.message)
        self.message.setVisible(bool(text))
        if isinstance(self.editor, QLineEdit):
            self.editor.setProperty("invalid", bool(text) and role == "error")
            restyle(self.editor)
        elif isinstance(self.editor, SessionDateTimePicker):
            self.editor.set_invalid(bool(text) and role == "error")


def line_edit(accessible: str, placeholder: str = "", max_length: int = 200) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(accessible)
    edit.setPlaceholderText(placeholder)
    edit.setMaxLength(max_length)
    return edit


class ZoneRow(QFrame):
    """Injections, depth and volume for one selected zone."""

    def __init__(self, zone_id: str, zone_label: str, default_depth: float):
        super().__init__()
        self.zone_id = zone_id
        self.setProperty("role", "card")
        self.injections = line_edit(f"{zone_label}: number of injections", "e.g. 20", 6)
        self.depth = line_edit(f"{zone_label}: needle depth in mm", "mm", 6)
        self.depth.setText(f"{default_depth:g}")
        self.volume = line_edit(f"{zone_label}: volume in ml", "ml", 6)
        self.error = error_line()
        layout = QGridLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setHorizontalSpacing(12)
        layout.setVerticalSpacing(2)
        layout.addWidget(label(zone_label, "subheading-small"), 0, 0, 1, 3)
        for column, (caption, editor) in enumerate(
            (("Injections", self.injections), ("Depth (mm)", self.depth), ("Volume (ml)", self.volume))
        ):
            layout.addWidget(label(caption, "muted"), 1, column)
            layout.addWidget(editor, 2, column)
        layout.addWidget(self.error, 3, 0, 1, 3)

    def values(self) -> dict:
        return {"injections": self.injections.text(), "depth_mm": self.depth.text(), "volume_ml": self.volume.text()}

    def set_values(self, values: dict) -> None:
        for editor, key in ((self.injections, "injections"), (self.depth, "depth_mm"), (self.volume, "volume_ml")):
            value = values.get(key)
            editor.setText("" if value is None else (f"{value:g}" if isinstance(value, float) else str(value)))

    def show_errors(self, errors: dict[str, str]) -> None:
        prefix = f"zones.{self.zone_id}."
        messages = [message for key, message in errors.items() if key.startswith(prefix)]
        for editor, key in ((self.injections, "injections"), (self.depth, "depth_mm"), (self.volume, "volume_ml")):
            editor.setProperty("invalid", prefix + key in errors)
            restyle(editor)
        self.error.setText("\n".join(dict.fromkeys(messages)))
        self.error.setVisible(bool(messages))


class ProductRow(QFrame):
    """Product name, lot and expiry; the lot check shows under the row."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, product_names: list[str]):
        super().__init__()
        self.setProperty("role", "card")
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.setAccessibleName("Product name")
        self.name.addItems(product_names)
        self.name.setCurrentIndex(-1)
        self.name.lineEdit().setPlaceholderText("Product name")
        self.name.lineEdit().setMaxLength(120)
        self.lot = line_edit("Lot number", "Lot, as printed on the box", 40)
        self.expiry = line_edit("Lot expiry date", "YYYY-MM or YYYY-MM-DD", 10)
        self.remove_button = button("Remove", "Remove this product")
        self.message = label("", "error")
        self.message.hide()
        layout = QGridLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setHorizontalSpacing(12)
        layout.setVerticalSpacing(2)
        layout.addWidget(label("Product", "muted"), 0, 0, 1, 3)
        layout.addWidget(self.name, 1, 0, 1, 3)
        layout.addWidget(label("Lot number", "muted"), 2, 0)
        layout.addWidget(label("Expiry date", "muted"), 2, 1)
        layout.addWidget(self.lot, 3, 0)
        layout.addWidget(self.expiry, 3, 1)
        layout.addWidget(self.remove_button, 3, 2)
        layout.addWidget(self.message, 4, 0, 1, 3)
        layout.setColumnStretch(0, 3)
        layout.setColumnStretch(1, 2)
        self.name.currentTextChanged.connect(self.changed)
        self.lot.textChanged.connect(self.changed)
        self.expiry.textChanged.connect(self.changed)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))

    def values(self) -> dict:
        return {"name": self.name.currentText(), "lot": self.lot.text(), "expiry": self.expiry.text()}

    def set_values(self, values: dict) -> None:
        self.name.setCurrentText(values.get("name") or "")
        self.lot.setText(values.get("lot") or "")
        expiry = values.get("expiry")
        self.expiry.setText(expiry.isoformat() if isinstance(expiry, date) else (expiry or ""))

    def set_message(self, text: str | None, role: str = "error") -> None:
        self.message.setText(text or "")
        self.message.setProperty("role", role)
        restyle(self.message)
        self.message.setVisible(bool(text))


class CloseConfirmation(QFrame):
    """Asked inline before a session is closed for good."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "card")
        self.text = label(
            "Closing makes this record final: it cannot be edited afterwards, only corrected with an "
            "amendment that gives a reason. Close the session now?")
        self.back = button("Go back", "Do not close the session")
        self.confirm = button("Yes, close session", "Confirm closing the session", primary=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.text)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.back)
        row.addWidget(self.confirm)
        layout.addLayout(row)
        self.hide()
