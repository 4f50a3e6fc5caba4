"""Open an installation: data folder, database, clock and the services over them.

The GUI's composition root and every command-line command start here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from argon2 import PasswordHasher

from ..config import DataPaths, prepare_data_dir
from ..domain.clock import Clock
from ..store.db import Store
from ..store.settings import get_setting
from .accounts import AccountService
from .clinic import ClinicService, clinic_timezone
from .consent import ConsentService
from .course import CourseService
from .export import ExportService
from .intake import IntakeService
from .patients import PatientService
from .sessions import SessionService


@dataclass
class Kiosk:
    paths: DataPaths
    store: Store
    clock: Clock
    clinic: ClinicService
    patients: PatientService
    course: CourseService
    intake: IntakeService
    sessions: SessionService
    accounts: AccountService
    consents: ConsentService
    export: ExportService

    def __post_init__(self) -> None:
        # The summary PDF reads the whole consultation through the other services.
        self.export.attach(intake=self.intake, sessions=self.sessions, course=self.course, consents=self.consents)

    def close(self) -> None:
        self.store.close()


def open_kiosk(data_dir: Path, *, now: Callable[[], datetime] | None = None,
               pin_hasher: PasswordHasher | None = None) -> Kiosk:
    """Open an installation; ``pin_hasher`` lets tests and benchmarks use cheap Argon2 parameters."""
    paths = prepare_data_dir(data_dir)
    clock_args = {} if now is None else {"now": now}
    provisional = Clock(tz=clinic_timezone(None), **clock_args)
    store = Store.open(paths.database, paths.audit_key, provisional.now_iso)
    clock = Clock(tz=clinic_timezone(get_setting(store.conn, "clinic.timezone")), **clock_args)  # type: ignore[arg-type]
    accounts = AccountService(store, clock, hasher=pin_hasher)
    consents = ConsentService(store, clock, accounts)
    return Kiosk(
        paths=paths,
        store=store,
        clock=clock,
        clinic=ClinicService(store),
        patients=PatientService(store, clock),
        course=CourseService(store, clock),
        intake=IntakeService(store, clock),
        sessions=SessionService(store, clock, consents.consent_gate),
        accounts=accounts,
        consents=consents,
        export=ExportService(store, clock, paths, ClinicService(store)),
    )

