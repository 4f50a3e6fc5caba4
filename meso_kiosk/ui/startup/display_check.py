"""Can Qt open a window here? Asked before the QApplication exists, on Linux's X11.

When a system library of Qt's xcb platform plugin is missing, or there is no display, Qt
prints a screenful (naming libxcb-cursor0 whichever library is missing) and aborts the
process. Said here instead, in one line naming the Debian/Ubuntu packages to install.
"""

from __future__ import annotations

import os
import sys
from typing import Callable, Mapping

# Each shared library the xcb plugin loads (PySide6's wheel does not ship them) → the
# Debian/Ubuntu package that installs it; README's apt-get line for a real screen.
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
}
HEADLESS_HINT = "or set QT_QPA_PLATFORM=offscreen to run without a screen"


def _loads(library: str) -> bool:
    import ctypes  # only where the check runs (X11): a start elsewhere does without it

    try:
        ctypes.CDLL(library)  # the plugin loads it a moment later anyway
    except OSError:
        return False
    return True


def _uses_xcb(environ: Mapping[str, str]) -> bool:
    """Whether Qt will try its xcb plugin first (QT_QPA_PLATFORM may list several, ";"-separated;
    unset, Qt 6 prefers Wayland in a Wayland session)."""
    chosen = environ.get("QT_QPA_PLATFORM", "").split(";")[0].strip()
    if chosen:
        return chosen.startswith("xcb")
    return not environ.get("WAYLAND_DISPLAY")


def display_problem(environ: Mapping[str, str] = os.environ, platform: str = sys.platform,
                    loads: Callable[[str], bool] = _loads) -> str | None:
    """What stops Qt from opening a window, in one sentence; None when nothing does (or off X11)."""
    if not platform.startswith("linux") or not _uses_xcb(environ):
        return None
    missing = [package for library, package in XCB_LIBRARIES.items() if not loads(library)]
    if missing:
        return (f"Qt needs {', '.join(missing)} to open a window on an X11 screen: "
                f"sudo apt-get install {' '.join(missing)} ({HEADLESS_HINT}).")
    if not environ.get("DISPLAY"):
        return ("There is no screen to open the window on (DISPLAY is not set): start the app from the "
                f"desktop session ({HEADLESS_HINT}).")
    return None
