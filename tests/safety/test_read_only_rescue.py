"""A data folder on a disk remounted read-only: backup, verify and audit-verify still rescue it.

The folder is really read-only (a read-only bind mount in a private mount namespace, made
with util-linux's unshare as root, as CI runs), not merely chmod'ed: root ignores modes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.safety.conftest import fingerprint
from tests.conftest import cheap_seal

READ_ONLY = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && shift && exec "$@"'


def read_only(root: Path, *command: str) -> subprocess.CompletedProcess:
    """``command`` run where ``root`` is mounted read-only (for it alone)."""
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(["unshare", "-m", "sh", "-c", READ_ONLY, "sh", str(root), *command],
                          capture_output=True, text=True, env=env, timeout=300)


def meso(root: Path, *args: str) -> subprocess.CompletedProcess:
    return read_only(root, sys.executable, "-m", "meso_kiosk", *args, "--data-dir", str(root))


@pytest.fixture
def frozen(installation) -> tuple[Path, int, dict]:
    root, patient_id = installation
    probe = read_only(root, "sh", "-c", f'touch "{root}/probe"')
    assert probe.returncode != 0 and "Read-only file system" in probe.stderr, probe.stderr  # really read-only
    return root, patient_id, fingerprint(root)


def test_audit_verify_and_verify_work_on_a_read_only_folder(frozen):
    root, _, before = frozen
    result = meso(root, "audit-verify")
    assert result.returncode == 0 and result.stdout.startswith("audit log intact"), result.stderr
    [pdf] = (root / "exports").glob("summary-*.pdf")
    result = meso(root, "verify", str(pdf))
    assert result.returncode == 0, result.stderr
    assert "issued here: document" in result.stdout
    assert fingerprint(root) == before


def test_a_backup_of_a_read_only_folder_is_written_elsewhere_and_restores(frozen, tmp_path):
    root, patient_id, before = frozen
    result = meso(root, "backup", "--out", str(tmp_path / "rescued.zip"))
    assert result.returncode == 0, result.stderr
    assert "opened read-only" in result.stderr and len(result.stderr.splitlines()) == 1
    assert fingerprint(root) == before
    restored = subprocess.run([sys.executable, "-m", "meso_kiosk", "restore", str(tmp_path / "rescued.zip"),
                               "--data-dir", str(tmp_path / "new")], capture_output=True, text=True, timeout=300)
    assert restored.returncode == 0, restored.stderr
    assert subprocess.run([sys.executable, "-m", "meso_kiosk", "audit-verify", "--data-dir", str(tmp_path / "new")],
                          capture_output=True, timeout=300).returncode == 0


def test_what_would_write_says_the_folder_is_read_only_in_one_line(frozen, tmp_path):
    root, patient_id, before = frozen
    result = meso(root, "export-pdf", "--patient", str(patient_id), "--out", str(tmp_path / "x.pdf"))
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1, result.stderr
    assert "read-only" in result.stderr and "Traceback" not in result.stderr
    assert fingerprint(root) == before


def test_changes_still_in_the_wal_are_rescued_too(tmp_path):
    """A writer stopped with committed changes in meso.db-wal, its -shm lost, on a read-only disk."""
    import shutil

    from meso_kiosk.services.kiosk import open_kiosk

    source, frozen_copy = tmp_path / "data", tmp_path / "frozen"
    kiosk = open_kiosk(source, make_seal=cheap_seal)
    try:
        kiosk.store.conn.execute("PRAGMA wal_autocheckpoint = 0")  # keep what follows in the WAL
        kiosk.patients.register({"given_name": "Only", "family_name": "InTheWal", "date_of_birth": "1990-01-01"}, "t")
        frozen_copy.mkdir()
        for name in ("meso.db", "meso.db-wal", "audit.key", "audit.head"):  # no meso.db-shm
            shutil.copy2(source / name, frozen_copy / name)
        assert (frozen_copy / "meso.db-wal").stat().st_size > 0
    finally:
        kiosk.close()
    result = meso(frozen_copy, "audit-verify")
    assert result.returncode == 0, result.stderr
    backup = meso(frozen_copy, "backup", "--out", str(tmp_path / "rescued.zip"))
    assert backup.returncode == 0 and "1 patients" in backup.stdout, backup.stderr
