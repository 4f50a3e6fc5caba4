"""Composition root: open the installation, build every service and screen, run the window.

A cold start paints before it opens the store (issue 8): the lock screen's names are read
straight from the database file (``read_lock_roster``), the window shows them
(``opening_window``), and the store, the services, the lock screen and the pages follow
that first frame (``finish_window``). A database that read cannot take (none yet, to
migrate, unreadable) is opened first, as always, so its faults are said before any window;
what only the store's open finds (a lost audit key, a failed integrity check) ends the
start after the first frame, the window taken away, with the same message and exit code.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

# The Qt-free half first, on purpose: once PySide6 is imported, its import hook reads the
# source of every module imported after it (inspect.getsource, for ``__feature__``).
from ..config import DataDirError, prepare_data_dir  # isort: skip
from ..resources import MissingResourceError, resource_path  # isort: skip
from ..services.errors import WordedError  # isort: skip
from ..services.clinic_data import check_clinic_data  # isort: skip
from ..services.reference import AppInfo, app_info  # isort: skip
from ..store.consultant_accounts import ConsultantAccount  # isort: skip
from ..store.errors import StoreError  # isort: skip
from ..store.instance_lock import InstanceLock, InstanceLockedError  # isort: skip
from ..store.lock_roster import LockRoster, read_lock_roster  # isort: skip

import shiboken6  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from .deferred_style import stylesheet_after
from .display_check import display_problem
from .first_paint import after_first_paint
from .main_window import MainWindow
from .pages.lock_opening import LockOpening
from .qt_messages import quiet_qt_messages
from .theme import apply_font, apply_style, style_arguments

if TYPE_CHECKING:  # the services are imported after a cold start's first frame
    from ..services.kiosk import Kiosk
    from .sign_in import SignIn

# Set by tests and benchmarks: quit as soon as the first frame is painted.
EXIT_AFTER_FIRST_PAINT_ENV = "MESO_KIOSK_EXIT_AFTER_FIRST_PAINT"


def opening_window(clinic_name: str, accounts: Sequence[ConsultantAccount], info: AppInfo | None = None) -> MainWindow:
    """The window as a cold start paints it: the lock screen's face (header and name tiles),
    built from plain names, before the store, the services or Qt's ``Qt`` namespace are
    loaded (see ``pages.lock_opening``). ``finish_window`` makes it the app. ``info``:
    app.toml's, when the caller has read it already (else read here)."""
    info = info or app_info()
    return MainWindow(title=f"{info.title} — {clinic_name}",
                      opening=LockOpening(clinic_name, info.title, accounts, resource_path(info.icon)))


def finish_window(window: MainWindow, kiosk: Kiosk, actor: Callable[[], str] | None = None, *,
                  info: AppInfo | None = None) -> None:
    """The lock screen over the opening (locked), and the pages, built at ``window.ensure_pages()``.

    Changes are attributed to the consultant who unlocked the app ("kiosk" while nobody
    has); tests may pass a fixed ``actor`` instead. ``info``: as for ``opening_window``.
    """
    from PySide6.QtGui import QIcon

    from .navigator import lock_window
    from .sign_in import SignIn

    info = info or app_info()
    # The window's icon (title bar, task bar) after the first frame, which does not show it.
    window.setWindowIcon(QIcon(str(resource_path(info.icon))))
    sign_in = SignIn(window)
    actor = actor or sign_in.actor
    window.sign_in = sign_in
    window.add_quit_shortcut()
    lock_window(window, kiosk.accounts, sign_in)  # the app opens locked
    window.defer_pages(lambda built: _build_pages(built, kiosk, info, sign_in, actor))


def build_main_window(kiosk: Kiosk, actor: Callable[[], str] | None = None, *,
                      defer_pages: bool = False, info: AppInfo | None = None) -> MainWindow:
    """The main window, locked on the lock screen, with every page (``window.workspace`` ...).

    ``defer_pages``: only the lock screen now; the pages come with ``window.ensure_pages()``
    (showing the patient list after a right PIN calls it too).
    """
    info = info or app_info()
    window = opening_window(kiosk.clinic.profile().name, kiosk.accounts.lock_accounts(), info)
    finish_window(window, kiosk, actor, info=info)
    if not defer_pages:
        window.ensure_pages()
    return window


def start_window(roster: LockRoster | None, kiosk: Kiosk | None, info: AppInfo) -> MainWindow:
    """The window ``run_gui`` shows first: the opening from ``roster``, or, when the store had
    to be opened first (no roster), the lock screen itself."""
    if roster is not None:
        # Built without the stylesheet and styled once built (see deferred_style): even for
        # the first frame's few widgets, 1.2 % fewer instructions to the first paint than
        # built under it (callgrind: 733 M against 742 M; the bare window 619 M).
        with stylesheet_after(QApplication.instance()):
            return opening_window(roster.clinic_name, roster.accounts, info)
    return build_main_window(kiosk, defer_pages=True, info=info)


def _build_pages(window: MainWindow, kiosk: Kiosk, info: AppInfo, sign_in: SignIn,
                 actor: Callable[[], str]) -> None:
    # Imported here: the page modules (and what they import) are not needed for the lock screen.
    from ..services.reference import languages
    from ..services.restore_notice import take_restore_notice
    from .pages.coming_next import ComingNextPage
    from .pages.consent import ConsentPage
    from .pages.course import CoursePage
    from .pages.handoff import HandoffPage
    from .pages.intake import IntakePage
    from .navigator import connect_handoff, wire_screen_lock
    from .pages.lot_recall import LotRecallPage
    from .pages.new_patient import NewPatientPage
    from .pages.patient_details import PatientDetailsPage
    from .pages.patients import PatientsPage
    from .pages.scalp_map import ScalpMapPage
    from .pages.step import held_by_intake_stops
    from .pages.summary import SummaryPage
    from .pages.workspace import WorkspacePage

    langs = languages(kiosk.clinic_data)
    details = PatientDetailsPage(kiosk.patients, langs, kiosk.clock, actor)
    def guard(step_id: str):  # an unhandled intake stop holds a step back
        return held_by_intake_stops(kiosk.intake.blocked_steps, step_id)

    pages = {step.id: ComingNextPage(step, guard=guard(step.id)) for step in info.steps if step.id != "intake"}
    pages["intake"] = IntakePage(kiosk.intake, details, kiosk.clock, actor)
    pages["scalp_map"] = ScalpMapPage(kiosk.sessions, kiosk.clock, actor, guard=guard("scalp_map"))
    pages["course"] = CoursePage(kiosk.course, kiosk.clock, kiosk.paths.exports, actor, guard=guard("course"))
    current_consultant = lambda: sign_in.consultant  # noqa: E731 — who countersigns and takes the tablet back
    pages["consent"] = ConsentPage(kiosk.consents, kiosk.accounts, kiosk.clock, current_consultant,
                                   guard=guard("consent"))
    pages["summary"] = SummaryPage(kiosk.export, kiosk.clock, actor, guard=guard("summary"))
    workspace = WorkspacePage(info.steps, pages, kiosk.clock)
    window.set_pages(
        patients_page=PatientsPage(kiosk.patients, kiosk.clock.today),
        new_patient_page=NewPatientPage(kiosk.patients, langs, actor),
        workspace=workspace,
        details_page=details,
    )
    window.attach_lot_recall(LotRecallPage(kiosk.sessions, kiosk.patients, kiosk.clock))
    connect_handoff(window, pages["consent"], HandoffPage(kiosk.consents, kiosk.accounts, kiosk.clock,
                                                          current_consultant),
                    after_exit=pages["scalp_map"].refresh)  # a new signature opens the session gate
    wire_screen_lock(window, kiosk.accounts, sign_in)
    sign_in.signed_in.connect(lambda _account: window.patients_page.show_restore_notice(
        take_restore_notice(kiosk.store, kiosk.clock, actor())))
    window.lock_page.ensure_pin_view()  # ready before the first name is touched


def _application() -> QApplication:
    app = QApplication.instance()
    made_here = app is None
    if made_here:
        quiet_qt_messages()
        app = QApplication(style_arguments(sys.argv))
    app.setApplicationName("Meso Kiosk")
    app.setOrganizationName("MesoKiosk")
    apply_style(app, style_given=made_here)  # the font follows the first frame (run_gui)
    return app


START_FAILED_TITLE = "Meso Kiosk cannot start"
RUNTIME_ERROR_TITLE = "Meso Kiosk: something went wrong"
# How often the running app looks whether today's automatic backup is due.
AUTO_BACKUP_CHECK_MS = 60 * 60 * 1000
ErrorDialog = Callable[[str, str], None]
# How often the starting app looks whether the database's open-time check has finished.
INTEGRITY_POLL_MS = 100


def show_error_dialog(title: str, message: str) -> None:
    """The default error dialog (none on the offscreen/minimal platforms of tests and CI)."""
    app = QApplication.instance()
    if app is not None and app.platformName() not in ("offscreen", "minimal"):
        from PySide6.QtWidgets import QMessageBox  # its class and enums only when there is an error

        QMessageBox.critical(None, title, message)


def _fail(show_error: ErrorDialog, message: str) -> int:
    print(f"meso-kiosk: {message}", file=sys.stderr)
    show_error(START_FAILED_TITLE, message)
    return 1


def _fault_words(error: BaseException) -> str:
    """A fault in plain words: ours are already worded; the OS's get its reason and the file."""
    if isinstance(error, (StoreError, DataDirError, MissingResourceError, InstanceLockedError, WordedError)):
        return str(error)
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        return f"The computer refused a file operation: {error.strerror or error}{where}."
    return (f"Unexpected error ({type(error).__name__}): {error}. "
            "What was saved before is safe; the last action may not have been saved.")


def _damage_behind(kiosk: Kiosk | None, error: Exception) -> Exception:
    """A read that failed while the open-time check still ran: the check's verdict says it better
    ("damaged ... restore it"), as it would have said before the window, had it run first."""
    if kiosk is not None and kiosk.store.integrity is not None and isinstance(error, sqlite3.DatabaseError):
        try:
            kiosk.store.wait_for_integrity()
        except StoreError as damage:
            return damage
    return error


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


def _schedule_auto_backup(kiosk: Kiosk, parent, show_problem: Callable[[str | None], None]) -> QTimer:
    """Today's automatic backup soon after start, then a look every hour (settings ``backup.*``).

    ``show_problem(words)`` puts a failure where the clinic sees it; ``None`` once one works again.
    """

    def run() -> None:
        from ..services.backup import BackupError, auto_backup_if_due  # not before the first frame

        try:
            kiosk.store.wait_for_integrity()  # a backup is of a checked database only
            report = auto_backup_if_due(kiosk)
        except (BackupError, StoreError, OSError) as error:
            words = _fault_words(error)
            print(f"meso-kiosk: automatic backup failed: {words}", file=sys.stderr)
            show_problem(words)
            return
        show_problem(None)
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


def _show_backup_problem(window: MainWindow, words: str | None) -> None:
    if window.patients_page is not None:  # None only until the pages are built after the first frame
        window.patients_page.show_backup_problem(words)


def _stop_timers(timer: QTimer | None) -> None:
    if timer is not None:
        for each in (timer, *timer.findChildren(QTimer)):
            each.stop()


def _open_kiosk(data_dir: Path, demo: bool) -> Kiosk:
    from ..services.kiosk import open_kiosk

    # The quick_check of a large database runs while the lock screen comes up; nothing
    # can be written (so no PIN can unlock) before it passed, see ``Store.write``.
    kiosk = open_kiosk(data_dir, check_in_background=True)
    if kiosk.tightened:
        print(f"meso-kiosk: made private to this user (others could read them): {', '.join(kiosk.tightened)}",
              file=sys.stderr)
    if demo:
        from ..services.demo import seed_demo

        try:
            print(seed_demo(kiosk).message, file=sys.stderr)
        except Exception as error:
            damage = _damage_behind(kiosk, error)  # before close() stops the open-time check
            kiosk.close()
            if damage is not error:
                raise damage from error
            raise
        except BaseException:
            kiosk.close()
            raise
    return kiosk


def run_gui(data_dir: Path, *, kiosk_mode: bool = False, demo: bool = False,
            show_error: ErrorDialog = show_error_dialog) -> int:
    """Open the installation and run the window; every failure ends in a message, not a traceback.

    ``show_error(title, message)`` shows it (tests inject their own, so no modal stays open).
    """
    problem = None if QApplication.instance() else display_problem()
    if problem:  # Qt would abort the process with a screenful
        return _fail(show_error, problem)
    app = _application()
    lock = InstanceLock(data_dir)
    kiosk: Kiosk | None = None
    try:
        paths = prepare_data_dir(data_dir)
        lock.acquire()
        # The demo may add consultants: its lock screen is read once it is seeded.
        roster = None if demo else read_lock_roster(paths.database)
        if roster is None:  # new, to migrate, damaged: opened (and its faults said) before any window
            kiosk = _open_kiosk(data_dir, demo)
    except Exception as error:  # noqa: BLE001 — the contract: a message, never a traceback
        lock.release()
        return _fail(show_error, _fault_words(error))
    previous_hook = sys.excepthook
    sys.excepthook = _report_uncaught(show_error, previous_hook)
    backup_timer = window = None
    try:
        exit_after_paint = bool(os.environ.get(EXIT_AFTER_FIRST_PAINT_ENV))
        start_failed: list[int] = []

        def start_fails(error: Exception) -> None:
            if window is not None and shiboken6.isValid(window):
                window.hide()  # no lock screen left frozen behind (or over) the message
            start_failed.append(_fail(show_error, _fault_words(_damage_behind(kiosk, error))))
            app.exit(1)

        def integrity_checked() -> bool:
            """True once the open-time check passed; a failed one ends the start like any fault."""
            check = kiosk.store.integrity
            if check is None or not (check.done or exit_after_paint):
                return check is None
            try:
                kiosk.store.wait_for_integrity()
            except Exception as error:  # noqa: BLE001
                start_fails(error)
                return False
            kiosk.store.integrity = None
            return True

        def finish_start() -> None:
            # Right after the first frame, in one turn of the event loop (nothing is painted
            # in between): the store and the lock screen behind the opening, then the pages.
            # A fault here (a missing resource file, say) ends the start as one before the
            # window would.
            nonlocal kiosk, backup_timer
            try:
                from .idle_lock import install_idle_lock

                apply_font(app)  # before the widgets built without the stylesheet measure text
                # Built without the stylesheet, styled once after (see deferred_style):
                # nothing is painted in between, so nothing flickers.
                with stylesheet_after(app):
                    if kiosk is None:
                        kiosk = _open_kiosk(data_dir, demo)
                        finish_window(window, kiosk, info=info)
                    # Every clinic data file, so a broken one is named before a patient sits down.
                    check_clinic_data(kiosk.clinic_data)
                    window.ensure_pages()
                # Not before the first frame: an application event filter in Python makes
                # PySide create a Python type for every object an event of the first show
                # reaches (~160 enum classes, ~20 ms measured), and there is no input to
                # watch until the window is up. It reads the admin's setting (default 2 minutes).
                install_idle_lock(window, kiosk.accounts.idle_lock_seconds)
                backup_timer = _schedule_auto_backup(kiosk, window,
                                                     lambda words: _show_backup_problem(window, words))
            except Exception as error:  # noqa: BLE001 — the contract: a message, never a traceback
                start_fails(error)
                return
            finally:
                gc.enable()  # started (or failed): off while starting, see cli.main
            if exit_after_paint:  # tests and benchmarks: the app has started, pages and all
                if integrity_checked():
                    app.quit()
                return
            if not integrity_checked() and not start_failed:
                poll = QTimer(window)
                poll.setInterval(INTEGRITY_POLL_MS)
                poll.timeout.connect(lambda: (integrity_checked() or start_failed) and poll.stop())
                poll.start()

        info = app_info()  # read once: the first frame's title and icon, then the pages' steps
        window = start_window(roster, kiosk, info)
        # Watched once built, and on the page shown alone: a Python application event filter
        # costs each event a wrapper and a call (~35 ms measured for the ~1000 of building
        # the lock screen). The rest comes one more turn after the frame, so another watcher
        # of the same frame (a benchmark's) sees it before.
        pages_after_paint = after_first_paint(app, lambda: QTimer.singleShot(0, window, finish_start))
        pages_after_paint.watch(window, painted_first=window.stack.currentWidget())
        if kiosk_mode:
            from PySide6.QtCore import Qt  # (the frameless hint is a Qt enum: its namespace is built here)

            window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            window.showFullScreen()
        else:
            window.resize(1280, 800)
            window.show()
        code = app.exec()
        return start_failed[0] if start_failed else code
    except Exception as error:  # noqa: BLE001
        return _fail(show_error, _fault_words(_damage_behind(kiosk, error)))
    finally:
        _stop_timers(backup_timer)  # no backup of a closed database later
        if window is not None and shiboken6.isValid(window):
            window.close()
            shiboken6.delete(window)  # and no timer of the window (idle lock) reading it after close
        sys.excepthook = previous_hook
        if kiosk is not None:
            kiosk.close()
        lock.release()
