"""A normal (non-editable) install finds resources/ when run from any directory."""

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_carries_resources_and_finds_them_from_elsewhere(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path / "wheel"), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    [wheel] = (tmp_path / "wheel").glob("meso_kiosk-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "meso_kiosk/resources/MANIFEST.txt" in names
    assert "meso_kiosk/resources/icons/app.svg" in names

    venv.create(tmp_path / "venv", with_pip=True)
    python = tmp_path / "venv" / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True,
                   capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    found = subprocess.run(
        [python, "-c", "from meso_kiosk.resources import resource_path; print(resource_path('icons/app.svg'))"],
        cwd=elsewhere, check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip()
    assert "site-packages" in found and found.endswith("meso_kiosk/resources/icons/app.svg")
