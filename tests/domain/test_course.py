"""The course planner over protocols and the clinic calendar, and the shipped planning data."""

from __future__ import annotations

import math
import tomllib
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from meso_kiosk.domain.clinic_calendar import (
    ClinicCalendar,
    Closure,
    NotADateError,
    add_months,
    parse_clinic_calendar,
)
from meso_kiosk.domain.course import Course, SessionStatus, project, project_course
from meso_kiosk.domain.protocol import MilestoneAnchor, Protocol, parse_protocols
from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.severity import parse_severity_rules, suggest_severity
from meso_kiosk.resources import resource_path

SUNDAY = 6
OPEN_EVERY_DAY = ClinicCalendar()
CLOSED_SUNDAYS = ClinicCalendar(closed_weekdays=frozenset({SUNDAY}))


def _load(name: str) -> dict:
    with resource_path(name).open("rb") as handle:
        return tomllib.load(handle)


@pytest.fixture(scope="module")
def shipped() -> dict:
    return _load("protocols/protocols.toml")


@pytest.fixture(scope="module")
def protocols(shipped) -> dict[str, Protocol]:
    return parse_protocols(shipped)


@pytest.fixture(scope="module")
def clinic_calendar() -> ClinicCalendar:
    return parse_clinic_calendar(_load("protocols/clinic_calendar.toml"))


def one_protocol(body: dict, protocol_id: str = "test") -> Protocol:
    return parse_protocols({"protocols": {protocol_id: body}})[protocol_id]


def dates_of(course) -> list[date]:
    return [session.date for session in course.sessions]


# --------------------------------------------------------------------------------------
# Strategies


@st.composite
def random_protocols(draw) -> Protocol:
    phases = []
    for _ in range(draw(st.integers(1, 4))):
        interval = draw(st.integers(1, 60))
        phases.append(
            {
                "sessions": draw(st.integers(1, 6)),
                "interval_days": interval,
                "min_interval_days": draw(st.integers(1, interval)),
            }
        )
    total = sum(phase["sessions"] for phase in phases)
    session_milestone = st.builds(
        lambda at: {"anchor": "session", "at": at, "text": "Shedding usually slows around here."},
        st.integers(1, total),
    )
    month_milestone = st.builds(
        lambda at: {"anchor": "months", "at": at, "text": "Visible change is usually seen after some months."},
        st.integers(1, 24),
    )
    body = {
        "label": "Random protocol",
        "sessions": total,
        "phases": phases,
        "milestones": draw(st.lists(st.one_of(session_milestone, month_milestone), max_size=4)),
    }
    if draw(st.booleans()):
        body["maintenance_every_months"] = draw(st.integers(1, 12))
    return one_protocol(body, "random")


@st.composite
def random_calendars(draw, around: date) -> ClinicCalendar:
    closed = draw(st.sets(st.integers(0, 6), max_size=6))  # never all seven
    closures = []
    for _ in range(draw(st.integers(0, 6))):
        first = around + timedelta(days=draw(st.integers(-30, 500)))
        last = first + timedelta(days=draw(st.integers(0, 45)))
        closures.append(Closure(first, last, "Closed"))
    return ClinicCalendar(closed_weekdays=frozenset(closed), closures=tuple(closures))


@st.composite
def scenarios(draw, with_overrides: bool = False):
    protocol = draw(random_protocols())
    start = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
    calendar = draw(random_calendars(start))
    n_done = draw(st.integers(0, protocol.sessions))
    # Real visits: on time, early, late by weeks, or after a long missed stretch.
    gaps = draw(st.lists(st.integers(1, 120), min_size=n_done, max_size=n_done))
    done: list[date] = []
    day = start + timedelta(days=draw(st.integers(0, 30)))
    for gap in gaps:
        done.append(day)
        day += timedelta(days=gap)
    if done:
        today = done[-1] + timedelta(days=draw(st.integers(0, 200)))
    else:
        today = start + timedelta(days=draw(st.integers(-60, 200)))
    overrides = None
    if with_overrides:
        overrides = {}
        for number in draw(st.sets(st.integers(2, max(2, protocol.sessions)), max_size=4)):
            if number <= protocol.sessions:
                phase = protocol.phase_of(number)
                overrides[number] = draw(st.integers(phase.min_interval_days, 90))
    return protocol, start, calendar, done, today, overrides


# --------------------------------------------------------------------------------------
# Properties of the planner


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_planner_properties(scenario):
    protocol, start, calendar, done, today, _ = scenario
    course = project(start, protocol, done, calendar, today)

    assert course.total == protocol.sessions
    assert [s.number for s in course.sessions] == list(range(1, protocol.sessions + 1))
    assert course.done_count == len(done)
    assert [s.date for s in course.sessions if s.is_done] == done  # history is kept as it was
    assert all(s.done_on == s.date for s in course.sessions if s.is_done)

    days = dates_of(course)
    assert all(a < b for a, b in zip(days, days[1:])), "planned dates must strictly increase"

    for previous, session in zip((None, *course.sessions), course.sessions):
        if session.is_done:
            continue
        assert session.date >= today, "nothing is planned in the past"
        assert calendar.is_open(session.date), "nothing is planned on a closed day"
        if previous is not None:
            interval = protocol.phase_of(session.number).interval_days
            assert (session.date - previous.date).days >= interval, "minimum spacing kept"


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_statuses_and_due_dates(scenario):
    protocol, start, calendar, done, today, _ = scenario
    course = project(start, protocol, done, calendar, today)
    upcoming = [s for s in course.sessions if not s.is_done]
    if not upcoming:
        assert course.is_complete and course.next_session is None
        return
    following, *rest = upcoming
    assert course.next_session == following
    assert all(s.status is SessionStatus.PLANNED for s in rest)
    assert following.due_on is not None and calendar.is_open(following.due_on)
    if following.status is SessionStatus.OVERDUE:
        assert following.due_on < today
        assert following.date == calendar.next_open_day(today)  # re-planned from today
    else:
        assert following.status is SessionStatus.DUE
        assert following.due_on >= today and following.date == following.due_on
    if done:
        assert following.due_on >= done[-1] + timedelta(days=protocol.interval_before(following.number))
    else:
        assert following.due_on == calendar.next_open_day(start)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_milestones_land_on_or_after_their_anchor(scenario):
    protocol, start, calendar, done, today, _ = scenario
    course = project(start, protocol, done, calendar, today)
    assert len(course.milestones) == len(protocol.milestones)
    assert [m.date for m in course.milestones] == sorted(m.date for m in course.milestones)
    for placed in course.milestones:
        milestone = placed.milestone
        if milestone.anchor is MilestoneAnchor.SESSION:
            session = course.sessions[milestone.at - 1]
            assert placed.date == session.date
            assert placed.passed == session.is_done
        else:
            anchor = add_months(start, milestone.at)
            assert placed.date >= anchor > start
            assert placed.passed == (placed.date <= today)
    if protocol.maintenance_every_months:
        assert course.maintenance_from > course.last_date
        assert calendar.is_open(course.maintenance_from)
    else:
        assert course.maintenance_from is None


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(with_overrides=True))
def test_interval_overrides_keep_every_rule(scenario):
    protocol, start, calendar, done, today, overrides = scenario
    course = project(start, protocol, done, calendar, today, overrides)
    days = dates_of(course)
    assert all(a < b for a, b in zip(days, days[1:]))
    for previous, session in zip(course.sessions, course.sessions[1:]):
        if session.is_done:
            continue
        wanted = overrides.get(session.number, protocol.phase_of(session.number).interval_days)
        gap = (session.date - previous.date).days
        assert gap >= wanted >= protocol.phase_of(session.number).min_interval_days
        assert session.date >= today and calendar.is_open(session.date)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_a_visit_on_its_planned_date_changes_nothing_else(scenario):
    protocol, start, calendar, done, today, _ = scenario
    course = project(start, protocol, done, calendar, today)
    following = course.next_session
    assume(following is not None)
    after = project(start, protocol, [*done, following.date], calendar, following.date)
    assert dates_of(after) == dates_of(course)
    assert after.sessions[following.number - 1].status is SessionStatus.DONE


@settings(max_examples=300)
@given(st.data())
def test_next_open_day_is_the_first_open_day(data):
    day = data.draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
    calendar = data.draw(random_calendars(day))
    found = calendar.next_open_day(day)
    assert found >= day and calendar.is_open(found)
    probe = day
    while probe < found:
        assert not calendar.is_open(probe)
        probe += timedelta(days=1)


# --------------------------------------------------------------------------------------
# Worked examples


def test_patient_ten_days_late_shifts_the_rest_and_keeps_spacing(protocols):
    moderate = protocols["moderate"]  # weekly x4, then every two weeks x4
    start = date(2026, 3, 2)  # a Monday
    on_time = [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]
    planned = project(start, moderate, on_time, CLOSED_SUNDAYS, today=date(2026, 3, 16))
    assert planned.sessions[3].date == date(2026, 3, 23)

    late = project(start, moderate, [*on_time, date(2026, 4, 2)], CLOSED_SUNDAYS, today=date(2026, 4, 2))
    assert dates_of(late) == [
        *on_time,
        date(2026, 4, 2),  # session 4, ten days after it was due, as it happened
        date(2026, 4, 16),  # then every two weeks from the real visit
        date(2026, 4, 30),
        date(2026, 5, 14),
        date(2026, 5, 28),
    ]
    assert [s.status for s in late.sessions[4:]] == [SessionStatus.DUE] + [SessionStatus.PLANNED] * 3


def test_missed_visit_is_overdue_and_replanned_from_today(protocols):
    moderate = protocols["moderate"]
    done = [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]
    course = project(date(2026, 3, 2), moderate, done, CLOSED_SUNDAYS, today=date(2026, 3, 26))
    fourth = course.sessions[3]
    assert fourth.status is SessionStatus.OVERDUE
    assert fourth.due_on == date(2026, 3, 23)  # shown as overdue since its due date
    assert fourth.date == date(2026, 3, 26)  # and offered for today
    assert dates_of(course)[4:] == [date(2026, 4, 9), date(2026, 4, 23), date(2026, 5, 7), date(2026, 5, 21)]


def test_overdue_today_on_a_closed_day_moves_to_the_next_open_day(protocols):
    done = [date(2026, 3, 2)]
    course = project(date(2026, 3, 2), protocols["mild"], done, CLOSED_SUNDAYS, today=date(2026, 3, 15))
    assert course.sessions[1].status is SessionStatus.OVERDUE
    assert course.sessions[1].due_on == date(2026, 3, 9)
    assert course.sessions[1].date == date(2026, 3, 16)  # 15 March is a Sunday


def test_session_in_christmas_week_moves_to_first_open_day_after(protocols, clinic_calendar):
    mild = protocols["mild"]  # weekly x4, then every two weeks x2
    course = project(date(2026, 12, 3), mild, [], clinic_calendar, today=date(2026, 12, 1))
    assert clinic_calendar.closure_on(date(2026, 12, 24)).reason == "Christmas and New Year"
    assert dates_of(course) == [
        date(2026, 12, 3),
        date(2026, 12, 10),
        date(2026, 12, 17),
        date(2027, 1, 2),  # 24 Dec falls in the closure (24 Dec - 1 Jan); 2 Jan is open
        # Back on Thursdays: 7 Jan is under two weeks after 2 Jan, so the next Thursday
        # (the session moved alone; it no longer drags the rest onto Saturdays)
        date(2027, 1, 21),
        date(2027, 2, 4),
    ]


def test_closure_and_closed_weekday_together():
    calendar = ClinicCalendar(
        closed_weekdays=frozenset({5, SUNDAY}),
        closures=(Closure(date(2026, 12, 24), date(2027, 1, 1)),),
    )
    assert calendar.next_open_day(date(2026, 12, 24)) == date(2027, 1, 4)  # 2-3 Jan is a weekend
    assert calendar.next_open_day(date(2027, 1, 4)) == date(2027, 1, 4)


def test_statuses_done_due_overdue_planned(protocols):
    mild = protocols["mild"]
    done = [date(2026, 3, 2), date(2026, 3, 9)]
    on_the_day = project(date(2026, 3, 2), mild, done, OPEN_EVERY_DAY, today=date(2026, 3, 16))
    assert [s.status for s in on_the_day.sessions] == [
        SessionStatus.DONE,
        SessionStatus.DONE,
        SessionStatus.DUE,  # due today is not overdue
        SessionStatus.PLANNED,
        SessionStatus.PLANNED,
        SessionStatus.PLANNED,
    ]
    a_day_late = project(date(2026, 3, 2), mild, done, OPEN_EVERY_DAY, today=date(2026, 3, 17))
    assert a_day_late.sessions[2].status is SessionStatus.OVERDUE
    assert on_the_day.done_count == 2 and on_the_day.total == 6


def test_first_session_is_on_the_start_date_or_next_open_day(protocols):
    course = project(date(2026, 3, 8), protocols["mild"], [], CLOSED_SUNDAYS, today=date(2026, 3, 1))
    assert course.sessions[0].date == date(2026, 3, 9)  # 8 March 2026 is a Sunday
    assert course.sessions[0].status is SessionStatus.DUE


def test_completed_course(protocols):
    mild = protocols["mild"]
    done = [date(2026, 3, 2) + timedelta(days=7 * k) for k in range(6)]
    course = project(date(2026, 3, 2), mild, done, OPEN_EVERY_DAY, today=date(2026, 6, 1))
    assert course.is_complete and course.next_session is None
    assert course.maintenance_from == date(2026, 10, 6)  # six months after the last session


def test_month_milestones_clamp_to_month_end(protocols):
    course = project(date(2026, 8, 31), protocols["moderate"], [], OPEN_EVERY_DAY, today=date(2026, 8, 31))
    six_months = [m for m in course.milestones if m.milestone.anchor is MilestoneAnchor.MONTHS]
    assert six_months[0].date == date(2027, 2, 28)
    eighth = [m for m in course.milestones if m.milestone.anchor is MilestoneAnchor.SESSION and m.milestone.at == 8]
    assert eighth[0].date == course.sessions[7].date
    assert "8th session" in eighth[0].text


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),
        (date(2026, 3, 31), 12, date(2027, 3, 31)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


# --------------------------------------------------------------------------------------
# Interval overrides and bad planner input


def test_override_lengthens_one_gap_and_shifts_the_rest(protocols):
    mild = protocols["mild"]
    base = project(date(2026, 3, 2), mild, [], OPEN_EVERY_DAY, today=date(2026, 3, 2))
    longer = project(date(2026, 3, 2), mild, [], OPEN_EVERY_DAY, today=date(2026, 3, 2), interval_overrides={3: 10})
    assert (longer.sessions[2].date - longer.sessions[1].date).days == 10
    assert [b - a for a, b in zip(dates_of(base)[2:], dates_of(longer)[2:])] == [timedelta(days=3)] * 4


def test_override_may_shorten_down_to_the_phase_minimum(protocols):
    mild = protocols["mild"]  # phase 2: every 14 days, at least 10
    course = project(date(2026, 3, 2), mild, [], OPEN_EVERY_DAY, today=date(2026, 3, 2), interval_overrides={5: 10})
    assert (course.sessions[4].date - course.sessions[3].date).days == 10
    with pytest.raises(ValidationError) as caught:
        project(date(2026, 3, 2), mild, [], OPEN_EVERY_DAY, today=date(2026, 3, 2), interval_overrides={5: 9})
    assert caught.value.field == "interval_overrides.5"
    assert "at least 10 days" in caught.value.errors["interval_overrides.5"]


def test_override_of_a_done_session_is_history_and_ignored(protocols):
    done = [date(2026, 3, 2), date(2026, 3, 9)]
    course = project(date(2026, 3, 2), protocols["mild"], done, OPEN_EVERY_DAY, date(2026, 3, 9), {2: 1})
    assert dates_of(course)[:2] == done


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({1: 7}, "interval_overrides"),  # session 1 has no session before it
        ({0: 7}, "interval_overrides"),
        ({7: 14}, "interval_overrides.7"),  # mild has six sessions
        ({3: 0}, "interval_overrides.3"),
        ({3: -7}, "interval_overrides.3"),
        ({3: 7.0}, "interval_overrides.3"),
        ({3: math.nan}, "interval_overrides.3"),
        ({3: True}, "interval_overrides.3"),
        ({3: 10**12}, "interval_overrides.3"),
        ({"3": 7}, "interval_overrides"),
        ([3, 7], "interval_overrides"),
    ],
)
def test_bad_overrides_are_refused(protocols, overrides, field):
    with pytest.raises(ValidationError) as caught:
        project(date(2026, 3, 2), protocols["mild"], [], OPEN_EVERY_DAY, date(2026, 3, 2), overrides)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("done", "today", "field"),
    [
        ([date(2026, 3, 2)] * 2, date(2026, 4, 1), "done"),  # two sessions on one day
        ([date(2026, 3, 2) + timedelta(days=7 * k) for k in range(7)], date(2026, 6, 1), "done"),  # too many
        ([date(2026, 3, 30)], date(2026, 3, 20), "done"),  # after today
        ([date(2026, 2, 20)], date(2026, 3, 20), "start"),  # before the course start
        ("2026-03-02", date(2026, 3, 20), "done"),
        (None, date(2026, 3, 20), "done"),
    ],
)
def test_bad_done_history_is_refused(protocols, done, today, field):
    with pytest.raises(ValidationError) as caught:
        project(date(2026, 3, 2), protocols["mild"], done, OPEN_EVERY_DAY, today)
    assert caught.value.field == field


def test_done_dates_are_numbered_by_date_whatever_the_order(protocols):
    done = [date(2026, 3, 9), date(2026, 3, 2)]
    course = project(date(2026, 3, 2), protocols["mild"], done, OPEN_EVERY_DAY, date(2026, 3, 10))
    assert dates_of(course)[:2] == [date(2026, 3, 2), date(2026, 3, 9)]


def test_far_future_dates_are_refused_not_crashing(protocols):
    with pytest.raises(ValidationError) as caught:
        project(date(9999, 12, 1), protocols["severe"], [], OPEN_EVERY_DAY, date(9999, 12, 1))
    assert caught.value.field == "start"
    with pytest.raises(ValidationError):
        ClinicCalendar(closures=(Closure(date(9999, 12, 1), date(9999, 12, 31)),)).next_open_day(date(9999, 12, 5))
    # The far past plans fine.
    course = project(date(1, 1, 1), protocols["severe"], [], OPEN_EVERY_DAY, date(1, 1, 1))
    assert course.sessions[0].date == date(1, 1, 1)


def test_project_course_looks_up_the_protocol(protocols):
    course = Course(start=date(2026, 3, 2), protocol_id="moderate", interval_overrides={3: 9})
    projected = project_course(course, protocols, [], CLOSED_SUNDAYS, date(2026, 3, 2))
    assert projected.protocol.id == "moderate"
    assert (projected.sessions[2].date - projected.sessions[1].date).days == 9
    with pytest.raises(ValidationError) as caught:
        project_course(Course(date(2026, 3, 2), "retired"), protocols, [], CLOSED_SUNDAYS, date(2026, 3, 2))
    assert caught.value.field == "protocol_id"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"start": "2026-03-02", "protocol_id": "mild"}, "start"),
        ({"start": date(2026, 3, 2), "protocol_id": "Mild; DROP TABLE"}, "protocol_id"),
        ({"start": date(2026, 3, 2), "protocol_id": ""}, "protocol_id"),
        ({"start": date(2026, 3, 2), "protocol_id": "mild", "interval_overrides": {2: "7"}}, "interval_overrides.2"),
    ],
)
def test_course_validates_its_fields(kwargs, field):
    with pytest.raises(ValidationError) as caught:
        Course(**kwargs)
    assert caught.value.field == field


# --------------------------------------------------------------------------------------
# Time-zone safety: dates only


AWARE = datetime(2026, 3, 2, 23, 30, tzinfo=timezone.utc)
NAIVE = datetime(2026, 3, 2, 9, 0)


@pytest.mark.parametrize("moment", [AWARE, NAIVE])
def test_planner_refuses_datetimes(protocols, moment):
    mild = protocols["mild"]
    calls = [
        lambda: project(moment, mild, [], OPEN_EVERY_DAY, date(2026, 3, 2)),
        lambda: project(date(2026, 3, 2), mild, [], OPEN_EVERY_DAY, moment),
        lambda: project(date(2026, 3, 1), mild, [moment], OPEN_EVERY_DAY, date(2026, 3, 5)),
        lambda: OPEN_EVERY_DAY.is_open(moment),
        lambda: OPEN_EVERY_DAY.next_open_day(moment),
        lambda: Course(start=moment, protocol_id="mild"),
        lambda: Closure(moment, date(2026, 3, 5)),
    ]
    for call in calls:
        with pytest.raises(TypeError) as caught:
            call()
        assert isinstance(caught.value, ValidationError)  # also shown next to its field
        assert isinstance(caught.value, NotADateError)
        assert "not a date and time" in str(caught.value)


@pytest.mark.parametrize("value", ["2026-03-02", 20260302, None, 1.5])
def test_planner_refuses_non_dates(protocols, value):
    with pytest.raises(NotADateError):
        project(value, protocols["mild"], [], OPEN_EVERY_DAY, date(2026, 3, 2))


def test_planner_refuses_wrong_protocol_or_calendar_objects(protocols):
    with pytest.raises(TypeError):
        project(date(2026, 3, 2), {"sessions": 6}, [], OPEN_EVERY_DAY, date(2026, 3, 2))
    with pytest.raises(TypeError):
        project(date(2026, 3, 2), protocols["mild"], [], {"closed_weekdays": []}, date(2026, 3, 2))


# --------------------------------------------------------------------------------------
# The shipped data


def test_shipped_protocols_parse_and_plan(protocols, clinic_calendar):
    assert {"mild", "moderate", "severe"} <= set(protocols)
    assert protocols["mild"].sessions < protocols["moderate"].sessions < protocols["severe"].sessions
    assert 3 <= protocols["mild"].sessions <= 8  # the usual range for mild thinning
    assert protocols["severe"].sessions >= 10
    for protocol in protocols.values():
        assert sum(phase.sessions for phase in protocol.phases) == protocol.sessions
        course = project(date(2026, 11, 2), protocol, [], clinic_calendar, today=date(2026, 11, 2))
        assert course.total == protocol.sessions
        assert all(clinic_calendar.is_open(s.date) for s in course.sessions)
        assert course.milestones, f"{protocol.id} should tell the patient what to expect"


def test_shipped_milestones_describe_never_promise(protocols):
    for protocol in protocols.values():
        for milestone in protocol.milestones:
            text = milestone.text.lower()
            assert not any(word in text for word in ("guarantee", "will grow", "promise", "%"))


def test_shipped_calendar(clinic_calendar):
    assert SUNDAY in clinic_calendar.closed_weekdays
    assert not clinic_calendar.is_open(date(2026, 12, 28))
    assert clinic_calendar.is_open(date(2026, 12, 23))


def test_shipped_severity_levels_are_protocols(shipped, protocols):
    rules = parse_severity_rules(shipped)
    for scales in ({}, {"norwood": "III"}, {"norwood": "VII"}):
        assert suggest_severity(rules, **scales).level in protocols
