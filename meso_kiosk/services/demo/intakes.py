"""Demo seeder: complete intakes (one with an overridden stop, one re-assessment), a draft
half-way through, a re-assessment in progress over an earlier complete intake, and one with
a stop nobody has handled yet (the demo shows the block)."""

from __future__ import annotations

from datetime import timedelta

from ...domain.clock import utc_iso
from ...domain.intake import Intake, mark_complete, reassessment_draft, update_field
from ...domain.screening import Override
from ...store import intakes as intake_rows
from ...store.db import Transaction
from ...domain.actor import consultant_actor
from .context import DemoContext


def seed_intakes(tx: Transaction, context: DemoContext) -> None:
    data = context.kiosk.clinic_data.demo("intakes")
    service = context.kiosk.intake
    clock = context.clock
    today = clock.today()
    complete = drafts = overridden = reassessments = 0
    latest: dict[int, Intake] = {}  # patient id -> the last intake seeded for them
    for raw in data["intake"]:
        patient = context.patient(raw["patient"], "demo/intakes.toml")
        at = utc_iso(clock.now_utc() - timedelta(days=raw["days_ago"], minutes=30))
        answers = (dict(data["all_clear"]) if raw.get("all_clear") else {}) | raw.get("answers", {})
        if "onset_days_ago" in raw:
            answers["complaint.onset_date"] = (today - timedelta(days=raw["onset_days_ago"])).isoformat()
        # A re-assessment starts the way the app starts one: from the earlier intake's history.
        intake = reassessment_draft(latest.get(patient.id)) if raw.get("reassessment") else Intake()
        reassessments += bool(raw.get("reassessment"))
        for path, value in answers.items():
            intake = update_field(intake, path, value, options=service.options, today=today)
        outcome = service.evaluate(intake)
        record = intake_rows.insert_intake(tx, patient.id, created_at=at)
        record = intake_rows.save_answers(tx, record.id, intake, outcome)
        consultant = consultant_actor(context.consultants[raw.get("consultant", 0)].id)  # as a live override
        for rule_id, reason in raw.get("override", {}).items():
            record = intake_rows.record_override(tx, record.id, rule_id, Override.create(reason, consultant), at=at)
            overridden += 1
        for rule_id in raw.get("acknowledge", []):
            record = intake_rows.set_acknowledged(tx, record.id, rule_id, True)
        if raw.get("complete"):
            done = mark_complete(intake, outcome, record.overrides, record.acknowledged)
            intake_rows.complete_intake(tx, record.id, done, outcome, completed_at=at)
            complete += 1
        else:
            drafts += 1
        latest[patient.id] = intake
    context.notes.append(
        f"{complete} complete intakes ({overridden} stop overridden), {drafts} drafts"
        f" ({reassessments} a re-assessment)"
    )
