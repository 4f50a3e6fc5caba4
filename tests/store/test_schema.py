"""The schema fingerprint the store checks at every open is the one the migrations build."""

from __future__ import annotations

import sqlite3

import pytest

from meso_kiosk.store.errors import DatabaseDamagedError
from meso_kiosk.store.migrations import SCHEMA_VERSION
from meso_kiosk.store.schema import SCHEMA_SHA256, built_by_migrations, check_schema, fingerprint


def test_the_fingerprint_is_what_the_migrations_build():
    built = fingerprint(built_by_migrations())
    assert built == SCHEMA_SHA256, f"a migration step changed the schema: set SCHEMA_SHA256 = {built!r}"


def test_every_immutable_table_has_its_triggers():
    names = {name for kind, name, _ in built_by_migrations() if kind == "trigger"}
    for table in ("consents", "signatures", "treatment_sessions", "session_zones", "session_products",
                  "session_amendments", "amendment_lots", "documents", "intakes", "restores", "seal_certificates"):
        assert {f"{table}_immutable_update", f"{table}_immutable_delete"} <= names, table


def test_a_newer_database_is_refused_as_such(kiosk):
    conn = sqlite3.connect(kiosk.store.path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    with pytest.raises(DatabaseDamagedError, match="newer version of Meso Kiosk"):
        check_schema(conn, kiosk.store.path)
    conn.close()


def test_an_older_database_is_judged_against_its_own_version():
    conn = sqlite3.connect(":memory:")
    from meso_kiosk.store.migrations import STEPS, apply_migrations

    apply_migrations(conn, stop_before=STEPS[5][0])
    check_schema(conn, "old")  # five steps' schema: as five steps build it
    conn.execute("CREATE INDEX extra ON patients (email)")
    with pytest.raises(DatabaseDamagedError, match="index extra is not one of the app's"):
        check_schema(conn, "old")
