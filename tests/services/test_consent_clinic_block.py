"""The consent's clinic block: the price and who gives the treatment, in the patient's language,
shown with the consent and signed with it (issue 21, point 2).

Through the kiosk's own services: settings by ClinicService, credentials by the accounts
service, the course by the course service, the consent by ConsentService as the hand-off does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from meso_kiosk.domain.consent_template import BlockKind, render_text, sha256_text, text_blocks
from meso_kiosk.services.clinic_data import ClinicData, ClinicDataError
from meso_kiosk.services.consent import ConsentFormError
from meso_kiosk.services.demo.signature import synthetic_signature
from tests.consultation import COUNTERSIGN_PIN

EN_PRICE = "Each session costs 95.00\u00a0EUR. The 8 sessions planned cost about 760.00\u00a0EUR in total."
EN_WHO = "Your treatment is given by Dr Amélie Laurent, Dermatologist, registration RPPS 10001234567."
FR_PRICE = ("Chaque séance coûte 150,00\u00a0EUR. Les 8 séances prévues coûtent environ 1\u00a0200,00\u00a0EUR "
            "au total.")
FR_WHO = ("Votre traitement est réalisé par Dr Amélie Laurent, Dermatologist, "
          "numéro d'inscription RPPS 10001234567.")


@pytest.fixture
def doctor(kiosk):
    return kiosk.accounts.create_first_admin("Dr Amélie Laurent", COUNTERSIGN_PIN)


@pytest.fixture
def patient(register):
    return register("Claire", "Dubois")


def price(kiosk, amount: str = "95", protocol: str = "moderate") -> None:
    kiosk.clinic.update({"currency": "EUR", "prices": {protocol: amount}}, "test")


def credentials(kiosk, doctor, profession="Dermatologist", registration="RPPS 10001234567") -> None:
    kiosk.accounts.set_credentials(doctor.id, COUNTERSIGN_PIN, doctor.id, profession, registration)


def start_course(kiosk, patient, protocol: str = "moderate") -> None:
    kiosk.course.start_course(patient.id, start=kiosk.clock.today().isoformat(), protocol_id=protocol,
                              reason="Agreed with the patient after the consultation.", actor="test")


def sign(kiosk, patient, doctor, template, *, treated_by=None):
    return kiosk.consents.sign(
        patient.id, language=template.language, version=template.version, shown_text_sha256=template.text_sha256,
        checklist={item.id: True for item in template.checklist}, photo_consent=False,
        signature=synthetic_signature(str(patient.id)).to_data(), consultant_id=doctor.id,
        consultant_pin=COUNTERSIGN_PIN, treated_by=treated_by)


def clinic_block(template) -> list[str]:
    return [block.text for block in text_blocks(template) if block.section_id == "clinic"]


def test_the_block_is_shown_signed_and_stored_exactly_in_english(kiosk, patient, doctor):
    price(kiosk)
    credentials(kiosk, doctor)
    start_course(kiosk, patient)
    shown = kiosk.consents.template_for("en", patient_id=patient.id, treated_by=doctor.id)
    assert clinic_block(shown) == ["What it costs, and who treats you", EN_PRICE, EN_WHO]
    # it follows the course section, before the side effects
    headings = [block.text for block in text_blocks(shown) if block.kind is BlockKind.HEADING]
    assert headings[2:5] == ["What a course looks like", "What it costs, and who treats you",
                             "Possible side effects"]
    record = sign(kiosk, patient, doctor, shown, treated_by=doctor.id)
    assert record.text == render_text(shown)
    assert record.text_sha256 == sha256_text(record.text) == shown.text_sha256
    stored = kiosk.consents.get(record.id)
    assert stored.text == record.text and EN_PRICE in stored.text and EN_WHO in stored.text
    assert kiosk.consents.verify(stored) == []


def test_the_block_is_in_natural_french_with_french_amounts(kiosk, register, doctor):
    patient = register("Amélie", "Rousseau", preferred_language="fr")
    price(kiosk, "150")
    credentials(kiosk, doctor)
    start_course(kiosk, patient)
    shown = kiosk.consents.template_for("fr", patient_id=patient.id, treated_by=doctor.id)
    assert clinic_block(shown) == ["Le coût, et qui vous soigne", FR_PRICE, FR_WHO]
    record = sign(kiosk, patient, doctor, shown, treated_by=doctor.id)
    assert FR_PRICE in record.text and record.language == "fr"
    assert kiosk.consents.verify(kiosk.consents.get(record.id)) == []


def test_nothing_set_means_no_block_and_the_plain_text(kiosk, patient, doctor):
    start_course(kiosk, patient)
    plain = kiosk.consents.template_for("en")
    shown = kiosk.consents.template_for("en", patient_id=patient.id, treated_by=doctor.id)
    assert clinic_block(shown) == []
    # no price, no credentials: no block; version 2 still gives a first consent its time to think
    assert [b.text for b in text_blocks(shown) if b not in text_blocks(plain)] == [
        "You do not have to decide today. We will wait at least 24 hours before your first session, so you have "
        "time to think."]
    record = sign(kiosk, patient, doctor, shown, treated_by=doctor.id)
    assert "What it costs" not in record.text and "EUR" not in record.text and "0.00" not in record.text


@pytest.mark.parametrize(("profession", "registration", "sentence"), [
    ("Dermatologist", None, "Your treatment is given by Dr Amélie Laurent, Dermatologist."),
    (None, "RPPS 10001234567", "Your treatment is given by Dr Amélie Laurent, registration RPPS 10001234567."),
])
def test_only_what_is_recorded_is_said(kiosk, patient, doctor, profession, registration, sentence):
    credentials(kiosk, doctor, profession, registration)
    price(kiosk)  # a price, but no course yet: no protocol, so no price
    shown = kiosk.consents.template_for("en", patient_id=patient.id, treated_by=doctor.id)
    assert clinic_block(shown) == ["What it costs, and who treats you", sentence]


def test_a_price_for_another_protocol_or_a_one_session_course_says_no_more_than_it_knows(kiosk, patient, doctor):
    price(kiosk, "95", protocol="severe")
    start_course(kiosk, patient)  # moderate: no price for it
    assert clinic_block(kiosk.consents.template_for("en", patient_id=patient.id)) == []
    price(kiosk, "95", protocol="moderate")
    assert clinic_block(kiosk.consents.template_for("en", patient_id=patient.id)) == [
        "What it costs, and who treats you", EN_PRICE]


def test_earlier_consents_read_back_and_verify_unchanged(kiosk, patient, doctor):
    plain = kiosk.consents.template_for("en")
    first = sign(kiosk, patient, doctor, plain)
    first_text = kiosk.consents.get(first.id).text
    assert first_text == render_text(plain)
    price(kiosk)
    credentials(kiosk, doctor)
    start_course(kiosk, patient)
    shown = kiosk.consents.template_for("en", patient_id=patient.id, treated_by=doctor.id)
    second = sign(kiosk, patient, doctor, shown, treated_by=doctor.id)
    again = kiosk.consents.get(first.id)
    assert again.text == first_text and again.text_sha256 == first.text_sha256
    assert kiosk.consents.verify(again) == [] and kiosk.consents.verify(kiosk.consents.get(second.id)) == []
    assert [entry.record.id for entry in kiosk.consents.history(patient.id)] == [second.id, first.id]


def test_a_price_changed_while_the_patient_reads_asks_to_show_the_text_again(kiosk, patient, doctor):
    price(kiosk)
    start_course(kiosk, patient)
    shown = kiosk.consents.template_for("en", patient_id=patient.id, treated_by=doctor.id)
    price(kiosk, "99")
    with pytest.raises(ConsentFormError) as refused:
        sign(kiosk, patient, doctor, shown, treated_by=doctor.id)
    assert "changed while it was on screen" in refused.value.errors["text"]
    assert kiosk.consents.current(patient.id) is None


@pytest.mark.parametrize("profession", ["طبيب جلدية {price} {name}", "皮肤科医生 😀", "'; DROP TABLE consents; --"])
def test_hostile_credentials_are_said_as_typed_and_verify(kiosk, patient, doctor, profession):
    credentials(kiosk, doctor, profession, "N° {registration} 🩺")
    shown = kiosk.consents.template_for("en", patient_id=patient.id, treated_by=doctor.id)
    sentence = clinic_block(shown)[1]
    assert sentence == f"Your treatment is given by Dr Amélie Laurent, {profession}, registration N° {{registration}} 🩺."
    record = sign(kiosk, patient, doctor, shown, treated_by=doctor.id)
    assert kiosk.consents.verify(kiosk.consents.get(record.id)) == []


def test_a_block_edited_behind_the_app_no_longer_verifies(kiosk, patient, doctor):
    from dataclasses import replace

    credentials(kiosk, doctor)
    shown = kiosk.consents.template_for("en", patient_id=patient.id, treated_by=doctor.id)
    record = kiosk.consents.get(sign(kiosk, patient, doctor, shown, treated_by=doctor.id).id)
    edited = record.text.replace("Your treatment is given by", "Your treatment may be given by")
    problems = kiosk.consents.verify(replace(record, text=edited, text_sha256=sha256_text(edited)))
    assert problems == ["the template file no longer gives the text that was signed"]


@pytest.mark.parametrize(("change", "key"), [
    ('price = "Each session costs {price}."', "clinic.price"),
    ('course_total = "The {sessions} sessions planned cost about {total} in total."', "clinic.course_total"),
    ('decimal_mark = "."', "clinic.decimal_mark"),
])
def test_a_clinic_sentence_without_its_placeholder_is_named_at_start_up(tmp_path: Path, change, key):
    from meso_kiosk.resources import resource_path

    copy = tmp_path / "resources"
    shutil.copytree(resource_path("."), copy)
    template = copy / "consent" / "en" / "v1.toml"
    broken = change.replace("{price}", "").replace("{total}", "{totl}").replace('"."', '"ab"')
    template.write_text(template.read_text(encoding="utf-8").replace(change, broken), encoding="utf-8")
    problems = ClinicData(root=copy).check_all()
    assert any(problem.startswith(f"consent/en/v1.toml: {key}: ") for problem in problems), problems
    with pytest.raises(ClinicDataError) as raised:
        ClinicData(root=copy).consent_template("en", 1)
    assert raised.value.key == key
