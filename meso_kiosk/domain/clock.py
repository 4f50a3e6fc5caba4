"""Time: stored in UTC ISO-8601, shown and reasoned about in the clinic's local time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone, tzinfo
from typing import Callable


def utc_iso(moment: datetime) -> str:
    """The one format timestamps are stored in: ``2026-11-22T09:15:03.120000+00:00``."""
    if moment.tzinfo is None:
        raise ValueError("refusing a naive datetime: say which time zone it is in")
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_utc_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"stored timestamp without a time zone: {text!r}")
    return moment.astimezone(timezone.utc)


def _system_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Clock:
    """The clinic's notion of now. Tests pass a fixed ``now``. One clock is shared by every
    service, so when the clinic moves its time zone (``move_to``) all of them follow at once."""

    tz: tzinfo
    now: Callable[[], datetime] = _system_now

    def move_to(self, tz: tzinfo) -> None:
        self.tz = tz

    def now_utc(self) -> datetime:
        return self.now().astimezone(timezone.utc)

    def now_iso(self) -> str:
        return utc_iso(self.now_utc())

    def today(self) -> date:
        """Today's date at the clinic (not in UTC, which may already be tomorrow)."""
        return self.now_utc().astimezone(self.tz).date()

    def local(self, moment: datetime | str) -> datetime:
        if isinstance(moment, str):
            moment = parse_utc_iso(moment)
        return moment.astimezone(self.tz)

    def format_local(self, moment: datetime | str, *, with_offset: bool = False) -> str:
        local = self.local(moment)
        text = local.strftime("%d %b %Y, %H:%M")
        if with_offset:
            text += f" (UTC{local.strftime('%z')[:3]}:{local.strftime('%z')[3:]})"
        return text
