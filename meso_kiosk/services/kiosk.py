"""Open an installation: data folder, database, clock and the services over them.

The GUI's composition root and every command-line command start here.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..config import DataPaths, prepare_data_dir, tighten
from ..domain.clock import Clock
from ..store.db import Store
from ..store.settings import get_setting
from .accounts import AccountService
from .clinic import ClinicService, clinic_timezone
from .clinic_data import ClinicData
from .text_size import TextSizeService

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from ..domain.clinic_settings import ClinicSettings
    from .consent import ConsentService
    from .course import CourseService
    from .export import ExportService
    from .intake import IntakeService
    from .patients import PatientService
    from .photos import PhotoService
    from .seal import MakeSeal, SealService
    from .sessions import SessionService


class Kiosk:
    """One open installation and its services.

    The services a locked app needs (accounts, clinic) exist at once; the others are made,
    and their modules imported, the first time they are used: a command imports only the
    services it uses. Each is made once and then kept.
    """

    def __init__(self, paths: DataPaths, store: Store, clock: Clock, accounts: AccountService,
                 *, make_seal: MakeSeal | None = None, tightened: list[str] | None = None):
        self.paths = paths
        # What the open made private (readable by other users before): said once, by the caller.
        self.tightened: list[str] = list(tightened or ())
        self.store = store
        self.clock = clock
        self.accounts = accounts
        self._make_seal = make_seal
        # The clinic's data files, each read once for every service (none before it is used).
        self.clinic_data = ClinicData()
        self.clinic = ClinicService(store, clock, self.clinic_data)
        self.clinic.add_listener(self._seal_follows_name)
        self.text_size = TextSizeService(store)  # the display's, read before the lock screen shows

    @cached_property
    def patients(self) -> PatientService:
        from .patients import PatientService

        return PatientService(self.store, self.clock)

    @cached_property
    def course(self) -> CourseService:
        from .course import CourseService

        return CourseService(self.store, self.clock, self.clinic_data, self.clinic)

    @cached_property
    def intake(self) -> IntakeService:
        from .intake import IntakeService

        return IntakeService(self.store, self.clock, self.clinic_data)

    @cached_property
    def consents(self) -> ConsentService:
        from .consent import ConsentService

        return ConsentService(self.store, self.clock, self.accounts, self.clinic_data, clinic=self.clinic,
                              course=self.course)

    @cached_property
    def sessions(self) -> SessionService:
        from .sessions import SessionService

        return SessionService(self.store, self.clock, self.consents.consent_gate, self.clinic_data)

    @cached_property
    def photos(self) -> PhotoService:
        """Progress photos, under the patient's photo consent (files in the data folder's photos/)."""
        from .photos import PhotoService

        return PhotoService(self.store, self.clock, self.clinic_data, self.paths.root)

    @cached_property
    def seal(self) -> SealService:
        """The clinic's seal, one for the exports and the rename that renews it."""
        from .seal import SealService

        return SealService(self.store, self.paths.seal, make_seal=self._make_seal)

    @cached_property
    def export(self) -> ExportService:
        from .export import ExportService
        from .summary import SummarySources

        sources = SummarySources(self.intake, self.sessions, self.course, self.consents, self.photos)
        return ExportService(self.store, self.clock, self.paths, self.clinic, sources, seal=self.seal)

    def _seal_follows_name(self, settings: ClinicSettings, changed: frozenset[str], actor: str) -> None:
        """A rename makes a seal certificate in the new name. The rename is stored already: if the
        seal cannot be renewed now, it says so and the next export renews it (``SealService.sealer``)."""
        if "name" not in changed or not self.seal.key_file.exists():
            return  # no seal yet: the first export makes one in the name of the day
        from ..reports.pades import SealError

        try:
            self.seal.follow_name(settings.name, actor)
            notice = self.seal.imported_name_notice(settings.name)
        except (SealError, OSError, sqlite3.Error) as error:
            print(f"meso-kiosk: the clinic was renamed but its seal was not renewed: {error}; the next export "
                  "retries", file=sys.stderr)
            return
        if notice:
            print(f"meso-kiosk: {notice}", file=sys.stderr)

    def close(self) -> None:
        self.store.close()


def open_kiosk_read_only(data_dir: Path) -> Kiosk:
    """An installation whose folder cannot be written, opened to rescue what it holds (backup,
    verify): nothing is created, migrated or written, and every write is refused."""
    paths = DataPaths(data_dir)
    provisional = Clock(tz=clinic_timezone(None))
    store = Store.open_read_only(paths.database, paths.audit_key, provisional.now_iso)
    try:
        clock = Clock(tz=clinic_timezone(get_setting(store.conn, "clinic.timezone")))  # type: ignore[arg-type]
        return Kiosk(paths, store, clock, AccountService(store, clock))
    except BaseException:
        store.close()
        raise


def open_kiosk(data_dir: Path, *, now: Callable[[], datetime] | None = None,
               pin_hasher: PasswordHasher | None = None, make_seal: MakeSeal | None = None,
               check_in_background: bool = False) -> Kiosk:
    """Open an installation; ``pin_hasher`` and ``make_seal`` let tests and benchmarks use cheap
    Argon2 parameters and a cheap seal key.

    ``check_in_background``: the database's open-time quick_check may still be running when
    this returns (the GUI's cold start); every write waits for it (``Store.write``).
    """
    paths = prepare_data_dir(data_dir)
    clock_args = {} if now is None else {"now": now}
    provisional = Clock(tz=clinic_timezone(None), **clock_args)
    store = Store.open(paths.database, paths.audit_key, provisional.now_iso, check_in_background=check_in_background)
    try:
        clock = Clock(tz=clinic_timezone(get_setting(store.conn, "clinic.timezone")), **clock_args)  # type: ignore[arg-type]
        return Kiosk(paths, store, clock, AccountService(store, clock, hasher=pin_hasher), make_seal=make_seal,
                     tightened=tighten(paths))
    except BaseException as error:
        try:
            if isinstance(error, sqlite3.DatabaseError):
                store.wait_for_integrity()  # a damaged file: the check's verdict says so better
        finally:
            store.close()
        raise
