import math
import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from meso_kiosk.domain.consent import (
    ConsentKind,
    Countersignature,
    make_consent,
    make_withdrawal,
    validate_answers,
)
from meso_kiosk.domain.signature import parse_signature
from meso_kiosk.services.clinic_data import ClinicData
from meso_kiosk.store import consents as consent_rows
from meso_kiosk.store.consultants import insert_consultant

T0 = datetime(2026, 11, 1, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def template():
    return ClinicData().consent_template("en", 1)


@pytest.fixture
def consultant(kiosk):
    with kiosk.store.write("test") as tx:
        return insert_consultant(tx, "Sam Okafor")


def signature():
    stroke = [[40 + 8 * i, 100 + 30 * math.sin(i / 3), 8 * i, 0.6] for i in range(40)]
    return parse_signature({"width": 600, "height": 200, "strokes": [stroke]})


def a_consent(template, patient_id, consultant, *, at=T0, supersedes=None, photos=True):
    answers = validate_answers(template, {i.id: True for i in template.checklist}, photos, "Can I swim?")
    return make_consent(template, answers, patient_id=patient_id, printed_name="Claire Dubois",
                        signature=signature(), countersignature=Countersignature(consultant.id, consultant.display_name, at),
                        signed_at=at, device_id="tablet-1", supersedes_id=supersedes)


def a_withdrawal(template, patient_id, consultant, withdraws, at=T0 + timedelta(days=3)):
    return make_withdrawal(template, patient_id=patient_id, printed_name="Claire Dubois", withdraws_id=withdraws,
                           channel="phone", reason="Changed her mind.", signed_at=at, device_id="tablet-1",
                           countersignature=Countersignature(consultant.id, consultant.display_name, at))


def store_record(kiosk, record):
    with kiosk.store.write("test") as tx:
        return consent_rows.insert_consent(tx, record)


def audit_actions(kiosk):
    return [row[0] for row in kiosk.store.conn.execute("SELECT action FROM audit_log ORDER BY id")]


def test_a_consent_and_its_two_signatures_are_stored_together_and_read_back(kiosk, register, template, consultant):
    patient = register()
    stored = store_record(kiosk, a_consent(template, patient.id, consultant))
    assert stored.id is not None
    back = consent_rows.get_consent(kiosk.store.conn, stored.id)
    assert back == stored
    assert back.text == stored.text and back.answers == stored.answers
    assert back.patient_signature == stored.patient_signature
    rows = kiosk.store.conn.execute(
        "SELECT role, method, signer_name, consultant_id FROM signatures WHERE consent_id = ? ORDER BY role",
        (stored.id,)).fetchall()
    assert rows == [("consultant", "pin", "Sam Okafor", consultant.id), ("patient", "drawn", "Claire Dubois", None)]
    assert audit_actions(kiosk)[-1] == "consent.sign"
    assert kiosk.store.verify_audit().ok


def test_the_countersignature_attests_the_text_hash(kiosk, register, template, consultant):
    stored = store_record(kiosk, a_consent(template, register().id, consultant))
    strokes = kiosk.store.conn.execute(
        "SELECT strokes FROM signatures WHERE consent_id = ? AND role = 'consultant'", (stored.id,)).fetchone()[0]
    assert stored.text_sha256 in strokes and '"attestation":"pin"' in strokes


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE consents SET printed_name = 'Someone Else'",
        "UPDATE consents SET text = 'other text'",
        "UPDATE consents SET photo_consent = 0",
        "DELETE FROM consents",
        "UPDATE signatures SET strokes = '[]'",
        "UPDATE signatures SET strokes_sha256 = '0'",
        "DELETE FROM signatures",
    ],
)
def test_signed_records_and_signatures_cannot_be_changed_or_deleted(kiosk, register, template, consultant, sql):
    store_record(kiosk, a_consent(template, register().id, consultant))
    with pytest.raises(sqlite3.DatabaseError, match="cannot be changed"):
        with kiosk.store.write("test") as tx:
            tx.execute(sql)
            tx.audit("tamper", "consent", 1)
    assert kiosk.store.conn.execute("SELECT count(*) FROM signatures").fetchone()[0] == 2


def test_withdrawal_then_re_consent_supersede_in_a_chain(kiosk, register, template, consultant):
    patient = register()
    conn = kiosk.store.conn
    assert consent_rows.current_consent(conn, patient.id) is None
    first = store_record(kiosk, a_consent(template, patient.id, consultant))
    assert consent_rows.current_consent(conn, patient.id) == first
    withdrawal = store_record(kiosk, a_withdrawal(template, patient.id, consultant, first.id))
    assert withdrawal.kind is ConsentKind.WITHDRAWAL and withdrawal.patient_signature is None
    assert consent_rows.current_consent(conn, patient.id) is None
    assert consent_rows.latest_record(conn, patient.id) == withdrawal
    again = store_record(kiosk, a_consent(template, patient.id, consultant, at=T0 + timedelta(days=9),
                                          supersedes=withdrawal.id, photos=False))
    assert consent_rows.current_consent(conn, patient.id) == again
    assert [r.id for r in consent_rows.list_consents(conn, patient.id)] == [again.id, withdrawal.id, first.id]
    assert consent_rows.superseded_by(conn, patient.id) == {first.id: withdrawal.id, withdrawal.id: again.id}
    assert consent_rows.patients_with_current_consent(conn) == {patient.id}
    assert audit_actions(kiosk)[-3:] == ["consent.sign", "consent.withdraw", "consent.sign"]
    back = consent_rows.get_consent(conn, withdrawal.id)
    assert back.withdrawal_reason == "Changed her mind." and back.withdrawal_channel.value == "phone"


def test_a_second_consent_must_supersede_the_first(kiosk, register, template, consultant):
    patient = register()
    store_record(kiosk, a_consent(template, patient.id, consultant))
    with pytest.raises(consent_rows.ConsentChainError):
        store_record(kiosk, a_consent(template, patient.id, consultant))
    assert len(consent_rows.list_consents(kiosk.store.conn, patient.id)) == 1


def test_a_record_is_superseded_only_once_and_only_within_the_patient(kiosk, register, template, consultant):
    claire, marcus = register(), register("Marcus", "Whitfield", "1979-09-30")
    first = store_record(kiosk, a_consent(template, claire.id, consultant))
    store_record(kiosk, a_consent(template, claire.id, consultant, supersedes=first.id))
    with pytest.raises(consent_rows.ConsentChainError):  # a fork from an old record
        store_record(kiosk, a_withdrawal(template, claire.id, consultant, first.id))
    with pytest.raises(sqlite3.DatabaseError, match="same patient"):
        store_record(kiosk, a_consent(template, marcus.id, consultant, supersedes=first.id))


def test_a_withdrawal_can_only_withdraw_a_consent(kiosk, register, template, consultant):
    patient = register()
    first = store_record(kiosk, a_consent(template, patient.id, consultant))
    withdrawal = store_record(kiosk, a_withdrawal(template, patient.id, consultant, first.id))
    with pytest.raises(sqlite3.DatabaseError, match="withdrawal must supersede"):
        store_record(kiosk, a_withdrawal(template, patient.id, consultant, withdrawal.id))


def test_a_record_without_its_text_or_consultant_is_refused(kiosk, register, template, consultant):
    patient = register()
    record = a_consent(template, patient.id, consultant)
    with pytest.raises(sqlite3.DatabaseError, match="exact text"):
        store_record(kiosk, replace(record, text=""))
    with pytest.raises(sqlite3.DatabaseError, match="countersigning consultant"):
        store_record(kiosk, replace(record, countersignature=Countersignature(None, "x", T0)))  # type: ignore[arg-type]
    assert consent_rows.list_consents(kiosk.store.conn, patient.id) == []


def test_signature_rows_are_checked_on_insert(kiosk, register, template, consultant):
    stored = store_record(kiosk, a_consent(template, register().id, consultant))
    with pytest.raises(sqlite3.DatabaseError, match="only a consultant countersigns by PIN"):
        with kiosk.store.write("test") as tx:
            tx.execute("INSERT INTO signatures (consent_id, role, method, signer_name, strokes, strokes_sha256,"
                       " signed_at) VALUES (?, 'witness', 'pin', 'W', '{}', ?, ?)", (stored.id, "0" * 64, tx.at))
            tx.audit("x", "consent", stored.id)
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):  # one patient signature per record
        with kiosk.store.write("test") as tx:
            tx.execute("INSERT INTO signatures (consent_id, role, signer_name, strokes, strokes_sha256,"
                       " signed_at) VALUES (?, 'patient', 'X', '{\"a\":1}', ?, ?)", (stored.id, "0" * 64, tx.at))
            tx.audit("x", "consent", stored.id)


def test_nothing_is_half_written_when_the_transaction_fails(kiosk, register, template, consultant):
    patient = register()
    with pytest.raises(RuntimeError):
        with kiosk.store.write("test") as tx:
            consent_rows.insert_consent(tx, a_consent(template, patient.id, consultant))
            raise RuntimeError("power cut")
    conn = kiosk.store.conn
    assert conn.execute("SELECT count(*) FROM consents").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM signatures").fetchone()[0] == 0
