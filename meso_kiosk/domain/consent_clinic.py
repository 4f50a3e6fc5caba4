"""The clinic's own facts in the consent: its price and who gives the treatment.

A consent template's ``[clinic]`` table holds the sentences in the template's language, with
placeholders (``{price}``, ``{name}`` …) so a clinic can reword them. ``clinic_sentences``
fills them from a patient's ``ClinicFacts``: a sentence is said only when the clinic has set
what it names, and with nothing set there is no block at all (the consent's text is then
exactly what it was before the block existed).

From consent version 2 on the table also words, each at the end of its own section: the screening
stops the consultant overrode for this patient (``[clinic.stops]`` words each rule by its id), how to
reach the clinic urgently (its phone number) and the time to think before a first session (the
clinic's cooling-off period). Those keys are optional here, so version 1 reads as it was signed;
``EXTRA_GROUPS`` says which keys come together.
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
# Version 2's sentences, by group: a template has all keys of a group or none (key → its placeholders).
EXTRA_GROUPS: dict[str, dict[str, tuple[str, ...]]] = {
    "stops": {
        "overridden_stops": ("stops",),   # "Your consultant has checked with you: {stops}. You agreed …"
        "other_stop": (),                 # the words for a rule [clinic.stops] does not word
        "and": (),                        # "and", between the last two stops
    },
    "urgent": {
        "urgent": ("phone",),             # "If you have a fever … call us at {phone} …"
        "urgent_no_phone": (),            # the same, when the clinic has set no phone number
    },
    "cooling_off": {
        "cooling_off": ("cooling_off",),  # "You do not have to decide today. We will wait at least {cooling_off} …"
        "cooling_off_none": (),           # when the clinic waits no time at all
        "one_hour": (),                   # "1 hour"
        "hours": ("count",),              # "{count} hours"
        "days": ("count",),               # "{count} days" (a whole number of days, 2 or more)
    },
}
STOPS_TABLE = "stops"  # [clinic.stops]: screening rule id = "the patient's words for it"
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
    phone: str | None = None              # the clinic's, for anything urgent
    cooling_off_hours: int | None = None  # the wait before a first session (None: not said)
    overridden_stops: tuple[str, ...] = ()  # ids of the screening rules overridden for this patient


def parse_clinic_words(raw: object) -> tuple[tuple[str, str], ...]:
    """The [clinic] table: every sentence, each with exactly its placeholders, and the marks.

    Version 2's groups (``EXTRA_GROUPS``) come whole or not at all; ``[clinic.stops]`` words
    become ``("stops.<rule id>", words)`` pairs.
    """
    if not isinstance(raw, Mapping):
        raise ClinicWordsError("the template needs a [clinic] table: the words of the clinic's price and "
                               "practitioner", key="clinic")
    extra_keys = [key for group in EXTRA_GROUPS.values() for key in group]
    known = [*CLINIC_KEYS, *CLINIC_MARKS, *extra_keys, STOPS_TABLE]
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ClinicWordsError(f"not a [clinic] entry (they are: {', '.join(known)})", key=f"clinic.{unknown[0]}")
    words = [(key, _sentence(raw.get(key), f"clinic.{key}", wanted)) for key, wanted in CLINIC_KEYS.items()]
    for key, default in CLINIC_MARKS.items():
        mark = raw.get(key, default)
        if not isinstance(mark, str) or len(mark) != 1 or mark.isalnum() or mark in "{}":
            raise ClinicWordsError("must be one character such as \".\", \",\" or a space", key=f"clinic.{key}")
        words.append((key, mark))
    for group in EXTRA_GROUPS.values():
        if any(key in raw for key in group):
            words += [(key, _sentence(raw.get(key), f"clinic.{key}", wanted)) for key, wanted in group.items()]
    stops = raw.get(STOPS_TABLE, {})
    if not isinstance(stops, Mapping) or (stops and "overridden_stops" not in raw):
        raise ClinicWordsError("must be a table of screening rule id = \"the patient's words\", beside "
                               "overridden_stops", key=f"clinic.{STOPS_TABLE}")
    for rule_id, text in stops.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", rule_id):
            raise ClinicWordsError("not a screening rule id (lower-case letters, digits and _)",
                                   key=f"clinic.{STOPS_TABLE}.{rule_id}")
        words.append((f"{STOPS_TABLE}.{rule_id}", _sentence(text, f"clinic.{STOPS_TABLE}.{rule_id}", ())))
    return tuple(words)


def has_group(words: Mapping[str, str], group: str) -> bool:
    """Whether a template's [clinic] words say ``group`` of ``EXTRA_GROUPS`` (version 2 on)."""
    return all(key in words for key in EXTRA_GROUPS[group])


def _sentence(value: object, key: str, wanted: tuple[str, ...]) -> str:
    """One [clinic] text on one line, holding each of ``wanted`` once and no other placeholder."""
    if not isinstance(value, str) or not value.strip():
        raise ClinicWordsError("must be a non-empty text", key=key)
    try:
        text = " ".join((clean_text(value, key, max_length=_MAX_SENTENCE) or "").split())
    except ValidationError as error:
        raise ClinicWordsError(error.errors[key], key=key) from None
    found = _PLACEHOLDER_RE.findall(text)
    missing = [name for name in wanted if name not in found]
    extra = sorted({name for name in found if name not in wanted} | {n for n in found if found.count(n) > 1})
    if missing or extra:
        said = ", ".join("{" + name + "}" for name in wanted) or "no {…} placeholder"
        raise ClinicWordsError(f"must hold {said}, each once" + (f" (it has {{{extra[0]}}})" if extra else ""),
                               key=key)
    return text


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
    if facts.phone and facts.phone.strip():
        values["phone"] = "\u00a0".join(facts.phone.split())  # a number never breaks across two lines
    if facts.cooling_off_hours is not None and has_group(words, "cooling_off"):
        if facts.cooling_off_hours <= 0:
            values["start_today"] = ""  # no wait: its own sentence, no placeholder
        else:
            values["cooling_off"] = _duration(facts.cooling_off_hours, words)
    if facts.overridden_stops and has_group(words, "stops"):
        said = list(dict.fromkeys(words.get(f"{STOPS_TABLE}.{rule_id}", words["other_stop"])
                                  for rule_id in facts.overridden_stops))
        values["stops"] = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} {words['and']} {said[-1]}"
    return values


def _duration(hours: int, words: Mapping[str, str]) -> str:
    """"24 hours", "1 hour", "3 days" in the template's words (days when whole, from 2)."""
    if hours == 1:
        return words["one_hour"]
    if hours % 24 == 0 and hours >= 48:
        return _fill(words["days"], {"count": str(hours // 24)})
    return _fill(words["hours"], {"count": str(hours)})


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


def extra_sentences(words: Mapping[str, str], values: Mapping[str, str]) -> dict[str, str]:
    """Version 2's sentences for the values given, by group of ``EXTRA_GROUPS`` (absent: nothing to say).

    How to reach the clinic is always said (with its number when it has one); the time to think
    when the facts name a cooling-off period; the overridden stops when there are any.
    """
    sentences = {}
    if has_group(words, "stops") and "stops" in values:
        sentences["stops"] = _fill(words["overridden_stops"], values)
    if has_group(words, "urgent"):
        sentences["urgent"] = _fill(words["urgent"], values) if "phone" in values else words["urgent_no_phone"]
    if has_group(words, "cooling_off") and ("cooling_off" in values or "start_today" in values):
        sentences["cooling_off"] = (_fill(words["cooling_off"], values) if "cooling_off" in values
                                    else words["cooling_off_none"])
    return sentences
