"""The window's controls beyond its pages: the quit shortcut, and the questions asked before
closing over, or moving on from, patient details that could not be saved. The composition
root installs them (``ui/app.py``), once the pages exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMessageBox, QWidget

if TYPE_CHECKING:
    from .main_window import MainWindow


def add_quit_shortcut(window: QWidget) -> None:
    """Ctrl+Q (⌘Q on macOS) closes the window as its close button would, with the same checks
    (details saved first, never while a patient holds the tablet): a ``--kiosk`` window has
    no close button, and a window manager's Alt+F4 is not there in every kiosk session."""
    QShortcut(QKeySequence("Ctrl+Q"), window).activated.connect(window.close)


def _what_is_wrong(window: MainWindow) -> str:
    details = window.details_page  # (None until the pages are built)
    first = details.first_error() if details is not None else None
    return f"\n\n{first}" if first else ""


def discard_unsaved_details(window: MainWindow) -> bool:
    """Ask whether to close and lose patient details that are not valid (so not saved); the
    wrong field is in view behind the question (the window went back to the intake)."""
    answer = QMessageBox.question(
        window, "Unsaved details",
        "Some patient details are not valid and have not been saved. Close anyway and lose those edits?"
        + _what_is_wrong(window),
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


def keep_or_discard_details(window: MainWindow) -> bool:
    """The consultant left the intake step with a patient detail that is wrong (so not saved):
    True to go back and correct it (the default), False to drop those edits."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Patient details not saved",
                      "The patient details you changed have a mistake, so they were not saved."
                      + _what_is_wrong(window), parent=window)
    correct = box.addButton("Go back and correct", QMessageBox.ButtonRole.AcceptRole)
    correct.setAccessibleName("Go back to the patient details and correct them")
    drop = box.addButton("Discard my changes", QMessageBox.ButtonRole.DestructiveRole)
    drop.setAccessibleName("Discard the changes to the patient details")
    box.setDefaultButton(correct)
    box.setEscapeButton(correct)
    box.exec()
    return box.clickedButton() is not drop


def ask_when_details_left_wrong(window, intake_page) -> None:
    """When the intake step is left while a patient detail is wrong (``details_not_saved``),
    ask once the next step is on screen: back to the intake with the error in view, or drop
    the edits. Not while the lock screen or a patient's hand-off covers the window (the edits
    wait, with their errors, for the consultant's return)."""
    asking: list[bool] = []

    def ask() -> None:
        asking.clear()
        details, workspace = window.details_page, window.workspace
        if details is None or not details.dirty or window.lock_page_shown() or window.in_handoff:
            return
        if window.stack.currentWidget() is not workspace or workspace.stack.currentWidget() is intake_page:
            return  # still on the intake, or gone from the patient (the window's own checks ran)
        if keep_or_discard_details(window):
            workspace.go_to_step(0)
            details.save()  # shows the errors again and brings the first one into view
        else:
            details.discard_edits()

    def later() -> None:
        if not asking:
            asking.append(True)
            QTimer.singleShot(0, ask)

    intake_page.details_not_saved.connect(later)
