"""The clinic's own facts in the consent: its price and who gives the treatment.

A consent template's ``[clinic]`` table holds the sentences in the template's language, with
placeholders (``{price}``, ``{name}`` …) so a clinic can reword them. ``clinic_sentences``
fills them from a patient's ``ClinicFacts``: a sentence is said only when the clinic has set
what it names, and with nothing set there is no block at all (the consent's text is then
exactly what it was before the block existed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .errors import ValidationError
from .text import clean_text

# Key → the placeholders it must hold (each once, and no others).
CLINIC_KEYS: dict[str, tuple[str, ...]] = {
    "heading": (),                                              # "What it costs, and who treats you"
    "price": ("price",),                                        # "Each session costs {price}."
    "course_total": ("sessions", "total"),                      # "The {sessions} sessions planned cost …"
    "practitioner": ("name", "profession", "registration"),     # "Your treatment is given by {name}, …"
    "practitioner_profession": ("name", "profession"),          # … when no registration is recorded
    "practitioner_registration": ("name", "registration"),      # … when no profession is recorded
}
CLINIC_MARKS = {"decimal_mark": ".", "thousands_mark": ","}  # how the language writes 1,140.00
# What a block may hold: (the price sentence's placeholders, the practitioner sentence's).
CLINIC_SHAPES = tuple((price, who) for price in ((), ("price",), ("price", "sessions", "total"))
                      for who in ((), ("name", "profession", "registration"), ("name", "profession"),
                                  ("name", "registration")) if price or who)
_PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")
_MAX_SENTENCE = 4000


class ClinicWordsError(ValueError):
    """The [clinic] table is not usable: ``key`` (``clinic.price``) names the entry to fix."""

    def __init__(self, problem: str, key: str):
        super().__init__(f"{key}: {problem}")
        self.problem, self.key = problem, key


@dataclass(frozen=True)
class ClinicFacts:
    """What the clinic has set that this patient reads before signing (None: not set)."""

    price: Decimal | None = None          # of one session of the patient's course protocol
    currency: str | None = None
    sessions: int | None = None           # sessions planned in the patient's course
    practitioner: str | None = None       # who gives the treatment (the consultant's name)
    profession: str | None = None
    registration: str | None = None
    practitioner_id: int | None = field(default=None, compare=False)  # that consultant, for ``sign``


def parse_clinic_words(raw: object) -> tuple[tuple[str, str], ...]:
    """The [clinic] table: every sentence, each with exactly its placeholders, and the marks."""
    if not isinstance(raw, Mapping):
        raise ClinicWordsError("the template needs a [clinic] table: the words of the clinic's price and "
                               "practitioner", key="clinic")
    unknown = sorted(set(raw) - set(CLINIC_KEYS) - set(CLINIC_MARKS))
    if unknown:
        raise ClinicWordsError(f"not a [clinic] entry (they are: {', '.join([*CLINIC_KEYS, *CLINIC_MARKS])})",
                               key=f"clinic.{unknown[0]}")
    words: list[tuple[str, str]] = []
    for key, wanted in CLINIC_KEYS.items():
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ClinicWordsError("must be a non-empty text", key=f"clinic.{key}")
        try:
            text = " ".join((clean_text(value, key, max_length=_MAX_SENTENCE) or "").split())
        except ValidationError as error:
            raise ClinicWordsError(error.errors[key], key=f"clinic.{key}") from None
        found = _PLACEHOLDER_RE.findall(text)
        missing = [name for name in wanted if name not in found]
        extra = sorted({name for name in found if name not in wanted} | {n for n in found if found.count(n) > 1})
        if missing or extra:
            said = ", ".join("{" + name + "}" for name in wanted) or "no {…} placeholder"
            raise ClinicWordsError(f"must hold {said}, each once" + (f" (it has {{{extra[0]}}})" if extra else ""),
                                   key=f"clinic.{key}")
        words.append((key, text))
    for key, default in CLINIC_MARKS.items():
        mark = raw.get(key, default)
        if not isinstance(mark, str) or len(mark) != 1 or mark.isalnum() or mark in "{}":
            raise ClinicWordsError("must be one character such as \".\", \",\" or a space", key=f"clinic.{key}")
        words.append((key, mark))
    return tuple(words)


def format_amount(amount: Decimal, currency: str, decimal_mark: str = ".", thousands_mark: str = ",") -> str:
    """``1,140.00 EUR`` with the language's marks (``1 140,00 EUR`` in French); the amount
    never parts from its currency at the end of a line (a no-break space)."""
    digits = f"{amount:,.2f}".replace(",", "\0").replace(".", decimal_mark).replace("\0", thousands_mark)
    return f"{digits}\u00a0{currency}"


def clinic_values(facts: ClinicFacts | None, words: Mapping[str, str]) -> dict[str, str]:
    """The placeholders ``facts`` fill, in the words' language; absent when not set."""
    if facts is None or not words:
        return {}
    marks = (words.get("decimal_mark", "."), words.get("thousands_mark", ","))
    values: dict[str, str] = {}
    if facts.price is not None and facts.price > 0 and facts.currency:
        values["price"] = format_amount(facts.price, facts.currency, *marks)
        if facts.sessions is not None and facts.sessions > 1:
            values["sessions"] = str(facts.sessions)
            values["total"] = format_amount(facts.price * facts.sessions, facts.currency, *marks)
    if facts.practitioner and (facts.profession or facts.registration):
        # typed text: on one line, as the sentence around it
        values |= {key: " ".join(value.split()) for key, value in (
            ("name", facts.practitioner), ("profession", facts.profession), ("registration", facts.registration))
            if value}
    return values


def _fill(text: str, values: Mapping[str, str]) -> str:
    # One pass: a value that itself holds "{name}" is never filled again.
    return _PLACEHOLDER_RE.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def clinic_sentences(words: Mapping[str, str], values: Mapping[str, str]) -> list[str]:
    """The block's paragraphs (price, then practitioner) for the values given; [] for none."""
    sentences = []
    if "price" in values:
        price = _fill(words["price"], values)
        sentences.append(price + (" " + _fill(words["course_total"], values) if "total" in values else ""))
    if "name" in values:
        key = ("practitioner" if {"profession", "registration"} <= set(values) else
               "practitioner_profession" if "profession" in values else "practitioner_registration")
        sentences.append(_fill(words[key], values))
    return sentences
