"""Every test runs headless and writes only below its own tmp_path."""

from __future__ import annotations

import os

# Before anything imports Qt.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from meso_kiosk.services.kiosk import Kiosk, open_kiosk  # noqa: E402

FIXED_NOW = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch a real user's data folder: every default path points into tmp_path."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("MESO_KIOSK_HOME", str(tmp_path / "default-data"))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def kiosk(data_dir: Path) -> Kiosk:
    opened = open_kiosk(data_dir, now=lambda: FIXED_NOW)
    yield opened
    opened.close()


@pytest.fixture
def register(kiosk: Kiosk):
    """Register a patient with sensible defaults for the fields a test does not care about."""

    def _register(given: str = "Claire", family: str = "Dubois", born: str = "1986-04-12", **extra):
        form = {"given_name": given, "family_name": family, "date_of_birth": born} | extra
        return kiosk.patients.register(form, "test")

    return _register
