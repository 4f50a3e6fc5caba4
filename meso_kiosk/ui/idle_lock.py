"""Idle auto-lock: lock the kiosk after a while without a touch, and when the app goes to the background.

``IdleLock`` is an event filter on the whole application: every mouse, touch, tablet, key
or wheel event counts as "someone is here". It does not restart a timer for each event
(that would be thousands of timer restarts a minute while someone draws a signature): it
notes the time, and one single-shot timer checks, when it fires, whether the idle time
has really passed. The timeout is read through a callable each time, so an admin's new
setting applies without a restart and tests can inject ~0.2 s.
"""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication

INPUT_EVENTS = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove, QEvent.Type.Wheel,
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride,
    QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd, QEvent.Type.TouchCancel,
    QEvent.Type.TabletPress, QEvent.Type.TabletMove, QEvent.Type.TabletRelease,
    QEvent.Type.InputMethod, QEvent.Type.Gesture, QEvent.Type.NativeGesture,
})
BACKGROUND_STATES = frozenset({
    Qt.ApplicationState.ApplicationInactive, Qt.ApplicationState.ApplicationHidden,
    Qt.ApplicationState.ApplicationSuspended,
})


class IdleLock(QObject):
    """Calls ``lock()`` after ``timeout_seconds()`` without user input, or when the app loses focus.

    ``lock`` must be safe to call when already locked (``ScreenLock.lock`` is). Start with
    ``start()``; ``stop()`` removes the filter (tests, shutdown).
    """

    def __init__(self, app: QGuiApplication, lock: Callable[[], None], timeout_seconds: Callable[[], float],
                 *, clock: Callable[[], float] = time.monotonic, parent: QObject | None = None):
        super().__init__(parent)
        self._app = app
        self._lock = lock
        self._timeout_seconds = timeout_seconds
        self._clock = clock
        self._last_input = clock()
        self._running = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setTimerType(Qt.TimerType.CoarseTimer)
        self.timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        if self._running:
            return
        self._running = True
        self._last_input = self._clock()
        self._app.installEventFilter(self)
        self._app.applicationStateChanged.connect(self._on_app_application_state_changed)
        self._arm(self._timeout())

    def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        self.timer.stop()
        self._app.removeEventFilter(self)
        self._app.applicationStateChanged.disconnect(self._on_app_application_state_changed)

    def is_running(self) -> bool:
        return self._running

    def idle_seconds(self) -> float:
        return self._clock() - self._last_input

    def touch(self) -> None:
        """Count as user input now (also what every input event does)."""
        self._last_input = self._clock()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() in INPUT_EVENTS:
            self._last_input = self._clock()
        return False  # only watching: the event goes on as usual

    # ------------------------------------------------------------ handlers

    def _timeout(self) -> float:
        return max(float(self._timeout_seconds()), 0.05)

    def _arm(self, seconds: float) -> None:
        self.timer.start(max(int(seconds * 1000), 10))

    def _on_timer_timeout(self) -> None:
        if not self._running:
            return
        timeout = self._timeout()
        idle = self.idle_seconds()
        if idle >= timeout:
            self._lock()
            self._last_input = self._clock()  # the next lock only after another full idle period
            self._arm(timeout)
        else:
            self._arm(timeout - idle)

    def _on_app_application_state_changed(self, state: Qt.ApplicationState) -> None:
        if self._running and state in BACKGROUND_STATES:
            self._lock()


def install_idle_lock(window, timeout_seconds: Callable[[], float],
                      app: QGuiApplication | None = None) -> IdleLock:
    """Start the idle lock for ``window`` (built by ``build_main_window``): locks its ``screen_lock``.

    The composition root passes ``kiosk.accounts.idle_lock_seconds`` (the admin's setting).
    """
    app = app or QGuiApplication.instance()
    idle = IdleLock(app, window.screen_lock.lock, timeout_seconds, parent=window)
    window.idle_lock = idle
    app.aboutToQuit.connect(idle.stop)  # no check of the (soon closed) database after the window's run
    idle.start()
    return idle
