"""Demo seeder: courses for patients at different stages (start dates relative to today)."""

from __future__ import annotations

from datetime import timedelta

from ...domain.course import Course
from ...domain.errors import ValidationError
from ...domain.severity import SeverityChoice
from ...store import courses as course_rows
from ...store.db import Transaction
from .context import DemoContext


def seed_courses(tx: Transaction, context: DemoContext) -> None:
    data = context.kiosk.clinic_data.demo("courses")
    today = context.clock.today()
    protocols = context.kiosk.course.protocols
    count = 0
    for raw in data["course"]:
        patient = context.patient(raw["patient"], "demo/courses.toml")
        protocol_id = raw["protocol"]
        if protocol_id not in protocols:
            raise ValidationError.single("protocol", f"demo/courses.toml: unknown protocol {protocol_id!r}.")
        course = Course(
            start=today - timedelta(days=raw["start_days_ago"]),
            protocol_id=protocol_id,
            interval_overrides={int(n): days for n, days in raw.get("intervals", {}).items()},
        )
        choice = SeverityChoice(suggested=raw["suggested"], chosen=protocol_id, reason=raw.get("reason"))
        course_rows.save_active_course(tx, patient.id, course, choice, raw.get("basis"))
        count += 1
    context.notes.append(f"{count} courses")
