"""Find the files under ``resources/`` wherever the app runs from.

Three layouts exist: a source checkout or editable install (``resources/`` beside
the package), a wheel install (copied into ``meso_kiosk/resources``) and the
PyInstaller bundle (``resources/`` under ``sys._MEIPASS``).
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

_ENV_OVERRIDE = "MESO_KIOSK_RESOURCES"


class MissingResourceError(FileNotFoundError):
    """A file the app ships with is not where it should be."""


def _candidate_roots() -> list[Path]:
    roots = []
    override = os.environ.get(_ENV_OVERRIDE)
    if override:
        roots.append(Path(override))
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        roots.append(Path(bundle) / "resources")
    package_dir = Path(__file__).resolve().parent
    roots.append(package_dir / "resources")  # wheel install
    roots.append(package_dir.parent / "resources")  # checkout / editable install
    return roots


@cache
def resources_root() -> Path:
    """The folder holding the shipped resources."""
    for root in _candidate_roots():
        if (root / "MANIFEST.txt").is_file():
            return root
    searched = ", ".join(str(r) for r in _candidate_roots())
    raise MissingResourceError(
        f"Meso Kiosk cannot find its resources folder (looked in: {searched}). "
        "Reinstall the application."
    )


def resource_path(name: str, root: Path | None = None) -> Path:
    """Path of a shipped resource such as ``"scalp/zones.json"`` (under ``root`` when given).

    Raises ``MissingResourceError`` naming the file when it is absent, so a broken
    install says what is missing instead of failing later with a vague error.
    """
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts:
        raise ValueError(f"resource names are relative paths inside resources/: {name!r}")
    root = resources_root() if root is None else root
    path = root / relative
    if not path.exists():
        raise MissingResourceError(
            f"The resource file '{name}' is missing from {root}. "
            "Reinstall the application or restore the file."
        )
    return path
