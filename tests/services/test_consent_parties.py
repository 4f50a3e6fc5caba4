"""Who signs a consent: a guardian under the clinic's minimum age (or no consent at all when the
clinic treats no minors), and an optional witness and interpreter; all stored with the consent,
audited, and unchangeable."""

from __future__ import annotations

import sqlite3

import pytest

from meso_kiosk.domain.consent_parties import AgeRule, PartyRole
from meso_kiosk.services.consent import ConsentFormError
from meso_kiosk.services.demo.signature import synthetic_signature
from meso_kiosk.store import audit
from meso_kiosk.store.consultants import insert_consultant
from tests.consultation import COUNTERSIGN_PIN

YOUNG = "2010-05-01"  # 16 on the fixed day (2026-11-22)


@pytest.fixture
def consultant(kiosk):
    with kiosk.store.write("test") as tx:
        account = insert_consultant(tx, "Dr Amira Haddad")
        kiosk.accounts.set_initial_pin(tx, account.id, COUNTERSIGN_PIN)
    return account.id


@pytest.fixture
def treats_minors(kiosk):
    kiosk.clinic.update({"minimum_age": "18", "treats_minors": True}, "test")


def party(role: str, name: str, **extra) -> dict:
    return {"role": role, "name": name, "signature": synthetic_signature(name).to_data()} | extra


GUARDIAN = party("guardian", "Anne Martin", relationship="Mother")


def sign(kiosk, consultant, patient_id, **extra):
    template = kiosk.consents.template_for("en")
    return kiosk.consents.sign(
        patient_id, language="en", version=template.version, shown_text_sha256=template.text_sha256,
        checklist={item.id: True for item in template.checklist}, photo_consent=False,
        signature=synthetic_signature("patient").to_data(), consultant_id=consultant,
        consultant_pin=COUNTERSIGN_PIN, **extra)


def test_a_minor_is_refused_before_the_hand_off_when_the_clinic_treats_no_minors(kiosk, register, consultant):
    young = register(born=YOUNG)
    who = kiosk.consents.who_signs(young.id)
    assert (who.rule, who.age, who.minimum_age) == (AgeRule.REFUSED, 16, 18)
    assert "16" in who.refusal and "from 18" in who.refusal
    with pytest.raises(ConsentFormError) as refused:
        sign(kiosk, consultant, young.id, parties=[GUARDIAN])
    assert "from 18" in refused.value.errors["age"]
    assert kiosk.consents.current(young.id) is None


def test_a_minor_with_a_guardian_signs_when_the_clinic_treats_minors(kiosk, register, consultant, treats_minors):
    young = register(born=YOUNG)
    assert kiosk.consents.who_signs(young.id).guardian_needed
    record = sign(kiosk, consultant, young.id, parties=[GUARDIAN])
    (guardian,) = kiosk.consents.parties(record.id)
    assert (guardian.role, guardian.name, guardian.relationship, guardian.patient_age) == (
        PartyRole.GUARDIAN, "Anne Martin", "Mother", 16)
    assert guardian.signature == synthetic_signature("Anne Martin")
    assert len(guardian.signature_sha256) == 64 and guardian.signed_at == record.signed_at
    assert kiosk.consents.consent_gate(young.id) is None or "cooling" in kiosk.consents.consent_gate(young.id)


def test_a_minor_needs_the_guardian_s_name_relationship_and_signature(kiosk, register, consultant, treats_minors):
    young = register(born=YOUNG)
    with pytest.raises(ConsentFormError) as no_guardian:
        sign(kiosk, consultant, young.id)
    assert "parent or guardian must sign" in no_guardian.value.errors["parties.guardian"]
    with pytest.raises(ConsentFormError) as incomplete:
        sign(kiosk, consultant, young.id, parties=[{"role": "guardian", "name": " ", "relationship": ""}])
    assert set(incomplete.value.errors) == {"parties.guardian.name", "parties.guardian.relationship",
                                            "parties.guardian.signature"}
    assert kiosk.consents.current(young.id) is None


def test_an_adult_signs_alone_and_a_guardian_is_refused(kiosk, register, consultant):
    adult = register()
    assert kiosk.consents.who_signs(adult.id).rule is AgeRule.ALONE
    with pytest.raises(ConsentFormError) as refused:
        sign(kiosk, consultant, adult.id, parties=[GUARDIAN])
    assert "old enough" in refused.value.errors["parties.guardian"]
    record = sign(kiosk, consultant, adult.id)
    assert kiosk.consents.parties(record.id) == ()


def test_a_witness_and_an_interpreter_are_optional_and_stored(kiosk, register, consultant):
    patient = register()
    record = sign(kiosk, consultant, patient.id, parties=[
        party("interpreter", "Chen  Wei", language="zh"), party("witness", "Sam O'Neil")])
    witness, interpreter = kiosk.consents.parties(record.id)
    assert (witness.role, witness.name) == (PartyRole.WITNESS, "Sam O'Neil")
    assert (interpreter.role, interpreter.name, interpreter.language) == (PartyRole.INTERPRETER, "Chen Wei", "zh")
    assert kiosk.consents.get(record.id).witness_name == "Sam O'Neil"  # as the consultant's witness field


@pytest.mark.parametrize(("bad", "field"), [
    (party("witness", "Robert'); DROP TABLE consents;--"), "parties.witness.name"),
    (party("witness", "Eve\u202eevil"), "parties.witness.name"),
    (party("witness", "x" * 101), "parties.witness.name"),
    (party("witness", "12345"), "parties.witness.name"),
    (party("interpreter", "Chen Wei", language="klingon"), "parties.interpreter.language"),
    (party("interpreter", "Chen Wei", language="../../etc"), "parties.interpreter.language"),
    (party("interpreter", "Chen Wei", language="xx"), "parties.interpreter.language"),
    (party("witness", "Sam", signature={"strokes": "nope"}), "parties.witness.signature"),
    (party("witness", "Sam", signature_png=b"GIF89a"), "parties.witness.signature_png"),
    ({"role": "notary", "name": "Sam"}, "parties"),
])
def test_hostile_parties_are_refused_in_words_and_nothing_is_stored(kiosk, register, consultant, bad, field):
    patient = register()
    with pytest.raises(ConsentFormError) as refused:
        sign(kiosk, consultant, patient.id, parties=[bad])
    assert field in refused.value.errors and refused.value.errors[field]
    assert kiosk.store.conn.execute("SELECT count(*) FROM consent_parties").fetchone()[0] == 0
    assert kiosk.consents.current(patient.id) is None


def test_one_of_each_role_at_most(kiosk, register, consultant):
    patient = register()
    with pytest.raises(ConsentFormError) as refused:
        sign(kiosk, consultant, patient.id, parties=[party("witness", "Sam"), party("witness", "Ann")])
    assert "Only one witness" in refused.value.errors["parties.witness"]


def test_the_database_refuses_to_change_delete_or_add_a_party_after_signing(kiosk, register, consultant,
                                                                           treats_minors):
    young = register(born=YOUNG)
    record = sign(kiosk, consultant, young.id, parties=[GUARDIAN, party("witness", "Sam")])
    conn = kiosk.store.conn
    for sql in ("UPDATE consent_parties SET name = 'Someone Else'", "DELETE FROM consent_parties",
                "UPDATE consent_parties SET relationship = 'Aunt' WHERE role = 'guardian'"):
        with pytest.raises(sqlite3.IntegrityError, match="a signature cannot be changed"):
            conn.execute(sql)
    with pytest.raises(sqlite3.IntegrityError, match="signs with the consent, not after it"):
        conn.execute("INSERT INTO consent_parties (consent_id, role, name, language, strokes, strokes_sha256,"
                     " signed_at) VALUES (?, 'interpreter', 'Late Comer', 'fr', '[1]', ?, 'x')",
                     (record.id, "0" * 64))
    assert len(kiosk.consents.parties(record.id)) == 2


def test_the_parties_are_audited_with_the_consent_and_verify(kiosk, register, consultant, treats_minors):
    young = register(born=YOUNG)
    record = sign(kiosk, consultant, young.id, parties=[GUARDIAN, party("interpreter", "Chen Wei", language="fr")])
    entries = kiosk.store.conn.execute(
        "SELECT action FROM audit_log WHERE entity = 'consent' AND entity_id = ?", (str(record.id),)).fetchall()
    assert entries == [("consent.sign",)]
    assert audit.unvouched_record(kiosk.store.conn, [("consent", record.id)]) is None
    report = audit.verify(kiosk.store.conn, kiosk.store._audit_key)
    assert report.ok, report.problem()


def test_a_consent_without_parties_keeps_the_content_it_had_before_the_table(kiosk, register, consultant):
    """Records signed before consent_parties existed still match their audit entries."""
    from meso_kiosk.store import record_content

    record = sign(kiosk, consultant, register().id)
    conn = kiosk.store.conn
    assert record_content.content_hash(conn, "consent", record.id) == \
        record_content.all_content_hashes(conn, "consent")[str(record.id)]
    old_parts = tuple(p for p in record_content.RECORDS["consent"] if not p.added)
    saved = record_content.RECORDS["consent"]
    try:
        record_content.RECORDS["consent"] = old_parts
        before = record_content.content_hash(conn, "consent", record.id)
    finally:
        record_content.RECORDS["consent"] = saved
    assert record_content.content_hash(conn, "consent", record.id) == before


def test_a_minor_s_withdrawal_can_be_signed_by_the_guardian(kiosk, register, consultant, treats_minors):
    young = register(born=YOUNG)
    sign(kiosk, consultant, young.id, parties=[GUARDIAN])
    withdrawal = kiosk.consents.withdraw(
        young.id, channel="in_person", consultant_id=consultant, consultant_pin=COUNTERSIGN_PIN,
        signature=synthetic_signature("patient").to_data(), parties=[GUARDIAN])
    (guardian,) = kiosk.consents.parties(withdrawal.id)
    assert guardian.name == "Anne Martin" and guardian.patient_age is None
