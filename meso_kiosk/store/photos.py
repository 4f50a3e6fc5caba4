"""Progress photos (``photos``) and photo-consent withdrawals (``photo_consent_withdrawals``): rows <->
domain objects, and the facts the photo-consent rule reads. Both tables are immutable (triggers):
a retake is a new photo; a withdrawal "delete" removes files, never rows.

A photo's file lives at ``<data folder>/photos/<file_name>``; its row holds the file's SHA-256, so
the audit chain (record_content: entity ``photo``) vouches for the picture.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime
from pathlib import Path

from ..domain.clock import parse_utc_iso
from ..domain.consent import ConsentKind
from ..domain.photo import ConsentFact, Photo, PhotoConsentWithdrawal
from .consents import latest_record
from .db import Transaction
from .errors import RecordNotFoundError

PHOTOS_FOLDER = "photos"  # in the data folder, beside meso.db
_COLUMNS = ("id, patient_id, view_id, taken_at, consultant_id, session_id, sha256, width, height, file_name,"
            " source")
_WITHDRAWAL_COLUMNS = "id, patient_id, withdrawn_at, disposition, actor, reason, photos"


def photos_folder(data_root: Path) -> Path:
    return data_root / PHOTOS_FOLDER


def _to_photo(row: tuple) -> Photo:
    photo_id, patient_id, view_id, taken_at, *rest = row
    return Photo(photo_id, patient_id, view_id, parse_utc_iso(taken_at), *rest)


def _to_withdrawal(row: tuple) -> PhotoConsentWithdrawal:
    withdrawal_id, patient_id, withdrawn_at, *rest = row
    return PhotoConsentWithdrawal(withdrawal_id, patient_id, parse_utc_iso(withdrawn_at), *rest)


def insert_photo(tx: Transaction, *, patient_id: int, view_id: str, consultant_id: int | None,
                 session_id: int | None, sha256: str, width: int, height: int, file_name: str,
                 source: str, taken_at: str | None = None) -> Photo:
    """The photo's row, taken now (the transaction's time; the demo's at its sessions' times), with its
    audit entry ``photo.add``."""
    taken_at = taken_at or tx.at
    cursor = tx.execute(
        f"INSERT INTO photos ({_COLUMNS.removeprefix('id, ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (patient_id, view_id, taken_at, consultant_id, session_id, sha256, width, height, file_name, source))
    tx.audit("photo.add", "photo", cursor.lastrowid)
    return Photo(cursor.lastrowid, patient_id, view_id, parse_utc_iso(taken_at), consultant_id,  # type: ignore[arg-type]
                 session_id, sha256, width, height, file_name, source)


def get_photo(conn: sqlite3.Connection, photo_id: int) -> Photo:
    row = conn.execute(f"SELECT {_COLUMNS} FROM photos WHERE id = ?", (photo_id,)).fetchone()
    if row is None:
        raise RecordNotFoundError(f"There is no photo {photo_id}.")
    return _to_photo(row)


def list_photos(conn: sqlite3.Connection, patient_id: int, view_id: str | None = None) -> list[Photo]:
    """The patient's photos (of one view, if given), oldest first."""
    where, params = ("AND view_id = ?", (patient_id, view_id)) if view_id is not None else ("", (patient_id,))
    rows = conn.execute(f"SELECT {_COLUMNS} FROM photos WHERE patient_id = ? {where} ORDER BY taken_at, id", params)
    return [_to_photo(row) for row in rows]


def insert_withdrawal(tx: Transaction, patient_id: int, disposition: str, reason: str | None, photos: int) -> \
        PhotoConsentWithdrawal:
    """A photo-consent withdrawal covering ``photos`` photos (those still kept), with its audit entry."""
    cursor = tx.execute(
        f"INSERT INTO photo_consent_withdrawals ({_WITHDRAWAL_COLUMNS.removeprefix('id, ')})"
        " VALUES (?, ?, ?, ?, ?, ?)", (patient_id, tx.at, disposition, tx.actor, reason, photos))
    tx.audit(f"photo.consent_withdraw_{disposition}", "photo_consent_withdrawal", cursor.lastrowid)
    return PhotoConsentWithdrawal(cursor.lastrowid, patient_id, parse_utc_iso(tx.at), disposition,  # type: ignore[arg-type]
                                  tx.actor, reason, photos)


def list_withdrawals(conn: sqlite3.Connection, patient_id: int) -> list[PhotoConsentWithdrawal]:
    rows = conn.execute(f"SELECT {_WITHDRAWAL_COLUMNS} FROM photo_consent_withdrawals WHERE patient_id = ?"
                        " ORDER BY withdrawn_at, id", (patient_id,))
    return [_to_withdrawal(row) for row in rows]


def last_withdrawal_at(conn: sqlite3.Connection, patient_id: int) -> datetime | None:
    row = conn.execute("SELECT max(withdrawn_at) FROM photo_consent_withdrawals WHERE patient_id = ?",
                       (patient_id,)).fetchone()
    return None if row[0] is None else parse_utc_iso(row[0])


def latest_consent_fact(conn: sqlite3.Connection, patient_id: int) -> ConsentFact | None:
    """What the photo rule needs of the patient's newest consent record."""
    record = latest_record(conn, patient_id)
    if record is None:
        return None
    withdrawal = record.kind is not ConsentKind.CONSENT
    photo = None if withdrawal or record.answers is None else record.answers.photo_consent
    return ConsentFact(record.signed_at, withdrawal, photo)


def deleted_files(conn: sqlite3.Connection) -> set[str]:
    """File names of photos deleted on request: taken before a "delete" withdrawal of their patient."""
    rows = conn.execute("SELECT p.file_name FROM photos p WHERE EXISTS (SELECT 1 FROM photo_consent_withdrawals w"
                        " WHERE w.patient_id = p.patient_id AND w.disposition = 'delete'"
                        " AND w.withdrawn_at >= p.taken_at)")
    return {row[0] for row in rows}


def _has_photos(conn: sqlite3.Connection) -> bool:
    """Whether the schema has photos yet: audit-verify, a backup or a restore may read a database from before
    migration 0014."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'photos'").fetchone() is not None


def stored_files(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    """(id, file name, SHA-256) of every photo whose file must be in the data folder (not deleted on request)."""
    if not _has_photos(conn):
        return []
    deleted = deleted_files(conn)
    rows = conn.execute("SELECT id, file_name, sha256 FROM photos ORDER BY id")
    return [row for row in rows if row[1] not in deleted]


def file_problems(conn: sqlite3.Connection, folder: Path) -> list[str]:
    """What is wrong with the photo files in ``folder`` (a data folder's photos/): each photo whose
    row says it is kept but whose file is missing, or not the picture stored (its SHA-256 differs)."""
    problems = []
    for photo_id, file_name, sha256 in stored_files(conn):
        path = folder / file_name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            problems.append(f"the file of photo {photo_id} ({PHOTOS_FOLDER}/{file_name}) is missing")
            continue
        except OSError as error:
            problems.append(f"the file of photo {photo_id} ({PHOTOS_FOLDER}/{file_name}) cannot be read "
                            f"({error.strerror or error})")
            continue
        if hashlib.sha256(data).hexdigest() != sha256:
            problems.append(f"the file of photo {photo_id} ({PHOTOS_FOLDER}/{file_name}) has been changed since "
                            "it was stored (its SHA-256 is not the one its record holds)")
    for file_name in sorted(deleted_files(conn) if _has_photos(conn) else ()):  # privacy: a picture the patient had deleted must be gone
        if (folder / file_name).exists():
            problems.append(f"the photo file {PHOTOS_FOLDER}/{file_name} was deleted on the patient's request but "
                            "is still there; delete it")
    return problems
