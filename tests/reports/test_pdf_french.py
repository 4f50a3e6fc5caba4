"""The summary PDF in the patient's language, and the whole text they signed in it."""

from __future__ import annotations

import io
import os
import re
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from meso_kiosk.domain.summary import ConsentSection
from meso_kiosk.reports.summary_pdf import render_summary
from tests.conftest import COUNTERSIGN_PIN
from tests.pdf_tools import extracted_text, page_texts

from .conftest import body_text, full_sections, make_summary, pdf_words

FRENCH_HEADINGS = ("Synthèse de consultation", "Date de naissance", "Questionnaire", "Zones traitées",
                   "Séances de traitement", "Votre traitement", "Consentement", "Signatures")
ENGLISH_HEADINGS = ("Consultation summary", "Date of birth", "Intake", "Treated zones", "Treatment sessions",
                    "Your course", "Consent", "Signatures")


def _flat(pdf: bytes) -> str:
    return " ".join(extracted_text(pdf).split())


def test_french_words_for_a_french_patient_english_for_an_english_one(fonts):
    french = _flat(render_summary(make_summary(words=pdf_words("fr"), **full_sections()), fonts))
    english = _flat(render_summary(make_summary(words=pdf_words("en"), **full_sections()), fonts))
    for heading in FRENCH_HEADINGS:
        assert heading in french
    for heading in ENGLISH_HEADINGS:
        assert heading in english
    assert "12 avr. 1986 (40 ans)" in french and "12 Apr 1986 (age 40)" in english
    assert re.search(r"Page 1 sur \d", french) and not re.search(r"Page \d of \d", french)
    assert "né(e) le 12 avr. 1986" in french
    for english_only in ("Date of birth", "Your course", "What to expect", "Patient's answer", "Made ", "Page 1 of"):
        assert english_only not in french


def _consent_with(text: str, withdrawal: str = "") -> ConsentSection:
    return ConsentSection("Français (fr)", "1", "ab" * 32, "En vigueur", signed_text=text, withdrawal_text=withdrawal)


def test_a_short_signed_text_is_printed_whole_in_the_consent_section(fonts):
    text = "Consentement\n\nLigne une, <b>telle quelle</b> & sans balises.\n- un point\n- un autre\n\nJe consens.\n"
    pdf = render_summary(make_summary(words=pdf_words("fr"), consent=_consent_with(text)), fonts)
    pages = page_texts(pdf)
    assert len(pages) == 1 and "Annexe" not in pages[0]
    flat = " ".join(pages[0].split())
    assert "Le texte signé par le patient" in flat
    assert "Ligne une, <b>telle quelle</b> & sans balises. - un point - un autre" in flat


def test_a_long_signed_text_goes_whole_to_an_appendix_at_the_end(fonts):
    lines = [f"Paragraphe {n} : une phrase du texte signé, mot pour mot, sans rien en retirer." for n in range(1, 90)]
    text = "\n\n".join(lines) + "\n"
    withdrawal = "Retrait du consentement\n\nJe retire mon consentement.\n"
    pdf = render_summary(make_summary(words=pdf_words("fr"), consent=_consent_with(text, withdrawal),
                                      **{k: v for k, v in full_sections().items() if k != "consent"}), fonts)
    flat = body_text(pdf)
    start = flat.index("Annexe : le texte signé par le patient")  # after the signatures, on their page if it fits
    assert start > flat.index("Signatures") > flat.index("figure à la fin de ce document, en annexe")
    appendix = flat[start:]
    for line in lines + ["Je retire mon consentement."]:
        assert line in appendix
    assert appendix.index("Paragraphe 89") < appendix.index("Le retrait signé par le patient")


def test_the_whole_french_consent_a_patient_signed_is_in_their_pdf(kiosk, register):
    """End to end: a French patient signs the French consent; the PDF holds every line of the
    stored text, the words around it are French, and its milestones too."""
    from meso_kiosk.services.demo.signature import synthetic_signature
    from meso_kiosk.store.consultants import insert_consultant
    from tests.course_helpers import add_closed_session

    claire = register("Claire", "Dubois", "1986-04-12", preferred_language="fr")
    with kiosk.store.write("test") as tx:
        consultant = insert_consultant(tx, "Dr Amélie Laurent").id
        kiosk.accounts.set_initial_pin(tx, consultant, COUNTERSIGN_PIN)
    template = kiosk.consents.template_for("fr", patient_id=claire.id)
    record = kiosk.consents.sign(
        claire.id, language="fr", version=template.version, shown_text_sha256=template.text_sha256,
        checklist={item.id: True for item in template.checklist}, photo_consent=True,
        signature=synthetic_signature("Claire").to_data(), consultant_id=consultant, consultant_pin=COUNTERSIGN_PIN)
    kiosk.course.start_course(claire.id, start="2026-11-04", protocol_id="severe", reason="Vu ce jour.",
                              actor="consultant:test")
    add_closed_session(kiosk, claire.id, date(2026, 11, 4))
    kiosk.clinic.update({"currency": "EUR", "prices": {"severe": "120"}}, "test")
    summary = kiosk.export.build_summary(claire.id)
    pdf = kiosk.export.render(summary)
    keep = os.environ.get("MESO_KIOSK_SHOTS")
    if keep:  # for a person to look at
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / "summary_fr.pdf").write_bytes(pdf)
    flat = body_text(pdf)  # a paragraph running on to the next page reads whole
    for line in record.text.split("\n"):
        if line.strip():
            assert " ".join(line.split()) in flat, line
    for words in ("Votre traitement", "En vigueur : signé le", "Lu et coché", "Réponse Oui", "Praticien",
                  "Faite", "Prévue", kiosk.course.protocol("severe").milestones[0].text_in("fr")):
        assert words in flat, words
    assert "Shedding usually slows" not in flat
    assert "120,00 EUR par séance · 1 440,00 EUR pour les 12 séances de ce traitement" in flat  # spaces: _flat
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2


def test_an_unsigned_french_patient_is_told_in_french_and_the_consultant_in_english(kiosk, register):
    from meso_kiosk.domain.summary import readiness

    claire = register("Claire", "Dubois", "1986-04-12", preferred_language="fr")
    summary = kiosk.export.build_summary(claire.id)
    flat = _flat(kiosk.export.render(summary))
    assert "Consentement NON signé" in flat and "Non signé : aucun consentement en vigueur." in flat
    assert "NON SIGNÉ" in flat and "Non contresigné." in flat and "NOT signed" not in flat
    consent = next(item for item in readiness(summary) if item.name == "Consent")
    assert consent.text.startswith("The patient has not signed a consent")  # the consultant's step: English


def test_an_english_patient_gets_the_price_as_before(kiosk, register):
    patient = register()
    kiosk.course.start_course(patient.id, start="2026-11-04", protocol_id="moderate", reason="As seen.",
                              actor="consultant:test")
    kiosk.clinic.update({"currency": "EUR", "prices": {"moderate": "1095"}}, "test")
    price = kiosk.export.build_summary(patient.id).course.price
    assert price == "1,095.00\u00a0EUR per session · 8,760.00\u00a0EUR for the 8 sessions of this course"


def test_number_marks_are_one_sign_each(tmp_path):
    import shutil

    from meso_kiosk.resources import resources_root
    from meso_kiosk.services.clinic_data import ClinicData

    root = tmp_path / "resources"
    shutil.copytree(resources_root(), root)
    path = root / "pdf" / "fr.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('decimal_mark = ","', 'decimal_mark = ",,"'),
                    encoding="utf-8")
    assert [line for line in ClinicData(root).check_all() if line.startswith("pdf/")] == [
        'pdf/fr.toml: decimal_mark: must be one sign, e.g. "," or "\\u00A0" (a space that never breaks).']
