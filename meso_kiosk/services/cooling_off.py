"""Time to think before the first session: the hold, and an admin's waiver with its reason.

The patient's first session may not start until the clinic's cooling-off period
(``ClinicSettings.cooling_off_hours``) after their FIRST signed consent has passed; later
sessions wait for nothing, and 0 hours means no wait. An admin may let the first session
start earlier by recording why, confirmed with their PIN: an immutable, audited record
(``consent.cooling_off_waiver``). ``ConsentService.consent_gate`` asks ``refusal``.
"""

from __future__ import annotations

from typing import Callable

from ..domain.actor import consultant_actor
from ..domain.clinic_settings import ClinicSettings
from ..domain.clock import Clock
from ..domain.cooling_off import (
    CoolingOffHold,
    CoolingOffWaiver,
    clean_waiver_reason,
    cooling_off_ends,
    hold_message,
)
from ..domain.errors import ValidationError
from ..store import cooling_off_waivers as waiver_rows
from ..store.db import Store
from ..store.errors import RecordNotFoundError
from .accounts import AccountService

ASK_AN_ADMIN = "An admin can let it start earlier by recording why."


class CoolingOffService:
    def __init__(self, store: Store, clock: Clock, accounts: AccountService,
                 settings: Callable[[], ClinicSettings]):
        self._store = store
        self._clock = clock
        self._accounts = accounts
        self._settings = settings

    def hold(self, patient_id: int) -> CoolingOffHold | None:
        """Why the patient's first session must still wait, or None when it may start."""
        hours = self._settings().cooling_off_hours
        conn = self._store.conn
        first = waiver_rows.first_consent(conn, patient_id)
        if hours <= 0 or first is None or waiver_rows.first_session_recorded(conn, patient_id):
            return None
        consent_id, signed_at = first
        ends_at = cooling_off_ends(signed_at, hours)
        if self._clock.now_utc() >= ends_at or waiver_rows.waiver_for(conn, consent_id) is not None:
            return None
        return CoolingOffHold(consent_id, signed_at, ends_at, hours)

    def message(self, hold: CoolingOffHold) -> str:
        """The hold in the clinic's local time ("… ends tomorrow at 09:12.")."""
        return hold_message(self._clock.local(hold.signed_at), self._clock.local(hold.ends_at),
                            self._clock.today(), hold.hours)

    def refusal(self, patient_id: int) -> str | None:
        hold = self.hold(patient_id)
        return None if hold is None else f"{self.message(hold)} {ASK_AN_ADMIN}"

    def waiver(self, patient_id: int) -> CoolingOffWaiver | None:
        """The waiver recorded for the patient's first consent, if any."""
        first = waiver_rows.first_consent(self._store.conn, patient_id)
        return None if first is None else waiver_rows.waiver_for(self._store.conn, first[0])

    def may_waive(self, consultant_id: int | None) -> bool:
        """Whether this consultant is an admin (who may let a first session start early)."""
        if consultant_id is None:
            return False
        try:
            account = self._accounts.account(consultant_id)
        except RecordNotFoundError:
            return False
        return account.is_admin and account.active

    def waive(self, patient_id: int, *, reason: object, admin_id: int, admin_pin: object) -> CoolingOffWaiver:
        """Let the first session start before the period ends: the reason is checked first (a bad
        one costs no PIN try), then the admin's PIN; stored with an audit entry."""
        text = clean_waiver_reason(reason)
        hold = self.hold(patient_id)
        if hold is None:
            raise ValidationError.single("reason", "This patient's first session is not waiting for the "
                                                   "cooling-off period: there is nothing to let start early.")
        admin = self._accounts.require_admin(admin_id, admin_pin)
        with self._store.write(consultant_actor(admin.id)) as tx:
            return waiver_rows.insert_waiver(tx, patient_id, hold.first_consent_id, text, admin.id,
                                             admin.display_name)
