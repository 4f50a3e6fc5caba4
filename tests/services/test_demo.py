import os
import subprocess
import sys
import unicodedata

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
