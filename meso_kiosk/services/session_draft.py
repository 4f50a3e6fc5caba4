"""The scalp-map step's editing state, without Qt: which session the form edits, whether
it holds typing not yet saved, and each patient's typing that could not be saved yet.

The page renders what this says and forwards every edit and button here; the form's
values (strings, as typed) go in with each action, so nothing typed is ever lost:
- an edit marks the form dirty, unless the page is loading values into it;
- a save that is refused keeps the values for that patient until they come back;
- a closed session is corrected by an amendment, with its own form and no autosave.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

from ..domain.clock import Clock
from ..domain.errors import ValidationError
from ..domain.lots import LotCheck, expiry_from_text
from ..domain.scalp import ScalpGeometry
from ..domain.session import SessionWarning, TreatmentSession, close_session
from ..domain.session_captions import (
    amendment_note,
    clock_time,
    session_heading,
    session_summary,
    zone_history_caption,
)
from ..domain.session_form import (
    parse_local_datetime,
    service_form,
    session_form_values,
    totals_caption,
    zone_totals,
)
from ..domain.session_settings import SessionSettings, SideEffect
from ..domain.treatment_gate import Refusal
from ..store.consultants import ConsultantRow
from ..store.errors import StoreError
from .sessions import SessionOverview, SessionService

NOT_SAVED_YET = "Not saved yet: check the marked fields."


@dataclass(frozen=True)
class DraftOutcome:
    """What a save did: stored (``session`` and its warnings), or refused with field errors or a store problem."""

    session: TreatmentSession | None = None
    warnings: tuple[SessionWarning, ...] = ()  # keyed by field
    errors: Mapping[str, str] = field(default_factory=dict)
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.problem is None


@dataclass(frozen=True)
class DraftShown:
    """What ``refresh`` found for the patient: the overview and the form to show."""

    overview: SessionOverview
    values: dict | None  # None when no session is open
    kept: bool = False  # the values are the patient's unsaved typing, not the stored draft
    saved_caption: str = ""


@dataclass(frozen=True)
class EarlierSessionCard:
    """One closed session in the list of earlier sessions, newest first."""

    session_id: int
    heading: str
    summary: str
    corrections: tuple[str, ...]
    correct_label: str  # what the Correct… button says to assistive technology


class SessionDraft:
    """The open session's form state for one patient at a time (and kept typing for the others)."""

    def __init__(self, sessions: SessionService, clock: Clock, actor: Callable[[], str]):
        self._sessions = sessions
        self._clock = clock
        self._actor = actor
        self.patient_id: int | None = None
        self.overview: SessionOverview | None = None
        self.session_id: int | None = None  # the open session the form autosaves into
        self.amending: int | None = None  # the closed session being corrected
        self.dirty = False
        self.last_tapped: str | None = None  # the zone whose history is shown
        self._loading = False
        self._unsaved: dict[int, dict] = {}  # patient id -> form values not saved yet
        self._zone_values: dict[str, dict] = {}  # typed values kept while a zone is unselected

    # ------------------------------------------------------------ clinic data

    @property
    def geometry(self) -> ScalpGeometry:
        return self._sessions.geometry

    @property
    def settings(self) -> SessionSettings:
        return self._sessions.settings

    @property
    def side_effects(self) -> tuple[SideEffect, ...]:
        return self._sessions.side_effects

    def consultants(self) -> list[ConsultantRow]:
        return self._sessions.consultants()

    # ------------------------------------------------------------ state

    @property
    def editing(self) -> bool:
        return self.session_id is not None or self.amending is not None

    @property
    def autosaves(self) -> bool:
        """An open session saves itself while typed into; a correction waits for its button."""
        return self.amending is None and self.session_id is not None

    @property
    def form_session_id(self) -> int | None:
        return self.amending or self.session_id

    @property
    def loading(self) -> bool:
        return self._loading

    @contextmanager
    def loading_values(self) -> Iterator[None]:
        """While the page puts values into its widgets, their change signals are not edits."""
        self._loading = True
        try:
            yield
        finally:
            self._loading = False

    def edit(self) -> bool:
        """The consultant changed something; False (and nothing marked) while values are loading."""
        if self._loading:
            return False
        self.dirty = True
        return True

    def unsaved(self, patient_id: int) -> dict | None:
        """The typing kept for a patient whose form could not be saved (None when there is none)."""
        return self._unsaved.get(patient_id)

    def keep_zone(self, zone_id: str, values: Mapping[str, str]) -> None:
        self._zone_values[zone_id] = dict(values)

    def kept_zone(self, zone_id: str) -> dict | None:
        return self._zone_values.get(zone_id)

    def reset_zones(self, zones: Mapping[str, Mapping]) -> None:
        self._zone_values = {zone_id: dict(values) for zone_id, values in zones.items()}

    # ------------------------------------------------------------ patient in

    def show_patient(self, patient_id: int) -> None:
        """Another patient (the page saves the one before first): no correction, no zone tapped."""
        self.patient_id = patient_id
        self.amending = None
        self.last_tapped = None

    def refresh(self) -> DraftShown | None:
        """Re-read the patient's sessions: their kept typing if it belongs to the open session, else the stored draft."""
        if self.patient_id is None:
            return None
        overview = self._sessions.overview(self.patient_id)
        self.overview = overview
        draft = overview.draft
        self.session_id = draft.session_id if draft else None
        kept = self._unsaved.pop(self.patient_id, None)
        if kept is not None and kept.get("session_id") == self.session_id and draft is not None:
            self.dirty = True
            return DraftShown(overview, kept, kept=True, saved_caption=NOT_SAVED_YET)
        if draft is not None:
            self.dirty = False
            caption = f"Saved · started {self._clock.format_local(draft.started_at)}"
            return DraftShown(overview, session_form_values(draft, self._clock), saved_caption=caption)
        return DraftShown(overview, None)

    def treatment_refusal(self) -> Refusal | None:
        """What holds a new session back for the patient now (no intake, no consent, ...), or None."""
        return self._sessions.treatment_refusal(self.patient_id) if self.patient_id is not None else None

    def consent_refusal(self) -> str | None:
        """The consent's part of the gate alone, in words (``treatment_refusal`` says all of it)."""
        return self._sessions.consent_refusal(self.patient_id) if self.patient_id is not None else None

    def start(self) -> str | None:
        """Start today's session, in the name of the consultant signed in (the actor); the words
        of a refusal (e.g. no intake, no consent) or None."""
        if self.patient_id is None:
            return "No patient is open."
        try:
            self._sessions.start(self.patient_id, self._actor())
        except ValidationError as error:
            return "\n".join(error.errors.values())
        return None

    # ------------------------------------------------------------ saving

    def flush(self, values: Mapping[str, object]) -> DraftOutcome | None:
        """Save the open session's typing; None when there is nothing to save (or a correction is open)."""
        if self.patient_id is None or self.session_id is None or self.amending is not None or not self.dirty:
            return None
        try:
            result = self._sessions.save_draft(self.patient_id, service_form(values, self._clock), self._actor())
        except ValidationError as error:
            self._unsaved[self.patient_id] = dict(values)
            return DraftOutcome(errors=self._with_gate(error.errors, values))
        except StoreError as error:
            self._unsaved[self.patient_id] = dict(values)
            return DraftOutcome(problem=str(error))
        self._unsaved.pop(self.patient_id, None)
        self.dirty = False
        return DraftOutcome(result.session, tuple(result.warnings))

    def saved_caption(self) -> str:
        return f"Saved at {clock_time(self._clock, self._clock.now_utc())}"

    def errors(self, values: Mapping[str, object]) -> dict[str, str]:
        """What the session check says of the typing now (empty when it would save)."""
        try:
            self._sessions.validate(service_form(values, self._clock))
        except ValidationError as error:
            return dict(error.errors)
        return {}

    def closing_errors(self, values: Mapping[str, object]) -> dict[str, str]:
        """Why the session cannot close now (empty when it can): asked before the confirmation shows."""
        try:
            close_session(self._sessions.validate(service_form(values, self._clock)), closed_at=self._clock.now_utc())
        except ValidationError as error:
            return self._with_gate(error.errors, values)
        return self._with_gate({}, values)

    def _with_gate(self, errors: Mapping[str, str], values: Mapping[str, object]) -> dict[str, str]:
        """The fields' messages and the treatment gate's (no intake, no consent, dated before the
        consent) together: the service stops at the first kind, the consultant sees both at once."""
        merged = dict(errors)
        if self.patient_id is None:
            return merged
        started_at = None if "started_at" in merged else parse_local_datetime(str(values.get("started_at") or ""),
                                                                              self._clock)
        refusal = self._sessions.treatment_refusal(self.patient_id, started_at)
        if refusal is not None:
            merged.setdefault(refusal.field, refusal.message)
        return merged

    def close(self, values: Mapping[str, object]) -> DraftOutcome:
        """Close the open session for good; the form is clean afterwards."""
        if self.patient_id is None:
            return DraftOutcome(problem="No patient is open.")
        try:
            result = self._sessions.close(self.patient_id, service_form(values, self._clock), self._actor())
        except ValidationError as error:
            return DraftOutcome(errors=self._with_gate(error.errors, values))
        except StoreError as error:
            return DraftOutcome(problem=str(error))
        self.dirty = False
        self._unsaved.pop(self.patient_id, None)
        return DraftOutcome(result.session, tuple(result.warnings))

    def closed_caption(self, session: TreatmentSession) -> str:
        return f"Session closed at {clock_time(self._clock, session.closed_at)}. It now counts in the history."

    # ------------------------------------------------------------ corrections

    def begin_amend(self, session_id: int) -> dict:
        """Correct a closed session: the form values of the record as it stands (latest correction)."""
        record = next(r for r in self.overview.records if r.session_id == session_id)
        self.amending = session_id
        return session_form_values(record.effective, self._clock)

    def cancel_amend(self) -> None:
        self.amending = None

    def save_amend(self, values: Mapping[str, object]) -> dict[str, str]:
        """Store the correction with its reason (``values["reason"]``); the field errors when refused."""
        if self.amending is None:
            return {}
        try:
            self._sessions.amend(self.amending, service_form(values, self._clock), values.get("reason"),
                                 self._actor())
        except ValidationError as error:
            return dict(error.errors)
        self.amending = None
        return {}

    # ------------------------------------------------------------ what the page shows beside the form

    def lot_check(self, expiry_text: str, started_text: str) -> LotCheck | None:
        """The lot's expiry against the session date; None while the expiry is not a date yet."""
        expiry = expiry_from_text(expiry_text)  # a month alone means its last day, as on boxes
        if expiry is None:
            return None
        return self._sessions.lot_check(expiry, parse_local_datetime(started_text, self._clock))

    def totals(self, zones: Iterable[Mapping[str, str]], selected: frozenset[str]) -> str:
        injections, volume = zone_totals(zones)
        earlier = self.overview.history if self.overview else None
        this, cumulative = self._sessions.coverage(selected, earlier)
        return totals_caption(injections, volume, len(selected), this, cumulative)

    def zone_history(self, zone_id: str) -> tuple[str, str] | None:
        """The zone-history card's title and text for a tapped zone (None without a patient)."""
        if self.patient_id is None:
            return None
        entries = self._sessions.zone_history(self.patient_id, zone_id)
        return zone_history_caption(self.geometry.zone(zone_id).label, entries, self._clock)

    def earlier_sessions(self) -> list[EarlierSessionCard]:
        closed = list(reversed(self.overview.closed)) if self.overview else []
        if not closed:
            return []
        names = self._sessions.consultant_names()
        geometry, clock = self.geometry, self._clock
        return [
            EarlierSessionCard(
                record.session_id,
                session_heading(record.original, names, clock),
                session_summary(record.original, geometry),
                tuple(amendment_note(stored.amendment, names, geometry, clock) for stored in record.amendments),
                f"Correct the session of {clock.format_local(record.original.started_at)}",
            )
            for record in closed
        ]
