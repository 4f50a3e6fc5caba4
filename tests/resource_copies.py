"""A copy of the shipped resources/ under tmp_path, for tests that break one clinic file on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from meso_kiosk.resources import resource_path


@pytest.fixture
def copy(tmp_path) -> Path:
    root = tmp_path / "resources"
    shutil.copytree(resource_path("."), root)
    return root


def edit(root: Path, name: str, old: str, new: str) -> None:
    """Replace the first ``old`` of ``root/name`` by ``new`` (the test fails if it is not there)."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{name} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
