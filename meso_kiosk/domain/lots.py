"""Product lots: the expiry check, the recall key, and the expiry date as typed from a box."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from .errors import ValidationError

_EXPIRY_YEARS = (2000, 2100)


class LotStatus(StrEnum):
    OK = "ok"
    EXPIRING_SOON = "expiring_soon"
    EXPIRED = "expired"


@dataclass(frozen=True)
class LotCheck:
    status: LotStatus
    days_left: int  # negative once expired
    message: str | None  # for the consultant; None when the lot is fine

    @property
    def refused(self) -> bool:
        return self.status is LotStatus.EXPIRED


def check_lot(expiry: date, today: date, warning_days: int = 30) -> LotCheck:
    """Expired lots are refused; lots expiring within ``warning_days`` warn.

    The expiry date is the last day of use, so a lot expiring today is still
    usable (and warns).
    """
    days_left = (expiry - today).days
    if days_left < 0:
        return LotCheck(
            LotStatus.EXPIRED,
            days_left,
            f"This lot expired on {expiry.isoformat()} and must not be used.",
        )
    if days_left <= warning_days:
        when = "today" if days_left == 0 else f"in {days_left} day{'s' if days_left != 1 else ''}"
        return LotCheck(
            LotStatus.EXPIRING_SOON, days_left, f"This lot expires {when} ({expiry.isoformat()})."
        )
    return LotCheck(LotStatus.OK, days_left, None)


def lot_key(lot: str) -> str:
    """Form used to look a lot up on a recall: case and spacing do not matter."""
    return re.sub(r"\s+", "", lot).upper()


def expiry_from_text(text: str) -> date | None:
    """The expiry date typed so far (YYYY-MM or YYYY-MM-DD), or None while it is not one yet:
    what the session form's live lot check reads, exactly as saving will."""
    try:
        return parse_expiry(text, "expiry")
    except ValidationError:
        return None


def parse_expiry(value: object, field: str) -> date:
    """A date; typed text may be YYYY-MM-DD or YYYY-MM (end of that month, as printed on boxes)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", text)
        if not match:
            raise ValidationError.single(
                field, "Please enter the expiry date as printed on the box: YYYY-MM or YYYY-MM-DD.")
        year, month = int(match[1]), int(match[2])
        try:
            day = int(match[3]) if match[3] else calendar.monthrange(year, month)[1]
            value = date(year, month, day)
        except (ValueError, calendar.IllegalMonthError):
            raise ValidationError.single(field, "That expiry date does not exist.") from None
    if not isinstance(value, date):
        raise ValidationError.single(field, "Please enter the expiry date.")
    low, high = _EXPIRY_YEARS
    if not low <= value.year <= high:
        raise ValidationError.single(field, f"The expiry date must be between {low} and {high}.")
    return value
