"""A fault while the window starts or runs, said in one line and one dialog, never a traceback."""

from __future__ import annotations

import sqlite3
import sys
from typing import TYPE_CHECKING, Callable

from PySide6.QtWidgets import QApplication

from ...config import DataDirError
from ...resources import MissingResourceError
from ...services.errors import WordedError
from ...store.errors import StoreError
from ...store.instance_lock import InstanceLockedError

if TYPE_CHECKING:
    from ...services.kiosk import Kiosk

START_FAILED_TITLE = "Meso Kiosk cannot start"
RUNTIME_ERROR_TITLE = "Meso Kiosk: something went wrong"
ErrorDialog = Callable[[str, str], None]


def show_error_dialog(title: str, message: str) -> None:
    """The default error dialog (none on the offscreen/minimal platforms of tests and CI)."""
    app = QApplication.instance()
    if app is not None and app.platformName() not in ("offscreen", "minimal"):
        from PySide6.QtWidgets import QMessageBox  # its class and enums are built for an error, not at every start

        QMessageBox.critical(None, title, message)


def fail(show_error: ErrorDialog, message: str) -> int:
    """The start failed: ``message`` on the terminal and in a dialog; the exit code."""
    print(f"meso-kiosk: {message}", file=sys.stderr)
    show_error(START_FAILED_TITLE, message)
    return 1


def fault_words(error: BaseException) -> str:
    """A fault in plain words: ours are already worded; the OS's get its reason and the file."""
    if isinstance(error, (StoreError, DataDirError, MissingResourceError, InstanceLockedError, WordedError)):
        return str(error)
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        return f"The computer refused a file operation: {error.strerror or error}{where}."
    return (f"Unexpected error ({type(error).__name__}): {error}. "
            "What was saved before is safe; the last action may not have been saved.")


def damage_behind(kiosk: Kiosk | None, error: Exception) -> Exception:
    """A read that failed while the open-time check still ran: the check's verdict says it better
    ("damaged ... restore it"), as it would have said before the window, had it run first."""
    if kiosk is not None and kiosk.store.integrity is not None and isinstance(error, sqlite3.DatabaseError):
        try:
            kiosk.store.wait_for_integrity()
        except StoreError as damage:
            return damage
    return error


def report_uncaught(show_error: ErrorDialog, previous) -> Callable:
    """``sys.excepthook`` while the window runs: an error in a click handler becomes a message."""

    def hook(kind, error, trace) -> None:
        if not isinstance(error, Exception):
            return previous(kind, error, trace)
        if not isinstance(error, (StoreError, OSError, MissingResourceError, WordedError)):
            previous(kind, error, trace)  # a bug: keep its traceback in the log for support
        message = fault_words(error)
        print(f"meso-kiosk: {message}", file=sys.stderr)
        show_error(RUNTIME_ERROR_TITLE, message)

    return hook
