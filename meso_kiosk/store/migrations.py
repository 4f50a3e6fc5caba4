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

from .migration_photos import step_0014_photos as _step_0014_photos
from .triggers import immutable as _immutable

MIGRATION_SET = "meso_kiosk"


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


# Step 0003's tables, one constant per kind of record; together they are the step's one script.
_0003_INTAKES_AND_COURSES = """
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
"""
_0003_SESSIONS = """
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
"""
_0003_CONSENTS = """
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
"""
_0003_DOCUMENTS = """
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


def _step_0003_clinical_records(db: "Database") -> None:
    db.executescript(_0003_INTAKES_AND_COURSES + _0003_SESSIONS + _0003_CONSENTS + _0003_DOCUMENTS)
    _lock_clinical_records(db)


def _lock_clinical_records(db: "Database") -> None:
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


def _step_0005_session_records(db: "Database") -> None:
    from meso_kiosk.domain.lots import lot_key

    # Recall looks lots up by a normalised key (case and spacing ignored).
    db.execute("ALTER TABLE session_products ADD COLUMN lot_key TEXT NOT NULL DEFAULT ''")
    for row_id, lot in db.execute("SELECT id, lot_number FROM session_products").fetchall():
        db.execute("UPDATE session_products SET lot_key = ? WHERE id = ?", (lot_key(lot), row_id))
    db.executescript(
        """
    CREATE INDEX session_products_lot_key ON session_products (lot_key);
    CREATE INDEX treatment_sessions_status ON treatment_sessions (patient_id, status);

    -- A correction to a closed session: the reason, the changed fields and the whole
    -- corrected record, kept beside the original (which never changes).
    CREATE TABLE session_amendments (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES treatment_sessions (id),
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        changes TEXT NOT NULL,                       -- JSON list of {field, before, after}
        corrected TEXT NOT NULL,                     -- JSON: the session as corrected
        amended_by TEXT NOT NULL,
        amended_at TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX session_amendments_session ON session_amendments (session_id, amended_at);

    -- Lots named by a correction, so a recall finds them too.
    CREATE TABLE amendment_lots (
        id INTEGER PRIMARY KEY,
        amendment_id INTEGER NOT NULL REFERENCES session_amendments (id),
        product TEXT NOT NULL,
        lot_number TEXT NOT NULL,
        lot_key TEXT NOT NULL,
        expiry_date TEXT NOT NULL
    );
    CREATE INDEX amendment_lots_lot_key ON amendment_lots (lot_key);

    -- Only a closed session can be amended.
    CREATE TRIGGER session_amendments_closed_only BEFORE INSERT ON session_amendments
    WHEN (SELECT status FROM treatment_sessions WHERE id = new.session_id) IS NOT 'closed'
    BEGIN SELECT RAISE(ABORT, 'only a closed session can be amended'); END;
    """
    )
    db.executescript(
        _immutable("session_amendments", "1", "an amendment cannot be changed")
        + _immutable("amendment_lots", "1", "an amendment cannot be changed")
    )


def _step_0006_course_plan(db: "Database") -> None:
    # Why the kiosk suggested the severity level (e.g. "Norwood IV or above"), kept with
    # the consultant's choice; and at most one active course per patient.
    db.executescript(
        """
    ALTER TABLE courses ADD COLUMN severity_basis TEXT;
    CREATE UNIQUE INDEX courses_one_active ON courses (patient_id) WHERE status = 'active';
    """
    )


def _step_0007_consent_accounts(db: "Database") -> None:
    # Consultant accounts: when the PIN was last set, and the moment of the last wrong
    # PIN (the back-off is computed from it; locked_until keeps its result so the lock
    # survives a restart).
    db.execute("ALTER TABLE consultants ADD COLUMN pin_changed_at TEXT")
    db.execute("ALTER TABLE consultants ADD COLUMN last_pin_failure_at TEXT")
    # A signed record carries the exact text shown (its SHA-256 is text_sha256), the
    # photo answer, the patient's question, the countersigning consultant's name as it
    # was then, and for a withdrawal how the patient told us and why.
    db.execute("ALTER TABLE consents ADD COLUMN text TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE consents ADD COLUMN photo_consent INTEGER CHECK (photo_consent IN (0, 1))")
    db.execute("ALTER TABLE consents ADD COLUMN question_for_consultant TEXT")
    db.execute("ALTER TABLE consents ADD COLUMN consultant_name TEXT")
    db.execute(
        "ALTER TABLE consents ADD COLUMN withdrawal_channel TEXT"
        " CHECK (withdrawal_channel IN ('in_person', 'phone', 'email', 'letter'))"
    )
    db.execute("ALTER TABLE consents ADD COLUMN withdrawal_reason TEXT")
    # A consultant countersigns by PIN at that moment ('pin'); patients draw ('drawn').
    db.execute(
        "ALTER TABLE signatures ADD COLUMN method TEXT NOT NULL DEFAULT 'drawn' CHECK (method IN ('drawn', 'pin'))"
    )
    db.execute("ALTER TABLE signatures ADD COLUMN consultant_id INTEGER REFERENCES consultants (id)")
    db.executescript(
        """
    -- Each patient's consent records form one chain: every new record (re-consent,
    -- withdrawal) supersedes the newest one, and a record is superseded at most once.
    -- Status is never stored (rows never change): the newest record of the chain is
    -- the current one, and it counts as consent only when its kind is 'consent'.
    CREATE UNIQUE INDEX consents_superseded_once ON consents (supersedes_id) WHERE supersedes_id IS NOT NULL;
    CREATE UNIQUE INDEX signatures_one_per_role ON signatures (consent_id, role);

    CREATE TRIGGER consents_insert_checks BEFORE INSERT ON consents
    BEGIN
        SELECT RAISE(ABORT, 'a consent record needs the exact text shown and its SHA-256')
        WHERE length(new.text) = 0 OR length(new.text_sha256) != 64;
        SELECT RAISE(ABORT, 'a consent record needs the countersigning consultant')
        WHERE new.consultant_id IS NULL OR new.consultant_name IS NULL;
        SELECT RAISE(ABORT, 'a consent needs the photo answer, yes or no')
        WHERE new.kind = 'consent' AND new.photo_consent IS NULL;
        SELECT RAISE(ABORT, 'a withdrawal must supersede the consent it withdraws')
        WHERE new.kind = 'withdrawal' AND (new.supersedes_id IS NULL OR new.withdrawal_channel IS NULL
            OR (SELECT kind FROM consents WHERE id = new.supersedes_id) IS NOT 'consent');
        SELECT RAISE(ABORT, 'a consent record can only supersede a record of the same patient')
        WHERE new.supersedes_id IS NOT NULL
            AND (SELECT patient_id FROM consents WHERE id = new.supersedes_id) IS NOT new.patient_id;
        SELECT RAISE(ABORT, 'a new consent record must supersede the newest one of the patient')
        WHERE EXISTS (
            SELECT 1 FROM consents c
            WHERE c.patient_id = new.patient_id AND c.id IS NOT new.supersedes_id
              AND NOT EXISTS (SELECT 1 FROM consents s WHERE s.supersedes_id = c.id)
        );
    END;

    CREATE TRIGGER signatures_insert_checks BEFORE INSERT ON signatures
    BEGIN
        SELECT RAISE(ABORT, 'only a consultant countersigns by PIN')
        WHERE new.method = 'pin' AND (new.role != 'consultant' OR new.consultant_id IS NULL);
        SELECT RAISE(ABORT, 'a drawn signature needs its strokes')
        WHERE new.method = 'drawn' AND (length(new.strokes) < 3 OR length(new.strokes_sha256) != 64);
    END;
    """
    )


def _step_0008_patient_search_prefixes(db: "Database") -> None:
    # The first letters typed in a search match thousands of patients in a large clinic; FTS5
    # then merges the doclists of every word starting with them. Prefix indexes for 1 to 3
    # letters answer those from one list (benchmarks: search).
    db.executescript(
        """
    DROP TRIGGER IF EXISTS patients_ai;
    DROP TRIGGER IF EXISTS patients_ad;
    DROP TRIGGER IF EXISTS patients_au;
    DROP TABLE IF EXISTS patients_fts;
    CREATE VIRTUAL TABLE patients_fts USING fts5 (
        name_key, tokenize='unicode61', prefix='1 2 3', content='patients'
    );
    CREATE TRIGGER patients_ai AFTER INSERT ON patients BEGIN
        INSERT INTO patients_fts (rowid, name_key) VALUES (new.rowid, new.name_key);
    END;
    CREATE TRIGGER patients_ad AFTER DELETE ON patients BEGIN
        INSERT INTO patients_fts (patients_fts, rowid, name_key) VALUES ('delete', old.rowid, old.name_key);
    END;
    CREATE TRIGGER patients_au AFTER UPDATE ON patients BEGIN
        INSERT INTO patients_fts (patients_fts, rowid, name_key) VALUES ('delete', old.rowid, old.name_key);
        INSERT INTO patients_fts (rowid, name_key) VALUES (new.rowid, new.name_key);
    END;
    INSERT INTO patients_fts (patients_fts) VALUES ('rebuild');
    """
    )


def _step_0009_audit_content(db: "Database") -> None:
    # Each audit entry vouches for the content of the record it wrote (store/record_content.py),
    # and a document keeps the audit head its PDF prints (``verify FILE`` checks it is still there).
    # Records written before get one baseline entry each at the next open, when the audit key
    # is at hand (``Store.open``): a row in audit_baseline_due says it is due.
    db.executescript(
        """
    ALTER TABLE audit_log ADD COLUMN content_hash TEXT;
    ALTER TABLE documents ADD COLUMN audit_head TEXT;
    -- The latest entry about one record: export checks the records it seals, a PIN prompt its account.
    CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);
    CREATE TABLE audit_baseline_due (after_row INTEGER NOT NULL);
    INSERT INTO audit_baseline_due SELECT id FROM audit_log ORDER BY id DESC LIMIT 1;

    -- Each restore, written into the data it restored: which backup, its audit head, and the
    -- head of the data it replaced (NULL: a new folder).
    CREATE TABLE restores (
        id INTEGER PRIMARY KEY,
        backup_name TEXT NOT NULL,
        backup_created_at TEXT,
        backup_rows INTEGER NOT NULL,
        backup_head TEXT NOT NULL,
        replaced_rows INTEGER,
        replaced_head TEXT,
        older INTEGER NOT NULL CHECK (older IN (0, 1)),          -- restored over newer data (--allow-older)
        key_source TEXT NOT NULL CHECK (key_source IN ('installation', 'backup')),
        restored_at TEXT NOT NULL
    );

    -- Every seal certificate this installation has sealed with, kept with the data: documents
    -- sealed before a lost seal/ folder still verify after a new seal is made.
    CREATE TABLE seal_certificates (
        id INTEGER PRIMARY KEY,
        fingerprint TEXT NOT NULL UNIQUE,
        pem TEXT NOT NULL,
        added_at TEXT NOT NULL
    );
    """
    )
    db.executescript(_immutable("restores", "1", "a restore record cannot be changed")
                     + _immutable("seal_certificates", "1", "a seal certificate cannot be changed"))


def _step_0010_clinic_identity(db: "Database") -> None:
    # Who performs the treatment: a consultant's profession and registration number, each
    # change a new row, so a document names what held on the day it was issued.
    # The clinic's logo, kept in the database: backups, restores and the audit chain carry it.
    db.executescript(
        """
    CREATE TABLE consultant_credentials (
        id INTEGER PRIMARY KEY,
        consultant_id INTEGER NOT NULL REFERENCES consultants (id),
        profession TEXT,
        registration TEXT,
        set_at TEXT NOT NULL
    );
    CREATE INDEX consultant_credentials_consultant ON consultant_credentials (consultant_id, id);
    CREATE TABLE clinic_logos (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        png BLOB NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        added_at TEXT NOT NULL
    );
    """
    )
    db.executescript(_immutable("consultant_credentials", "1", "consultant credentials cannot be changed; "
                                                               "record new ones")
                     + _immutable("clinic_logos", "1", "a clinic logo cannot be changed; add a new one"))


def _step_0011_consent_parties(db: "Database") -> None:
    # Who signs a consent beside the patient: a parent or guardian (the patient's own signature is
    # then their assent, at the age kept here), a witness, an interpreter. A new table, as the
    # CHECK on signatures.role cannot change; its rows join the consent's record (record_content).
    # They are written with the consent, before its audit entry, and never after.
    db.executescript(
        """
    CREATE TABLE consent_parties (
        id INTEGER PRIMARY KEY,
        consent_id INTEGER NOT NULL REFERENCES consents (id),
        role TEXT NOT NULL CHECK (role IN ('guardian', 'witness', 'interpreter')),
        name TEXT NOT NULL CHECK (length(trim(name)) > 0),
        relationship TEXT,                           -- the guardian's, to the patient
        language TEXT,                               -- the interpreter's (a language code)
        patient_age INTEGER,                         -- the patient's age when a guardian signed
        strokes TEXT NOT NULL,                       -- JSON vector strokes, as signatures.strokes
        strokes_sha256 TEXT NOT NULL,
        png BLOB,
        signed_at TEXT NOT NULL,
        CHECK (role != 'guardian' OR (length(trim(relationship)) > 0 AND patient_age >= 0)),
        CHECK (role != 'interpreter' OR length(trim(language)) > 0),
        CHECK (length(strokes) >= 3 AND length(strokes_sha256) = 64)
    );
    CREATE UNIQUE INDEX consent_parties_one_per_role ON consent_parties (consent_id, role);

    CREATE TRIGGER consent_parties_insert_checks BEFORE INSERT ON consent_parties
    BEGIN
        SELECT RAISE(ABORT, 'a party signs with the consent, not after it')
        WHERE EXISTS (SELECT 1 FROM audit_log WHERE entity = 'consent' AND entity_id = CAST(new.consent_id AS TEXT));
    END;
    """
    )
    db.executescript(_immutable("consent_parties", "1", "a signature cannot be changed"))


def _step_0012_cooling_off_waivers(db: "Database") -> None:
    # Time to think: an admin's recorded reason for letting a patient's first session start before
    # the clinic's cooling-off period after their first consent ends. Kept as signed: never changed.
    db.executescript(
        """
    CREATE TABLE cooling_off_waivers (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients (id),
        consent_id INTEGER NOT NULL REFERENCES consents (id),
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        admin_id INTEGER NOT NULL REFERENCES consultants (id),
        admin_name TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX cooling_off_waivers_one_per_consent ON cooling_off_waivers (consent_id);
    CREATE INDEX cooling_off_waivers_patient ON cooling_off_waivers (patient_id);
    """
    )
    db.executescript(_immutable("cooling_off_waivers", "1", "a cooling-off waiver cannot be changed"))


def _step_0013_names_as_written(db: "Database") -> None:
    # Name order (person_name): a part added to the patient's record (record_content), by script until
    # chosen. Search words (name_folding): beside the audited row; marks are letters (Indic vowel signs).
    from meso_kiosk.domain.name_folding import name_key

    db.conn.create_function("meso_name_words", 2, name_key, deterministic=True)
    db.executescript("""
    DROP TRIGGER patients_ai; DROP TRIGGER patients_ad; DROP TRIGGER patients_au; DROP TABLE patients_fts;
    CREATE TABLE patient_name_orders (patient_id INTEGER PRIMARY KEY REFERENCES patients (id), name_order TEXT
        NOT NULL CHECK (name_order IN ('given_first', 'family_first')));
    CREATE TABLE patient_name_words (patient_id INTEGER PRIMARY KEY REFERENCES patients (id), words TEXT NOT NULL);
    INSERT INTO patient_name_words SELECT id, meso_name_words(given_name, family_name) FROM patients;
    CREATE VIRTUAL TABLE patient_names_fts USING fts5 (words, prefix='1 2 3', content='patient_name_words',
        content_rowid='patient_id', tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'");
    INSERT INTO patient_names_fts (patient_names_fts) VALUES ('rebuild');
    CREATE TRIGGER patient_name_words_ai AFTER INSERT ON patient_name_words
        BEGIN INSERT INTO patient_names_fts (rowid, words) VALUES (new.patient_id, new.words); END;
    CREATE TRIGGER patient_name_words_au AFTER UPDATE ON patient_name_words BEGIN
        INSERT INTO patient_names_fts (patient_names_fts, rowid, words) VALUES ('delete', old.patient_id, old.words);
        INSERT INTO patient_names_fts (rowid, words) VALUES (new.patient_id, new.words); END;
    """)

STEPS: tuple[tuple[str, Callable[["Database"], None]], ...] = (
    ("0001_core", _step_0001_core),
    ("0002_patient_search", _step_0002_patient_search),
    ("0003_clinical_records", _step_0003_clinical_records),
    ("0005_session_records", _step_0005_session_records),
    ("0006_course_plan", _step_0006_course_plan),
    ("0007_consent_accounts", _step_0007_consent_accounts),
    ("0008_patient_search_prefixes", _step_0008_patient_search_prefixes),
    ("0009_audit_content", _step_0009_audit_content),
    ("0010_clinic_identity", _step_0010_clinic_identity),
    ("0011_consent_parties", _step_0011_consent_parties),
    ("0012_cooling_off_waivers", _step_0012_cooling_off_waivers),
    ("0013_names_as_written", _step_0013_names_as_written),
    ("0014_photos", _step_0014_photos),
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
    # sqlite-utils makes its bookkeeping table and that table's index in two commits: a power cut
    # of a first start between them left a table without its index, refused at every later start
    # as changed outside the app (the crash harness's power cuts found it). One transaction here;
    # and a first start cut so, its migrations still pending, gets the index it missed.
    with db.atomic():
        migrations.ensure_migrations_table(db)
        conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx__sqlite_migrations_migration_set_name "
                     "ON _sqlite_migrations (migration_set, name)")
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
