"""``MESO_KIOSK_EXIT_AFTER_FIRST_PAINT``: quit once the main window's first frame is painted.

Quitting at the event loop's first turn would stop after the window is exposed but before
any widget has painted (measured: only the expose reached the window); this waits for the
first paint of a widget in the window, lets that paint pass finish, then quits. A safety
timer quits anyway, so a test or benchmark never hangs on a platform that paints nothing.
Both the filter and the timer belong to the window and end with the first quit, so a
test that calls ``run_gui`` in-process is not quit later by a leftover timer.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

SAFETY_MS = 20_000


class _FirstPaint(QObject):
    def __init__(self, app: QApplication, window: QWidget):
        super().__init__(window)
        self._app = app
        self._window = window
        self.painted = False
        self.safety = QTimer(self)
        self.safety.setSingleShot(True)
        self.safety.setInterval(SAFETY_MS)
        self.safety.timeout.connect(self._quit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if (not self.painted and event.type() == QEvent.Type.Paint and isinstance(watched, QWidget)
                and watched.window() is self._window):
            self.painted = True
            QTimer.singleShot(0, self, self._quit)  # after the whole first frame
        return False

    def _quit(self) -> None:
        self.safety.stop()
        self._app.removeEventFilter(self)
        self._app.quit()


def quit_after_first_paint(app: QApplication, window: QWidget) -> _FirstPaint:
    watcher = _FirstPaint(app, window)
    app.installEventFilter(watcher)
    watcher.safety.start()
    return watcher
