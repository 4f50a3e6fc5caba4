"""What a language code looks like, the one rule for patients, consent templates, aftercare
files and the clinic data loader: a BCP 47-style tag such as ``en``, ``pt-BR`` or ``zh-Hant-TW``
(a 2–3 letter language, then any 2–8 letter or digit subtags)."""

from __future__ import annotations

import re

_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def is_language_code(value: object) -> bool:
    """True when ``value`` is a string shaped like a language code; it also names files, so
    nothing else (no dots, slashes or spaces) gets through."""
    return isinstance(value, str) and _LANGUAGE_CODE.fullmatch(value) is not None
