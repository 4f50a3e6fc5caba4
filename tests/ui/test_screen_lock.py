"""The lock over the pages, without a window: it gets what it needs (callables) at construction,
and switches pages only through them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStackedWidget, QWidget

from meso_kiosk.resources import resource_path
from meso_kiosk.services.clinic_data import app_info
from meso_kiosk.ui.pages.lock_screen import LockScreenPage
from meso_kiosk.ui.screen_lock import ScreenLock
from meso_kiosk.ui.sign_in import SignIn
from meso_kiosk.ui.startup.lock_opening import LockOpening
from meso_kiosk.ui.theme import apply_theme
from tests.ui.test_lock_screen import ADMIN_PIN, staff, type_pin  # noqa: F401 (staff is a fixture)


class Calls:
    """What the lock asked of its owner (the window, in the app), over a stack of its own."""

    def __init__(self, stack: QStackedWidget, lock_page: QWidget) -> None:
        self.in_handoff = False
        self.log: list[object] = []
        self._stack = stack
        self._lock_page = lock_page

    def show_lock_page(self) -> QWidget | None:
        covered = self._stack.currentWidget()
        if covered is self._lock_page:
            return None
        self._stack.setCurrentWidget(self._lock_page)
        return covered

    def lock_page_shown(self) -> bool:
        return self._stack.currentWidget() is self._lock_page

    def flush_pending(self) -> None:
        self.log.append("flush")

    def resume(self, page: QWidget | None, account) -> None:
        self.log.append(("resume", page, account.id))


@pytest.fixture
def lock_page(qtbot, qapp, kiosk, staff):
    apply_theme(qapp)
    opening = LockOpening("Clinique du Parc", app_info().title, kiosk.accounts.lock_accounts(),
                          resource_path(app_info().icon))
    page = LockScreenPage(kiosk.accounts, opening)
    qtbot.addWidget(page)
    page.setMinimumSize(640, 480)  # a top level's own minimum (the offscreen plugin warns otherwise)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def screen_lock(qtbot, lock_page):
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    under = QWidget()
    stack.addWidget(under)
    stack.addWidget(lock_page)
    calls = Calls(stack, lock_page)
    sign_in = SignIn()
    lock = ScreenLock(sign_in, lock_page, in_handoff=lambda: calls.in_handoff, flush_pending=calls.flush_pending,
                      show_lock_page=calls.show_lock_page, lock_page_shown=calls.lock_page_shown,
                      resume=calls.resume)
    stack.setCurrentWidget(under)
    return lock, stack, under, sign_in, calls


def test_the_page_alone_chooses_a_name_and_emits_the_account_whose_pin_was_right(lock_page, staff, qtbot):
    admin, _ = staff
    assert [tile.account.id for tile in lock_page.tiles] == [admin.id, staff[1].id]
    qtbot.mouseClick(lock_page.tiles[0], Qt.MouseButton.LeftButton)
    assert lock_page.views.currentWidget() is lock_page.pin_view
    assert lock_page.chosen_name.text() == "Dr Amélie Laurent"
    unlocked = []
    lock_page.unlocked.connect(unlocked.append)
    type_pin(qtbot, lock_page.pin_entry, "000000")
    assert unlocked == [] and lock_page.pin_entry.error.text()
    type_pin(qtbot, lock_page.pin_entry, ADMIN_PIN)
    assert [account.id for account in unlocked] == [admin.id]


def test_locking_saves_what_is_pending_and_unlocking_asks_the_owner_where_to_go(screen_lock, staff, qtbot):
    lock, stack, under, sign_in, calls = screen_lock
    admin, _ = staff
    sign_in.sign_in(admin)
    lock.lock()
    assert lock.is_locked() and sign_in.consultant is None
    assert calls.log == ["flush"]
    lock.page.unlocked.emit(admin)  # as a right PIN does
    assert sign_in.consultant == admin
    assert calls.log == ["flush", ("resume", under, admin.id)]


def test_while_a_patient_holds_the_tablet_a_lock_only_saves(screen_lock, staff):
    lock, stack, under, sign_in, calls = screen_lock
    admin, _ = staff
    sign_in.sign_in(admin)
    calls.in_handoff = True
    lock.lock()
    assert not lock.is_locked() and stack.currentWidget() is under
    assert sign_in.consultant == admin  # leaving the hand-off already needs a consultant PIN
    assert calls.log == ["flush"]
