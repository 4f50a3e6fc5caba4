"""The schema, built in numbered steps by ``sqlite_utils.Migrations``.

Never edit a step that has shipped: add a new one. ``PRAGMA user_version`` records
how many steps a database has, so a current database opens without importing
sqlite-utils at all (it is the slowest import of the store).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from sqlite_utils import Database

MIGRATION_SET = "meso_kiosk"


def _immutable(table: str, when: str, message: str) -> str:
    """Triggers that make rows of ``table`` matching ``when`` refuse UPDATE and DELETE."""
    return f"""
    CREATE TRIGGER {table}_immutable_update BEFORE UPDATE ON {table}
    WHEN {when.replace('{row}', 'old')}
    BEGIN SELECT RAISE(ABORT, '{message}'); END;
    CREATE TRIGGER {table}_immutable_delete BEFORE DELETE ON {table}
    WHEN {when.replace('{row}', 'old')}
    BEGIN SELECT RAISE(ABORT, '{message}'); END;
    """


def _step_0001_core(db: "Database") -> None:
    db.executescript(
        """
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL            -- JSON
    );
    CREATE TABLE consultants (
        id INTEGER PRIMARY KEY,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT 'consultant' CHECK (role IN ('consultant', 'admin')),
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        pin_hash TEXT,
        failed_pin_count INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE patients (
        id INTEGER PRIMARY KEY,
        given_name TEXT NOT NULL,
        family_name TEXT NOT NULL,
        date_of_birth TEXT NOT NULL,
        sex_at_birth TEXT CHECK (sex_at_birth IN ('female', 'male', 'intersex')),
        phone TEXT,
        email TEXT,
        preferred_language TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """
    )


def _step_0002_patient_search(db: "Database") -> None:
    from meso_kiosk.domain.patient import phone_digits, search_key

    # Derived search columns, written by the store with every change to the row.
    db.execute("ALTER TABLE patients ADD COLUMN phone_digits TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE patients ADD COLUMN name_key TEXT NOT NULL DEFAULT ''")
    rows = db.execute("SELECT id, phone, given_name, family_name FROM patients").fetchall()
    for row_id, phone, given_name, family_name in rows:
        db.execute(
            "UPDATE patients SET phone_digits = ?, name_key = ? WHERE id = ?",
            (phone_digits(phone), search_key(f"{given_name} {family_name}"), row_id),
        )
    db.executescript(
        """
    CREATE INDEX patients_phone_digits ON patients (phone_digits);
    CREATE INDEX patients_date_of_birth ON patients (date_of_birth);
    CREATE INDEX patients_updated_at ON patients (updated_at);
    """
    )
    # name_key is already case- and accent-folded in every script (SQLite's own
    # remove_diacritics only knows Latin), so "ελενη" finds "Ελένη".
    db["patients"].enable_fts(["name_key"], create_triggers=True, tokenize="unicode61")


def _step_0003_clinical_records(db: "Database") -> None:
    db.executescript(
        """
    CREATE TABLE intakes (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients (id),
        status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'complete')),
        answers TEXT NOT NULL DEFAULT '{}',          -- JSON, field path -> value
        screening TEXT,                              -- JSON outcome, overrides, acknowledgements
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        completed_at TEXT,
        completed_by INTEGER REFERENCES consultants (id)
    );
    CREATE INDEX intakes_patient ON intakes (patient_id, created_at);

    CREATE TABLE courses (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients (id),
        protocol_id TEXT NOT NULL,
        severity TEXT,
        severity_reason TEXT,
        start_date TEXT NOT NULL,
        plan TEXT,                                   -- JSON: overrides of the protocol
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'finished', 'cancelled')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX courses_patient ON courses (patient_id);

    CREATE TABLE treatment_sessions (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients (id),
        course_id INTEGER REFERENCES courses (id),
        consultant_id INTEGER REFERENCES consultants (id),
        started_at TEXT NOT NULL,
        technique TEXT NOT NULL,
        numbing TEXT NOT NULL DEFAULT 'none',
        duration_min INTEGER,
        details TEXT NOT NULL DEFAULT '{}',          -- JSON: side effects, scales, notes
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        closed_at TEXT,
        amends_session_id INTEGER REFERENCES treatment_sessions (id),
        amendment_reason TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK (amends_session_id IS NULL OR length(trim(amendment_reason)) > 0)
    );
    CREATE INDEX treatment_sessions_patient ON treatment_sessions (patient_id, started_at);

    CREATE TABLE session_zones (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES treatment_sessions (id),
        zone_id TEXT NOT NULL,
        injections INTEGER NOT NULL CHECK (injections >= 0),
        depth_mm REAL CHECK (depth_mm > 0),
        volume_ml REAL CHECK (volume_ml >= 0),
        UNIQUE (session_id, zone_id)
    );

    CREATE TABLE session_products (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES treatment_sessions (id),
        product TEXT NOT NULL,
        lot_number TEXT NOT NULL,
        expiry_date TEXT NOT NULL,
        volume_ml REAL CHECK (volume_ml >= 0)
    );
    CREATE INDEX session_products_session ON session_products (session_id);
    CREATE INDEX session_products_lot ON session_products (lot_number);

    CREATE TABLE consents (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients (id),
        kind TEXT NOT NULL DEFAULT 'consent' CHECK (kind IN ('consent', 'withdrawal')),
        template_language TEXT NOT NULL,
        template_version TEXT NOT NULL,
        text_sha256 TEXT NOT NULL,
        answers TEXT NOT NULL,                       -- JSON: checklist item -> answer
        printed_name TEXT NOT NULL,
        meaning TEXT NOT NULL,
        signed_at TEXT NOT NULL,
        consultant_id INTEGER REFERENCES consultants (id),
        witness_name TEXT,
        device_id TEXT,
        supersedes_id INTEGER REFERENCES consents (id),
        created_at TEXT NOT NULL
    );
    CREATE INDEX consents_patient ON consents (patient_id, signed_at);

    CREATE TABLE signatures (
        id INTEGER PRIMARY KEY,
        consent_id INTEGER NOT NULL REFERENCES consents (id),
        role TEXT NOT NULL CHECK (role IN ('patient', 'consultant', 'witness')),
        signer_name TEXT NOT NULL,
        strokes TEXT NOT NULL,                       -- JSON vector strokes: the source of truth
        strokes_sha256 TEXT NOT NULL,
        png BLOB,
        signed_at TEXT NOT NULL
    );
    CREATE INDEX signatures_consent ON signatures (consent_id);

    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients (id),
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE INDEX documents_patient ON documents (patient_id);
    CREATE INDEX documents_sha256 ON documents (sha256);
    """
    )
    # Closed, complete and signed records never change; corrections are new rows.
    db.executescript(
        _immutable("intakes", "{row}.status = 'complete'", "a completed intake cannot be changed")
        + _immutable("treatment_sessions", "{row}.status = 'closed'", "a closed session cannot be changed")
        + _immutable("consents", "1", "a signed consent cannot be changed")
        + _immutable("signatures", "1", "a signature cannot be changed")
        + _immutable("documents", "1", "an issued document cannot be changed")
    )
    for child in ("session_zones", "session_products"):
        parent_closed = (
            "(SELECT status FROM treatment_sessions WHERE id = {row}.session_id) = 'closed'"
        )
        db.executescript(
            _immutable(child, parent_closed, "a closed session cannot be changed")
            + f"""
    CREATE TRIGGER {child}_closed_insert BEFORE INSERT ON {child}
    WHEN {parent_closed.replace('{row}', 'new')}
    BEGIN SELECT RAISE(ABORT, 'a closed session cannot be changed'); END;
    """
        )


STEPS: tuple[tuple[str, Callable[["Database"], None]], ...] = (
    ("0001_core", _step_0001_core),
    ("0002_patient_search", _step_0002_patient_search),
    ("0003_clinical_records", _step_0003_clinical_records),
)
SCHEMA_VERSION = len(STEPS)


def is_current(conn: sqlite3.Connection) -> bool:
    return conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def apply_migrations(conn: sqlite3.Connection, *, stop_before: str | None = None) -> list[str]:
    """Bring the schema up to date (or up to ``stop_before``); returns the steps applied."""
    from sqlite_utils import Database, Migrations  # slow import: only when a step is pending

    migrations = Migrations(MIGRATION_SET)
    for name, step in STEPS:
        migrations(name=name)(step)
    db = Database(conn, execute_plugins=False)
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db, stop_before=stop_before)
    applied = {m.name for m in migrations.applied(db)}
    done = [name for name in pending if name in applied]
    # user_version counts the leading run of applied steps.
    version = 0
    for name, _ in STEPS:
        if name not in applied:
            break
        version += 1
    conn.execute(f"PRAGMA user_version = {version}")
    return done
