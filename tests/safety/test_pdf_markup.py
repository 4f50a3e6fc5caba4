"""Text typed at the kiosk is printed literally in the PDF: no ReportLab markup injection.

ReportLab's Paragraph reads ``<b>``, ``<font>``, ``&amp;``... as markup: a consultant name,
a product, a patient's question or a medication list holding ``<`` or ``&`` must come
out in the PDF exactly as typed (and never break the export).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from meso_kiosk.services.demo.signature import synthetic_signature
from meso_kiosk.store.consultants import insert_consultant
from tests.conftest import COUNTERSIGN_PIN, FIXED_NOW
from tests.consultation import CLEAR_INTAKE, complete_intake, signed_earlier
from tests.pdf_tools import extracted_text

CONSULTANT = "Dr <i>Markup</i> & Co"
PRODUCT = "Peptide <font size=40> & <b>co</b>"
QUESTION = "Is <para> & &amp; ok? <br/>"
MEDICATIONS = "Minoxidil <5%> & <b>biotin</b> &lt;"
NOTES = "Calm <br/> & <strike>no</strike> bleeding"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def exported_text(kiosk, register):
    patient = register(email="<b>x</b>&amp;@example.com")
    with kiosk.store.write("test") as tx:
        consultant = insert_consultant(tx, CONSULTANT)
        kiosk.accounts.set_initial_pin(tx, consultant.id, COUNTERSIGN_PIN)
    complete_intake(kiosk, patient.id, answers=CLEAR_INTAKE | {"medical.medications": MEDICATIONS})
    template = kiosk.consents.template_for("en")
    with signed_earlier(kiosk):  # past the clinic's time to think before the session below
        kiosk.consents.sign(
            patient.id, language="en", version=template.version, shown_text_sha256=template.text_sha256,
            checklist={item.id: True for item in template.checklist}, photo_consent=False,
            signature=synthetic_signature("m").to_data(), consultant_id=consultant.id,
            consultant_pin=COUNTERSIGN_PIN, question=QUESTION)
    draft = kiosk.sessions.start(patient.id, "test")
    kiosk.sessions.close(patient.id, {
        "session_id": draft.session_id, "started_at": FIXED_NOW - timedelta(minutes=40),
        "consultant_id": str(consultant.id), "technique": "chemical_syringe", "numbing": "none",
        "zones": {"vertex": {"injections": 20, "depth_mm": 2.5, "volume_ml": 1.5}},
        "products": [{"name": PRODUCT, "lot": "PX-1", "expiry": "2027-03"}], "duration_min": 30, "notes": NOTES,
    }, "test")
    exported = kiosk.export.export_pdf(patient.id, "test")
    return _squash(extracted_text(exported.path.read_bytes()))


def test_markup_characters_are_printed_as_typed(exported_text):
    for typed in (CONSULTANT, PRODUCT, QUESTION):
        assert _squash(typed) in exported_text, f"{typed!r} was not printed as typed"
    # Fields the summary may or may not print: wherever they appear, they appear whole.
    for typed, word in [(MEDICATIONS, "biotin"),  # (the consent itself names minoxidil)
                        (NOTES, "bleeding"), (CONSULTANT, "Markup"),
                        (PRODUCT, "Peptide"), (QUESTION, "ok?")]:
        if _squash(word) in exported_text.replace(_squash(typed), ""):
            raise AssertionError(f"part of {typed!r} was printed without the rest (markup read as markup?)")
