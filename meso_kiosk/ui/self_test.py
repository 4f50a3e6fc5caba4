"""The self-test's window part: build the real main window offscreen and show every page.

``meso-kiosk self-test`` runs the headless steps of ``services.self_test`` first, then
these: the composition root builds the window (it opens locked), the self-test's
consultant signs in programmatically, and each screen — the patient list, the new-patient
form, lot recall, the admin page, the lock screen, and every workspace step for the
self-test's patient — is made current and painted. A step fails when Qt warns while it
runs (a missing plugin, font or image shows up there), when an icon cannot be drawn, or
when a workspace step is blocked for a patient whose intake is complete.

Each painted page is saved as a PNG in the data folder's ``self-test-screens/`` (a
temporary folder is removed after a passing run; a given one keeps them to look at).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..services.self_test import SelfTestError, SelfTestRun, Step

if TYPE_CHECKING:  # Qt is imported only once the window part runs
    from .main_window import MainWindow

SIZE = (1280, 800)
SCREENS = "self-test-screens"
CAMERA_WAIT_MS = 5000  # a decoded frame comes in well under a second


@dataclass
class _Window:
    app: object = None
    window: MainWindow | None = None
    warnings: list[str] = field(default_factory=list)
    previous_handler: object = None
    saved: int = 0


def _collect_warnings(state: _Window):
    from PySide6.QtCore import QtMsgType

    def handler(kind, _context, message) -> None:
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            state.warnings.append(message)

    return handler


def _settle(state: _Window) -> None:
    """Let the window catch up: pending events, and any page's background work (the PDF preview)."""
    from PySide6.QtCore import QEvent, QThreadPool
    from PySide6.QtWidgets import QApplication

    for _ in range(3):
        QApplication.processEvents()
        # deleteLater() runs when a running event loop comes back; there is none here.
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if state.window is not None:
            for pool in state.window.findChildren(QThreadPool):
                if not pool.waitForDone(60_000):
                    raise SelfTestError("a page's background work did not finish within a minute")
        QThreadPool.globalInstance().waitForDone(60_000)


def _check_warnings(state: _Window, where: str) -> None:
    if state.warnings:
        first = state.warnings[0].replace("\n", " ")
        more = f" (and {len(state.warnings) - 1} more)" if len(state.warnings) > 1 else ""
        state.warnings.clear()
        raise SelfTestError(f"Qt warned while {where}: {first}{more}")


def _paint(run: SelfTestRun, state: _Window, widget, name: str) -> None:
    """Make ``widget`` current in the window, paint the whole window, keep the picture."""
    _settle(state)
    picture = state.window.grab()
    if picture.isNull() or picture.width() < 100:
        raise SelfTestError(f"the {name} screen painted nothing")
    folder = run.data_dir / SCREENS
    folder.mkdir(exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not picture.save(str(folder / f"{state.saved:02d}-{slug}.png")):
        raise SelfTestError(f"the {name} screen could not be saved as PNG (image plugins missing?)")
    state.saved += 1
    _check_warnings(state, f"painting the {name} screen")


def _build(run: SelfTestRun, state: _Window) -> str:
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from ..resources import resource_path
    from ..services.clinic_data import app_info
    from .app import build_main_window
    from .startup.deferred_style import stylesheet_after
    from .theme import apply_theme

    if QApplication.instance() is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # headless, whatever screen there is
    state.previous_handler = qInstallMessageHandler(_collect_warnings(state))
    state.app = QApplication.instance() or QApplication(["meso-kiosk-self-test"])
    apply_theme(state.app)
    icon = QIcon(str(resource_path(app_info().icon)))
    if icon.isNull() or icon.pixmap(64, 64).isNull():
        raise SelfTestError("the app icon (SVG) cannot be drawn: Qt's SVG plugins are missing")
    with stylesheet_after(state.app):  # as the window's start builds it
        state.window = build_main_window(run.kiosk)
    state.window.resize(*SIZE)
    state.window.show()
    _settle(state)
    screen_lock = state.window.screen_lock
    if screen_lock is not None and not screen_lock.is_locked():
        raise SelfTestError("the window did not open on the lock screen")
    if screen_lock is not None:
        _paint(run, state, screen_lock.page, "lock screen")
    state.window.sign_in.sign_in(run.consultant)
    _settle(state)
    if screen_lock is not None and screen_lock.is_locked():
        raise SelfTestError("signing in did not unlock the window")
    _check_warnings(state, "building the window")
    return f"{state.app.platformName()} platform, {SIZE[0]}×{SIZE[1]}, signed in as consultant #{run.consultant.id}"


def _bindings(run: SelfTestRun, state: _Window) -> str:
    """PySide6 6.12.0 on Python 3.11 takes a reference to None away at every Qt call that
    returns nothing; after a few thousand clicks and repaints (~100 per scalp-map repaint)
    Python aborts with "none_dealloc". Such a build must not ship."""
    import PySide6
    from PySide6.QtWidgets import QLabel

    if sys.version_info >= (3, 12):
        return f"PySide6 {PySide6.__version__}; Python {sys.version.split()[0]} keeps None alive itself"
    probe = QLabel()
    before = sys.getrefcount(None)
    for _ in range(1000):
        probe.setText("x")
    lost = before - sys.getrefcount(None)
    probe.deleteLater()
    if lost > 0:
        _give_back(lost)
        raise SelfTestError(
            f"PySide6 {PySide6.__version__} on Python {sys.version.split()[0]} loses a reference to None at "
            f"every Qt call ({lost} in 1000): the app would abort after a few thousand touches and repaints. "
            "Install a PySide6 without this fault (6.11.3 works)")
    return f"PySide6 {PySide6.__version__}: no reference to None lost in 1000 Qt calls"


def _give_back(count: int) -> None:
    import ctypes

    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]
    incref.restype = None
    for _ in range(count):
        incref(None)


def _home_pages(run: SelfTestRun, state: _Window) -> str:
    window = state.window
    shown = []
    window.show_patients()
    window.patients_page.search.setText(run.patient.family_name[:4])
    _paint(run, state, window.patients_page, "patient list")
    shown.append("patient list")
    if window.patients_page.results.count() < 1:
        raise SelfTestError("the patient list does not find the self-test's patient")
    window.patients_page.search.clear()
    window.new_patient_page.start()
    window.stack.setCurrentWidget(window.new_patient_page)
    _paint(run, state, window.new_patient_page, "new patient")
    shown.append("new patient")
    lot_recall = window.lot_recall_page
    if lot_recall is not None:
        window.stack.setCurrentWidget(lot_recall)
        lot_recall.start()
        _paint(run, state, lot_recall, "lot recall")
        shown.append("lot recall")
    admin = window.admin_page
    if admin is not None and admin.start():
        window.stack.setCurrentWidget(admin)
        _paint(run, state, admin, "consultants admin")
        shown.append("consultants admin")
    return ", ".join(shown)


def _workspace_step(step_id: str, label: str):
    def run_step(run: SelfTestRun, state: _Window) -> str:
        window = state.window
        if window.stack.currentWidget() is not window.workspace or window.workspace.patient is None:
            window.open_patient(run.patient)
        workspace = window.workspace
        workspace.go_to_step(step_id)
        _settle(state)
        if workspace.stack.currentWidget() is workspace.blocked:
            raise SelfTestError(f"the {label} step is blocked for a patient whose intake is complete")
        page = workspace.pages[step_id]
        if workspace.stack.currentWidget() is not page:
            raise SelfTestError(f"the {label} step shows another page")
        _paint(run, state, page, f"workspace {step_id}")
        return f"{type(page).__name__} for patient #{run.patient.id}"

    return run_step


def _camera_stand_in(run: SelfTestRun, state: _Window) -> str:
    """QtMultimedia and its FFmpeg plugin are there (the one-folder app bundles them by hand): a
    generated video decoded through the camera's stand-in, and a still of it in the right colours."""
    import time

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtGui import QColor

    from . import generated_video
    from .photo_camera import VideoSource

    started = time.monotonic()
    path = generated_video.write_video(run.data_dir / "self-test-camera.avi", frames=5)
    source = VideoSource(path)
    stills, loop = [], QEventLoop()
    source.sink.videoFrameChanged.connect(lambda frame: frame.isValid() and loop.quit())
    source.failed.connect(lambda _words: loop.quit())
    source.captured.connect(stills.append)
    QTimer.singleShot(CAMERA_WAIT_MS, loop.quit)
    source.start()
    loop.exec()
    if not source.trouble:
        source.capture()
    source.stop()
    source.deleteLater()
    _settle(state)
    path.unlink(missing_ok=True)
    if source.trouble or not stills:
        raise SelfTestError(source.trouble or f"no frame of a video came within {CAMERA_WAIT_MS // 1000} s: "
                            "QtMultimedia's FFmpeg plugin (plugins/multimedia) is missing or cannot load")
    colour, expected = stills[0].pixelColor(4, 4), QColor(generated_video.BACKGROUND)
    if max(abs(colour.red() - expected.red()), abs(colour.green() - expected.green()),
           abs(colour.blue() - expected.blue())) > 24:
        raise SelfTestError(f"the video's frame decoded as {colour.name()}, not {expected.name().lower()}")
    _check_warnings(state, "decoding a video")
    return (f"FFmpeg plugin decoded a {stills[0].width()}×{stills[0].height()} frame of a generated video in "
            f"{(time.monotonic() - started) * 1000:.0f} ms")


def _close(run: SelfTestRun, state: _Window) -> str:
    from PySide6.QtCore import qInstallMessageHandler

    window = state.window
    window.show_patients()
    _settle(state)  # background work finishes before the window and the database go
    window.close()
    window.deleteLater()
    state.window = None
    _settle(state)
    _check_warnings(state, "closing the window")
    qInstallMessageHandler(state.previous_handler)
    return f"{state.saved} screens painted (PNGs in {SCREENS}/)"


def ui_steps() -> list[Step]:
    """The window's steps, to run after the headless ones (they need their patient and consultant)."""
    from ..services.clinic_data import app_info

    state = _Window()

    def bound(function):
        return lambda run: function(run, state)

    steps = [Step("window opens locked, sign in", bound(_build)),
             Step("Qt bindings keep None alive", bound(_bindings)),
             Step("home screens", bound(_home_pages)),
             Step("camera stand-in: decode a video", bound(_camera_stand_in))]
    for step in app_info().steps:  # in app.toml's order, as the step bar shows them
        steps.append(Step(f"page: {step.label.lower()}", bound(_workspace_step(step.id, step.label))))
    steps.append(Step("close window", bound(_close)))
    return steps
