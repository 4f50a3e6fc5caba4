"""Open an installation: data folder, database, clock and the services over them.

The GUI's composition root and every command-line command start here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

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
from .sessions import SessionService, no_consent_gate_yet


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

    def close(self) -> None:
        self.store.close()


def open_kiosk(data_dir: Path, *, now: Callable[[], datetime] | None = None) -> Kiosk:
    paths = prepare_data_dir(data_dir)
    clock_args = {} if now is None else {"now": now}
    provisional = Clock(tz=clinic_timezone(None), **clock_args)
    store = Store.open(paths.database, paths.audit_key, provisional.now_iso)
    clock = Clock(tz=clinic_timezone(get_setting(store.conn, "clinic.timezone")), **clock_args)  # type: ignore[arg-type]
    accounts = AccountService(store, clock)
    return Kiosk(
        paths=paths,
        store=store,
        clock=clock,
        clinic=ClinicService(store),
        patients=PatientService(store, clock),
        course=CourseService(store, clock),
        intake=IntakeService(store, clock),
        sessions=SessionService(store, clock, no_consent_gate_yet),
        accounts=accounts,
        consents=ConsentService(store, clock, accounts),
        export=ExportService(store, clock, paths, ClinicService(store)),
    )

