"""The application and the window as a cold start paints them first: the lock screen's face."""

from __future__ import annotations

import sys
from typing import Sequence

from PySide6.QtWidgets import QApplication

from ...resources import resource_path
from ...services.reference import AppInfo
from ...store.consultant_accounts import ConsultantAccount
from ..main_window import MainWindow
from ..theme import STYLE, apply_font, apply_stylesheet, apply_theme
from .app_file import app_info
from .lock_opening import LockOpening
from .qt_messages import quiet_qt_messages


def application() -> QApplication:
    """A new QApplication in the theme, or the running one (a test's) put in it."""
    app = QApplication.instance()
    if app is None:
        quiet_qt_messages()
        # The style named on Qt's command line, not set with ``app.setStyle``: that would hand
        # Python the new QStyle, whose class and enums PySide builds before the first frame.
        app = QApplication([*(sys.argv or ["meso-kiosk"]), "-style", STYLE])  # the first: the program's name
        apply_font(app)
        apply_stylesheet(app)
    else:
        apply_theme(app)
    app.setApplicationName("Meso Kiosk")
    app.setOrganizationName("MesoKiosk")
    return app


def opening_window(clinic_name: str, accounts: Sequence[ConsultantAccount], info: AppInfo | None = None) -> MainWindow:
    """The window as a cold start paints it: the lock screen's face (header and name tiles),
    built from plain names, before the store or the services are loaded (see
    ``lock_opening``). ``app.finish_window`` makes it the app. ``info``: app.toml's, when
    the caller has read it already (else read here)."""
    info = info or app_info()
    return MainWindow(title=f"{info.title} — {clinic_name}",
                      opening=LockOpening(clinic_name, info.title, accounts, resource_path(info.icon)))
