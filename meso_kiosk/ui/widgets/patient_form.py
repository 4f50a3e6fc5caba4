"""The patient's identity and contact fields, with each error shown under its field.

An error shows once the field is left or the form is submitted, and goes as soon as the
field is left corrected: the form checks itself as each field is left (the service checks
again on saving, with the clinic's own date).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLineEdit, QVBoxLayout, QWidget

from ...domain.errors import ValidationError
from ...domain.patient import SEX_AT_BIRTH, Patient, validate_patient
from ...services.reference import Language
from .basics import label
from .field_errors import error_line, mark_invalid
from .field_errors import reveal as reveal_field
from .name_order_field import NameOrderField

_TWO_COLUMNS_FROM_PX = 900


class _Field(QWidget):
    """Caption, input and the error line beneath it."""

    def __init__(self, caption: str, editor: QWidget, hint: str = ""):
        super().__init__()
        self.editor = editor
        self.error = error_line(1, f"{caption}: error")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(4)
        title = label(caption)
        title.setBuddy(editor)
        layout.addWidget(title)
        layout.addWidget(editor)
        if hint:
            layout.addWidget(label(hint, "muted"))
        layout.addWidget(self.error)

    def set_error(self, message: str | None) -> None:
        self.error.show_text(message)
        mark_invalid((self.editor,), bool(message))


class PatientForm(QWidget):
    """Edits the fields of a ``Patient``; ``changed`` fires on every edit, ``errors_changed``
    (how many fields show an error) after a field left corrected or wrong changes that."""

    changed = Signal()
    errors_changed = Signal(int)

    def __init__(self, languages: tuple[Language, ...], parent: QWidget | None = None, *,
                 today: Callable[[], date] | None = None):
        super().__init__(parent)
        self._today = today or date.today
        self._fields: dict[str, _Field] = {}
        self.given_name = self._line("given_name", "Given name", "Given name", max_length=100)
        self.family_name = self._line("family_name", "Family name", "Family name", max_length=100)
        self.name_order = NameOrderField()  # which comes first, by script until chosen
        self.name_order.changed.connect(self.changed)
        self._fields["name_order"] = _Field("Name order", self.name_order)
        for part in (self.given_name, self.family_name):
            part.textChanged.connect(lambda _text: self.name_order.set_names(self.given_name.text(),
                                                                             self.family_name.text()))
        self.date_of_birth = self._line(
            "date_of_birth", "Date of birth", "Date of birth", max_length=10,
            placeholder="YYYY-MM-DD", hint="For example 1984-03-27 or 27/03/1984",
        )
        self.sex_at_birth = QComboBox()
        self.sex_at_birth.setAccessibleName("Sex at birth")
        self.sex_at_birth.addItem("Not recorded", None)
        for value, caption in SEX_AT_BIRTH.items():
            self.sex_at_birth.addItem(caption, value)
        self.sex_at_birth.currentIndexChanged.connect(self.changed)
        self.sex_at_birth.activated.connect(lambda _index: self._on_field_left("sex_at_birth"))
        self._fields["sex_at_birth"] = _Field("Sex at birth (optional)", self.sex_at_birth)
        self.phone = self._line("phone", "Phone (optional)", "Phone", max_length=32, placeholder="+33 6 12 34 56 78")
        self.email = self._line("email", "E-mail (optional)", "E-mail", max_length=254, placeholder="name@example.com")
        self.preferred_language = QComboBox()
        self.preferred_language.setAccessibleName("Preferred language")
        self.preferred_language.addItem("Not recorded", None)
        for language in languages:
            self.preferred_language.addItem(language.name, language.code)
        self.preferred_language.currentIndexChanged.connect(self.changed)
        self.preferred_language.activated.connect(lambda _index: self._on_field_left("preferred_language"))
        self._fields["preferred_language"] = _Field("Preferred language (optional)", self.preferred_language)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(24)
        self._columns = 0
        self._arrange(2)

    def _line(self, name: str, caption: str, accessible: str, *, max_length: int,
              placeholder: str = "", hint: str = "") -> QLineEdit:
        editor = QLineEdit()
        editor.setAccessibleName(accessible)
        editor.setMaxLength(max_length)
        editor.setPlaceholderText(placeholder)
        editor.textEdited.connect(self.changed)
        editor.editingFinished.connect(lambda: self._on_field_left(name))
        self._fields[name] = _Field(caption, editor, hint)
        return editor

    def _on_field_left(self, name: str) -> None:
        """Check the form again: the field just left and those already showing an error get
        their message now (or lose it); the others wait for theirs until they are left."""
        try:
            validate_patient(self.values(), today=self._today())
            errors: dict[str, str] = {}
        except ValidationError as error:
            errors = error.errors
        shown = {key for key, field in self._fields.items() if not field.error.isHidden()} | {name}
        for key in shown & self._fields.keys():
            self._fields[key].set_error(errors.get(key))
        self.errors_changed.emit(sum(1 for field in self._fields.values() if not field.error.isHidden()))

    def _arrange(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for index, field in enumerate(self._fields.values()):
            self._grid.removeWidget(field)
            self._grid.addWidget(field, index // columns, index % columns, Qt.AlignmentFlag.AlignTop)
        for column in range(2):
            self._grid.setColumnStretch(column, 1 if column < columns else 0)

    def resizeEvent(self, event) -> None:  # reflow: two columns on a landscape tablet, one in portrait
        self._arrange(2 if event.size().width() >= _TWO_COLUMNS_FROM_PX else 1)
        super().resizeEvent(event)

    def values(self) -> dict[str, object]:
        return {
            "given_name": self.given_name.text(),
            "family_name": self.family_name.text(),
            "name_order": self.name_order.order(),
            "date_of_birth": self.date_of_birth.text(),
            "sex_at_birth": self.sex_at_birth.currentData(),
            "phone": self.phone.text(),
            "email": self.email.text(),
            "preferred_language": self.preferred_language.currentData(),
        }

    def set_patient(self, patient: Patient | None) -> None:
        self.given_name.setText(patient.given_name if patient else "")
        self.family_name.setText(patient.family_name if patient else "")
        self.name_order.load(self.given_name.text(), self.family_name.text(), patient.name_order if patient else None)
        self.date_of_birth.setText(patient.date_of_birth.isoformat() if patient else "")
        self.phone.setText((patient.phone or "") if patient else "")
        self.email.setText((patient.email or "") if patient else "")
        self.sex_at_birth.setCurrentIndex(max(0, self.sex_at_birth.findData(patient.sex_at_birth if patient else None)))
        language = patient.preferred_language if patient else None
        self.preferred_language.setCurrentIndex(max(0, self.preferred_language.findData(language)))
        self.show_errors({})

    def show_errors(self, errors: dict[str, str], *, reveal: bool = True) -> None:
        """Every field's message (on submit); ``reveal``: the first wrong field is brought into
        view and focused."""
        for name, field in self._fields.items():
            field.set_error(errors.get(name))
        first = next((name for name in self._fields if name in errors), None)
        if first and reveal:
            reveal_field(self._fields[first], self._fields[first].editor)

    def field_names(self) -> tuple[str, ...]:
        return tuple(self._fields)

    def error_text(self, name: str) -> str:
        return self._fields[name].error.text() if self._fields[name].error.isVisibleTo(self) else ""
