"""Who signs a consent besides the patient and the consultant: a parent or guardian, a witness,
an interpreter; and the clinic's age rule that decides whether a guardian is needed.

Under the clinic's minimum age a patient cannot consent alone: their own signature is then
their assent, and a guardian (name, relationship, signature) gives the consent; a clinic that
treats no minors refuses the consent outright. A witness and an interpreter are optional.
Each party signs on the pad, like the patient; the record keeps their strokes and picture.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Callable

from .errors import ValidationError
from .signature import SignatureError, SignatureStrokes, parse_signature
from .text import clean_text

MAX_PARTY_NAME = 100  # as a patient's given or family name
MAX_RELATIONSHIP = 60
# What a guardian usually is to the young person; the screen offers these, any other words may be typed.
RELATIONSHIPS = ("Mother", "Father", "Parent", "Legal guardian", "Grandparent", "Carer")


class PartyRole(str, Enum):
    GUARDIAN = "guardian"
    WITNESS = "witness"
    INTERPRETER = "interpreter"


ROLE_WORDS = {PartyRole.GUARDIAN: "Parent or guardian", PartyRole.WITNESS: "Witness",
              PartyRole.INTERPRETER: "Interpreter"}


@dataclass(frozen=True)
class ConsentParty:
    """One person who signed a consent beside the patient. ``relationship`` is the guardian's
    (to the patient), ``language`` the interpreter's (a language code); ``patient_age`` is the
    young person's age on the day a guardian signed for them."""

    role: PartyRole
    name: str
    signature: SignatureStrokes
    relationship: str | None = None
    language: str | None = None
    signature_png: bytes | None = None
    patient_age: int | None = None
    signed_at: datetime | None = None
    signature_sha256: str | None = None


class AgeRule(str, Enum):
    ALONE = "alone"              # old enough to consent alone
    GUARDIAN = "guardian"        # a guardian consents; the patient's signature is assent
    REFUSED = "refused"          # too young, and the clinic treats no minors


@dataclass(frozen=True)
class WhoSigns:
    """What the clinic's age rule says for one patient today."""

    rule: AgeRule
    age: int
    minimum_age: int

    @property
    def guardian_needed(self) -> bool:
        return self.rule is AgeRule.GUARDIAN

    @property
    def refusal(self) -> str | None:
        """The consultant's words when no consent can be signed, else None."""
        if self.rule is not AgeRule.REFUSED:
            return None
        return (f"This patient is {self.age}. The clinic treats patients from {self.minimum_age} only, so "
                "no consent can be signed. An admin can change this in the clinic settings (minimum age, "
                "treats minors).")


def who_signs(born: date, today: date, minimum_age: int, treats_minors: bool) -> WhoSigns:
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age >= minimum_age:
        return WhoSigns(AgeRule.ALONE, age, minimum_age)
    return WhoSigns(AgeRule.GUARDIAN if treats_minors else AgeRule.REFUSED, age, minimum_age)


def clean_person_name(value: object, field: str, label: str) -> str:
    """A name as a patient's is checked: letters, marks, spaces and the punctuation names carry."""
    text = clean_text(value, field, max_length=MAX_PARTY_NAME, required=True, label=label)
    assert text is not None
    text = " ".join(text.split())
    if not any(unicodedata.category(char).startswith("L") for char in text):
        raise ValidationError.single(field, f"The {label} must contain at least one letter.")
    for char in text:
        category = unicodedata.category(char)
        if category[0] in "NSP" and char not in "'’ʼ‘-‐‑.·־・":
            raise ValidationError.single(
                field, f"The {label} may contain letters, spaces, hyphens and apostrophes only (not “{char}”).")
    return text


def _field(party: object, key: str) -> object:
    return party.get(key) if isinstance(party, Mapping) else getattr(party, key, None)


def _one_party(role: PartyRole, raw: object, is_language: Callable[[object], bool],
               errors: dict[str, str]) -> ConsentParty | None:
    prefix = f"parties.{role.value}."
    words = ROLE_WORDS[role].lower()
    found: dict[str, object] = {}
    checks: list[tuple[str, Callable[[], object]]] = [
        ("name", lambda: clean_person_name(_field(raw, "name"), prefix + "name", f"{words}'s name"))]
    if role is PartyRole.GUARDIAN:
        checks.append(("relationship", lambda: clean_text(
            _field(raw, "relationship"), prefix + "relationship", max_length=MAX_RELATIONSHIP, required=True,
            label="guardian's relationship to the patient")))
    if role is PartyRole.INTERPRETER:
        def language() -> str:
            code = _field(raw, "language")
            if not is_language(code):
                raise ValidationError.single(prefix + "language", "Choose the language the interpreter spoke.")
            return code  # type: ignore[return-value]
        checks.append(("language", language))
    for key, check in checks:
        try:
            found[key] = check()
        except ValidationError as error:
            errors.update(error.errors)
    signature = _field(raw, "signature")
    try:
        found["signature"] = parse_signature(
            signature.to_data() if isinstance(signature, SignatureStrokes) else signature)
    except SignatureError as error:
        errors[prefix + "signature"] = next(iter(error.errors.values()))
    png = _field(raw, "signature_png")
    if png is not None and (not isinstance(png, (bytes, bytearray)) or not bytes(png).startswith(b"\x89PNG")
                            or len(png) > 2_000_000):
        errors[prefix + "signature_png"] = "The picture of the signature is not a PNG image of a sensible size."
    if any(key.startswith(prefix) for key in errors):
        return None
    return ConsentParty(role, found["name"], found["signature"], relationship=found.get("relationship"),
                        language=found.get("language"), signature_png=None if png is None else bytes(png))


def validate_parties(raw: Iterable[object] | None, *, who: WhoSigns | None,
                     is_language: Callable[[object], bool]) -> tuple[tuple[ConsentParty, ...], dict[str, str]]:
    """The parties as they will be stored, and the errors keyed ``parties.<role>.<field>``.

    ``raw``: ``ConsentParty`` objects or mappings with ``role``, ``name``, ``relationship``,
    ``language``, ``signature`` (strokes) and ``signature_png``. One of each role at most. ``who``
    (a consent's age rule; None for a withdrawal) makes the guardian required or refused."""
    errors: dict[str, str] = {}
    by_role: dict[PartyRole, object] = {}
    for party in raw or ():
        try:
            role = PartyRole(_field(party, "role"))
        except ValueError:
            errors["parties"] = "Only a parent or guardian, a witness or an interpreter can sign beside the patient."
            continue
        if role in by_role:
            errors[f"parties.{role.value}"] = f"Only one {ROLE_WORDS[role].lower()} can sign a consent."
        by_role[role] = party
    if who is not None and who.rule is AgeRule.REFUSED:
        errors["age"] = who.refusal or ""
    elif who is not None and who.guardian_needed and PartyRole.GUARDIAN not in by_role:
        errors["parties.guardian"] = (f"The patient is {who.age}, under the clinic's minimum age of "
                                      f"{who.minimum_age}: a parent or guardian must sign too.")
    elif who is not None and not who.guardian_needed and PartyRole.GUARDIAN in by_role:
        errors["parties.guardian"] = "The patient is old enough to consent alone: no guardian signs for them."
    parties = []
    for role in PartyRole:  # stored in one order, whatever order they came in
        if role in by_role:
            party = _one_party(role, by_role[role], is_language, errors)
            if party is not None:
                age = who.age if role is PartyRole.GUARDIAN and who is not None else None
                parties.append(ConsentParty(party.role, party.name, party.signature, party.relationship,
                                            party.language, party.signature_png, age))
    return tuple(parties), errors

