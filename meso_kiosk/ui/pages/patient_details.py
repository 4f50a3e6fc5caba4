"""Correct a patient's identity and contact details (the first part of intake).

Edits are kept until saved: with "Save changes", on closing the details, on leaving the
intake step, the patient or the app. A wrong field is never dropped silently: the
consultant is kept there with the error shown, or asked (``window_controls``).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from ...domain.clock import Clock
from ...domain.errors import ValidationError
from ...domain.patient import Patient
from ...domain.session_captions import clock_time
from ...services.patients import PatientService
from ...services.reference import Language
from ..widgets.basics import button, label
from ..widgets.patient_form import PatientForm


class PatientDetailsPage(QWidget):
    saved = Signal(object)  # Patient

    def __init__(self, patients: PatientService, languages: tuple[Language, ...], clock: Clock, actor,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._patients = patients
        self._clock = clock
        self._actor = actor
        self._patient: Patient | None = None
        self._dirty = False
        self.form = PatientForm(languages, today=clock.today)
        self.status = label("", "saved")
        self.save_button = button("Save changes", "Save patient details", primary=True)
        self.save_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 16, 32, 16)
        layout.setSpacing(12)
        layout.addWidget(label("Patient details", "subheading"))
        layout.addWidget(self.form)
        actions = QHBoxLayout()
        actions.addWidget(self.status, 1)
        actions.addWidget(self.save_button)
        layout.addLayout(actions)
        layout.addStretch(1)
        self.form.changed.connect(self._on_form_changed)
        self.form.errors_changed.connect(self._on_form_errors_changed)
        self.save_button.clicked.connect(self.save)

    def show_patient(self, patient: Patient) -> None:
        self._patient = patient
        self.form.set_patient(patient)
        self._set_dirty(False)
        self.status.setText("")

    @property
    def dirty(self) -> bool:
        return self._dirty

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.save_button.setEnabled(dirty)

    @property
    def patient(self) -> Patient | None:
        return self._patient

    def _on_form_changed(self) -> None:
        self._set_dirty(True)
        if not self.status.text().startswith("Not saved"):
            self.status.setText("Unsaved changes")

    def _on_form_errors_changed(self, count: int) -> None:
        if count:
            self.status.setText("Not saved: please correct the marked fields.")
        elif self._dirty:
            self.status.setText("Unsaved changes")  # corrected: the message goes with the errors

    def discard_edits(self) -> None:
        """Forget what was typed since the last save: the stored details again."""
        if self._patient is not None:
            self.show_patient(self._patient)

    def first_error(self) -> str | None:
        """The first message a field shows (None when none does)."""
        return next((text for text in (self.form.error_text(name) for name in self.form.field_names()) if text),
                    None)

    def save(self, *, reveal: bool = True) -> bool:
        """Store the form; False (with the errors shown) when a field is not valid; ``reveal``:
        bring the first wrong field into view and focus it (not when saving in passing)."""
        if self._patient is None or not self._dirty:
            return True
        try:
            patient = self._patients.correct(self._patient.id, self.form.values(), self._actor())
        except ValidationError as error:
            self.form.show_errors(error.errors, reveal=reveal)
            self.status.setText("Not saved: please correct the marked fields.")
            return False
        self._patient = patient
        self.form.show_errors({})
        self._set_dirty(False)
        self.status.setText(f"Saved at {clock_time(self._clock, self._clock.now_utc())}")
        self.saved.emit(patient)
        return True
