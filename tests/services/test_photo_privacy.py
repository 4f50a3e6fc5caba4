"""Photo privacy under a hostile look (issue 25, point 3): what a camera, a phone or an editing program
hides in a picture never reaches the data folder; no photo without a current photo consent; a withdrawal
hides the photos everywhere and a deletion really deletes; hostile files are refused in one clear line.

Every secret is planted where real devices put it, checked to be in the source file (so a test cannot
pass because the plant failed), then searched for in the stored file's bytes.
"""

from __future__ import annotations

import hashlib
import io
import stat
import struct
import zipfile

import pytest
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from meso_kiosk.cli import main
from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.services.backup import create_backup, restore_backup
from meso_kiosk.services.kiosk import open_kiosk
from meso_kiosk.services.photos import PhotoFileError
from meso_kiosk.store.photos import photos_folder
from tests.conftest import cheap_seal
from tests.consultation import COUNTERSIGN_PIN, sign
from tests.photo_files import (
    OWNER, SERIAL, bomb_png, consenting_patient, heic, jpeg, later, revealing_exif, xmp_packet,
)

# Each planted where its kind of metadata lives (EXIF, MakerNote, GPS, XMP, IPTC, comment, thumbnail, PNG chunks).
LENS_SERIAL = "LENS-SN-0815"
MAKER_NOTE = "MAKERNOTE-SECRET-ID-9931"
GPS_AREA = "GPS-AREA-RUE-DE-RIVOLI"
IPTC_BYLINE = "IPTC-BYLINE-SECRET"
COMMENT = "COMMENT-SECRET-PATIENT-NAME"
THUMB_COMMENT = "THUMBNAIL-SECRET"
PNG_TEXT = "PNG-TEXT-SECRET"
PNG_ZTXT = "PNG-ZTXT-SECRET"
PNG_ITXT = "PNG-ITXT-SECRET"
JPEG_SECRETS = (SERIAL, OWNER, LENS_SERIAL, MAKER_NOTE, GPS_AREA, IPTC_BYLINE, COMMENT, THUMB_COMMENT,
                "ICC_PROFILE", "Photoshop 3.0", "http://ns.adobe.com/xap/1.0/", "Exif\0\0", "Scalpcam")


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def _thumbnail() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "pink").save(out, "JPEG", comment=THUMB_COMMENT.encode())
    return out.getvalue()


def _exif_with_everything() -> bytes:
    """APP1 EXIF: camera, owner and serials, a MakerNote, GPS with a place name, and (IFD1) an embedded
    thumbnail, as a camera writes it."""
    exif = revealing_exif()
    exif.get_ifd(0x8769).update({0x927C: b"Nikon\0\x02\x10\0\0" + MAKER_NOTE.encode(),  # MakerNote
                                 0xA431: SERIAL, 0xA435: LENS_SERIAL, 0xA420: "UNIQUE-ID-4711"})
    exif[0x8825][0x001C] = b"ASCII\0\0\0" + GPS_AREA.encode()  # GPSAreaInformation
    tiff = bytearray(exif.tobytes()[6:])
    order = "<" if tiff[:2] == b"II" else ">"
    first_ifd = struct.unpack_from(order + "I", tiff, 4)[0]
    entries = struct.unpack_from(order + "H", tiff, first_ifd)[0]
    struct.pack_into(order + "I", tiff, first_ifd + 2 + 12 * entries, len(tiff))  # IFD0's next IFD: IFD1, appended
    thumb = _thumbnail()
    ifd1 = struct.pack(order + "H", 2) + struct.pack(order + "HHII", 0x0201, 4, 1, len(tiff) + 2 + 24 + 4) \
        + struct.pack(order + "HHII", 0x0202, 4, 1, len(thumb)) + struct.pack(order + "I", 0)
    return b"Exif\0\0" + bytes(tiff) + ifd1 + thumb


def _iptc() -> bytes:
    """APP13: Photoshop's resource block holding IPTC's By-line (2:80)."""
    record = b"\x1c\x02\x50" + struct.pack(">H", len(IPTC_BYLINE)) + IPTC_BYLINE.encode()
    return b"Photoshop 3.0\0" + b"8BIM\x04\x04\0\0" + struct.pack(">I", len(record)) + record


def laden_jpeg() -> bytes:
    """A 320x240 JPEG carrying every kind of metadata a camera, phone or editor writes."""
    plain = jpeg(320, 240, "sienna")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    segments = (_segment(0xE1, _exif_with_everything())
                + _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0" + xmp_packet())
                + _segment(0xE2, b"ICC_PROFILE\0\x01\x01" + icc)
                + _segment(0xED, _iptc())
                + _segment(0xFE, COMMENT.encode()))
    return plain[:2] + segments + plain[2:]


def laden_png(orientation: int | None = None) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", PNG_TEXT)
    info.add_text("Comment", PNG_ZTXT, zip=True)
    info.add_itxt("XML:com.adobe.xmp", xmp_packet().decode() + PNG_ITXT)
    out = io.BytesIO()
    Image.new("RGB", (200, 160), "peru").save(out, "PNG", pnginfo=info, exif=revealing_exif(orientation),
                                              icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    return out.getvalue()


def jpeg_markers(data: bytes) -> list[int]:
    """The marker of each segment before the image data (SOS), in order."""
    markers, at = [], 2
    while data[at + 1] != 0xDA:
        markers.append(data[at + 1])
        at += 2 + struct.unpack_from(">H", data, at + 2)[0]
    return markers


def assert_bare(stored: bytes, secrets) -> None:
    """Nothing but the pixels: no APPn other than JFIF's APP0, no comment, one image, no planted string."""
    for secret in secrets:
        assert secret.encode() not in stored, secret
    assert set(jpeg_markers(stored)) <= {0xE0, 0xDB, 0xC0, 0xC4, 0xDD}  # JFIF, tables, frame, restart interval
    assert stored.count(b"\xff\xd8\xff") == 1  # no embedded thumbnail or second picture
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif() and not set(image.info) & {"exif", "icc_profile", "xmp", "photoshop", "comment"}


def test_a_jpeg_loses_every_kind_of_metadata(kiosk, register):
    source = laden_jpeg()
    planted = Image.open(io.BytesIO(source))
    assert planted.getexif().get_ifd(0x8825) and planted.info["icc_profile"] and planted.info["xmp"]
    assert planted.getexif().get_ifd(ExifTags.IFD.IFD1)[0x0202] == len(_thumbnail())  # IFD1: the embedded thumbnail
    assert planted.getexif().get_ifd(0x8769)[0x927C] and planted.info["comment"] == COMMENT.encode()
    for secret in JPEG_SECRETS:
        assert secret.encode() in source, secret
    patient_id, consultant_id = consenting_patient(kiosk, register)
    photo = kiosk.photos.add(patient_id, "vertex", source, consultant_id)
    assert_bare(kiosk.photos.image(photo), JPEG_SECRETS)
    path = photos_folder(kiosk.paths.root) / photo.file_name
    modes = [stat.S_IMODE(p.stat().st_mode) for p in (path.parent.parent, path.parent, path)]
    assert modes == [0o700, 0o700, 0o600]  # photos/, the patient's folder, the file: the app's user only


def test_a_png_loses_its_text_exif_and_colour_chunks(kiosk, register):
    source = laden_png(orientation=1)
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP"):
        assert chunk in source
    assert SERIAL.encode() in source and PNG_TEXT.encode() in source
    patient_id, consultant_id = consenting_patient(kiosk, register)
    stored = kiosk.photos.image(kiosk.photos.add(patient_id, "occipital", source, consultant_id))
    assert_bare(stored, (SERIAL, OWNER, PNG_TEXT, PNG_ZTXT, PNG_ITXT, "xmpmeta", "Scalpcam"))


def test_a_phones_heic_loses_its_exif_xmp_and_thumbnail(kiosk, register):
    source = heic()
    assert SERIAL.encode() in source and b"xmpmeta" in source
    patient_id, consultant_id = consenting_patient(kiosk, register)
    stored = kiosk.photos.image(kiosk.photos.add(patient_id, "vertex", source, consultant_id))
    assert_bare(stored, (SERIAL, OWNER, "xmpmeta", "Scalpcam", "ACME"))


# -- every orientation ends upright ------------------------------------------------------------------

UPRIGHT = (96, 64)  # width, height as the patient's scalp should be seen
QUADRANTS = {(0, 0): (255, 0, 0), (1, 0): (0, 255, 0), (0, 1): (0, 0, 255), (1, 1): (255, 255, 255)}


def _upright_pixel(orientation: int, x: int, y: int, width: int, height: int) -> tuple[int, int]:
    """Which upright pixel the stored pixel (x, y) holds, from the EXIF specification's words for each
    orientation (where the stored picture's row 0 and column 0 lie in the upright one)."""
    return {1: (x, y), 2: (width - 1 - x, y), 3: (width - 1 - x, height - 1 - y), 4: (x, height - 1 - y),
            5: (y, x), 6: (width - 1 - y, x), 7: (width - 1 - y, height - 1 - x), 8: (y, height - 1 - x)}[orientation]


def stored_as(orientation: int) -> Image.Image:
    """The pixels a camera held sideways (or mirrored) stores for the upright quadrant picture."""
    width, height = UPRIGHT
    size = (width, height) if orientation <= 4 else (height, width)
    pixels = []
    for y in range(size[1]):
        for x in range(size[0]):
            ux, uy = _upright_pixel(orientation, x, y, width, height)
            pixels.append(QUADRANTS[(ux * 2 // width, uy * 2 // height)])
    image = Image.new("RGB", size)
    image.putdata(pixels)
    return image


def _as_file(kind: str, orientation: int) -> bytes:
    image = stored_as(orientation)
    if kind == "heic":
        return heic(image, exif=revealing_exif(orientation))
    out = io.BytesIO()
    image.save(out, kind.upper(), exif=revealing_exif(orientation), **({"quality": 95} if kind == "jpeg" else {}))
    return out.getvalue()


@pytest.mark.parametrize("kind", ["jpeg", "png", "heic"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_ends_upright_in_the_pixels(kiosk, register, kind, orientation):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    photo = kiosk.photos.add(patient_id, "vertex", _as_file(kind, orientation), consultant_id)
    image = Image.open(io.BytesIO(kiosk.photos.image(photo)))
    assert image.size == UPRIGHT == (photo.width, photo.height) and not image.getexif()
    width, height = UPRIGHT
    for (column, row), colour in QUADRANTS.items():
        seen = image.getpixel((width // 4 + column * width // 2, height // 4 + row * height // 2))
        assert all(abs(a - b) < 40 for a, b in zip(seen, colour)), (column, row, seen, colour)


# -- no photo without a current photo consent -------------------------------------------------------

def _no_consent(kiosk, patient_id, consultant_id):
    pass  # registered, never signed


def _declined(kiosk, patient_id, consultant_id):
    sign(kiosk, patient_id, consultant_id, photos=False)


def _withdrawn(kiosk, patient_id, consultant_id):
    sign(kiosk, patient_id, consultant_id, photos=True)
    later(kiosk)
    kiosk.photos.withdraw_photo_consent(patient_id, "keep", consultant_id, "'; DROP TABLE photos; --")


def _superseded_by_no(kiosk, patient_id, consultant_id):
    sign(kiosk, patient_id, consultant_id, photos=True)
    later(kiosk)
    sign(kiosk, patient_id, consultant_id, photos=False)


def _whole_consent_withdrawn(kiosk, patient_id, consultant_id):
    sign(kiosk, patient_id, consultant_id, photos=True)
    later(kiosk)
    kiosk.consents.withdraw(patient_id, channel="phone", consultant_id=consultant_id, consultant_pin=COUNTERSIGN_PIN)


@pytest.mark.parametrize("history", [_no_consent, _declined, _withdrawn, _superseded_by_no, _whole_consent_withdrawn])
def test_no_photo_is_stored_without_a_current_photo_consent(kiosk, register, history):
    patient_id, consultant_id = consenting_patient(kiosk, register)  # a first patient, with photos
    kiosk.photos.add(patient_id, "vertex", jpeg(), consultant_id)
    other = register(given="Zoé").id
    history(kiosk, other, consultant_id)
    audit_rows = kiosk.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    for source in ("camera", "import"):
        with pytest.raises(ValidationError) as refused:
            kiosk.photos.add(other, "vertex", laden_jpeg(), consultant_id, source=source)
        assert refused.value.field == "patient" and kiosk.photos.may_take(other) in str(refused.value)
    assert not (photos_folder(kiosk.paths.root) / str(other)).exists()
    assert kiosk.store.conn.execute("SELECT count(*) FROM photos WHERE patient_id = ?", (other,)).fetchone()[0] == 0
    assert kiosk.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit_rows
    assert len(kiosk.photos.photos(patient_id)) == 1  # the other patient's photos are untouched


def test_a_consent_superseded_by_one_saying_no_hides_the_photos(kiosk, register):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    photo = kiosk.photos.add(patient_id, "vertex", jpeg(), consultant_id)
    later(kiosk)
    sign(kiosk, patient_id, consultant_id, photos=False)
    assert kiosk.photos.photos(patient_id) == [] and kiosk.photos.photos(patient_id, "vertex") == []
    with pytest.raises(PhotoFileError, match="says no to photos"):
        kiosk.photos.image(photo)


# -- withdrawal: hidden everywhere, recorded, and a deletion is real ---------------------------------

def _photos_in_pdf(path) -> int:
    """How many of the PDF's images are the 640x480 photos (not the clinic's logo)."""
    from pypdf import PdfReader

    return sum(image.image.size == (640, 480) for page in PdfReader(path).pages for image in page.images)


@pytest.mark.parametrize("disposition", ["keep", "delete"])
def test_a_withdrawal_hides_the_photos_from_the_exported_pdf(kiosk, register, data_dir, tmp_path, disposition):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    for view, colour in (("vertex", "tan"), ("occipital", "olive")):  # two pictures, not one the PDF shares
        kiosk.photos.add(patient_id, view, jpeg(640, 480, colour), consultant_id)

    def export(name: str) -> int:
        assert main(["export-pdf", "--patient", str(patient_id), "--out", str(tmp_path / name),
                     "--data-dir", str(data_dir)]) == 0
        return _photos_in_pdf(tmp_path / name)

    assert export("before.pdf") == 2
    later(kiosk)
    kiosk.photos.withdraw_photo_consent(patient_id, disposition, consultant_id)
    assert export("after.pdf") == 0


@pytest.mark.parametrize("disposition", ["keep", "delete"])
def test_the_withdrawal_record_says_what_happens_and_is_audited(kiosk, register, disposition):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    kiosk.photos.add(patient_id, "vertex", jpeg(), consultant_id)
    later(kiosk)
    withdrawal = kiosk.photos.withdraw_photo_consent(patient_id, disposition, consultant_id, "Nur noch ohne Fotos 📵")
    row = kiosk.store.conn.execute("SELECT disposition, reason, photos FROM photo_consent_withdrawals").fetchone()
    assert tuple(row) == (disposition, "Nur noch ohne Fotos 📵", 1)
    audit = kiosk.store.conn.execute("SELECT action, actor, entity_id FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert tuple(audit) == (f"photo.consent_withdraw_{disposition}", f"consultant:{consultant_id}", str(withdrawal.id))
    words = kiosk.photos.disposition_words(withdrawal)
    assert ("deleted on request" in words) == (disposition == "delete") and ("retention rule" in words) == (disposition == "keep")
    assert kiosk.store.verify_audit().ok


def test_a_deletion_removes_the_files_and_later_backups_do_not_hold_them(kiosk, register, tmp_path):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    kept_id, _ = consenting_patient(kiosk, register)
    gone = [kiosk.photos.add(patient_id, view, jpeg(colour="tan"), consultant_id) for view in ("vertex", "occipital")]
    kept = kiosk.photos.add(kept_id, "vertex", jpeg(colour="olive"), consultant_id)
    before = zipfile.ZipFile(create_backup(kiosk, tmp_path / "before.zip").path).namelist()
    assert {f"photos/{photo.file_name}" for photo in gone} <= set(before)
    later(kiosk)
    kiosk.photos.withdraw_photo_consent(patient_id, "delete", consultant_id)
    folder = photos_folder(kiosk.paths.root)
    assert not any((folder / photo.file_name).exists() for photo in gone) and (folder / kept.file_name).exists()
    after = create_backup(kiosk, tmp_path / "after.zip").path
    names = zipfile.ZipFile(after).namelist()
    assert not any(name.startswith(f"photos/{patient_id}/") for name in names) and f"photos/{kept.file_name}" in names
    digests = {hashlib.sha256(zipfile.ZipFile(after).read(name)).hexdigest() for name in names}
    assert not digests & {photo.sha256 for photo in gone}  # not under another name either
    restore_backup(after, tmp_path / "restored")
    restored = open_kiosk(tmp_path / "restored", make_seal=cheap_seal)
    try:
        assert not (photos_folder(restored.paths.root) / str(patient_id)).exists() or \
            not list((photos_folder(restored.paths.root) / str(patient_id)).iterdir())
        assert restored.photos.photos(patient_id) == [] and restored.store.verify_audit().ok
    finally:
        restored.close()


def test_a_kept_withdrawal_keeps_the_files_in_backups_under_retention(kiosk, register, tmp_path):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    photo = kiosk.photos.add(patient_id, "vertex", jpeg(), consultant_id)
    later(kiosk)
    kiosk.photos.withdraw_photo_consent(patient_id, "keep", consultant_id)
    names = zipfile.ZipFile(create_backup(kiosk, tmp_path / "backup.zip").path).namelist()
    assert f"photos/{photo.file_name}" in names  # part of the clinical record until its retention ends
    assert kiosk.photos.photos(patient_id) == []


# -- hostile files: one clear message, nothing stored -----------------------------------------------

def _jpeg_claiming(width: int, height: int) -> bytes:
    data = bytearray(jpeg(320, 240))
    frame = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, frame + 5, height, width)
    return bytes(data)


HOSTILE = {
    "zero bytes": (b"", "The file is empty."),
    "truncated jpeg": (jpeg(640, 480, "olive")[:1500], "cut short"),
    "header only": (jpeg()[:300], "cannot be read"),
    "truncated heic": (heic(Image.effect_noise((320, 240), 40).convert("RGB"))[:900], "cut short"),
    "1x1": (jpeg(1, 1), "too small"),
    "64x1 strip": (jpeg(640, 1), "too small"),
    "png bomb": (bomb_png(), "too large"),
    "jpeg bomb": (_jpeg_claiming(60000, 60000), "too large"),
    "zero-size frame": (_jpeg_claiming(0, 0), "not a JPEG, PNG or HEIC"),
    "pdf renamed .jpg": (b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n",
                         "not a JPEG, PNG or HEIC"),
    "gif": (b"GIF89a" + b"\0" * 100, "not a JPEG, PNG or HEIC"),
    "sql": ("'; DROP TABLE photos; --".encode(), "not a JPEG, PNG or HEIC"),
    "emoji text": ("📷 ceci n'est pas une photo 照片".encode(), "not a JPEG, PNG or HEIC"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_gets_one_clear_line_and_nothing_is_stored(kiosk, register, name):
    data, words = HOSTILE[name]
    patient_id, consultant_id = consenting_patient(kiosk, register)
    with pytest.raises(ValidationError, match=words) as refused:
        kiosk.photos.add(patient_id, "vertex", data, consultant_id)
    message = refused.value.errors["image"]
    assert refused.value.field == "image" and "\n" not in message and len(message) < 260, message
    assert not list(photos_folder(kiosk.paths.root).rglob("*.jpg"))
    assert kiosk.store.conn.execute("SELECT count(*) FROM photos").fetchone()[0] == 0


@pytest.mark.parametrize(("mode", "expected"), [("CMYK", (200, 100, 50)), ("L", (124, 124, 124)),
                                                  ("I;16", (156, 156, 156)), ("LA", (124, 124, 124)),
                                                  ("RGBA", (200, 100, 50))])
def test_unusual_but_honest_pictures_keep_their_colours(kiosk, register, mode, expected):
    """A print shop's CMYK JPEG, a grey scan, a scanner's 16-bit grey PNG (40000 of 65535: not white)."""
    picture = Image.new("I;16", (120, 80), 40000) if mode == "I;16" else Image.new("RGB", (120, 80), (200, 100, 50)).convert(mode)
    out = io.BytesIO()
    picture.save(out, "JPEG" if mode in ("CMYK", "L") else "PNG")
    patient_id, consultant_id = consenting_patient(kiosk, register)
    image = Image.open(io.BytesIO(kiosk.photos.image(kiosk.photos.add(patient_id, "vertex", out.getvalue(),
                                                                         consultant_id))))
    assert image.mode == "RGB" and all(abs(a - b) <= 3 for a, b in zip(image.getpixel((60, 40)), expected))


def _forged_row(kiosk, patient_id: int, file_name: str, sha256: str) -> None:
    """A photo row written behind the app's back (no audit entry), naming a file outside photos/."""
    kiosk.store.conn.execute(
        "INSERT INTO photos (patient_id, view_id, taken_at, consultant_id, session_id, sha256, width, height, "
        "file_name, source) VALUES (?, 'vertex', '2026-01-01T00:00:00Z', NULL, NULL, ?, 320, 240, ?, 'import')",
        (patient_id, sha256, file_name))
    kiosk.store.conn.commit()


def test_a_forged_row_cannot_make_a_deletion_remove_or_show_another_file(kiosk, register):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    real = kiosk.photos.add(patient_id, "vertex", jpeg(), consultant_id)
    key = kiosk.paths.root / "audit.key"
    secret = key.read_bytes()
    _forged_row(kiosk, patient_id, "../audit.key", hashlib.sha256(secret).hexdigest())
    forged = next(photo for photo in kiosk.photos.photos(patient_id) if photo.id != real.id)
    with pytest.raises(PhotoFileError, match=r"never wrote \('../audit.key'\)"):
        kiosk.photos.image(forged)  # its SHA-256 matches: only the name gives it away
    later(kiosk)
    with pytest.raises(PhotoFileError, match=r"1 photo file\(s\) could not be deleted: '../audit.key'"):
        kiosk.photos.withdraw_photo_consent(patient_id, "delete", consultant_id)
    assert key.read_bytes() == secret  # the audit key is still there
    assert not (photos_folder(kiosk.paths.root) / real.file_name).exists()  # the real photo was deleted
