from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.pin import (
    DEFAULT_LOCKOUT,
    LockoutPolicy,
    PinCheck,
    PinOutcome,
    PinRejectedError,
    is_locked,
    lockout_until,
    pin_problem,
    validate_pin,
)

T0 = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("pin", ["482619", "739154", "0482619", "902817364512", "135792"])
def test_good_pins_are_accepted(pin):
    assert validate_pin(pin) == pin


@pytest.mark.parametrize(
    ("pin", "words"),
    [
        ("", "at least 6"),
        (None, "at least 6"),
        (482619, "at least 6"),
        ("48261", "at least 6"),
        ("4826193049581", "at most 12"),
        ("48 2619", "digits 0 to 9"),
        ("48a619", "digits 0 to 9"),
        ("٤٨٢٦١٩", "digits 0 to 9"),   # Arabic-Indic digits
        ("４８２６１９", "digits 0 to 9"),  # full-width digits
        ("000000", "repeats"),
        ("999999999", "repeats"),
        ("121212", "repeats"),
        ("123123", "repeats"),
        ("123456", "run"),
        ("654321", "run"),
        ("890123", "run"),
        ("0123456789", "run"),
        ("112233", "common"),
        ("147258", "common"),
    ],
)
def test_weak_or_malformed_pins_are_refused_with_a_message(pin, words):
    with pytest.raises(ValidationError) as caught:
        validate_pin(pin)
    assert caught.value.field == "pin"
    assert words in caught.value.errors["pin"]


@given(st.text(max_size=30))
def test_a_refusal_never_repeats_the_pin(pin):
    problem = pin_problem(pin)
    if problem is not None and len(pin) >= 3:
        assert pin not in problem


@given(st.text(alphabet="0123456789", min_size=6, max_size=12))
def test_any_digit_string_either_passes_or_gets_a_reason(pin):
    problem = pin_problem(pin)
    assert problem is None or problem.endswith(".")


def test_no_lock_before_five_failures():
    for count in range(0, 5):
        assert lockout_until(count, T0) is None


def test_back_off_doubles_from_thirty_seconds_and_caps_at_fifteen_minutes():
    waits = [lockout_until(count, T0) - T0 for count in range(5, 13)]
    assert waits == [
        timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240),
        timedelta(seconds=480), timedelta(minutes=15), timedelta(minutes=15), timedelta(minutes=15),
    ]
    assert lockout_until(10**9, T0) - T0 == timedelta(minutes=15)


@given(st.integers(min_value=0, max_value=10_000))
def test_lock_never_shrinks_as_failures_grow_and_never_exceeds_the_cap(count):
    now = lockout_until(count, T0)
    later = lockout_until(count + 1, T0)
    if now is not None:
        assert later is not None and later >= now
        assert now - T0 <= DEFAULT_LOCKOUT.max_lock


def test_no_failure_time_means_no_lock_and_naive_times_are_refused():
    assert lockout_until(7, None) is None
    with pytest.raises(ValueError):
        lockout_until(7, datetime(2026, 1, 1))


def test_is_locked_until_the_moment_passes():
    until = lockout_until(5, T0)
    assert is_locked(until, T0 + timedelta(seconds=29))
    assert not is_locked(until, T0 + timedelta(seconds=30))
    assert not is_locked(None, T0)


def test_a_custom_policy_and_remaining_attempts():
    policy = LockoutPolicy(free_attempts=3, first_lock=timedelta(seconds=10), max_lock=timedelta(seconds=25))
    assert [policy.lock_duration(n) for n in range(2, 6)] == [
        None, timedelta(seconds=10), timedelta(seconds=20), timedelta(seconds=25)]
    assert [policy.remaining_attempts(n) for n in (0, 1, 3, 9)] == [3, 2, 0, 0]
    with pytest.raises(ValueError):
        LockoutPolicy(free_attempts=0)


def test_pin_rejected_error_carries_the_check_on_its_field():
    check = PinCheck(3, PinOutcome.WRONG, "Wrong PIN. 4 tries left before this account locks for a while.")
    error = PinRejectedError(check, "consultant_pin")
    assert error.check is check and error.errors == {"consultant_pin": check.message}
    assert not check.ok and PinCheck(3, PinOutcome.OK).ok
