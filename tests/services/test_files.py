"""Atomic writes never rename over a device, pipe or folder (as root that would replace /dev/null)."""

import os
import stat

import pytest

from meso_kiosk.services.backup import BackupError, create_backup
from meso_kiosk.services.export import ExportError
from meso_kiosk.services.files import write_atomically


@pytest.fixture
def pipe(tmp_path):
    """A named pipe stands in for /dev/null and friends (tests never touch the real devices)."""
    path = tmp_path / "special.pdf"
    os.mkfifo(path)
    return path


def _still_a_pipe(path) -> bool:
    return stat.S_ISFIFO(os.stat(path).st_mode)


def test_write_atomically_refuses_a_special_file_and_leaves_it_alone(pipe, tmp_path):
    with pytest.raises(OSError, match="device or special file"):
        write_atomically(pipe, b"data")
    assert _still_a_pipe(pipe)
    assert not list(tmp_path.glob("*.tmp"))  # no temp file left
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(IsADirectoryError):
        write_atomically(folder, b"data")
    assert folder.is_dir()


def test_write_atomically_still_replaces_a_regular_file(tmp_path):
    target = tmp_path / "a.ics"
    target.write_bytes(b"old")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"


def test_backup_and_export_refuse_a_special_file_with_a_clear_message(kiosk, register_consented, pipe):
    patient = register_consented()
    with pytest.raises(BackupError, match="not a regular file"):
        create_backup(kiosk, pipe)
    with pytest.raises(ExportError, match="not a regular file"):
        kiosk.export.export_pdf(patient.id, "test", out=pipe)
    assert _still_a_pipe(pipe)
