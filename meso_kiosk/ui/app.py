"""Composition root: build every service's screen into the main window.

The window's start (``ui.startup``) paints the lock screen's face first and calls
``complete_window`` right after that frame: the store's lock screen over the face
(``finish_window``), the pages, the idle lock and the automatic backup. Tests and the
self-test build the whole window at once (``build_main_window``).
"""

from __future__ import annotations

import sys
from typing import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from ..domain.clinic_settings import ClinicSettings
from ..resources import resource_path
from ..services import backup
from ..services.clinic_data import check_clinic_data
from ..services.kiosk import Kiosk
from ..services.reference import AppInfo
from ..services.restore_notice import take_restore_notice
from ..store.errors import StoreError
from . import idle_lock, theme
from .main_window import MainWindow
from .navigator import connect_handoff, lock_window, wire_screen_lock
from .pages.change_pin import ChangePinPage
from .pages.clinic_settings import ClinicSettingsPage
from .pages.coming_next import ComingNextPage
from .pages.consent import ConsentPage
from .pages.consultants_admin import ConsultantsAdminPage
from .pages.course import CoursePage
from .pages.handoff import HandoffPage
from .pages.handoff_take_home import wire_take_home
from .pages.intake import IntakePage
from .pages.lot_recall import LotRecallPage
from .pages.photos import PhotosPage
from .pages.new_patient import NewPatientPage
from .pages.patient_details import PatientDetailsPage
from .pages.patients import PatientsPage
from .pages.scalp_map import ScalpMapPage
from .pages.step import held_by_intake_stops, held_by_refusal
from .pages.summary import SummaryPage
from .pages.workspace import WorkspacePage
from .sign_in import SignIn
from .widgets.photo_capture import PhotoCapture
from .widgets.photo_withdraw import PhotoWithdrawPanel
from .widgets.signed_in import follow_sign_in
from .widgets.text_size_choice import wire_larger_text
from .startup.faults import fault_words
from .startup.window import opening_window
from .wheel_guard import install_wheel_guard
from .window_controls import add_quit_shortcut, ask_when_details_left_wrong, discard_unsaved_details

# How often the running app looks whether today's automatic backup is due.
AUTO_BACKUP_CHECK_MS = 60 * 60 * 1000


def finish_window(window: MainWindow, kiosk: Kiosk, actor: Callable[[], str] | None = None, *,
                  info: AppInfo | None = None) -> None:
    """The lock screen over the opening (locked), and the pages, built at ``window.ensure_pages()``.

    Changes are attributed to the consultant who unlocked the app ("kiosk" while nobody
    has); tests may pass a fixed ``actor`` instead. ``info``: app.toml's, when the caller has
    read it already (else read here).
    """
    info = info or kiosk.clinic_data.app_info()
    # The window's icon (title bar, task bar) after the first frame, which does not show it.
    window.setWindowIcon(QIcon(str(resource_path(info.icon))))
    sign_in = SignIn(window)
    actor = actor or sign_in.actor
    window.sign_in = sign_in
    add_quit_shortcut(window)
    lock_window(window, kiosk.accounts, sign_in, kiosk.clinic)  # the app opens locked
    follow_clinic(window, kiosk, info)
    follow_text_size(kiosk)
    window.defer_pages(lambda built: _build_pages(built, kiosk, info, sign_in, actor))


def build_main_window(kiosk: Kiosk, actor: Callable[[], str] | None = None, *,
                      defer_pages: bool = False, info: AppInfo | None = None) -> MainWindow:
    """The main window, locked on the lock screen, with every page (``window.workspace`` ...).

    ``defer_pages``: only the lock screen now; the pages come with ``window.ensure_pages()``
    (showing the patient list after a right PIN calls it too).
    """
    info = info or kiosk.clinic_data.app_info()
    window = opening_window(kiosk.clinic.profile().name, kiosk.accounts.lock_accounts(), info)
    finish_window(window, kiosk, actor, info=info)
    if not defer_pages:
        window.ensure_pages()
    return window


def _build_pages(window: MainWindow, kiosk: Kiosk, info: AppInfo, sign_in: SignIn,
                 actor: Callable[[], str]) -> None:
    # A wheel over a pick list scrolls the page (after the first frame, like every app filter).
    install_wheel_guard(QApplication.instance())
    langs = kiosk.clinic_data.languages()
    details = PatientDetailsPage(kiosk.patients, langs, kiosk.clock, actor)

    def guard(step_id: str):  # an unhandled intake stop holds a step back
        return held_by_intake_stops(kiosk.intake.blocked_steps, step_id)

    pages = {step.id: ComingNextPage(step, guard=guard(step.id)) for step in info.steps if step.id != "intake"}
    pages["intake"] = IntakePage(kiosk.intake, details, kiosk.clock, actor)
    from ..services.consultation_progress import ConsultationProgress

    progress = ConsultationProgress(kiosk.intake, kiosk.course, kiosk.consents, kiosk.sessions, kiosk.clock,
                                    kiosk.photos)
    # The treatment waits for a complete intake, then a consent in force (the session gate's refusal).
    pages["scalp_map"] = ScalpMapPage(kiosk.sessions, kiosk.clock, actor,
                                      guard=held_by_refusal(progress.treatment_hold),
                                      cooling_off=kiosk.consents.cooling_off, consultant=lambda: sign_in.consultant)
    pages["course"] = CoursePage(kiosk.course, kiosk.clock, kiosk.paths.exports, actor, guard=guard("course"))
    current_consultant = lambda: sign_in.consultant  # noqa: E731 — who countersigns and takes the tablet back
    pages["consent"] = ConsentPage(kiosk.consents, kiosk.accounts, kiosk.clock, current_consultant,
                                   guard=guard("consent"))
    pages["photos"] = PhotosPage(kiosk.photos, kiosk.sessions, kiosk.clock, current_consultant, guard=guard("photos"),
                                 cameras=_camera_count, capture=PhotoCapture(_camera_source),
                                 withdraw=PhotoWithdrawPanel(kiosk.photos, kiosk.accounts, current_consultant))
    pages["summary"] = SummaryPage(kiosk.export, kiosk.clock, actor, guard=guard("summary"))
    workspace = WorkspacePage(info.steps, pages, kiosk.clock, progress=progress.facts)
    for changed in (pages["intake"].changed, pages["course"].saved, pages["scalp_map"].saved,
                    pages["scalp_map"].closed, pages["consent"].withdraw_panel.withdrawn, pages["photos"].taken,
                    pages["photos"].consent_withdrawn):
        changed.connect(lambda *_: workspace.update_progress())  # a step's work may be done (or undone)
    patients_page = PatientsPage(kiosk.patients, kiosk.clock.today)
    follow_sign_in(sign_in, patients_page.signed_in, workspace.signed_in)
    window.set_pages(
        patients_page=patients_page,
        new_patient_page=NewPatientPage(kiosk.patients, langs, actor),
        workspace=workspace,
        details_page=details,
        lot_recall_page=LotRecallPage(kiosk.sessions, kiosk.patients, kiosk.clock),
        admin_page=ConsultantsAdminPage(kiosk.accounts, sign_in),
        pin_page=ChangePinPage(kiosk.accounts, sign_in),
        clinic_page=ClinicSettingsPage(kiosk.clinic, kiosk.accounts, sign_in, kiosk.clinic_data.protocols(),
                                       text_size=kiosk.text_size),
        discard_unsaved=lambda: discard_unsaved_details(window),
    )
    ask_when_details_left_wrong(window, pages["intake"])
    from ..services.take_home import TakeHomeService

    handoff = HandoffPage(kiosk.consents, kiosk.accounts, kiosk.clock, current_consultant)
    handoff.larger_text_button = wire_larger_text(handoff.header_layout, kiosk.text_size, actor)
    connect_handoff(window, pages["consent"], handoff)
    wire_take_home(handoff, pages["consent"], TakeHomeService(kiosk.store, kiosk.clock, kiosk.paths.exports,
                                                              kiosk.consents), current_consultant)
    wire_screen_lock(window, sign_in)
    sign_in.signed_in.connect(lambda _account: window.patients_page.show_restore_notice(
        take_restore_notice(kiosk.store, kiosk.clock, actor())))
    sign_in.signed_in.connect(lambda _account: window.patients_page.show_clinic_unnamed(
        sign_in.is_admin() and not kiosk.clinic.settings().named))
    window.lock_page.ensure_pin_view()  # ready before the first name is touched


def _camera_count() -> int:
    """Asked when a photo view opens: QtMultimedia loads then, not while the window is built."""
    from .photo_camera import camera_count

    return camera_count()


def _camera_source(parent):
    from .photo_camera import CameraSource

    return CameraSource(parent)


def follow_clinic(window: MainWindow, kiosk: Kiosk, info: AppInfo) -> None:
    """A renamed clinic shows at once: the lock screen's header, the window's title, and the
    patient list's request to name it (for an admin) goes; a new logo shows in the header."""
    import shiboken6

    def on_clinic_changed(settings: ClinicSettings, fields: frozenset[str], _actor: str) -> None:
        if not shiboken6.isValid(window):  # (a test's window may be gone)
            return
        if "logo" in fields and window.lock_page is not None:
            logo = kiosk.clinic.logo()
            window.lock_page.show_clinic_logo(None if logo is None else logo.png)
        if "name" not in fields:
            return
        window.setWindowTitle(f"{info.title} — {settings.name}")
        if window.lock_page is not None:
            window.lock_page.clinic_label.setText(settings.name)
        if window.patients_page is not None and window.sign_in is not None:
            window.patients_page.show_clinic_unnamed(window.sign_in.is_admin() and not settings.named)

    kiosk.clinic.add_listener(on_clinic_changed)


def follow_text_size(kiosk: Kiosk) -> None:
    """The installation's text size now (before the pages are built and styled) and after
    every change, every screen at once."""
    app = QApplication.instance()
    theme.set_text_scale(app, kiosk.text_size.scale())
    kiosk.text_size.add_listener(lambda _size, scale: theme.set_text_scale(app, scale))


def complete_window(window: MainWindow, kiosk: Kiosk, info: AppInfo, *, lock_screen: bool) -> None:
    """What follows a cold start's first frame: the store's lock screen over the opening
    (``lock_screen``: the window has none yet) and the pages."""
    if lock_screen:
        finish_window(window, kiosk, info=info)
    # Every clinic data file, so a broken one is named before a patient sits down.
    check_clinic_data(kiosk.clinic_data)
    window.ensure_pages()


def start_timers(window: MainWindow, kiosk: Kiosk) -> QTimer:
    """The idle lock and the automatic backup, once the window is complete; returns the
    backup's timer (``stop_timers``)."""
    # Not before the first frame: the idle lock is an application event filter, which every
    # event of the first show would call into Python, and there is no input to watch until
    # the window is up. It reads the admin's setting (default 2 minutes).
    idle_lock.install_idle_lock(window, kiosk.accounts.idle_lock_seconds)
    return _schedule_auto_backup(kiosk, window, lambda words: _show_backup_problem(window, words))


def _schedule_auto_backup(kiosk: Kiosk, parent: QObject, show_problem: Callable[[str | None], None]) -> QTimer:
    """Today's automatic backup soon after start, then a look every hour (settings ``backup.*``).

    ``show_problem(words)`` puts a failure where the clinic sees it; ``None`` once one works again.
    """

    def run() -> None:
        try:
            kiosk.store.wait_for_integrity()  # a backup is of a checked database only
            report = backup.auto_backup_if_due(kiosk)
        except (backup.BackupError, StoreError, OSError) as error:
            words = fault_words(error)
            print(f"meso-kiosk: automatic backup failed: {words}", file=sys.stderr)
            show_problem(words)
            return
        show_problem(None)
        if report is not None:
            print(f"meso-kiosk: automatic {report.summary()}", file=sys.stderr)

    timer = QTimer(parent)
    timer.setInterval(AUTO_BACKUP_CHECK_MS)
    timer.timeout.connect(run)
    timer.start()
    first = QTimer(timer)  # the first look soon after start, once the window is up
    first.setSingleShot(True)
    first.setInterval(30_000)
    first.timeout.connect(run)
    first.start()
    return timer


def _show_backup_problem(window: MainWindow, words: str | None) -> None:
    if window.patients_page is not None:  # None only until the pages are built after the first frame
        window.patients_page.show_backup_problem(words)


def stop_timers(timer: QTimer | None) -> None:
    """Stop the automatic backup's timers (``_schedule_auto_backup``): none after the store is closed."""
    if timer is not None:
        for each in (timer, *timer.findChildren(QTimer)):
            each.stop()
