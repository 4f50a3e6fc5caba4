"""Printing the sealed PDF: its pages rasterised (pypdfium2, as the preview is) at 200 dpi
and drawn on a QPrinter, each fitted to the printable area, aspect kept.

Imported when the consultant presses Print, not before: QtPrintSupport is not needed to start.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from ...reports.preview import each_page_image, page_count

# Sharp enough for the small print and the signatures. Printing runs on the UI thread (behind a
# wait cursor): an 8-page summary took 2.8 s at 200 dpi and 5.2 s at 300 (a loaded machine).
PRINT_DPI = 200
POINTS_PER_INCH = 72


class PrintFailed(Exception):
    """The printer could not be started (no printer, a file that cannot be written)."""


def pages_to_print(printer: QPrinter, count: int) -> range:
    """The page indexes the print dialog asked for (a page range), else every page."""
    first, last = printer.fromPage(), printer.toPage()
    if printer.printRange() == QPrinter.PrintRange.PageRange and first > 0:
        return range(first - 1, min(last or count, count))
    return range(count)


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Print ``pdf`` on ``printer`` (already set up: by the dialog, or a PDF file's); returns the
    number of pages printed."""
    pages = pages_to_print(printer, page_count(pdf))
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintFailed("The printer could not be started.")
    try:
        area = printer.pageLayout().paintRectPixels(printer.resolution())
        printed = 0
        for image in each_page_image(pdf, lambda width_pt: round(width_pt / POINTS_PER_INCH * PRINT_DPI), pages):
            if printed:
                printer.newPage()
            picture = QImage(image.rgb, image.width, image.height, image.stride, QImage.Format.Format_RGB888)
            painter.drawImage(_fitted(picture.size(), area.size()), picture)
            printed += 1
        return printed
    finally:
        painter.end()


def _fitted(picture: QSize, area: QSize) -> QRect:
    """The rectangle, in the printable area's coordinates, the page fills: as large as fits, centred."""
    size = picture.scaled(area, Qt.AspectRatioMode.KeepAspectRatio)
    return QRect((area.width() - size.width()) // 2, (area.height() - size.height()) // 2,
                 size.width(), size.height())


def print_with_dialog(parent: QWidget, pdf_path: Path) -> str | None:
    """Ask which printer (the system's print dialog), then print; what happened, to show, or
    None when the consultant cancelled."""
    pdf = pdf_path.read_bytes()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(pdf_path.name)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print the signed PDF")
    dialog.setMinMax(1, page_count(pdf))
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return None
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a few seconds for a summary
    try:
        printed = print_pdf(pdf, printer)
    except PrintFailed as failed:
        return f"Not printed: {failed}"
    finally:
        QGuiApplication.restoreOverrideCursor()
    return f"✓ Sent {printed} page{'s' if printed != 1 else ''} to {printer.printerName() or 'the printer'}."
