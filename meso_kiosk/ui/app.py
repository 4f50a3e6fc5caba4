"""Composition root: open the installation, build every service and screen, run the window."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from ..config import DataDirError, prepare_data_dir
from ..resources import MissingResourceError, resource_path
from ..services.demo import seed_demo
from ..services.kiosk import Kiosk, open_kiosk
from ..services.reference import app_info, languages
from ..store.errors import StoreError
from ..store.instance_lock import InstanceLock, InstanceLockedError
from .deferred_style import stylesheet_after
from .idle_lock import install_idle_lock
from .main_window import MainWindow
from .pages.coming_next import ComingNextPage
from .pages.consent import ConsentPage
from .pages.course import CoursePage
from .pages.handoff import HandoffPage, connect_handoff
from .pages.intake import IntakePage
from .pages.lock_screen import install_screen_lock
from .pages.lot_recall import LotRecallPage
from .pages.new_patient import NewPatientPage
from .pages.patient_details import PatientDetailsPage
from .pages.patients import PatientsPage
from .pages.scalp_map import ScalpMapPage
from .pages.summary import SummaryPage
from .pages.workspace import WorkspacePage
from .sign_in import SignIn
from .theme import apply_theme

# Set by tests and benchmarks: quit as soon as the first frame is painted.
EXIT_AFTER_FIRST_PAINT_ENV = "MESO_KIOSK_EXIT_AFTER_FIRST_PAINT"


def build_main_window(kiosk: Kiosk, actor: Callable[[], str] | None = None) -> MainWindow:
    # Changes are attributed to the consultant who unlocked the app ("kiosk" while nobody has);
    # tests may pass a fixed ``actor`` instead.
    sign_in = SignIn()
    actor = actor or sign_in.actor
    info = app_info()
    langs = languages()
    details = PatientDetailsPage(kiosk.patients, langs, kiosk.clock, actor)
    pages = {step.id: ComingNextPage(step) for step in info.steps if step.id != "intake"}
    pages["intake"] = IntakePage(kiosk.intake, details, kiosk.clock, actor)
    pages["scalp_map"] = ScalpMapPage(kiosk.sessions, kiosk.clock, actor)
    pages["course"] = CoursePage(kiosk.course, kiosk.clock, kiosk.paths.exports, actor)
    current_consultant = lambda: sign_in.consultant  # noqa: E731 — who countersigns and takes the tablet back
    pages["consent"] = ConsentPage(kiosk.consents, kiosk.accounts, kiosk.clock, current_consultant)
    pages["summary"] = SummaryPage(kiosk.export, kiosk.clock, actor)
    workspace = WorkspacePage(
        info.steps, pages, kiosk.clock,
        step_guard=lambda patient, step_id: kiosk.intake.blocked_steps(patient.id).get(step_id),
    )
    window = MainWindow(
        title=f"{info.title} — {kiosk.clinic.profile().name}",
        icon=QIcon(str(resource_path(info.icon))),
        patients_page=PatientsPage(kiosk.patients, kiosk.clock.today),
        new_patient_page=NewPatientPage(kiosk.patients, langs, actor),
        workspace=workspace,
        details_page=details,
    )
    window.attach_lot_recall(LotRecallPage(kiosk.sessions, kiosk.patients, kiosk.clock))
    connect_handoff(window, pages["consent"], HandoffPage(kiosk.consents, kiosk.accounts, kiosk.clock,
                                                          current_consultant),
                    after_exit=pages["scalp_map"].refresh)  # a new signature opens the session gate
    sign_in.setParent(window)
    window.sign_in = sign_in
    window.show_patients()
    install_screen_lock(window, kiosk.accounts, sign_in, clinic_name=kiosk.clinic.profile().name,
                        app_title=info.title, icon=window.windowIcon())  # the app opens locked
    return window


def _application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Meso Kiosk")
    app.setOrganizationName("MesoKiosk")
    apply_theme(app)
    return app


START_FAILED_TITLE = "Meso Kiosk cannot start"
RUNTIME_ERROR_TITLE = "Meso Kiosk: something went wrong"
# How often the running app looks whether today's automatic backup is due.
AUTO_BACKUP_CHECK_MS = 60 * 60 * 1000
ErrorDialog = Callable[[str, str], None]


def show_error_dialog(title: str, message: str) -> None:
    """The default error dialog (none on the offscreen/minimal platforms of tests and CI)."""
    app = QApplication.instance()
    if app is not None and app.platformName() not in ("offscreen", "minimal"):
        QMessageBox.critical(None, title, message)


def _fail(show_error: ErrorDialog, message: str) -> int:
    print(f"meso-kiosk: {message}", file=sys.stderr)
    show_error(START_FAILED_TITLE, message)
    return 1


def _fault_words(error: BaseException) -> str:
    """A fault in plain words: ours are already worded; the OS's get its reason and the file."""
    if isinstance(error, (StoreError, DataDirError, MissingResourceError, InstanceLockedError)):
        return str(error)
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        return f"The computer refused a file operation: {error.strerror or error}{where}."
    return (f"Unexpected error ({type(error).__name__}): {error}. "
            "What was saved before is safe; the last action may not have been saved.")


def _report_uncaught(show_error: ErrorDialog, previous) -> Callable:
    """``sys.excepthook`` while the window runs: an error in a click handler becomes a message."""

    def hook(kind, error, trace) -> None:
        if not isinstance(error, Exception):
            return previous(kind, error, trace)
        if not isinstance(error, (StoreError, OSError, MissingResourceError)):
            previous(kind, error, trace)  # a bug: keep its traceback in the log for support
        message = _fault_words(error)
        print(f"meso-kiosk: {message}", file=sys.stderr)
        show_error(RUNTIME_ERROR_TITLE, message)

    return hook


def _schedule_auto_backup(kiosk: Kiosk, parent) -> QTimer:
    """Today's automatic backup soon after start, then a look every hour (settings ``backup.*``)."""
    from ..services.backup import BackupError, auto_backup_if_due

    def run() -> None:
        try:
            report = auto_backup_if_due(kiosk)
        except (BackupError, StoreError, OSError) as error:
            print(f"meso-kiosk: automatic backup failed: {_fault_words(error)}", file=sys.stderr)
            return
        if report is not None:
            print(f"meso-kiosk: automatic {report.summary()}", file=sys.stderr)

    timer = QTimer(parent)
    timer.setInterval(AUTO_BACKUP_CHECK_MS)
    timer.timeout.connect(run)
    timer.start()
    first = QTimer(timer)  # the first look soon after start, once the window is up
    first.setSingleShot(True)
    first.setInterval(30_000)
    first.timeout.connect(run)
    first.start()
    return timer


def _stop_timers(timer: QTimer | None) -> None:
    if timer is not None:
        for each in (timer, *timer.findChildren(QTimer)):
            each.stop()


def run_gui(data_dir: Path, *, kiosk_mode: bool = False, demo: bool = False,
            show_error: ErrorDialog = show_error_dialog) -> int:
    """Open the installation and run the window; every failure ends in a message, not a traceback.

    ``show_error(title, message)`` shows it (tests inject their own, so no modal stays open).
    """
    app = _application()
    lock = InstanceLock(data_dir)
    try:
        prepare_data_dir(data_dir)
        lock.acquire()
        kiosk = open_kiosk(data_dir)
    except Exception as error:  # noqa: BLE001 — the contract: a message, never a traceback
        lock.release()
        return _fail(show_error, _fault_words(error))
    previous_hook = sys.excepthook
    sys.excepthook = _report_uncaught(show_error, previous_hook)
    backup_timer = window = None
    try:
        if demo:
            print(seed_demo(kiosk).message, file=sys.stderr)
        with stylesheet_after(app):  # styled once, not once per widget added (see deferred_style)
            window = build_main_window(kiosk)
        if kiosk_mode:
            window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            window.showFullScreen()
        else:
            window.resize(1280, 800)
            window.show()
        backup_timer = _schedule_auto_backup(kiosk, window)
        install_idle_lock(window, kiosk.accounts.idle_lock_seconds)  # admin's setting, default 2 minutes
        if os.environ.get(EXIT_AFTER_FIRST_PAINT_ENV):
            from .first_paint import quit_after_first_paint

            quit_after_first_paint(app, window)
        return app.exec()
    except Exception as error:  # noqa: BLE001
        return _fail(show_error, _fault_words(error))
    finally:
        _stop_timers(backup_timer)  # no backup of a closed database later
        if window is not None and shiboken6.isValid(window):
            window.close()
            shiboken6.delete(window)  # and no timer of the window (idle lock) reading it after close
        sys.excepthook = previous_hook
        kiosk.close()
        lock.release()
