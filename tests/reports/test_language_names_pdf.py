"""A language is named in the PDF's own language: a French patient's PDF says the interpreter
translated "en chinois (zh)" and the patient prefers "français (fr)"; an English PDF says
"Chinese (zh)" and "French (fr)". The photo answer follows French typography ("Oui : …")."""

from __future__ import annotations

from meso_kiosk.services.demo.signature import synthetic_signature
from tests.conftest import COUNTERSIGN_PIN
from tests.pdf_tools import extracted_text
from tests.services.test_consent_parties import consultant, party  # noqa: F401 (fixture)

INTERPRETER = party("interpreter", "Chen Wei", language="zh")


def _sign(kiosk, consultant_id, patient_id, language):  # noqa: F811
    template = kiosk.consents.template_for(language, patient_id=patient_id)
    return kiosk.consents.sign(
        patient_id, language=language, version=template.version, shown_text_sha256=template.text_sha256,
        checklist={item.id: True for item in template.checklist}, photo_consent=True,
        signature=synthetic_signature("patient").to_data(), consultant_id=consultant_id,
        consultant_pin=COUNTERSIGN_PIN, parties=[INTERPRETER])


def _text(kiosk, patient_id) -> str:
    data = kiosk.export.export_pdf(patient_id, "test").path.read_bytes()
    return " ".join(extracted_text(data).split())


def test_a_french_pdf_names_languages_in_french(kiosk, register, consultant):  # noqa: F811
    patient = register("Claire", "Dubois", preferred_language="fr")
    _sign(kiosk, consultant, patient.id, "fr")
    text = _text(kiosk, patient.id)
    assert "Langue préférée français (fr)" in text
    assert "en chinois (zh)" in text
    assert "Chinese" not in text and "French (fr)" not in text
    assert "Oui : " in text and "Oui: " not in text


def test_an_english_pdf_names_languages_in_english(kiosk, register, consultant):  # noqa: F811
    patient = register("Claire", "Dubois", preferred_language="en")
    _sign(kiosk, consultant, patient.id, "en")
    text = _text(kiosk, patient.id)
    assert "Preferred language English (en)" in text
    assert "into Chinese (zh)" in text and "chinois" not in text
    assert "Yes: " in text


def test_a_regional_or_unlisted_preferred_language_still_prints(kiosk, register):
    canadian = register("Claire", "Dubois", preferred_language="fr-CA")
    assert "Langue préférée français (fr-CA)" in _text(kiosk, canadian.id)
