"""The clinic's identity, its price and who treats, in the exported PDF (issue 21, points 1 and 2).

Exports through the kiosk as the app does: the settings go in through ClinicService, the
credentials through the accounts service, the PDF comes back sealed and is read with pypdf.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.consultation import COUNTERSIGN_PIN, record_consultation
from tests.pdf_tools import extracted_text, needs_pdftoppm, page_texts, poppler_text, to_pngs

ADDRESS = "12 rue des Lilas\nBâtiment B, 3e étage\n75011 Paris\nFrance"
PRICE_LINE = "95.00 EUR per session · 760.00 EUR for the 8 sessions of this course"


def logo_png(width: int = 400, height: int = 160) -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (width, height), "#1D5FA8")
    ImageDraw.Draw(picture).ellipse((10, 10, height - 10, height - 10), fill="white")
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def admin(kiosk):
    """The clinic's first administrator, who also treats and countersigns (the consultation helper
    takes the first consultant)."""
    return kiosk.accounts.create_first_admin("Dr Amélie Laurent", COUNTERSIGN_PIN)


def set_identity(kiosk, admin, **changes) -> None:
    settings = {"name": "Clinique du Parc", "address": ADDRESS, "phone": "+33 1 43 55 20 10",
                "email": "accueil@clinique-du-parc.fr", "currency": "EUR", "prices": {"moderate": "95"}}
    kiosk.clinic.update(settings | changes, "test")
    kiosk.clinic.set_logo(logo_png(), "test")
    kiosk.accounts.set_credentials(admin.id, COUNTERSIGN_PIN, admin.id, "Dermatologist", "RPPS 10001234567")


def export(kiosk, register, given="Claire", family="Dubois"):
    patient = register(given, family)
    record_consultation(kiosk, patient.id, sessions=4)
    exported = kiosk.export.export_pdf(patient.id, "test")
    return exported, exported.path.read_bytes()


def look(pdf_path: Path, name: str) -> None:
    """Pages as pictures in /tmp/shots/clinic-pdf/<name>/ for a person to look at (when asked)."""
    if os.environ.get("MESO_KIOSK_PDF_SHOTS") and shutil.which("pdftoppm"):
        folder = Path(os.environ["MESO_KIOSK_PDF_SHOTS"]) / name
        shutil.rmtree(folder, ignore_errors=True)
        to_pngs(pdf_path, folder)


def test_the_header_course_and_signatures_carry_the_clinic_and_who_treats(kiosk, register, admin):
    from pypdf import PdfReader

    set_identity(kiosk, admin)
    exported, pdf = export(kiosk, register)
    look(exported.path, "full")
    text = extracted_text(pdf)
    first = page_texts(pdf)[0]
    assert "Clinique du Parc" in first
    for line in ADDRESS.split("\n"):
        assert line in first
    assert "+33 1 43 55 20 10" in first and "accueil@clinique-du-parc.fr" in first
    assert PRICE_LINE in text
    assert "Dermatologist, registration RPPS 10001234567" in text
    # under the session table (once for the four sessions) and beside the countersignature
    assert "Dr Amélie Laurent: Dermatologist, registration RPPS 10001234567." in text
    assert text.count("RPPS 10001234567") == 2
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    images = [name for name in page["/Resources"]["/XObject"]] if "/XObject" in page["/Resources"] else []
    assert images, "the logo is drawn on the first page"
    assert kiosk.export.verify(exported.path).ok


def test_no_price_set_prints_no_price_at_all(kiosk, register, admin):
    set_identity(kiosk, admin, prices={"moderate": ""})
    _, pdf = export(kiosk, register)
    text = extracted_text(pdf)
    assert "EUR" not in text
    assert "0.00" not in text
    assert "Price" not in text
    assert "per session" not in text


def test_a_clinic_without_credentials_or_contact_prints_only_its_name(kiosk, register):
    kiosk.clinic.update({"name": "Northgate Hair Clinic"}, "test")
    exported, pdf = export(kiosk, register)
    text = extracted_text(pdf)
    assert "Northgate Hair Clinic" in text
    assert "registration" not in text and "Profession" not in text
    assert kiosk.export.verify(exported.path).ok


def test_hostile_values_the_validator_accepts_all_print(kiosk, register, admin):
    """120 characters with emoji, an address of six lines in Arabic, Chinese, Hebrew and Greek,
    a profession in Arabic: the PDF is made, its first page still holds the patient, and the
    emoji print too (Noto Emoji, monochrome)."""
    from pypdf import PdfReader

    name = ("Clinique 🏥 Capillaire du Parc 💇‍♀️ ☎ " + "Ω" * 200)[:120]
    address = "\n".join(["شارع الملك فيصل ١٢", "北京市朝阳区建国路 88 号", "רחוב הרצל 5, תל אביב",
                         "Οδός Ερμού 21", "x" * 150, "'; DROP TABLE patients; --"])
    assert len(address) <= 300
    set_identity(kiosk, admin, name=name, address=address, phone="+971 4 123 4567")
    kiosk.accounts.set_credentials(admin.id, COUNTERSIGN_PIN, admin.id, "طبيب جلدية", "DHA-12345 😀")
    exported, pdf = export(kiosk, register, "王", "小明")
    look(exported.path, "hostile")
    text = extracted_text(pdf)
    printed = poppler_text(pdf)  # (the name wraps beside the document number: its lines come apart)
    assert all(word in printed for word in ("Clinique 🏥 Capillaire", "Parc 💇\u200d♀️", "☎", "ΩΩΩ"))
    assert "北京市朝阳区建国路" in text
    assert "DROP TABLE patients" in text
    assert "Οδός Ερμού 21" in text
    assert re.search(r"\d+ of \d+", text)
    pages = PdfReader(io.BytesIO(pdf)).pages
    texts = [page.extract_text() for page in pages]
    appendix = len(pages) - next((n for n, text in enumerate(texts) if "Appendix: the text" in text), len(pages))
    assert len(pages) - appendix <= 6  # the header grew by a few lines, not by pages (the appendix aside)
    assert "王" in page_texts(pdf)[0]
    assert kiosk.export.verify(exported.path).ok


def test_a_huge_logo_is_scaled_on_the_way_in_and_sits_in_the_header(kiosk, register, admin):
    set_identity(kiosk, admin)
    kiosk.clinic.set_logo(logo_png(10_000, 300), "test")
    stored = kiosk.clinic.logo()
    assert stored is not None and max(stored.width, stored.height) <= 512
    exported, pdf = export(kiosk, register)
    look(exported.path, "wide-logo")
    assert "Clinique du Parc" in page_texts(pdf)[0]
    assert kiosk.export.verify(exported.path).ok


@needs_pdftoppm
def test_the_pages_turn_into_pictures(kiosk, register, admin, tmp_path):
    set_identity(kiosk, admin)
    exported, _ = export(kiosk, register)
    pictures = to_pngs(exported.path, tmp_path / "pages")
    assert pictures and all(picture.stat().st_size > 5_000 for picture in pictures)
