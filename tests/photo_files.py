"""Pictures for the photo tests, made with Pillow: a JPEG carrying GPS and a camera serial in its EXIF,
a sideways one with an orientation tag, a phone's HEIC, and hostile files (not a picture, cut short, a bomb...)."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import timedelta

from PIL import Image, PngImagePlugin

from tests.consultation import ensure_consultant, sign

SERIAL = "SN-CAM-4711-SECRET"
OWNER = "Jean Photographe"


def jpeg(width: int = 320, height: int = 240, colour: str = "sienna", *, exif: Image.Exif | None = None) -> bytes:
    image = Image.new("RGB", (width, height), colour)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif if exif is not None else Image.Exif())
    return out.getvalue()


def revealing_exif(orientation: int | None = None) -> Image.Exif:
    """EXIF with a GPS position, the camera's serial number and its owner's name."""
    exif = Image.Exif()
    exif[0x010F] = "ACME"  # Make
    exif[0x0110] = "Scalpcam 3000"  # Model
    exif[0xA431] = SERIAL  # BodySerialNumber
    exif[0xA430] = OWNER  # CameraOwnerName
    exif[0x013B] = OWNER  # Artist
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}  # GPSInfo: Paris
    if orientation is not None:
        exif[0x0112] = orientation
    return exif


def sideways_jpeg() -> bytes:
    """Stored 300 wide x 150 high, left half red, tagged orientation 6 (turn 90° clockwise to show):
    upright it is 150 wide x 300 high with the red half on top."""
    image = Image.new("RGB", (300, 150), "blue")
    image.paste((255, 0, 0), (0, 0, 150, 150))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=revealing_exif(orientation=6), quality=95)
    return out.getvalue()


def xmp_packet() -> bytes:
    """An XMP packet naming the camera's serial and owner (what phones and editing software write)."""
    return (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            f'<rdf:Description xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" aux:SerialNumber="{SERIAL}" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="{OWNER}"/></rdf:RDF></x:xmpmeta>').encode()


def heic(image: Image.Image | None = None, *, exif: Image.Exif | None = None) -> bytes:
    """A HEIC as a phone saves it (pillow-heif, x265): EXIF (GPS, serial; its orientation becomes the
    file's rotation, as an iPhone's), XMP and a 64 px thumbnail. Default: ``sideways_jpeg``'s picture."""
    import pillow_heif

    if image is None:
        image = Image.new("RGB", (300, 150), "blue")
        image.paste((255, 0, 0), (0, 0, 150, 150))
    picture = pillow_heif.from_pillow(image)
    out = io.BytesIO()
    picture.save(out, quality=90, exif=(exif if exif is not None else revealing_exif(orientation=6)).tobytes(),
                 xmp=xmp_packet(), thumbnails=[64])
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", OWNER)
    info.add_text("Comment", f"serial {SERIAL}")
    info.add_itxt("XML:com.adobe.xmp", f"<x:xmpmeta>{SERIAL}</x:xmpmeta>")
    image = Image.new("RGBA", (200, 160), (30, 60, 90, 128))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def bomb_png(side: int = 20000) -> bytes:
    """A PNG whose header says side x side pixels (400 megapixels) in a few hundred bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (side + 1) * 8)  # a few rows: the header alone makes it a bomb
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400"><circle r="100"/></svg>'


def consenting_patient(kiosk, register, *, photos: bool = True) -> tuple[int, int]:
    """(patient id, consultant id): a patient whose current consent answers ``photos`` to photos."""
    consultant_id, _ = ensure_consultant(kiosk)
    patient = register()
    sign(kiosk, patient.id, consultant_id, photos=photos)
    return patient.id, consultant_id


def later(kiosk, days: float = 1) -> None:
    """Move the kiosk's clock on (a withdrawal, a new consent, a retake on another day)."""
    now = kiosk.clock.now
    kiosk.clock.now = lambda: now() + timedelta(days=days)
    kiosk.store._now_iso = kiosk.clock.now_iso  # the store's time (taken_at, withdrawn_at) moves with it
