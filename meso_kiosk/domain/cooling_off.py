"""Time to think: the first session waits for the clinic's cooling-off period after the first
consent, unless an admin records why it may start earlier (a waiver).

Pure rules and wording; the service (``services/cooling_off``) reads the records and the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .errors import ValidationError
from .text import clean_text

MAX_WAIVER_REASON = 500
MIN_WAIVER_REASON = 10  # "ok" or "x" is no reason a colleague could read later


@dataclass(frozen=True)
class CoolingOffHold:
    """The first session is held: the patient's first consent and when their time to think ends."""

    first_consent_id: int
    signed_at: datetime  # UTC
    ends_at: datetime  # UTC
    hours: int


@dataclass(frozen=True)
class CoolingOffWaiver:
    """An admin's recorded reason for letting the first session start before the period ends."""

    id: int
    patient_id: int
    consent_id: int
    reason: str
    admin_id: int
    admin_name: str
    created_at: datetime  # UTC


def cooling_off_ends(first_signed_at: datetime, hours: int) -> datetime:
    return first_signed_at + timedelta(hours=hours)


def day_words(day: date, today: date) -> str:
    """'today', 'tomorrow', 'yesterday', or 'on 24 Nov 2026' (a day relative to the clinic's today)."""
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    if day == today - timedelta(days=1):
        return "yesterday"
    return f"on {day.strftime('%d %b %Y').lstrip('0')}"


def hold_message(signed_local: datetime, ends_local: datetime, today: date, hours: int) -> str:
    """Why the first session waits, in the clinic's local time (``*_local`` already converted):
    "The patient signed their first consent at 09:12 today; the clinic's cooling-off period of
    24 hours ends tomorrow at 09:12." """
    unit = "hour" if hours == 1 else "hours"
    return (f"The patient signed their first consent at {signed_local:%H:%M} "
            f"{day_words(signed_local.date(), today)}; the clinic's cooling-off period of {hours} {unit} "
            f"ends {day_words(ends_local.date(), today)} at {ends_local:%H:%M}.")


def clean_waiver_reason(value: object) -> str:
    """The admin's reason, as it will be stored, or ``ValidationError`` on field ``reason``."""
    text = clean_text(value, "reason", max_length=MAX_WAIVER_REASON, required=True, multiline=True,
                      label="reason")
    assert text is not None
    if len(text) < MIN_WAIVER_REASON:
        raise ValidationError.single(
            "reason", f"Please say why the first session may start early, in a few words "
                      f"(at least {MIN_WAIVER_REASON} characters).")
    return text
