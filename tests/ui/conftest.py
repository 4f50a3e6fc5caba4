import os
import shutil

import pytest

from meso_kiosk.ui.app import build_main_window
from meso_kiosk.ui.theme import apply_theme


@pytest.fixture
def window(qtbot, qapp, kiosk):
    """The main window UNLOCKED on the patient list (the app itself opens on the lock screen):
    signed in as ``window.sign_in.consultant``, an admin "Dr Test Consultant" whose PIN is
    ``COUNTERSIGN_PIN``; changes are still attributed to the fixed actor "consultant:test"."""
    return build_window(qtbot, qapp, kiosk)


def build_window(qtbot, qapp, kiosk):
    """The ``window`` fixture's window (at the installation's text size)."""
    apply_theme(qapp)  # earlier tests' windows are already gone (tests/conftest.py deletes them)
    built = build_main_window(kiosk, actor=lambda: "consultant:test")
    built.sign_in.sign_in(signed_in_consultant(kiosk))
    qtbot.addWidget(built)
    built.resize(1280, 800)
    built.show()
    qtbot.waitExposed(built)
    return built


def account_page_alone(qtbot, qapp, page_class, kiosk, account):
    """An account page (admin, My PIN) shown on its own, opened by ``account``, signed in."""
    from meso_kiosk.ui.sign_in import SignIn

    apply_theme(qapp)
    sign_in = SignIn()
    sign_in.sign_in(account)
    built = page_class(kiosk.accounts, sign_in)
    qtbot.addWidget(built)
    built.setMinimumSize(640, 480)  # a top level's own minimum (the offscreen plugin warns otherwise)
    built.resize(1280, 800)
    built.show()
    qtbot.waitExposed(built)
    assert built.start()
    return built


def signed_in_consultant(kiosk):
    """The clinic's first consultant (an admin with PIN ``COUNTERSIGN_PIN``), created if needed."""
    from tests.conftest import COUNTERSIGN_PIN

    if kiosk.accounts.needs_setup():
        return kiosk.accounts.create_first_admin("Dr Test Consultant", COUNTERSIGN_PIN)
    return next(account for account in kiosk.accounts.accounts() if account.is_admin and account.has_pin)


@pytest.fixture
def shots(tmp_path):
    """Where a test saves what it rendered: under tmp_path, and copied afterwards into the
    folder named by MESO_KIOSK_SHOTS when a person asked to look at them."""
    folder = tmp_path / "screens"
    folder.mkdir()
    yield folder
    keep = os.environ.get("MESO_KIOSK_SHOTS")
    if keep:
        shutil.copytree(folder, keep, dirs_exist_ok=True)


@pytest.fixture
def type_text(qtbot):
    """Type like a person: key clicks for ASCII, input-method commits for other scripts
    (QTest can only synthesise ASCII keys; this is how an on-screen keyboard or IME delivers text)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    def _type(widget, text: str) -> None:
        widget.setFocus()
        for char in text:
            if char.isascii() and char.isprintable():
                qtbot.keyClicks(widget, char)
            else:
                event = QInputMethodEvent("", [])
                event.setCommitString(char)
                QApplication.sendEvent(widget, event)

    return _type
