"""The course of sessions and its planner, over a ``Protocol`` and the ``ClinicCalendar``.

The planner is a pure function of its inputs, ``today`` included, so the same course
always projects to the same dates and every rule can be property-tested:

- Session 1 is on the course start (moved to the next open day if the clinic is closed).
- Every later session comes at least its phase's ``interval_days`` after the session
  before it (the minimum gap), or the consultant's override for that one session.
- Sessions already done keep their real dates. Only the rest of the plan moves.
- Nothing not yet done is planned before ``today`` or on a day the clinic is closed.
- A session moved off a closed day moves alone: the sessions after it stay on the course's
  weekday, whole weeks later when the minimum gap after the moved one asks for it.

Overdue sessions. The next session is due ``interval`` days after the last one done
(``due_on``). When that day has already passed, the session is shown as OVERDUE: it keeps
``due_on`` so the timeline can say "due 23 March", and its ``date`` is re-planned to
today (or the next open day), because a visit cannot be booked in the past. Every later
session is then planned from that re-planned date, keeping the minimum gaps, so a late
visit shifts the whole rest of the course instead of squeezing it.

Dates are calendar dates only (``clinic_calendar.require_date``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from .clinic_calendar import ClinicCalendar, add_months, require_date
from .data_checks import whole_number
from .errors import ValidationError
from .protocol import MAX_INTERVAL_DAYS, MAX_SESSIONS, PROTOCOL_ID_RE, Milestone, MilestoneAnchor, Protocol


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


class DueState(StrEnum):
    """How a planned session stands on a given day, in the words a patient reads it."""

    DONE = "done"
    DUE_TODAY = "due_today"  # booked for today: the patient is seen today, not late
    DUE = "due"
    OVERDUE = "overdue"
    PLANNED = "planned"


def due_state(session: PlannedSession, today: date) -> DueState:
    """``session``'s state on ``today`` (the clinic's local date): a session booked for today is
    due today, even when the protocol wanted it earlier (its ``due_on`` still says when)."""
    if session.status is SessionStatus.DONE:
        return DueState.DONE
    if session.status is SessionStatus.PLANNED:
        return DueState.PLANNED
    if session.date == today:
        return DueState.DUE_TODAY
    return DueState.OVERDUE if session.status is SessionStatus.OVERDUE else DueState.DUE


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
        if not isinstance(self.protocol_id, str) or not PROTOCOL_ID_RE.match(self.protocol_id):
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
        number = whole_number(number, "interval_overrides", "The session whose interval is changed", 2, MAX_SESSIONS)
        checked[number] = whole_number(
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
    # Each session has its place on the course's grid (where it belongs had no closure moved
    # anything) and its day (the grid place, or the next open day after it). Later sessions
    # count from the grid, so one session moved off a holiday leaves the rest on their usual
    # weekday rather than dragging every later one to the day after the holiday.
    previous: tuple[date, date] | None = None  # (grid place, day) of the session before
    for n, day in enumerate(done_days, 1):
        place = _grid_place(start, previous, gaps.get(n) or 0)
        # A visit on the day it was planned (moved off a closure) keeps its grid place.
        previous = (place if calendar.next_open_day(place) == day else day, day)
    for n in range(len(done_days) + 1, protocol.sessions + 1):
        gap = gaps.get(n)
        place = _grid_place(start, previous, gap or 0)
        if n == len(done_days) + 1:
            # The next session: when the protocol wanted it, and when it can now be booked.
            due_on = calendar.next_open_day(place)
            day = calendar.next_open_day(max(due_on, today))
            status = SessionStatus.OVERDUE if due_on < today else SessionStatus.DUE
            session = PlannedSession(n, day, status, due_on=due_on, gap_days=gap)
            if status is SessionStatus.OVERDUE:
                place = day  # a late visit moves the rest of the plan with it
        else:
            day = calendar.next_open_day(place)
            session = PlannedSession(n, day, SessionStatus.PLANNED, gap_days=gap)
        sessions.append(session)
        previous = (place, day)
    return tuple(sessions)


def _grid_place(start: date, previous: tuple[date, date] | None, gap: int) -> date:
    """Where a session belongs: ``gap`` days after the previous session's grid place, and
    whole weeks later when that is less than ``gap`` days after the previous session's real
    day (it was moved off a closure), so the minimum gap holds and the weekday stays."""
    if previous is None:
        return start
    place, day = previous
    wanted, earliest = place + timedelta(days=gap), day + timedelta(days=gap)
    if wanted >= earliest:
        return wanted
    weeks = -(-(earliest - wanted).days // 7)
    return wanted + timedelta(weeks=weeks)


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
