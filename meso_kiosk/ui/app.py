"""Composition root: open the installation, build every service and screen, run the window."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from ..config import DataDirError, prepare_data_dir
from ..resources import MissingResourceError, resource_path
from ..services.demo import seed_demo
from ..services.kiosk import Kiosk, open_kiosk
from ..services.reference import app_info, languages
from ..store.errors import StoreError
from ..store.instance_lock import InstanceLock, InstanceLockedError
from .main_window import MainWindow
from .pages.coming_next import ComingNextPage
from .pages.course import CoursePage
from .pages.intake import IntakePage
from .pages.lot_recall import LotRecallPage
from .pages.new_patient import NewPatientPage
from .pages.patient_details import PatientDetailsPage
from .pages.patients import PatientsPage
from .pages.scalp_map import ScalpMapPage
from .pages.workspace import WorkspacePage
from .theme import apply_theme

# Until consultants sign in with a PIN, changes are attributed to the kiosk itself.
KIOSK_ACTOR = "kiosk"
# Set by tests and benchmarks: quit as soon as the first frame is painted.
EXIT_AFTER_FIRST_PAINT_ENV = "MESO_KIOSK_EXIT_AFTER_FIRST_PAINT"


def build_main_window(kiosk: Kiosk, actor: Callable[[], str] = lambda: KIOSK_ACTOR) -> MainWindow:
    info = app_info()
    langs = languages()
    details = PatientDetailsPage(kiosk.patients, langs, kiosk.clock, actor)
    pages = {step.id: ComingNextPage(step) for step in info.steps if step.id != "intake"}
    pages["intake"] = IntakePage(kiosk.intake, details, kiosk.clock, actor)
    pages["scalp_map"] = ScalpMapPage(kiosk.sessions, kiosk.clock, actor)
    pages["course"] = CoursePage(kiosk.course, kiosk.clock, kiosk.paths.exports, actor)
    workspace = WorkspacePage(
        info.steps, pages, kiosk.clock,
        step_guard=lambda patient, step_id: kiosk.intake.blocked_steps(patient.id).get(step_id),
    )
    window = MainWindow(
        title=f"{info.title} — {kiosk.clinic.profile().name}",
        icon=QIcon(str(resource_path(info.icon))),
        patients_page=PatientsPage(kiosk.patients, kiosk.clock.today),
        new_patient_page=NewPatientPage(kiosk.patients, langs, actor),
        workspace=workspace,
        details_page=details,
    )
    window.attach_lot_recall(LotRecallPage(kiosk.sessions, kiosk.patients, kiosk.clock))
    window.show_patients()
    return window


def _application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Meso Kiosk")
    app.setOrganizationName("MesoKiosk")
    apply_theme(app)
    return app


def _fail(app: QApplication, message: str) -> int:
    print(f"meso-kiosk: {message}", file=sys.stderr)
    if app.platformName() not in ("offscreen", "minimal"):
        QMessageBox.critical(None, "Meso Kiosk cannot start", message)
    return 1


def run_gui(data_dir: Path, *, kiosk_mode: bool = False, demo: bool = False) -> int:
    app = _application()
    lock = InstanceLock(data_dir)
    try:
        prepare_data_dir(data_dir)
        lock.acquire()
        kiosk = open_kiosk(data_dir)
    except (StoreError, DataDirError, MissingResourceError, InstanceLockedError) as error:
        lock.release()
        return _fail(app, str(error))
    try:
        if demo:
            print(seed_demo(kiosk).message, file=sys.stderr)
        window = build_main_window(kiosk)
        if kiosk_mode:
            window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            window.showFullScreen()
        else:
            window.resize(1280, 800)
            window.show()
        if os.environ.get(EXIT_AFTER_FIRST_PAINT_ENV):
            QTimer.singleShot(0, app.quit)
        return app.exec()
    except (StoreError, MissingResourceError) as error:
        return _fail(app, str(error))
    finally:
        kiosk.close()
        lock.release()
