"""Sessions in the database: one transaction each, closed means immutable, lot recall."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from meso_kiosk.domain.amendment import make_amendment
from meso_kiosk.domain.session import (
    Numbing,
    ProductUse,
    Technique,
    TreatmentSession,
    ZoneTreatment,
    close_session,
)
from meso_kiosk.store import sessions as rows
from meso_kiosk.store.consultants import insert_consultant
from meso_kiosk.store.errors import ImmutableRecordError
from meso_kiosk.store.migrations import STEPS

STARTED = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def consultant(kiosk):
    with kiosk.store.write("test") as tx:
        return insert_consultant(tx, "Dr Test")


def make_session(consultant_id: int, lot: str = "PX-2291/B", **changes) -> TreatmentSession:
    base = TreatmentSession(
        started_at=STARTED,
        consultant_id=str(consultant_id),
        technique=Technique.CHEMICAL_SYRINGE,
        numbing=Numbing.NONE,
        zones=(ZoneTreatment("mid_scalp", 15, 2.0, 1.0), ZoneTreatment("vertex", 20, 2.5, 1.5)),
        products=(ProductUse("Peptide hair complex", lot, date(2027, 3, 31)),),
        duration_min=35,
        side_effects=("redness",),
        shedding=2,
        satisfaction=4,
        notes="Ελένη said it stung 🙂 '; DROP TABLE patients; --",
    )
    return replace(base, **changes)


def stored_closed(kiosk, patient_id, consultant, **changes) -> TreatmentSession:
    with kiosk.store.write("test") as tx:
        session = rows.insert_session(tx, patient_id, make_session(consultant.id, **changes))
        closed_at = session.started_at + timedelta(hours=1)
        return rows.close_session_row(tx, close_session(session, closed_at=closed_at))


def test_step_0005_is_registered():
    assert "0005_session_records" in [name for name, _ in STEPS]


def test_a_session_round_trips_with_zones_products_and_details(kiosk, register, consultant):
    patient = register()
    with kiosk.store.write("test") as tx:
        stored = rows.insert_session(tx, patient.id, make_session(consultant.id))
    assert stored.session_id is not None
    record = rows.get_session(kiosk.store.conn, stored.session_id)
    assert record.patient_id == patient.id
    assert record.original == stored
    assert rows.open_session(kiosk.store.conn, patient.id) == stored
    actions = [r[0] for r in kiosk.store.conn.execute("SELECT action FROM audit_log")]
    assert actions[-1] == "session.create"
    # The audit log never carries clinical free text.
    assert not kiosk.store.conn.execute("SELECT count(*) FROM audit_log WHERE entity_id LIKE '%DROP%'").fetchone()[0]


def test_updating_an_open_session_replaces_its_zones_and_products(kiosk, register, consultant):
    patient = register()
    with kiosk.store.write("test") as tx:
        stored = rows.insert_session(tx, patient.id, make_session(consultant.id))
    changed = replace(stored, zones=(ZoneTreatment("occipital", 10, 3.0, 0.5),), products=(), duration_min=50)
    with kiosk.store.write("test") as tx:
        rows.update_session(tx, changed)
    assert rows.get_session(kiosk.store.conn, stored.session_id).original == changed
    count = kiosk.store.conn.execute("SELECT count(*) FROM session_zones").fetchone()[0]
    assert count == 1


def test_closing_records_the_close_and_audits_it(kiosk, register, consultant):
    patient = register()
    closed = stored_closed(kiosk, patient.id, consultant)
    record = rows.get_session(kiosk.store.conn, closed.session_id)
    assert record.is_closed and record.original.closed_at == STARTED + timedelta(hours=1)
    assert rows.open_session(kiosk.store.conn, patient.id) is None
    actions = [r[0] for r in kiosk.store.conn.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions[-2:] == ["session.create", "session.close"]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE treatment_sessions SET duration_min = 99 WHERE id = :id",
        "UPDATE treatment_sessions SET status = 'open' WHERE id = :id",
        "DELETE FROM treatment_sessions WHERE id = :id",
        "UPDATE session_zones SET injections = 1 WHERE session_id = :id",
        "DELETE FROM session_zones WHERE session_id = :id",
        "INSERT INTO session_zones (session_id, zone_id, injections) VALUES (:id, 'occipital', 3)",
        "UPDATE session_products SET lot_number = 'X' WHERE session_id = :id",
        "DELETE FROM session_products WHERE session_id = :id",
    ],
)
def test_the_database_refuses_to_change_a_closed_session(kiosk, register, consultant, sql):
    closed = stored_closed(kiosk, register().id, consultant)
    with pytest.raises(sqlite3.IntegrityError, match="closed session cannot be changed"):
        kiosk.store.conn.execute(sql, {"id": closed.session_id})


def test_the_store_refuses_to_update_a_closed_session(kiosk, register, consultant):
    patient = register()
    closed = stored_closed(kiosk, patient.id, consultant)
    before = kiosk.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    with pytest.raises(ImmutableRecordError):
        with kiosk.store.write("test") as tx:
            rows.update_session(tx, replace(closed, status=closed.status.OPEN, duration_min=99))
    assert kiosk.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before
    assert rows.get_session(kiosk.store.conn, closed.session_id).original.duration_min == 35


def test_amendments_sit_beside_the_original_and_never_change(kiosk, register, consultant):
    patient = register()
    closed = stored_closed(kiosk, patient.id, consultant)
    corrected = replace(closed, duration_min=45, products=(ProductUse("Peptide hair complex", "PX-2291/C",
                                                                      date(2027, 3, 31)),))
    amendment = make_amendment(closed, corrected, reason="Lot and time typed wrong", amended_by="c-1",
                               amended_at=STARTED + timedelta(days=1))
    with kiosk.store.write("test") as tx:
        amendment_id = rows.insert_amendment(tx, amendment, corrected)
    [record] = rows.list_patient_sessions(kiosk.store.conn, patient.id)
    assert record.original == closed
    assert record.effective == corrected
    assert record.amendments[0].amendment.reason == "Lot and time typed wrong"
    assert set(record.amendments[0].amendment.changed_fields) == {"duration_min", "products.0.lot"}
    assert rows.closed_sessions(kiosk.store.conn, patient.id) == [corrected]
    for sql in ("UPDATE session_amendments SET reason = 'x' WHERE id = ?", "DELETE FROM session_amendments WHERE id = ?",
                "DELETE FROM amendment_lots WHERE amendment_id = ?"):
        with pytest.raises(sqlite3.IntegrityError, match="amendment cannot be changed"):
            kiosk.store.conn.execute(sql, (amendment_id,))
    actions = [r[0] for r in kiosk.store.conn.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions[-1] == "session.amend"


def test_an_open_session_cannot_be_amended(kiosk, register, consultant):
    patient = register()
    with kiosk.store.write("test") as tx:
        stored = rows.insert_session(tx, patient.id, make_session(consultant.id))
    closed_view = close_session(stored, closed_at=STARTED + timedelta(hours=1))
    amendment = make_amendment(closed_view, replace(closed_view, duration_min=50), reason="Wrong length",
                               amended_by="c", amended_at=STARTED + timedelta(hours=2))
    with pytest.raises(ImmutableRecordError):
        with kiosk.store.write("test") as tx:
            rows.insert_amendment(tx, amendment, replace(closed_view, duration_min=50))


def test_zone_history_counts_closed_sessions_only(kiosk, register, consultant):
    patient = register()
    stored_closed(kiosk, patient.id, consultant)
    stored_closed(kiosk, patient.id, consultant, started_at=STARTED + timedelta(days=1),
                  zones=(ZoneTreatment("vertex", 30, 3.0, 2.0),))
    with kiosk.store.write("test") as tx:
        rows.insert_session(tx, patient.id, make_session(consultant.id, started_at=STARTED + timedelta(days=2)))
    history = rows.zone_history_for(kiosk.store.conn, patient.id, "vertex")
    assert [entry.injections for entry in history] == [20, 30]
    assert history[0].products == ("Peptide hair complex (PX-2291/B)",)
    assert rows.zone_history_for(kiosk.store.conn, patient.id, "occipital") == ()


def test_lot_recall_finds_every_patient_and_session_with_the_lot(kiosk, register, consultant):
    claire, marcus, jose = register("Claire", "Dubois"), register("Marcus", "Whitfield"), register("José", "García")
    a = stored_closed(kiosk, claire.id, consultant)
    b = stored_closed(kiosk, marcus.id, consultant, started_at=STARTED + timedelta(days=1))
    stored_closed(kiosk, jose.id, consultant, lot="OTHER-1")
    with kiosk.store.write("test") as tx:  # an open draft counts too: the product was used
        c = rows.insert_session(tx, jose.id, make_session(consultant.id, started_at=STARTED + timedelta(days=2)))
    found = rows.lot_recall(kiosk.store.conn, "  px-2291/b ")
    assert [(r.patient_name, r.session_id) for r in found] == [
        ("José García", c.session_id), ("Marcus Whitfield", b.session_id), ("Claire Dubois", a.session_id)]
    assert {r.session_status for r in found} == {"open", "closed"}
    assert all(r.lot == "PX-2291/B" and r.product == "Peptide hair complex" for r in found)
    assert rows.lot_recall(kiosk.store.conn, "") == []
    assert rows.lot_recall(kiosk.store.conn, "'; DROP TABLE patients; --") == []
    assert rows.lot_recall(kiosk.store.conn, "PX-2291") == []


def test_lot_recall_finds_a_lot_named_only_by_a_correction(kiosk, register, consultant):
    patient = register()
    closed = stored_closed(kiosk, patient.id, consultant)
    corrected = replace(closed, products=(ProductUse("Peptide hair complex", "PX-9999", date(2027, 3, 31)),))
    amendment = make_amendment(closed, corrected, reason="Wrong lot typed", amended_by="c",
                               amended_at=STARTED + timedelta(days=1))
    with kiosk.store.write("test") as tx:
        rows.insert_amendment(tx, amendment, corrected)
    [found] = rows.lot_recall(kiosk.store.conn, "px-9999")
    assert found.via_amendment and found.session_id == closed.session_id
    [original] = rows.lot_recall(kiosk.store.conn, "PX-2291/B")
    assert not original.via_amendment
