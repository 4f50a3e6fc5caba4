"""Run something right after the main window's first frame has been painted.

The app opens on the lock screen's face (``startup.lock_opening``), and that is all its
first frame shows: the start (``startup.launch``) opens the store and builds the lock
screen and the other pages right after that frame (``after_first_paint``), so a cold start
paints as soon as that face exists. With ``MESO_KIOSK_EXIT_AFTER_FIRST_PAINT`` set (tests,
installers' smoke runs) it then quits, once the pages are built.

Acting at the event loop's first turn would come after the window is exposed but before
any widget has painted (only the expose has reached the window then); this waits for the
first paint of a widget in the window, lets that paint pass finish, then acts. A safety
timer acts anyway, so nothing hangs on a platform that paints nothing. The filter and the
timer belong to the window: nothing runs for a window already closed.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

SAFETY_MS = 3_000


class _AfterFirstPaint(QObject):
    """Calls ``then`` once, at the first turn of the event loop after the window's first frame."""

    def __init__(self, app: QApplication, then: Callable[[], None]):
        super().__init__()
        self._app = app
        self._then = then
        self._window: QWidget | None = None
        self._painted_first: QWidget | None = None
        self.done = False
        self.safety = QTimer(self)
        self.safety.setSingleShot(True)
        self.safety.setInterval(SAFETY_MS)
        self.safety.timeout.connect(self._run)

    def watch(self, window: QWidget, *, painted_first: QWidget | None = None) -> None:
        """Act after ``window``'s first frame; ``painted_first``: a widget that frame paints,
        whose events alone are then looked at (an application filter would cost each event
        of the first show a call into Python)."""
        self._window = window
        self.setParent(window)  # ends with the window: nothing runs for a closed one
        if painted_first is not None:
            self._app.removeEventFilter(self)
            painted_first.installEventFilter(self)
            self._painted_first = painted_first
        self.safety.start()

    def stop(self) -> None:
        """Never run (the window could not be built)."""
        self.done = True
        self.safety.stop()
        self._app.removeEventFilter(self)
        self.deleteLater()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if (not self.done and self._window is not None and event.type() == QEvent.Type.Paint
                and isinstance(watched, QWidget) and watched.window() is self._window):
            self.done = True
            self._unwatch()
            QTimer.singleShot(0, self, self._run)  # after the whole first frame
        return False

    def _unwatch(self) -> None:
        self._app.removeEventFilter(self)
        if self._painted_first is not None:
            self._painted_first.removeEventFilter(self)
            self._painted_first = None

    def _run(self) -> None:
        if self._window is None or self._then is None:
            return
        self.done = True
        self.safety.stop()
        self._unwatch()
        then, self._then = self._then, None  # once, whichever of paint and safety timer comes first
        then()


def after_first_paint(app: QApplication, then: Callable[[], None]) -> _AfterFirstPaint:
    """Run ``then`` right after the first frame of the window given to ``.watch(window)``.

    The start makes it once the window is built (an application filter would cost each
    event of building a call) and watches the page shown first; ``then`` comes one more
    turn after the paint, so a watcher on the window itself (a benchmark's, which paints
    first) sees the frame before the pages are built.
    """
    watcher = _AfterFirstPaint(app, then)
    app.installEventFilter(watcher)
    return watcher
