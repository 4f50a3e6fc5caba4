"""Demo seeder: complete intakes (one with an overridden stop, one re-assessment), a draft
half-way through, and one with a stop nobody has handled yet (the demo shows the block)."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from typing import TYPE_CHECKING

from ..domain.clock import utc_iso
from ..domain.intake import Intake, mark_complete, update_field
from ..domain.screening import Override
from ..resources import read_resource_text
from ..store import intakes as intake_rows
from ..store.db import Transaction

if TYPE_CHECKING:
    from .demo import DemoContext


def seed_intakes(tx: Transaction, context: "DemoContext") -> None:
    data = tomllib.loads(read_resource_text("demo/intakes.toml"))
    service = context.kiosk.intake
    clock = context.clock
    today = clock.today()
    complete = drafts = overridden = 0
    for raw in data["intake"]:
        patient = context.patients[raw["patient"]]
        at = utc_iso(clock.now_utc() - timedelta(days=raw["days_ago"], minutes=30))
        answers = (dict(data["all_clear"]) if raw.get("all_clear") else {}) | raw.get("answers", {})
        if "onset_days_ago" in raw:
            answers["complaint.onset_date"] = (today - timedelta(days=raw["onset_days_ago"])).isoformat()
        intake = Intake()
        for path, value in answers.items():
            intake = update_field(intake, path, value, options=service.options, today=today)
        outcome = service.evaluate(intake)
        record = intake_rows.insert_intake(tx, patient.id, created_at=at)
        record = intake_rows.save_answers(tx, record.id, intake, outcome)
        consultant = context.consultants[raw.get("consultant", 0)].display_name
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
    context.notes.append(f"{complete} complete intakes ({overridden} stop overridden), {drafts} drafts")
