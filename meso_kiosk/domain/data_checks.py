"""Checks shared by the readers of clinic-edited files (protocols, the clinic calendar) and
the planner: whole numbers in a range, lines a file may not have, a bad value shown safely."""

from __future__ import annotations

import math
from collections.abc import Mapping

from .errors import ValidationError


def whole_number(value: object, field_name: str, what: str, low: int, high: int) -> int:
    """An int in [low, high]; bools, floats (7.0 included), NaN and text are refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        shown = "nothing" if value is None else shown_value(value)
        raise ValidationError.single(field_name, f"{what} must be a whole number from {low} to {high} (got {shown}).")
    if not low <= value <= high:
        raise ValidationError.single(field_name, f"{what} must be from {low} to {high} (got {value}).")
    return value


def shown_value(value: object) -> str:
    """A short, safe rendering of a bad value for an error message."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def refuse_unknown_keys(body: Mapping, allowed: frozenset[str], field_name: str, where: str) -> None:
    unknown = sorted(str(key) for key in body if key not in allowed)
    if unknown:
        names = ", ".join(shown_value(name) for name in unknown[:5])
        expected = ", ".join(sorted(allowed))
        raise ValidationError.single(
            field_name, f"{where} has a line the kiosk does not know: {names}. Expected only: {expected}."
        )
