"""The layers of ARCHITECTURE.md, checked by import-linter on every test run."""

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_start_up_does_not_import_heavy_libraries():
    """Slow imports (ReportLab, pyHanko, sqlite-utils on a current database) wait until needed."""
    import subprocess
    import sys

    code = (
        "import sys, meso_kiosk.cli, meso_kiosk.ui.app, meso_kiosk.services.kiosk;"
        "print(' '.join(m for m in ('reportlab', 'pyhanko', 'cryptography', 'sqlite_utils') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""}).stdout.strip()
    assert loaded == ""
