"""Demo seeder: the fictional clinic (its identity, policies and logo), its consultants and its patients."""

from __future__ import annotations

from dataclasses import replace

from ...domain.clinic_settings import clean_credentials, to_stored
from ...domain.patient import validate_patient
from ...domain.text import clean_text
from ...store import patients as patient_rows
from ...store.consultants import insert_consultant
from ...store.credentials import Credentials, record_credentials
from ...store.db import Transaction
from ...store.logos import keep_logo
from ...store.settings import put_setting
from ..clinic_logo import prepare_logo
from .context import DemoContext


def seed_clinic(tx: Transaction, context: DemoContext) -> None:
    clinic_data = context.kiosk.clinic_data
    data = clinic_data.demo("clinic")
    today = context.clock.today()
    patients = [validate_patient(raw, today=today) for raw in data["patients"]]
    _seed_settings(tx, context)
    for consultant in data["consultants"]:
        name = clean_text(consultant["name"], "name", max_length=100, required=True)
        row = insert_consultant(tx, name, consultant["role"])
        context.consultants.append(row)
        credentials = clean_credentials(consultant.get("profession"), consultant.get("registration"))
        if credentials != (None, None):
            record_credentials(tx, row.id, Credentials(*credentials))
    context.patients.extend(patient_rows.insert_patient(tx, patient) for patient in patients)
    context.notes.append(
        f"{data['clinic']['name']}, {len(context.consultants)} consultants, {len(patients)} patients"
    )


def _seed_settings(tx: Transaction, context: DemoContext) -> None:
    """Every setting as the settings page would store it: checked by the one validator
    (``ClinicData.demo_clinic_settings``), the logo checked and scaled like an admin's."""
    clinic_data = context.kiosk.clinic_data
    settings = clinic_data.demo_clinic_settings()
    logo_name = clinic_data.demo("clinic")["clinic"].get("logo")
    if logo_name is not None:
        logo = prepare_logo(clinic_data.demo_picture(logo_name))
        keep_logo(tx, logo)
        settings = replace(settings, logo=logo.sha256)
    for key, value in to_stored(settings).items():
        put_setting(tx, key, value)
