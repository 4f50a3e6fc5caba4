"""The warning before a likely duplicate is registered: open the patient already here, or register anyway.

A receptionist who did not find someone by search registers them twice; the same birth date and
a close name (services/patients.likely_duplicates) stops the save once, never for good.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from ...domain.patient import Patient
from ..widgets.basics import button, discard, label


class DuplicateWarning(QWidget):
    open_requested = Signal(object)  # Patient
    register_anyway = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Likely duplicate")
        self.message = label("", "banner-notice")
        self.message.setAccessibleName("A similar patient exists")
        self.rows = QVBoxLayout()
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setSpacing(8)
        self.register_button = button("Register anyway", "Register as a new patient anyway")
        self.register_button.clicked.connect(self.register_anyway)
        self.open_buttons: list = []
        self._row_widgets: list[QWidget] = []
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addStretch(1)
        actions.addWidget(self.register_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.message)
        layout.addLayout(self.rows)
        layout.addLayout(actions)
        self.hide()

    def show_patients(self, patients: list[Patient]) -> None:
        discard(self._row_widgets, self.rows)
        self._row_widgets, self.open_buttons = [], []
        self.message.setText(
            "A patient with a similar name and the same birth date exists. Open them, or register anyway"
            " if this is someone else." if len(patients) == 1 else
            f"{len(patients)} patients with a similar name and the same birth date exist. Open one of them,"
            " or register anyway if this is someone else.")
        for patient in patients:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            born = patient.date_of_birth.strftime("%d %b %Y")
            phone = f"  ·  {patient.phone}" if patient.phone else ""  # tells two namesakes apart
            line.addWidget(label(f"{patient.display_name}  ·  born {born}{phone}"), 1)
            opener = button("Open", f"Open {patient.display_name}, born {born}", primary=True)
            opener.clicked.connect(lambda _checked=False, chosen=patient: self.open_requested.emit(chosen))
            line.addWidget(opener)
            self.rows.addWidget(row)
            self._row_widgets.append(row)
            self.open_buttons.append(opener)
        self.show()
