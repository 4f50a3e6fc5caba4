"""Qt's own messages off the terminal in normal use.

Qt prints platform chatter to stderr on its own ("This plugin does not support
propagateSizeHints()", xcb and input-method notes) that means nothing to a clinic and
breaks the command line's one-line contract. Its debug, info and warning messages are
dropped; critical and fatal ones (a real failure) still reach stderr, as one line each.
``MESO_KIOSK_QT_MESSAGES=1`` shows them all again, for support.

Only a QApplication the app made itself gets this handler: tests and the self-test install
their own to fail on Qt warnings.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

SHOW_ALL_ENV = "MESO_KIOSK_QT_MESSAGES"


def _to_terminal(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
        print(f"meso-kiosk: Qt: {' '.join(message.split())}", file=sys.stderr)


def quiet_qt_messages() -> None:
    """Install the handler above, unless ``MESO_KIOSK_QT_MESSAGES`` asks for Qt's own output."""
    if not os.environ.get(SHOW_ALL_ENV):
        qInstallMessageHandler(_to_terminal)
