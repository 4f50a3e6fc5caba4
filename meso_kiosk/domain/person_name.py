"""A person's name as people write it: which part comes first, and whether a space parts them.

Chinese, Japanese, Korean, Vietnamese and Hungarian names put the family name first ("王小明",
"Nguyễn Thị Hương", "Nagy Eszter"). Han, kana and Hangul give the order away, so it is the
default for names written in them; a Vietnamese or Hungarian name is Latin script like any
other, so that order is chosen per patient (``NAME_ORDERS``) and stored with them.
"""

from __future__ import annotations

GIVEN_FIRST = "given_first"
FAMILY_FIRST = "family_first"
NAME_ORDERS = {GIVEN_FIRST: "Given name first", FAMILY_FIRST: "Family name first"}

# Han (with its extensions and compatibility ideographs), kana and Hangul.
_EAST_ASIAN_RANGES = (
    (0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x3005, 0x3007), (0x3040, 0x30FF), (0x3130, 0x318F),
    (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF),
    (0xF900, 0xFAFF), (0xFF66, 0xFF9F), (0x20000, 0x3FFFF),
)
# Punctuation inside an East Asian name that does not ask for a space around it (katakana middle dot).
_EAST_ASIAN_PUNCTUATION = set("・･ー")


def is_east_asian_char(char: str) -> bool:
    point = ord(char)
    return any(low <= point <= high for low, high in _EAST_ASIAN_RANGES)


def _has_east_asian(text: str) -> bool:
    return any(is_east_asian_char(char) for char in text)


def _all_east_asian(text: str) -> bool:
    return bool(text) and all(is_east_asian_char(c) or c in _EAST_ASIAN_PUNCTUATION for c in text)


def default_order(given: str, family: str) -> str:
    """Family first for a name written in Han, kana or Hangul; given first otherwise."""
    return FAMILY_FIRST if _has_east_asian(given) or _has_east_asian(family) else GIVEN_FIRST


def display_name(given: str, family: str, order: str | None = None) -> str:
    """The name as it is written: in ``order`` (by script when None); East Asian parts without a space."""
    order = order or default_order(given, family)
    first, second = (family, given) if order == FAMILY_FIRST else (given, family)
    joiner = "" if _all_east_asian(first) and _all_east_asian(second) else " "
    return f"{first}{joiner}{second}".strip()
