"""A photo as the clinic keeps it: decoded with Pillow, the right way up, re-encoded as a plain JPEG.

What comes in (a camera frame; a JPEG, PNG or a phone's HEIC from a USB stick) may carry GPS
coordinates, the camera's serial number, the owner's name, an embedded thumbnail: everything but
the pixels is dropped. The EXIF orientation (a HEIC's rotation) is applied to the pixels first, so
the stored picture needs no metadata to show the right way up. A colour profile is applied (to
sRGB), then dropped too. Hostile files are refused with words a consultant can act on: not a
picture, cut short, too small, too large.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from functools import cache

from ..domain.errors import ValidationError

FIELD = "image"
MAX_BYTES = 80 * 1024 * 1024  # a 48-megapixel camera's JPEG is ~25 MB; a PNG of it more
MAX_PIXELS = 60_000_000  # checked from the header, before any pixel is decoded (a "bomb" is refused unread)
MIN_SIDE = 64  # smaller cannot show hair; a 1x1 "image" is a tracking pixel, not a photo
MAX_STORED_SIDE = 4096  # a longer side is scaled down: plenty to compare, and backups stay small
JPEG_QUALITY = 90
_FORMATS = ("JPEG", "PNG")
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")


@dataclass(frozen=True)
class StoredImage:
    jpeg: bytes
    width: int
    height: int


@cache
def _heif_opener() -> str:
    """Pillow's name for HEIC/HEIF, once pillow-heif (a dependency, loaded on the first HEIC) registered it."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    return "HEIF"


def read_photo_file(path) -> bytes:
    """A chosen file's bytes, read no further than one byte past ``MAX_BYTES``: a film renamed .jpg, or a
    device such as /dev/zero, is then refused by ``prepare_photo`` as too large instead of filling the
    tablet's memory. ``OSError`` as the file system raises it (missing, unreadable, name too long)."""
    with open(path, "rb") as file:
        return file.read(MAX_BYTES + 1)


def _refuse(message: str) -> ValidationError:
    return ValidationError.single(FIELD, message)


def _too_large(size: str = "") -> ValidationError:
    return _refuse(f"The picture is too large ({size}at most {MAX_PIXELS // 1_000_000} megapixels).")


def _one_line(error: BaseException) -> str:
    """A decoder's own words on one line, cut short (libheif ends its messages with a newline)."""
    words = " ".join(str(error).split())
    return words if len(words) <= 160 else words[:159] + "…"


def _looks_heif(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def _open(data: bytes):
    from PIL import Image, UnidentifiedImageError

    formats = [*_FORMATS, _heif_opener()] if _looks_heif(data) else list(_FORMATS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large() from None
    except UnidentifiedImageError:
        raise _refuse("This file is not a JPEG, PNG or HEIC picture.") from None
    except (OSError, ValueError, SyntaxError) as error:
        raise _refuse(f"This picture cannot be read ({_one_line(error)}).") from None


def _decode(data: bytes):
    """The picture's pixels, checked for size before decoding."""
    from PIL import Image

    if not data:
        raise _refuse("The file is empty.")
    if len(data) > MAX_BYTES:
        raise _refuse(f"The file is too large for a photo (more than {MAX_BYTES // (1024 * 1024)} MB).")
    image = _open(data)
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _too_large(f"{width} x {height} pixels; ")
    if min(width, height) < MIN_SIDE:
        raise _refuse(f"The picture is too small to show hair ({width} x {height} pixels; at least "
                      f"{MIN_SIDE} on each side).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning) as error:
        raise _refuse(f"The picture is damaged or cut short ({_one_line(error)}); take or copy it again.") from None
    return image


def _to_srgb(image):
    """RGB pixels in sRGB: a colour profile (a phone's Display P3) applied, transparency on white."""
    from PIL import Image, ImageCms

    icc = image.info.get("icc_profile")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode.startswith("I"):  # 16-bit grey (a scanner's PNG): Pillow would clip 0-65535 at 255, all white
        image = image.convert("I").point(lambda value: value / 256).convert("L").convert("RGB")
    elif image.mode != "RGB":
        image = image.convert("RGB")
    if icc:
        try:
            image = ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                                              ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the pixels as they are
    return image


def prepare_photo(data: bytes) -> StoredImage:
    """The JPEG the clinic stores for ``data`` (JPEG, PNG or HEIC), or
    ``ValidationError`` keyed ``image`` saying why it cannot be a photo."""
    from PIL import Image, ImageOps

    image = _decode(data)
    try:
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, TypeError):
        upright = image  # an EXIF block too broken to read holds no orientation worth keeping
    rgb = _to_srgb(upright)
    if max(rgb.size) > MAX_STORED_SIDE:
        rgb.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE), Image.Resampling.BICUBIC)  # LANCZOS: 0.3 s more at 24 MP
    # A new image carries the pixels only: no EXIF, GPS, XMP, ICC, comments or text chunks.
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=JPEG_QUALITY)  # optimize=True: ~9% smaller, 0.4 s more for 12 MP
    return StoredImage(out.getvalue(), *clean.size)
