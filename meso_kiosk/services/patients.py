"""Finding, registering and correcting patients."""

from __future__ import annotations

from datetime import date

from ..domain.clock import Clock
from ..domain.errors import ValidationError
from ..domain.name_likeness import is_likely_same_name
from ..domain.patient import Patient, validate_patient
from ..store import patients as patient_rows
from ..store.db import Store
from .printable import unprintable_fields

# Printed on every PDF of the patient: a name no font of the PDF has is refused where it is typed.
_PRINTED_FIELDS = ("given_name", "family_name")


class LikelyDuplicate(Exception):
    """Registering would likely make a second record of someone already here: nothing was stored."""

    def __init__(self, patients: list[Patient]):
        super().__init__(f"{len(patients)} patient(s) with a similar name and the same birth date exist.")
        self.patients = patients


class PatientService:
    def __init__(self, store: Store, clock: Clock):
        self._store = store
        self._clock = clock

    def register(self, form: dict[str, object], actor: str, *, warn_of_duplicates: bool = False) -> Patient:
        """Validate the form and store a new patient; raises ``ValidationError`` naming fields, and with
        ``warn_of_duplicates`` ``LikelyDuplicate`` when someone with a close name and the same birth
        date is already registered (the receptionist then opens them, or registers anyway)."""
        patient = self._validated(form)
        if warn_of_duplicates:
            found = self.likely_duplicates(patient.given_name, patient.family_name, patient.date_of_birth)
            if found:
                raise LikelyDuplicate(found)
        with self._store.write(actor) as tx:
            return patient_rows.insert_patient(tx, patient)

    def likely_duplicates(self, given: str, family: str, born: date) -> list[Patient]:
        """Patients born on ``born`` whose name is likely this one, folded, reordered or mistyped."""
        return [patient for patient in patient_rows.born_on(self._store.conn, born)
                if is_likely_same_name(patient.given_name, patient.family_name, given, family)]

    def correct(self, patient_id: int, form: dict[str, object], actor: str) -> Patient:
        patient = self._validated(form, patient_id)
        with self._store.write(actor) as tx:
            return patient_rows.update_patient(tx, patient)

    def _validated(self, form: dict[str, object], patient_id: int | None = None) -> Patient:
        """The validators' messages, and for a name they accept that the PDF cannot print, that one."""
        unprintable = unprintable_fields({name: form.get(name) for name in _PRINTED_FIELDS})
        try:
            patient = validate_patient(form, today=self._clock.today(), patient_id=patient_id)
        except ValidationError as error:
            raise ValidationError(unprintable | error.errors) from None
        if unprintable:
            raise ValidationError(unprintable)
        return patient

    def get(self, patient_id: int) -> Patient:
        return patient_rows.get_patient(self._store.conn, patient_id)

    def recent(self, limit: int = 50) -> list[Patient]:
        return patient_rows.list_recent(self._store.conn, limit)

    def search(self, query: str, limit: int = 50) -> list[Patient]:
        return patient_rows.search_patients(self._store.conn, query, limit)

    def count(self) -> int:
        return patient_rows.count_patients(self._store.conn)
