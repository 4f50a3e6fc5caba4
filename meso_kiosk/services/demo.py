"""Seed an empty installation with a fictional clinic, so a newcomer sees a living app.

Each feature adds its own records through a seeder: a function that receives the open
transaction and what was seeded before it (the ``DemoContext``), and adds realistic
rows (patients mid-course, closed sessions, signed consents). Seeders run in order,
all in one transaction: the demo appears whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..domain.clock import Clock
from ..domain.patient import Patient, validate_patient
from ..domain.text import clean_text
from ..store import patients as patient_rows
from ..store.consultants import ConsultantRow, insert_consultant
from ..store.db import Transaction
from ..store.settings import put_setting
from .course import seed_courses
from .demo_consents import seed_consents
from .demo_intake import seed_intakes
from .demo_sessions import seed_sessions
from .kiosk import Kiosk

DEMO_ACTOR = "demo-seed"


@dataclass(frozen=True)
class DemoResult:
    seeded: bool
    message: str


@dataclass
class DemoContext:
    """What earlier seeders created, for later ones to build on."""

    kiosk: Kiosk
    clock: Clock
    consultants: list[ConsultantRow] = field(default_factory=list)
    patients: list[Patient] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # one phrase per seeder for the summary line


def _seed_clinic(tx: Transaction, context: DemoContext) -> None:
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


Seeder = Callable[[Transaction, DemoContext], None]

# Order matters: later seeders use what earlier ones created.
SEEDERS: tuple[Seeder, ...] = (
    _seed_clinic,
    seed_intakes,  # right after the patients: the course planner reads the latest intake
    seed_consents,  # before the sessions: patients sign before their first session
    seed_courses,  # before the sessions, which then count as done
    seed_sessions,
)


def seed_demo(kiosk: Kiosk) -> DemoResult:
    existing = kiosk.patients.count()
    if existing:
        return DemoResult(
            False, f"Demo data not added: this database already holds {existing} patient(s), left as they are."
        )
    context = DemoContext(kiosk=kiosk, clock=kiosk.clock)
    with kiosk.store.write(DEMO_ACTOR) as tx:
        for seeder in SEEDERS:
            seeder(tx, context)
    return DemoResult(True, "Demo data added: " + "; ".join(context.notes) + ".")
