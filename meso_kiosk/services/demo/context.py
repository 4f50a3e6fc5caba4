"""What the demo seeders share: the open installation and what earlier seeders created."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ...domain.clock import Clock
from ...domain.errors import ValidationError
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

    def patient(self, ref: object, where: str) -> Patient:
        """A demo patient by name as demo/clinic.toml writes it ("given family"), or by position in
        that file: a name still finds its patient when patients are added above it."""
        if isinstance(ref, int) and not isinstance(ref, bool) and 0 <= ref < len(self.patients):
            return self.patients[ref]
        found = [p for p in self.patients if f"{p.given_name} {p.family_name}" == ref]
        if len(found) != 1:
            raise ValidationError.single(
                "patient", f"{where}: no single demo patient {ref!r} in demo/clinic.toml (write \"given family\").")
        return found[0]


# A seeder receives the open transaction and the context, and adds its records.
Seeder = Callable[[Transaction, DemoContext], None]
