"""Phone numbers and e-mail addresses as people type them (a patient's, the clinic's)."""

from __future__ import annotations

import re

from .errors import ValidationError
from .text import clean_text

_PHONE_RE = re.compile(r"^\+?[0-9 ()./\-]{4,32}$")
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def phone_digits(phone: str | None) -> str:
    """The digits of a phone number (what search and comparison use)."""
    return "".join(ch for ch in (phone or "") if ch.isdigit() and ch.isascii())


def clean_phone(value: object, field: str = "phone") -> str | None:
    """A phone number as typed (None when empty), or ``ValidationError`` on ``field``."""
    text = clean_text(value, field, max_length=32, label="phone number")
    if text is None:
        return None
    if not _PHONE_RE.match(text) or len(phone_digits(text)) < 4:
        raise ValidationError.single(
            field, "Enter the phone number with digits only (spaces, +, - and brackets are fine)."
        )
    return text


def clean_email(value: object, field: str = "email") -> str | None:
    """An e-mail address (None when empty), or ``ValidationError`` on ``field``."""
    text = clean_text(value, field, max_length=254, label="e-mail address")
    if text is None:
        return None
    if not _EMAIL_RE.match(text):
        raise ValidationError.single(field, "Enter an e-mail address like name@example.com.")
    return text
