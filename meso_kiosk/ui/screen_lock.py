"""The lock over the window's pages: it comes on when the app locks (start-up, the Lock button,
the idle lock) and goes when someone signs in.

The page under the lock is left exactly as it was (typed input included), after its pending
autosave has been flushed. The lock does not hold the window's pages: it asks the window
(``MainWindow.show_lock_page``, ``lock_page_shown``, ``resume``) to switch them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from ..store.consultant_accounts import ConsultantAccount
    from .pages.lock_screen import LockScreenPage
    from .sign_in import SignIn


class ScreenLock(QObject):
    """Puts the lock screen over the window's pages and takes it away when someone signs in.

    ``lock()`` flushes the pending autosave (``flush_pending``), forgets the consultant
    (``sign_in.lock()``) and shows the lock screen (``show_lock_page``, which returns the page
    it covers); that page stays as it was and comes back after the next right PIN through
    ``resume(page, account)``, which decides where the consultant may go. While a patient
    holds the tablet (``in_handoff()``) a lock keeps the hand-off screen: leaving it already
    needs a consultant PIN.
    """

    def __init__(self, sign_in: SignIn, page: LockScreenPage, *, in_handoff: Callable[[], bool],
                 flush_pending: Callable[[], None], show_lock_page: Callable[[], QWidget | None],
                 lock_page_shown: Callable[[], bool],
                 resume: Callable[[QWidget | None, ConsultantAccount], None], parent: QObject | None = None):
        super().__init__(parent)
        self._sign_in = sign_in
        self._in_handoff = in_handoff
        self._flush_pending = flush_pending
        self._show_lock_page = show_lock_page
        self._lock_page_shown = lock_page_shown
        self._resume_page = resume
        self.page = page
        self._resume: QWidget | None = None
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.page.unlocked.connect(self._sign_in.sign_in)
        self._sign_in.signed_in.connect(self._on_sign_in_signed_in)
        self._sign_in.locked.connect(self._on_sign_in_locked)

    def is_locked(self) -> bool:
        return self._lock_page_shown()

    def lock(self) -> None:
        """Lock now (the Lock button, the idle lock, start-up)."""
        if self._in_handoff():
            self._flush_pending()
            return
        if self.is_locked() and self._sign_in.consultant is None:
            return
        self._sign_in.lock()

    def _on_sign_in_locked(self) -> None:
        if self._in_handoff():
            return
        self._flush_pending()
        self.page.refresh()
        covered = self._show_lock_page()
        if covered is not None:
            self._resume = covered

    def _on_sign_in_signed_in(self, account: ConsultantAccount) -> None:
        if not self.is_locked():
            return
        resume, self._resume = self._resume, None
        self._resume_page(resume, account)
        self.page.clear_pin()
