"""Shared by the safety tests: an installation with data in it, file fingerprints, the CLI in-process."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from meso_kiosk.cli import main
from meso_kiosk.services.kiosk import open_kiosk
from tests.conftest import CHEAP_PIN_HASHER, cheap_seal

# Files that change by design when the database is merely opened (WAL index, the
# single-instance lock): everything else must be byte-identical after a refused action.
_TRANSIENT = ("meso-kiosk.lock", "-shm", "-wal")


def fingerprint(root: Path) -> dict[str, str]:
    """SHA-256 of every file below ``root`` (transient SQLite/lock files left out)."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.endswith(_TRANSIENT)
    }


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text, text
    return lines[0]


@pytest.fixture
def cli(capsys):
    """Run ``meso-kiosk ARGS`` in-process: (exit code, stdout, the one stderr line or "")."""

    def _run(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, (one_line(err) if err.strip() else "")

    return _run


@pytest.fixture
def installation(kiosk, sign_consent, register) -> tuple[Path, int]:
    """A data folder with a consented patient, one exported PDF and the seal; closed again."""
    patient = register()
    sign_consent(patient.id)
    kiosk.intake.save_answer(patient.id, "medical.medications", "Minoxidil 5 %", "test")
    kiosk.export.export_pdf(patient.id, "test")
    kiosk.close()
    return kiosk.paths.root, patient.id


def reopen(root: Path):
    return open_kiosk(root, pin_hasher=CHEAP_PIN_HASHER, make_seal=cheap_seal)
