"""An SVG logo drawn to PNG for a command with no window (``meso-kiosk clinic --logo FILE.svg``).

Qt draws an SVG's text only once a QGuiApplication exists, and without one it aborts the
process; a server has no screen either. So this makes a headless one (the offscreen platform)
when none runs, and keeps Qt's own warnings about a broken drawing off the terminal: the
command's answer is its one line.
"""

from __future__ import annotations

import os


def svg_logo_png(data: bytes) -> bytes:
    """``data`` (an SVG file's bytes) as the PNG ``ClinicService.set_logo`` takes; ``ValidationError``
    on "logo" when it cannot be drawn."""
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtGui import QGuiApplication

    from .logo_picture import svg_png

    if QGuiApplication.instance() is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # whatever screen there is, or none
        _keep_alive.append(QGuiApplication(["meso-kiosk"]))
    previous = qInstallMessageHandler(lambda *_: None)
    try:
        return svg_png(data)
    finally:
        qInstallMessageHandler(previous)


_keep_alive: list[object] = []  # the application lives as long as the command
