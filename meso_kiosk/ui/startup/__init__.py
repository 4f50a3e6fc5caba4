"""The window's start: how its first frame is made, and everything made only for it.

``meso-kiosk`` paints the lock screen's face (``lock_opening``) from names read straight
from the database file, then opens the store and builds the pages (``launch``). Besides
this package the first frame uses only plain modules (the configuration, the lock roster,
the reference lists, the main window, the theme). What it may not import is held by one
test (tests/ui/test_cold_start.py).

Start-up tricks are kept here and only here, each where it is used with the reason beside
it, and only while the benchmark (benchmarks/run.py, cold_start) shows it worth keeping:
- the garbage collector rests while Qt is imported and the first frame built (``run_gui``);
- the Qt-free modules are imported before PySide6 and its import hook (``launch``);
- the first frame never touches PySide's ``Qt`` namespace: its Qt values are numbers set
  through properties (``lock_opening``), and a kiosk start alone builds it (``launch._show``);
- its two icons are read from PNG copies, not through QIcon and Qt's SVG plugin
  (``lock_opening.icon_pixmap``, ``icon_copies``);
- the theme's style is named on Qt's command line (``window.application``);
- app.toml (the window's title and icon) is read by ``app_file`` with the loader's parser,
  not through the clinic data loader, which imports the domain's parser of every clinic
  file (a file it cannot take is read again through the loader, which names the fault);
- the first paint is watched on the page it paints, not by an application filter
  (``first_paint``), and what the first frame does not show (the store, the services,
  the composition root and its pages, the idle lock) comes after it (``launch``);
- the first frame, and the pages after it, are built without the stylesheet and styled
  once (``deferred_style``);
- ctypes is imported for the X11 check alone (``display_check``), QMessageBox for an
  error alone (``faults``);
- the records on the first frame's path (``DataPaths``, ``Language``, ``Step``, ``AppInfo``,
  ``ConsultantAccount``, ``LockRoster``) are NamedTuples, not dataclasses: a dataclass
  compiles its generated methods when its class is made.
The first frame's stylesheet, ctypes and QMessageBox are each worth less than the other
tricks, but together they keep the first frame within the benchmark's target (1.3 times
a bare PySide6 window).
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Callable


def run_gui(data_dir: Path, *, kiosk_mode: bool = False, demo: bool = False,
            show_error: Callable[[str, str], None] | None = None) -> int:
    """``launch.run_gui`` (see there), with Python's cyclic garbage collector off until the
    pages are built: importing Qt and building the first frame make a few hundred thousand
    objects, none of them garbage, that its passes would walk again and again."""
    gc.disable()
    try:
        from .launch import run_gui as run  # imported with the collector off (Qt's import is most of those objects)

        return run(data_dir, kiosk_mode=kiosk_mode, demo=demo, show_error=show_error)
    finally:
        gc.enable()
