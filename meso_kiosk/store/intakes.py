"""Intakes: rows <-> ``Intake`` with its screening outcome, overrides and acknowledgements.

One row per assessment; a patient may have several (re-assessments), the newest is the
current one. ``answers`` holds ``Intake.to_dict()``; ``screening`` holds the outcome the
rules gave for those answers, the consultant's overrides of stops (with their reasons:
clinical text lives here, never in the audit log) and the acknowledged warnings. A
complete row can no longer change (database trigger); every write leaves an audit entry.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from ..domain.intake import Intake, IntakeStatus
from ..domain.screening import Override, ScreeningOutcome
from .db import Transaction
from .errors import ImmutableRecordError, RecordNotFoundError

SCREENING_FORMAT_VERSION = 1
_COLUMNS = "id, patient_id, status, answers, screening, created_at, updated_at, completed_at"


@dataclass(frozen=True)
class IntakeRecord:
    """One stored intake and everything the screening panel needs to show it."""

    id: int
    patient_id: int
    intake: Intake
    outcome: ScreeningOutcome = ScreeningOutcome()
    overrides: Mapping[str, Override] = field(default_factory=dict)
    override_times: Mapping[str, str] = field(default_factory=dict)  # rule id -> UTC ISO time
    acknowledged: frozenset[str] = frozenset()
    created_at: str = ""
    updated_at: str = ""
    completed_at: str | None = None

    @property
    def status(self) -> IntakeStatus:
        return self.intake.status

    @property
    def is_complete(self) -> bool:
        return self.intake.status is IntakeStatus.COMPLETE


def _screening_json(record: IntakeRecord) -> str:
    data = {
        "version": SCREENING_FORMAT_VERSION,
        "outcome": record.outcome.to_dict(),
        "overrides": {
            rule_id: {
                "reason": override.reason,
                "consultant": override.consultant,
                "at": record.override_times.get(rule_id, ""),
            }
            for rule_id, override in sorted(record.overrides.items())
        },
        "acknowledged": sorted(record.acknowledged),
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _load_screening(text: str | None) -> tuple[ScreeningOutcome, dict[str, Override], dict[str, str], frozenset[str]]:
    if not text:
        return ScreeningOutcome(), {}, {}, frozenset()
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("stored screening is malformed")
    outcome = ScreeningOutcome.from_dict(data.get("outcome", {}))
    overrides: dict[str, Override] = {}
    times: dict[str, str] = {}
    for rule_id, raw in (data.get("overrides") or {}).items():
        overrides[rule_id] = Override(str(raw.get("reason", "")), str(raw.get("consultant", "")))
        times[rule_id] = str(raw.get("at", ""))
    acknowledged = frozenset(str(rule_id) for rule_id in data.get("acknowledged") or ())
    return outcome, overrides, times, acknowledged


def _to_record(row: tuple) -> IntakeRecord:
    intake = Intake.from_dict(json.loads(row[3]))
    intake = replace(intake, status=IntakeStatus(row[2]))  # the column is the truth
    outcome, overrides, times, acknowledged = _load_screening(row[4])
    return IntakeRecord(
        id=row[0], patient_id=row[1], intake=intake, outcome=outcome, overrides=overrides,
        override_times=times, acknowledged=acknowledged, created_at=row[5], updated_at=row[6],
        completed_at=row[7],
    )


def _answers_json(intake: Intake) -> str:
    return json.dumps(intake.to_dict(), ensure_ascii=False, sort_keys=True)


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------


def get_intake(conn: sqlite3.Connection, intake_id: int) -> IntakeRecord:
    row = conn.execute(f"SELECT {_COLUMNS} FROM intakes WHERE id = ?", (intake_id,)).fetchone()
    if row is None:
        raise RecordNotFoundError(f"Intake {intake_id} does not exist.")
    return _to_record(row)


def list_intakes(conn: sqlite3.Connection, patient_id: int) -> list[IntakeRecord]:
    """Every intake of the patient, newest first (the first one is the current one)."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM intakes WHERE patient_id = ? ORDER BY created_at DESC, id DESC", (patient_id,)
    ).fetchall()
    return [_to_record(row) for row in rows]


def latest_intake_record(conn: sqlite3.Connection, patient_id: int) -> IntakeRecord | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM intakes WHERE patient_id = ? ORDER BY created_at DESC, id DESC LIMIT 1",
        (patient_id,),
    ).fetchone()
    return None if row is None else _to_record(row)


def latest_intake(conn: sqlite3.Connection, patient_id: int) -> Intake | None:
    """The patient's current intake answers (draft or complete), or ``None`` if none yet."""
    record = latest_intake_record(conn, patient_id)
    return None if record is None else record.intake


# ---------------------------------------------------------------------------------------
# Writing (each function leaves its audit entry in the caller's transaction)
# ---------------------------------------------------------------------------------------


def insert_intake(
    tx: Transaction, patient_id: int, intake: Intake | None = None, *, created_at: str | None = None
) -> IntakeRecord:
    """A new draft intake for the patient (``created_at`` only for seeded history)."""
    intake = replace(intake or Intake(), status=IntakeStatus.DRAFT)
    at = created_at or tx.at
    record = IntakeRecord(id=0, patient_id=patient_id, intake=intake, created_at=at, updated_at=at)
    cursor = tx.execute(
        "INSERT INTO intakes (patient_id, status, answers, screening, created_at, updated_at)"
        " VALUES (?, 'draft', ?, ?, ?, ?)",
        (patient_id, _answers_json(intake), _screening_json(record), at, at),
    )
    tx.audit("intake.create", "intake", cursor.lastrowid)
    return replace(record, id=cursor.lastrowid)


def _require_draft(tx: Transaction, intake_id: int) -> IntakeRecord:
    record = get_intake(tx.conn, intake_id)
    if record.is_complete:
        raise ImmutableRecordError(
            "This intake is complete and can no longer change; start a re-assessment instead."
        )
    return record


def _update(tx: Transaction, record: IntakeRecord, *, at: str | None = None) -> IntakeRecord:
    at = at or tx.at
    cursor = tx.execute(
        "UPDATE intakes SET answers = ?, screening = ?, updated_at = ? WHERE id = ? AND status = 'draft'",
        (_answers_json(record.intake), _screening_json(record), at, record.id),
    )
    if cursor.rowcount != 1:
        raise ImmutableRecordError("This intake is complete and can no longer change.")
    return replace(record, updated_at=at)


def save_answers(tx: Transaction, intake_id: int, intake: Intake, outcome: ScreeningOutcome) -> IntakeRecord:
    """Store the answers (one changed field, already validated) and the outcome they give."""
    record = _require_draft(tx, intake_id)
    if intake.status is not IntakeStatus.DRAFT:
        raise ValueError("save_answers stores drafts; use complete_intake to complete")
    record = _update(tx, replace(record, intake=intake, outcome=outcome))
    tx.audit("intake.answer", "intake", intake_id)
    return record


def record_override(
    tx: Transaction, intake_id: int, rule_id: str, override: Override, *, at: str | None = None
) -> IntakeRecord:
    """Record the consultant's reason for going ahead despite a stop (reason in the row only).

    ``at`` only for seeded history; otherwise the time of the transaction.
    """
    record = _require_draft(tx, intake_id)
    overrides = dict(record.overrides) | {rule_id: override}
    times = dict(record.override_times) | {rule_id: at or tx.at}
    record = _update(tx, replace(record, overrides=overrides, override_times=times))
    tx.audit("intake.override", "intake", intake_id)
    return record


def set_acknowledged(tx: Transaction, intake_id: int, rule_id: str, acknowledged: bool) -> IntakeRecord:
    record = _require_draft(tx, intake_id)
    acks = set(record.acknowledged)
    if acknowledged:
        acks.add(rule_id)
    else:
        acks.discard(rule_id)
    record = _update(tx, replace(record, acknowledged=frozenset(acks)))
    tx.audit("intake.acknowledge" if acknowledged else "intake.unacknowledge", "intake", intake_id)
    return record


def complete_intake(
    tx: Transaction,
    intake_id: int,
    intake: Intake,
    outcome: ScreeningOutcome,
    *,
    completed_at: str | None = None,
) -> IntakeRecord:
    """Store the completed intake; from here on the row is immutable."""
    record = _require_draft(tx, intake_id)
    if intake.status is not IntakeStatus.COMPLETE:
        raise ValueError("complete_intake needs an intake marked complete by the domain")
    at = completed_at or tx.at
    record = replace(record, intake=intake, outcome=outcome)
    cursor = tx.execute(
        "UPDATE intakes SET status = 'complete', answers = ?, screening = ?, updated_at = ?, completed_at = ?"
        " WHERE id = ? AND status = 'draft'",
        (_answers_json(intake), _screening_json(record), at, at, intake_id),
    )
    if cursor.rowcount != 1:
        raise ImmutableRecordError("This intake is already complete.")
    tx.audit("intake.complete", "intake", intake_id)
    return replace(record, updated_at=at, completed_at=at)

