"""The course planner, its protocol and calendar data, and the severity suggestion."""

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
from meso_kiosk.domain.severity import (
    NORWOOD_STAGES,
    SeverityChoice,
    parse_severity_rules,
    suggest_severity,
)
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
        date(2027, 1, 16),  # the two-week gap counts from the moved session
        date(2027, 1, 30),
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


def test_calendar_toml_refuses_a_date_with_a_time():
    data = tomllib.loads("[[closures]]\nfirst_day = 2026-12-24T00:00:00Z\nlast_day = 2027-01-01\n")
    with pytest.raises(ValidationError) as caught:
        parse_clinic_calendar(data)
    assert caught.value.field == "closures[1].first_day"


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


# --------------------------------------------------------------------------------------
# Malformed protocol data


def _good_body() -> dict:
    return {
        "label": "Test",
        "sessions": 4,
        "phases": [{"sessions": 2, "interval_days": 7}, {"sessions": 2, "interval_days": 14}],
        "milestones": [{"anchor": "session", "at": 2, "text": "Shedding usually slows around here."}],
    }


def _broken(path: tuple, value) -> dict:
    body = _good_body()
    target = body
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return body


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        (("phases", 0, "interval_days"), 0, "protocols.test.phases[1].interval_days", "from 1 to 365"),
        (("phases", 1, "interval_days"), -14, "protocols.test.phases[2].interval_days", "from 1 to 365"),
        (("phases", 0, "interval_days"), 7.0, "protocols.test.phases[1].interval_days", "whole number"),
        (("phases", 0, "interval_days"), math.nan, "protocols.test.phases[1].interval_days", "whole number"),
        (("phases", 0, "interval_days"), math.inf, "protocols.test.phases[1].interval_days", "whole number"),
        (("phases", 0, "interval_days"), "7", "protocols.test.phases[1].interval_days", "whole number"),
        (("phases", 0, "interval_days"), True, "protocols.test.phases[1].interval_days", "whole number"),
        (("phases", 0, "interval_days"), 700, "protocols.test.phases[1].interval_days", "from 1 to 365"),
        (("phases", 0, "interval_days"), _DELETE, "protocols.test.phases[1].interval_days", "nothing"),
        (("phases", 0, "min_interval_days"), 8, "protocols.test.phases[1].min_interval_days", "from 1 to 7"),
        (("phases", 0, "sessions"), 0, "protocols.test.phases[1].sessions", "from 1"),
        (("phases", 0, "sessionz"), 2, "protocols.test.phases[1]", "sessionz"),
        (("sessions",), 5, "protocols.test.sessions", "add up to 4"),
        (("sessions",), -1, "protocols.test.sessions", "from 1"),
        (("phases",), [], "protocols.test.phases", "at least one"),
        (("phases",), "weekly", "protocols.test.phases", "at least one"),
        (("phases", 0), "weekly", "protocols.test.phases[1]", "interval_days"),
        (("milestones", 0, "anchor"), "weeks", "protocols.test.milestones[1].anchor", '"session" or "months"'),
        (("milestones", 0, "anchor"), None, "protocols.test.milestones[1].anchor", '"session" or "months"'),
        (("milestones", 0, "at"), 5, "protocols.test.milestones[1].at", "from 1 to 4"),
        (("milestones", 0, "at"), 0, "protocols.test.milestones[1].at", "from 1 to 4"),
        (("milestones", 0, "text"), "   ", "protocols.test.milestones[1].text", "enter the milestone text"),
        (("milestones", 0, "text"), "slows\x00", "protocols.test.milestones[1].text", "control character"),
        (("milestones", 0, "text"), "x" * 10_000, "protocols.test.milestones[1].text", "too long"),
        (("milestones",), {"at": 1}, "protocols.test.milestones", "blocks"),
        (("label",), "", "protocols.test.label", "label"),
        (("label",), 42, "protocols.test.label", "must be text"),
        (("maintenance_every_months",), 0, "protocols.test.maintenance_every_months", "from 1 to 24"),
        (("intervals",), [7], "protocols.test", "intervals"),
    ],
)
def test_malformed_protocol_names_protocol_and_field(path, value, field, words):
    with pytest.raises(ValidationError) as caught:
        one_protocol(_broken(path, value))
    assert caught.value.field == field
    message = caught.value.errors[field]
    assert "Protocol 'test'" in message
    assert words.lower() in message.lower()


def test_every_faulty_protocol_is_reported_at_once():
    good = _good_body()
    data = {
        "protocols": {
            "good": good,
            "bad_one": _broken(("sessions",), 9),
            "bad_two": _broken(("phases", 0, "interval_days"), 0),
        }
    }
    with pytest.raises(ValidationError) as caught:
        parse_protocols(data)
    assert set(caught.value.errors) == {"protocols.bad_one.sessions", "protocols.bad_two.phases[1].interval_days"}


@pytest.mark.parametrize(
    "data",
    [None, {}, {"protocols": {}}, {"protocols": []}, "protocols", {"protocols": {"Mild!": _good_body()}}],
)
def test_protocols_file_without_usable_protocols(data):
    with pytest.raises(ValidationError):
        parse_protocols(data)


def test_unicode_labels_and_wording_are_kept():
    body = _good_body()
    body["label"] = "Léger – 軽度 – خفيف 🌱"
    body["milestones"][0]["text"] = "La chute ralentit souvent ici."
    protocol = one_protocol(body)
    assert protocol.label == "Léger – 軽度 – خفيف 🌱"


_json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=50)
    | st.dates(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300)
@given(
    key=st.sampled_from(["label", "sessions", "phases", "milestones", "maintenance_every_months"]),
    value=_json_like,
)
def test_hostile_protocol_values_raise_only_validation_errors(key, value):
    body = _good_body()
    body[key] = value
    try:
        one_protocol(body)
    except ValidationError:
        pass


@settings(max_examples=200)
@given(data=_json_like)
def test_hostile_calendar_files_raise_only_validation_errors(data):
    for document in (data, {"closed_weekdays": data}, {"closures": data}, {"closures": [data]}):
        try:
            parse_clinic_calendar(document)
        except ValidationError:
            pass


# --------------------------------------------------------------------------------------
# Calendar data


def test_calendar_closed_every_weekday_is_refused_not_hanging():
    with pytest.raises(ValidationError) as caught:
        ClinicCalendar(closed_weekdays=frozenset(range(7)))
    assert caught.value.field == "closed_weekdays"
    all_days = {"closed_weekdays": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]}
    with pytest.raises(ValidationError):
        parse_clinic_calendar(all_days)


def test_long_back_to_back_closures_are_skipped():
    closures = tuple(
        Closure(date(2026, 1, 1) + timedelta(days=366 * k), date(2026, 1, 1) + timedelta(days=366 * k + 365))
        for k in range(20)
    )
    calendar = ClinicCalendar(closed_weekdays=frozenset(range(6)), closures=closures)
    found = calendar.next_open_day(date(2026, 1, 1))
    # The closures end on 15 Jan 2046 (a Monday); the only open weekday is Sunday.
    assert found == date(2046, 1, 21) and found.weekday() == SUNDAY


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"closed_weekdays": ["sonday"]}, "closed_weekdays"),
        ({"closed_weekdays": "sunday"}, "closed_weekdays"),
        ({"closed_weekdays": [6]}, "closed_weekdays"),
        ({"closures": [{"first_day": date(2027, 1, 2), "last_day": date(2026, 12, 24)}]}, "closures[1].last_day"),
        ({"closures": [{"first_day": date(2026, 1, 1), "last_day": date(2028, 1, 1)}]}, "closures[1].last_day"),
        ({"closures": [{"first_day": "24/12/2026", "last_day": date(2027, 1, 1)}]}, "closures[1].first_day"),
        ({"closures": [{"last_day": date(2027, 1, 1)}]}, "closures[1].first_day"),
        ({"closures": [{"first_day": date(2027, 1, 1), "last_day": date(2027, 1, 1), "reason": "\x1b[31m"}]},
         "closures[1].reason"),
        ({"closures": [{"first_day": date(2027, 1, 1), "last_day": date(2027, 1, 1), "until": 3}]}, "closures[1]"),
        ({"holidays": []}, "calendar"),
    ],
)
def test_malformed_calendar_names_the_field(data, field):
    with pytest.raises(ValidationError) as caught:
        parse_clinic_calendar(data)
    assert caught.value.field == field


def test_calendar_accepts_iso_strings_and_day_name_case():
    calendar = parse_clinic_calendar(
        {
            "closed_weekdays": [" Sunday ", "SATURDAY"],
            "closures": [{"first_day": "2026-08-10", "last_day": "2026-08-10"}],
        }
    )
    assert calendar.closed_weekdays == {5, SUNDAY}
    assert not calendar.is_open(date(2026, 8, 10))


# --------------------------------------------------------------------------------------
# Severity suggestion


SHIPPED_LIKE_RULES = parse_severity_rules(
    {
        "severity": {
            "severe": {"norwood_from": "IV", "ludwig_from": "II", "sinclair_from": 4, "salt_from": 50},
            "moderate": {"norwood_from": "III", "sinclair_from": 3, "salt_from": 25},
        }
    }
)


@pytest.mark.parametrize(
    ("scales", "level", "reason"),
    [
        ({"norwood": "IV"}, "severe", "Norwood IV or above"),
        ({"norwood": "VII"}, "severe", "Norwood IV or above"),
        ({"norwood": "IVa"}, "severe", "Norwood IV or above"),
        ({"norwood": "III vertex"}, "moderate", "Norwood III or above"),
        ({"norwood": "IIIa"}, "moderate", "Norwood III or above"),
        ({"norwood": "III"}, "moderate", "Norwood III or above"),
        ({"norwood": "IIa"}, "mild", "Below the moderate thresholds (Norwood IIa)"),
        ({"norwood": "I"}, "mild", "Below the moderate thresholds (Norwood I)"),
        ({"ludwig": "II"}, "severe", "Ludwig II or above"),
        ({"ludwig": "III"}, "severe", "Ludwig II or above"),
        ({"ludwig": "I"}, "mild", "Below the moderate thresholds (Ludwig I)"),
        ({"sinclair": 5}, "severe", "Sinclair 4 or above"),
        ({"sinclair": 4}, "severe", "Sinclair 4 or above"),
        ({"sinclair": 3}, "moderate", "Sinclair 3 or above"),
        ({"sinclair": 2}, "mild", "Below the moderate thresholds (Sinclair 2)"),
        ({"salt": 100}, "severe", "SALT 50 % or above"),
        ({"salt": 50.0}, "severe", "SALT 50 % or above"),
        ({"salt": 49.9}, "moderate", "SALT 25 % or above"),
        ({"salt": 25}, "moderate", "SALT 25 % or above"),
        ({"salt": 24.9}, "mild", "Below the moderate thresholds (SALT 24.9)"),
        ({"salt": 0}, "mild", "Below the moderate thresholds (SALT 0)"),
        ({}, "mild", "No hair-loss scale recorded yet"),
        ({"norwood": "II", "sinclair": 3, "salt": 60.0}, "severe", "SALT 50 % or above"),
        ({"norwood": "V", "salt": 70}, "severe", "Norwood IV or above; SALT 50 % or above"),
        ({"norwood": "III", "salt": 30}, "moderate", "Norwood III or above; SALT 25 % or above"),
        ({"norwood": "iv"}, "severe", "Norwood IV or above"),
        ({"norwood": " III-vertex "}, "moderate", "Norwood III or above"),
        ({"norwood": "IIIv"}, "moderate", "Norwood III or above"),
        ({"norwood": "III_vertex"}, "moderate", "Norwood III or above"),  # the intake's stage id
        ({"sinclair": "4"}, "severe", "Sinclair 4 or above"),  # the intake stores Sinclair as text
        ({"sinclair": "2"}, "mild", "Below the moderate thresholds (Sinclair 2)"),
        ({"ludwig": "ii"}, "severe", "Ludwig II or above"),
    ],
)
def test_suggest_severity(scales, level, reason):
    suggestion = suggest_severity(SHIPPED_LIKE_RULES, **scales)
    assert (suggestion.level, suggestion.reason) == (level, reason)


def test_thresholds_come_from_data():
    stricter = parse_severity_rules({"severity": {"severe": {"norwood_from": "V"}, "moderate": {"norwood_from": "IV"}}})
    assert suggest_severity(stricter, norwood="IV").level == "moderate"
    assert suggest_severity(stricter, norwood="V").level == "severe"
    # A scale with no threshold never raises the level.
    assert suggest_severity(stricter, salt=100).level == "mild"


@pytest.mark.parametrize(
    ("scales", "field"),
    [
        ({"norwood": "VIII"}, "norwood"),
        ({"norwood": ""}, "norwood"),
        ({"norwood": 4}, "norwood"),
        ({"norwood": "IV" * 1000}, "norwood"),
        ({"norwood": "'; DROP TABLE intakes;--"}, "norwood"),
        ({"ludwig": "IV"}, "ludwig"),
        ({"ludwig": 2}, "ludwig"),
        ({"sinclair": 0}, "sinclair"),
        ({"sinclair": 6}, "sinclair"),
        ({"sinclair": True}, "sinclair"),
        ({"sinclair": 3.0}, "sinclair"),
        ({"sinclair": "four"}, "sinclair"),
        ({"sinclair": "45"}, "sinclair"),
        ({"salt": -1}, "salt"),
        ({"salt": 100.5}, "salt"),
        ({"salt": math.nan}, "salt"),
        ({"salt": math.inf}, "salt"),
        ({"salt": "50"}, "salt"),
    ],
)
def test_suggest_severity_refuses_values_off_the_scale(scales, field):
    with pytest.raises(ValidationError) as caught:
        suggest_severity(SHIPPED_LIKE_RULES, **scales)
    assert caught.value.field == field


_LEVEL_RANK = {"mild": 0, "moderate": 1, "severe": 2}


@given(
    low=st.integers(0, len(NORWOOD_STAGES) - 1),
    step=st.integers(0, len(NORWOOD_STAGES) - 1),
    salt=st.floats(0, 100),
    more_salt=st.floats(0, 100),
    sinclair=st.integers(1, 5),
)
def test_more_advanced_scales_never_lower_the_suggestion(low, step, salt, more_salt, sinclair):
    high = min(low + step, len(NORWOOD_STAGES) - 1)
    before = suggest_severity(SHIPPED_LIKE_RULES, norwood=NORWOOD_STAGES[low], salt=salt, sinclair=sinclair)
    after = suggest_severity(
        SHIPPED_LIKE_RULES, norwood=NORWOOD_STAGES[high], salt=min(100.0, salt + more_salt), sinclair=sinclair
    )
    assert _LEVEL_RANK[after.level] >= _LEVEL_RANK[before.level]
    assert after.reason


@settings(max_examples=200)
@given(value=st.one_of(st.text(max_size=60), st.integers(), st.floats(), st.none(), st.binary(max_size=10)))
def test_hostile_scale_values_raise_only_validation_errors(value):
    for scale in ("norwood", "ludwig", "sinclair", "salt"):
        try:
            suggest_severity(SHIPPED_LIKE_RULES, **{scale: value})
        except ValidationError:
            pass


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "severity"),
        ({"severity": {"extreme": {}}}, "severity"),
        ({"severity": {"severe": {"norwood_from": "VIII"}}}, "severity.severe.norwood_from"),
        ({"severity": {"severe": {"salt_from": 150}}}, "severity.severe.salt_from"),
        ({"severity": {"severe": {"sinclair_from": "four"}}}, "severity.severe.sinclair_from"),
        ({"severity": {"severe": {"norwod_from": "IV"}}}, "severity.severe"),
        ({"severity": {"severe": "IV"}}, "severity.severe"),
        (
            {"severity": {"severe": {"norwood_from": "III"}, "moderate": {"norwood_from": "IV"}}},
            "severity.severe.norwood_from",
        ),
        ({"severity": {"severe": {"salt_from": 20}, "moderate": {"salt_from": 25}}}, "severity.severe.salt_from"),
    ],
)
def test_malformed_severity_rules_name_the_field(data, field):
    with pytest.raises(ValidationError) as caught:
        parse_severity_rules(data)
    assert caught.value.field == field


def test_consultant_choice_matching_the_suggestion_needs_no_reason():
    choice = SeverityChoice(suggested="moderate", chosen="moderate")
    assert not choice.overridden and choice.reason is None


def test_consultant_override_needs_a_reason():
    with pytest.raises(ValidationError) as caught:
        SeverityChoice(suggested="moderate", chosen="severe")
    assert caught.value.field == "reason"
    assert "severe" in caught.value.errors["reason"] and "moderate" in caught.value.errors["reason"]
    with pytest.raises(ValidationError):
        SeverityChoice(suggested="moderate", chosen="severe", reason="  \n ")
    choice = SeverityChoice("moderate", "severe", "  Rapid loss over the last three months. ")
    assert choice.overridden and choice.reason == "Rapid loss over the last three months."


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"suggested": "moderate", "chosen": "severe", "reason": "fast\x00loss"}, "reason"),
        ({"suggested": "moderate", "chosen": "severe", "reason": "x" * 501}, "reason"),
        ({"suggested": "moderate", "chosen": "severe", "reason": 42}, "reason"),
        ({"suggested": "moderate", "chosen": "", "reason": "why"}, "chosen"),
        ({"suggested": "moderate", "chosen": None, "reason": "why"}, "chosen"),
        ({"suggested": "Robert'); DROP", "chosen": "mild", "reason": "why"}, "suggested"),
    ],
)
def test_consultant_choice_validation(kwargs, field):
    with pytest.raises(ValidationError) as caught:
        SeverityChoice(**kwargs)
    assert caught.value.field == field
