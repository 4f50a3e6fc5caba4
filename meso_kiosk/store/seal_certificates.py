"""Seal certificates kept in the database (table ``seal_certificates``, immutable)."""

from __future__ import annotations

import sqlite3

from .db import Transaction


def keep_certificate(tx: Transaction, fingerprint: str, pem: bytes) -> None:
    """Record a seal certificate, once (audited ``seal.certificate``)."""
    if tx.execute("SELECT 1 FROM seal_certificates WHERE fingerprint = ?", (fingerprint,)).fetchone():
        return
    cursor = tx.execute("INSERT INTO seal_certificates (fingerprint, pem, added_at) VALUES (?, ?, ?)",
                        (fingerprint, pem.decode("ascii"), tx.at))
    tx.audit("seal.certificate", "seal_certificate", cursor.lastrowid)


def kept_certificates(conn: sqlite3.Connection) -> list[tuple[str, bytes]]:
    return [(fingerprint, pem.encode("ascii"))
            for fingerprint, pem in conn.execute("SELECT fingerprint, pem FROM seal_certificates ORDER BY id")]


def has_sealed_before(conn: sqlite3.Connection) -> bool:
    """Whether this installation has had a seal: a certificate kept, a seal made or imported in the
    audit log (installations from before the table), or a sealed summary issued."""
    return bool(conn.execute(
        "SELECT EXISTS (SELECT 1 FROM seal_certificates)"
        " OR EXISTS (SELECT 1 FROM documents WHERE kind = 'consultation-summary')"
        " OR EXISTS (SELECT 1 FROM audit_log WHERE entity = 'seal')").fetchone()[0])
