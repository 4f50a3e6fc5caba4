"""The clinic calendar (clinic data, ``resources/protocols/clinic_calendar.toml``): closed
weekdays and closures, and the calendar-day rules every planned date follows.

Dates are ``datetime.date`` only. A ``datetime`` is refused (it is a subclass of
``date``, so it would otherwise slip through) because a time with a zone can turn into
the day before or after; a course is about calendar days at the clinic.
"""

from __future__ import annotations

import calendar as _gregorian
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .data_checks import refuse_unknown_keys, shown_value
from .errors import ValidationError
from .text import clean_text

MAX_CLOSURE_DAYS = 366
MAX_CLOSURE_REASON_LENGTH = 120
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_CALENDAR_KEYS = frozenset({"closed_weekdays", "closures"})
_CLOSURE_KEYS = frozenset({"first_day", "last_day", "reason"})


class NotADateError(ValidationError, TypeError):
    """A date was expected and something else came (often a ``datetime``).

    It is a ``ValidationError`` so the UI can show it next to the field, and a
    ``TypeError`` because passing a datetime to the planner is a programming mistake.
    """


def require_date(value: object, field_name: str, label: str) -> date:
    """``value`` if it is a plain calendar date; a datetime or anything else is refused."""
    if isinstance(value, datetime):
        raise NotADateError.single(
            field_name,
            f"The {label} must be a calendar date, not a date and time"
            " (a time zone could move it to another day).",
        )
    if not isinstance(value, date):
        raise NotADateError.single(field_name, f"The {label} must be a calendar date.")
    return value


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months; the 31st becomes the last day of a shorter month."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    if not date.min.year <= year <= date.max.year:
        raise OverflowError("date out of range")
    last_day = _gregorian.monthrange(year, month)[1]
    return date(year, month, min(day.day, last_day))


@dataclass(frozen=True)
class Closure:
    """Days the clinic is closed, first and last day included."""

    first_day: date
    last_day: date
    reason: str | None = None

    def __post_init__(self) -> None:
        require_date(self.first_day, "first_day", "first closed day")
        require_date(self.last_day, "last_day", "last closed day")
        if self.last_day < self.first_day:
            raise ValidationError.single("last_day", "The last closed day is before the first closed day.")
        length = (self.last_day - self.first_day).days + 1
        if length > MAX_CLOSURE_DAYS:
            raise ValidationError.single(
                "last_day", f"A closure may last at most {MAX_CLOSURE_DAYS} days (this one lasts {length})."
            )

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class ClinicCalendar:
    """When the clinic is open: closed weekdays (0 = Monday) and closure date ranges."""

    closed_weekdays: frozenset[int] = frozenset()
    closures: tuple[Closure, ...] = ()

    def __post_init__(self) -> None:
        try:
            weekdays = frozenset(self.closed_weekdays)
        except TypeError:
            raise ValidationError.single("closed_weekdays", "Closed weekdays must be a set of day numbers.") from None
        if any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays):
            raise ValidationError.single("closed_weekdays", "Closed weekdays must be numbers 0 (Monday) to 6 (Sunday).")
        if len(weekdays) == 7:
            raise ValidationError.single(
                "closed_weekdays", "The clinic cannot be closed on every weekday: no session could ever be planned."
            )
        if not isinstance(self.closures, (list, tuple)) or not all(isinstance(c, Closure) for c in self.closures):
            raise ValidationError.single("closures", "Each closure must be a Closure.")
        object.__setattr__(self, "closed_weekdays", weekdays)
        object.__setattr__(self, "closures", tuple(sorted(self.closures, key=lambda c: (c.first_day, c.last_day))))

    def closure_on(self, day: date) -> Closure | None:
        day = require_date(day, "day", "day")
        return next((closure for closure in self.closures if closure.covers(day)), None)

    def is_open(self, day: date) -> bool:
        day = require_date(day, "day", "day")
        return day.weekday() not in self.closed_weekdays and self.closure_on(day) is None

    def next_open_day(self, day: date) -> date:
        """``day`` itself if the clinic is open then, else the first open day after it."""
        day = require_date(day, "day", "day")
        # Each step either returns, jumps past a closure (each closure at most once,
        # since the day only moves forward) or skips a closed weekday (at most six in a
        # row, because one weekday is always open). So this bound is never reached.
        try:
            for _ in range(8 * (len(self.closures) + 1)):
                closure = self.closure_on(day)
                if closure is not None:
                    day = closure.last_day + timedelta(days=1)
                elif day.weekday() in self.closed_weekdays:
                    day += timedelta(days=1)
                else:
                    return day
        except OverflowError:
            pass  # ran off the end of the calendar (year 9999)
        raise ValidationError.single("calendar", "The clinic calendar has no open day to plan a session on.")


def parse_clinic_calendar(data: object) -> ClinicCalendar:
    """The calendar from a parsed ``clinic_calendar.toml`` (the whole document, as a dict)."""
    if not isinstance(data, Mapping):
        raise ValidationError.single("calendar", "The clinic calendar file could not be read.")
    refuse_unknown_keys(data, _CALENDAR_KEYS, "calendar", "The clinic calendar")

    raw_weekdays = data.get("closed_weekdays", [])
    if not isinstance(raw_weekdays, list) or len(raw_weekdays) > 7:
        raise ValidationError.single(
            "closed_weekdays", 'closed_weekdays must be a list of day names, e.g. ["sunday"].'
        )
    weekdays = set()
    for name in raw_weekdays:
        key = name.strip().lower() if isinstance(name, str) else None
        if key not in WEEKDAY_NAMES:
            raise ValidationError.single(
                "closed_weekdays",
                f"closed_weekdays: {shown_value(name)} is not a day name; use monday, tuesday, ... sunday.",
            )
        weekdays.add(WEEKDAY_NAMES.index(key))

    raw_closures = data.get("closures", [])
    if not isinstance(raw_closures, list):
        raise ValidationError.single("closures", "closures must be [[closures]] blocks.")
    if len(raw_closures) > 1000:
        raise ValidationError.single("closures", "The clinic calendar has more than 1000 closures.")
    closures = tuple(_parse_closure(raw, n) for n, raw in enumerate(raw_closures, 1))
    return ClinicCalendar(closed_weekdays=frozenset(weekdays), closures=closures)


def _parse_closure(raw: object, n: int) -> Closure:
    path = f"closures[{n}]"
    where = f"Closure {n}"
    if not isinstance(raw, Mapping):
        raise ValidationError.single(path, f"{where} must have first_day and last_day.")
    refuse_unknown_keys(raw, _CLOSURE_KEYS, path, where)
    days = {}
    for key in ("first_day", "last_day"):
        value = raw.get(key)
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value.strip())
            except ValueError:
                pass
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValidationError.single(
                f"{path}.{key}", f"{where}: {key} must be a date written like 2026-12-24 (no time)."
            )
        days[key] = value
    try:
        reason = clean_text(raw.get("reason"), "reason", max_length=MAX_CLOSURE_REASON_LENGTH, label="reason")
        return Closure(first_day=days["first_day"], last_day=days["last_day"], reason=reason)
    except ValidationError as error:
        key = error.field
        raise ValidationError.single(f"{path}.{key}", f"{where}: {error.errors[key]}") from None
