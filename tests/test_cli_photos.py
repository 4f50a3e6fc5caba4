"""``meso-kiosk photo-import``: one line on success (the photo's id and SHA-256), one line on any failure."""

from __future__ import annotations

import hashlib
import os
import io

import pytest
from PIL import Image

from meso_kiosk.cli import main
from meso_kiosk.services.kiosk import open_kiosk
from meso_kiosk.store.photos import photos_folder
from tests.conftest import CHEAP_PIN_HASHER, cheap_seal
from tests.photo_files import OWNER, SERIAL, SVG, bomb_png, heic, jpeg, png_with_text, revealing_exif
from tests.consultation import ensure_consultant, sign


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


@pytest.fixture
def folder(tmp_path):
    """A data folder with patient 1 (photos: yes) and patient 2 (photos: no); closed again."""
    kiosk = open_kiosk(tmp_path / "data", pin_hasher=CHEAP_PIN_HASHER, make_seal=cheap_seal)
    try:
        consultant_id, _ = ensure_consultant(kiosk)
        for given, photos in (("Claire", True), ("Zoé", False)):
            patient = kiosk.patients.register({"given_name": given, "family_name": "Dubois",
                                               "date_of_birth": "1986-04-12"}, "test")
            sign(kiosk, patient.id, consultant_id, photos=photos)
    finally:
        kiosk.close()
    return tmp_path / "data"


def run(folder, *args) -> int:
    return main(["photo-import", *args, "--data-dir", str(folder)])


def test_a_photo_is_imported_without_its_metadata(folder, tmp_path, capsys):
    source = tmp_path / "IMG_0042.JPG"
    source.write_bytes(jpeg(exif=revealing_exif()))
    assert run(folder, "--patient", "1", "--view", "vertex", str(source)) == 0
    said = one_line(capsys.readouterr().out)
    (stored,) = photos_folder(folder).rglob("*.jpg")
    digest = hashlib.sha256(stored.read_bytes()).hexdigest()
    assert said.startswith("stored photo 1 (vertex, 320x240) for patient 1") and said.endswith(f"sha256 {digest}")
    assert SERIAL.encode() not in stored.read_bytes()
    assert main(["audit-verify", "--data-dir", str(folder)]) == 0


@pytest.mark.parametrize(("args", "content", "words"), [
    (["--patient", "1", "--view", "crown"], jpeg(), "no photo view 'crown'; the views are: vertex, frontal_hairline"),
    (["--patient", "2", "--view", "vertex"], jpeg(), "says no to photos"),
    (["--patient", "99", "--view", "vertex"], jpeg(), "There is no patient 99"),
    (["--patient", "1", "--view", "vertex"], b"", "photo.jpg: The file is empty"),
    (["--patient", "1", "--view", "vertex"], SVG, "not a JPEG, PNG or HEIC"),
    (["--patient", "1", "--view", "vertex"], jpeg(1, 1), "too small"),
    (["--patient", "1", "--view", "vertex"], bomb_png(), "too large"),
    (["--patient", "1", "--view", "vertex"], jpeg(640, 480)[:2000], "cut short"),
    (["--patient", "1", "--view", "vertex"], b"\0\0\0\x18ftypheic" + b"\0" * 64, "not a JPEG, PNG or HEIC"),
])
def test_every_refusal_is_one_line_and_stores_nothing(folder, tmp_path, capsys, args, content, words):
    source = tmp_path / "photo.jpg"
    source.write_bytes(content)
    assert run(folder, *args, str(source)) == 1
    assert words in one_line(capsys.readouterr().err)
    assert not list(photos_folder(folder).rglob("*.jpg"))


def test_a_folder_or_a_missing_file_is_one_line(folder, tmp_path, capsys):
    assert run(folder, "--patient", "1", "--view", "vertex", str(tmp_path)) == 1
    assert "is a folder, not a photo file" in one_line(capsys.readouterr().err)
    assert run(folder, "--patient", "1", "--view", "vertex", str(tmp_path / "nope.jpg")) == 1
    assert "nope.jpg" in one_line(capsys.readouterr().err)
    with pytest.raises(SystemExit) as usage:
        run(folder, "--patient", "x'; DROP TABLE photos;--", "--view", "vertex", str(tmp_path))
    assert usage.value.code == 2
    assert "whole number" in one_line(capsys.readouterr().err)


def test_a_png_is_stored_as_a_jpeg(folder, tmp_path, capsys):
    source = tmp_path / "scan.png"
    source.write_bytes(png_with_text())
    assert run(folder, "--patient", "1", "--view", "occipital", str(source)) == 0
    (stored,) = photos_folder(folder).rglob("*.jpg")
    assert stored.read_bytes()[:3] == b"\xff\xd8\xff" and SERIAL.encode() not in stored.read_bytes()


def test_a_phones_heic_is_stored_upright_as_a_bare_jpeg(folder, tmp_path, capsys):
    source = tmp_path / "IMG_4711.HEIC"
    source.write_bytes(heic())  # sideways in its pixels, turned by the file; GPS, serial, XMP, thumbnail
    assert SERIAL.encode() in source.read_bytes()  # the secret is really planted
    assert run(folder, "--patient", "1", "--view", "vertex", str(source)) == 0
    assert one_line(capsys.readouterr().out).startswith("stored photo 1 (vertex, 150x300) for patient 1")
    (stored,) = photos_folder(folder).rglob("*.jpg")
    data = stored.read_bytes()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.size == (150, 300) and not image.getexif() and not image.info.get("xmp")
    top, bottom = image.getpixel((75, 40)), image.getpixel((75, 260))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]  # red on top: upright
    for secret in (SERIAL, OWNER, "Scalpcam", "xmpmeta", "Exif"):
        assert secret.encode() not in data


@pytest.mark.parametrize("name", ["photo 照片 🙂 é ש.jpg", "e\u0301te\u0301.JPG", "'; DROP TABLE photos;--.jpg",
                                  "-starts-with-a-dash.jpeg", "a" * 240 + ".jpg"])
def test_any_file_name_the_disk_allows_imports(folder, tmp_path, capsys, name):
    source = tmp_path / name
    source.write_bytes(jpeg(exif=revealing_exif()))
    assert main(["photo-import", "--patient", "1", "--view", "vertex", "--data-dir", str(folder), "--", str(source)]) == 0
    assert one_line(capsys.readouterr().out).startswith("stored photo 1 (vertex, 320x240)")
    (stored,) = photos_folder(folder).rglob("*.jpg")
    assert stored.name != name and SERIAL.encode() not in stored.read_bytes()  # stored under its own random name


@pytest.mark.parametrize(("path", "words"), [
    (lambda tmp: str(tmp / ("a" * 300 + ".jpg")), "File name too long"),
    (lambda tmp: str(tmp / ("d/" * 2100 + "x.jpg")), "File name too long"),
    (lambda tmp: os.fsdecode(bytes(tmp) + b"/\xff\xfe-not-utf8.jpg"), "No such file"),
    (lambda tmp: "/dev/zero", "too large for a photo (more than 80 MB)"),  # read no further than that
    (lambda tmp: "/dev/null", "The file is empty"),
], ids=["long name", "long path", "not UTF-8", "endless device", "empty device"])
def test_a_path_that_cannot_be_a_photo_is_one_line(folder, tmp_path, capsys, path, words):
    assert run(folder, "--patient", "1", "--view", "vertex", path(tmp_path)) == 1
    assert words in one_line(capsys.readouterr().err)
    assert not list(photos_folder(folder).rglob("*.jpg"))
