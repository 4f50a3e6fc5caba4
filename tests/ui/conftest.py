import pytest

from meso_kiosk.ui.app import build_main_window
from meso_kiosk.ui.theme import apply_theme


@pytest.fixture
def window(qtbot, qapp, kiosk):
    apply_theme(qapp)
    built = build_main_window(kiosk, actor=lambda: "consultant:test")
    qtbot.addWidget(built)
    built.resize(1280, 800)
    built.show()
    qtbot.waitExposed(built)
    return built


@pytest.fixture
def shots(tmp_path):
    """Where a test saves what it rendered (kept under tmp_path, looked at by people)."""
    folder = tmp_path / "screens"
    folder.mkdir()
    return folder


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
