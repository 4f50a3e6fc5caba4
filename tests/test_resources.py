import pytest

from meso_kiosk.resources import MissingResourceError, resource_path, resources_root


def test_shipped_resources_are_found():
    assert (resources_root() / "MANIFEST.txt").is_file()
    assert resource_path("icons/app.svg").is_file()


def test_a_missing_resource_names_the_file():
    with pytest.raises(MissingResourceError, match="scalp/nonexistent.json"):
        resource_path("scalp/nonexistent.json")


@pytest.mark.parametrize("name", ["/etc/passwd", "../pyproject.toml", "icons/../../README.md"])
def test_resource_names_cannot_escape_the_folder(name):
    with pytest.raises(ValueError):
        resource_path(name)


def test_another_resources_folder_can_be_read_the_same_way(tmp_path):
    (tmp_path / "scalp").mkdir()
    (tmp_path / "scalp" / "zones.json").write_text("{}")
    assert resource_path("scalp/zones.json", root=tmp_path) == tmp_path / "scalp" / "zones.json"
    with pytest.raises(MissingResourceError, match=f"side_effects.toml' is missing from {tmp_path}"):
        resource_path("side_effects.toml", root=tmp_path)
    with pytest.raises(ValueError):
        resource_path("../outside.toml", root=tmp_path)
