from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher

from meso_kiosk.domain.clock import Clock
from meso_kiosk.domain.consent import ConsentKind, RecordStatus
from meso_kiosk.domain.consent_template import SCREEN_KEYS, render_text, sha256_text
from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.pin import PinRejectedError
from meso_kiosk.services.accounts import AccountService
from meso_kiosk.services.consent import ConsentFormError, ConsentService, this_device_id
from meso_kiosk.services.demo.signature import synthetic_signature
from meso_kiosk.services.sessions import SessionService

T0 = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)
PIN = "739184"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class Now:
    def __init__(self):
        self.at = T0

    def __call__(self):
        return self.at


@pytest.fixture
def now():
    return Now()


@pytest.fixture
def accounts(kiosk, now):
    return AccountService(kiosk.store, Clock(tz=timezone.utc, now=now), hasher=CHEAP)


@pytest.fixture
def consents(kiosk, accounts, now):
    return ConsentService(kiosk.store, Clock(tz=timezone.utc, now=now), accounts, kiosk.clinic_data, device_id="tablet-7")


@pytest.fixture
def consultant(accounts):
    return accounts.create_first_admin("Sam Okafor", PIN)


@pytest.fixture
def patient(register):
    return register("Claire", "Dubois", "1986-04-12", preferred_language="fr")


def pad():
    return synthetic_signature("Claire Dubois").to_data()


def sign(consents, patient, consultant, language="en", **changes):
    template = consents.template_for(language)
    form = dict(
        language=language, version=template.version, shown_text_sha256=template.text_sha256,
        checklist={item.id: True for item in template.checklist}, photo_consent=True,
        signature=pad(), consultant_id=consultant.id, consultant_pin=PIN,
    ) | changes
    return consents.sign(patient.id, **form)


def count(kiosk, table):
    return kiosk.store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def actions(kiosk):
    return [row[0] for row in kiosk.store.conn.execute("SELECT action FROM audit_log ORDER BY id")]


# ------------------------------------------------------------------ templates


def test_every_shipped_template_loads_and_matches_the_side_effect_list(consents):
    languages = consents.languages()
    assert {(lang.code, lang.name) for lang in languages} == {("en", "English"), ("fr", "Français")}
    for lang in languages:
        template = consents.template_for(lang.code)
        assert template.version == lang.version
        assert all(template.label(key) for key in SCREEN_KEYS)


def test_languages_put_the_patients_own_first(consents, register):
    assert [lang.code for lang in consents.languages("fr")] == ["fr", "en"]
    assert [lang.code for lang in consents.languages("de")] == ["en", "fr"]
    assert consents.language_for(register(preferred_language="fr")) == "fr"
    assert consents.language_for(register("José", "García", "1991-01-05", preferred_language="es")) == "en"


def test_unknown_language_is_a_plain_error(consents):
    with pytest.raises(ValidationError) as caught:
        consents.template_for("xx")
    assert caught.value.field == "language"


def test_labels_fill_in_the_patient_name(consents):
    assert consents.template_for("fr").label("header", name="Claire Dubois") == \
        "Formulaire de consentement de Claire Dubois"


# ------------------------------------------------------------------ signing


def test_signing_stores_an_immutable_record_proving_the_text(kiosk, consents, patient, consultant):
    record = sign(consents, patient, consultant, "fr", question="Puis-je nager ?", witness_name="Léa Martin")
    template = consents.template_for("fr")
    assert record.id is not None and record.kind is ConsentKind.CONSENT
    assert record.text == render_text(template) and record.text_sha256 == sha256_text(record.text)
    assert (record.language, record.template_version) == ("fr", 2)
    assert record.meaning == "Je consens à une cure de mésothérapie du cuir chevelu."
    assert record.printed_name == "Claire Dubois" and record.signed_at == T0
    assert record.countersignature.consultant_name == "Sam Okafor" and record.countersignature.signed_at == T0
    assert record.device_id == "tablet-7" and record.witness_name == "Léa Martin"
    assert record.answers.question_for_consultant == "Puis-je nager ?"
    assert consents.current(patient.id) == record
    assert consents.verify(consents.get(record.id)) == []
    assert actions(kiosk)[-2:] == ["consultant.countersign", "consent.sign"]
    assert consents.consent_gate(patient.id) is None


def test_a_stored_record_whose_template_was_edited_is_flagged(consents, patient, consultant):
    record = sign(consents, patient, consultant)
    forged = replace(record, text=record.text.replace("thinning", "thin"))
    forged = replace(forged, text_sha256=sha256_text(forged.text))
    assert consents.verify(forged) == ["the template file no longer gives the text that was signed"]
    assert "the consent text does not match its SHA-256" in consents.verify(replace(record, text=record.text + "!"))


@pytest.mark.parametrize("missing", ["pain_pricking", "nausea", "patchy_hair_loss"])
def test_every_item_must_be_ticked_and_nothing_is_written_otherwise(kiosk, consents, patient, consultant, missing):
    template = consents.template_for("en")
    ticks = {item.id: True for item in template.checklist if item.id != missing}
    with pytest.raises(ConsentFormError) as caught:
        sign(consents, patient, consultant, checklist=ticks)
    assert list(caught.value.errors) == [f"checklist.{missing}"]
    assert count(kiosk, "consents") == 0
    # The PIN was not even asked for, so no PIN try was used up.
    assert kiosk.store.conn.execute("SELECT failed_pin_count FROM consultants").fetchone()[0] == 0
    assert "consultant.countersign" not in actions(kiosk)


@pytest.mark.parametrize("witness", ["x" * 201, "Léa\x00Martin"])
def test_a_bad_witness_name_is_refused_before_the_pin_is_tried(kiosk, consents, patient, consultant, witness):
    with pytest.raises(ConsentFormError) as caught:
        sign(consents, patient, consultant, witness_name=witness, consultant_pin="000000")
    assert list(caught.value.errors) == ["witness_name"]
    assert count(kiosk, "consents") == 0
    assert kiosk.store.conn.execute("SELECT failed_pin_count FROM consultants").fetchone()[0] == 0


def test_several_problems_are_reported_together(consents, patient, consultant):
    with pytest.raises(ConsentFormError) as caught:
        sign(consents, patient, consultant, photo_consent=None, reached_end=False,
             signature={"width": 600, "height": 200, "strokes": []}, shown_text_sha256="0" * 64)
    assert {"photo_consent", "reached_end", "signature", "text"} <= set(caught.value.errors)
    assert caught.value.signature_code == "empty"


@pytest.mark.parametrize(
    ("signature", "code"),
    [
        ({"width": 600, "height": 200, "strokes": []}, "empty"),
        ({"width": 600, "height": 200, "strokes": [[[10, 10, 0, 0.5], [12, 11, 8, 0.5]]]}, "too_small"),
        ({"width": 600, "height": 200, "strokes": [[[1, 1, 0]]] * 500}, "too_big"),
        ("garbage", "invalid"),
    ],
)
def test_bad_signatures_are_refused_with_a_code_for_the_screen(consents, patient, consultant, signature, code):
    with pytest.raises(ConsentFormError) as caught:
        sign(consents, patient, consultant, signature=signature)
    assert caught.value.signature_code == code and "signature" in caught.value.errors
    template = consents.template_for("en")
    if code != "invalid":
        assert template.label(f"signature_{code}")


def test_a_wrong_consultant_pin_refuses_and_counts(kiosk, consents, patient, consultant):
    with pytest.raises(PinRejectedError) as caught:
        sign(consents, patient, consultant, consultant_pin="902817")
    assert caught.value.field == "consultant_pin" and "Wrong PIN" in caught.value.errors["consultant_pin"]
    assert count(kiosk, "consents") == 0
    assert "consultant.pin_failed" in actions(kiosk)


def test_the_text_shown_must_be_the_text_signed(kiosk, consents, patient, consultant):
    english = consents.template_for("en")
    with pytest.raises(ConsentFormError) as caught:
        sign(consents, patient, consultant, "fr", shown_text_sha256=english.text_sha256)
    assert "text" in caught.value.errors and count(kiosk, "consents") == 0


def test_the_printed_name_must_be_the_patients(consents, patient, consultant):
    assert sign(consents, patient, consultant, printed_name="DUBOIS claire").printed_name == "DUBOIS claire"
    with pytest.raises(ConsentFormError) as caught:
        sign(consents, patient, consultant, printed_name="Marcus Whitfield")
    assert "printed_name" in caught.value.errors


def test_a_bad_png_is_refused_and_a_good_one_kept(consents, patient, consultant):
    with pytest.raises(ConsentFormError):
        sign(consents, patient, consultant, signature_png=b"GIF89a....")
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
    record = sign(consents, patient, consultant, signature_png=png)
    assert consents.get(record.id).patient_signature_png == png


def test_signing_again_supersedes_the_current_consent(consents, patient, consultant, now):
    first = sign(consents, patient, consultant)
    now.at += timedelta(days=30)
    second = sign(consents, patient, consultant, "fr", photo_consent=False)
    assert second.supersedes_id == first.id and consents.current(patient.id) == second
    statuses = [(e.record.id, e.status) for e in consents.history(patient.id)]
    assert statuses == [(second.id, RecordStatus.CURRENT), (first.id, RecordStatus.SUPERSEDED)]


# ------------------------------------------------------------------ withdrawal and the gate


def test_withdraw_then_re_consent_and_the_gate_follows(kiosk, consents, patient, consultant, now):
    gate = consents.consent_gate(patient.id)
    assert gate and "No signed consent" in gate
    first = sign(consents, patient, consultant, "fr")
    assert consents.consent_gate(patient.id) is None
    now.at += timedelta(days=5)
    withdrawal = consents.withdraw(patient.id, channel="phone", consultant_id=consultant.id,
                                   consultant_pin=PIN, reason="Veut réfléchir.")
    assert withdrawal.kind is ConsentKind.WITHDRAWAL and withdrawal.supersedes_id == first.id
    assert withdrawal.language == "fr" and withdrawal.patient_signature is None
    assert consents.current(patient.id) is None
    gate = consents.consent_gate(patient.id)
    assert gate and "withdrew" in gate and "27 Nov 2026" in gate
    assert consents.verify(consents.get(withdrawal.id)) == []
    now.at += timedelta(days=5)
    again = sign(consents, patient, consultant)
    assert again.supersedes_id == withdrawal.id and consents.consent_gate(patient.id) is None
    assert [e.status for e in consents.history(patient.id)] == [
        RecordStatus.CURRENT, RecordStatus.WITHDRAWAL_ENDED, RecordStatus.WITHDRAWN]
    assert actions(kiosk).count("consent.withdraw") == 1


def test_withdrawal_needs_a_consent_and_in_person_a_signature(consents, patient, consultant):
    with pytest.raises(ValidationError, match="no consent in force"):
        consents.withdraw(patient.id, channel="phone", consultant_id=consultant.id, consultant_pin=PIN)
    sign(consents, patient, consultant)
    with pytest.raises(ValidationError):
        consents.withdraw(patient.id, channel="in_person", consultant_id=consultant.id, consultant_pin=PIN)
    with pytest.raises(ValidationError, match="channel"):
        consents.withdraw(patient.id, channel="carrier pigeon", consultant_id=consultant.id, consultant_pin=PIN)
    record = consents.withdraw(patient.id, channel="in_person", consultant_id=consultant.id, consultant_pin=PIN,
                               signature=pad())
    assert record.patient_signature is not None


def test_the_gate_plugs_into_the_session_service(kiosk, consents, patient, consultant):
    sessions = SessionService(kiosk.store, kiosk.clock, consents.consent_gate, kiosk.clinic_data)
    assert "No signed consent" in sessions.consent_refusal(patient.id)
    sign(consents, patient, consultant)
    assert sessions.consent_refusal(patient.id) is None


# ------------------------------------------------------------------ hand-off identity


def test_identity_check_audits_a_mismatch_without_keeping_what_was_typed(kiosk, consents, patient):
    assert consents.check_identity(patient.id, "claire DUBOIS", "12/04/1986")
    assert "handoff.identity_mismatch" not in actions(kiosk)
    assert not consents.check_identity(patient.id, "Claire Dubois", "1986-04-21")
    assert actions(kiosk)[-1] == "handoff.identity_mismatch"
    audit_text = " ".join(str(v) for row in kiosk.store.conn.execute("SELECT * FROM audit_log") for v in row)
    assert "1986-04-21" not in audit_text


def test_device_id_comes_from_the_environment_or_the_host(monkeypatch):
    monkeypatch.setenv("MESO_KIOSK_DEVICE_ID", "Reception tablet\x07 2")
    assert this_device_id() == "Reception tablet 2"
    monkeypatch.delenv("MESO_KIOSK_DEVICE_ID")
    assert this_device_id()


def test_the_kiosk_has_the_consent_service(kiosk, patient):
    assert kiosk.consents.current(patient.id) is None
    assert kiosk.consents.consent_gate(patient.id)


def test_demo_consents_are_signed_verified_and_one_was_withdrawn(kiosk):
    from meso_kiosk.services.demo.seed import seed_demo

    assert seed_demo(kiosk).seeded
    signed = {p.display_name: kiosk.consents.history(p.id) for p in kiosk.patients.recent(100)}
    assert len(signed["Claire Dubois"]) == 1 and signed["Claire Dubois"][0].record.language == "fr"
    assert [e.status for e in signed["Siobhán O'Brien"]] == [
        RecordStatus.CURRENT, RecordStatus.WITHDRAWAL_ENDED, RecordStatus.WITHDRAWN]
    assert signed["Jürgen Schäfer-Lindqvist"] == []  # course starts today: not signed yet
    for history in signed.values():
        for entry in history:
            assert kiosk.consents.verify(entry.record) == []
    # Demo PINs work (the lead documents them: 482619 admin, 739154 consultant).
    admin, other = kiosk.accounts.accounts()
    fast = AccountService(kiosk.store, kiosk.clock, hasher=CHEAP)
    assert fast.verify_pin(admin.id, "482619").ok and fast.verify_pin(other.id, "739154").ok
