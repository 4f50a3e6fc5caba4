"""Reading a form's values: every field error gathered at once, numbers typed with a
decimal comma, choices from an enum, and times that must carry a time zone."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timezone
from enum import StrEnum

from .errors import ValidationError


class FieldErrors:
    """Gathers field errors so a form shows every problem at once."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def run(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValidationError as error:
            for key, message in error.errors.items():
                self.errors.setdefault(key, message)
            return None

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def form_number(value: object, field: str, label: str) -> float:
    """A finite number from a widget value or typed text ("2,5" is accepted)."""
    if isinstance(value, bool) or value is None:
        raise ValidationError.single(field, f"Please enter the {label} as a number.")
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        if not text or len(text) > 20:
            raise ValidationError.single(field, f"Please enter the {label} as a number.")
        try:
            value = float(text)
        except ValueError:
            raise ValidationError.single(field, f"Please enter the {label} as a number.") from None
    if not isinstance(value, (int, float)):
        try:
            value = float(value)  # Decimal and the like
        except (TypeError, ValueError, OverflowError):
            raise ValidationError.single(field, f"Please enter the {label} as a number.") from None
    try:
        number = float(value)
    except OverflowError:
        raise ValidationError.single(field, f"The {label} is far too large.") from None
    if not math.isfinite(number):
        raise ValidationError.single(field, f"Please enter the {label} as a number.")
    return number


def form_whole_number(
    value: object, field: str, label: str, low: int, high: int, unit: str = ""
) -> int:
    number = form_number(value, field, label)
    suffix = f" {unit}" if unit else ""
    if number != int(number):
        raise ValidationError.single(field, f"The {label} must be a whole number.")
    if not low <= number <= high:
        raise ValidationError.single(
            field, f"The {label} must be between {low} and {high}{suffix}."
        )
    return int(number)


def form_choice(value: object, enum: type[StrEnum], field: str, message: str):
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        try:
            return enum(value.strip())
        except ValueError:
            pass
    raise ValidationError.single(field, message)


def aware_utc(value: object, field: str, label: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationError.single(field, f"Please enter the {label}.")
    if value.tzinfo is None or value.utcoffset() is None:
        # A naive time is ambiguous across clocks and summer time: refuse it.
        raise ValidationError.single(field, f"The {label} has no time zone; please re-enter it.")
    try:
        return value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise ValidationError.single(field, f"The {label} is not a valid time.") from None


def or_default(value: object, default: object) -> object:
    return default if value is None or value == "" else value


def form_value(raw: object, key: str, default: object = None) -> object:
    """A field of a form row that may be a mapping or a record (``ZoneTreatment``)."""
    if isinstance(raw, Mapping):
        return raw.get(key, default)
    return getattr(raw, key, default)
