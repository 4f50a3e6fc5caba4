"""Consultant accounts: PINs, the lock screen's check, wrong-PIN lockout, admin changes.

For the UI (lock screen, hand-off exit, admin panel), the whole API is on
``AccountService``:

* ``accounts()`` lists who can unlock (show names, never ids); ``needs_setup()`` is
  True on a fresh install with no admin who has a PIN: show a "create the first
  admin" form calling ``create_first_admin(name, pin)``.
* ``verify_pin(consultant_id, pin, purpose)`` returns a ``PinCheck`` and never raises
  for a wrong PIN: show ``check.message`` under the PIN field; ``check.ok`` unlocks.
  Every wrong PIN is counted in the database and audited (``consultant.pin_failed``);
  after 5 in a row the account locks for 30 s, doubling to at most 15 min; the lock
  survives a restart. ``lock_state(consultant_id)`` says whether to grey out the
  field and for how long.
* ``require_pin(...)`` is the same check raising ``PinRejectedError`` (a
  ``ValidationError`` on the field ``pin``) for services that need a PIN typed at
  that moment (countersigning a consent, leaving hand-off mode).
* Admin changes take the admin's id and PIN, typed again: ``add_consultant``,
  ``disable_consultant``, ``enable_consultant``, ``reset_pin``; anyone can
  ``change_own_pin``; ``set_credentials`` records a consultant's profession and
  registration number. Each is audited.
* ``idle_lock_seconds()`` (default 120) is how long the app may sit untouched
  before it locks itself; ``set_idle_lock_seconds`` changes it (admin).

PINs are hashed with Argon2id (argon2-cffi). The clear PIN is never stored, logged,
audited or put in a message. Tests pass a cheap ``PasswordHasher`` to stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING

from ..domain.actor import consultant_actor
from ..domain.clinic_settings import clean_credentials
from ..domain.clock import Clock
from ..domain.errors import ValidationError
from ..domain.pin import (
    DEFAULT_LOCKOUT,
    LockoutPolicy,
    PinCheck,
    PinOutcome,
    PinRejectedError,
    PromptBackoff,
    bounded_lock,
    locked_message,
    lockout_until,
    prompt_wait_message,
    validate_pin,
    wrong_pin_message,
)
from ..domain.text import clean_text
from ..store import consultant_accounts as account_rows
from ..store.consultant_accounts import ConsultantAccount
from ..store.consultants import insert_consultant
from ..store.credentials import NO_CREDENTIALS, Credentials, current_credentials, record_credentials
from ..store.db import Store, Transaction
from ..store import lock_roster
from ..store.settings import get_setting, put_setting

if TYPE_CHECKING:
    from argon2 import PasswordHasher

IDLE_LOCK_KEY = "kiosk.idle_lock_seconds"
DEFAULT_IDLE_LOCK_SECONDS = 120
MIN_IDLE_LOCK_SECONDS = 15
MAX_IDLE_LOCK_SECONDS = 3600
_MAX_PIN_INPUT = 64      # longer input is a wrong PIN without being hashed
_ANONYMOUS = "kiosk"     # audit actor for a PIN attempt, before anyone is known
ROLES = ("consultant", "admin")


def default_hasher() -> PasswordHasher:
    """Argon2id with RFC 9106's second recommended profile (64 MiB, 3 passes, 4 lanes)."""
    # Imported at the first PIN, not before the first frame.
    from argon2 import PasswordHasher, profiles

    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


class PinPurpose(str, Enum):
    """Why a PIN is typed; the value is the audit action written when it is right."""

    UNLOCK = "consultant.unlock"              # the lock screen
    COUNTERSIGN = "consultant.countersign"    # countersigning a consent or withdrawal
    HANDOFF_EXIT = "consultant.handoff_exit"  # taking the tablet back from a patient
    ADMIN = "consultant.admin_auth"           # confirming an admin change
    CHANGE_PIN = "consultant.pin_check"       # the old PIN, when changing one's own
    KIOSK_QUIT = "consultant.kiosk_quit"      # closing a --kiosk window (Alt+F4, the window manager, Ctrl+Q)


# Prompts in the patient's hands: their wrong PINs slow that prompt down (``PromptBackoff``) but
# never lock the consultant's account, which a patient could otherwise do from the hand-off.
UNCOUNTED = frozenset({PinPurpose.HANDOFF_EXIT})


@dataclass(frozen=True)
class LockState:
    consultant_id: int
    locked: bool
    locked_until: datetime | None
    seconds_left: int            # 0 when not locked
    failed_pin_count: int
    remaining_attempts: int      # wrong PINs left before the next lock
    message: str                 # "" when not locked


class AccountService:
    def __init__(self, store: Store, clock: Clock, *, hasher: PasswordHasher | None = None,
                 policy: LockoutPolicy = DEFAULT_LOCKOUT):
        self._store = store
        self._clock = clock
        self._given_hasher = hasher
        self._policy = policy
        self._prompt_backoffs: dict[int, PromptBackoff] = {}  # the hand-off prompt's, per consultant

    @cached_property
    def _hasher(self) -> PasswordHasher:
        return self._given_hasher or default_hasher()  # made at the first PIN (argon2 imported then)

    # ------------------------------------------------------------ reading

    def accounts(self, *, active_only: bool = True) -> list[ConsultantAccount]:
        return account_rows.list_accounts(self._store.conn, active_only=active_only)

    def lock_accounts(self) -> tuple[ConsultantAccount, ...]:
        """Whom the lock screen offers: active accounts with a PIN, by name."""
        return lock_roster.lock_accounts(self._store.conn)

    def account(self, consultant_id: int) -> ConsultantAccount:
        return account_rows.get_account(self._store.conn, consultant_id)

    def needs_setup(self) -> bool:
        """True when nobody could unlock an admin account: the first admin must be created."""
        return account_rows.count_active_admins_with_pin(self._store.conn) == 0

    def lock_state(self, consultant_id: int) -> LockState:
        now = self._clock.now_utc()
        account = self._bounded(self.account(consultant_id), now)
        locked = account.locked_at(now)
        seconds = self._seconds_left(account.locked_until, now) if locked else 0
        return LockState(
            consultant_id, locked, account.locked_until if locked else None, seconds,
            account.failed_pin_count, self._policy.remaining_attempts(account.failed_pin_count),
            locked_message(seconds, self._local_time(account.locked_until)) if locked else "",
        )

    # ------------------------------------------------------------ checking a PIN

    def verify_pin(self, consultant_id: int, pin: object, purpose: PinPurpose = PinPurpose.UNLOCK) -> PinCheck:
        """Check a typed PIN; counts and audits a wrong one, resets the count on a right one.

        Outcomes: ``OK``; ``WRONG`` (message says how many tries are left, or that the
        account is now locked); ``LOCKED`` (not checked at all until the lock ends);
        ``DISABLED``; ``NO_PIN``. An empty PIN is ``WRONG`` but not counted.
        Raises ``RecordNotFoundError`` for an unknown consultant id.
        """
        purpose = PinPurpose(purpose)
        now = self._clock.now_utc()
        account = self._bounded(self.account(consultant_id), now)
        name = account.display_name
        if not account.active:
            self._audit_refusal(consultant_id)
            return PinCheck(consultant_id, PinOutcome.DISABLED,
                            "This account is switched off. Ask an admin to switch it back on.", consultant_name=name)
        if account.locked_at(now):
            self._audit_refusal(consultant_id)
            seconds = self._seconds_left(account.locked_until, now)
            return PinCheck(consultant_id, PinOutcome.LOCKED,
                            locked_message(seconds, self._local_time(account.locked_until)),
                            account.locked_until, 0, consultant_name=name)
        stored = account_rows.pin_hash(self._store.conn, consultant_id)
        if stored is None:
            return PinCheck(consultant_id, PinOutcome.NO_PIN,
                            "No PIN has been set for this account yet. Ask an admin to set one.", consultant_name=name)
        if not isinstance(pin, str) or not pin:
            return PinCheck(consultant_id, PinOutcome.WRONG, "Enter your PIN.", None,
                            self._policy.remaining_attempts(account.failed_pin_count), consultant_name=name)
        prompt = self._prompt_backoffs.setdefault(consultant_id, PromptBackoff()) if purpose in UNCOUNTED else None
        if prompt is not None and (wait := prompt.seconds_left(now)):
            return PinCheck(consultant_id, PinOutcome.WRONG, prompt_wait_message(wait), None, 0, consultant_name=name)
        if self._matches(stored, pin):
            if prompt is not None:
                prompt.succeeded()
            rehashed = self._hasher.hash(pin) if self._hasher.check_needs_rehash(stored) else None
            with self._store.write(consultant_actor(consultant_id)) as tx:
                account_rows.record_pin_success(tx, consultant_id, purpose.value, rehashed)
            return PinCheck(consultant_id, PinOutcome.OK, "", None,
                            self._policy.free_attempts, consultant_name=name)
        if stored and not stored.startswith("$argon2"):
            return PinCheck(consultant_id, PinOutcome.NO_PIN,
                            "This account's PIN must be set again. Ask an admin to reset it.", consultant_name=name)
        if prompt is not None:  # counted by the prompt, not against the account (see UNCOUNTED)
            prompt.failed(now)
            with self._store.write(_ANONYMOUS) as tx:
                tx.audit("consultant.pin_failed_at_handoff", "consultant", consultant_id)
            wait = prompt.seconds_left(now)
            return PinCheck(consultant_id, PinOutcome.WRONG,
                            prompt_wait_message(wait) if wait else "Wrong PIN.", None, None, consultant_name=name)
        with self._store.write(_ANONYMOUS) as tx:
            after = account_rows.record_pin_failure(
                tx, consultant_id, now, lambda count: lockout_until(count, now, self._policy))
        remaining = self._policy.remaining_attempts(after.failed_pin_count)
        if after.locked_at(now):
            seconds = self._seconds_left(after.locked_until, now)
            message = wrong_pin_message(0, self._local_time(after.locked_until), seconds)
            return PinCheck(consultant_id, PinOutcome.WRONG, message, after.locked_until, 0, consultant_name=name)
        return PinCheck(consultant_id, PinOutcome.WRONG, wrong_pin_message(remaining, None, None), None, remaining,
                        consultant_name=name)

    def _bounded(self, account: ConsultantAccount, now: datetime) -> ConsultantAccount:
        """``account``, its lock brought back within the policy's longest from now (and stored so)."""
        bounded = bounded_lock(account.locked_until, now, self._policy)
        if bounded == account.locked_until:
            return account
        with self._store.write(_ANONYMOUS) as tx:
            account_rows.shorten_lock(tx, account.id, bounded)
        return self.account(account.id)

    def _audit_refusal(self, consultant_id: int) -> None:
        """One audit entry for the taps on a locked or switched-off account, not one per tap."""
        if account_rows.latest_action(self._store.conn, consultant_id) != "consultant.pin_refused":
            with self._store.write(_ANONYMOUS) as tx:
                tx.audit("consultant.pin_refused", "consultant", consultant_id)

    def require_pin(self, consultant_id: int, pin: object, purpose: PinPurpose,
                    field_name: str = "pin") -> ConsultantAccount:
        """``verify_pin`` for services: returns the account, or raises ``PinRejectedError``."""
        check = self.verify_pin(consultant_id, pin, purpose)
        if not check.ok:
            raise PinRejectedError(check, field_name)
        return self.account(consultant_id)

    def require_admin(self, admin_id: int, admin_pin: object) -> ConsultantAccount:
        account = self.account(admin_id)
        if not account.is_admin:
            raise ValidationError.single("admin_pin", "Only an admin can make this change.")
        return self.require_pin(admin_id, admin_pin, PinPurpose.ADMIN, "admin_pin")

    # ------------------------------------------------------------ setting up and admin

    def clear_lockout(self, admin_id: int, admin_pin: object, consultant_id: int) -> ConsultantAccount:
        """An admin ends another account's lock-out (wrong PINs forgotten, PIN unchanged)."""
        self.account(consultant_id)  # RecordNotFoundError first
        self.require_admin(admin_id, admin_pin)
        with self._store.write(consultant_actor(admin_id)) as tx:
            account_rows.record_pin_success(tx, consultant_id, "consultant.lockout_cleared")
        return self.account(consultant_id)

    def create_first_admin(self, name: object, pin: object) -> ConsultantAccount:
        """The first start of a new installation: only while ``needs_setup()`` is True."""
        if not self.needs_setup():
            raise ValidationError.single("name", "An admin already exists: ask them to add your account.")
        clean_name = self._clean_name(name)
        pin_hash = self._hasher.hash(validate_pin(pin))
        with self._store.write(_ANONYMOUS) as tx:
            row = insert_consultant(tx, clean_name, "admin")
            account_rows.set_pin_hash(tx, row.id, pin_hash, "consultant.pin_set")
        return self.account(row.id)

    def add_consultant(self, admin_id: int, admin_pin: object, name: object, pin: object,
                       role: str = "consultant") -> ConsultantAccount:
        errors: dict[str, str] = {}
        clean_name = None
        try:
            clean_name = self._clean_name(name)
        except ValidationError as error:
            errors.update(error.errors)
        try:
            validate_pin(pin)
        except ValidationError as error:
            errors.update(error.errors)
        if role not in ROLES:
            errors["role"] = "Choose consultant or admin."
        if errors:
            raise ValidationError(errors)
        self.require_admin(admin_id, admin_pin)
        pin_hash = self._hasher.hash(pin)  # type: ignore[arg-type]
        with self._store.write(consultant_actor(admin_id)) as tx:
            row = insert_consultant(tx, clean_name, role)  # type: ignore[arg-type]
            account_rows.set_pin_hash(tx, row.id, pin_hash, "consultant.pin_set")
        return self.account(row.id)

    def disable_consultant(self, admin_id: int, admin_pin: object, consultant_id: int) -> ConsultantAccount:
        """Switch an account off (it can no longer unlock). The last admin cannot be switched off."""
        target = self.account(consultant_id)
        if target.is_admin and target.active and target.has_pin and \
                account_rows.count_active_admins_with_pin(self._store.conn, excluding=consultant_id) == 0:
            raise ValidationError.single(
                "consultant", "This is the only admin: add another admin before switching this account off.")
        self.require_admin(admin_id, admin_pin)
        with self._store.write(consultant_actor(admin_id)) as tx:
            account_rows.set_active(tx, consultant_id, False)
        return self.account(consultant_id)

    def enable_consultant(self, admin_id: int, admin_pin: object, consultant_id: int) -> ConsultantAccount:
        self.account(consultant_id)
        self.require_admin(admin_id, admin_pin)
        with self._store.write(consultant_actor(admin_id)) as tx:
            account_rows.set_active(tx, consultant_id, True)
        return self.account(consultant_id)

    def reset_pin(self, admin_id: int, admin_pin: object, consultant_id: int, new_pin: object) -> ConsultantAccount:
        """An admin sets a new PIN for someone (who forgot theirs); clears their lock. Audited."""
        self.account(consultant_id)
        validate_pin(new_pin, "new_pin")
        self.require_admin(admin_id, admin_pin)
        pin_hash = self._hasher.hash(new_pin)  # type: ignore[arg-type]
        with self._store.write(consultant_actor(admin_id)) as tx:
            account_rows.set_pin_hash(tx, consultant_id, pin_hash, "consultant.pin_reset")
        return self.account(consultant_id)

    def change_own_pin(self, consultant_id: int, old_pin: object, new_pin: object) -> ConsultantAccount:
        validate_pin(new_pin, "new_pin")
        if old_pin == new_pin:
            raise ValidationError.single("new_pin", "The new PIN must differ from the current one.")
        self.require_pin(consultant_id, old_pin, PinPurpose.CHANGE_PIN, "old_pin")
        pin_hash = self._hasher.hash(new_pin)  # type: ignore[arg-type]
        with self._store.write(consultant_actor(consultant_id)) as tx:
            account_rows.set_pin_hash(tx, consultant_id, pin_hash, "consultant.pin_change")
        return self.account(consultant_id)

    def credentials(self) -> dict[int, Credentials]:
        """Each consultant's profession and registration number, as last set (none: absent)."""
        return current_credentials(self._store.conn)

    def set_credentials(self, admin_id: int, admin_pin: object, consultant_id: int, profession: object,
                        registration: object) -> Credentials:
        """An admin records who a consultant is professionally (shown on consents and the PDF).
        A new row each time (the old ones stay, for documents issued before). Audited."""
        self.account(consultant_id)
        wanted = Credentials(*clean_credentials(profession, registration))
        from .clinic import check_printable  # the PDF's fonts: read on first use, not at start-up

        check_printable(wanted._asdict())  # printed beside the consultant's name in the PDF
        self.require_admin(admin_id, admin_pin)
        if self.credentials().get(consultant_id, NO_CREDENTIALS) != wanted:
            with self._store.write(consultant_actor(admin_id)) as tx:
                record_credentials(tx, consultant_id, wanted)
        return wanted

    def set_initial_pin(self, tx: Transaction, consultant_id: int, pin: str) -> None:
        """Give a consultant created in ``tx`` a PIN, inside that transaction (demo seeding)."""
        account_rows.set_pin_hash(tx, consultant_id, self._hasher.hash(validate_pin(pin)), "consultant.pin_set")

    # ------------------------------------------------------------ idle lock

    def idle_lock_seconds(self) -> int:
        """Seconds without a touch or key before the app locks itself (default 120)."""
        value = get_setting(self._store.conn, IDLE_LOCK_KEY, DEFAULT_IDLE_LOCK_SECONDS)
        if isinstance(value, bool) or not isinstance(value, int):
            return DEFAULT_IDLE_LOCK_SECONDS
        return min(max(value, MIN_IDLE_LOCK_SECONDS), MAX_IDLE_LOCK_SECONDS)

    def set_idle_lock_seconds(self, admin_id: int, admin_pin: object, seconds: object) -> int:
        if isinstance(seconds, bool) or not isinstance(seconds, int) or \
                not MIN_IDLE_LOCK_SECONDS <= seconds <= MAX_IDLE_LOCK_SECONDS:
            raise ValidationError.single(
                "idle_lock_seconds",
                f"Choose between {MIN_IDLE_LOCK_SECONDS} seconds and {MAX_IDLE_LOCK_SECONDS // 60} minutes.")
        self.require_admin(admin_id, admin_pin)
        with self._store.write(consultant_actor(admin_id)) as tx:
            put_setting(tx, IDLE_LOCK_KEY, seconds)
        return seconds

    # ------------------------------------------------------------ helpers

    def _matches(self, stored: str, pin: str) -> bool:
        # Every stored PIN is ASCII digits (``validate_pin``): anything else is wrong without
        # hashing it — a lone surrogate cannot even be encoded for Argon2.
        if len(pin) > _MAX_PIN_INPUT or not (pin.isascii() and pin.isdigit()):
            return False
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        try:
            return self._hasher.verify(stored, pin)
        except (VerifyMismatchError, InvalidHashError, VerificationError):
            return False

    @staticmethod
    def _clean_name(name: object) -> str:
        text = clean_text(name, "name", max_length=100, required=True, label="name")
        assert text is not None
        return " ".join(text.split())

    @staticmethod
    def _seconds_left(until: datetime | None, now: datetime) -> int:
        if until is None:
            return 0
        return max(int(-(-(until - now).total_seconds() // 1)), 1)

    def _local_time(self, moment: datetime | None) -> str | None:
        return None if moment is None else self._clock.local(moment).strftime("%H:%M:%S")
