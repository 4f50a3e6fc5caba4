"""The clinic calendar file: closed weekdays and closures, read strictly."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta

import pytest
from hypothesis import given, settings

from meso_kiosk.domain.clinic_calendar import ClinicCalendar, Closure, parse_clinic_calendar
from meso_kiosk.domain.errors import ValidationError

from .hostile_data import json_like

SUNDAY = 6


def test_calendar_toml_refuses_a_date_with_a_time():
    data = tomllib.loads("[[closures]]\nfirst_day = 2026-12-24T00:00:00Z\nlast_day = 2027-01-01\n")
    with pytest.raises(ValidationError) as caught:
        parse_clinic_calendar(data)
    assert caught.value.field == "closures[1].first_day"


@settings(max_examples=200)
@given(data=json_like)
def test_hostile_calendar_files_raise_only_validation_errors(data):
    for document in (data, {"closed_weekdays": data}, {"closures": data}, {"closures": [data]}):
        try:
            parse_clinic_calendar(document)
        except ValidationError:
            pass




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
