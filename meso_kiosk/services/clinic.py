"""The clinic's identity and policies (``domain.clinic_settings``), stored as audited settings.

Whoever shows them listens (``add_listener``): a change takes effect without a restart —
the shared clock moves to a new time zone at once, the lock screen shows a new name, and
the installation makes a seal certificate in it (``services.kiosk``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Callable, Literal, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..domain.clinic_settings import SETTING_KEYS, ClinicSettings, check_changes, from_stored, to_stored
from ..domain.clock import Clock
from ..domain.errors import ValidationError
from ..store.db import Store
from ..store.logos import Logo, keep_logo, read_logo
from ..store.settings import clinic_name, get_setting, get_settings, put_setting
from .clinic_data import ClinicData
from .printable import check_printable

# Told after every change: the settings now, the names of the fields that changed, who changed them.
ClinicListener = Callable[[ClinicSettings, frozenset[str], str], None]


@dataclass(frozen=True)
class ClinicProfile:
    name: str
    timezone: str | None


def system_timezone() -> tzinfo:
    return datetime.now().astimezone().tzinfo  # type: ignore[return-value]


def clinic_timezone(name: str | None) -> tzinfo:
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return system_timezone()


# Printed in every PDF's header beyond what the validator's character checks already hold (the phone
# and e-mail are plain ASCII there).
PRINTED_FIELDS = ("name", "address")


class ClinicService:
    def __init__(self, store: Store, clock: Clock, clinic_data: ClinicData):
        self._store = store
        self._clock = clock
        self._clinic_data = clinic_data
        self._listeners: list[ClinicListener] = []

    def add_listener(self, listener: ClinicListener) -> None:
        self._listeners.append(listener)

    def profile(self) -> ClinicProfile:
        """Name and time zone only: cheap, for a header or a locked window."""
        conn = self._store.conn
        return ClinicProfile(
            name=clinic_name(conn),
            timezone=get_setting(conn, "clinic.timezone"),  # type: ignore[arg-type]
        )

    def settings(self) -> ClinicSettings:
        rows = get_settings(self._store.conn, SETTING_KEYS.values())
        return from_stored(rows, self._protocol_ids())

    def update(self, changes: Mapping[str, object], actor: str, *,
               logo: bytes | None | Literal["keep"] = "keep") -> ClinicSettings:
        """Apply ``changes`` (field → value as typed) and ``logo`` (PNG or JPEG bytes, checked and
        scaled; None: no logo) in one transaction, each changed setting audited;
        ``ValidationError`` names every field at fault and nothing is stored then."""
        current = self.settings()
        errors: dict[str, str] = {}
        wanted, picture = current, None
        try:
            wanted = check_changes(current, changes, self._protocol_ids())
            check_printable({field: getattr(wanted, field) for field in PRINTED_FIELDS
                             if field in changes and getattr(wanted, field) != getattr(current, field)})
        except ValidationError as error:
            errors.update(error.errors)
        if isinstance(logo, bytes):
            from .clinic_logo import prepare_logo

            try:
                picture = prepare_logo(logo)
            except ValidationError as error:
                errors.update(error.errors)
        if errors:
            raise ValidationError(errors)
        if logo != "keep":
            wanted = replace(wanted, logo=None if picture is None else picture.sha256)
        return self._store_settings(current, wanted, actor, logo=picture)

    def logo(self) -> Logo | None:
        sha256 = self.settings().logo
        return None if sha256 is None else read_logo(self._store.conn, sha256)

    def set_logo(self, data: bytes | None, actor: str) -> ClinicSettings:
        """Use the picture in ``data`` as the logo (None: no logo); earlier logos stay in the
        database, as in the documents that printed them."""
        return self.update({}, actor, logo=data)

    def _store_settings(self, current: ClinicSettings, wanted: ClinicSettings, actor: str, *,
                        logo: Logo | None = None) -> ClinicSettings:
        """Store what differs, audited, in one transaction with ``logo`` (the picture the new
        setting names, kept once)."""
        before, after = to_stored(current), to_stored(wanted)
        changed_keys = [key for key, value in after.items() if before[key] != value]
        if not changed_keys:
            return current
        with self._store.write(actor) as tx:
            if logo is not None:
                keep_logo(tx, logo)
            for key in changed_keys:
                put_setting(tx, key, after[key])
        fields = frozenset(name for name, key in SETTING_KEYS.items() if key in changed_keys)
        if "timezone" in fields:
            self._clock.move_to(clinic_timezone(wanted.timezone))
        for listener in self._listeners:
            listener(wanted, fields, actor)
        return wanted

    def _protocol_ids(self) -> frozenset[str]:
        return frozenset(self._clinic_data.protocols())
