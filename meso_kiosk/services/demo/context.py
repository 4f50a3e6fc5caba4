"""What the demo seeders share: the open installation and what earlier seeders created."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ...domain.clock import Clock
from ...domain.patient import Patient
from ...store.consultants import ConsultantRow
from ...store.db import Transaction
from ..kiosk import Kiosk

DEMO_ACTOR = "demo-seed"


@dataclass
class DemoContext:
    """What earlier seeders created, for later ones to build on."""

    kiosk: Kiosk
    clock: Clock
    consultants: list[ConsultantRow] = field(default_factory=list)
    patients: list[Patient] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # one phrase per seeder for the summary line


# A seeder receives the open transaction and the context, and adds its records.
Seeder = Callable[[Transaction, DemoContext], None]
