"""A logo file as the bytes ``ClinicService.set_logo`` takes: an SVG drawn to a PNG here, with
Qt's SVG renderer (the services have no Qt); a PNG or JPEG as it is (the service checks it)."""

from __future__ import annotations

from pathlib import Path

from ..domain.errors import ValidationError

SVG_LONG_SIDE = 512  # the stored logo's largest side (services.clinic_logo.MAX_SIDE)
MAX_FILE_BYTES = 10 * 1024 * 1024


def logo_png(path: Path) -> bytes:
    """The logo in ``path``: an SVG as a transparent PNG 512 px on its longer side; any other
    file's bytes unchanged. ``ValidationError`` on "logo" when it cannot be read or drawn."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValidationError.single("logo", "The logo file is too large; use one under 10 MB.")
        data = path.read_bytes()
    except OSError as error:
        raise ValidationError.single("logo", f"The file {path.name!r} cannot be read ({error.strerror}).") from error
    if not data:
        raise ValidationError.single("logo", "The logo file is empty.")
    if path.suffix.lower() in (".svg", ".svgz") or _looks_like_svg(data):
        return svg_png(data)
    return data


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head)


def svg_png(data: bytes) -> bytes:
    """An SVG drawing as a transparent PNG, ``SVG_LONG_SIDE`` px on its longer side."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(data))
    if not renderer.isValid():
        raise ValidationError.single("logo", "This SVG file cannot be drawn. Export the logo again as SVG or PNG.")
    size = renderer.defaultSize()
    if size.isEmpty():
        box = renderer.viewBoxF()
        size = QSize(round(box.width()), round(box.height()))
    if size.isEmpty():
        raise ValidationError.single("logo", "This SVG file has no size. Export the logo again as SVG or PNG.")
    scale = SVG_LONG_SIDE / max(size.width(), size.height())
    width, height = max(1, round(size.width() * scale)), max(1, round(size.height() * scale))
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(0)  # transparent
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, width, height))
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())
