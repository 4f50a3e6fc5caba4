"""Signed consents and withdrawals: rows <-> ``SignedConsent``, and each patient's chain.

A record and its signatures (the patient's drawing, the consultant's PIN
countersignature) are written in one transaction with one audit entry
(``consent.sign`` or ``consent.withdraw``); so are the other people who signed it
(``consent_parties``: a guardian, a witness, an interpreter). Triggers make ``consents``,
``signatures`` and ``consent_parties`` rows unchangeable, and keep each patient's records one chain: every
new record supersedes the newest one. Nothing is ever updated, so a record's status
(current, superseded, withdrawn) is worked out from the chain when read.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

from ..domain.clock import parse_utc_iso, utc_iso
from ..domain.consent import (
    ConsentKind,
    Countersignature,
    SignedConsent,
    WithdrawalChannel,
    answers_from_json,
)
from ..domain.consent_parties import ConsentParty, PartyRole
from ..domain.consent_template import sha256_text
from ..domain.signature import SignatureStrokes
from .db import Transaction
from .errors import RecordNotFoundError, StoreError

_COLUMNS = (
    "c.id, c.patient_id, c.kind, c.template_language, c.template_version, c.text, c.text_sha256, c.answers,"
    " c.photo_consent, c.question_for_consultant, c.printed_name, c.meaning, c.signed_at, c.consultant_id,"
    " c.consultant_name, c.witness_name, c.device_id, c.supersedes_id, c.withdrawal_channel,"
    " c.withdrawal_reason"
)


class ConsentChainError(StoreError):
    """Another consent record was written for the patient in the meantime."""


def countersignature_json(record: SignedConsent) -> str:
    """What the consultant's PIN countersignature attests, as canonical JSON.

    Stored as the consultant's ``signatures.strokes`` (method ``pin``): who, when, and
    the hash of the text they countersigned, so it cannot be moved to another record.
    """
    c = record.countersignature
    return json.dumps(
        {"attestation": "pin", "consultant_id": c.consultant_id, "consultant_name": c.consultant_name,
         "signed_at": utc_iso(c.signed_at), "text_sha256": record.text_sha256},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )


def insert_consent(tx: Transaction, record: SignedConsent,
                   parties: tuple[ConsentParty, ...] = ()) -> SignedConsent:
    """Store a signed consent or withdrawal with its signature rows and the ``parties`` who signed
    beside the patient (validated: ``domain.consent_parties``); returns it with its id."""
    if record.id is not None:
        raise ValueError("insert_consent takes a new record")
    if record.kind is ConsentKind.CONSENT and (record.answers is None or record.patient_signature is None):
        raise ValueError("a consent needs the patient's answers and signature")
    answers = record.answers.checklist_json() if record.answers is not None else "{}"
    question = record.answers.question_for_consultant if record.answers is not None else None
    photo = None if record.answers is None else int(record.answers.photo_consent)
    counter = record.countersignature
    try:
        cursor = tx.execute(
            "INSERT INTO consents (patient_id, kind, template_language, template_version, text, text_sha256,"
            " answers, photo_consent, question_for_consultant, printed_name, meaning, signed_at, consultant_id,"
            " consultant_name, witness_name, device_id, supersedes_id, withdrawal_channel, withdrawal_reason,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.patient_id, record.kind.value, record.language, str(record.template_version), record.text,
                record.text_sha256, answers, photo, question, record.printed_name, record.meaning,
                utc_iso(record.signed_at), counter.consultant_id, counter.consultant_name, record.witness_name,
                record.device_id, record.supersedes_id,
                None if record.withdrawal_channel is None else record.withdrawal_channel.value,
                record.withdrawal_reason, tx.at,
            ),
        )
    except sqlite3.IntegrityError as error:
        if "must supersede the newest" in str(error) or "consents.supersedes_id" in str(error):
            raise ConsentChainError(
                "Another consent record was saved for this patient a moment ago. Reopen the patient and try again."
            ) from error
        raise
    consent_id = cursor.lastrowid
    if record.patient_signature is not None:
        strokes = record.patient_signature.canonical_json()
        tx.execute(
            "INSERT INTO signatures (consent_id, role, method, signer_name, strokes, strokes_sha256, png, signed_at)"
            " VALUES (?, 'patient', 'drawn', ?, ?, ?, ?, ?)",
            (consent_id, record.printed_name, strokes, sha256_text(strokes), record.patient_signature_png,
             utc_iso(record.signed_at)),
        )
    attestation = countersignature_json(record)
    tx.execute(
        "INSERT INTO signatures (consent_id, role, method, consultant_id, signer_name, strokes, strokes_sha256,"
        " signed_at) VALUES (?, 'consultant', 'pin', ?, ?, ?, ?, ?)",
        (consent_id, counter.consultant_id, counter.consultant_name, attestation, sha256_text(attestation),
         utc_iso(counter.signed_at)),
    )
    for party in parties:
        strokes = party.signature.canonical_json()
        tx.execute(
            "INSERT INTO consent_parties (consent_id, role, name, relationship, language, patient_age, strokes,"
            " strokes_sha256, png, signed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (consent_id, party.role.value, party.name, party.relationship, party.language, party.patient_age,
             strokes, sha256_text(strokes), party.signature_png, utc_iso(record.signed_at)),
        )
    action = "consent.sign" if record.kind is ConsentKind.CONSENT else "consent.withdraw"
    tx.audit(action, "consent", consent_id)
    return replace(record, id=consent_id)


def _to_record(conn: sqlite3.Connection, row: tuple) -> SignedConsent:
    (consent_id, patient_id, kind, language, version, text, text_sha, answers_json, photo, question,
     printed_name, meaning, signed_at, consultant_id, consultant_name, witness, device, supersedes,
     channel, reason) = row
    signatures = {
        sig_row[0]: sig_row[1:]
        for sig_row in conn.execute(
            "SELECT role, strokes, strokes_sha256, png, signed_at FROM signatures WHERE consent_id = ?",
            (consent_id,),
        )
    }
    patient_sig = signatures.get("patient")
    consultant_sig = signatures.get("consultant")
    kind = ConsentKind(kind)
    answers = None
    if kind is ConsentKind.CONSENT:
        answers = answers_from_json(answers_json, bool(photo), question)
    return SignedConsent(
        id=consent_id, patient_id=patient_id, kind=kind, language=language, template_version=int(version),
        text=text, text_sha256=text_sha, printed_name=printed_name, meaning=meaning,
        signed_at=parse_utc_iso(signed_at),
        countersignature=Countersignature(
            consultant_id, consultant_name or "",
            parse_utc_iso(consultant_sig[3]) if consultant_sig else parse_utc_iso(signed_at),
        ),
        device_id=device or "", answers=answers,
        patient_signature=SignatureStrokes.from_json(patient_sig[0]) if patient_sig else None,
        patient_signature_sha256=patient_sig[1] if patient_sig else None,
        patient_signature_png=patient_sig[2] if patient_sig else None,
        witness_name=witness, supersedes_id=supersedes,
        withdrawal_channel=None if channel is None else WithdrawalChannel(channel),
        withdrawal_reason=reason,
    )


def list_parties(conn: sqlite3.Connection, consent_id: int) -> tuple[ConsentParty, ...]:
    """Who signed the record beside the patient: guardian, witness, interpreter, in that order."""
    rows = conn.execute(
        "SELECT role, name, relationship, language, patient_age, strokes, strokes_sha256, png, signed_at"
        " FROM consent_parties WHERE consent_id = ?"
        " ORDER BY CASE role WHEN 'guardian' THEN 0 WHEN 'witness' THEN 1 ELSE 2 END", (consent_id,))
    return tuple(
        ConsentParty(PartyRole(role), name, SignatureStrokes.from_json(strokes), relationship=relationship,
                     language=language, signature_png=png, patient_age=age, signed_at=parse_utc_iso(signed_at),
                     signature_sha256=strokes_sha)
        for role, name, relationship, language, age, strokes, strokes_sha, png, signed_at in rows)


def get_consent(conn: sqlite3.Connection, consent_id: int) -> SignedConsent:
    row = conn.execute(f"SELECT {_COLUMNS} FROM consents c WHERE c.id = ?", (consent_id,)).fetchone()
    if row is None:
        raise RecordNotFoundError(f"Consent record {consent_id} does not exist.")
    return _to_record(conn, row)


def list_consents(conn: sqlite3.Connection, patient_id: int) -> list[SignedConsent]:
    """Every consent and withdrawal of the patient, newest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM consents c WHERE c.patient_id = ? ORDER BY c.signed_at DESC, c.id DESC",
        (patient_id,),
    ).fetchall()
    return [_to_record(conn, row) for row in rows]


def latest_record(conn: sqlite3.Connection, patient_id: int) -> SignedConsent | None:
    """The newest record of the patient's chain (the one no other record supersedes)."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM consents c WHERE c.patient_id = ?"
        " AND NOT EXISTS (SELECT 1 FROM consents s WHERE s.supersedes_id = c.id)"
        " ORDER BY c.id DESC LIMIT 1",
        (patient_id,),
    ).fetchone()
    return None if row is None else _to_record(conn, row)


def current_consent(conn: sqlite3.Connection, patient_id: int) -> SignedConsent | None:
    """The patient's consent in force: the newest record, if it is a consent (not a withdrawal)."""
    latest = latest_record(conn, patient_id)
    return latest if latest is not None and latest.kind is ConsentKind.CONSENT else None


def superseded_by(conn: sqlite3.Connection, patient_id: int) -> dict[int, int]:
    """Record id -> the id of the record that superseded it, for the patient's chain."""
    return dict(conn.execute(
        "SELECT supersedes_id, id FROM consents WHERE patient_id = ? AND supersedes_id IS NOT NULL", (patient_id,)
    ).fetchall())


def patients_with_current_consent(conn: sqlite3.Connection) -> set[int]:
    """Ids of patients whose newest consent record is a signed consent (for lists and badges)."""
    return {row[0] for row in conn.execute(
        "SELECT c.patient_id FROM consents c WHERE c.kind = 'consent'"
        " AND NOT EXISTS (SELECT 1 FROM consents s WHERE s.supersedes_id = c.id)"
    )}
