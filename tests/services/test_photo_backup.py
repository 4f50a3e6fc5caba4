"""Photo files go into backups and come back on restore, each checked against its row's SHA-256;
audit-verify reports a photo file that is missing or swapped."""

from __future__ import annotations

import hashlib
import stat
import zipfile

import pytest

from meso_kiosk.cli import main
from meso_kiosk.services.backup import BackupError, create_backup, restore_backup
from meso_kiosk.services.kiosk import open_kiosk
from meso_kiosk.store.photos import photos_folder
from tests.conftest import cheap_seal
from tests.photo_files import consenting_patient, jpeg


@pytest.fixture
def photographed(kiosk, register):
    patient_id, consultant_id = consenting_patient(kiosk, register)
    return [kiosk.photos.add(patient_id, view, jpeg(colour=colour), consultant_id)
            for view, colour in (("vertex", "sienna"), ("occipital", "peru"))]


def test_a_backup_carries_the_photos_and_a_restore_brings_them_back(kiosk, tmp_path, photographed):
    report = create_backup(kiosk, tmp_path / "backup.zip")
    names = set(zipfile.ZipFile(report.path).namelist())
    assert {f"photos/{photo.file_name}" for photo in photographed} <= names
    restore_backup(report.path, tmp_path / "restored")
    restored = open_kiosk(tmp_path / "restored", make_seal=cheap_seal)
    try:
        for photo in photographed:
            path = photos_folder(restored.paths.root) / photo.file_name
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            assert hashlib.sha256(restored.photos.image(photo)).hexdigest() == photo.sha256
    finally:
        restored.close()


def test_no_backup_of_a_swapped_photo(kiosk, tmp_path, photographed):
    (photos_folder(kiosk.paths.root) / photographed[1].file_name).write_bytes(jpeg(colour="white"))
    with pytest.raises(BackupError, match=f"photo {photographed[1].id} .* has been changed"):
        create_backup(kiosk, tmp_path / "backup.zip")
    assert not (tmp_path / "backup.zip").exists()


def test_a_restore_refuses_a_backup_whose_photo_was_swapped(kiosk, tmp_path, photographed):
    report = create_backup(kiosk, tmp_path / "backup.zip")
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(report.path) as source, zipfile.ZipFile(forged, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == f"photos/{photographed[0].file_name}":
                data = jpeg(colour="black")
            target.writestr(member, data)
    with pytest.raises(BackupError, match=f"photo {photographed[0].id} .* has been changed"):
        restore_backup(forged, tmp_path / "restored")
    assert not (tmp_path / "restored").exists()


@pytest.mark.parametrize("change", ["swapped", "missing"])
def test_audit_verify_reports_a_swapped_or_missing_photo(kiosk, data_dir, photographed, change, capsys):
    assert main(["audit-verify", "--data-dir", str(data_dir)]) == 0
    path = photos_folder(data_dir) / photographed[0].file_name
    if change == "swapped":
        path.write_bytes((photos_folder(data_dir) / photographed[1].file_name).read_bytes())
    else:
        path.unlink()
    capsys.readouterr()
    assert main(["audit-verify", "--data-dir", str(data_dir)]) == 1
    said = capsys.readouterr()
    words = "has been changed" if change == "swapped" else "is missing"
    assert f"photo {photographed[0].id}" in said.out + said.err and words in said.out + said.err


def test_audit_verify_does_not_miss_a_file_deleted_on_request(kiosk, data_dir, photographed, capsys):
    kiosk.photos.withdraw_photo_consent(photographed[0].patient_id, "delete", None)
    assert main(["audit-verify", "--data-dir", str(data_dir)]) == 0


def test_audit_verify_reports_a_file_deleted_on_request_that_is_still_there(kiosk, data_dir, photographed, capsys):
    path = photos_folder(data_dir) / photographed[0].file_name
    kept = path.read_bytes()
    kiosk.photos.withdraw_photo_consent(photographed[0].patient_id, "delete", None)
    path.write_bytes(kept)  # put back by hand, or a deletion that failed
    capsys.readouterr()
    assert main(["audit-verify", "--data-dir", str(data_dir)]) == 1
    said = capsys.readouterr()
    assert "deleted on the patient's request but is still there" in said.out + said.err
