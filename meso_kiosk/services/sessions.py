"""Recording treatment sessions on the scalp map: draft, close, amend, history, lot recall.

No session is started, saved or closed unless the treatment gate (``domain.treatment_gate``)
lets it: the patient's newest intake complete with its stops overridden and warnings
acknowledged, a signed consent in force, and the session dated at or after that consent's
signature. A closed session's correction (amendment) is not gated: the record stays
correctable whatever happened since.

The consent gate is a callable that, given a patient id, returns why a session may
not be recorded (no current signed consent, a consent on an older text when the clinic asks
for a new signature, or a first session still inside the clinic's cooling-off period) or
``None`` when it may; the kiosk wires ``ConsentService.consent_gate`` into it. Whether an
intake and a consent exist at all, and when it was signed, the service reads itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Callable

from ..domain.actor import consultant_actor
from ..domain.clock import Clock
from ..domain.consent import ConsentKind
from ..domain.errors import ValidationError
from ..domain.scalp import CumulativeCoverage, ScalpGeometry, cumulative_coverage, session_coverage
from ..domain.amendment import make_amendment
from ..domain.lots import LotCheck, check_lot
from ..domain.session import (
    SessionStatus,
    SessionWarning,
    Technique,
    TreatmentSession,
    close_session,
    session_warnings,
)
from ..domain.session_validation import validate_session
from ..domain.session_settings import SessionSettings, SideEffect
from ..domain.treatment_gate import (
    STEP_CONSENT,
    STEP_INTAKE,
    ConsentFacts,
    IntakeFacts,
    Refusal,
    consent_refusal,
    treatment_refusal,
)
from ..domain.zone_history import ZoneHistoryEntry, zone_history, zone_sets
from ..store import consents as consent_rows
from ..store import intakes as intake_rows
from ..store import sessions as session_rows
from ..store.consultants import ConsultantRow, consultant_names, list_consultants
from ..store.db import Store
from ..store.errors import ImmutableRecordError, RecordNotFoundError
from ..store.sessions import LotRecallRow, SessionRecord, StoredAmendment
from .clinic_data import ClinicData
from .printable import check_printable

ConsentGate = Callable[[int], "str | None"]


class TreatmentRefusedError(ValidationError):
    """The treatment gate refused: the message, keyed by ``refusal.field``, says why and what unblocks it."""

    def __init__(self, refusal: Refusal):
        super().__init__({refusal.field: refusal.message})
        self.refusal = refusal


class IntakeRequiredError(TreatmentRefusedError):
    """No complete intake with its stops and warnings handled (``refusal.step`` is "intake")."""


class ConsentRequiredError(TreatmentRefusedError):
    """No consent in force, or one held back (withdrawn, new text, cooling-off)."""


class DatedBeforeConsentError(TreatmentRefusedError):
    """The session's date and time is before the consent's signature (keyed ``started_at``)."""


def refused(refusal: Refusal) -> TreatmentRefusedError:
    kind = {STEP_INTAKE: IntakeRequiredError, STEP_CONSENT: ConsentRequiredError}
    return kind.get(refusal.step, DatedBeforeConsentError)(refusal)


@dataclass(frozen=True)
class SaveResult:
    session: TreatmentSession
    warnings: tuple[SessionWarning, ...] = ()  # e.g. a lot expiring soon, keyed by field


@dataclass(frozen=True)
class SessionOverview:
    """What the scalp-map step shows for one patient."""

    records: tuple[SessionRecord, ...]  # every session, oldest first, amendments beside
    draft: TreatmentSession | None  # the session still being recorded
    history: CumulativeCoverage  # closed sessions (as corrected): counts per zone

    @property
    def closed(self) -> tuple[SessionRecord, ...]:
        return tuple(record for record in self.records if record.is_closed)

    @property
    def numbered(self) -> tuple[SessionRecord, ...]:
        """The closed sessions in the order they are numbered 1, 2, …: by when each started, as corrected."""
        return tuple(sorted(self.closed, key=lambda record: record.effective.started_at))

    @property
    def numbers(self) -> dict[int, int]:
        """Each closed session's number (session id → number), as the summary's sessions table prints it."""
        return {record.session_id: number for number, record in enumerate(self.numbered, start=1)}


class SessionService:
    def __init__(self, store: Store, clock: Clock, consent_gate: ConsentGate, clinic_data: ClinicData):
        self._store = store
        self._clock = clock
        self._consent_gate = consent_gate
        self._data = clinic_data

    # ------------------------------------------------------------ clinic data

    @property
    def geometry(self) -> ScalpGeometry:
        return self._data.geometry()

    @property
    def settings(self) -> SessionSettings:
        return self._data.session_settings()

    @property
    def side_effects(self) -> tuple[SideEffect, ...]:
        return self._data.side_effects()

    def consultants(self) -> list[ConsultantRow]:
        return list_consultants(self._store.conn)

    def consultant_names(self) -> dict[str, str]:
        """Every consultant ever registered (old sessions name inactive ones too)."""
        return consultant_names(self._store.conn)

    # ------------------------------------------------------------ checks

    def _intake_facts(self, patient_id: int) -> IntakeFacts:
        """The newest intake as stored: a complete one with the outcome it was completed with."""
        records = intake_rows.list_intakes(self._store.conn, patient_id)  # newest first
        if not records:
            return IntakeFacts(None)
        newest = records[0]
        return IntakeFacts(newest.status, newest.outcome, newest.overrides, newest.acknowledged,
                           reassessment=any(record.is_complete for record in records[1:]))

    def _consent_facts(self, patient_id: int) -> ConsentFacts:
        hold = self._consent_gate(patient_id) or None
        latest = consent_rows.latest_record(self._store.conn, patient_id)
        if latest is None:
            return ConsentFacts(hold=hold)
        if latest.kind is ConsentKind.WITHDRAWAL:
            return ConsentFacts(withdrawn_at=latest.signed_at, hold=hold)
        return ConsentFacts(signed_at=latest.signed_at, hold=hold)

    def treatment_refusal(self, patient_id: int, started_at: datetime | None = None) -> Refusal | None:
        """What holds a session back for this patient now (None when one may be recorded).

        ``Refusal.blocker`` says what (intake missing, incomplete, a stop, a warning; consent
        missing, withdrawn, held; the date before the consent), ``message`` says it in consultant
        words, ``step`` names the step that unblocks it ("intake" or "consent"; "scalp_map" when
        only the session's date is wrong), ``action`` the button's words ("Go to intake") and
        ``field`` the form key it belongs beside. ``started_at`` (UTC): also check that date.
        """
        return treatment_refusal(self._intake_facts(patient_id), self._consent_facts(patient_id), started_at,
                                 when=self._when)

    def _when(self, moment: datetime) -> str:
        """A moment in clinic time, with its UTC offset in the hour the clocks go back (it happens twice)."""
        local = self._clock.local(moment)
        twice = local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()
        return self._clock.format_local(moment, with_offset=twice)

    def _check_gate(self, patient_id: int, started_at: datetime | None) -> None:
        refusal = self.treatment_refusal(patient_id, started_at)
        if refusal is not None:
            raise refused(refusal)

    def consent_refusal(self, patient_id: int) -> str | None:
        """The consent's part of the gate alone, in words (None when the consent allows a session)."""
        refusal = consent_refusal(self._consent_facts(patient_id), self._when)
        return None if refusal is None else refusal.message

    def session_date(self, started_at: object) -> date | None:
        """The clinic's local date of a session start, against which lots are checked."""
        if isinstance(started_at, datetime) and started_at.tzinfo is not None:
            return self._clock.local(started_at).date()
        return None

    def lot_check(self, expiry: date, started_at: datetime | None = None) -> LotCheck:
        """Refused when expired on the session's date, a warning within the clinic's window."""
        day = self.session_date(started_at) or self._clock.today()
        return check_lot(expiry, day, self.settings.lot_warning_days)

    def validate(self, form: Mapping[str, object]) -> TreatmentSession:
        session = validate_session(
            form,
            now=self._clock.now_utc(),
            known_zone_ids=self.geometry.zone_ids,
            side_effect_ids=tuple(effect.id for effect in self.side_effects),
            settings=self.settings,
            session_date=self.session_date(form.get("started_at")),
        )
        check_printable({"notes": session.notes, "side_effects_other": session.side_effects_other,  # printed in the PDF
                         **{f"products.{index}.name": product.name for index, product in enumerate(session.products)}})
        if session.consultant_id not in self.consultant_names():
            raise ValidationError.single("consultant_id", "Please choose the consultant from the list.")
        return session

    def _warnings(self, session: TreatmentSession) -> tuple[SessionWarning, ...]:
        return session_warnings(
            session, session_date=self.session_date(session.started_at), settings=self.settings
        )

    def _own_open_session(self, patient_id: int, session_id: int) -> TreatmentSession:
        record = session_rows.get_session(self._store.conn, session_id)
        if record.patient_id != patient_id:
            raise RecordNotFoundError("This session belongs to another patient.")
        if record.is_closed:
            raise ImmutableRecordError(
                "This session is closed and cannot be changed. Record a correction (amendment) instead."
            )
        return record.original

    # ------------------------------------------------------------ recording

    def draft(self, patient_id: int) -> TreatmentSession | None:
        return session_rows.open_session(self._store.conn, patient_id)

    def start(self, patient_id: int, actor: str, *, consultant_id: str | None = None) -> TreatmentSession:
        """Open a new session for the patient now (or return the one still open).

        Its consultant is ``consultant_id``, else the one signed in (``actor``), else the first
        of the clinic's list."""
        started_at = self._clock.now_utc().replace(second=0, microsecond=0)
        self._check_gate(patient_id, started_at)  # (and again inside the write: nothing moved since)
        existing = self.draft(patient_id)
        if existing is not None:
            return existing
        if consultant_id is None:
            consultant_id = self._default_consultant(actor)
        session = self.validate({
            "started_at": started_at,
            "consultant_id": consultant_id,
            "technique": Technique.CHEMICAL_SYRINGE,
        })
        with self._store.write(actor) as tx:
            self._check_gate(patient_id, started_at)
            return session_rows.insert_session(tx, patient_id, session)

    def _default_consultant(self, actor: str) -> str:
        """The consultant signed in (the actor) when they are one of the clinic's, else the first listed."""
        consultants = self.consultants()
        if not consultants:
            raise ValidationError.single(
                "consultant_id",
                "No consultant is registered yet, so a session cannot be recorded. "
                "Ask the administrator to add the clinic's consultants.",
            )
        signed_in = next((row for row in consultants if consultant_actor(row.id) == actor), consultants[0])
        return str(signed_in.id)

    def save_draft(self, patient_id: int, form: Mapping[str, object], actor: str) -> SaveResult:
        """Validate and store the open session (new or existing); the draft may be incomplete."""
        form = {**form, "status": "open", "closed_at": None}
        session = self.validate(form)
        if session.session_id is not None:
            self._own_open_session(patient_id, session.session_id)
        with self._store.write(actor) as tx:
            # Inside the write: no withdrawal or re-assessment can come between the check and the row.
            self._check_gate(patient_id, session.started_at)
            if session.session_id is None:
                session = session_rows.insert_session(tx, patient_id, session)
            else:
                session = session_rows.update_session(tx, session)
        return SaveResult(session, self._warnings(session))

    def close(self, patient_id: int, form: Mapping[str, object], actor: str) -> SaveResult:
        """Check the session is complete and the gate still open, then close it: from now on it never changes."""
        form = {**form, "status": "open", "closed_at": None}
        session = close_session(self.validate(form), closed_at=self._clock.now_utc())
        with self._store.write(actor) as tx:
            self._check_gate(patient_id, session.started_at)  # inside the write, as for a draft
            if session.session_id is None:
                opened = replace(session, status=SessionStatus.OPEN, closed_at=None)
                stored = session_rows.insert_session(tx, patient_id, opened)
                session = replace(session, session_id=stored.session_id)
            else:
                self._own_open_session(patient_id, session.session_id)
            session = session_rows.close_session_row(tx, session)
        return SaveResult(session, self._warnings(session))

    def amend(self, session_id: int, form: Mapping[str, object], reason: object, actor: str) -> StoredAmendment:
        """Record a correction to a closed session, kept beside the original."""
        record = session_rows.get_session(self._store.conn, session_id)
        current = record.effective
        form = {**form, "session_id": session_id, "status": "closed", "closed_at": record.original.closed_at}
        corrected = self.validate(form)
        amendment = make_amendment(
            current, corrected, reason=reason, amended_by=actor, amended_at=self._clock.now_utc()
        )
        with self._store.write(actor) as tx:
            amendment_id = session_rows.insert_amendment(tx, amendment, corrected)
        return StoredAmendment(amendment_id, amendment, corrected)

    # ------------------------------------------------------------ reading

    def overview(self, patient_id: int) -> SessionOverview:
        records = tuple(session_rows.list_patient_sessions(self._store.conn, patient_id))
        closed = [record.effective for record in records if record.is_closed]
        draft = next((record.original for record in reversed(records) if not record.is_closed), None)
        return SessionOverview(records, draft, cumulative_coverage(self.geometry, zone_sets(closed)))

    def history_counts(self, patient_id: int) -> dict[str, int]:
        """For the overlay: how many closed sessions treated each zone."""
        return dict(self.overview(patient_id).history.counts)

    def zone_history(self, patient_id: int, zone_id: str) -> tuple[ZoneHistoryEntry, ...]:
        closed = [record.effective for record in self.overview(patient_id).closed]
        return zone_history(closed, zone_id)

    def coverage(self, zone_ids, earlier: CumulativeCoverage | None = None) -> tuple[float, float]:
        """(percent of scalp in these zones, percent treated at least once including them)."""
        this = session_coverage(self.geometry, zone_ids)
        treated = set(zone_ids)
        if earlier is not None:
            treated |= {zone_id for zone_id, count in earlier.counts.items() if count}
        return this, session_coverage(self.geometry, treated)

    def lot_recall(self, lot: str) -> list[LotRecallRow]:
        return session_rows.lot_recall(self._store.conn, lot)
