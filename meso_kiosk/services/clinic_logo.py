"""A clinic's logo, checked and scaled on the way in: a PNG the header and the PDF can show.

An SVG is drawn to PNG by the screen or command that reads it (``ui/logo_picture.py``,
which has Qt's SVG renderer); what reaches the store is always a PNG made here, with no
metadata, at most ``MAX_SIDE`` pixels on its longer side.
"""

from __future__ import annotations

import hashlib
import io

from ..domain.errors import ValidationError
from ..store.logos import Logo

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_SIDE = 512  # the PDF prints it about 4 cm wide: 512 px is ~300 dpi there
MIN_SIDE = 32
MAX_PIXELS = 40_000_000  # refuses a "decompression bomb" before it is decoded


def prepare_logo(data: bytes) -> Logo:
    """``data`` (a PNG or JPEG file's bytes) as the logo to store, or ``ValidationError`` on "logo"."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ValidationError.single("logo", "The logo file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError.single("logo", f"The logo file is too large ({len(data) // (1024 * 1024)} MB); "
                                             "use one under 10 MB.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise ValidationError.single("logo", "Choose a PNG or SVG file for the logo.")
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError.single("logo", f"The logo is too large ({image.width}×{image.height} "
                                                     "pixels); use a smaller picture.")
            if min(image.size) < MIN_SIDE:
                raise ValidationError.single("logo", f"The logo is too small ({image.width}×{image.height} pixels) "
                                                     f"to print clearly; use one at least {MIN_SIDE} pixels on each side.")
            image.load()
            picture = image.convert("RGBA")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError.single("logo", "This file is not a picture that can be read (PNG or SVG).") from error
    picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)  # a fresh file: no text chunks, no EXIF
    png = out.getvalue()
    return Logo(hashlib.sha256(png).hexdigest(), png, picture.width, picture.height)
