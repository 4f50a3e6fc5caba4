"""Treatment sessions: rows <-> ``TreatmentSession``, amendments, zone history, lot recall.

A session row stays editable while ``status = 'open'``; once closed, triggers in the
schema refuse every UPDATE/DELETE on it and on its zone and product rows. A
correction is a ``session_amendments`` row holding the reason, the changed fields
and the whole corrected record, shown beside the original.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from datetime import date
from typing import Iterable

from ..domain.clock import parse_utc_iso, utc_iso
from ..domain.amendment import Amendment, FieldChange
from ..domain.lots import lot_key
from ..domain.session import (
    Numbing,
    ProductUse,
    SessionStatus,
    Technique,
    TreatmentSession,
    ZoneTreatment,
)
from ..domain.zone_history import ZoneHistoryEntry, zone_history
from .db import Transaction
from .errors import ImmutableRecordError, RecordNotFoundError

_SESSION_COLUMNS = (
    "id, patient_id, consultant_id, started_at, technique, numbing, duration_min, details, status, closed_at"
)


# ---------------------------------------------------------------- records read back


@dataclass(frozen=True)
class StoredAmendment:
    id: int
    amendment: Amendment
    corrected: TreatmentSession  # the whole session as corrected


@dataclass(frozen=True)
class SessionRecord:
    """One stored session with its corrections, oldest correction first."""

    patient_id: int
    original: TreatmentSession
    amendments: tuple[StoredAmendment, ...] = ()

    @property
    def session_id(self) -> int:
        return self.original.session_id  # type: ignore[return-value]

    @property
    def effective(self) -> TreatmentSession:
        """What the record says now: the latest correction, or the original."""
        return self.amendments[-1].corrected if self.amendments else self.original

    @property
    def is_closed(self) -> bool:
        return self.original.is_closed


@dataclass(frozen=True)
class LotRecallRow:
    """One use of a recalled lot: who, which session, when, which product."""

    patient_id: int
    patient_name: str
    date_of_birth: date
    session_id: int
    started_at: str  # UTC ISO
    session_status: str
    product: str
    lot: str
    expiry: date
    via_amendment: bool  # the lot was named by a correction, not the original record


# ---------------------------------------------------------------- conversions


def _details(session: TreatmentSession) -> str:
    return json.dumps(
        {
            "side_effects": list(session.side_effects),
            "side_effects_other": session.side_effects_other,
            "shedding": session.shedding,
            "satisfaction": session.satisfaction,
            "notes": session.notes,
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def _consultant_row_id(session: TreatmentSession) -> int | None:
    try:
        return int(session.consultant_id)
    except (TypeError, ValueError):
        return None


def session_to_json(session: TreatmentSession) -> dict:
    """A plain JSON form of a session (used for the corrected copy in an amendment)."""
    return {
        "session_id": session.session_id,
        "started_at": utc_iso(session.started_at),
        "consultant_id": session.consultant_id,
        "technique": session.technique.value,
        "numbing": session.numbing.value,
        "zones": [
            {"zone_id": z.zone_id, "injections": z.injections, "depth_mm": z.depth_mm, "volume_ml": z.volume_ml}
            for z in session.zones
        ],
        "products": [
            {"name": p.name, "lot": p.lot, "expiry": p.expiry.isoformat()} for p in session.products
        ],
        "duration_min": session.duration_min,
        "side_effects": list(session.side_effects),
        "side_effects_other": session.side_effects_other,
        "shedding": session.shedding,
        "satisfaction": session.satisfaction,
        "notes": session.notes,
        "status": session.status.value,
        "closed_at": utc_iso(session.closed_at) if session.closed_at else None,
    }


def session_from_json(data: dict) -> TreatmentSession:
    return TreatmentSession(
        started_at=parse_utc_iso(data["started_at"]),
        consultant_id=str(data["consultant_id"]),
        technique=Technique(data["technique"]),
        numbing=Numbing(data["numbing"]),
        zones=tuple(
            ZoneTreatment(z["zone_id"], int(z["injections"]), float(z["depth_mm"]), float(z["volume_ml"]))
            for z in data.get("zones", ())
        ),
        products=tuple(
            ProductUse(p["name"], p["lot"], date.fromisoformat(p["expiry"])) for p in data.get("products", ())
        ),
        duration_min=data.get("duration_min"),
        side_effects=tuple(data.get("side_effects", ())),
        side_effects_other=data.get("side_effects_other"),
        shedding=data.get("shedding"),
        satisfaction=data.get("satisfaction"),
        notes=data.get("notes"),
        status=SessionStatus(data.get("status", "open")),
        closed_at=parse_utc_iso(data["closed_at"]) if data.get("closed_at") else None,
        session_id=data.get("session_id"),
    )


def _to_session(conn: sqlite3.Connection, row: tuple) -> tuple[int, TreatmentSession]:
    (session_id, patient_id, consultant_id, started_at, technique, numbing, duration, details,
     status, closed_at) = row
    extra = json.loads(details or "{}")
    zones = tuple(
        ZoneTreatment(zone_id, injections, depth, volume if volume is not None else 0.0)
        for zone_id, injections, depth, volume in conn.execute(
            "SELECT zone_id, injections, depth_mm, volume_ml FROM session_zones WHERE session_id = ? ORDER BY id",
            (session_id,),
        )
    )
    products = tuple(
        ProductUse(name, lot, date.fromisoformat(expiry))
        for name, lot, expiry in conn.execute(
            "SELECT product, lot_number, expiry_date FROM session_products WHERE session_id = ? ORDER BY id",
            (session_id,),
        )
    )
    session = TreatmentSession(
        started_at=parse_utc_iso(started_at),
        consultant_id="" if consultant_id is None else str(consultant_id),
        technique=Technique(technique),
        numbing=Numbing(numbing),
        zones=zones,
        products=products,
        duration_min=duration,
        side_effects=tuple(extra.get("side_effects", ())),
        side_effects_other=extra.get("side_effects_other"),
        shedding=extra.get("shedding"),
        satisfaction=extra.get("satisfaction"),
        notes=extra.get("notes"),
        status=SessionStatus(status),
        closed_at=parse_utc_iso(closed_at) if closed_at else None,
        session_id=session_id,
    )
    return patient_id, session


# ---------------------------------------------------------------- writing


def _write_children(tx: Transaction, session_id: int, session: TreatmentSession) -> None:
    tx.execute("DELETE FROM session_zones WHERE session_id = ?", (session_id,))
    tx.execute("DELETE FROM session_products WHERE session_id = ?", (session_id,))
    for zone in session.zones:
        tx.execute(
            "INSERT INTO session_zones (session_id, zone_id, injections, depth_mm, volume_ml) VALUES (?, ?, ?, ?, ?)",
            (session_id, zone.zone_id, zone.injections, zone.depth_mm, zone.volume_ml),
        )
    for product in session.products:
        tx.execute(
            "INSERT INTO session_products (session_id, product, lot_number, lot_key, expiry_date)"
            " VALUES (?, ?, ?, ?, ?)",
            (session_id, product.name, product.lot, product.lot_key, product.expiry.isoformat()),
        )


def _guarded(tx: Transaction, sql: str, params: tuple) -> sqlite3.Cursor:
    """Run a write the immutability triggers may refuse, turning the refusal into our error."""
    try:
        return tx.execute(sql, params)
    except sqlite3.IntegrityError as error:
        if "cannot be changed" in str(error):
            raise ImmutableRecordError(
                "This session is closed and cannot be changed. Record a correction (amendment) instead."
            ) from error
        raise


def insert_session(tx: Transaction, patient_id: int, session: TreatmentSession) -> TreatmentSession:
    """Store a new open session with its zones and products (audit ``session.create``)."""
    if session.is_closed:
        raise ValueError("a session is stored open first, then closed")
    cursor = tx.execute(
        "INSERT INTO treatment_sessions (patient_id, consultant_id, started_at, technique, numbing,"
        " duration_min, details, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)",
        (patient_id, _consultant_row_id(session), utc_iso(session.started_at), session.technique.value,
         session.numbing.value, session.duration_min, _details(session), tx.at, tx.at),
    )
    session_id = cursor.lastrowid
    _write_children(tx, session_id, session)
    tx.audit("session.create", "session", session_id)
    return _with_id(session, session_id)


def _with_id(session: TreatmentSession, session_id: int) -> TreatmentSession:
    return replace(session, session_id=session_id)


def _update_open(tx: Transaction, session: TreatmentSession) -> None:
    if session.session_id is None:
        raise ValueError("only a stored session can be updated")
    cursor = _guarded(
        tx,
        "UPDATE treatment_sessions SET consultant_id = ?, started_at = ?, technique = ?, numbing = ?,"
        " duration_min = ?, details = ?, updated_at = ? WHERE id = ?",
        (_consultant_row_id(session), utc_iso(session.started_at), session.technique.value,
         session.numbing.value, session.duration_min, _details(session), tx.at, session.session_id),
    )
    if cursor.rowcount != 1:
        raise RecordNotFoundError(f"Session {session.session_id} does not exist.")
    try:
        _write_children(tx, session.session_id, session)
    except sqlite3.IntegrityError as error:  # pragma: no cover - the parent guard fires first
        raise ImmutableRecordError("This session is closed and cannot be changed.") from error


def update_session(tx: Transaction, session: TreatmentSession) -> TreatmentSession:
    """Replace an open session's values, zones and products (audit ``session.update``)."""
    if session.is_closed:
        raise ValueError("use close_session_row to close a session")
    _update_open(tx, session)
    tx.audit("session.update", "session", session.session_id)
    return session


def close_session_row(tx: Transaction, session: TreatmentSession) -> TreatmentSession:
    """Write the final values of a session and close it (audit ``session.close``).

    ``session`` must already be closed by ``domain.session.close_session``.
    """
    if not session.is_closed or session.closed_at is None:
        raise ValueError("close the session in the domain first")
    _update_open(tx, session)
    _guarded(
        tx,
        "UPDATE treatment_sessions SET status = 'closed', closed_at = ?, updated_at = ? WHERE id = ?",
        (utc_iso(session.closed_at), tx.at, session.session_id),
    )
    tx.audit("session.close", "session", session.session_id)
    return session


def insert_amendment(tx: Transaction, amendment: Amendment, corrected: TreatmentSession) -> int:
    """Keep a correction beside its closed session (audit ``session.amend``)."""
    try:
        cursor = tx.execute(
            "INSERT INTO session_amendments (session_id, reason, changes, corrected, amended_by, amended_at,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                amendment.session_id,
                amendment.reason,
                json.dumps([c.__dict__ for c in amendment.changes], ensure_ascii=False),
                json.dumps(session_to_json(corrected), ensure_ascii=False, sort_keys=True),
                amendment.amended_by,
                utc_iso(amendment.amended_at),
                tx.at,
            ),
        )
    except sqlite3.IntegrityError as error:
        if "only a closed session" in str(error):
            raise ImmutableRecordError("Only a closed session can be corrected with an amendment.") from error
        raise
    amendment_id = cursor.lastrowid
    for product in corrected.products:
        tx.execute(
            "INSERT INTO amendment_lots (amendment_id, product, lot_number, lot_key, expiry_date)"
            " VALUES (?, ?, ?, ?, ?)",
            (amendment_id, product.name, product.lot, product.lot_key, product.expiry.isoformat()),
        )
    tx.audit("session.amend", "session", amendment.session_id)
    return amendment_id


# ---------------------------------------------------------------- reading


def _amendments(conn: sqlite3.Connection, session_id: int) -> tuple[StoredAmendment, ...]:
    rows = conn.execute(
        "SELECT id, reason, changes, corrected, amended_by, amended_at FROM session_amendments"
        " WHERE session_id = ? ORDER BY amended_at, id",
        (session_id,),
    ).fetchall()
    result = []
    for amendment_id, reason, changes, corrected, amended_by, amended_at in rows:
        amendment = Amendment(
            session_id=session_id,
            reason=reason,
            changes=tuple(FieldChange(**change) for change in json.loads(changes)),
            amended_by=amended_by,
            amended_at=parse_utc_iso(amended_at),
        )
        result.append(StoredAmendment(amendment_id, amendment, session_from_json(json.loads(corrected))))
    return tuple(result)


def _records(conn: sqlite3.Connection, rows: Iterable[tuple]) -> list[SessionRecord]:
    records = []
    for row in rows:
        patient_id, session = _to_session(conn, row)
        records.append(SessionRecord(patient_id, session, _amendments(conn, session.session_id)))
    return records


def get_session(conn: sqlite3.Connection, session_id: int) -> SessionRecord:
    row = conn.execute(f"SELECT {_SESSION_COLUMNS} FROM treatment_sessions WHERE id = ?", (session_id,)).fetchone()
    if row is None:
        raise RecordNotFoundError(f"Session {session_id} does not exist.")
    return _records(conn, [row])[0]


def list_patient_sessions(conn: sqlite3.Connection, patient_id: int) -> list[SessionRecord]:
    """A patient's sessions, oldest first, each with its amendments beside it."""
    rows = conn.execute(
        f"SELECT {_SESSION_COLUMNS} FROM treatment_sessions WHERE patient_id = ? ORDER BY started_at, id",
        (patient_id,),
    ).fetchall()
    return _records(conn, rows)


def open_session(conn: sqlite3.Connection, patient_id: int) -> TreatmentSession | None:
    """The patient's session still being recorded (the newest open one), if any."""
    row = conn.execute(
        f"SELECT {_SESSION_COLUMNS} FROM treatment_sessions WHERE patient_id = ? AND status = 'open'"
        " ORDER BY started_at DESC, id DESC LIMIT 1",
        (patient_id,),
    ).fetchone()
    return None if row is None else _to_session(conn, row)[1]


def closed_sessions(conn: sqlite3.Connection, patient_id: int) -> list[TreatmentSession]:
    """Closed sessions as they stand after corrections, oldest first."""
    return [record.effective for record in list_patient_sessions(conn, patient_id) if record.is_closed]


def zone_history_for(conn: sqlite3.Connection, patient_id: int, zone_id: str) -> tuple[ZoneHistoryEntry, ...]:
    """Closed sessions that treated ``zone_id`` (after corrections), oldest first."""
    return zone_history(closed_sessions(conn, patient_id), zone_id)


def lot_recall(conn: sqlite3.Connection, lot: str) -> list[LotRecallRow]:
    """Every session that used ``lot`` (case and spacing ignored), newest first.

    A lot named only in a correction is found too (``via_amendment``), so a
    recall misses nobody.
    """
    key = lot_key(lot or "")
    if not key:
        return []
    rows = conn.execute(
        """
        SELECT p.id, p.given_name || ' ' || p.family_name, p.date_of_birth, s.id, s.started_at, s.status,
               sp.product, sp.lot_number, sp.expiry_date, 0
        FROM session_products sp
        JOIN treatment_sessions s ON s.id = sp.session_id
        JOIN patients p ON p.id = s.patient_id
        WHERE sp.lot_key = ?
        UNION
        SELECT p.id, p.given_name || ' ' || p.family_name, p.date_of_birth, s.id, s.started_at, s.status,
               al.product, al.lot_number, al.expiry_date, 1
        FROM amendment_lots al
        JOIN session_amendments a ON a.id = al.amendment_id
        JOIN treatment_sessions s ON s.id = a.session_id
        JOIN patients p ON p.id = s.patient_id
        WHERE al.lot_key = ?
        ORDER BY 5 DESC, 4 DESC, 10
        """,
        (key, key),
    ).fetchall()
    seen: set[tuple[int, str]] = set()
    result = []
    for row in rows:
        # The same lot restated unchanged by a correction is one use, not two.
        marker = (row[3], row[6].casefold())
        if marker in seen:
            continue
        seen.add(marker)
        result.append(
            LotRecallRow(
                patient_id=row[0], patient_name=row[1], date_of_birth=date.fromisoformat(row[2]),
                session_id=row[3], started_at=row[4], session_status=row[5], product=row[6], lot=row[7],
                expiry=date.fromisoformat(row[8]), via_amendment=bool(row[9]),
            )
        )
    return result
