import sqlite3
from pathlib import Path

import pytest

from meso_kiosk.store.db import APPLICATION_ID, connect
from meso_kiosk.store.errors import DatabaseDamagedError
from meso_kiosk.store.migrations import SCHEMA_VERSION, STEPS, apply_migrations


def test_new_database_has_the_safety_pragmas_and_current_schema(tmp_path: Path):
    conn = connect(tmp_path / "meso.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "settings", "consultants", "patients", "intakes", "courses", "treatment_sessions", "session_zones",
        "session_products", "consents", "signatures", "documents", "audit_log", "patient_names_fts",
    } <= tables
    applied = [row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert applied == [name for name, _ in STEPS]


def test_reopening_a_current_database_changes_nothing(tmp_path: Path):
    connect(tmp_path / "meso.db").close()
    conn = connect(tmp_path / "meso.db")
    assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(STEPS)


@pytest.mark.parametrize(
    "content",
    [b"this is a text file, not a database" * 100, b"SQLite format 3\x00" + b"\xff" * 4000, b"\x00" * 8192],
    ids=["text", "bad-header", "zeros"],
)
def test_damaged_file_is_refused_and_left_untouched(tmp_path: Path, content: bytes):
    path = tmp_path / "meso.db"
    path.write_bytes(content)
    with pytest.raises(DatabaseDamagedError) as caught:
        connect(path)
    message = str(caught.value)
    assert str(path) in message and "restore" in message.lower()
    assert path.read_bytes() == content
    assert not (tmp_path / "meso.db-wal").exists()


def test_a_truncated_database_is_refused(tmp_path: Path):
    path = tmp_path / "meso.db"
    conn = connect(path)
    conn.executemany(
        "INSERT INTO settings (key, value) VALUES (?, ?)", [(f"k{i}", '"' + "x" * 500 + '"') for i in range(400)]
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DatabaseDamagedError):
        connect(path)


def test_another_programs_database_is_refused(tmp_path: Path):
    path = tmp_path / "meso.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    other.commit()
    other.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseDamagedError, match="another program"):
        connect(path)
    assert path.read_bytes() == before


def test_upgrade_from_the_first_step_keeps_the_data(tmp_path: Path):
    path = tmp_path / "meso.db"
    old = sqlite3.connect(path)
    apply_migrations(old, stop_before=STEPS[1][0])
    old.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    old.execute(
        "INSERT INTO patients (given_name, family_name, date_of_birth, phone, created_at, updated_at)"
        " VALUES ('Ελένη', 'Παπαδοπούλου', '1975-06-21', '+30 691 234 5678', 't', 't')"
    )
    old.execute("INSERT INTO settings (key, value) VALUES ('clinic.name', '\"Old clinic\"')")
    old.commit()
    old.close()

    conn = connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    row = conn.execute("SELECT given_name, family_name, phone, phone_digits, name_key FROM patients").fetchone()
    assert row == ("Ελένη", "Παπαδοπούλου", "+30 691 234 5678", "306912345678", "ελενη παπαδοπουλου")
    assert conn.execute("SELECT value FROM settings WHERE key = 'clinic.name'").fetchone()[0] == '"Old clinic"'
    # The search index built by the upgrade covers rows written before it.
    hits = conn.execute("SELECT rowid FROM patient_names_fts WHERE patient_names_fts MATCH ?", ['"παπαδ"*']).fetchall()
    assert hits == [(1,)]


def test_foreign_keys_are_enforced(tmp_path: Path):
    conn = connect(tmp_path / "meso.db")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO intakes (patient_id, created_at, updated_at) VALUES (999, 't', 't')"
        )
