"""Migration step 0014 (progress photos), kept beside ``migrations`` (which lists it in ``STEPS``).

Never edit it once shipped: add a new step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .triggers import immutable

if TYPE_CHECKING:
    from sqlite_utils import Database


def step_0014_photos(db: "Database") -> None:
    # Progress photos: the JPEG lives in the data folder's photos/ (its SHA-256 here, so the audit
    # chain covers the file); a retake is a new row. A photo-consent withdrawal says what happens to
    # the photos taken before it: kept under the clinic's retention rule, or their files deleted on
    # request (the rows stay, as the record of what was taken and deleted).
    db.executescript("""
    CREATE TABLE photos (id INTEGER PRIMARY KEY, patient_id INTEGER NOT NULL REFERENCES patients (id),
        view_id TEXT NOT NULL CHECK (length(view_id) BETWEEN 1 AND 40), taken_at TEXT NOT NULL,
        consultant_id INTEGER REFERENCES consultants (id), session_id INTEGER REFERENCES treatment_sessions (id),
        sha256 TEXT NOT NULL CHECK (length(sha256) = 64), width INTEGER NOT NULL CHECK (width > 0),
        height INTEGER NOT NULL CHECK (height > 0), file_name TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL CHECK (source IN ('camera', 'import')));
    CREATE INDEX photos_patient ON photos (patient_id, view_id, taken_at);
    CREATE TABLE photo_consent_withdrawals (id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients (id), withdrawn_at TEXT NOT NULL,
        disposition TEXT NOT NULL CHECK (disposition IN ('keep', 'delete')), actor TEXT NOT NULL,
        reason TEXT, photos INTEGER NOT NULL CHECK (photos >= 0));  -- how many photos it covered
    CREATE INDEX photo_consent_withdrawals_patient ON photo_consent_withdrawals (patient_id, withdrawn_at);
    """)
    db.executescript(immutable("photos", "1", "a photo cannot be changed; a retake is a new photo")
                     + immutable("photo_consent_withdrawals", "1", "a photo-consent withdrawal cannot be changed"))

