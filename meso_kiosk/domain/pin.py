"""Consultant PINs: what a PIN may be, and how long wrong guesses lock an account.

Pure rules only. Hashing (Argon2id) and the failure counter live in the store and the
accounts service; the lockout arithmetic is here so it can be tested without a clock
or a database.

A PIN is never put into a message, an exception, an audit row or a ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from .errors import ValidationError

MIN_PIN_LENGTH = 6
MAX_PIN_LENGTH = 12

# PINs people choose first, that an onlooker guesses first. Repeated digits
# (000000), straight runs (123456, 987654) and repeated short patterns (121212,
# 123123) are refused by rule; these are the common ones left over.
_COMMON_PINS = frozenset({
    "112233", "332211", "445566", "778899", "159753", "357159", "147258", "258369",
    "147852", "159357", "753951", "951753", "696969", "102030", "123321", "654456",
    "111222", "222333", "000111", "123654", "789456", "456123", "741852", "963852",
})


def _is_run(digits: str) -> bool:
    steps = {(int(b) - int(a)) % 10 for a, b in zip(digits, digits[1:])}
    return steps in ({1}, {9})  # 123456, 789012 (wraps) and 654321, 210987


def _is_repeated_pattern(digits: str) -> bool:
    for size in range(1, len(digits) // 2 + 1):
        if len(digits) % size == 0 and digits[:size] * (len(digits) // size) == digits:
            return True
    return False


def pin_problem(pin: object) -> str | None:
    """Why ``pin`` cannot be a consultant's PIN, in consultant words; ``None`` when it can.

    The message never repeats the PIN (someone may be looking at the screen).
    """
    if not isinstance(pin, str) or not pin:
        return "Enter a PIN of at least 6 digits."
    if not (pin.isascii() and pin.isdigit()):
        return "A PIN is made of digits 0 to 9 only (no letters, spaces or symbols)."
    if len(pin) < MIN_PIN_LENGTH:
        return f"A PIN needs at least {MIN_PIN_LENGTH} digits."
    if len(pin) > MAX_PIN_LENGTH:
        return f"A PIN can have at most {MAX_PIN_LENGTH} digits."
    if _is_repeated_pattern(pin):
        return "This PIN repeats the same digits (like 000000 or 121212), so it is easy to guess. Choose another."
    if _is_run(pin):
        return "This PIN is a run of digits (like 123456), so it is easy to guess. Choose another."
    if pin in _COMMON_PINS:
        return "This PIN is one of the most common PINs, so it is easy to guess. Choose another."
    return None


def validate_pin(pin: object, field_name: str = "pin") -> str:
    """Return ``pin`` if it may be used as a new PIN, or raise ``ValidationError`` on ``field_name``."""
    problem = pin_problem(pin)
    if problem is not None:
        raise ValidationError.single(field_name, problem)
    return pin  # type: ignore[return-value]


# ------------------------------------------------------------------ lockout


@dataclass(frozen=True)
class LockoutPolicy:
    """After ``free_attempts`` wrong PINs in a row the account locks, for ``first_lock``;
    each further wrong PIN doubles the lock, up to ``max_lock``. A right PIN resets it."""

    free_attempts: int = 5
    first_lock: timedelta = timedelta(seconds=30)
    max_lock: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.free_attempts < 1 or self.first_lock <= timedelta(0) or self.max_lock < self.first_lock:
            raise ValueError("a lockout policy needs free_attempts >= 1 and 0 < first_lock <= max_lock")

    def lock_duration(self, failed_count: int) -> timedelta | None:
        """How long the account locks after its ``failed_count``-th wrong PIN in a row."""
        if failed_count < self.free_attempts:
            return None
        doublings = failed_count - self.free_attempts
        if doublings >= 32:  # beyond any cap; avoids a huge power of two
            return self.max_lock
        return min(self.first_lock * (2 ** doublings), self.max_lock)

    def remaining_attempts(self, failed_count: int) -> int:
        """Wrong PINs still allowed before the next lock (0 once locking has begun)."""
        return max(self.free_attempts - max(failed_count, 0), 0)


DEFAULT_LOCKOUT = LockoutPolicy()


def lockout_until(failed_count: int, last_failure_at: datetime | None,
                  policy: LockoutPolicy = DEFAULT_LOCKOUT) -> datetime | None:
    """The moment a locked account opens again, or ``None`` when it is not locked.

    ``failed_count`` wrong PINs in a row, the last one at ``last_failure_at`` (aware).
    """
    if last_failure_at is None:
        return None
    if last_failure_at.tzinfo is None:
        raise ValueError("refusing a naive datetime: say which time zone it is in")
    duration = policy.lock_duration(failed_count)
    return None if duration is None else last_failure_at + duration


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def bounded_lock(locked_until: datetime | None, now: datetime,
                 policy: LockoutPolicy = DEFAULT_LOCKOUT) -> datetime | None:
    """``locked_until`` as far as it may stand: never later than the policy's longest lock from
    ``now``. A clock that ran ahead while PINs failed (then was put right) would otherwise lock
    an account for as long as the clock was wrong, years even, with no way back in."""
    if locked_until is None:
        return None
    return min(locked_until, now + policy.max_lock)


class PromptBackoff:
    """A PIN prompt's own back-off, apart from the account's lockout: after ``free_attempts`` wrong
    PINs each further one waits ``first_wait``, doubling up to ``max_wait``. For a prompt that the
    wrong person holds (the hand-off's "Consultant" button, in the patient's hands): guessing is
    slowed there, but the consultant's account is never locked from it. Kept in memory."""

    def __init__(self, free_attempts: int = 3, first_wait: timedelta = timedelta(seconds=30),
                 max_wait: timedelta = timedelta(minutes=5)):
        self._policy = LockoutPolicy(free_attempts, first_wait, max_wait)
        self.failures = 0
        self.until: datetime | None = None

    def seconds_left(self, now: datetime) -> int:
        until = bounded_lock(self.until, now, self._policy)
        return 0 if until is None or now >= until else max(int((until - now).total_seconds() + 0.999), 1)

    def failed(self, now: datetime) -> None:
        self.failures += 1
        self.until = lockout_until(self.failures, now, self._policy)

    def succeeded(self) -> None:
        self.failures, self.until = 0, None


def prompt_wait_message(seconds_left: int) -> str:
    return f"Too many wrong PINs here: try again in {_duration_words(seconds_left)}."


# ------------------------------------------------------------------ results


class PinOutcome(str, Enum):
    OK = "ok"
    WRONG = "wrong"            # wrong PIN; counted and audited
    LOCKED = "locked"          # too many wrong PINs: not even checked until locked_until
    DISABLED = "disabled"      # the consultant's account is switched off
    NO_PIN = "no_pin"          # no PIN set yet: an admin must set one


@dataclass(frozen=True)
class PinCheck:
    """What happened when someone typed a PIN; ``message`` is ready to show beside the field."""

    consultant_id: int
    outcome: PinOutcome
    message: str = ""
    locked_until: datetime | None = None
    remaining_attempts: int | None = None
    consultant_name: str = field(default="", compare=False)

    @property
    def ok(self) -> bool:
        return self.outcome is PinOutcome.OK


def wrong_pin_message(remaining: int, locked_until_local: str | None, seconds_left: int | None) -> str:
    """The words under the PIN field after a wrong PIN."""
    if seconds_left is not None:
        return f"Wrong PIN. Too many tries: locked for {_duration_words(seconds_left)}" + (
            f" (until {locked_until_local})." if locked_until_local else ".")
    if remaining == 1:
        return "Wrong PIN. One more wrong try will lock this account for a while."
    return f"Wrong PIN. {remaining} tries left before this account locks for a while."


def locked_message(seconds_left: int, locked_until_local: str | None = None) -> str:
    return f"Too many wrong PINs: try again in {_duration_words(seconds_left)}" + (
        f" (at {locked_until_local})." if locked_until_local else ".")


def _duration_words(seconds: int) -> str:
    seconds = max(int(seconds), 1)
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)  # round up: never promise less than the real wait
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class PinRejectedError(ValidationError):
    """A PIN typed to authorise something (countersign, admin change) was not accepted."""

    def __init__(self, check: PinCheck, field_name: str = "pin"):
        self.check = check
        super().__init__({field_name: check.message or "The PIN was not accepted."})
