"""Cleaning of free text typed or pasted by people (names, notes, lot numbers)."""

from __future__ import annotations

import unicodedata

from .errors import ValidationError

# Zero-width joiners are part of correct spelling in several scripts (and of emoji).
_ALLOWED_FORMAT_CHARS = {"\u200c", "\u200d"}


def clean_text(
    value: object,
    field: str,
    *,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
    label: str | None = None,
) -> str | None:
    """Return ``value`` trimmed and NFC-normalised, or raise ``ValidationError``.

    Control characters (NUL, escape codes, stray bidi overrides) are refused
    rather than silently dropped, so what is stored is exactly what was shown.
    Empty text becomes ``None`` unless ``required``.
    """
    name = label or field.replace("_", " ")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError.single(field, f"The {name} must be text.")
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").strip()
    if not text:
        if required:
            raise ValidationError.single(field, f"Please enter the {name}.")
        return None
    if len(text) > max_length:
        raise ValidationError.single(
            field, f"The {name} is too long: at most {max_length} characters (this has {len(text)})."
        )
    allowed_controls = {"\n", "\t"} if multiline else set()
    for char in text:
        category = unicodedata.category(char)
        if char in allowed_controls or char in _ALLOWED_FORMAT_CHARS:
            continue
        if category in ("Cc", "Cf", "Cs", "Co"):
            raise ValidationError.single(
                field,
                f"The {name} contains an invisible control character"
                f" (U+{ord(char):04X}); please retype it.",
            )
    return text
