"""The clinic's own settings: name, time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..domain.text import clean_text
from ..domain.errors import ValidationError
from ..store.db import Store
from ..store.settings import clinic_name, get_setting, put_setting


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


class ClinicService:
    def __init__(self, store: Store):
        self._store = store

    def profile(self) -> ClinicProfile:
        conn = self._store.conn
        return ClinicProfile(
            name=clinic_name(conn),
            timezone=get_setting(conn, "clinic.timezone"),  # type: ignore[arg-type]
        )

    def update(self, name: str, timezone: str | None, actor: str) -> ClinicProfile:
        clean_name = clean_text(name, "clinic_name", max_length=120, required=True, label="clinic name")
        if timezone:
            try:
                ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise ValidationError.single("timezone", "Choose a time zone such as Europe/Paris.") from error
        with self._store.write(actor) as tx:
            put_setting(tx, "clinic.name", clean_name)
            put_setting(tx, "clinic.timezone", timezone)
        return self.profile()
