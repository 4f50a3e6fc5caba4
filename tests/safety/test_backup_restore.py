"""Backup and restore end to end: database, audit key, exports and the seal come back verified."""

from __future__ import annotations

import hashlib
import zipfile

import pytest

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.services.backup import (
    DEFAULT_KEEP,
    auto_backup_if_due,
    auto_backup_settings,
    configure_auto_backup,
    create_backup,
    restore_backup,
)
from meso_kiosk.store.settings import put_setting
from tests.safety.conftest import reopen


def test_round_trip_with_signed_exports_and_the_seal(kiosk, register, sign_consent, tmp_path, cli):
    patient = register()
    sign_consent(patient.id)
    kiosk.intake.save_answer(patient.id, "medical.medications", "Finasteride 1 mg", "test")
    first = kiosk.export.export_pdf(patient.id, "test")
    fingerprint = kiosk.export.seal.sealer(kiosk.clinic.profile().name, "test").material.fingerprint
    report = create_backup(kiosk, tmp_path / "backup.zip")
    names = set(zipfile.ZipFile(report.path).namelist())
    assert {"meso.db", "audit.key", f"exports/{first.path.name}", "seal/seal.p12", "seal/passphrase",
            "seal/seal-certificate.pem", f"seal/trusted/{fingerprint}.pem"} <= names

    restore_backup(report.path, tmp_path / "restored")
    restored = reopen(tmp_path / "restored")
    try:
        assert restored.store.verify_audit().ok
        assert restored.intake.latest_intake(patient.id).medical.medications == "Finasteride 1 mg"
        assert restored.consents.current(patient.id) is not None
        for doc_id, path, sha in restored.store.conn.execute("SELECT id, path, sha256 FROM documents"):
            assert hashlib.sha256((tmp_path / "restored" / path).read_bytes()).hexdigest() == sha
        old = restored.export.verify(tmp_path / "restored" / "exports" / first.path.name)
        assert old.ok and old.trusted and old.issued.id == first.record.id
        second = restored.export.export_pdf(patient.id, "test")  # the same seal, not a new one
        assert restored.export.seal.sealer(restored.clinic.profile().name, "test").material.fingerprint == fingerprint
        assert restored.export.verify(second.path).ok
    finally:
        restored.close()
    # And from the command line, as the README says.
    code, out, _ = cli("restore", report.path, "--data-dir", tmp_path / "cli-restored")
    assert code == 0 and "audit rows verified" in out
    code, out, _ = cli("verify", tmp_path / "cli-restored" / "exports" / first.path.name,
                       "--data-dir", tmp_path / "cli-restored")
    assert code == 0 and "issued here: document" in out


def test_the_automatic_backup_is_configurable_and_refuses_nonsense(kiosk, register, tmp_path, cli):
    register()
    assert auto_backup_settings(kiosk).summary().startswith("automatic backup: daily, keeping the newest 7")
    for bad in ({"keep": 0}, {"keep": -3}, {"keep": "many"}, {"keep": 10**9}, {"folder": "relative/dir"},
                {"folder": "/x\x00y"}):
        with pytest.raises(ValidationError):
            configure_auto_backup(kiosk, "test", **bad)
    elsewhere = tmp_path / "usb"
    settings = configure_auto_backup(kiosk, "test", keep=2, folder=str(elsewhere))
    assert (settings.keep, settings.folder, settings.daily) == (2, elsewhere, True)
    assert auto_backup_if_due(kiosk).path.parent == elsewhere
    assert configure_auto_backup(kiosk, "test", daily=False).summary() == "automatic backup: off"
    assert auto_backup_if_due(kiosk) is None
    # A value stored by hand that makes no sense falls back to the default instead of deleting backups.
    with kiosk.store.write("test") as tx:
        put_setting(tx, "backup.keep", -2)
    assert auto_backup_settings(kiosk).keep == DEFAULT_KEEP
    kiosk.close()
    code, out, err = cli("auto-backup", "--on", "--keep", "3", "--folder", "", "--run", "--data-dir", kiosk.paths.root)
    assert code == 0, err
    assert "daily, keeping the newest 3" in out and "backup written and verified" in out
    code, out, err = cli("auto-backup", "--keep", "zero", "--data-dir", kiosk.paths.root)
    assert code == 1 and "Keep between 1 and" in err


def test_the_running_app_makes_the_daily_backup(kiosk, register, qapp):
    from PySide6.QtCore import QObject

    from meso_kiosk.ui.app import AUTO_BACKUP_CHECK_MS, _schedule_auto_backup, stop_timers

    register()
    parent = QObject()
    problems = []
    timer = _schedule_auto_backup(kiosk, parent, problems.append)
    assert timer.isActive() and timer.interval() == AUTO_BACKUP_CHECK_MS
    timer.timeout.emit()
    timer.timeout.emit()  # the second look the same day does nothing
    assert len(list(kiosk.paths.backups.glob("auto-*.zip"))) == 1
    assert problems == [None, None]  # nothing to warn the clinic about
    stop_timers(timer)
    assert not any(t.isActive() for t in (timer, *timer.findChildren(type(timer))))
