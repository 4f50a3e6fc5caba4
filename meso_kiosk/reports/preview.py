"""PDF pages as pixels, for the preview before an export (pypdfium2, imported on first use).

Pure bytes in, pixels out: no Qt here; the page turns each ``PageImage`` into a picture.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageImage:
    width: int
    height: int
    stride: int          # bytes per row
    rgb: bytes           # 8-bit RGB, row after row


def page_images(pdf: bytes, width_px: int) -> list[PageImage]:
    """Every page of ``pdf`` rendered ``width_px`` pixels wide (aspect kept)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        images = []
        for index in range(len(document)):
            page = document[index]
            try:
                bitmap = page.render(scale=width_px / page.get_width(), rev_byteorder=True)
                images.append(PageImage(bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer)))
            finally:
                page.close()
        return images
    finally:
        document.close()
