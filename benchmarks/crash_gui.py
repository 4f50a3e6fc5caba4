"""The crash harness's GUI step: the real main window, offscreen, and an answer typed into the
intake page, saved by the page's own autosave (its pause timer), as a consultant's typing is.

Used by ``crash_ops.Driver.op_gui_intake``; the window is built once per child process
(``QT_QPA_PLATFORM=offscreen``) and closed before a restore swaps the data folder.
"""

from __future__ import annotations

import os
import time

AUTOSAVE_WAIT_S = 10.0


def _builder():
    """``build_main_window``, wherever it lives (the start-up code moves to ui/startup, issue 18)."""
    import importlib

    for name in ("meso_kiosk.ui.app", "meso_kiosk.ui.startup.window", "meso_kiosk.ui.startup"):
        try:
            return importlib.import_module(name).build_main_window
        except (ImportError, AttributeError):
            continue
    raise ImportError("build_main_window is in none of meso_kiosk.ui.app, meso_kiosk.ui.startup")


def _window(driver):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    build_main_window = _builder()

    app = QApplication.instance() or QApplication(["meso-crash-harness"])
    if driver.window is None:
        window = build_main_window(driver.kiosk)
        window.resize(1280, 800)
        window.show()
        window.sign_in.sign_in(driver.kiosk.accounts.account(driver.admin))
        app.processEvents()
        driver.window = window
    return app, driver.window


def type_intake_answer(driver, patient_id: int, path: str, value: str):
    """Open the patient, type ``value`` into the intake field ``path`` key by key, and let the
    page's autosave store it (returns once the database holds it; raises if it never does)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    app, window = _window(driver)
    window.open_patient(driver.kiosk.patients.get(patient_id))
    window.workspace.go_to_step(0)
    app.processEvents()
    page = window.workspace.pages["intake"]
    editor = page.fields[path].editors()[0]  # a line or a text area, typed into the same way
    editor.setFocus()
    editor.selectAll()
    QTest.keyClick(editor, Qt.Key.Key_Delete)
    QTest.keyClicks(editor, value)
    deadline = time.monotonic() + AUTOSAVE_WAIT_S
    while time.monotonic() < deadline:  # the pause timer fires, the page saves
        app.processEvents()
        intake = driver.kiosk.intake.latest_intake(patient_id)
        if intake is not None and intake.answer(path) == value:
            return window
        time.sleep(0.02)
    raise RuntimeError(f"the intake page did not autosave {value!r} within {AUTOSAVE_WAIT_S} s")


def close_window(driver) -> None:
    from PySide6.QtWidgets import QApplication

    driver.window.close()
    driver.window.deleteLater()
    QApplication.processEvents()
    driver.window = None
