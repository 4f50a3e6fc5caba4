"""The intake: autosaved answers, live screening, overrides, acknowledgements, completion.

Every answer is validated by the domain before anything is written, saved on its own
(one transaction, one ``intake.answer`` audit entry that names the intake, never the
answer), and the screening rules are evaluated again on the saved answers. The service
always works on the patient's *current* intake: the newest one. When that is complete,
the consultant starts a re-assessment (a new draft); earlier intakes stay readable.
"""

from __future__ import annotations

from dataclasses import replace

from ..domain.actor import actor_name
from ..domain.clock import Clock
from ..domain.errors import ValidationError
from ..domain.intake import (
    Intake,
    can_complete,
    intake_salt_score,
    mark_complete,
    reassessment_draft,
    update_field,
)
from ..domain.intake_answer import validate_field
from ..domain.intake_form import FieldSpec, field_specs
from ..domain.intake_options import IntakeOptions
from ..domain.scales import SALT_REGION_IDS, salt_score, suggest_scales
from ..domain.screening import (
    PATIENT_AGE,
    STEPS_BLOCKED_BY_STOP,
    Finding,
    Level,
    OverriddenStop,
    Override,
    ScreeningOutcome,
    ScreeningRule,
    evaluate,
)
from ..store import intakes as intake_rows
from ..store.consultants import consultant_names
from ..store.db import Store
from ..store.errors import RecordNotFoundError
from ..store.intakes import IntakeRecord
from ..store.patients import get_patient
from .clinic_data import ClinicData
from .printable import check_printable

__all__ = ["IntakeRecord", "IntakeService", "headline"]


def headline(message: str) -> str:
    """The first sentence of a rule's message: enough to name it in a list of reasons."""
    head = message.split(". ", 1)[0].rstrip(".")
    return head + "."


class IntakeService:
    """Reads the intake options and screening rules once; all intake use cases go through here."""

    def __init__(self, store: Store, clock: Clock, clinic_data: ClinicData):
        self._store = store
        self._clock = clock
        self.options: IntakeOptions = clinic_data.intake_options()
        self.rules: tuple[ScreeningRule, ...] = clinic_data.screening_rules()
        self.specs: tuple[FieldSpec, ...] = field_specs(self.options)

    # -- pure helpers the page uses live ------------------------------------------------------

    def validate(self, path: str, value: object) -> object:
        """The cleaned answer, or ``ValidationError`` with a message for the consultant."""
        cleaned = validate_field(path, value, options=self.options, today=self._clock.today())
        check_printable({path: cleaned})  # typed text is printed in the PDF
        return cleaned

    def evaluate(self, intake: Intake, patient_id: int | None = None) -> ScreeningOutcome:
        """The rules on the answers and, given the patient, their age today (``patient.age``)."""
        answers = intake.answers()
        if patient_id:  # the page's blank placeholder record has patient 0: no age, no age rules
            try:
                answers[PATIENT_AGE] = get_patient(self._store.conn, patient_id).age_on(self._clock.today())
            except RecordNotFoundError:
                pass
        return evaluate(self.rules, answers)

    def offered_scales(self, hair_loss_type: str | None, sex_at_birth: str | None) -> tuple[str, ...]:
        return suggest_scales(self.options.scales, hair_loss_type, sex_at_birth)

    def salt_score(self, intake: Intake) -> float | None:
        return intake_salt_score(intake, self.options.scales)

    def salt_score_of(self, regions: dict[str, object]) -> float | None:
        """The live SALT score from four typed percents; ``None`` until all four are valid."""
        values: dict[str, float] = {}
        for region in SALT_REGION_IDS:
            try:
                value = self.validate(f"classification.salt.{region}", regions.get(region))
            except ValidationError:
                return None
            if value is None:
                return None
            values[region] = value  # type: ignore[assignment]
        return salt_score(
            values["vertex"], values["posterior"], values["right"], values["left"], self.options.scales.salt.weights
        )

    def salt_band_label(self, score: float) -> str:
        return self.options.scales.salt.band(score).label

    def reasons_not_complete(self, record: IntakeRecord) -> list[str]:
        """Why this intake cannot be marked complete yet; empty when it can."""
        outcome = self.evaluate(record.intake, record.patient_id)
        return can_complete(record.intake, outcome, record.overrides, record.acknowledged)

    # -- reading --------------------------------------------------------------------------------

    def _fresh(self, record: IntakeRecord | None) -> IntakeRecord | None:
        """A draft's outcome re-evaluated with today's rules; a complete one as it was stored."""
        if record is None or record.is_complete:
            return record
        return replace(record, outcome=self.evaluate(record.intake, record.patient_id))

    def current(self, patient_id: int) -> IntakeRecord | None:
        """The patient's newest intake (draft or complete), or ``None``."""
        return self._fresh(intake_rows.latest_intake_record(self._store.conn, patient_id))

    def latest_intake(self, patient_id: int) -> Intake | None:
        return intake_rows.latest_intake(self._store.conn, patient_id)

    def get(self, intake_id: int) -> IntakeRecord:
        return self._fresh(intake_rows.get_intake(self._store.conn, intake_id))  # type: ignore[return-value]

    def history(self, patient_id: int) -> list[IntakeRecord]:
        """Every intake of the patient, newest first."""
        return [self._fresh(r) for r in intake_rows.list_intakes(self._store.conn, patient_id)]  # type: ignore[misc]

    def overridden_stops(self, patient_id: int) -> list[OverriddenStop]:
        """The stops the patient's current intake went ahead despite: finding, reason, when, who.

        Only stops that still apply to the answers and may be overridden (rules-file order);
        empty without an intake. The consent and the PDF name them.
        """
        record = self.current(patient_id)
        if record is None:
            return []
        return [
            OverriddenStop(
                finding, record.overrides[finding.rule_id], record.override_times.get(finding.rule_id, ""),
                self.actor_label(record.overrides[finding.rule_id].consultant),
            )
            for finding in record.outcome.overridden_stops(record.overrides)
        ]

    def blocked_steps(self, patient_id: int) -> dict[str, str]:
        """Workflow steps held back by an unhandled stop, each with the reason in plain words."""
        record = self.current(patient_id)
        if record is None:
            return {}
        stops = record.outcome.unhandled_stops(record.overrides)
        if not stops:
            return {}
        reason = " ".join(
            headline(f.message) + ("" if f.overridable else " (Cannot be overridden: no treatment while it applies.)")
            for f in stops
        )
        return {step: reason for step in sorted(STEPS_BLOCKED_BY_STOP)}

    # -- writing ----------------------------------------------------------------------------------

    def start(self, patient_id: int, actor: str) -> IntakeRecord:
        """A new draft (a re-assessment when an intake is complete); an open draft is returned as is.

        A re-assessment starts from the stable history of the intake before it (see
        ``reassessment_draft``): classification, screening and notes are asked again.
        """
        latest = self.current(patient_id)
        if latest is not None and not latest.is_complete:
            return latest
        with self._store.write(actor) as tx:
            latest = intake_rows.latest_intake_record(tx.conn, patient_id)  # inside the transaction
            if latest is not None and not latest.is_complete:
                return self._fresh(latest)  # type: ignore[return-value]
            draft = reassessment_draft(latest.intake if latest else None)
            return self._fresh(intake_rows.insert_intake(tx, patient_id, draft))  # type: ignore[return-value]

    def actor_label(self, actor: str) -> str:
        """Who an audit actor is, in words: "consultant:3" gives the consultant's name."""
        return actor_name(actor, consultant_names(self._store.conn))

    def save_answer(self, patient_id: int, path: str, value: object, actor: str) -> IntakeRecord:
        """Validate and store ONE answer of the patient's draft (created on the first answer).

        ``ValidationError`` (nothing written) when the value is not acceptable or the
        current intake is complete. An unchanged answer writes nothing.
        """
        cleaned = self.validate(path, value)
        latest = intake_rows.latest_intake_record(self._store.conn, patient_id)
        if latest is not None and latest.is_complete:
            raise ValidationError.single(
                path, "This intake is complete and can no longer change; start a re-assessment instead."
            )
        if latest is not None and latest.intake.answer(path) == cleaned:
            return self._fresh(latest)  # type: ignore[return-value]
        today = self._clock.today()
        with self._store.write(actor) as tx:
            record = intake_rows.latest_intake_record(tx.conn, patient_id)
            if record is None or record.is_complete:
                if record is not None:  # completed by another window since we looked
                    raise ValidationError.single(
                        path, "This intake is complete and can no longer change; start a re-assessment instead."
                    )
                record = intake_rows.insert_intake(tx, patient_id)
            intake = update_field(record.intake, path, cleaned, options=self.options, today=today)
            saved = intake_rows.save_answers(tx, record.id, intake, self.evaluate(intake, patient_id))
        return saved

    def _draft(self, patient_id: int, field: str) -> IntakeRecord:
        record = self.current(patient_id)
        if record is None:
            raise ValidationError.single(field, "There is no intake for this patient yet.")
        if record.is_complete:
            raise ValidationError.single(
                field, "This intake is complete and can no longer change; start a re-assessment instead."
            )
        return record

    def _finding(self, record: IntakeRecord, rule_id: str, level: Level, field: str) -> Finding:
        finding = next((f for f in record.outcome.findings if f.rule_id == rule_id and f.level is level), None)
        if finding is None:
            raise ValidationError.single(field, "This item no longer applies to the answers; nothing to do.")
        return finding

    def override(self, patient_id: int, rule_id: str, reason: object, actor: str) -> IntakeRecord:
        """Record a consultant's reason for going ahead despite a stop (audited as ``intake.override``)."""
        record = self._draft(patient_id, "override.reason")
        finding = self._finding(record, rule_id, Level.STOP, "override.reason")
        if not finding.overridable:
            raise ValidationError.single(
                "override.reason",
                f"{headline(finding.message)[:-1]}: this stop cannot be overridden; no treatment while it applies.",
            )
        override = Override.create(reason, actor)
        check_printable({"override.reason": override.reason})  # printed in the PDF
        with self._store.write(actor) as tx:
            saved = intake_rows.record_override(tx, record.id, rule_id, override)
        return self._fresh(saved)  # type: ignore[return-value]

    def acknowledge(self, patient_id: int, rule_id: str, actor: str, acknowledged: bool = True) -> IntakeRecord:
        """Tick (or untick) a warning as read and discussed."""
        record = self._draft(patient_id, "acknowledgement")
        if acknowledged:
            self._finding(record, rule_id, Level.WARN, "acknowledgement")
        if (rule_id in record.acknowledged) == acknowledged:
            return record
        with self._store.write(actor) as tx:
            saved = intake_rows.set_acknowledged(tx, record.id, rule_id, acknowledged)
        return self._fresh(saved)  # type: ignore[return-value]

    def complete(self, patient_id: int, actor: str) -> IntakeRecord:
        """Mark the current draft complete; ``ValidationError`` on ``status`` listing why not."""
        record = self._draft(patient_id, "status")
        outcome = self.evaluate(record.intake, patient_id)
        completed = mark_complete(record.intake, outcome, record.overrides, record.acknowledged)
        with self._store.write(actor) as tx:
            return intake_rows.complete_intake(tx, record.id, completed, outcome)
