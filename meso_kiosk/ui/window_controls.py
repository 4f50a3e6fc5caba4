"""The window's controls beyond its pages: the quit shortcut, and the question asked before
closing over patient details that could not be saved. The composition root installs them
(``ui/app.py``), once the pages exist."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMessageBox, QWidget


def add_quit_shortcut(window: QWidget) -> None:
    """Ctrl+Q (⌘Q on macOS) closes the window as its close button would, with the same checks
    (details saved first, never while a patient holds the tablet): a ``--kiosk`` window has
    no close button, and a window manager's Alt+F4 is not there in every kiosk session."""
    QShortcut(QKeySequence("Ctrl+Q"), window).activated.connect(window.close)


def discard_unsaved_details(window: QWidget) -> bool:
    """Ask whether to close and lose patient details that are not valid (so not saved)."""
    answer = QMessageBox.question(
        window, "Unsaved details",
        "Some patient details are not valid and have not been saved. Close anyway and lose those edits?",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard
