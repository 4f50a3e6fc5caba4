"""Intake rows: JSON round trip, one audit entry per change, complete rows immutable."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date

import pytest

from meso_kiosk.domain.intake import Intake, IntakeStatus, update_field
from meso_kiosk.domain.screening import Finding, Level, Override, ScreeningOutcome
from meso_kiosk.store import intakes as rows
from meso_kiosk.store.errors import ImmutableRecordError, RecordNotFoundError

TODAY = date(2026, 11, 22)


def _audit(kiosk) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in kiosk.store.conn.execute("SELECT action, entity, entity_id FROM audit_log")]


def _intake(kiosk, **answers) -> Intake:
    intake = Intake()
    for path, value in answers.items():
        intake = update_field(intake, path.replace("__", "."), value, options=kiosk.intake.options, today=TODAY)
    return intake


def test_no_intake_yet(kiosk, register):
    patient = register()
    assert rows.latest_intake(kiosk.store.conn, patient.id) is None
    assert rows.latest_intake_record(kiosk.store.conn, patient.id) is None
    assert rows.list_intakes(kiosk.store.conn, patient.id) == []
    with pytest.raises(RecordNotFoundError):
        rows.get_intake(kiosk.store.conn, 999)


def test_draft_answers_round_trip_exactly(kiosk, register):
    patient = register()
    intake = _intake(
        kiosk,
        complaint__hair_loss_type="alopecia_areata",
        complaint__onset_date="2024-02-29",
        complaint__daily_shedding="250",
        classification__salt__vertex="12.5",
        medical__anticoagulants=True,
        medical__medications="Warfarin 5 mg\n'; DROP TABLE intakes; --",
        notes__consultant="Ελένη 👩‍⚕️ 王小明",
    )
    intake = update_field(
        intake, "complaint.previous_treatments.minoxidil", "helped", options=kiosk.intake.options, today=TODAY
    )
    outcome = ScreeningOutcome((Finding("anticoagulants", Level.STOP, "Takes a blood thinner.", "medical.anticoagulants"),))
    with kiosk.store.write("test") as tx:
        created = rows.insert_intake(tx, patient.id)
        saved = rows.save_answers(tx, created.id, intake, outcome)
    loaded = rows.get_intake(kiosk.store.conn, created.id)
    assert loaded == saved
    assert loaded.intake == intake
    assert loaded.outcome == outcome
    assert rows.latest_intake(kiosk.store.conn, patient.id) == intake
    assert _audit(kiosk)[-2:] == [("intake.create", "intake", str(created.id)), ("intake.answer", "intake", str(created.id))]


def test_override_reason_lives_in_the_row_not_the_audit(kiosk, register):
    patient = register()
    reason = "Letter from Dr Weber (cardiology), 12 Nov, agrees; on file."
    with kiosk.store.write("consultant:7") as tx:
        created = rows.insert_intake(tx, patient.id)
        rows.record_override(tx, created.id, "anticoagulants", Override.create(reason, "consultant:7"))
        rows.set_acknowledged(tx, created.id, "nsaids", True)
    loaded = rows.get_intake(kiosk.store.conn, created.id)
    assert loaded.overrides == {"anticoagulants": Override(reason, "consultant:7")}
    assert loaded.override_times["anticoagulants"].startswith("2026-11-22T09:30")
    assert loaded.acknowledged == {"nsaids"}
    audit_text = " ".join(" ".join(map(str, r)) for r in kiosk.store.conn.execute("SELECT * FROM audit_log"))
    assert "Weber" not in audit_text
    assert ("intake.override", "intake", str(created.id)) in _audit(kiosk)
    with kiosk.store.write("consultant:7") as tx:
        rows.set_acknowledged(tx, created.id, "nsaids", False)
    assert rows.get_intake(kiosk.store.conn, created.id).acknowledged == frozenset()


def test_complete_intake_is_immutable_and_a_reassessment_becomes_latest(kiosk, register):
    patient = register()
    intake = _intake(kiosk, complaint__hair_loss_type="androgenetic")
    with kiosk.store.write("test") as tx:
        first = rows.insert_intake(tx, patient.id, created_at="2026-05-01T08:00:00.000000+00:00")
        rows.save_answers(tx, first.id, intake, ScreeningOutcome())
    done = replace(intake, status=IntakeStatus.COMPLETE)
    with kiosk.store.write("test") as tx:
        stored = rows.complete_intake(tx, first.id, done, ScreeningOutcome())
    assert stored.is_complete and stored.completed_at
    # The store refuses, and so does the database itself.
    with pytest.raises(ImmutableRecordError), kiosk.store.write("test") as tx:
        rows.save_answers(tx, first.id, intake, ScreeningOutcome())
    with pytest.raises(sqlite3.IntegrityError, match="completed intake"):
        kiosk.store.conn.execute("UPDATE intakes SET answers = '{}' WHERE id = ?", (first.id,))
    with pytest.raises(sqlite3.IntegrityError, match="completed intake"):
        kiosk.store.conn.execute("DELETE FROM intakes WHERE id = ?", (first.id,))
    kiosk.store.conn.rollback()
    with kiosk.store.write("test") as tx:
        second = rows.insert_intake(tx, patient.id)
    assert [r.id for r in rows.list_intakes(kiosk.store.conn, patient.id)] == [second.id, first.id]
    assert rows.latest_intake(kiosk.store.conn, patient.id) == Intake()
    assert rows.get_intake(kiosk.store.conn, first.id).intake == done
