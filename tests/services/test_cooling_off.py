"""Time to think: the first session waits for the clinic's cooling-off period after the first consent;
an admin may let it start earlier with a recorded reason (immutable, audited)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from meso_kiosk.domain.clock import parse_utc_iso
from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.services.sessions import ConsentRequiredError
from meso_kiosk.store.consultants import insert_consultant
from tests.conftest import FIXED_NOW
from tests.consultation import COUNTERSIGN_PIN, complete_intake, session_form, sign

ADMIN_PIN = COUNTERSIGN_PIN
REASON = "Patient flew in from abroad for this visit; consent discussed at length last month by phone."


@pytest.fixture
def admin(kiosk):
    admin = kiosk.accounts.create_first_admin("Dr Amélie Laurent", ADMIN_PIN)
    kiosk.clinic.update({"timezone": "Europe/Paris"}, "test")  # 09:30 UTC is 10:30 at the clinic
    return admin


@pytest.fixture
def nurse(kiosk, admin):
    with kiosk.store.write("test") as tx:
        row = insert_consultant(tx, "Sam Okafor")
        kiosk.accounts.set_initial_pin(tx, row.id, "258036")
    return kiosk.accounts.account(row.id)


@pytest.fixture
def patient(kiosk, register, admin):
    """A patient whose intake is complete and who signs their first consent now (the fixed 09:30 UTC)."""
    patient = register()
    complete_intake(kiosk, patient.id)
    sign(kiosk, patient.id, admin.id)
    return patient


def move_clock(kiosk, delta: timedelta) -> None:
    kiosk.clock.now = lambda: FIXED_NOW + delta


def actions(kiosk) -> list[str]:
    return [row[0] for row in kiosk.store.conn.execute("SELECT action FROM audit_log ORDER BY id")]


def test_the_first_session_waits_until_the_period_ends_in_the_clinic_s_time(kiosk, patient, admin):
    refusal = kiosk.sessions.consent_refusal(patient.id)
    assert refusal.startswith("The patient signed their first consent at 10:30 today; the clinic's cooling-off "
                              "period of 24 hours ends tomorrow at 10:30.")
    with pytest.raises(ConsentRequiredError, match="cooling-off period of 24 hours"):
        kiosk.sessions.start(patient.id, "c")
    with pytest.raises(ConsentRequiredError):  # nor recorded whole, dated earlier
        kiosk.sessions.close(patient.id, session_form(admin.id, FIXED_NOW - timedelta(hours=1), 1), "c")
    assert kiosk.store.conn.execute("SELECT count(*) FROM treatment_sessions").fetchone()[0] == 0
    move_clock(kiosk, timedelta(hours=23, minutes=59))
    assert "ends today at 10:30" in kiosk.sessions.consent_refusal(patient.id)
    move_clock(kiosk, timedelta(hours=24))
    assert kiosk.sessions.consent_refusal(patient.id) is None
    assert kiosk.sessions.start(patient.id, "c").session_id


def test_a_longer_period_names_the_day(kiosk, patient):
    kiosk.clinic.update({"cooling_off_hours": 72}, "test")
    assert "of 72 hours ends on 25 Nov 2026 at 10:30." in kiosk.sessions.consent_refusal(patient.id)
    kiosk.clinic.update({"cooling_off_hours": 1}, "test")
    assert "of 1 hour ends today at 11:30." in kiosk.sessions.consent_refusal(patient.id)


def test_later_sessions_and_later_consents_are_not_held(kiosk, patient, admin):
    move_clock(kiosk, timedelta(days=2))
    kiosk.sessions.close(patient.id, session_form(admin.id, FIXED_NOW + timedelta(days=2), 1), "c")
    kiosk.clinic.update({"cooling_off_hours": 720}, "test")  # a longer wait now holds no later session
    assert kiosk.sessions.consent_refusal(patient.id) is None
    # Withdrawn and signed again: the first consent's period counts, not the new one's.
    other = kiosk.patients.register({"given_name": "Nadia", "family_name": "Haddad",
                                     "date_of_birth": "1990-02-03"}, "test")
    kiosk.clinic.update({"cooling_off_hours": 24}, "test")
    move_clock(kiosk, timedelta(0))
    sign(kiosk, other.id, admin.id)
    kiosk.consents.withdraw(other.id, channel="phone", consultant_id=admin.id, consultant_pin=ADMIN_PIN)
    move_clock(kiosk, timedelta(days=1, minutes=1))
    sign(kiosk, other.id, admin.id)
    assert kiosk.sessions.consent_refusal(other.id) is None


def test_no_period_means_no_wait(kiosk, patient):
    kiosk.clinic.update({"cooling_off_hours": 0}, "test")
    assert kiosk.sessions.consent_refusal(patient.id) is None
    assert kiosk.sessions.start(patient.id, "c").session_id


def test_an_admin_waiver_with_a_reason_lets_the_first_session_start(kiosk, patient, admin):
    waiver = kiosk.consents.cooling_off.waive(patient.id, reason=f"  {REASON}\n", admin_id=admin.id,
                                              admin_pin=ADMIN_PIN)
    assert waiver.reason == REASON and waiver.admin_name == "Dr Amélie Laurent"
    assert waiver.consent_id == kiosk.consents.current(patient.id).id
    assert kiosk.consents.cooling_off.waiver(patient.id) == waiver
    assert actions(kiosk)[-1] == "consent.cooling_off_waiver"
    row = kiosk.store.conn.execute("SELECT actor, entity, entity_id FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert row == (f"consultant:{admin.id}", "cooling_off_waiver", str(waiver.id))
    assert kiosk.sessions.consent_refusal(patient.id) is None
    assert kiosk.sessions.start(patient.id, "c").session_id
    assert kiosk.store.verify_audit().ok
    with pytest.raises(ValidationError, match="nothing to let start early"):  # one waiver is enough
        kiosk.consents.cooling_off.waive(patient.id, reason=REASON, admin_id=admin.id, admin_pin=ADMIN_PIN)


def test_the_waiver_is_immutable_in_the_database(kiosk, patient, admin):
    kiosk.consents.cooling_off.waive(patient.id, reason=REASON, admin_id=admin.id, admin_pin=ADMIN_PIN)
    for sql in ("UPDATE cooling_off_waivers SET reason = 'changed later'", "DELETE FROM cooling_off_waivers"):
        with pytest.raises(sqlite3.DatabaseError, match="a cooling-off waiver cannot be changed"):
            kiosk.store.conn.execute(sql)
    assert kiosk.store.conn.execute("SELECT reason FROM cooling_off_waivers").fetchone()[0] == REASON


def test_a_waiver_needs_an_admin_and_their_pin(kiosk, patient, admin, nurse):
    waive = kiosk.consents.cooling_off.waive
    with pytest.raises(ValidationError) as refused:
        waive(patient.id, reason=REASON, admin_id=nurse.id, admin_pin="258036")
    assert refused.value.errors == {"admin_pin": "Only an admin can make this change."}
    with pytest.raises(ValidationError) as refused:
        waive(patient.id, reason=REASON, admin_id=admin.id, admin_pin="000000")
    assert set(refused.value.errors) == {"admin_pin"}
    assert kiosk.store.conn.execute("SELECT count(*) FROM cooling_off_waivers").fetchone()[0] == 0
    assert "consent.cooling_off_waiver" not in actions(kiosk)
    assert kiosk.sessions.consent_refusal(patient.id) is not None
    assert not kiosk.consents.cooling_off.may_waive(nurse.id) and kiosk.consents.cooling_off.may_waive(admin.id)
    assert not kiosk.consents.cooling_off.may_waive(None) and not kiosk.consents.cooling_off.may_waive(999)


@pytest.mark.parametrize("reason", [None, "", "   \n\t ", "ok", 42, ["a reason in a list"], "x" * 501,
                                    "Patient in a hurry\x00; DROP TABLE", "Reason with a \u202eright-to-left override",
                                    "\x1b[31mred escape codes in a reason"])
def test_a_hostile_reason_is_refused_by_field_before_the_pin_is_tried(kiosk, patient, admin, reason):
    with pytest.raises(ValidationError) as refused:
        kiosk.consents.cooling_off.waive(patient.id, reason=reason, admin_id=admin.id, admin_pin="000000")
    assert set(refused.value.errors) == {"reason"}
    assert kiosk.accounts.account(admin.id).failed_pin_count == 0  # the wrong PIN was never tried
    assert kiosk.store.conn.execute("SELECT count(*) FROM cooling_off_waivers").fetchone()[0] == 0


def test_a_reason_in_any_script_is_kept_exactly(kiosk, patient, admin):
    reason = "Patiente venue de Lyon ; 患者は説明を理解しました — ok pour commencer aujourd'hui."
    assert kiosk.consents.cooling_off.waive(patient.id, reason=reason, admin_id=admin.id,
                                            admin_pin=ADMIN_PIN).reason == reason


def test_nothing_to_waive_without_a_hold(kiosk, register, admin):
    unsigned = register("Nadia", "Haddad", "1990-02-03")
    with pytest.raises(ValidationError, match="nothing to let start early"):
        kiosk.consents.cooling_off.waive(unsigned.id, reason=REASON, admin_id=admin.id, admin_pin=ADMIN_PIN)


def test_the_demo_signs_every_consent_at_least_the_period_before_the_first_session(kiosk):
    from meso_kiosk.services.demo.seed import seed_demo

    seed_demo(kiosk)
    hours = kiosk.clinic.settings().cooling_off_hours
    rows = kiosk.store.conn.execute(
        "SELECT (SELECT min(signed_at) FROM consents c WHERE c.patient_id = s.patient_id AND kind = 'consent'),"
        " min(started_at) FROM treatment_sessions s GROUP BY patient_id").fetchall()
    assert rows
    for signed, started in rows:
        assert parse_utc_iso(started) - parse_utc_iso(signed) >= timedelta(hours=hours), (signed, started)
