"""The exported PDF prints who signed beside the patient: the guardian (name, relationship, their
drawn signature, when), the patient's signature as assent, the witness and the interpreter."""

from __future__ import annotations

from meso_kiosk.services.demo.signature import synthetic_signature
from tests.pdf_tools import extracted_text
from tests.services.test_consent_parties import GUARDIAN, consultant, party, sign  # noqa: F401 (fixture)


def _squashed(text: str) -> str:
    return " ".join(text.split())


def _export(kiosk, patient_id: int) -> tuple[str, bytes]:
    data = kiosk.export.export_pdf(patient_id, "test").path.read_bytes()
    return _squashed(extracted_text(data)), data


def test_the_guardian_witness_and_interpreter_are_printed(kiosk, register, consultant, tmp_path):  # noqa: F811
    kiosk.clinic.update({"minimum_age": "18", "treats_minors": True}, "test")
    young = register("Léa", "Martin", "2010-05-01")
    sign(kiosk, consultant, young.id, parties=[
        GUARDIAN, party("witness", "Sam O'Neil"), party("interpreter", "Chen Wei", language="zh")])
    text, data = _export(kiosk, young.id)
    assert "Anne Martin (Parent or guardian, Mother)" in text
    assert ("I am the parent or guardian of Léa Martin (Mother) and I give my consent to this treatment." in text)
    assert "Signed by the patient as assent (aged 16); consent given by their guardian." in text
    assert "Sam O'Neil (Witness)" in text and "I saw the patient sign this consent." in text
    assert "Chen Wei (Interpreter)" in text and "into Chinese (zh)" in text
    # the order: patient, guardian, witness, interpreter, consultant
    order = [text.index(words) for words in ("Léa Martin (Patient)", "Anne Martin (", "Sam O'Neil (", "Chen Wei (",
                                             "(Consultant)")]
    assert order == sorted(order)
    # each party's strokes hash, as stored
    (guardian, *_) = kiosk.consents.parties(kiosk.consents.current(young.id).id)
    assert guardian.signature_sha256 in text.replace(" ", "")
    (tmp_path / "parties.pdf").write_bytes(data)


def test_a_french_patient_s_pdf_names_the_parties_in_french(kiosk, register, consultant):  # noqa: F811
    kiosk.clinic.update({"minimum_age": "18", "treats_minors": True}, "test")
    young = register("Léa", "Martin", "2010-05-01", preferred_language="fr")
    sign(kiosk, consultant, young.id, parties=[GUARDIAN, party("witness", "Sam O'Neil")])
    text, _ = _export(kiosk, young.id)
    assert "Anne Martin (Parent ou tuteur, Mother)" in text
    assert "consentement est donné par son parent ou tuteur" in text
    assert "Sam O'Neil (Témoin)" in text


def test_an_adult_s_pdf_has_no_party_blocks(kiosk, register, consultant):  # noqa: F811
    patient = register()
    sign(kiosk, consultant, patient.id)
    text, _ = _export(kiosk, patient.id)
    assert "assent" not in text and "Parent or guardian" not in text and "(Witness)" not in text


def test_a_guardian_signed_withdrawal_is_printed(kiosk, register, consultant):  # noqa: F811
    kiosk.clinic.update({"minimum_age": "18", "treats_minors": True}, "test")
    young = register("Léa", "Martin", "2010-05-01")
    sign(kiosk, consultant, young.id, parties=[GUARDIAN])
    from tests.conftest import COUNTERSIGN_PIN

    kiosk.consents.withdraw(young.id, channel="in_person", consultant_id=consultant, consultant_pin=COUNTERSIGN_PIN,
                            signature=synthetic_signature("patient").to_data(), parties=[GUARDIAN])
    text, _ = _export(kiosk, young.id)
    assert text.count("Anne Martin (Parent or guardian, Mother)") == 2  # the consent's and the withdrawal's
