"""The summary's progress photos: each view's first and latest photo side by side, under the view's name.

Only what ``ConsultationSummary.photos`` holds prints: the service lists no photo while the photo
consent is not current, and then there is no section at all. Both photos of a view are set at the
same height, their aspect kept, each captioned with its date (clinic time) and session; a pair moves
whole to the next page rather than part from its captions. A photo whose file is missing or changed
prints as a framed line saying so: the document is still made.

The stored JPEG is embedded as it is (DCT bytes, no ASCII85 around them) when it is no larger than
the print needs; a larger one (a camera's 4096 px) is scaled down to ``PRINT_SIDE`` for the PDF only:
twelve such photos as stored would make a 36 MB document, and the page prints 82 mm of it.
"""

from __future__ import annotations

import hashlib
import io
from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from .summary_style import RULE, TEXT_WIDTH

if TYPE_CHECKING:
    from ..domain.summary import PhotoPair, SummaryPhoto

GAP = 6 * mm  # between the two photos of a pair
CELL_WIDTH = (TEXT_WIDTH - GAP) / 2
MAX_HEIGHT = 62 * mm  # three views to a page
PRINT_SIDE = 1200  # pixels of the longest side printed: ~370 dpi across a photo's 82 mm
PRINT_QUALITY = 85


class JpegImage(Flowable):
    """A JPEG drawn at a given size from its own bytes (ReportLab embeds them with DCTDecode)."""

    def __init__(self, jpeg: bytes, width: float, height: float):
        super().__init__()
        self.jpeg, self.width, self.height = jpeg, width, height

    def wrap(self, availWidth, availHeight):  # noqa: N802, N803 (ReportLab's names)
        return self.width, self.height

    def draw(self):
        from reportlab import rl_config
        from reportlab.lib.utils import ImageReader

        class Reader(ImageReader):
            def getRGBData(self):  # noqa: N802
                # ReportLab names an image by a digest of this; its decoded pixels (ReportLab's
                # own answer) cost 0.03 s a photo, the JPEG's bytes name it as well.
                self._dataA = None
                return self.fp.getvalue()

        # ASCII85 would add a quarter to each photo's bytes; a PDF carries binary streams. (A document
        # set on another thread meanwhile gets binary streams too: still a valid PDF.)
        before = rl_config.useA85
        rl_config.useA85 = 0
        try:
            self.canv.drawImage(Reader(io.BytesIO(self.jpeg)), 0, 0, self.width, self.height)
        finally:
            rl_config.useA85 = before


class MissingPhoto(Flowable):
    """A framed box of the photo's size with one line saying its file is missing or changed."""

    def __init__(self, line: Flowable, width: float, height: float):
        super().__init__()
        self.line, self.width, self.height = line, width, height

    def wrap(self, availWidth, availHeight):  # noqa: N802, N803
        return self.width, self.height

    def draw(self):
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setDash(3, 2)
        canvas.rect(0, 0, self.width, self.height)
        canvas.restoreState()
        inner = self.width - 8 * mm
        _, line_height = self.line.wrap(inner, self.height)
        self.line.drawOn(canvas, 4 * mm, (self.height - line_height) / 2)


def for_print(photo: SummaryPhoto) -> bytes:
    """The photo's JPEG as stored when its longest side is at most ``PRINT_SIDE``, else scaled down to it."""
    assert photo.jpeg is not None
    if max(photo.width, photo.height) <= PRINT_SIDE:
        return photo.jpeg
    key = hashlib.sha256(photo.jpeg).hexdigest()
    scaled = _SCALED.get(key)
    if scaled is None:
        scaled = _scaled(photo.jpeg)
        if len(_SCALED) >= SCALED_KEPT:
            _SCALED.pop(next(iter(_SCALED)), None)  # the oldest
        _SCALED[key] = scaled
    return scaled


# The Summary step's preview and then the export print the same photos: each is scaled once
# (0.15 s for a 4096 px photo), kept by its SHA-256, a few dozen at most (~150 kB each).
_SCALED: dict[str, bytes] = {}
SCALED_KEPT = 48


def _scaled(jpeg: bytes) -> bytes:
    from PIL import Image

    image = Image.open(io.BytesIO(jpeg))
    image.draft("RGB", (PRINT_SIDE, PRINT_SIDE))  # the decoder skips what is scaled away: 4x faster
    image = image.convert("RGB")
    image.thumbnail((PRINT_SIDE, PRINT_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=PRINT_QUALITY)
    return out.getvalue()


def scale_ahead(pairs: tuple[PhotoPair, ...]) -> None:
    """Scale the photos that need it side by side, before the pages are set (Pillow lets go of the
    interpreter while it decodes and resamples): 12 camera photos in ~1 s instead of ~3.5 s."""
    large = [photo for pair in pairs for photo in pair.photos
             if photo.jpeg is not None and max(photo.width, photo.height) > PRINT_SIDE]
    if len(large) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(4, len(large))) as pool:
            list(pool.map(for_print, large))


def pair_height(photos: tuple[SummaryPhoto, ...]) -> float:
    """The one height both photos of a pair are printed at: the tallest that lets each fit its cell."""
    return min(MAX_HEIGHT, *(CELL_WIDTH * photo.height / photo.width for photo in photos if photo.width > 0))


def _cell(b, photo: SummaryPhoto, height: float) -> list[Flowable]:
    width = height * photo.width / photo.height if photo.height > 0 else CELL_WIDTH
    if photo.jpeg is None:
        picture: Flowable = MissingPhoto(b.p(b.w("photo_file_missing"), b.styles.small), max(width, 40 * mm), height)
    else:
        picture = JpegImage(for_print(photo), width, height)
    day = b.day(b.clock.local(photo.taken_at).date())
    caption = b.w("photo_caption", date=day, number=photo.session) if photo.session is not None else day
    return [picture, Spacer(1, 1 * mm), b.p(caption, b.styles.small)]


def _pair(b, pair: PhotoPair) -> list[Flowable]:
    """The view's name over its photos, the first on the left."""
    height = pair_height(pair.photos)
    cells = [_cell(b, photo, height) for photo in pair.photos]
    table = Table([cells + [""] * (2 - len(cells))], colWidths=[CELL_WIDTH + GAP, CELL_WIDTH])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
    ]))
    return [b.p(pair.view, b.styles.subheading, bold=True), table]


def photos(b) -> list[Flowable]:
    """The section, or nothing when the summary holds no photo (no photo consent in force, none taken)."""
    pairs = b.summary.photos
    if not pairs:
        return []
    scale_ahead(pairs)
    heading = b.heading(b.w("progress_photos"))
    first = [heading[-1], b.p(b.w("photos_intro"), b.styles.small), *_pair(b, pairs[0])]
    # The heading goes with its first pair; each pair stays whole, with its captions.
    return [*heading[:-1], KeepTogether(first), *(KeepTogether(_pair(b, pair)) for pair in pairs[1:])]
