"""The standard photo views come from resources/photos/views.toml through the one loader."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from meso_kiosk.resources import resources_root
from meso_kiosk.services.clinic_data import ClinicData, ClinicDataError


def test_the_shipped_views_are_the_six_standard_ones_with_hints_in_english_and_french():
    views = ClinicData().photo_views()
    assert [view.id for view in views] == ["vertex", "frontal_hairline", "left_temporal", "right_temporal",
                                          "occipital", "midline_part"]
    assert all(view.hint and view.hint_fr and view.label_fr for view in views)


def test_a_broken_views_file_is_named_with_its_key(tmp_path: Path):
    copy = tmp_path / "resources"
    shutil.copytree(resources_root(), copy)
    path = copy / "photos" / "views.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('id = "occipital"', 'id = "Occipital!"'), encoding="utf-8")
    data = ClinicData(copy)
    with pytest.raises(ClinicDataError) as caught:
        data.photo_views()
    assert (caught.value.name, caught.value.key) == ("photos/views.toml", "views[4].id")
    assert data.check_all() == [str(caught.value)]


def test_a_missing_views_file_says_so(tmp_path: Path):
    copy = tmp_path / "resources"
    shutil.copytree(resources_root(), copy)
    (copy / "photos" / "views.toml").unlink()
    with pytest.raises(ClinicDataError, match="^photos/views.toml: the file is missing"):
        ClinicData(copy).photo_views()
