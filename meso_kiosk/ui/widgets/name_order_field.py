"""Which name comes first: two toggles and a preview of the name as it will print.

Until the receptionist chooses, the toggle follows the name's script as it is typed (family
first for Han, kana, Hangul: domain/person_name); a Vietnamese or Hungarian name, Latin like
any other, is turned to "Family name first" by hand, and the preview shows the result.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QVBoxLayout, QWidget

from ...domain.person_name import FAMILY_FIRST, GIVEN_FIRST, NAME_ORDERS, default_order, display_name
from .basics import button, label


class NameOrderField(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Name order")
        self._given = self._family = ""
        self._chosen = False  # the receptionist's choice outranks the script's default
        self.buttons = {order: button(caption, f"Name order: {caption.lower()}", role="toggle")
                        for order, caption in NAME_ORDERS.items()}
        self._group = QButtonGroup(self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        for order, toggle in self.buttons.items():
            toggle.setCheckable(True)
            self._group.addButton(toggle)
            row.addWidget(toggle)
            toggle.clicked.connect(lambda _checked=False, chosen=order: self._on_chosen(chosen))
        row.addStretch(1)
        self.preview = label("", "muted")
        self.preview.setAccessibleName("How the name will print")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.preview)
        self.buttons[GIVEN_FIRST].setChecked(True)
        self._show()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        # The checked toggle's words are bold: room for them, measured in the styled font (known once shown).
        for toggle in self.buttons.values():
            bold = toggle.font()
            bold.setBold(True)
            toggle.setStyleSheet(f"min-width: {QFontMetrics(bold).horizontalAdvance(toggle.text()) + 8}px;")
        super().showEvent(event)

    def order(self) -> str:
        return FAMILY_FIRST if self.buttons[FAMILY_FIRST].isChecked() else GIVEN_FIRST

    def set_names(self, given: str, family: str) -> None:
        """The name as typed so far: the preview follows it, and the toggle its script until chosen."""
        self._given, self._family = given.strip(), family.strip()
        if not self._chosen:
            self.buttons[default_order(self._given, self._family)].setChecked(True)
        self._show()

    def load(self, given: str, family: str, order: str | None) -> None:
        """A patient's stored order (None: never chosen, by script), or an empty form's."""
        self._chosen = False
        self.set_names(given, family)
        if order in NAME_ORDERS:
            self.buttons[order].setChecked(True)
            self._chosen = True
            self._show()

    def _on_chosen(self, order: str) -> None:
        self._chosen = True
        self.buttons[order].setChecked(True)
        self._show()
        self.changed.emit()

    def _show(self) -> None:
        shown = display_name(self._given, self._family, self.order()) if self._given or self._family else ""
        self.preview.setText(f"Prints as: {shown}" if shown else "The name will print as typed, in this order.")
