"""Seed an empty installation with a fictional clinic, so a newcomer sees a living app.

Each feature adds its own records through a seeder in this package: a function that
receives the open transaction and what was seeded before it (the ``DemoContext``), and
adds realistic rows (patients mid-course, closed sessions, signed consents). Seeders run
in order, all in one transaction: the demo appears whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..clinic import clinic_timezone
from ..kiosk import Kiosk
from .clinic import seed_clinic
from .consents import seed_consents
from .context import DEMO_ACTOR, DemoContext, Seeder
from .courses import seed_courses
from .intakes import seed_intakes
from .photos import seed_photos
from .sessions import seed_sessions


@dataclass(frozen=True)
class DemoResult:
    seeded: bool
    message: str


# Order matters: later seeders use what earlier ones created.
SEEDERS: tuple[Seeder, ...] = (
    seed_clinic,
    seed_intakes,  # right after the patients: the course planner reads the latest intake
    seed_consents,  # before the sessions: patients sign before their first session
    seed_courses,  # before the sessions, which then count as done
    seed_sessions,
    seed_photos,  # after the sessions: a set of photos at each one
)


def seed_demo(kiosk: Kiosk) -> DemoResult:
    existing = kiosk.patients.count()
    if existing:
        return DemoResult(
            False, f"Demo data not added: this database already holds {existing} patient(s), left as they are."
        )
    # The demo clinic's own time zone from the start, so its records fall on its days and the
    # first run shows its times as every later start does (not UTC, then an hour off).
    before = kiosk.clock.tz
    kiosk.clock.move_to(clinic_timezone(kiosk.clinic_data.demo_clinic_settings().timezone))
    context = DemoContext(kiosk=kiosk, clock=kiosk.clock)
    try:
        with kiosk.store.write(DEMO_ACTOR) as tx:
            for seeder in SEEDERS:
                seeder(tx, context)
    except BaseException:
        kiosk.clock.move_to(before)
        raise
    return DemoResult(True, "Demo data added: " + "; ".join(context.notes) + ".")
