"""The first frame's read of app.toml (``ui/startup/app_file``) gives what the loader gives."""

from meso_kiosk.services.clinic_data import ClinicData
from meso_kiosk.ui.startup import app_file


def test_the_first_frame_reads_app_toml_as_the_loader_does():
    assert app_file.app_info() == ClinicData().app_info()


def test_a_file_it_cannot_take_is_read_through_the_loader(tmp_path, monkeypatch):
    broken = tmp_path / "app.toml"
    broken.write_text("title = \n", encoding="utf-8")
    monkeypatch.setattr(app_file, "resource_path", lambda name: broken)
    assert app_file.app_info() == ClinicData().app_info()  # the loader's read (here: the shipped file)
