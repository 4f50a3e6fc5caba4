"""The course of sessions: protocols (clinic data), the clinic calendar, and the planner.

The planner is a pure function of its inputs, ``today`` included, so the same course
always projects to the same dates and every rule can be property-tested:

- Session 1 is on the course start (moved to the next open day if the clinic is closed).
- Every later session comes at least its phase's ``interval_days`` after the session
  before it (the minimum gap), or the consultant's override for that one session.
- Sessions already done keep their real dates. Only the rest of the plan moves.
- Nothing not yet done is planned before ``today`` or on a day the clinic is closed.

Overdue sessions. The next session is due ``interval`` days after the last one done
(``due_on``). When that day has already passed, the session is shown as OVERDUE: it keeps
``due_on`` so the timeline can say "due 23 March", and its ``date`` is re-planned to
today (or the next open day), because a visit cannot be booked in the past. Every later
session is then planned from that re-planned date, keeping the minimum gaps, so a late
visit shifts the whole rest of the course instead of squeezing it.

Dates are ``datetime.date`` only. A ``datetime`` is refused (it is a subclass of
``date``, so it would otherwise slip through) because a time with a zone can turn into
the day before or after; a course is about calendar days at the clinic.
"""

from __future__ import annotations

import calendar as _gregorian
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from .errors import ValidationError
from .text import clean_text

# Sanity bounds for clinic-edited data; they catch typing mistakes (700 instead of 7),
# they are not treatment rules (those live in resources/protocols/protocols.toml).
MAX_SESSIONS = 60
MAX_INTERVAL_DAYS = 365
MAX_MILESTONE_MONTHS = 120
MAX_MAINTENANCE_MONTHS = 24
MAX_CLOSURE_DAYS = 366
MAX_PROTOCOLS = 50
MAX_LABEL_LENGTH = 80
MAX_MILESTONE_TEXT_LENGTH = 300
MAX_CLOSURE_REASON_LENGTH = 120

_PROTOCOL_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_PROTOCOL_KEYS = frozenset({"label", "sessions", "phases", "milestones", "maintenance_every_months"})
_PHASE_KEYS = frozenset({"sessions", "interval_days", "min_interval_days"})
_MILESTONE_KEYS = frozenset({"anchor", "at", "text"})
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


# --------------------------------------------------------------------------------------
# Protocols


class MilestoneAnchor(StrEnum):
    SESSION = "session"  # on the date of session number ``at``
    MONTHS = "months"  # ``at`` months after the course start


@dataclass(frozen=True)
class Phase:
    """A run of sessions with the same gap before each of them."""

    sessions: int
    interval_days: int  # planned gap from the previous session, and the minimum gap
    min_interval_days: int  # the shortest gap a consultant may set by hand for one session


@dataclass(frozen=True)
class Milestone:
    """Something a patient may typically notice, worded for them, never a promise."""

    anchor: MilestoneAnchor
    at: int
    text: str


@dataclass(frozen=True)
class Protocol:
    id: str
    label: str
    sessions: int
    phases: tuple[Phase, ...]
    milestones: tuple[Milestone, ...] = ()
    maintenance_every_months: int | None = None

    def phase_of(self, number: int) -> Phase:
        """The phase session ``number`` (1-based) belongs to."""
        if not 1 <= number <= self.sessions:
            raise ValueError(f"protocol {self.id!r} has no session {number}")
        remaining = number
        for phase in self.phases:
            if remaining <= phase.sessions:
                return phase
            remaining -= phase.sessions
        raise ValueError(f"protocol {self.id!r}: phases do not cover session {number}")

    def interval_before(self, number: int) -> int | None:
        """Days from session ``number - 1`` to session ``number``; None for the first."""
        return None if number == 1 else self.phase_of(number).interval_days


def _whole_number(value: object, field_name: str, what: str, low: int, high: int) -> int:
    """An int in [low, high]; bools, floats (7.0 included), NaN and text are refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        shown = "nothing" if value is None else _shown(value)
        raise ValidationError.single(field_name, f"{what} must be a whole number from {low} to {high} (got {shown}).")
    if not low <= value <= high:
        raise ValidationError.single(field_name, f"{what} must be from {low} to {high} (got {value}).")
    return value


def _shown(value: object) -> str:
    """A short, safe rendering of a bad value for an error message."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _unknown_keys(body: Mapping, allowed: frozenset[str], field_name: str, where: str) -> None:
    unknown = sorted(str(key) for key in body if key not in allowed)
    if unknown:
        names = ", ".join(_shown(name) for name in unknown[:5])
        expected = ", ".join(sorted(allowed))
        raise ValidationError.single(
            field_name, f"{where} has a line the kiosk does not know: {names}. Expected only: {expected}."
        )


def parse_protocols(data: object) -> dict[str, Protocol]:
    """Every protocol of a parsed ``protocols.toml`` (the whole document, as a dict).

    All protocols are checked; the ``ValidationError`` holds one message per faulty
    protocol, each naming the protocol and the line at fault.
    """
    table = data.get("protocols") if isinstance(data, Mapping) else None
    if not isinstance(table, Mapping) or not table:
        raise ValidationError.single(
            "protocols", "The protocols file has no [protocols.<name>] sections, so no course can be planned."
        )
    if len(table) > MAX_PROTOCOLS:
        raise ValidationError.single("protocols", f"The protocols file has more than {MAX_PROTOCOLS} protocols.")
    protocols: dict[str, Protocol] = {}
    errors: dict[str, str] = {}
    for protocol_id, body in table.items():
        try:
            protocol = _parse_protocol(protocol_id, body)
        except ValidationError as error:
            errors.update(error.errors)
        else:
            protocols[protocol.id] = protocol
    if errors:
        raise ValidationError(errors)
    return protocols


def _parse_protocol(protocol_id: object, body: object) -> Protocol:
    if not isinstance(protocol_id, str) or not _PROTOCOL_ID_RE.match(protocol_id):
        raise ValidationError.single(
            f"protocols.{_shown(protocol_id)}",
            f"The protocol name {_shown(protocol_id)} may use only lower-case letters, digits and _,"
            " starting with a letter (at most 40 characters).",
        )
    where = f"Protocol '{protocol_id}'"
    path = f"protocols.{protocol_id}"
    if not isinstance(body, Mapping):
        raise ValidationError.single(path, f"{where} must be a section with label, sessions and phases.")
    _unknown_keys(body, _PROTOCOL_KEYS, path, where)

    try:
        label = clean_text(body.get("label"), "label", max_length=MAX_LABEL_LENGTH, required=True, label="label")
    except ValidationError as error:
        raise ValidationError.single(f"{path}.label", f"{where}: {error.errors['label']}") from None
    assert label is not None

    sessions = _whole_number(body.get("sessions"), f"{path}.sessions", f"{where}: sessions", 1, MAX_SESSIONS)

    maintenance = body.get("maintenance_every_months")
    if maintenance is not None:
        maintenance = _whole_number(
            maintenance,
            f"{path}.maintenance_every_months",
            f"{where}: maintenance_every_months",
            1,
            MAX_MAINTENANCE_MONTHS,
        )

    raw_phases = body.get("phases")
    if not isinstance(raw_phases, list) or not raw_phases:
        raise ValidationError.single(
            f"{path}.phases", f"{where} needs at least one [[protocols.{protocol_id}.phases]] block."
        )
    if len(raw_phases) > MAX_SESSIONS:
        raise ValidationError.single(f"{path}.phases", f"{where} has more phases than sessions.")
    phases = tuple(
        _parse_phase(raw, f"{path}.phases[{n}]", f"{where}, phase {n}") for n, raw in enumerate(raw_phases, 1)
    )
    in_phases = sum(phase.sessions for phase in phases)
    if in_phases != sessions:
        raise ValidationError.single(
            f"{path}.sessions",
            f"{where}: sessions is {sessions} but its phases add up to {in_phases} sessions; make them match.",
        )

    raw_milestones = body.get("milestones", [])
    if not isinstance(raw_milestones, list):
        raise ValidationError.single(f"{path}.milestones", f"{where}: milestones must be [[...milestones]] blocks.")
    if len(raw_milestones) > 2 * MAX_SESSIONS:
        raise ValidationError.single(f"{path}.milestones", f"{where} has too many milestones.")
    milestones = tuple(
        _parse_milestone(raw, sessions, f"{path}.milestones[{n}]", f"{where}, milestone {n}")
        for n, raw in enumerate(raw_milestones, 1)
    )
    return Protocol(
        id=protocol_id,
        label=label,
        sessions=sessions,
        phases=phases,
        milestones=milestones,
        maintenance_every_months=maintenance,
    )


def _parse_phase(raw: object, path: str, where: str) -> Phase:
    if not isinstance(raw, Mapping):
        raise ValidationError.single(path, f"{where} must have sessions and interval_days.")
    _unknown_keys(raw, _PHASE_KEYS, path, where)
    sessions = _whole_number(raw.get("sessions"), f"{path}.sessions", f"{where}: sessions", 1, MAX_SESSIONS)
    interval = _whole_number(
        raw.get("interval_days"), f"{path}.interval_days", f"{where}: interval_days", 1, MAX_INTERVAL_DAYS
    )
    minimum = raw.get("min_interval_days", interval)
    minimum = _whole_number(minimum, f"{path}.min_interval_days", f"{where}: min_interval_days", 1, interval)
    return Phase(sessions=sessions, interval_days=interval, min_interval_days=minimum)


def _parse_milestone(raw: object, sessions: int, path: str, where: str) -> Milestone:
    if not isinstance(raw, Mapping):
        raise ValidationError.single(path, f"{where} must have anchor, at and text.")
    _unknown_keys(raw, _MILESTONE_KEYS, path, where)
    anchor_value = raw.get("anchor")
    try:
        anchor = MilestoneAnchor(anchor_value)
    except (ValueError, TypeError):
        raise ValidationError.single(
            f"{path}.anchor",
            f'{where}: anchor must be "session" or "months" (got {_shown(anchor_value)}).',
        ) from None
    if anchor is MilestoneAnchor.SESSION:
        at = _whole_number(raw.get("at"), f"{path}.at", f"{where}: at (a session number)", 1, sessions)
    else:
        at = _whole_number(raw.get("at"), f"{path}.at", f"{where}: at (months)", 1, MAX_MILESTONE_MONTHS)
    try:
        text = clean_text(
            raw.get("text"), "text", max_length=MAX_MILESTONE_TEXT_LENGTH, required=True, label="milestone text"
        )
    except ValidationError as error:
        raise ValidationError.single(f"{path}.text", f"{where}: {error.errors['text']}") from None
    assert text is not None
    return Milestone(anchor=anchor, at=at, text=text)


# --------------------------------------------------------------------------------------
# The clinic calendar


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
    _unknown_keys(data, _CALENDAR_KEYS, "calendar", "The clinic calendar")

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
                f"closed_weekdays: {_shown(name)} is not a day name; use monday, tuesday, ... sunday.",
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
    _unknown_keys(raw, _CLOSURE_KEYS, path, where)
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


# --------------------------------------------------------------------------------------
# The projected course


class SessionStatus(StrEnum):
    DONE = "done"  # happened, on its real date
    DUE = "due"  # the next session to book, not late yet
    OVERDUE = "overdue"  # the next session, and its due date has passed
    PLANNED = "planned"  # a later session


@dataclass(frozen=True)
class PlannedSession:
    number: int  # 1-based position in the course
    date: date  # the real date if done, else the planned date (never past, never closed)
    status: SessionStatus
    done_on: date | None = None  # the real date, for done sessions
    due_on: date | None = None  # for the next session: when the protocol wanted it
    # Days the plan asks for since the previous session (the protocol's interval, or the
    # consultant's override for a session not yet done); None for session 1.
    gap_days: int | None = None

    @property
    def is_done(self) -> bool:
        return self.status is SessionStatus.DONE


@dataclass(frozen=True)
class MilestoneDate:
    milestone: Milestone
    date: date
    passed: bool  # the anchor session is done, or the month date is today or earlier

    @property
    def text(self) -> str:
        return self.milestone.text


@dataclass(frozen=True)
class ProjectedCourse:
    """What the planner returns: every session in order, and the milestones by date."""

    protocol: Protocol
    start: date
    today: date
    sessions: tuple[PlannedSession, ...]
    milestones: tuple[MilestoneDate, ...]
    maintenance_from: date | None  # first suggested maintenance visit, if the protocol has one

    @property
    def total(self) -> int:
        return len(self.sessions)

    @property
    def done_count(self) -> int:
        return sum(1 for session in self.sessions if session.is_done)

    @property
    def next_session(self) -> PlannedSession | None:
        return next((session for session in self.sessions if not session.is_done), None)

    @property
    def is_complete(self) -> bool:
        return self.done_count == self.total

    @property
    def last_date(self) -> date:
        return self.sessions[-1].date


@dataclass(frozen=True)
class Course:
    """What the consultant decides and the store keeps; ``project_course`` gives the dates.

    ``interval_overrides`` maps a session number (2 or more) to the days wanted between
    the session before it and that session, replacing the protocol's interval for that
    one gap. Overrides of sessions already done are ignored (they are history).
    """

    start: date
    protocol_id: str
    interval_overrides: Mapping[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_date(self.start, "start", "course start date")
        if not isinstance(self.protocol_id, str) or not _PROTOCOL_ID_RE.match(self.protocol_id):
            raise ValidationError.single("protocol_id", "Choose a protocol from the list.")
        overrides = _check_override_shape(self.interval_overrides)
        object.__setattr__(self, "interval_overrides", MappingProxyType(overrides))


def _check_override_shape(overrides: object) -> dict[int, int]:
    if overrides is None:
        return {}
    if not isinstance(overrides, Mapping):
        raise ValidationError.single("interval_overrides", "Interval changes must map a session number to days.")
    checked: dict[int, int] = {}
    for number, days in overrides.items():
        number = _whole_number(number, "interval_overrides", "The session whose interval is changed", 2, MAX_SESSIONS)
        checked[number] = _whole_number(
            days, f"interval_overrides.{number}", f"The days before session {number}", 1, MAX_INTERVAL_DAYS
        )
    return checked


def _gaps(protocol: Protocol, overrides: Mapping[int, int] | None, first_open: int) -> dict[int, int]:
    """Days before each session not yet done: the protocol's, or the consultant's override."""
    checked = _check_override_shape(overrides)
    gaps = {n: protocol.phase_of(n).interval_days for n in range(2, protocol.sessions + 1)}
    for number, days in checked.items():
        if number > protocol.sessions:
            raise ValidationError.single(
                f"interval_overrides.{number}", f"This protocol has only {protocol.sessions} sessions (not {number})."
            )
        if number < first_open:
            continue  # the session is done: its gap is history
        minimum = protocol.phase_of(number).min_interval_days
        if days < minimum:
            raise ValidationError.single(
                f"interval_overrides.{number}",
                f"Session {number} must be at least {minimum} days after session {number - 1}"
                f" (the protocol's minimum); {days} is too soon.",
            )
        gaps[number] = days
    return gaps


def _check_done(done: object, start: date, today: date, protocol: Protocol) -> list[date]:
    if not isinstance(done, (list, tuple)):
        raise ValidationError.single("done", "The sessions done must be given as a list of dates.")
    days = [require_date(day, "done", "date of a session done") for day in done]
    if len(days) > protocol.sessions:
        raise ValidationError.single(
            "done",
            f"{len(days)} sessions are already done, more than the {protocol.sessions} of the protocol"
            f" “{protocol.label}”; choose a longer protocol.",
        )
    days.sort()
    for earlier, later in zip(days, days[1:]):
        if earlier == later:
            raise ValidationError.single("done", f"Two sessions are recorded on the same day ({later.isoformat()}).")
    if days and days[0] < start:
        raise ValidationError.single(
            "start",
            f"The course start cannot be after the first session done ({days[0].isoformat()}).",
        )
    if days and days[-1] > today:
        raise ValidationError.single(
            "done", f"A session is recorded on {days[-1].isoformat()}, which is after today."
        )
    return days


def project(
    start: date,
    protocol: Protocol,
    done: Sequence[date],
    calendar: ClinicCalendar,
    today: date,
    interval_overrides: Mapping[int, int] | None = None,
) -> ProjectedCourse:
    """Plan the course: done sessions as they happened, the rest from today on.

    ``done`` holds the real dates of the sessions already given (any order; they are
    numbered by date). ``interval_overrides`` maps a session number to the days the
    consultant wants before it (at least its phase's ``min_interval_days``).
    Raises ``ValidationError`` (naming the field) for inputs that cannot make a plan,
    and ``NotADateError`` (also a ``TypeError``) for a datetime where a date belongs.
    """
    start = require_date(start, "start", "course start date")
    today = require_date(today, "today", "today's date")
    if not isinstance(protocol, Protocol):
        raise TypeError("project() needs a Protocol (see parse_protocols)")
    if not isinstance(calendar, ClinicCalendar):
        raise TypeError("project() needs a ClinicCalendar (see parse_clinic_calendar)")
    done_days = _check_done(done, start, today, protocol)
    gaps = _gaps(protocol, interval_overrides, first_open=len(done_days) + 1)
    try:
        sessions = _plan_sessions(start, protocol, done_days, calendar, today, gaps)
        milestones = _place_milestones(start, protocol, sessions, today)
        maintenance_from = None
        if protocol.maintenance_every_months:
            maintenance_from = calendar.next_open_day(add_months(sessions[-1].date, protocol.maintenance_every_months))
    except OverflowError:
        raise ValidationError.single("start", "These dates are too far in the future to plan a course.") from None
    return ProjectedCourse(
        protocol=protocol,
        start=start,
        today=today,
        sessions=sessions,
        milestones=milestones,
        maintenance_from=maintenance_from,
    )


def project_course(
    course: Course,
    protocols: Mapping[str, Protocol],
    done: Sequence[date],
    calendar: ClinicCalendar,
    today: date,
) -> ProjectedCourse:
    """``project`` for a stored ``Course``, looking its protocol up by id."""
    protocol = protocols.get(course.protocol_id)
    if protocol is None:
        raise ValidationError.single(
            "protocol_id", f"The protocol '{course.protocol_id}' is no longer offered; choose another one."
        )
    return project(course.start, protocol, done, calendar, today, dict(course.interval_overrides))


def _plan_sessions(
    start: date,
    protocol: Protocol,
    done_days: list[date],
    calendar: ClinicCalendar,
    today: date,
    gaps: Mapping[int, int],
) -> tuple[PlannedSession, ...]:
    sessions = [
        PlannedSession(
            number=n,
            date=day,
            status=SessionStatus.DONE,
            done_on=day,
            gap_days=protocol.interval_before(n),
        )
        for n, day in enumerate(done_days, 1)
    ]
    previous = done_days[-1] if done_days else None
    for n in range(len(done_days) + 1, protocol.sessions + 1):
        gap = gaps.get(n)
        target = start if previous is None else previous + timedelta(days=gap or 0)
        if n == len(done_days) + 1:
            # The next session: when the protocol wanted it, and when it can now be booked.
            due_on = calendar.next_open_day(target)
            day = calendar.next_open_day(max(due_on, today))
            status = SessionStatus.OVERDUE if due_on < today else SessionStatus.DUE
            session = PlannedSession(n, day, status, due_on=due_on, gap_days=gap)
        else:
            day = calendar.next_open_day(target)
            session = PlannedSession(n, day, SessionStatus.PLANNED, gap_days=gap)
        sessions.append(session)
        previous = day
    return tuple(sessions)


def _place_milestones(
    start: date, protocol: Protocol, sessions: tuple[PlannedSession, ...], today: date
) -> tuple[MilestoneDate, ...]:
    placed = []
    for milestone in protocol.milestones:
        if milestone.anchor is MilestoneAnchor.SESSION:
            session = sessions[milestone.at - 1]
            placed.append(MilestoneDate(milestone, session.date, passed=session.is_done))
        else:
            # Not a visit, so it stays on its calendar date even when the clinic is closed.
            day = add_months(start, milestone.at)
            placed.append(MilestoneDate(milestone, day, passed=day <= today))
    return tuple(sorted(placed, key=lambda m: m.date))
