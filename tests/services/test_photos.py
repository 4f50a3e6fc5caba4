"""Progress photos through the service: real SQLite and real files in tmp_path."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import stat

import pytest
from PIL import Image

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.services.photos import PhotoFileError
from meso_kiosk.store.photos import photos_folder
from tests.consultation import COUNTERSIGN_PIN, sign
from tests.photo_files import (
    OWNER, SERIAL, SVG, bomb_png, consenting_patient, jpeg, later, png_with_text, revealing_exif, sideways_jpeg,
)


def actions(kiosk) -> list[str]:
    return [row[0] for row in kiosk.store.conn.execute("SELECT action FROM audit_log WHERE entity LIKE 'photo%'")]


def test_a_photo_is_stored_without_metadata_private_and_audited(kiosk, register):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    photo = kiosk.photos.add(patient_id, "vertex", jpeg(exif=revealing_exif()), consultant_id, source="camera")
    path = photos_folder(kiosk.paths.root) / photo.file_name
    stored = path.read_bytes()
    assert hashlib.sha256(stored).hexdigest() == photo.sha256
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and photo.file_name.startswith(f"{patient_id}/")
    for secret in (SERIAL.encode(), OWNER.encode(), b"Exif", b"ACME", b"Scalpcam"):
        assert secret not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and not image.getexif() and "icc_profile" not in image.info
    assert (photo.width, photo.height, photo.consultant_id, photo.source) == (320, 240, consultant_id, "camera")
    assert kiosk.photos.photos(patient_id) == [photo] and kiosk.photos.image(photo) == stored
    assert actions(kiosk) == ["photo.add"] and kiosk.store.verify_audit().ok


def test_the_orientation_is_applied_to_the_pixels(kiosk, register):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    photo = kiosk.photos.add(patient_id, "occipital", sideways_jpeg(), consultant_id)
    image = Image.open(io.BytesIO(kiosk.photos.image(photo)))
    assert image.size == (150, 300) == (photo.width, photo.height)
    top, bottom = image.getpixel((75, 40)), image.getpixel((75, 260))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]  # red on top, blue below: upright


def test_a_png_loses_its_text_chunks(kiosk, register):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    photo = kiosk.photos.add(patient_id, "vertex", png_with_text(), consultant_id)
    stored = kiosk.photos.image(photo)
    assert SERIAL.encode() not in stored and OWNER.encode() not in stored and b"xmp" not in stored.lower()


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"),
    (b"this is not an image", "not a JPEG, PNG or HEIC"),
    (SVG, "not a JPEG, PNG or HEIC"),
    (jpeg(1, 1), "too small"),
    (bomb_png(), "too large"),
    (jpeg(640, 480, "olive")[:1500], "cut short"),
    (jpeg()[:300], "cannot be read"),
    (b"\0\0\0\x18ftypheic" + b"\0" * 64, "not a JPEG, PNG or HEIC"),
    (b"'; DROP TABLE photos; --", "not a JPEG"),
])
def test_hostile_files_are_refused_and_leave_nothing_behind(kiosk, register, data, words):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    with pytest.raises(ValidationError, match=words) as caught:
        kiosk.photos.add(patient_id, "vertex", data, consultant_id)
    assert caught.value.field == "image"
    assert not list(photos_folder(kiosk.paths.root).rglob("*.jpg")) and actions(kiosk) == []


def test_no_photo_without_a_current_photo_consent(kiosk, register):
    patient_id, consultant_id = consenting_patient(kiosk, register, photos=False)
    assert "says no to photos" in kiosk.photos.may_take(patient_id)
    with pytest.raises(ValidationError, match="says no to photos") as caught:
        kiosk.photos.add(patient_id, "vertex", jpeg(), consultant_id)
    assert caught.value.field == "patient"
    unsigned = register(given="Zoé").id
    with pytest.raises(ValidationError, match="no signed consent"):
        kiosk.photos.add(unsigned, "vertex", jpeg(), consultant_id)
    assert not photos_folder(kiosk.paths.root).exists() or not list(photos_folder(kiosk.paths.root).rglob("*.jpg"))


def test_an_unknown_view_lists_the_valid_ones(kiosk, register):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    with pytest.raises(ValidationError, match="vertex, frontal_hairline, .*midline_part"):
        kiosk.photos.add(patient_id, "nape ☃", jpeg(), consultant_id)
    with pytest.raises(ValidationError, match="not one of this patient's sessions"):
        kiosk.photos.add(patient_id, "vertex", jpeg(), consultant_id, session_id=999)


def test_rows_cannot_be_changed_or_deleted(kiosk, register):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    photo = kiosk.photos.add(patient_id, "vertex", jpeg(), consultant_id)
    kiosk.photos.withdraw_photo_consent(patient_id, "keep", consultant_id)
    for sql in ("UPDATE photos SET sha256 = ?", "DELETE FROM photos WHERE 1 OR ? IS NULL",
                "UPDATE photo_consent_withdrawals SET disposition = ?",
                "DELETE FROM photo_consent_withdrawals WHERE 1 OR ? IS NULL"):
        with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
            kiosk.store.conn.execute(sql, ("0" * 64 if "SET" in sql else None,))
    assert kiosk.photos.photo(photo.id) == photo


def test_a_retake_is_a_new_photo(kiosk, register):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    first = kiosk.photos.add(patient_id, "vertex", jpeg(colour="sienna"), consultant_id)
    later(kiosk, 0.01)
    again = kiosk.photos.add(patient_id, "vertex", jpeg(colour="tan"), consultant_id)
    other = kiosk.photos.add(patient_id, "left_temporal", jpeg(), consultant_id)
    assert kiosk.photos.photos(patient_id, "vertex") == [first, again]
    assert kiosk.photos.photos(patient_id) == [first, again, other]


def test_withdrawing_with_keep_hides_the_photos_and_keeps_the_files(kiosk, register):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    photo = kiosk.photos.add(patient_id, "vertex", jpeg(), consultant_id)
    later(kiosk)
    withdrawal = kiosk.photos.withdraw_photo_consent(patient_id, "keep", consultant_id, "Ne veut plus de photos.")
    assert withdrawal.photos == 1 and withdrawal.actor == f"consultant:{consultant_id}"
    assert "retention rule" in kiosk.photos.disposition_words(withdrawal)
    assert kiosk.photos.photos(patient_id) == [] and "withdrew their photo consent" in kiosk.photos.may_take(patient_id)
    with pytest.raises(PhotoFileError, match="withdrew"):
        kiosk.photos.image(photo)
    with pytest.raises(ValidationError, match="withdrew their photo consent"):
        kiosk.photos.add(patient_id, "vertex", jpeg(), consultant_id)
    assert (photos_folder(kiosk.paths.root) / photo.file_name).exists()
    # A new consent saying yes to photos brings the kept ones back.
    later(kiosk)
    sign(kiosk, patient_id, consultant_id, photos=True)
    assert kiosk.photos.photos(patient_id) == [photo]
    assert actions(kiosk) == ["photo.add", "photo.consent_withdraw_keep"] and kiosk.store.verify_audit().ok


def test_withdrawing_with_delete_removes_the_files_and_keeps_a_tombstone(kiosk, register):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    photos = [kiosk.photos.add(patient_id, view, jpeg(), consultant_id) for view in ("vertex", "occipital")]
    later(kiosk)
    withdrawal = kiosk.photos.withdraw_photo_consent(patient_id, "delete", None)
    assert withdrawal.photos == 2 and withdrawal.actor == "cli"
    assert "deleted on request" in kiosk.photos.disposition_words(withdrawal)
    assert not any((photos_folder(kiosk.paths.root) / p.file_name).exists() for p in photos)
    assert kiosk.photos.photo(photos[0].id) == photos[0]  # the row stays, as a tombstone
    later(kiosk)
    sign(kiosk, patient_id, consultant_id, photos=True)
    assert kiosk.photos.photos(patient_id) == []  # deleted ones never come back
    with pytest.raises(PhotoFileError, match="deleted on the patient's request"):
        kiosk.photos.image(photos[0])
    new = kiosk.photos.add(patient_id, "vertex", jpeg(), consultant_id)
    assert kiosk.photos.photos(patient_id) == [new] and kiosk.store.verify_audit().ok


def test_withdrawing_the_whole_consent_withdraws_photos_too(kiosk, register):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    kiosk.photos.add(patient_id, "vertex", jpeg(), consultant_id)
    later(kiosk)
    kiosk.consents.withdraw(patient_id, channel="phone", consultant_id=consultant_id, consultant_pin=COUNTERSIGN_PIN)
    assert kiosk.photos.photos(patient_id) == [] and "withdrew their consent" in kiosk.photos.may_take(patient_id)
    # Deleting the kept photos on request is still possible after the consent ended.
    assert kiosk.photos.withdraw_photo_consent(patient_id, "delete", consultant_id).photos == 1
    with pytest.raises(ValidationError, match="nothing to withdraw"):
        kiosk.photos.withdraw_photo_consent(patient_id, "keep", consultant_id)
    with pytest.raises(ValidationError, match="kept .* or deleted"):
        kiosk.photos.withdraw_photo_consent(patient_id, "shred", consultant_id)


@pytest.mark.parametrize("change", ["swap", "missing"])
def test_a_changed_or_missing_file_is_reported_not_shown(kiosk, register, change):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    photo = kiosk.photos.add(patient_id, "vertex", jpeg(), consultant_id)
    path = photos_folder(kiosk.paths.root) / photo.file_name
    if change == "swap":
        path.write_bytes(jpeg(colour="white"))
    else:
        path.unlink()
    with pytest.raises(PhotoFileError, match="changed since it was stored" if change == "swap" else "missing"):
        kiosk.photos.image(photo)


def test_a_failed_transaction_leaves_no_file(kiosk, register, monkeypatch):
    from meso_kiosk.store import photos as photo_rows

    patient_id, consultant_id = consenting_patient(kiosk, register)

    def refuse(*args, **kwargs):
        raise sqlite3.IntegrityError("disk said no")

    monkeypatch.setattr(photo_rows, "insert_photo", refuse)
    with pytest.raises(sqlite3.IntegrityError):
        kiosk.photos.add(patient_id, "vertex", jpeg(), consultant_id)
    assert list(photos_folder(kiosk.paths.root).rglob("*")) == [photos_folder(kiosk.paths.root) / str(patient_id)]
