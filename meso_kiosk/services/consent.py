"""Signing, withdrawing and checking a patient's consent; the gate before any session.

For the UI (hand-off mode and the consent page), the whole API is on ``ConsentService``:

1. ``languages()`` — the consent languages to offer on the hand-off screen (code and
   own name), the patient's preferred one first when given.
2. ``template_for(language, patient_id=…, treated_by=…)`` — the current ``ConsentTemplate``,
   with the clinic's block for that patient (the price of their course's protocol, and who
   gives the treatment: ``treated_by``, the consultant handing the tablet over). Show
   ``text_blocks(template)`` (from ``meso_kiosk.domain.consent_template``) block by block in
   large type; ``template.label(key)`` gives the screen's own words in that language
   (``SCREEN_KEYS``). Keep ``template.text_sha256``: ``sign`` wants it back, to prove
   the text shown is the text signed.
3. ``check_identity(patient_id, typed_name, typed_dob)`` — the patient confirms who
   they are before reading; False = pause and call the consultant (a mismatch is
   audited ``handoff.identity_mismatch``).
4. ``sign(...)`` — all answers, the strokes from the signature pad, the printed name,
   and the consultant's id and PIN typed at that moment. Raises ``ValidationError``
   (``errors`` keyed by field: ``checklist.<item id>``, ``photo_consent``,
   ``question``, ``reached_end``, ``signature`` — a ``SignatureError`` whose ``code``
   picks the screen word —, ``printed_name``, ``consultant_pin`` — a
   ``PinRejectedError`` —, ``text``) and writes nothing; on success, one transaction
   stores the record and both signatures, audited ``consent.sign``. ``who_signs(patient_id)``
   first, before the tablet is handed over: under the clinic's minimum age a guardian signs too
   (``parties``, errors ``parties.<role>.<field>``), or no consent can be signed at all
   (``WhoSigns.refusal``); a witness and an interpreter may sign (``domain/consent_parties``).
5. ``withdraw(...)`` — a withdrawal record superseding the current consent
   (``consent.withdraw``); ``sign`` again later to re-consent.
6. ``current(patient_id)``, ``history(patient_id)``, ``verify(record)`` for the
   consent page; ``consent_gate(patient_id)`` for the session service (no consent, a withdrawal,
   an older text when the clinic asks for re-consent — ``newer_text`` —, or the cooling-off
   before the first session — ``cooling_off``).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

from ..domain.actor import consultant_actor
from ..domain.clock import Clock
from ..domain.consent import (
    ConsentKind,
    MAX_WITNESS_NAME,
    Countersignature,
    RecordStatus,
    SignedConsent,
    WithdrawalChannel,
    identity_matches,
    integrity_problems,
    make_consent,
    make_withdrawal,
    name_matches,
    record_status,
    validate_answers,
)
from ..domain.clinic_settings import ClinicSettings
from ..domain.consent_clinic import ClinicFacts
from ..domain.consent_template import ConsentTemplate, is_text_of, render_withdrawal_text
from ..domain.consent_parties import ConsentParty, PartyRole, WhoSigns, validate_parties, who_signs
from ..domain.language import is_language_code
from ..domain.signature import SignatureError, SignatureStrokes, parse_signature
from ..domain.errors import ValidationError
from ..domain.text import clean_text
from ..domain.patient import Patient
from ..store import consents as consent_rows
from ..store import intakes as intake_rows
from ..store import patients as patient_rows
from ..store.db import Store
from ..store.errors import StoreError
from .accounts import AccountService, PinPurpose
from .clinic_data import ClinicData, ClinicDataError
from .printable import unprintable_fields

if TYPE_CHECKING:
    from .clinic import ClinicService
    from .cooling_off import CoolingOffService
    from .course import CourseService

MAX_PNG_BYTES = 2_000_000
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_DEVICE_ENV = "MESO_KIOSK_DEVICE_ID"


def this_device_id() -> str:
    """Which tablet or computer signs: ``MESO_KIOSK_DEVICE_ID`` if set, else the host name."""
    raw = os.environ.get(_DEVICE_ENV) or socket.gethostname() or "unknown-device"
    cleaned = "".join(ch for ch in raw if ch.isprintable()).strip()[:64]
    return cleaned or "unknown-device"


def _unprintable(signers: Iterable[ConsentParty], **texts: object) -> dict[str, str]:
    """The typed texts and the names of those who sign beside the patient that the PDF cannot
    print, keyed as their fields: refused here, never at an export."""
    return unprintable_fields(texts | {f"parties.{party.role.value}.name": party.name for party in signers})


class ConsentFormError(ValidationError):
    """The consent cannot be signed yet: ``errors`` names every field at fault.

    ``signature_code`` is the ``SignatureError.code`` ("empty", "too_small",
    "too_big", "invalid") when the signature is one of them, so the hand-off screen
    can show its own words (``template.label("signature_" + code)``).
    """

    def __init__(self, errors: dict[str, str], signature_code: str | None = None):
        super().__init__(errors)
        self.signature_code = signature_code


@dataclass(frozen=True)
class ConsentLanguage:
    code: str
    name: str          # in that language ("Français")
    version: int       # the version signed today


@dataclass(frozen=True)
class ConsentHistoryEntry:
    record: SignedConsent
    status: RecordStatus
    superseded_by_id: int | None


class ConsentService:
    def __init__(self, store: Store, clock: Clock, accounts: AccountService, clinic_data: ClinicData,
                 device_id: str | None = None, *, clinic: ClinicService | None = None,
                 course: CourseService | None = None):
        """``clinic`` and ``course`` give the consent its clinic block (price, practitioner);
        without them the text has none."""
        self._store = store
        self._clock = clock
        self._accounts = accounts
        self._device_id = device_id or this_device_id()
        self._data = clinic_data
        self._clinic = clinic
        self._course = course

    # ------------------------------------------------------------ templates

    def _current_versions(self) -> dict[str, int]:
        return self._data.consent_versions()

    def language_name(self, code: str, into: str | None = None) -> str:
        """A language as the consultant reads it ("French"), from languages.toml; as a document in
        language ``into`` names it when given (a French PDF: "chinois")."""
        return self._data.language_name(code, into)

    def template(self, language: str, version: int) -> ConsentTemplate:
        """A given version (old ones too: signed records name them). Raises ``ClinicDataError``."""
        return self._data.consent_template(language, int(version))

    def _signable_template(self, language: object, version: object) -> ConsentTemplate:
        """The template a signature names, or ``ValidationError`` (never a missing-file error)."""
        versions = self._current_versions()
        if not isinstance(language, str) or language not in versions:
            raise ValidationError.single("language", "The consent is not available in this language.")
        if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= versions[language]:
            raise ValidationError.single("text", "This version of the consent text is not available. "
                                                 "Please show the consent again from the start.")
        return self.template(language, version)

    def template_for(self, language: str, *, patient_id: int | None = None,
                     treated_by: int | None = None) -> ConsentTemplate:
        """The version to sign today in ``language``; unknown languages raise ``ValidationError``.

        With ``patient_id``, the text carries the clinic's block for that patient: the price of
        their course (when the clinic set one for its protocol) and who gives the treatment
        (``treated_by``, when that consultant's profession or registration is recorded); from
        version 2 also the clinic's phone number, its cooling-off period (before a first consent)
        and the screening stops the consultant overrode for this patient.
        """
        versions = self._current_versions()
        if language not in versions:
            raise ValidationError.single("language", "The consent is not available in this language.")
        template = self.template(language, versions[language])
        return template if patient_id is None else template.with_clinic(self.clinic_facts(patient_id, treated_by))

    def clinic_facts(self, patient_id: int, treated_by: int | None) -> ClinicFacts | None:
        """What the clinic has set that this patient reads in the consent, as of now."""
        price = currency = sessions = phone = cooling_off = None
        if self._clinic is not None:
            settings = self._clinic.settings()
            phone = settings.phone
            # the time to think is said before a first consent only: it counts from that one
            if consent_rows.latest_record(self._store.conn, patient_id) is None:
                cooling_off = settings.cooling_off_hours
        if self._clinic is not None and self._course is not None:
            stored = self._course.active(patient_id)
            per_session = None if stored is None else settings.price_per_session(stored.protocol_id)
            if per_session is not None:
                price, currency = per_session, settings.currency
                try:
                    sessions = self._course.plan(patient_id).total
                except (ValidationError, StoreError):  # a plan that cannot be made: the price alone
                    sessions = None
        name = profession = registration = None
        if treated_by is not None:
            profession, registration = self._accounts.credentials().get(treated_by, (None, None))
            if profession or registration:
                name = self._accounts.account(treated_by).display_name
        intake = intake_rows.latest_intake_record(self._store.conn, patient_id)
        stops = () if intake is None else tuple(f.rule_id for f in intake.outcome.overridden_stops(intake.overrides))
        facts = ClinicFacts(price, currency, sessions, name, profession, registration, treated_by,
                            phone, cooling_off, stops)
        return facts if facts != ClinicFacts() else None

    def languages(self, preferred: str | None = None) -> tuple[ConsentLanguage, ...]:
        """Consent languages, the patient's preferred one first (then the default, then the rest)."""
        versions = self._current_versions()
        default = self._data.consent_default_language()
        order = sorted(versions, key=lambda code: (code != preferred, code != default, code))
        return tuple(
            ConsentLanguage(code, self.template(code, versions[code]).label("language_name"), versions[code])
            for code in order
        )

    def language_for(self, patient: Patient) -> str:
        """The consent language to start with: the patient's own if there is a template in it."""
        versions = self._current_versions()
        preferred = (patient.preferred_language or "").split("-")[0]
        if preferred in versions:
            return preferred
        return self._data.consent_default_language()

    # ------------------------------------------------------------ hand-off identity

    def check_identity(self, patient_id: int, typed_name: object, typed_dob: object) -> bool:
        """Does the person holding the tablet give this patient's name and date of birth?

        A mismatch is audited (``handoff.identity_mismatch``, no typed text kept).
        """
        patient = patient_rows.get_patient(self._store.conn, patient_id)
        if identity_matches(patient, typed_name, typed_dob):
            return True
        with self._store.write("handoff") as tx:
            tx.audit("handoff.identity_mismatch", "patient", patient_id)
        return False

    # ------------------------------------------------------------ signing

    def sign(
        self,
        patient_id: int,
        *,
        language: str,
        version: int,
        shown_text_sha256: str,
        checklist: Mapping[str, object],
        photo_consent: object,
        signature: object,
        consultant_id: int,
        consultant_pin: object,
        question: object = None,
        reached_end: object = True,
        printed_name: object = None,
        witness_name: object = None,
        signature_png: bytes | None = None,
        treated_by: int | None = None,
        parties: Iterable[object] = (),
    ) -> SignedConsent:
        """Validate everything, verify the consultant's PIN now, store the signed consent.

        ``shown_text_sha256`` names the text shown: the one ``template_for`` gave for this
        patient and ``treated_by`` (with the clinic's block as it stands now), or the plain text
        of a caller that showed no block. The record keeps exactly that text.

        ``signature`` is the pad's strokes (a mapping or its JSON, see
        ``parse_signature``) or a ``SignatureStrokes``. ``printed_name`` defaults to the
        patient's name as registered; if given it must be that name (any order/case).
        If the patient already has a consent (or a withdrawal), the new record
        supersedes it (a re-consent, e.g. to a new version of the text).
        """
        patient = patient_rows.get_patient(self._store.conn, patient_id)
        plain = self._signable_template(language, version)
        errors: dict[str, str] = {}
        shown = (plain.with_clinic(self.clinic_facts(patient_id, treated_by)), plain)
        template = next((candidate for candidate in shown if candidate.text_sha256 == shown_text_sha256), plain)
        if shown_text_sha256 != template.text_sha256:
            errors["text"] = "The consent text changed while it was on screen. Please show it again from the start."
        answers = None
        try:
            answers = validate_answers(template, checklist, photo_consent, question, reached_end=reached_end)
        except ValidationError as error:
            errors.update(error.errors)
        strokes, signature_code = self._strokes(signature, errors)
        name = self._printed_name(patient, printed_name, errors)
        png = self._png(signature_png, errors)
        try:  # checked before the PIN, so a mistyped witness name costs no PIN try
            clean_text(witness_name, "witness_name", max_length=MAX_WITNESS_NAME, label="witness's name")
        except ValidationError as error:
            errors.update(error.errors)
        signers, party_errors = validate_parties(parties, who=self.who_signs(patient_id), is_language=self._is_language)
        errors.update(party_errors)
        errors.update(_unprintable(signers, question=question, witness_name=witness_name))
        if errors:
            raise ConsentFormError(errors, signature_code)
        if witness_name is None or (isinstance(witness_name, str) and not witness_name.strip()):
            witness_name = next((p.name for p in signers if p.role is PartyRole.WITNESS), None)
        account = self._accounts.require_pin(consultant_id, consultant_pin, PinPurpose.COUNTERSIGN,
                                             "consultant_pin")
        now = self._clock.now_utc()
        latest = consent_rows.latest_record(self._store.conn, patient_id)
        record = make_consent(
            template, answers,  # type: ignore[arg-type]
            patient_id=patient_id, printed_name=name, signature=strokes,  # type: ignore[arg-type]
            countersignature=Countersignature(account.id, account.display_name, now),
            signed_at=now, device_id=self._device_id, witness_name=witness_name,
            supersedes_id=None if latest is None else latest.id, signature_png=png,
        )
        with self._store.write(consultant_actor(account.id)) as tx:
            return consent_rows.insert_consent(tx, record, signers)

    def withdraw(
        self,
        patient_id: int,
        *,
        channel: WithdrawalChannel | str,
        consultant_id: int,
        consultant_pin: object,
        reason: object = None,
        signature: object = None,
        language: str | None = None,
        printed_name: object = None,
        witness_name: object = None,
        signature_png: bytes | None = None,
        parties: Iterable[object] = (),
    ) -> SignedConsent:
        """Record that the patient withdraws their current consent (audited ``consent.withdraw``).

        In person the patient signs (``signature`` required); by phone, e-mail or letter
        the consultant records it alone. The withdrawal text is the one of the
        withdrawn consent's language, current version, unless ``language`` is given.
        """
        patient = patient_rows.get_patient(self._store.conn, patient_id)
        current = consent_rows.current_consent(self._store.conn, patient_id)
        if current is None:
            raise ValidationError.single("consent", "This patient has no consent in force to withdraw.")
        template = self.template_for(language or current.language)
        errors: dict[str, str] = {}
        strokes, signature_code = (None, None) if signature is None else self._strokes(signature, errors)
        name = self._printed_name(patient, printed_name, errors)
        png = self._png(signature_png, errors)
        # A minor's withdrawal may be signed by their guardian too (a witness, an interpreter as well).
        signers, party_errors = validate_parties(parties, who=None, is_language=self._is_language)
        errors.update(party_errors)
        errors.update(_unprintable(signers, reason=reason, witness_name=witness_name))
        if errors:
            raise ConsentFormError(errors, signature_code)
        now = self._clock.now_utc()
        # Validate the rest before asking for the PIN, so a typo does not cost a PIN try.
        probe = make_withdrawal(
            template, patient_id=patient_id, printed_name=name, withdraws_id=current.id,  # type: ignore[arg-type]
            channel=channel, countersignature=Countersignature(consultant_id, "", now), signed_at=now,
            device_id=self._device_id, reason=reason, signature=strokes, signature_png=png,
            witness_name=witness_name,
        )
        account = self._accounts.require_pin(consultant_id, consultant_pin, PinPurpose.COUNTERSIGN,
                                             "consultant_pin")
        now = self._clock.now_utc()
        record = replace(probe, signed_at=now,
                         countersignature=Countersignature(account.id, account.display_name, now))
        with self._store.write(consultant_actor(account.id)) as tx:
            return consent_rows.insert_consent(tx, record, signers)

    # ------------------------------------------------------------ who signs

    def who_signs(self, patient_id: int) -> WhoSigns:
        """The clinic's age rule for this patient today: alone, with a guardian, or refused (its
        ``refusal`` is the consultant's words). Ask before handing the tablet over."""
        from ..domain.clinic_settings import ClinicSettings

        patient = patient_rows.get_patient(self._store.conn, patient_id)
        policy = ClinicSettings() if self._clinic is None else self._clinic.settings()
        return who_signs(patient.date_of_birth, self._clock.today(), policy.minimum_age, policy.treats_minors)

    def parties(self, consent_id: int) -> tuple[ConsentParty, ...]:
        """Who signed a record beside the patient (guardian, witness, interpreter)."""
        return consent_rows.list_parties(self._store.conn, consent_id)

    def interpreter_languages(self) -> tuple[tuple[str, str], ...]:
        """(code, English name) of every language an interpreter may be recorded in (languages.toml)."""
        return tuple((language.code, language.english) for language in self._data.languages())

    def _is_language(self, code: object) -> bool:
        """An interpreter's language: a code of resources/languages.toml."""
        return is_language_code(code) and any(language.code == code for language in self._data.languages())

    # ------------------------------------------------------------ reading

    def current(self, patient_id: int) -> SignedConsent | None:
        """The consent in force, or None (never signed, or withdrawn since)."""
        return consent_rows.current_consent(self._store.conn, patient_id)

    def latest(self, patient_id: int) -> SignedConsent | None:
        """The newest record, consent or withdrawal."""
        return consent_rows.latest_record(self._store.conn, patient_id)

    def get(self, consent_id: int) -> SignedConsent:
        return consent_rows.get_consent(self._store.conn, consent_id)

    def history(self, patient_id: int) -> list[ConsentHistoryEntry]:
        """Every record of the patient, newest first, each with its status in the chain."""
        records = consent_rows.list_consents(self._store.conn, patient_id)
        by_id = {r.id: r for r in records}
        successor = consent_rows.superseded_by(self._store.conn, patient_id)
        return [
            ConsentHistoryEntry(r, record_status(r, by_id.get(successor.get(r.id))), successor.get(r.id))
            for r in records
        ]

    def verify(self, record: SignedConsent) -> list[str]:
        """Problems with a stored record: hashes, and whether its template file still
        gives exactly its text. An empty list means it checks out."""
        problems = integrity_problems(record)
        try:
            template = self.template(record.language, record.template_version)
        except ClinicDataError as error:
            return problems + [f"its consent template cannot be read ({error})"]
        # A consent's text may carry the clinic's block of the day it was signed (its price and
        # practitioner are in the text itself, under its hash); the rest must be the file's.
        if record.kind is ConsentKind.CONSENT:
            matches = is_text_of(template, record.text)
        else:
            matches = render_withdrawal_text(template) == record.text
        if not matches:
            problems.append("the template file no longer gives the text that was signed")
        return problems

    def consent_gate(self, patient_id: int) -> str | None:
        """For the session service: why no session may be recorded now, or None.

        Wire it as ``SessionService(store, clock, consents.consent_gate, clinic_data)``.
        """
        latest = consent_rows.latest_record(self._store.conn, patient_id)
        if latest is None:
            return ("No signed consent for this patient. Hand the tablet to the patient to read and sign "
                    "the consent before recording a session.")
        if latest.kind is ConsentKind.WITHDRAWAL:
            return (f"The patient withdrew their consent on {self._clock.format_local(latest.signed_at)}. "
                    "A new consent must be signed before any further session.")
        newer = self.newer_text(patient_id)
        if newer is not None and self._policy().reconsent_on_new_text:
            return (f"The patient signed version {newer[0]} of the consent; the clinic now uses version {newer[1]} "
                    "and asks for a new signature before any further session. Hand the tablet to the patient "
                    "to read and sign the new text.")
        return self.cooling_off.refusal(patient_id)

    def newer_text(self, patient_id: int) -> tuple[int, int] | None:
        """(version signed, version in use) when the patient's consent in force is on an older version
        of its language's text than the clinic uses now, else None. Versions, not hashes: every signed
        text differs by its clinic block."""
        current = consent_rows.current_consent(self._store.conn, patient_id)
        in_use = None if current is None else self._current_versions().get(current.language)
        if in_use is None or current.template_version >= in_use:  # type: ignore[union-attr]
            return None
        return current.template_version, in_use  # type: ignore[union-attr]

    def _policy(self) -> ClinicSettings:
        """The clinic's consent policies; without ``clinic`` (a bare service) no wait and no re-consent hold."""
        if self._clinic is None:
            return ClinicSettings(cooling_off_hours=0, reconsent_on_new_text=False)
        return self._clinic.settings()

    @cached_property
    def cooling_off(self) -> CoolingOffService:
        """Time to think before the first session, and an admin's waiver (``services/cooling_off``)."""
        from .cooling_off import CoolingOffService

        return CoolingOffService(self._store, self._clock, self._accounts, self._policy)

    # ------------------------------------------------------------ helpers

    @staticmethod
    def _strokes(signature: object, errors: dict[str, str]) -> tuple[SignatureStrokes | None, str | None]:
        """The validated strokes, or (None, the refusal's code) with the message put in ``errors``."""
        try:
            if isinstance(signature, SignatureStrokes):
                return parse_signature(signature.to_data()), None
            return parse_signature(signature), None
        except SignatureError as error:
            errors.update(error.errors)
            return None, error.code

    @staticmethod
    def _printed_name(patient: Patient, printed_name: object, errors: dict[str, str]) -> str:
        if printed_name is None or (isinstance(printed_name, str) and not printed_name.strip()):
            return patient.display_name
        if not isinstance(printed_name, str) or len(printed_name) > 200:
            errors["printed_name"] = "The printed name must be the patient's name."
            return patient.display_name
        if not name_matches(patient, printed_name):
            errors["printed_name"] = f"The printed name must be the patient's name ({patient.display_name})."
            return patient.display_name
        return printed_name

    @staticmethod
    def _png(png: object, errors: dict[str, str]) -> bytes | None:
        if png is None:
            return None
        if not isinstance(png, (bytes, bytearray)) or not bytes(png).startswith(_PNG_MAGIC) or len(png) > MAX_PNG_BYTES:
            errors["signature_png"] = "The picture of the signature is not a PNG image of a sensible size."
            return None
        return bytes(png)

