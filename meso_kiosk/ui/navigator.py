"""Wiring the window's ways between pages: the lock over them, the pages' Lock buttons, the hand-off.

Pages only ask (signals) and the window decides (``MainWindow``); the functions here connect
the two once the pieces exist, so no page needs to know the window or its other pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .pages.lock_screen import LockScreenPage, lock_icon
from .screen_lock import ScreenLock

if TYPE_CHECKING:  # the step pages are imported by whoever builds them (after the first frame)
    from ..domain.patient import Patient
    from ..services.accounts import AccountService
    from ..services.clinic import ClinicService
    from .main_window import MainWindow
    from .pages.consent import ConsentPage
    from .pages.handoff import HandoffPage
    from .sign_in import SignIn


def lock_window(window: MainWindow, accounts: AccountService, sign_in: SignIn,
                clinic: ClinicService | None = None) -> ScreenLock:
    """The lock screen over ``window``, locked (``window.screen_lock``, ``window.lock_page``);
    given the ``clinic``, its first run asks for the clinic's details after the first admin.

    It takes over the window's ``opening`` (what a cold start painted first) in its place;
    ``wire_screen_lock`` adds the rest once the pages exist.
    """
    page = LockScreenPage(accounts, window.take_opening(), clinic=clinic)
    window.add_lock_page(page)
    screen_lock = ScreenLock(sign_in, page, in_handoff=lambda: window.in_handoff,
                             flush_pending=window.flush_pending, show_lock_page=window.show_lock_page,
                             lock_page_shown=window.lock_page_shown, resume=window.resume, parent=window)
    window.screen_lock = screen_lock
    screen_lock.lock()  # (the new page is on top, filled by its __init__: nothing to do)
    return screen_lock


def wire_screen_lock(window: MainWindow, sign_in: SignIn) -> None:
    """The pages' Lock buttons, and the Consultants and Clinic settings buttons for an administrator only."""
    screen_lock = window.screen_lock
    patients_page, workspace = window.patients_page, window.workspace

    def on_sign_in_changed(*_args) -> None:
        patients_page.admin_button.setVisible(sign_in.is_admin())
        patients_page.clinic_button.setVisible(sign_in.is_admin())

    for lock_button in (patients_page.lock_button, workspace.lock_button):
        lock_button.setIcon(lock_icon())
    patients_page.lock_requested.connect(screen_lock.lock)
    workspace.lock_requested.connect(screen_lock.lock)
    sign_in.signed_in.connect(on_sign_in_changed)
    sign_in.locked.connect(on_sign_in_changed)
    on_sign_in_changed()


def connect_handoff(window: MainWindow, consent_page: ConsentPage, handoff: HandoffPage) -> None:
    """Wire "Hand to patient" to the window's hand-off mode, and the way back to the Consent step
    (which the window's workspace re-reads as it shows it again).

    The page lives in the window's stack from the start (shown only by ``enter_handoff``),
    so it is owned, and deleted, with the window.
    """
    window.stack.addWidget(handoff)

    def enter(patient: Patient) -> None:
        handoff.start(patient)
        window.enter_handoff(handoff)

    consent_page.handoff_requested.connect(enter)
    handoff.exit_confirmed.connect(window.exit_handoff)
