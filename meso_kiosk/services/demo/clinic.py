"""Demo seeder: the fictional clinic, its consultants and its patients."""

from __future__ import annotations

from ...domain.patient import validate_patient
from ...domain.text import clean_text
from ...store import patients as patient_rows
from ...store.consultants import insert_consultant
from ...store.db import Transaction
from ...store.settings import put_setting
from .context import DemoContext


def seed_clinic(tx: Transaction, context: DemoContext) -> None:
    data = context.kiosk.clinic_data.demo("clinic")
    today = context.clock.today()
    patients = [validate_patient(raw, today=today) for raw in data["patients"]]
    put_setting(tx, "clinic.name", data["clinic"]["name"])
    put_setting(tx, "clinic.timezone", data["clinic"]["timezone"])
    for consultant in data["consultants"]:
        name = clean_text(consultant["name"], "name", max_length=100, required=True)
        context.consultants.append(insert_consultant(tx, name, consultant["role"]))
    context.patients.extend(patient_rows.insert_patient(tx, patient) for patient in patients)
    context.notes.append(
        f"{data['clinic']['name']}, {len(context.consultants)} consultants, {len(patients)} patients"
    )
