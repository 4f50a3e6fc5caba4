"""The locks: exact, hashed versions that satisfy pyproject.toml, and the commands that install through them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.test_installer_spec import _spec_helpers

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# Each lock and the extra it adds to the app's own dependencies.
LOCKS = {"requirements.txt": None, "requirements-test.txt": "test", "requirements-build.txt": "build"}
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+?)(?: ; (?P<marker>[^\\]+?))? \\$")


def _pins(lock: str) -> dict[str, tuple[Version, list[str]]]:
    """name → (version, hashes) for every requirement of ``lock``; fails on any line that is not a hashed pin."""
    pins: dict[str, tuple[Version, list[str]]] = {}
    lines = (ROOT / lock).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if not line or line.startswith((" ", "#")):
            continue
        match = PIN.match(line)
        assert match, f"{lock}:{number + 1} is not an exact pin: {line!r}"
        hashes = []
        for following in lines[number + 1:]:
            if not following.startswith("    --hash=sha256:"):
                break
            hashes.append(following.split(":", 1)[1].rstrip(" \\"))
        assert hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), f"{lock}: {line} has no hash"
        pins[canonicalize_name(match["name"])] = (Version(match["version"]), hashes)
    return pins


def _wanted(extra: str | None) -> list[Requirement]:
    wanted = [*PYPROJECT["project"]["dependencies"], *PYPROJECT["build-system"]["requires"]]
    if extra:
        wanted += PYPROJECT["project"]["optional-dependencies"][extra]
    return [Requirement(text) for text in wanted]


@pytest.mark.parametrize("lock, extra", LOCKS.items())
def test_each_lock_pins_everything_pyproject_asks_for_at_an_allowed_version(lock, extra):
    pins = _pins(lock)
    for requirement in _wanted(extra):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock} does not pin {requirement} (run .ci/lock)"
        version, _ = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), \
            f"{lock} pins {name} {version}, outside {requirement.specifier} (run .ci/lock)"


def test_the_locks_agree_with_each_other():
    app = _pins("requirements.txt")
    for lock in ("requirements-test.txt", "requirements-build.txt"):
        other = _pins(lock)
        assert {name: other[name][0] for name in app} == {name: version for name, (version, _) in app.items()}, lock


def test_the_locks_hold_every_platform_s_files():
    """Resolved for Windows and macOS too (uv's --universal), not only for the machine that locked."""
    text = (ROOT / "requirements-build.txt").read_text(encoding="utf-8")
    assert "tzdata" in text  # zoneinfo's database on Windows
    assert re.search(r"^pefile==\S+ ; sys_platform == 'win32'", text, re.M)  # PyInstaller on Windows
    assert re.search(r"^macholib==\S+ ; sys_platform == 'darwin'", text, re.M)  # PyInstaller on macOS
    _, hashes = _pins("requirements.txt")["pyside6-essentials"]
    assert len(hashes) >= 4, "one wheel per platform (Linux x86_64 and aarch64, Windows, macOS)"


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("## Set up"):].split("```sh", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.startswith("python3 -m venv")]


def test_readme_s_two_commands_install_through_the_locks_and_ci_runs_the_second_verbatim():
    start, test = _readme_commands()
    assert "--require-hashes -r requirements.txt " in start and start.endswith(".venv/bin/meso-kiosk")
    assert "--require-hashes -r requirements-test.txt " in test and "pytest" in test
    for command in (start, test):
        assert "pip install --no-deps --no-build-isolation -e ." in command  # nothing resolved beside the lock
        assert command.count("pip install") == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines()


def test_the_installer_build_refuses_an_environment_that_is_not_the_lock(tmp_path):
    drift_from = _spec_helpers()["_drift_from"]
    pytest_version = Version(__import__("pytest").__version__)
    lock = tmp_path / "lock.txt"
    lock.write_text(
        f"pytest=={pytest_version} \\\n    --hash=sha256:{'0' * 64}\n    # via something\n"
        "pywin32-ctypes==0.2.3 ; sys_platform == 'never' \\\n    --hash=sha256:" + "1" * 64 + "\n",
        encoding="utf-8",
    )
    assert drift_from(lock) == []  # installed as locked; a pin for another platform is not asked for
    lock.write_text("pytest==0.0.1 \\\n    --hash=sha256:" + "0" * 64 + "\nno-such-package-here==1.0\n", encoding="utf-8")
    assert drift_from(lock) == [f"pytest {pytest_version} (locked: 0.0.1)", "no-such-package-here missing (locked: 1.0)"]
