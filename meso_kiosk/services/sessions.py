"""Recording treatment sessions on the scalp map: draft, close, amend, history, lot recall.

The consent gate is a callable that, given a patient id, returns why a session may
not be recorded (no current signed consent, a consent on an older text when the clinic asks
for a new signature, or a first session still inside the clinic's cooling-off period) or
``None`` when it may; the kiosk wires ``ConsentService.consent_gate`` into it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Callable

from ..domain.clock import Clock
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
from ..domain.zone_history import ZoneHistoryEntry, zone_history, zone_sets
from ..store import sessions as session_rows
from ..store.consultants import ConsultantRow, consultant_names, list_consultants
from ..store.db import Store
from ..store.errors import ImmutableRecordError, RecordNotFoundError
from ..store.sessions import LotRecallRow, SessionRecord, StoredAmendment
from .clinic_data import ClinicData

ConsentGate = Callable[[int], "str | None"]


class ConsentRequiredError(ValidationError):
    """The consent gate refused: the message says why, in consultant words."""

    def __init__(self, reason: str):
        super().__init__({"consent": reason})


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

    def _check_consent(self, patient_id: int) -> None:
        reason = self._consent_gate(patient_id)
        if reason:
            raise ConsentRequiredError(reason)

    def consent_refusal(self, patient_id: int) -> str | None:
        """Why a session cannot be recorded for this patient now (None when it can)."""
        return self._consent_gate(patient_id) or None

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
        """Open a new session for the patient now (or return the one still open)."""
        self._check_consent(patient_id)
        existing = self.draft(patient_id)
        if existing is not None:
            return existing
        consultants = self.consultants()
        if consultant_id is None:
            if not consultants:
                raise ValidationError.single(
                    "consultant_id",
                    "No consultant is registered yet, so a session cannot be recorded. "
                    "Ask the administrator to add the clinic's consultants.",
                )
            consultant_id = str(consultants[0].id)
        session = self.validate({
            "started_at": self._clock.now_utc().replace(second=0, microsecond=0),
            "consultant_id": consultant_id,
            "technique": Technique.CHEMICAL_SYRINGE,
        })
        with self._store.write(actor) as tx:
            return session_rows.insert_session(tx, patient_id, session)

    def save_draft(self, patient_id: int, form: Mapping[str, object], actor: str) -> SaveResult:
        """Validate and store the open session (new or existing); the draft may be incomplete."""
        form = {**form, "status": "open", "closed_at": None}
        session = self.validate(form)
        if session.session_id is None:
            self._check_consent(patient_id)
            with self._store.write(actor) as tx:
                session = session_rows.insert_session(tx, patient_id, session)
        else:
            self._own_open_session(patient_id, session.session_id)
            with self._store.write(actor) as tx:
                session = session_rows.update_session(tx, session)
        return SaveResult(session, self._warnings(session))

    def close(self, patient_id: int, form: Mapping[str, object], actor: str) -> SaveResult:
        """Check the session is complete, then close it: from now on it never changes."""
        self._check_consent(patient_id)
        form = {**form, "status": "open", "closed_at": None}
        session = close_session(self.validate(form), closed_at=self._clock.now_utc())
        with self._store.write(actor) as tx:
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
