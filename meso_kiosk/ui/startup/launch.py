"""One start of the window: a first frame from the lock roster, then the store and the pages.

A cold start paints before it opens the store: the lock screen's names are read straight
from the database file (``read_lock_roster``), the window shows them (``opening_window``),
and the store, the services, the lock screen and the pages follow that first frame
(``app.complete_window``). A database that read cannot take (none yet, to migrate,
unreadable) is opened first, as always, so its faults are said before any window; what
only the store's open finds (a lost audit key, a failed integrity check) ends the start
after the first frame, the window taken away, with the same message and exit code.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

# The Qt-free modules first: once PySide6 is imported, its import hook reads the source of
# every module imported after it (for its ``__feature__`` switches).
from ...config import prepare_data_dir  # isort: skip
from ...services.reference import AppInfo  # isort: skip
from .app_file import app_info  # isort: skip
from ...store.instance_lock import InstanceLock  # isort: skip
from ...store.lock_roster import LockRoster, read_lock_roster  # isort: skip

import shiboken6  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ..main_window import MainWindow
from .deferred_style import stylesheet_after
from .display_check import display_problem
from .faults import ErrorDialog, damage_behind, fail, fault_words, report_uncaught, show_error_dialog
from .first_paint import after_first_paint
from .window import application, opening_window, show_window

if TYPE_CHECKING:
    from types import ModuleType

    from ...services.kiosk import Kiosk

# Set by tests and benchmarks: quit as soon as the first frame is painted and the pages built.
EXIT_AFTER_FIRST_PAINT_ENV = "MESO_KIOSK_EXIT_AFTER_FIRST_PAINT"
# How often the starting app looks whether the database's open-time check has finished.
INTEGRITY_POLL_MS = 100


def run_gui(data_dir: Path, *, kiosk_mode: bool = False, demo: bool = False,
            show_error: ErrorDialog | None = None) -> int:
    """Open the installation and run the window; every failure ends in a message, not a traceback.

    ``show_error(title, message)`` shows it (default: a dialog; tests inject their own, so no
    modal stays open).
    """
    show_error = show_error or show_error_dialog
    problem = None if QApplication.instance() else display_problem()
    if problem:  # Qt would abort the process with a screenful
        return fail(show_error, problem)
    app = application()
    lock = InstanceLock(data_dir)
    try:
        roster, kiosk = _open_installation(data_dir, demo, lock)
    except Exception as error:  # noqa: BLE001 — the contract: a message, never a traceback
        lock.release()
        return fail(show_error, fault_words(error))
    start = WindowStart(app, data_dir, demo, show_error, kiosk)
    previous_hook = sys.excepthook
    sys.excepthook = report_uncaught(show_error, previous_hook)
    try:
        return start.run(roster, kiosk_mode)
    except Exception as error:  # noqa: BLE001
        return fail(show_error, fault_words(damage_behind(start.kiosk, error)))
    finally:
        start.close()
        sys.excepthook = previous_hook
        lock.release()


def _open_installation(data_dir: Path, demo: bool, lock: InstanceLock) -> tuple[LockRoster | None, Kiosk | None]:
    """The lock roster for the first frame; when there is none (new, to migrate, damaged, or a
    demo to seed first, which may add consultants), the store, opened before any window so
    that its faults are said first."""
    paths = prepare_data_dir(data_dir)
    lock.acquire()
    roster = None if demo else read_lock_roster(paths.database)
    return roster, (open_kiosk(data_dir, demo) if roster is None else None)


def open_kiosk(data_dir: Path, demo: bool) -> Kiosk:
    """The installation, opened; with ``demo``, seeded first."""
    # Imported here, not at the top: the services are not needed for the first frame.
    from ...services.kiosk import open_kiosk as open_store

    # The quick_check of a large database runs while the lock screen comes up; nothing
    # can be written (so no PIN can unlock) before it passed, see ``Store.write``.
    kiosk = open_store(data_dir, check_in_background=True)
    if kiosk.tightened:
        print(f"meso-kiosk: made private to this user (others could read them): {', '.join(kiosk.tightened)}",
              file=sys.stderr)
    if not demo:
        return kiosk
    from ...services.demo.seed import seed_demo  # only for a demo

    try:
        print(seed_demo(kiosk).message, file=sys.stderr)
    except Exception as error:
        damage = damage_behind(kiosk, error)  # before close() stops the open-time check
        kiosk.close()
        if damage is not error:
            raise damage from error
        raise
    except BaseException:
        kiosk.close()
        raise
    return kiosk


def start_window(roster: LockRoster | None, kiosk: Kiosk | None, info: AppInfo) -> MainWindow:
    """The window shown first: the opening from ``roster``, or, when the store had to be opened
    first (no roster), the lock screen itself."""
    if roster is not None:
        # Built without the stylesheet, styled once built (see deferred_style): even the few
        # widgets of the first frame are otherwise styled again each time one is added.
        with stylesheet_after(QApplication.instance()):
            return opening_window(roster.clinic_name, roster.accounts, info)
    from .. import app as composition  # the composition root: not needed when there is a roster

    return composition.build_main_window(kiosk, defer_pages=True, info=info)


class WindowStart:
    """The window's first frame, then (``finish``) the store, the lock screen and the pages;
    a fault at any step ends the start with one message and exit code 1."""

    def __init__(self, app: QApplication, data_dir: Path, demo: bool, show_error: ErrorDialog,
                 kiosk: Kiosk | None):
        self.app, self.data_dir, self.demo, self.show_error = app, data_dir, demo, show_error
        self.kiosk = kiosk
        self.window: MainWindow | None = None
        self.failed_code: int | None = None
        self.exit_after_paint = bool(os.environ.get(EXIT_AFTER_FIRST_PAINT_ENV))
        self.info: AppInfo | None = None
        self._composition: ModuleType | None = None
        self._backup_timer: QTimer | None = None

    def run(self, roster: LockRoster | None, kiosk_mode: bool) -> int:
        self.info = app_info()  # read once: the first frame's title and icon, then the pages' steps
        self.window = start_window(roster, self.kiosk, self.info)
        # Watched on the page shown first, not by an application filter (which every event of
        # building and showing would call into Python). The rest comes one more turn after the
        # frame, so another watcher of the same frame (a benchmark's) sees it before.
        watcher = after_first_paint(self.app, lambda: QTimer.singleShot(0, self.window, self.finish))
        watcher.watch(self.window, painted_first=self.window.stack.currentWidget())
        show_window(self.window, kiosk_mode, lambda: self.kiosk.accounts if self.kiosk is not None else None)
        code = self.app.exec()
        return code if self.failed_code is None else self.failed_code

    def finish(self) -> None:
        """Right after the first frame, in one turn of the event loop (nothing is painted in
        between): the store and the lock screen behind the opening, then the pages. A fault
        here (a missing resource file, say) ends the start as one before the window would."""
        try:
            from .. import app as composition  # the composition root and the pages: after the first frame

            self._composition = composition
            with stylesheet_after(self.app):  # built unstyled, styled once (see deferred_style)
                lock_screen = self.kiosk is None
                if lock_screen:
                    self.kiosk = open_kiosk(self.data_dir, self.demo)
                composition.complete_window(self.window, self.kiosk, self.info, lock_screen=lock_screen)
            self._backup_timer = composition.start_timers(self.window, self.kiosk)
        except Exception as error:  # noqa: BLE001 — the contract: a message, never a traceback
            self.fail(error)
            return
        finally:
            gc.enable()  # started (or failed): see ``startup.run_gui``
        if self.exit_after_paint:  # tests and benchmarks: the app has started, pages and all
            if self.integrity_checked():
                self.app.exit(0)  # not quit(): that asks the windows to close, which --kiosk refuses
            return
        if not self.integrity_checked() and self.failed_code is None:
            poll = QTimer(self.window)
            poll.setInterval(INTEGRITY_POLL_MS)
            poll.timeout.connect(lambda: (self.integrity_checked() or self.failed_code is not None) and poll.stop())
            poll.start()

    def integrity_checked(self) -> bool:
        """True once the open-time check passed; a failed one ends the start like any fault."""
        check = self.kiosk.store.integrity
        if check is None or not (check.done or self.exit_after_paint):
            return check is None
        try:
            self.kiosk.store.wait_for_integrity()
        except Exception as error:  # noqa: BLE001
            self.fail(error)
            return False
        self.kiosk.store.integrity = None
        return True

    def fail(self, error: Exception) -> None:
        if self.window is not None and shiboken6.isValid(self.window):
            self.window.hide()  # no lock screen left frozen behind (or over) the message
        self.failed_code = fail(self.show_error, fault_words(damage_behind(self.kiosk, error)))
        self.app.exit(1)

    def close(self) -> None:
        if self._composition is not None:
            self._composition.stop_timers(self._backup_timer)  # no backup of a closed database later
        if self.window is not None and shiboken6.isValid(self.window):
            self.window.close()
            shiboken6.delete(self.window)  # and no timer of the window (idle lock) reading it after close
        if self.kiosk is not None:
            self.kiosk.close()
