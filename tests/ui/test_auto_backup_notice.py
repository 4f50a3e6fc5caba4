"""A failing automatic backup is shown on the patient list (nobody reads stderr on a kiosk)."""

from PySide6.QtCore import QTimer

import meso_kiosk.services.backup as backup_module
from meso_kiosk.services.backup import BackupError
from meso_kiosk.ui.app import _schedule_auto_backup, _show_backup_problem


def _run_now(timer: QTimer) -> None:
    timer.timeout.emit()  # what the hourly look does; the 30-second first look is the same call


def test_a_failed_backup_is_shown_on_the_patient_list_until_one_works(window, kiosk, monkeypatch, shots, capsys):
    outcomes = [BackupError("the backup folder /mnt/usb is not there."), None]

    def fake_backup(_kiosk):
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(backup_module, "auto_backup_if_due", fake_backup)
    timer = _schedule_auto_backup(kiosk, window, lambda words: _show_backup_problem(window, words))
    try:
        banner = window.patients_page.backup_problem
        assert not banner.isVisibleTo(window)

        _run_now(timer)
        assert banner.isVisibleTo(window)
        assert banner.text().startswith("The automatic backup failed: the backup folder /mnt/usb is not there.")
        assert "Unexpected" not in banner.text()
        assert banner.accessibleName() == "Automatic backup problem"
        assert "automatic backup failed" in capsys.readouterr().err  # and in the log for support
        window.grab().save(str(shots / "patients-backup-failed.png"))

        _run_now(timer)  # the next look succeeds (nothing due): the warning goes
        assert not banner.isVisibleTo(window)
    finally:
        for each in (timer, *timer.findChildren(QTimer)):
            each.stop()
