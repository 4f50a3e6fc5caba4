"""Seed an empty installation with a fictional clinic, so a newcomer sees a living app."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from ..domain.patient import validate_patient
from ..domain.text import clean_text
from ..resources import read_resource_text
from ..store import patients as patient_rows
from ..store.consultants import insert_consultant
from ..store.settings import put_setting
from .kiosk import Kiosk

DEMO_ACTOR = "demo-seed"


@dataclass(frozen=True)
class DemoResult:
    seeded: bool
    message: str


def seed_demo(kiosk: Kiosk) -> DemoResult:
    existing = kiosk.patients.count()
    if existing:
        return DemoResult(
            False, f"Demo data not added: this database already holds {existing} patient(s), left as they are."
        )
    data = tomllib.loads(read_resource_text("demo/clinic.toml"))
    today = kiosk.clock.today()
    patients = [validate_patient(raw, today=today) for raw in data["patients"]]
    with kiosk.store.write(DEMO_ACTOR) as tx:
        put_setting(tx, "clinic.name", data["clinic"]["name"])
        put_setting(tx, "clinic.timezone", data["clinic"]["timezone"])
        for consultant in data["consultants"]:
            name = clean_text(consultant["name"], "name", max_length=100, required=True)
            insert_consultant(tx, name, consultant["role"])
        for patient in patients:
            patient_rows.insert_patient(tx, patient)
    return DemoResult(
        True,
        f"Demo data added: {data['clinic']['name']}, {len(data['consultants'])} consultants, {len(patients)} patients.",
    )
