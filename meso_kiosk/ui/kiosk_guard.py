"""``--kiosk``: the window stays in front and full screen, and closes only with a consultant's PIN.

A patient left with the tablet (or anyone at the lock screen) must not reach the desktop:
Alt+F4, the window manager's close and Ctrl+Q ask for a PIN (``KioskQuitPin``); the app's
own shutdown (a failed start, the event loop's end) is not asked, since ``aboutToQuit``
disarms the guard. A window minimised, un-fullscreened or sent behind another one (Super+D,
another app activated) comes back after a short pause, unless one of the app's own dialogs
holds the focus (the PIN prompt, a message box, the print dialog): those it never fights.
The operating system can still do more (a task switcher, another session); README's
"Locking down the machine" says how to close those doors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

if TYPE_CHECKING:
    from ..services.accounts import AccountService
    from .main_window import MainWindow
    from .widgets.kiosk_quit_pin import KioskQuitPin

# Long enough for a window manager's own sequence (minimise, then deactivate) to settle, and
# for one of the app's dialogs to take the focus first; short enough to feel immediate.
RESTORE_DELAY_MS = 300
WATCHED = (QEvent.Type.WindowStateChange, QEvent.Type.ActivationChange)


def guard_kiosk(window: MainWindow, accounts: Callable[[], AccountService | None]) -> KioskGuard:
    """Show ``window`` full screen and frameless, held there; the guard is ``window.kiosk_guard``."""
    window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
    window.showFullScreen()
    window.kiosk_guard = KioskGuard(window, accounts)
    return window.kiosk_guard


class KioskGuard(QObject):
    """Watches one window: brings it back (``restore``) and decides whether it may close."""

    def __init__(self, window: QMainWindow, accounts: Callable[[], AccountService | None]):
        super().__init__(window)
        self._window = window
        self._accounts = accounts
        self.armed = True
        self._closing = False  # the close that follows a right PIN
        self.prompt: KioskQuitPin | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RESTORE_DELAY_MS)
        self.timer.timeout.connect(self.restore)
        window.installEventFilter(self)
        QCoreApplication.instance().aboutToQuit.connect(self.disarm)

    def disarm(self) -> None:
        """The app is shutting down by itself: let the window go."""
        self.armed = False
        self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() in WATCHED:
            self.timer.start()  # (re)started: a burst of changes is looked at once, when it ends
        return False

    # -- staying in front -------------------------------------------------------
    def restore(self) -> None:
        """Full screen and in front again, unless the app itself put something over the window."""
        window = self._window
        if not self.armed or not window.isVisible():
            return
        if self.own_dialog_open():
            self.timer.start()  # looked at again once the dialog is gone (its closing may change nothing here)
            return
        state = window.windowState()
        if state & Qt.WindowState.WindowMinimized or not state & Qt.WindowState.WindowFullScreen:
            window.showFullScreen()
        if not window.isActiveWindow():
            window.raise_()
            window.activateWindow()

    def own_dialog_open(self) -> bool:
        """One of the app's dialogs or menus is up (or has the focus): it is left alone."""
        if QApplication.activeModalWidget() is not None or QApplication.activePopupWidget() is not None:
            return True
        active = QApplication.activeWindow()
        return active is not None and active is not self._window

    # -- closing ------------------------------------------------------------------
    def close_allowed(self) -> bool:
        """Whether a close may go on now; if not, the PIN prompt is shown (the window's
        ``closeEvent`` ignores the close) and a right PIN closes the window again."""
        if not self.armed or self._closing:
            return True
        self.ask_pin()
        return False

    def ask_pin(self) -> None:
        accounts = self._accounts()
        if accounts is None:  # the first frame, before the store is open: nothing to check a PIN with
            return
        if self.prompt is None:
            from .widgets.kiosk_quit_pin import KioskQuitPin  # the pages' widgets: not before they are needed

            self.prompt = KioskQuitPin(accounts, self._signed_in, self._window)
            self.prompt.accepted.connect(self._close_after_pin)
            sign_in = self._window.sign_in
            if sign_in is not None:  # it names who is signed in: asked again after a lock or a sign-in
                sign_in.locked.connect(self.prompt.reject)
                sign_in.signed_in.connect(self.prompt.reject)
        if not self.prompt.isVisible():
            self.prompt.ask()
        elif not self.prompt.isActiveWindow():  # asked again while it is up: bring it forward
            self.prompt.raise_()
            self.prompt.activateWindow()

    def _signed_in(self):
        sign_in = self._window.sign_in
        return sign_in.consultant if sign_in is not None else None

    def _close_after_pin(self) -> None:
        """A right PIN: the window closes as any close would (unsaved details are still asked about)."""
        self._closing = True
        try:
            self._window.close()
        finally:
            self._closing = False
