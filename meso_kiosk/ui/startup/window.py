"""The application and the window as a cold start paints them first: the lock screen's face."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Callable, Sequence

from PySide6.QtCore import QSize

from PySide6.QtWidgets import QApplication

from ...resources import resource_path
from ...services.reference import AppInfo
from ...store.consultant_accounts import ConsultantAccount
from ..main_window import MainWindow
from ..theme import STYLE, apply_font, apply_stylesheet, apply_theme
from .app_file import app_info
from .lock_opening import LockOpening
from .qt_messages import quiet_qt_messages

if TYPE_CHECKING:
    from ...services.accounts import AccountService

# A windowed start's size when the screen has room for it (the tablets the app is laid out for).
WINDOWED_SIZE = QSize(1280, 800)


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


def windowed_size(available: QSize) -> QSize:
    """The size of a windowed start on a screen whose free area is ``available``: 1280×800
    when it fits, else the free area itself (a portrait 800×1280 tablet gets all its width
    and height, nothing cut off); never larger than the screen."""
    fits = WINDOWED_SIZE.width() <= available.width() and WINDOWED_SIZE.height() <= available.height()
    return QSize(WINDOWED_SIZE) if fits else QSize(available)


def show_window(window: MainWindow, kiosk_mode: bool,
                accounts: Callable[[], AccountService | None] = lambda: None) -> None:
    """Show the started window: ``kiosk_mode`` full screen, frameless, and held there by a
    ``KioskGuard`` (closing takes a consultant's PIN, checked with ``accounts()``, None until
    the store is open); else a window that fits the screen it opens on. Sized before it is
    shown, not maximised after: the first frame is painted once, at its final size."""
    if kiosk_mode:
        from ..kiosk_guard import guard_kiosk  # builds the Qt namespace: only a kiosk start needs it

        guard_kiosk(window, accounts)
        return
    free = window.screen().availableGeometry()
    size = windowed_size(free.size())
    window.resize(size)
    if size != WINDOWED_SIZE:
        window.move(free.topLeft())  # all of the free area: from its corner
    window.show()
