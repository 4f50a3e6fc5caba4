"""PDF pages as pixels, for the preview before an export (pypdfium2, imported on first use).

Pure bytes in, pixels out: no Qt here; the page turns each ``PageImage`` into a picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator


@dataclass(frozen=True)
class PageImage:
    width: int
    height: int
    stride: int          # bytes per row
    rgb: bytes           # 8-bit RGB, row after row


def page_images(pdf: bytes, width_px: int) -> list[PageImage]:
    """Every page of ``pdf`` rendered ``width_px`` pixels wide (aspect kept)."""
    return list(each_page_image(pdf, lambda _width_pt: width_px))


def each_page_image(pdf: bytes, width_px: Callable[[float], int], pages: range | None = None) -> Iterator[PageImage]:
    """The pages of ``pdf`` (``pages``: their indexes, default all) one at a time, each
    ``width_px(page width in points)`` pixels wide: a printer's 300 dpi pages are held one
    by one, not all together."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        for index in pages if pages is not None else range(len(document)):
            page = document[index]
            try:
                bitmap = page.render(scale=width_px(page.get_width()) / page.get_width(), rev_byteorder=True)
                yield PageImage(bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer))
            finally:
                page.close()
    finally:
        document.close()


def page_count(pdf: bytes) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()
