"""Finding, registering and correcting patients."""

from __future__ import annotations

from ..domain.clock import Clock
from ..domain.patient import Patient, validate_patient
from ..store import patients as patient_rows
from ..store.db import Store


class PatientService:
    def __init__(self, store: Store, clock: Clock):
        self._store = store
        self._clock = clock

    def register(self, form: dict[str, object], actor: str) -> Patient:
        """Validate the form and store a new patient; raises ``ValidationError`` naming fields."""
        patient = validate_patient(form, today=self._clock.today())
        with self._store.write(actor) as tx:
            return patient_rows.insert_patient(tx, patient)

    def correct(self, patient_id: int, form: dict[str, object], actor: str) -> Patient:
        patient = validate_patient(form, today=self._clock.today(), patient_id=patient_id)
        with self._store.write(actor) as tx:
            return patient_rows.update_patient(tx, patient)

    def get(self, patient_id: int) -> Patient:
        return patient_rows.get_patient(self._store.conn, patient_id)

    def recent(self, limit: int = 50) -> list[Patient]:
        return patient_rows.list_recent(self._store.conn, limit)

    def search(self, query: str, limit: int = 50) -> list[Patient]:
        return patient_rows.search_patients(self._store.conn, query, limit)

    def count(self) -> int:
        return patient_rows.count_patients(self._store.conn)
