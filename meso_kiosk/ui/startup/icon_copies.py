"""PNG copies of the icons a cold start's first frame shows (see ``startup.lock_opening``).

Drawn from their SVGs by Qt's own SVG reader, so a copy shows what the SVG would; after an
SVG changed, draw them again: ``python -m meso_kiosk.ui.startup.icon_copies``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication, QImage, QImageReader

from ...resources import resource_path
from ...services.clinic_data import app_info
from .lock_opening import COPY_RATIOS, LOCK_ICON, LOCK_ICON_PX, LOGO_PX, png_copy


def first_frame_icons() -> list[tuple[Path, int]]:
    """The header's icons and their sizes: the app's icon (named in app.toml) and the lock."""
    return [(resource_path(app_info().icon), LOGO_PX), (resource_path(LOCK_ICON), LOCK_ICON_PX)]


def draw(svg: Path, size: int, ratio: int) -> QImage:
    reader = QImageReader(str(svg))
    reader.setScaledSize(QSize(size * ratio, size * ratio))
    image = reader.read()
    if image.isNull():
        raise ValueError(f"{svg} could not be drawn: {reader.errorString()}")
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def write_copies() -> list[Path]:
    written = []
    for svg, size in first_frame_icons():
        for ratio in COPY_RATIOS:
            target = png_copy(svg, size, ratio)
            target.parent.mkdir(exist_ok=True)
            if not draw(svg, size, ratio).save(str(target), "PNG"):
                raise OSError(f"could not write {target}")
            written.append(target)
    return written


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (Qt's image readers need it)
    for path in write_copies():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
