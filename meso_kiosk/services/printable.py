"""Can the PDF print this text? Asked where text is typed, so that a value no font of the
PDF can print is refused at its field with a message naming the character, never at an
export weeks later.

With the shipped fonts (``reports.fonts``: Latin, Greek, Cyrillic, Arabic, Hebrew, CJK,
the Indic and South-East Asian scripts, Georgian, Armenian, Ethiopic, emoji) almost
everything prints; what is left is private-use and unassigned code points and scripts
no shipped font covers.
"""

from __future__ import annotations

import unicodedata
from typing import Mapping

from ..domain.errors import ValidationError


def unprintable(text: object) -> str | None:
    """None when the PDF can print every character of ``text``; else a message, fit to show
    beside the field, naming the first character it cannot print. Anything but text (a number,
    a choice left empty) is the validators' business: None."""
    if not isinstance(text, str) or text.isascii():  # the PDF's first font has all of ASCII
        return None
    from .export import pdf_fonts  # the PDF's fonts: read on first use, not at start-up

    char = pdf_fonts().first_unprintable(text)
    return None if char is None else _message(char)


def unprintable_fields(texts: Mapping[str, object]) -> dict[str, str]:
    """Field (key of ``texts``) → message, for each text the PDF cannot print."""
    return {field: message for field, text in texts.items() if (message := unprintable(text))}


def check_printable(texts: Mapping[str, object]) -> None:
    """``ValidationError`` naming each field (key of ``texts``) whose text the PDF cannot print."""
    errors = unprintable_fields(texts)
    if errors:
        raise ValidationError(errors)


def _message(char: str) -> str:
    code = f"U+{ord(char):04X}"
    category = unicodedata.category(char)
    if category == "Co":
        return f"The PDF cannot print the private-use character {code}: remove it."
    if category in ("Cn", "Cs"):
        return f"The PDF cannot print {code}, which is not a character: remove it."
    name = unicodedata.name(char, "unnamed character").title()
    return (f"The PDF cannot print “{char}” ({name}, {code}): no font of the PDF has it. "
            "Remove it or write this in another script.")
