import os
import stat
from pathlib import Path

import pytest

from meso_kiosk.config import DataDirError, prepare_data_dir, resolve_data_dir


def test_cli_value_wins_over_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MESO_KIOSK_HOME", str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "cli") == (tmp_path / "cli").resolve()
    assert resolve_data_dir(None) == (tmp_path / "env").resolve()


def test_default_is_the_platform_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("MESO_KIOSK_HOME")
    default = resolve_data_dir(None)
    assert "MesoKiosk" in default.parts
    assert Path(os.environ["HOME"]) in default.parents  # the fixture's fake home, never the real one


def test_prepare_creates_a_private_folder(tmp_path):
    paths = prepare_data_dir(tmp_path / "new" / "data")
    assert paths.database == tmp_path / "new" / "data" / "meso.db"
    assert paths.exports.is_dir()
    assert stat.S_IMODE(os.stat(paths.root).st_mode) == 0o700


def test_read_only_folder_is_a_clear_error(tmp_path, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()
    # CI runs as root, which permission bits cannot stop: ask the check itself to say no.
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(DataDirError, match="read-only"):
        prepare_data_dir(folder)


def test_a_file_in_place_of_the_folder_is_a_clear_error(tmp_path):
    (tmp_path / "data").write_text("oops")
    with pytest.raises(DataDirError, match="Cannot create the data folder"):
        prepare_data_dir(tmp_path / "data")
