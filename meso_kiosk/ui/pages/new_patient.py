"""Register a patient: the form, one primary action, errors beside their fields."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from ...domain.errors import ValidationError
from ...services.patients import LikelyDuplicate, PatientService
from ...services.reference import Language
from ..widgets.basics import button, label, scrolling
from ..widgets.patient_form import PatientForm
from .new_patient_duplicates import DuplicateWarning


class NewPatientPage(QWidget):
    created = Signal(object)  # Patient
    cancelled = Signal()
    open_requested = Signal(object)  # Patient: one already registered, found by the duplicate warning

    def __init__(self, patients: PatientService, languages: tuple[Language, ...], actor, parent: QWidget | None = None):
        super().__init__(parent)
        self._patients = patients
        self._actor = actor
        self.form = PatientForm(languages)
        self.banner = label("", "banner-error")
        self.banner.hide()
        self.save_button = button("Save patient", "Save new patient", primary=True)
        self.cancel_button = button("Cancel", "Cancel new patient")
        self.duplicates = DuplicateWarning()  # beside the save button, where the receptionist looks

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(32, 24, 32, 24)
        body_layout.setSpacing(16)
        body_layout.addWidget(label("New patient", "heading"))
        body_layout.addWidget(label("Fields marked optional can be left empty.", "muted"))
        body_layout.addWidget(self.banner)
        body_layout.addWidget(self.form)
        body_layout.addStretch(1)
        scroll = scrolling(body)
        actions = QHBoxLayout()
        actions.setContentsMargins(32, 8, 32, 24)
        actions.addWidget(self.cancel_button)
        actions.addStretch(1)
        actions.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        warning_row = QHBoxLayout()
        warning_row.setContentsMargins(32, 8, 32, 0)
        warning_row.addWidget(self.duplicates)
        layout.addLayout(warning_row)
        layout.addLayout(actions)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.form.errors_changed.connect(self._on_form_errors_changed)
        self.cancel_button.clicked.connect(self.cancelled)
        self.duplicates.open_requested.connect(self.open_requested)
        self.duplicates.register_anyway.connect(lambda: self._register(warn_of_duplicates=False))
        self.form.changed.connect(self.duplicates.hide)  # another name or date: the warning no longer holds

    def start(self) -> None:
        self.form.set_patient(None)
        self.banner.hide()
        self.duplicates.hide()
        self.form.given_name.setFocus()

    def _on_form_errors_changed(self, count: int) -> None:
        # The banner counts what is still marked, and goes once every field is corrected.
        if self.banner.isHidden():
            return
        self.banner.setText("Please correct the field marked below." if count == 1
                            else f"Please correct the {count} fields marked below.")
        self.banner.setVisible(bool(count))

    def _on_save_clicked(self) -> None:
        self._register(warn_of_duplicates=True)

    def _register(self, *, warn_of_duplicates: bool) -> None:
        try:
            patient = self._patients.register(self.form.values(), self._actor(),
                                              warn_of_duplicates=warn_of_duplicates)
        except LikelyDuplicate as found:
            self.banner.hide()
            self.form.show_errors({})
            self.duplicates.show_patients(found.patients)
            return
        except ValidationError as error:
            self.duplicates.hide()
            self.form.show_errors(error.errors)
            count = len(error.errors)
            self.banner.setText(
                "Please correct the field marked below." if count == 1
                else f"Please correct the {count} fields marked below."
            )
            self.banner.show()
            return
        self.banner.hide()
        self.created.emit(patient)
