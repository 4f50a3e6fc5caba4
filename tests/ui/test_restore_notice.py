"""After a restore, the first consultant to sign in is told which backup the data came from, once."""

from __future__ import annotations

from meso_kiosk.services.backup import create_backup, restore_backup
from meso_kiosk.services.kiosk import open_kiosk
from meso_kiosk.ui.app import build_main_window
from meso_kiosk.ui.theme import TOUCH_TARGET, apply_theme
from tests.conftest import CHEAP_PIN_HASHER, FIXED_NOW
from tests.ui.conftest import signed_in_consultant


def _restored_window(qtbot, qapp, kiosk, register, tmp_path, *, older: bool):
    signed_in_consultant(kiosk)
    register(given="Ana", family="Before")
    backup = create_backup(kiosk, tmp_path / "monday.zip").path
    root = kiosk.paths.root
    if older:
        register(given="Ben", family="After")  # recorded after the backup: lost by restoring it
    kiosk.close()
    restore_backup(backup, root, replace=True, allow_older=older)
    restored = open_kiosk(root, now=lambda: FIXED_NOW, pin_hasher=CHEAP_PIN_HASHER)
    apply_theme(qapp)
    window = build_main_window(restored)
    qtbot.addWidget(window)
    return restored, window


def test_the_first_sign_in_after_a_restore_is_told_once(qtbot, qapp, kiosk, register, tmp_path, shots):
    restored, window = _restored_window(qtbot, qapp, kiosk, register, tmp_path, older=True)
    try:
        window.resize(1280, 800)
        window.show()
        window.sign_in.sign_in(signed_in_consultant(restored))
        qtbot.waitExposed(window)
        notice = window.patients_page.restore_notice
        assert notice.isVisible()
        assert "from the backup monday.zip" in notice.text() and "replaced newer data" in notice.text()
        for size in ((1280, 800), (800, 1280)):
            window.resize(*size)
            qtbot.wait(20)
            assert notice.geometry().bottom() < window.patients_page.search.geometry().top()
            assert notice.width() <= window.patients_page.width()  # wrapped, not cut off
            window.grab().save(str(shots / f"restore-notice-{size[0]}x{size[1]}.png"))
        window.sign_in.lock()
        window.sign_in.sign_in(signed_in_consultant(restored))
        assert not notice.isVisible()  # told once
        actors = restored.store.conn.execute(
            "SELECT actor FROM audit_log WHERE action = 'settings.update' AND entity_id = 'restore.noticed_id'"
        ).fetchall()
        assert len(actors) == 1 and actors[0][0].startswith("consultant:")
        assert window.patients_page.search.height() >= TOUCH_TARGET - 14
    finally:
        window.close()
        restored.close()


def test_a_restore_of_the_same_data_says_so_without_the_warning(qtbot, qapp, kiosk, register, tmp_path):
    restored, window = _restored_window(qtbot, qapp, kiosk, register, tmp_path, older=False)
    try:
        window.sign_in.sign_in(signed_in_consultant(restored))
        words = window.patients_page.restore_notice.text()
        assert "monday.zip" in words and "newer data" not in words
    finally:
        window.close()
        restored.close()
