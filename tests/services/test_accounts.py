from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher, Type

from meso_kiosk.domain.clock import Clock
from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.pin import PinOutcome, PinRejectedError
from meso_kiosk.services.accounts import (
    DEFAULT_IDLE_LOCK_SECONDS,
    AccountService,
    PinPurpose,
    default_hasher,
)
from meso_kiosk.services.kiosk import open_kiosk
from meso_kiosk.store.consultants import insert_consultant

T0 = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)
ADMIN_PIN = "739184"   # chosen so it cannot appear by chance in timestamps or ids
NURSE_PIN = "582937"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class Now:
    """A clock the test moves by hand."""

    def __init__(self, at=T0):
        self.at = at

    def __call__(self):
        return self.at

    def advance(self, **delta):
        self.at += timedelta(**delta)


@pytest.fixture
def now():
    return Now()


@pytest.fixture
def accounts(kiosk, now):
    return AccountService(kiosk.store, Clock(tz=timezone.utc, now=now), hasher=CHEAP)


@pytest.fixture
def admin(accounts):
    return accounts.create_first_admin("Dr Amélie Laurent", ADMIN_PIN)


@pytest.fixture
def nurse(accounts, admin):
    return accounts.add_consultant(admin.id, ADMIN_PIN, "Sam Okafor", NURSE_PIN)


def audit_actions(kiosk, action=None):
    rows = kiosk.store.conn.execute("SELECT action, entity, entity_id FROM audit_log ORDER BY id").fetchall()
    return [r for r in rows if action is None or r[0] == action]


def test_default_hasher_is_a_proper_argon2id():
    hasher = default_hasher()
    assert hasher.type is Type.ID
    assert hasher.memory_cost >= 64 * 1024 and hasher.time_cost >= 3


def test_first_admin_only_on_a_fresh_install(accounts):
    assert accounts.needs_setup()
    admin = accounts.create_first_admin("  Dr   Amélie Laurent ", ADMIN_PIN)
    assert admin.display_name == "Dr Amélie Laurent" and admin.is_admin and admin.has_pin
    assert not accounts.needs_setup()
    with pytest.raises(ValidationError):
        accounts.create_first_admin("Mallory", "902817")


def test_pins_are_stored_as_argon2id_hashes_and_never_in_clear(kiosk, accounts, admin, nurse):
    stored = kiosk.store.conn.execute("SELECT pin_hash FROM consultants ORDER BY id").fetchall()
    assert all(row[0].startswith("$argon2id$") for row in stored)
    assert accounts.verify_pin(nurse.id, "000111").outcome is PinOutcome.WRONG
    assert accounts.verify_pin(nurse.id, NURSE_PIN).ok
    accounts.reset_pin(admin.id, ADMIN_PIN, nurse.id, "615243")
    kiosk.store.conn.execute("PRAGMA wal_checkpoint(FULL)")
    files = [kiosk.paths.database, kiosk.paths.database.with_name(kiosk.paths.database.name + "-wal")]
    for path in files:
        if path.exists():
            data = path.read_bytes()
            for pin in (ADMIN_PIN, NURSE_PIN, "615243"):
                assert pin.encode() not in data, f"clear PIN found in {path.name}"
                assert pin.encode("utf-16-le") not in data
    for row in kiosk.store.conn.execute("SELECT * FROM audit_log"):
        assert not any(pin in str(value) for value in row for pin in (ADMIN_PIN, NURSE_PIN, "615243"))
    assert NURSE_PIN not in repr(accounts.account(nurse.id))


def test_five_wrong_pins_lock_with_doubling_back_off_and_every_failure_is_audited(kiosk, accounts, nurse, now):
    remaining = [accounts.verify_pin(nurse.id, "902817").remaining_attempts for _ in range(4)]
    assert remaining == [4, 3, 2, 1]
    fifth = accounts.verify_pin(nurse.id, "902817")
    assert fifth.outcome is PinOutcome.WRONG and fifth.locked_until == T0 + timedelta(seconds=30)
    assert "locked for 30 seconds" in fifth.message
    # While locked even the right PIN is not checked, and the attempt is not counted.
    locked = accounts.verify_pin(nurse.id, NURSE_PIN)
    assert locked.outcome is PinOutcome.LOCKED and "30 seconds" in locked.message
    assert accounts.account(nurse.id).failed_pin_count == 5
    state = accounts.lock_state(nurse.id)
    assert state.locked and state.seconds_left == 30 and state.remaining_attempts == 0
    now.advance(seconds=31)
    assert not accounts.lock_state(nurse.id).locked
    sixth = accounts.verify_pin(nurse.id, "902817")
    assert sixth.locked_until == now.at + timedelta(seconds=60)
    assert len(audit_actions(kiosk, "consultant.pin_failed")) == 6
    assert len(audit_actions(kiosk, "consultant.locked")) == 2
    assert audit_actions(kiosk, "consultant.pin_refused") == [("consultant.pin_refused", "consultant", str(nurse.id))]
    assert kiosk.store.verify_audit().ok


def test_a_right_pin_resets_the_counter_and_is_audited_as_unlock(kiosk, accounts, nurse):
    for _ in range(3):
        accounts.verify_pin(nurse.id, "902817")
    check = accounts.verify_pin(nurse.id, NURSE_PIN)
    assert check.ok and check.consultant_name == "Sam Okafor"
    assert accounts.account(nurse.id).failed_pin_count == 0
    assert audit_actions(kiosk)[-1] == ("consultant.unlock", "consultant", str(nurse.id))
    accounts.verify_pin(nurse.id, NURSE_PIN, PinPurpose.HANDOFF_EXIT)
    assert audit_actions(kiosk)[-1][0] == "consultant.handoff_exit"


def test_an_empty_pin_is_not_counted(accounts, nurse):
    check = accounts.verify_pin(nurse.id, "")
    assert check.outcome is PinOutcome.WRONG and check.message == "Enter your PIN."
    assert accounts.account(nurse.id).failed_pin_count == 0


@pytest.mark.parametrize("typed", ["5829370", " 582937", "x" * 10_000, None, 582937, "５８２９３７"])
def test_near_misses_and_junk_never_unlock(accounts, nurse, typed):
    assert not accounts.verify_pin(nurse.id, typed).ok


def test_back_off_survives_closing_and_reopening_the_app(data_dir, now):
    first = open_kiosk(data_dir, now=now)
    accounts = AccountService(first.store, first.clock, hasher=CHEAP)
    with first.store.write("test") as tx:
        nurse = insert_consultant(tx, "Sam Okafor")
    with first.store.write("test") as tx:
        accounts.set_initial_pin(tx, nurse.id, NURSE_PIN)
    for _ in range(6):
        if accounts.lock_state(nurse.id).locked:
            now.advance(seconds=31)
        accounts.verify_pin(nurse.id, "902817")
    until = accounts.account(nurse.id).locked_until
    assert until == now.at + timedelta(seconds=60)
    first.close()

    again = open_kiosk(data_dir, now=now)
    try:
        state = again.accounts.lock_state(nurse.id)  # the real service, default hasher
        assert state.locked and state.locked_until == until and state.failed_pin_count == 6
        reopened = AccountService(again.store, again.clock, hasher=CHEAP)
        assert reopened.verify_pin(nurse.id, NURSE_PIN).outcome is PinOutcome.LOCKED
        now.advance(seconds=61)
        assert reopened.verify_pin(nurse.id, NURSE_PIN).ok
        assert again.store.verify_audit().ok
    finally:
        again.close()


def test_admin_changes_need_an_admin_and_their_pin(kiosk, accounts, admin, nurse):
    with pytest.raises(ValidationError, match="Only an admin"):
        accounts.add_consultant(nurse.id, NURSE_PIN, "Another", "615243")
    with pytest.raises(PinRejectedError) as caught:
        accounts.add_consultant(admin.id, "902817", "Another", "615243")
    assert caught.value.field == "admin_pin"
    assert [a.display_name for a in accounts.accounts()] == ["Dr Amélie Laurent", "Sam Okafor"]
    with pytest.raises(ValidationError) as caught:
        accounts.add_consultant(admin.id, ADMIN_PIN, "", "123456", role="boss")
    assert set(caught.value.errors) == {"name", "pin", "role"}


def test_disable_and_enable_a_consultant(kiosk, accounts, admin, nurse):
    accounts.disable_consultant(admin.id, ADMIN_PIN, nurse.id)
    assert [a.id for a in accounts.accounts()] == [admin.id]
    check = accounts.verify_pin(nurse.id, NURSE_PIN)
    assert check.outcome is PinOutcome.DISABLED and "switched off" in check.message
    accounts.enable_consultant(admin.id, ADMIN_PIN, nurse.id)
    assert accounts.verify_pin(nurse.id, NURSE_PIN).ok
    actions = [a[0] for a in audit_actions(kiosk)]
    assert "consultant.disable" in actions and "consultant.enable" in actions


def test_the_last_admin_cannot_be_switched_off(accounts, admin, nurse):
    with pytest.raises(ValidationError, match="only admin"):
        accounts.disable_consultant(admin.id, ADMIN_PIN, admin.id)
    second = accounts.add_consultant(admin.id, ADMIN_PIN, "Dr Second", "615243", role="admin")
    accounts.disable_consultant(second.id, "615243", admin.id)
    assert not accounts.account(admin.id).active


def test_reset_pin_clears_the_lock_and_is_audited(kiosk, accounts, admin, nurse):
    for _ in range(5):
        accounts.verify_pin(nurse.id, "902817")
    assert accounts.lock_state(nurse.id).locked
    with pytest.raises(ValidationError) as caught:
        accounts.reset_pin(admin.id, ADMIN_PIN, nurse.id, "111111")
    assert caught.value.field == "new_pin"
    accounts.reset_pin(admin.id, ADMIN_PIN, nurse.id, "615243")
    assert not accounts.lock_state(nurse.id).locked
    assert accounts.verify_pin(nurse.id, "615243").ok
    assert not accounts.verify_pin(nurse.id, NURSE_PIN).ok
    assert ("consultant.pin_reset", "consultant", str(nurse.id)) in audit_actions(kiosk)


def test_change_own_pin(accounts, nurse):
    with pytest.raises(PinRejectedError) as caught:
        accounts.change_own_pin(nurse.id, "902817", "615243")
    assert caught.value.field == "old_pin"
    with pytest.raises(ValidationError, match="differ"):
        accounts.change_own_pin(nurse.id, NURSE_PIN, NURSE_PIN)
    accounts.change_own_pin(nurse.id, NURSE_PIN, "615243")
    assert accounts.verify_pin(nurse.id, "615243").ok


def test_no_pin_yet_says_so(kiosk, accounts):
    with kiosk.store.write("test") as tx:
        row = insert_consultant(tx, "New Person")
    check = accounts.verify_pin(row.id, "615243")
    assert check.outcome is PinOutcome.NO_PIN and "Ask an admin" in check.message


def test_idle_lock_timeout_defaults_to_two_minutes_and_an_admin_can_change_it(accounts, admin, nurse):
    assert accounts.idle_lock_seconds() == DEFAULT_IDLE_LOCK_SECONDS == 120
    for bad in (0, 5, 10_000, "60", 60.5, True, None):
        with pytest.raises(ValidationError):
            accounts.set_idle_lock_seconds(admin.id, ADMIN_PIN, bad)
    with pytest.raises(ValidationError):
        accounts.set_idle_lock_seconds(nurse.id, NURSE_PIN, 60)
    assert accounts.set_idle_lock_seconds(admin.id, ADMIN_PIN, 45) == 45
    assert accounts.idle_lock_seconds() == 45


def test_the_kiosk_has_the_account_service(kiosk):
    assert kiosk.accounts.needs_setup()
    assert kiosk.accounts.idle_lock_seconds() == 120


# ------------------------------------------------------------ lockouts that cannot trap a clinic

def _actions(kiosk, consultant_id: int) -> list[str]:
    return [row[0] for row in kiosk.store.conn.execute(
        "SELECT action FROM audit_log WHERE entity = 'consultant' AND entity_id = ? ORDER BY id", (str(consultant_id),))]


@pytest.mark.parametrize("clock_was", [timedelta(days=5 * 365), timedelta(hours=3)])
def test_a_clock_that_ran_ahead_while_pins_failed_never_locks_longer_than_the_maximum(accounts, admin, now, kiosk,
                                                                                   clock_was):
    real = now.at
    now.at = real + clock_was  # the tablet's clock ran ahead
    for _ in range(12):
        accounts.verify_pin(admin.id, "000000")
    now.at = real  # and was put right
    state = accounts.lock_state(admin.id)
    assert state.locked and state.seconds_left <= 15 * 60
    assert "consultant.lock_shortened" in _actions(kiosk, admin.id)
    now.advance(minutes=15, seconds=1)
    assert accounts.verify_pin(admin.id, ADMIN_PIN).ok  # the only admin gets back in


def test_an_admin_clears_another_account_s_lockout_with_their_pin(accounts, admin, kiosk):
    nurse = accounts.add_consultant(admin.id, ADMIN_PIN, "Sam Okafor", NURSE_PIN)
    for _ in range(8):
        accounts.verify_pin(nurse.id, "000000")
    assert accounts.lock_state(nurse.id).locked
    with pytest.raises(PinRejectedError):
        accounts.clear_lockout(admin.id, "111111", nurse.id)
    assert accounts.lock_state(nurse.id).locked
    with pytest.raises(ValidationError, match="Only an admin"):
        accounts.clear_lockout(nurse.id, NURSE_PIN, nurse.id)
    cleared = accounts.clear_lockout(admin.id, ADMIN_PIN, nurse.id)
    assert not accounts.lock_state(nurse.id).locked and cleared.failed_pin_count == 0
    assert accounts.verify_pin(nurse.id, NURSE_PIN).ok  # the same PIN as before
    assert _actions(kiosk, nurse.id).count("consultant.lockout_cleared") == 1


def test_a_patient_at_the_hand_off_prompt_cannot_lock_the_consultant_out(accounts, admin, now, kiosk):
    checks = [accounts.verify_pin(admin.id, f"{n:06d}", PinPurpose.HANDOFF_EXIT) for n in range(1, 41)]
    assert all(not check.ok for check in checks)
    assert not accounts.lock_state(admin.id).locked and accounts.account(admin.id).failed_pin_count == 0
    assert accounts.verify_pin(admin.id, ADMIN_PIN, PinPurpose.UNLOCK).ok  # the lock screen: not locked
    # The prompt itself slows guessing: after 3 wrong PINs it waits, and refuses even the right PIN meanwhile.
    assert "try again in" in checks[3].message
    assert not accounts.verify_pin(admin.id, ADMIN_PIN, PinPurpose.HANDOFF_EXIT).ok
    failed = _actions(kiosk, admin.id).count("consultant.pin_failed_at_handoff")
    assert failed == 3  # only the PINs the prompt actually checked
    now.advance(minutes=6)
    assert accounts.verify_pin(admin.id, ADMIN_PIN, PinPurpose.HANDOFF_EXIT).ok


def test_taps_on_a_locked_account_write_one_audit_entry_per_lockout(accounts, admin, now, kiosk):
    for _ in range(5):
        accounts.verify_pin(admin.id, "000000")
    assert accounts.lock_state(admin.id).locked
    before = len(_actions(kiosk, admin.id))
    for _ in range(30):
        assert accounts.verify_pin(admin.id, ADMIN_PIN).outcome is PinOutcome.LOCKED
    assert _actions(kiosk, admin.id)[before:] == ["consultant.pin_refused"]


@pytest.mark.parametrize("typed", ["\ud800", "12345\udfff", "１２３４５６", "482913 ", "🔢🔢🔢🔢🔢🔢"])
def test_a_pin_that_is_not_plain_digits_is_a_wrong_pin_never_a_crash(kiosk, typed):
    """Found by the hostile consent form: a lone surrogate reached Argon2, which cannot encode it."""
    admin = kiosk.accounts.create_first_admin("Dr Amélie Laurent", "482913")
    check = kiosk.accounts.verify_pin(admin.id, typed)
    assert check.outcome is PinOutcome.WRONG
