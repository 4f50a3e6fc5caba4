"""Cleaning one answer typed in the intake form (the autosave checks one field at a time)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from .errors import ValidationError
from .intake_form import MAX_SHORT_TEXT, FieldKind, FieldSpec, find_field_spec
from .intake_options import IntakeOptions
from .scales import check_percent
from .text import clean_text

MAX_AGE_OF_ONSET_YEARS = 120
_PERCENT_PLACES = Decimal("0.1")
_INT_TEXT_RE = re.compile(r"^[+-]?[0-9]{1,9}$")
_PERCENT_TEXT_RE = re.compile(r"^[+-]?[0-9]{1,9}(\.[0-9]{1,9})?$")
_DATE_TEXT_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def validate_field(path: object, value: object, *, options: IntakeOptions, today: date) -> object:
    """Clean one answer typed in the form, or raise ``ValidationError`` naming ``path``.

    Empty input (``None``, blank text) means "not answered" and returns ``None``; whether
    an answer is required is checked only when the intake is completed (``missing_required``),
    so a half-filled draft can always be saved. What this returns, validated again, comes
    back unchanged.
    """
    if not isinstance(path, str):
        raise ValidationError.single(str(path), "This is not a question on the intake form.")
    spec = find_field_spec(options, path)
    if spec is None:
        raise ValidationError.single(path, "This is not a question on the intake form.")
    if isinstance(value, str) and spec.kind not in (FieldKind.TEXT, FieldKind.MULTILINE) and not value.strip():
        return None
    if value is None:
        return None
    match spec.kind:
        case FieldKind.CHOICE:
            return _clean_choice(spec, value, options)
        case FieldKind.BOOL:
            if isinstance(value, bool):
                return value
            raise ValidationError.single(path, f"Answer “{spec.label}” with yes or no.")
        case FieldKind.DATE:
            return _clean_date(spec, value, today)
        case FieldKind.INT:
            return _clean_int(spec, value, options)
        case FieldKind.PERCENT:
            return _clean_percent(spec, value)
        case _:
            return clean_text(
                value, path, max_length=spec.max_length or MAX_SHORT_TEXT,
                multiline=spec.kind is FieldKind.MULTILINE, label=spec.noun,
            )


def _clean_choice(spec: FieldSpec, value: object, options: IntakeOptions) -> str:
    assert spec.choices is not None
    ids = [choice.id for choice in options.choices(spec.choices)]
    if isinstance(value, str) and value.strip() in ids:
        return value.strip()
    raise ValidationError.single(spec.path, f"Choose one of the listed answers for “{spec.label}”.")


def _clean_date(spec: FieldSpec, value: object, today: date) -> date:
    day: date | None = None
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str) and _DATE_TEXT_RE.match(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        raise ValidationError.single(spec.path, f"Enter the {spec.noun} as a real date, e.g. 2023-09-15.")
    if day > today:
        raise ValidationError.single(spec.path, f"The {spec.noun} cannot be in the future.")
    earliest = date(max(1, today.year - MAX_AGE_OF_ONSET_YEARS), 1, 1)
    if day < earliest:
        raise ValidationError.single(
            spec.path, f"The {spec.noun} is more than {MAX_AGE_OF_ONSET_YEARS} years ago; please check it."
        )
    return day


def _number(spec: FieldSpec, value: object, text_re: re.Pattern[str], what: str) -> int | float:
    """An int or float from a number or plain decimal text; refuses bool, NaN and inf."""
    if isinstance(value, str) and text_re.match(value.strip()):
        text = value.strip()
        return int(text) if text_re is _INT_TEXT_RE else float(text)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError.single(spec.path, f"The {spec.noun} must be {what}.")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError.single(spec.path, f"The {spec.noun} must be {what}.")
    return value


def _int_limit(spec: FieldSpec, options: IntakeOptions) -> tuple[int, str]:
    if spec.path == "complaint.daily_shedding":
        high = options.shedding_max_plausible
        return high, f"More than {high} hairs a day is not plausible; please check the estimate."
    if spec.path == "complaint.duration_months":
        high = options.max_duration_months
        return high, f"The {spec.noun} cannot be more than {high} months."
    raise AssertionError(f"no limit defined for {spec.path}")  # a new INT field needs one


def _clean_int(spec: FieldSpec, value: object, options: IntakeOptions) -> int:
    number = _number(spec, value, _INT_TEXT_RE, "a whole number")
    if isinstance(number, float):
        if not number.is_integer():
            raise ValidationError.single(spec.path, f"The {spec.noun} must be a whole number.")
    if number < 0:
        raise ValidationError.single(spec.path, f"The {spec.noun} cannot be negative.")
    high, too_high = _int_limit(spec, options)
    if number > high:
        raise ValidationError.single(spec.path, too_high)
    return int(number)


def _clean_percent(spec: FieldSpec, value: object) -> float:
    number = _number(spec, value, _PERCENT_TEXT_RE, "a number from 0 to 100")
    percent = check_percent(number, spec.path, spec.noun)
    # repr() is the shortest text giving this float: 12.35 rounds up as typed, not as stored.
    rounded = Decimal(repr(percent)).quantize(_PERCENT_PLACES, rounding=ROUND_HALF_UP)
    return float(rounded) + 0.0  # + 0.0 turns -0.0 into 0.0
