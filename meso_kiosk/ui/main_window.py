"""The window: patient list, new-patient form and the consultation workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

if TYPE_CHECKING:  # the pages are imported by whoever builds them (cold start: after the first frame)
    from ..domain.patient import Patient
    from ..store.consultant_accounts import ConsultantAccount
    from .idle_lock import IdleLock
    from .kiosk_guard import KioskGuard
    from .pages.change_pin import ChangePinPage
    from .pages.clinic_settings import ClinicSettingsPage
    from .pages.consultants_admin import ConsultantsAdminPage
    from .pages.lock_screen import LockScreenPage
    from .pages.lot_recall import LotRecallPage
    from .pages.new_patient import NewPatientPage
    from .pages.patient_details import PatientDetailsPage
    from .pages.patients import PatientsPage
    from .pages.workspace import WorkspacePage
    from .screen_lock import ScreenLock
    from .sign_in import SignIn


class MainWindow(QMainWindow):
    """The window. It opens on the lock screen's face (``opening``), which a cold start paints
    before anything else exists; the lock screen takes it over, and the pages come later
    (``defer_pages``, built at ``ensure_pages``, also called by anything that needs a page).

    The window navigates: pages ask (signals) and it decides which page shows. Every page
    and helper it holds is declared here, None until it is given: the pages by ``set_pages``
    (the composition root, ``ui/app.py``, which also sets ``sign_in``), the lock screen and
    its lock by ``navigator.lock_window``, the idle lock by ``idle_lock.install_idle_lock``."""

    def __init__(self, *, title: str, opening: QWidget | None = None):
        super().__init__()
        self.setWindowTitle(title)
        self.setMinimumSize(760, 560)
        self.patients_page: PatientsPage | None = None
        self.new_patient_page: NewPatientPage | None = None
        self.workspace: WorkspacePage | None = None
        self.details_page: PatientDetailsPage | None = None
        self.lot_recall_page: LotRecallPage | None = None
        self.admin_page: ConsultantsAdminPage | None = None
        self.pin_page: ChangePinPage | None = None
        self.clinic_page: ClinicSettingsPage | None = None
        self.sign_in: SignIn | None = None  # who is signed in (set by the composition root)
        self.screen_lock: ScreenLock | None = None  # the lock over the pages (``navigator.lock_window``)
        self.lock_page: LockScreenPage | None = None  # its screen (``add_lock_page``)
        self.idle_lock: IdleLock | None = None  # locks after a quiet while (``idle_lock.install_idle_lock``)
        self.kiosk_guard: KioskGuard | None = None  # --kiosk: closing takes a PIN (``kiosk_guard.guard_kiosk``)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        # What a cold start paints first (the lock screen's face); None once the lock screen
        # has taken it over (``lock_window``).
        self.opening = opening
        if opening is not None:
            self.stack.addWidget(opening)
        self._handoff_page: QWidget | None = None  # the patient holds the tablet (see enter_handoff)
        self._handoff_locked: list[QWidget] = []
        self._handoff_return: QWidget | None = None
        self._escape_filter = _SwallowEscape(self)
        self._build_pages: Callable[[MainWindow], None] | None = None
        self._discard_unsaved: Callable[[], bool] = lambda: True  # no pages, nothing typed

    @property
    def pages_built(self) -> bool:
        return self.patients_page is not None

    def defer_pages(self, build: Callable[[MainWindow], None]) -> None:
        """Build the pages with ``build(window)`` at ``ensure_pages``."""
        self._build_pages = build

    def ensure_pages(self) -> None:
        """Build the deferred pages now, if they are not yet (idempotent)."""
        if self.pages_built or self._build_pages is None:
            return
        build, self._build_pages = self._build_pages, None
        build(self)

    def set_pages(self, *, patients_page: PatientsPage, new_patient_page: NewPatientPage,
                  workspace: WorkspacePage, details_page: PatientDetailsPage, lot_recall_page: LotRecallPage,
                  admin_page: ConsultantsAdminPage, pin_page: ChangePinPage, clinic_page: ClinicSettingsPage,
                  discard_unsaved: Callable[[], bool]) -> None:
        """The pages, all at once (the lot recall, admin, My PIN and clinic pages are reached from the
        patient list; the details page lives inside the workspace's intake step).
        ``discard_unsaved`` asks whether to close over details that could not be saved."""
        self._discard_unsaved = discard_unsaved
        self.patients_page = patients_page
        self.new_patient_page = new_patient_page
        self.workspace = workspace
        self.details_page = details_page
        self.lot_recall_page = lot_recall_page
        self.admin_page = admin_page
        self.pin_page = pin_page
        self.clinic_page = clinic_page
        for page in (patients_page, new_patient_page, workspace, lot_recall_page, admin_page, pin_page, clinic_page):
            self.stack.addWidget(page)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.patients_page.open_requested.connect(self.open_patient)
        self.patients_page.new_requested.connect(self._on_patients_page_new_requested)
        self.new_patient_page.created.connect(self.open_patient)
        self.new_patient_page.open_requested.connect(self.open_patient)  # the one a duplicate warning named
        self.new_patient_page.cancelled.connect(self.show_patients)
        self.workspace.back_requested.connect(self._on_workspace_back_requested)
        self.details_page.saved.connect(self.workspace.update_header)
        self.patients_page.lot_recall_requested.connect(self._on_patients_page_lot_recall_requested)
        self.lot_recall_page.open_requested.connect(self.open_patient)
        self.patients_page.admin_requested.connect(self._on_patients_page_admin_requested)
        self.patients_page.pin_change_requested.connect(self._on_patients_page_pin_change_requested)
        self.patients_page.clinic_settings_requested.connect(self._on_patients_page_clinic_settings_requested)
        for page in (self.lot_recall_page, self.admin_page, self.pin_page, self.clinic_page):
            page.back_requested.connect(self.show_patients)

    def show_patients(self) -> None:
        if self.in_handoff:  # a patient holds the tablet: no other patient, no navigation
            return
        self.ensure_pages()
        self.patients_page.refresh()
        self.stack.setCurrentWidget(self.patients_page)
        self.patients_page.search.setFocus()

    def open_patient(self, patient: Patient) -> None:
        if self.in_handoff:
            return
        self.ensure_pages()
        self.details_page.show_patient(patient)
        self.workspace.show_patient(patient)  # each step learns the patient (intake loads their answers)
        self.stack.setCurrentWidget(self.workspace)

    def take_opening(self) -> QWidget | None:
        """Hand over what a cold start painted first (the lock screen takes it in)."""
        opening, self.opening = self.opening, None
        if opening is not None:
            self.stack.removeWidget(opening)
        return opening

    def flush_pending(self) -> None:
        """Save what the step on screen has pending (its autosave), as leaving it does."""
        if self.workspace is not None:
            self.workspace.flush_current()

    # ------------------------------------------------------------ the lock screen (``ScreenLock``)

    def add_lock_page(self, page: LockScreenPage) -> None:
        """The lock screen's page (``navigator.lock_window``); on top when nothing else is yet."""
        self.lock_page = page
        self.stack.addWidget(page)

    def show_lock_page(self) -> QWidget | None:
        """Put the lock screen on top; the page it covers (None when it was on top already)."""
        covered = self.stack.currentWidget()
        if covered is self.lock_page:
            return None
        self.stack.setCurrentWidget(self.lock_page)
        return covered

    def lock_page_shown(self) -> bool:
        return self.lock_page is not None and self.stack.currentWidget() is self.lock_page

    def resume(self, page: QWidget | None, account: ConsultantAccount) -> None:
        """After a right PIN: back to the page under the lock, or to the patient list when
        there was none or it is not for this consultant (the admin page for a non-admin)."""
        if page is None or page is self.patients_page or not self._allowed(page, account):
            self.show_patients()
            return
        self.stack.setCurrentWidget(page)
        if page is self.workspace:
            self.workspace.refresh_current()  # the step shown re-reads what changed meanwhile

    def _allowed(self, page: QWidget, account: ConsultantAccount) -> bool:
        if page is self.admin_page:
            return self.admin_page.allowed_for(account)
        if page is self.pin_page:
            return self.pin_page.allowed_for(account)
        if page is self.clinic_page:
            return self.clinic_page.allowed_for(account)
        return True

    def _on_patients_page_admin_requested(self) -> None:
        if self.admin_page.start():
            self.stack.setCurrentWidget(self.admin_page)

    def _on_patients_page_pin_change_requested(self) -> None:
        if self.pin_page.start():
            self.stack.setCurrentWidget(self.pin_page)

    def _on_patients_page_clinic_settings_requested(self) -> None:
        if self.clinic_page.start():
            self.stack.setCurrentWidget(self.clinic_page)

    def _on_patients_page_lot_recall_requested(self) -> None:
        self.stack.setCurrentWidget(self.lot_recall_page)
        self.lot_recall_page.start()

    def _on_patients_page_new_requested(self) -> None:
        self.new_patient_page.start()
        self.stack.setCurrentWidget(self.new_patient_page)

    def _on_workspace_back_requested(self) -> None:
        # Leaving a patient saves what was typed; invalid input keeps them here with the errors shown.
        if self.details_page.save():
            self.patients_page.search.clear()
            self.show_patients()
        else:
            self.workspace.go_to_step("intake")  # the details page is part of the intake step

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.in_handoff:  # the patient cannot close the app; a consultant leaves hand-off first
            event.ignore()
            return
        if self.kiosk_guard is not None and not self.kiosk_guard.close_allowed():
            event.ignore()  # --kiosk: the guard asks for a consultant's PIN, and closes again on a right one
            return
        if self.details_page is None or self.details_page.save():  # no pages yet: nothing typed
            event.accept()
            return
        self.workspace.go_to_step(0)
        if self._discard_unsaved():
            event.accept()
        else:
            event.ignore()

    # ------------------------------------------------------------ patient hand-off (lockdown)

    @property
    def in_handoff(self) -> bool:
        return self._handoff_page is not None

    def enter_handoff(self, page: QWidget) -> None:
        """Show only ``page`` (the patient's consent): every other page is disabled, the back
        button and step bar hidden, closing and Escape ignored, until ``exit_handoff``."""
        if self.stack.indexOf(page) < 0:
            self.stack.addWidget(page)
        if not self.in_handoff:
            self._handoff_return = self.stack.currentWidget()
            self._handoff_locked = [self.stack.widget(i) for i in range(self.stack.count())
                                    if self.stack.widget(i) is not page and self.stack.widget(i).isEnabled()]
            for widget in self._handoff_locked:
                widget.setEnabled(False)
            self.workspace.back_button.hide()
            self.workspace.step_bar.hide()
            self._watch_escape(True)
        self._handoff_page = page
        page.setEnabled(True)
        self.stack.setCurrentWidget(page)

    def exit_handoff(self) -> None:
        """Back to where the consultant handed the tablet over (the Consent step). Callers check
        the consultant's PIN first (the hand-off page does)."""
        if not self.in_handoff:
            return
        self._watch_escape(False)
        for widget in self._handoff_locked:
            widget.setEnabled(True)
        self._handoff_locked = []
        self.workspace.back_button.show()
        self.workspace.step_bar.show()
        self._handoff_page = None
        back = self._handoff_return or self.workspace
        self._handoff_return = None
        self.stack.setCurrentWidget(back)
        if back is self.workspace:
            self.workspace.refresh_current()  # the Consent step shows what the patient signed

    def _watch_escape(self, on: bool) -> None:
        # Key presses reach the native window before any widget; the window itself also sees
        # those its widgets leave unhandled. Only this window's events pass the filter.
        for target in (self.windowHandle(), self):
            if target is None:
                continue
            if on:
                target.installEventFilter(self._escape_filter)
            else:
                target.removeEventFilter(self._escape_filter)


class _SwallowEscape(QObject):
    """While a patient holds the tablet, Escape (with any modifier) does nothing in the window.
    The key is compared as a key sequence: the window is built for the first frame, which
    does not build PySide's ``Qt`` namespace (see ``ui/startup``)."""

    _ESCAPE = QKeySequence("Esc")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride):
            return QKeySequence(event.key()) == self._ESCAPE
        return False
