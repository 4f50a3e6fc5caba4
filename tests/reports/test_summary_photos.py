"""The summary PDF's progress photos, end to end: real SQLite and photo files in tmp_path, the real
PhotoService and export, the sealed PDF read back with pypdf and poppler."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from meso_kiosk.reports.summary_photos import PRINT_SIDE
from meso_kiosk.store.photos import photos_folder
from tests.consultation import COUNTERSIGN_PIN, record_consultation, sign
from tests.pdf_tools import needs_pdfsig, needs_pdftotext, pdfsig, poppler_text
from tests.photo_files import jpeg

from .conftest import pdf_words

MISSING = "Photo file missing or changed — see audit-verify"


def images(pdf: bytes) -> list[dict]:
    """Every image XObject of the PDF: its size in pixels, filters and stream bytes."""
    from pypdf import PdfReader

    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        for ref in xobjects.values():
            image = ref.get_object()
            if image.get("/Subtype") == "/Image":
                filters = image.get("/Filter")
                found.append({"size": (image["/Width"], image["/Height"]),
                              "filters": [filters] if isinstance(filters, str) else list(filters or ()),
                              "data": image.get_data()})
    return found


def photographed(kiosk, register, sizes=((320, 240), (400, 300), (480, 360)), *, views=("vertex",), **patient):
    """A patient with a consultation of ``len(sizes)`` sessions and, at each session, a photo of each
    view sized ``sizes[n]`` (so the PDF's pictures say which photo they are): (patient id, consultant id)."""
    patient_id = register(**patient).id
    consultation = record_consultation(kiosk, patient_id, sessions=len(sizes))
    for session_id, (width, height) in zip(consultation.session_ids, sizes):
        for view, colour in zip(views, ("sienna", "olive", "teal")):  # one picture each: ReportLab embeds a copy once
            kiosk.photos.add(patient_id, view, jpeg(width, height, colour), consultation.consultant_id,
                             source="camera", session_id=session_id)
    return patient_id, consultation.consultant_id


def exported(kiosk, patient_id: int) -> bytes:
    document = kiosk.export.export_pdf(patient_id, "test")
    assert kiosk.export.verify(document.path).ok  # the seal still holds over the pictures
    return document.path.read_bytes()


@needs_pdftotext
def test_the_first_and_latest_photo_of_each_view_are_embedded_as_stored(kiosk, register):
    patient_id, _ = photographed(kiosk, register, views=("vertex", "occipital"))
    pdf = exported(kiosk, patient_id)
    shown = images(pdf)
    # 3 photos a view: the first (320 px) and the latest (480 px), never the one between
    assert sorted(image["size"] for image in shown) == [(320, 240), (320, 240), (480, 360), (480, 360)]
    stored = {kiosk.photos.image(photo) for photo in kiosk.photos.photos(patient_id)}
    for image in shown:
        assert image["filters"] == ["/DCTDecode"] and image["data"] in stored  # the JPEG's own bytes, not re-encoded
    text = " ".join(poppler_text(pdf).split())
    day = pdf_words("en").day(kiosk.clock.local(kiosk.clock.now_utc()).date())
    assert "Progress photos" in text and "Vertex" in text and "Occipital" in text
    assert text.count(f"{day} · session 1") == 2 and text.count(f"{day} · session 3") == 2
    assert "session 2" not in text
    assert text.index("Your course") < text.index("Progress photos") < text.index("Consent")


def test_one_photo_prints_alone_and_views_without_photos_are_left_out(kiosk, register):
    patient_id, _ = photographed(kiosk, register, sizes=((300, 400),))
    pdf = exported(kiosk, patient_id)
    assert [image["size"] for image in images(pdf)] == [(300, 400)]
    text = poppler_text(pdf)
    assert "Vertex" in text and "Midline part" not in text and "Occipital" not in text.split("Progress photos")[1]


@needs_pdfsig
def test_poppler_verifies_the_seal_of_a_document_with_photos(kiosk, register, tmp_path):
    patient_id, _ = photographed(kiosk, register)
    document = kiosk.export.export_pdf(patient_id, "test")
    result = pdfsig(document.path, kiosk.export.seal.certificate_file, tmp_path)
    assert "Signature is Valid." in result.stdout and "Total document signed" in result.stdout


def _withdraw_keep(kiosk, patient_id, consultant_id):
    kiosk.photos.withdraw_photo_consent(patient_id, "keep", consultant_id)


def _withdraw_delete(kiosk, patient_id, consultant_id):
    kiosk.photos.withdraw_photo_consent(patient_id, "delete", consultant_id)


def _withdraw_consent(kiosk, patient_id, consultant_id):
    kiosk.consents.withdraw(patient_id, channel="phone", consultant_id=consultant_id, consultant_pin=COUNTERSIGN_PIN)


def _new_consent_says_no(kiosk, patient_id, consultant_id):
    sign(kiosk, patient_id, consultant_id, photos=False)


@pytest.mark.parametrize("withdraw", [_withdraw_keep, _withdraw_delete, _withdraw_consent, _new_consent_says_no])
def test_no_photo_once_the_photo_consent_is_not_current(kiosk, register, withdraw):
    patient_id, consultant_id = photographed(kiosk, register)
    assert len(images(exported(kiosk, patient_id))) == 2
    withdraw(kiosk, patient_id, consultant_id)
    pdf = exported(kiosk, patient_id)
    assert images(pdf) == []
    text = poppler_text(pdf)
    assert "Progress photos" not in text and "session 3 " not in text


def test_no_photo_section_without_any_consent(kiosk, register):
    patient_id = register().id
    record_consultation(kiosk, patient_id, sessions=0, consent=False, course=False)
    pdf = exported(kiosk, patient_id)
    assert images(pdf) == [] and "Progress photos" not in poppler_text(pdf)


@pytest.mark.parametrize("damage", ["missing", "changed"])
def test_a_missing_or_changed_file_prints_a_line_and_the_export_goes_on(kiosk, register, damage):
    patient_id, _ = photographed(kiosk, register)
    latest = kiosk.photos.photos(patient_id)[-1]
    path = photos_folder(kiosk.paths.root) / latest.file_name
    if damage == "missing":
        path.unlink()
    else:
        path.write_bytes(jpeg(480, 360, "navy"))
    pdf = exported(kiosk, patient_id)
    assert [image["size"] for image in images(pdf)] == [(320, 240)]  # the first, still there
    text = " ".join(poppler_text(pdf).split())
    assert text.count(MISSING) == 1 and "session 3" in text  # the caption still says which photo it was


def test_a_french_pdf_names_the_views_and_sessions_in_french(kiosk, register):
    patient_id, _ = photographed(kiosk, register, sizes=((320, 240), (480, 360)), views=("midline_part",),
                                 preferred_language="fr")
    text = " ".join(poppler_text(exported(kiosk, patient_id)).split())
    day = pdf_words("fr").day(kiosk.clock.local(kiosk.clock.now_utc()).date())
    assert "Photos de suivi" in text and "Raie médiane" in text and "Midline part" not in text
    assert f"{day} · séance 1" in text and f"{day} · séance 2" in text


SIZE_BOUND = 5 * 1024 * 1024  # bytes: a document mailed to a patient, with 12 photos in it


def camera_photo(seed: int) -> bytes:
    """A 4096 x 3072 JPEG with a camera's grain: noise compresses as badly as a real scalp photo
    (~3 MB as stored), where a flat test colour would make a few kilobytes."""
    noise = Image.effect_noise((4096, 3072), 40 + seed).convert("RGB")
    picture = Image.blend(Image.new("RGB", noise.size, (200 - 9 * seed, 160, 130)), noise, 0.25)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92)
    return out.getvalue()


def test_six_views_of_camera_photos_stay_small(kiosk, register):
    patient_id = register().id
    consultation = record_consultation(kiosk, patient_id, sessions=2)
    for number, view in enumerate(kiosk.photos.views()):
        for index, session_id in enumerate(consultation.session_ids):
            kiosk.photos.add(patient_id, view.id, camera_photo(2 * number + index), consultation.consultant_id,
                             session_id=session_id)
    stored = kiosk.photos.photos(patient_id)
    assert len(stored) == 12 and all(photo.width == 4096 for photo in stored)
    assert sum(len(kiosk.photos.image(photo)) for photo in stored) > 4 * SIZE_BOUND  # as stored: too big to mail
    pdf = exported(kiosk, patient_id)
    shown = images(pdf)
    assert len(shown) == 12 and all(max(image["size"]) == PRINT_SIDE for image in shown)
    assert len(pdf) < SIZE_BOUND, f"{len(pdf) / 1e6:.1f} MB"


def test_a_photo_taken_outside_a_session_is_captioned_with_its_date_alone(kiosk, register):
    patient_id = register().id
    record_consultation(kiosk, patient_id, sessions=1)
    kiosk.photos.add(patient_id, "occipital", jpeg(), None)  # photo-import from the command line: no session
    text = " ".join(poppler_text(exported(kiosk, patient_id)).split())
    day = pdf_words("en").day(kiosk.clock.local(kiosk.clock.now_utc()).date())
    assert f"Occipital {day}" in text and "· session" not in text
