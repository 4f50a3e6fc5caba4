"""Clinic settings: JSON values by key; the clinic's name is decoded by SQLite's JSON reader."""

import json
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from meso_kiosk.store.settings import CLINIC_NAME_DEFAULT, clinic_name, get_setting


def _settings_table() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    return conn


@settings(max_examples=300, deadline=None)
@given(name=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=300))
def test_the_clinic_name_reads_back_as_json_wrote_it(name):
    """Any name the clinic's form accepts (``clean_text`` refuses control characters), as
    ``put_setting`` stores it: quotes, backslashes, every script, emoji, escaped or not."""
    conn = _settings_table()
    for ensure_ascii in (False, True):
        conn.execute("INSERT OR REPLACE INTO settings VALUES ('clinic.name', ?)",
                     (json.dumps(name, ensure_ascii=ensure_ascii),))
        assert clinic_name(conn) == name == get_setting(conn, "clinic.name")


def test_the_clinic_name_has_a_neutral_default_until_set():
    assert clinic_name(_settings_table()) == CLINIC_NAME_DEFAULT


def test_sql_looking_and_huge_names_are_just_text():
    conn = _settings_table()
    for name in ["Robert'); DROP TABLE settings;--", "$.clinic", "x" * 100_000, "عيادة 🌿 李"]:
        conn.execute("INSERT OR REPLACE INTO settings VALUES ('clinic.name', ?)", (json.dumps(name, ensure_ascii=False),))
        assert clinic_name(conn) == name
    assert conn.execute("SELECT count(*) FROM settings").fetchone()[0] == 1
