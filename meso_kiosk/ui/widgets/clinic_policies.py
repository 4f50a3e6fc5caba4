"""The clinic's policies as its admin sets them, each with its explanation beside it
(``POLICY_HELP``): currency, a price per session for each protocol, cooling-off hours,
minimum age, whether minors are treated, whether a changed consent text needs a new signature.

Like ``ClinicForm``, it only collects (``values()``) and shows errors (``show_errors``).
"""

from __future__ import annotations

from typing import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...domain.clinic_settings import COOLING_OFF_RANGE, MINIMUM_AGE_RANGE, POLICY_HELP, ClinicSettings
from ...domain.protocol import Protocol
from .basics import button, label, show_field_error


class YesNoChoice(QFrame):
    """A yes/no policy as one wide row with large Yes and No buttons (one always chosen)."""

    def __init__(self, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "yes-no-row")
        self.setMinimumHeight(56)
        self.caption = label(caption, "subheading-small")
        self.caption.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.yes = button("Yes", f"{caption}: yes", role="answer")
        self.no = button("No", f"{caption}: no", role="answer")
        group = QButtonGroup(self)
        for choice in (self.yes, self.no):
            choice.setCheckable(True)
            choice.setMinimumWidth(88)
            group.addButton(choice)
        self.no.setChecked(True)
        line = QHBoxLayout(self)
        line.setContentsMargins(12, 4, 8, 4)
        line.setSpacing(8)
        line.addWidget(self.caption, 1)
        line.addWidget(self.yes)
        line.addWidget(self.no)

    def value(self) -> bool:
        return self.yes.isChecked()

    def set_value(self, value: bool) -> None:
        (self.yes if value else self.no).setChecked(True)


def _spin(accessible_name: str, allowed: range, suffix: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setAccessibleName(accessible_name)
    spin.lineEdit().setAccessibleName(accessible_name)
    spin.setRange(allowed[0], allowed[-1])
    spin.setSuffix(suffix)
    spin.setMinimumHeight(48)
    spin.setFixedWidth(180)
    return spin


class PoliciesForm(QWidget):
    """Every policy, its explanation next to it; prices labelled by each protocol's label."""

    def __init__(self, protocols: Mapping[str, Protocol], parent: QWidget | None = None):
        super().__init__(parent)
        self.currency = QLineEdit()
        self.currency.setAccessibleName("Currency")
        self.currency.setPlaceholderText("e.g. EUR")
        self.currency.setMaxLength(12)
        self.currency.setFixedWidth(180)
        self.prices: dict[str, QLineEdit] = {}
        for protocol_id, protocol in protocols.items():
            price = QLineEdit()
            price.setAccessibleName(f"Price per session: {protocol.label}")
            price.setPlaceholderText("Not set")
            price.setMaxLength(20)
            price.setFixedWidth(180)
            price.setInputMethodHints(Qt.InputMethodHint.ImhFormattedNumbersOnly)
            self.prices[protocol_id] = price
        self._price_currencies: list[QLabel] = []  # the currency typed, beside each price
        self._labels = {protocol_id: protocol.label for protocol_id, protocol in protocols.items()}
        self.cooling_off_hours = _spin("Cooling-off period in hours", COOLING_OFF_RANGE, " hours")
        self.minimum_age = _spin("Minimum age to consent alone", MINIMUM_AGE_RANGE, " years")
        self.treats_minors = YesNoChoice("Treats minors (with a parent or guardian)")
        self.reconsent_on_new_text = YesNoChoice("A changed consent text needs a new signature")
        self.fields: dict[str, QWidget] = {
            "currency": self.currency, **{f"price.{key}": field for key, field in self.prices.items()},
            "cooling_off_hours": self.cooling_off_hours, "minimum_age": self.minimum_age,
            "treats_minors": self.treats_minors, "reconsent_on_new_text": self.reconsent_on_new_text}
        self.errors = {key: label("", "error") for key in (*self.fields, "prices")}
        for key, error in self.errors.items():
            error.setAccessibleName(f"Problem with {key.replace('_', ' ')}")
            error.hide()
        self._lay_out()
        self.currency.textChanged.connect(self._on_currency_text_changed)

    def _on_currency_text_changed(self, text: str) -> None:
        for currency in self._price_currencies:
            currency.setText(text.strip().upper()[:3])

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self._policy(layout, "Currency", "currency", self.currency)
        layout.addWidget(label("Price per session", "minor-heading"))
        layout.addWidget(label(POLICY_HELP["prices"], "muted"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(4)
        for row, (protocol_id, price) in enumerate(self.prices.items()):
            name = label(self._labels[protocol_id])
            name.setBuddy(price)
            currency = label("", "muted", wrap=False)
            self._price_currencies.append(currency)
            grid.addWidget(name, 2 * row, 0)
            grid.addWidget(price, 2 * row, 1)
            grid.addWidget(currency, 2 * row, 2)
            grid.addWidget(self.errors[f"price.{protocol_id}"], 2 * row + 1, 0, 1, 3)
        grid.setColumnMinimumWidth(0, 300)  # a protocol's label on one line when it can be
        grid.setColumnStretch(3, 1)
        layout.addLayout(grid)
        layout.addWidget(self.errors["prices"])
        self._policy(layout, "Cooling-off period", "cooling_off_hours", self.cooling_off_hours)
        self._policy(layout, "Minimum age to consent alone", "minimum_age", self.minimum_age)
        for key in ("treats_minors", "reconsent_on_new_text"):
            layout.addSpacing(8)
            layout.addWidget(self.fields[key])
            layout.addWidget(_help(POLICY_HELP[key]))
            layout.addWidget(self.errors[key])

    def _policy(self, layout: QVBoxLayout, caption: str, key: str, field: QWidget) -> None:
        """Caption, then the field with its explanation beside it, then its error."""
        caption_label = label(caption, "minor-heading")
        caption_label.setBuddy(field)
        layout.addWidget(caption_label)
        row = QHBoxLayout()
        row.setSpacing(16)
        row.addWidget(field, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(_help(POLICY_HELP[key]), 1)
        layout.addLayout(row)
        layout.addWidget(self.errors[key])

    def load(self, settings: ClinicSettings) -> None:
        self.currency.setText(settings.currency or "")
        for protocol_id, price in self.prices.items():
            amount = settings.prices.get(protocol_id)
            price.setText("" if amount is None else f"{amount:.2f}")
        self.cooling_off_hours.setValue(settings.cooling_off_hours)
        self.minimum_age.setValue(settings.minimum_age)
        self.treats_minors.set_value(settings.treats_minors)
        self.reconsent_on_new_text.set_value(settings.reconsent_on_new_text)
        self.show_errors({})

    def values(self) -> dict[str, object]:
        """The policies as typed, for ``ClinicService.update`` (an empty price clears it)."""
        return {"currency": self.currency.text(),
                "prices": {protocol_id: price.text() for protocol_id, price in self.prices.items()},
                "cooling_off_hours": self.cooling_off_hours.value(), "minimum_age": self.minimum_age.value(),
                "treats_minors": self.treats_minors.value(),
                "reconsent_on_new_text": self.reconsent_on_new_text.value()}

    def show_errors(self, errors: dict[str, str]) -> QWidget | None:
        """Each message next to its field (others cleared); the first field at fault (or None)."""
        for key, error in self.errors.items():
            field = self.fields.get(key)
            show_field_error(field if isinstance(field, QLineEdit) else None, error, errors.get(key, ""))
        first = next((self.fields[key] for key in self.fields if errors.get(key)), None)
        if isinstance(first, YesNoChoice):
            return first.yes
        return first


def _help(text: str) -> QLabel:
    words = label(text, "muted")
    words.setMinimumWidth(200)
    return words
