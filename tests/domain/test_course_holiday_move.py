"""A session moved off a holiday moves alone: the later sessions stay on the course's weekday
(issue 22: after one holiday move every later session had shifted to Saturdays)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meso_kiosk.domain.clinic_calendar import ClinicCalendar, Closure
from meso_kiosk.domain.course import project
from tests.domain.test_course import dates_of, one_protocol

FRIDAY, SATURDAY, SUNDAY = 4, 5, 6


@st.composite
def weekly_courses(draw):
    """A protocol whose gaps are whole weeks, a start on an open weekday, and that calendar."""
    phases = [{"sessions": draw(st.integers(1, 5)), "interval_days": 7 * draw(st.integers(1, 4))}
              for _ in range(draw(st.integers(1, 3)))]
    protocol = one_protocol({"label": "Weekly", "sessions": sum(p["sessions"] for p in phases), "phases": phases})
    start = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31)))
    closed = draw(st.sets(st.integers(0, 6).filter(lambda d: d != start.weekday()), max_size=5))
    return protocol, start, frozenset(closed)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(weekly_courses(), st.data())
def test_one_holiday_move_leaves_the_later_sessions_on_their_weekday(course, data):
    protocol, start, closed = course
    today = start - timedelta(days=1)
    before = project(start, protocol, [], ClinicCalendar(closed_weekdays=closed), today)
    assert {day.weekday() for day in dates_of(before)} == {start.weekday()}
    moved = data.draw(st.integers(0, protocol.sessions - 1))
    holiday_from = dates_of(before)[moved] - timedelta(days=data.draw(st.integers(0, 3)))
    holiday = Closure(holiday_from, holiday_from + timedelta(days=data.draw(st.integers(0, 12))), "Holiday")
    calendar = ClinicCalendar(closed_weekdays=closed, closures=(holiday,))

    after = project(start, protocol, [], calendar, today)

    assert dates_of(after)[:moved] == dates_of(before)[:moved]
    for previous, session in zip(after.sessions, after.sessions[1:]):
        assert calendar.is_open(session.date)
        assert (session.date - previous.date).days >= protocol.phase_of(session.number).interval_days
    for session, planned in zip(after.sessions[moved + 1:], before.sessions[moved + 1:]):
        assert session.date >= planned.date
        if session.date.weekday() != start.weekday():
            usual_day = session.date - timedelta(days=(session.date.weekday() - start.weekday()) % 7)
            assert not calendar.is_open(usual_day), f"session {session.number} left its weekday"


def test_a_friday_holiday_moves_one_session_to_saturday_and_no_other():
    weekly = one_protocol({"label": "Weekly", "sessions": 5, "phases": [{"sessions": 5, "interval_days": 7}]})
    start = date(2026, 4, 24)  # a Friday
    calendar = ClinicCalendar(closed_weekdays=frozenset({SUNDAY}),
                              closures=(Closure(date(2026, 5, 1), date(2026, 5, 1), "Labour Day"),))
    course = project(start, weekly, [], calendar, today=date(2026, 4, 20))
    assert dates_of(course) == [
        date(2026, 4, 24),
        date(2026, 5, 2),  # Saturday: 1 May is closed
        date(2026, 5, 15),  # Friday again (8 May would be six days after 2 May)
        date(2026, 5, 22),
        date(2026, 5, 29),
    ]
    assert [day.weekday() for day in dates_of(course)[2:]] == [FRIDAY] * 3
    # Coming on the moved Saturday changes nothing after it.
    visited = project(start, weekly, dates_of(course)[:2], calendar, today=date(2026, 5, 2))
    assert dates_of(visited) == dates_of(course)
