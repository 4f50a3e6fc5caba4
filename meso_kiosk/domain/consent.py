"""The consent: the patient's answers, the signed record, and the hand-off identity check.

Three things must hold for a signed consent:

* **Which text was shown.** The ``ConsentTemplate`` renders one canonical text
  (``consent_template.render_text``); the record stores it with its SHA-256.
* **What the patient acknowledged.** ``validate_answers`` accepts a checklist only
  when every side-effect item is ticked, one by one, and the photo question is
  answered yes or no explicitly.
* **Who signed.** ``signature.SignatureStrokes`` holds the patient's signature as
  vector data with its SHA-256; ``parse_signature`` refuses a trivial or absurd one.

``SignedConsent`` is the record as stored; ``identity_matches`` is the hand-off check
("is the person holding the tablet this patient?").
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from .consent_template import ConsentTemplate, render_text, render_withdrawal_text, sha256_text
from .errors import ValidationError
from .patient import MAX_NAME_LENGTH, Patient, parse_date, search_key
from .signature import SignatureError, SignatureStrokes
from .text import clean_text

# ====================================================================== answers

MAX_QUESTION_LENGTH = 1000


@dataclass(frozen=True)
class ConsentAnswers:
    """The patient's answers: every checklist item acknowledged, photos yes or no."""

    acknowledged: tuple[str, ...]           # every checklist item id, in the order shown
    photo_consent: bool
    question_for_consultant: str | None = None
    reached_end: bool = True                # the patient scrolled to the end of the text

    def checklist_json(self) -> str:
        """The ``answers`` column: item id -> true, plus that the text was read to the end."""
        return json.dumps(
            {"checklist": {item: True for item in self.acknowledged}, "reached_end": self.reached_end},
            ensure_ascii=False, separators=(",", ":"),  # items stay in the order shown
        )


def validate_answers(
    template: ConsentTemplate,
    checklist: Mapping[str, object],
    photo_consent: object,
    question: object = None,
    *,
    reached_end: object = True,
) -> ConsentAnswers:
    """Accept the answers only if each item was ticked on its own and photos were answered.

    ``checklist`` maps item id -> ``True`` (exactly ``True``: "yes", 1 or a missing id
    is not an acknowledgement). Errors are keyed ``checklist.<id>``, ``checklist``,
    ``photo_consent``, ``question`` and ``reached_end``.
    """
    errors: dict[str, str] = {}
    if not isinstance(checklist, Mapping):
        checklist = {}
    ids = [item.id for item in template.checklist]
    for item_id in ids:
        if checklist.get(item_id) is not True:
            errors[f"checklist.{item_id}"] = "Tick this item to show it has been read and understood."
    unknown = sorted(str(key) for key in checklist if key not in ids)
    if unknown:
        errors["checklist"] = "The answers name items that are not in this consent: " + ", ".join(unknown[:5]) + "."
    if not isinstance(photo_consent, bool):
        errors["photo_consent"] = "Choose yes or no for photographs."
    try:
        cleaned_question = clean_text(question, "question", max_length=MAX_QUESTION_LENGTH, multiline=True,
                                      label="question for the consultant")
    except ValidationError as error:
        errors.update(error.errors)
        cleaned_question = None
    if reached_end is not True:
        errors["reached_end"] = "The whole text must be scrolled to the end before signing."
    if errors:
        raise ValidationError(errors)
    return ConsentAnswers(tuple(ids), bool(photo_consent), cleaned_question, True)


def answers_from_json(raw: str, photo_consent: bool, question: str | None) -> ConsentAnswers:
    data = json.loads(raw)
    checklist = data.get("checklist", {})
    return ConsentAnswers(
        tuple(k for k, v in checklist.items() if v is True), photo_consent, question,
        bool(data.get("reached_end", False)),
    )


# ====================================================================== the record


class ConsentKind(str, Enum):
    CONSENT = "consent"
    WITHDRAWAL = "withdrawal"


class WithdrawalChannel(str, Enum):
    """How the patient told the clinic they withdraw."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"


@dataclass(frozen=True)
class Countersignature:
    """The consultant who witnessed and confirmed the signature, by PIN at that moment."""

    consultant_id: int
    consultant_name: str
    signed_at: datetime


@dataclass(frozen=True)
class SignedConsent:
    """A signed consent or withdrawal, as stored. Never changes once stored.

    A withdrawal or a new consent is a new record whose ``supersedes_id`` names the
    record it replaces; the patient's current consent is the newest record of their
    chain when it is of kind ``consent``.
    """

    patient_id: int
    kind: ConsentKind
    language: str
    template_version: int
    text: str                              # the exact text shown (``render_text``)
    text_sha256: str
    printed_name: str
    meaning: str                           # the sentence the signature means
    signed_at: datetime                    # UTC
    countersignature: Countersignature
    device_id: str
    answers: ConsentAnswers | None = None  # consents only
    patient_signature: SignatureStrokes | None = None  # a withdrawal by phone has none
    patient_signature_sha256: str | None = None
    patient_signature_png: bytes | None = field(default=None, repr=False, compare=False)
    witness_name: str | None = None
    supersedes_id: int | None = None
    withdrawal_channel: WithdrawalChannel | None = None
    withdrawal_reason: str | None = None
    id: int | None = field(default=None, compare=False)

    @property
    def photo_consent(self) -> bool | None:
        return None if self.answers is None else self.answers.photo_consent


class RecordStatus(str, Enum):
    """Where a record stands in the patient's chain (worked out, never stored)."""

    CURRENT = "current"                 # the consent in force
    SUPERSEDED = "superseded"           # a consent replaced by a newer consent
    WITHDRAWN = "withdrawn"             # a consent the patient then withdrew
    WITHDRAWAL = "withdrawal"           # a withdrawal still in force: no consent since
    WITHDRAWAL_ENDED = "withdrawal_ended"  # a withdrawal followed by a new consent


def record_status(record: SignedConsent, superseded_by: SignedConsent | None) -> RecordStatus:
    """``record``'s status, given the record that superseded it (None when it is the newest)."""
    if record.kind is ConsentKind.WITHDRAWAL:
        return RecordStatus.WITHDRAWAL if superseded_by is None else RecordStatus.WITHDRAWAL_ENDED
    if superseded_by is None:
        return RecordStatus.CURRENT
    return RecordStatus.WITHDRAWN if superseded_by.kind is ConsentKind.WITHDRAWAL else RecordStatus.SUPERSEDED


def integrity_problems(record: SignedConsent) -> list[str]:
    """What does not check out in a record read back: recomputed hashes against stored ones."""
    problems = []
    if sha256_text(record.text) != record.text_sha256:
        problems.append("the consent text does not match its SHA-256")
    if record.patient_signature is not None and record.patient_signature.sha256 != record.patient_signature_sha256:
        problems.append("the patient's signature does not match its SHA-256")
    if record.kind is ConsentKind.CONSENT and record.patient_signature is None:
        problems.append("the consent has no patient signature")
    return problems


MAX_PRINTED_NAME = 2 * MAX_NAME_LENGTH + 1  # the patient's whole name, given and family at their longest
MAX_WITNESS_NAME = 200
MAX_REASON = 1000


def make_consent(
    template: ConsentTemplate,
    answers: ConsentAnswers,
    *,
    patient_id: int,
    printed_name: str,
    signature: SignatureStrokes,
    countersignature: Countersignature,
    signed_at: datetime,
    device_id: str,
    witness_name: object = None,
    supersedes_id: int | None = None,
    signature_png: bytes | None = None,
) -> SignedConsent:
    """The record of a consent signed on ``template``; the text and hash come from the template."""
    _require_utc(signed_at)
    text = render_text(template)
    return SignedConsent(
        patient_id=patient_id, kind=ConsentKind.CONSENT, language=template.language,
        template_version=template.version, text=text, text_sha256=sha256_text(text),
        printed_name=_printed(printed_name), meaning=template.meaning, signed_at=signed_at,
        countersignature=countersignature, device_id=device_id, answers=answers,
        patient_signature=signature, patient_signature_sha256=signature.sha256,
        patient_signature_png=signature_png,
        witness_name=clean_text(witness_name, "witness_name", max_length=MAX_WITNESS_NAME, label="witness's name"),
        supersedes_id=supersedes_id,
    )


def make_withdrawal(
    template: ConsentTemplate,
    *,
    patient_id: int,
    printed_name: str,
    withdraws_id: int,
    channel: WithdrawalChannel | str,
    countersignature: Countersignature,
    signed_at: datetime,
    device_id: str,
    reason: object = None,
    signature: SignatureStrokes | None = None,
    signature_png: bytes | None = None,
    witness_name: object = None,
) -> SignedConsent:
    """The record of a withdrawal of consent ``withdraws_id``.

    The patient signs it when present (``signature``); by phone, e-mail or letter the
    consultant records it alone and ``signature`` is None.
    """
    _require_utc(signed_at)
    try:
        channel = WithdrawalChannel(channel)
    except ValueError as error:
        raise ValidationError.single("channel", "Choose how the patient told us: in person, phone, e-mail or letter.") from error
    if channel is WithdrawalChannel.IN_PERSON and signature is None:
        raise SignatureError("empty", "The patient is here: please ask them to sign the withdrawal.")
    text = render_withdrawal_text(template)
    return SignedConsent(
        patient_id=patient_id, kind=ConsentKind.WITHDRAWAL, language=template.language,
        template_version=template.version, text=text, text_sha256=sha256_text(text),
        printed_name=_printed(printed_name), meaning=template.withdrawal.meaning, signed_at=signed_at,
        countersignature=countersignature, device_id=device_id,
        patient_signature=signature, patient_signature_sha256=None if signature is None else signature.sha256,
        patient_signature_png=signature_png,
        witness_name=clean_text(witness_name, "witness_name", max_length=MAX_WITNESS_NAME, label="witness's name"),
        supersedes_id=withdraws_id, withdrawal_channel=channel,
        withdrawal_reason=clean_text(reason, "reason", max_length=MAX_REASON, multiline=True, label="reason"),
    )


def _printed(name: object) -> str:
    text = clean_text(name, "printed_name", max_length=MAX_PRINTED_NAME, required=True, label="printed name")
    assert text is not None
    return " ".join(text.split())


def _require_utc(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("refusing a naive datetime: say which time zone it is in")


# ====================================================================== hand-off identity


def _identity_key(text: str) -> str:
    """Case, accents, spaces, hyphens and apostrophes do not matter: "o brien" = "O'Brien"."""
    folded = search_key(text)
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LMN")


def name_matches(patient: Patient, typed_name: object) -> bool:
    """Is ``typed_name`` this patient's name, given-then-family or family-then-given?"""
    if not isinstance(typed_name, str) or len(typed_name) > 500:
        return False
    typed = _identity_key(typed_name)
    if not typed:
        return False
    return typed in {
        _identity_key(f"{patient.given_name} {patient.family_name}"),
        _identity_key(f"{patient.family_name} {patient.given_name}"),
    }


def identity_matches(patient: Patient, typed_name: object, typed_dob: object) -> bool:
    """Did the person holding the tablet type this patient's name and date of birth?

    The name may be typed given-then-family or family-then-given, in any case, with
    or without accents, spaces, hyphens or apostrophes; the date of birth must be
    exact (ISO ``1986-04-12`` or day-first ``12/04/1986``, or a ``date``). Anything
    unreadable is simply no match.
    """
    if not name_matches(patient, typed_name):
        return False
    if isinstance(typed_dob, datetime):
        return False
    if isinstance(typed_dob, date):
        born = typed_dob
    else:
        if not isinstance(typed_dob, str) or len(typed_dob) > 40:
            return False
        try:
            born = parse_date(typed_dob, "date_of_birth", "date of birth")
        except ValidationError:
            return False
    return born == patient.date_of_birth
