import os
import shutil
import subprocess
import sys
import unicodedata
from decimal import Decimal

import pytest

from meso_kiosk.resources import resources_root
from meso_kiosk.services.clinic_data import ClinicData
from meso_kiosk.services.demo.seed import seed_demo


def _scripts(names: list[str]) -> set[str]:
    scripts = set()
    for name in names:
        for char in name:
            if char.isalpha():
                scripts.add(unicodedata.name(char, "?").split()[0])
    return scripts


def test_demo_seeds_an_empty_database_once(kiosk):
    first = seed_demo(kiosk)
    assert first.seeded and "patients" in first.message
    patients = kiosk.patients.recent(100)
    assert 18 <= len(patients) <= 30
    # Names in many scripts, so a newcomer sees the search and fonts working.
    assert {"LATIN", "GREEK", "CYRILLIC", "CJK", "ARABIC", "HEBREW", "HIRAGANA", "HANGUL"} <= _scripts(
        [p.display_name for p in patients])
    assert kiosk.clinic.profile().name.endswith("(demo)")
    assert kiosk.store.verify_audit().ok

    before = kiosk.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    second = seed_demo(kiosk)
    assert not second.seeded and "already holds" in second.message
    assert kiosk.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before


def test_demo_is_left_alone_when_real_patients_exist(kiosk, register):
    register()
    result = seed_demo(kiosk)
    assert not result.seeded
    assert kiosk.patients.count() == 1


def test_meso_kiosk_demo_starts_the_window_and_seeds(tmp_path):
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "MESO_KIOSK_EXIT_AFTER_FIRST_PAINT": "1"}
    command = [sys.executable, "-m", "meso_kiosk", "--demo", "--data-dir", str(tmp_path / "d")]
    first = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "Demo data added" in first.stderr
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "Demo data not added" in again.stderr
    assert (tmp_path / "d" / "meso.db").is_file() and (tmp_path / "d" / "audit.key").is_file()


def test_demo_fills_every_clinic_setting_the_consultants_credentials_and_a_logo(kiosk):
    seed_demo(kiosk)
    settings = kiosk.clinic.settings()
    assert settings.name == "Northgate Hair Clinic (demo)" and settings.timezone == "Europe/Paris"
    assert settings.address.splitlines() == ["18 rue des Tilleuls", "75011 Paris", "France"]
    assert settings.phone and settings.email.endswith(".example")
    assert settings.currency == "EUR"
    protocols = kiosk.clinic_data.protocols()
    assert set(settings.prices) == set(protocols)  # a price for each protocol
    assert all(settings.price_per_session(protocol) > Decimal(0) for protocol in protocols)
    assert (settings.cooling_off_hours, settings.minimum_age) == (24, 18)
    assert not settings.treats_minors and settings.reconsent_on_new_text
    logo = kiosk.clinic.logo()
    assert logo is not None and logo.sha256 == settings.logo and logo.png.startswith(b"\x89PNG")
    assert 32 <= min(logo.width, logo.height) and max(logo.width, logo.height) <= 512
    by_name = {account.display_name: account.id for account in kiosk.accounts.accounts()}
    credentials = kiosk.accounts.credentials()
    assert credentials[by_name["Dr Amélie Laurent"]] == ("Dermatologist", "RPPS 10001234567")
    assert credentials[by_name["Sam Okafor"]] == ("Registered nurse", "ONI 123456")
    assert kiosk.store.verify_audit().ok


@pytest.fixture
def demo_copy(tmp_path):
    """A copy of the shipped resources whose demo clinic a test breaks."""
    copy = tmp_path / "resources"
    shutil.copytree(resources_root(), copy)
    return copy


@pytest.mark.parametrize("old, new, named", [
    ("minimum_age = 18", "minimum_age = 12", "demo/clinic.toml: clinic.minimum_age: The minimum age must be"),
    ('mild = "150.00"', 'mild = "-150"', "demo/clinic.toml: clinic.prices.mild: A price cannot be negative"),
    ('severe = "220.00"', 'baldest = "220.00"', "demo/clinic.toml: clinic.prices.baldest: There is no protocol"),
    ('timezone = "Europe/Paris"', 'timezone = "Mars/Base"', "demo/clinic.toml: clinic.timezone: "),
    ('currency = "EUR"', 'currency = "Euros"', "demo/clinic.toml: clinic.currency: "),
    ("cooling_off_hours = 24", "cooling_off_hours = 24\nloyalty_points = 3", "clinic.loyalty_points: There is no"),
    ('logo = "logo.png"', 'logo = "../../README.md"', "demo/clinic.toml: clinic.logo: must name a PNG or JPEG"),
    ('logo = "logo.png"', 'logo = "missing.png"', "demo/missing.png: the file is missing"),
])
def test_a_demo_clinic_the_settings_page_would_refuse_is_named_by_the_check(demo_copy, old, new, named):
    demo = demo_copy / "demo" / "clinic.toml"
    text = demo.read_text(encoding="utf-8")
    assert old in text, f"demo/clinic.toml no longer holds {old!r}: update this test"
    demo.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = ClinicData(demo_copy).check_all()
    assert any(problem.startswith(named) or named in problem for problem in problems), problems


def test_the_shipped_demo_clinic_passes_the_check():
    data = ClinicData()
    assert not [problem for problem in data.check_all() if problem.startswith("demo/")]
    assert data.demo_clinic_settings().named and data.demo_picture("logo.png").startswith(b"\x89PNG")


def test_the_demo_shows_its_clinic_s_local_time_from_the_first_run(kiosk):
    """Issue 22: times showed in UTC on the first --demo run, then moved by an hour after a restart."""
    from zoneinfo import ZoneInfo

    assert seed_demo(kiosk).seeded
    assert kiosk.clock.tz == ZoneInfo(kiosk.clinic.settings().timezone)
