"""The intake: hair-loss history, classification and medical screening answers.

The form autosaves one answer at a time: each is addressed by a field path of
``intake_form``, cleaned alone by ``intake_answer.validate_field`` and stored here with
``update_field``. Choice lists and limits are the clinic's ``IntakeOptions``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date
from enum import StrEnum

from .errors import ValidationError
from .intake_answer import validate_field
from .intake_form import FIXED_FIELD_SPECS, OTHER, TREATMENTS_PREFIX, FieldKind, FieldSpec, treatment_field_path
from .intake_options import IntakeOptions
from .scales import SALT, ScaleCatalogue, salt_score
from .screening import Override, ScreeningOutcome

FORMAT_VERSION = 1  # of the dict written by ``Intake.to_dict``


class IntakeStatus(StrEnum):
    DRAFT = "draft"
    COMPLETE = "complete"


# ---------------------------------------------------------------------------------------
# The answers model
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Complaint:
    hair_loss_type: str | None = None
    hair_loss_type_other: str | None = None
    onset_date: date | None = None
    duration_months: int | None = None
    family_history: bool | None = None
    daily_shedding: int | None = None
    # (treatment id, outcome id), sorted by treatment id; an untried treatment is absent
    previous_treatments: tuple[tuple[str, str], ...] = ()
    previous_treatment_other: str | None = None


@dataclass(frozen=True)
class SaltRegions:
    """Percent of hair lost per SALT region, each 0–100."""

    vertex: float | None = None
    posterior: float | None = None
    right: float | None = None
    left: float | None = None

    @property
    def complete(self) -> bool:
        return None not in (self.vertex, self.posterior, self.right, self.left)


@dataclass(frozen=True)
class Classification:
    norwood: str | None = None
    ludwig: str | None = None
    sinclair: str | None = None
    salt: SaltRegions = SaltRegions()
    bald_areas: bool | None = None


@dataclass(frozen=True)
class MedicalScreening:
    medications: str | None = None
    nsaids: bool | None = None
    anticoagulants: bool | None = None
    antiplatelets: bool | None = None
    allergies: str | None = None
    allergy_solution_ingredient: bool | None = None
    allergy_local_anaesthetic: bool | None = None
    mesotherapy_reaction: bool | None = None
    pregnancy: str | None = None
    bleeding_disorder: bool | None = None
    scalp_infection: bool | None = None
    scalp_scarring: bool | None = None
    keloid_tendency: bool | None = None
    autoimmune: bool | None = None
    diabetes: bool | None = None
    heart_condition: bool | None = None
    fainting: bool | None = None
    cancer_treatment: bool | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Notes:
    expectations: str | None = None
    consultant: str | None = None


@dataclass(frozen=True)
class Intake:
    """One intake's answers. ``None`` everywhere means "not answered yet"."""

    status: IntakeStatus = IntakeStatus.DRAFT
    complaint: Complaint = Complaint()
    classification: Classification = Classification()
    medical: MedicalScreening = MedicalScreening()
    notes: Notes = Notes()

    # -- reading and writing one answer by path ------------------------------------------

    def answer(self, path: str) -> object:
        """The answer at ``path`` (``None`` when unanswered). ``KeyError`` for an unknown path."""
        if path.startswith(TREATMENTS_PREFIX):
            return dict(self.complaint.previous_treatments).get(path.removeprefix(TREATMENTS_PREFIX))
        node: object = self
        for part in _split_fixed_path(path):
            node = getattr(node, part)
        return node

    def with_answer(self, path: str, value: object) -> "Intake":
        """A copy with one (already validated) answer replaced. ``KeyError`` for an unknown path."""
        if path.startswith(TREATMENTS_PREFIX):
            treatment = path.removeprefix(TREATMENTS_PREFIX)
            pairs = dict(self.complaint.previous_treatments)
            if value is None:
                pairs.pop(treatment, None)
            else:
                pairs[treatment] = value  # type: ignore[assignment]
            complaint = replace(self.complaint, previous_treatments=tuple(sorted(pairs.items())))
            return replace(self, complaint=complaint)
        return _replace_path(self, _split_fixed_path(path), value)

    def answers(self) -> dict[str, object]:
        """Every answer as ``{field path: value}`` (what the screening rules read)."""
        flat = {spec.path: self.answer(spec.path) for spec in FIXED_FIELD_SPECS}
        for treatment, outcome in self.complaint.previous_treatments:
            flat[treatment_field_path(treatment)] = outcome
        return flat

    # -- JSON storage ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dict; ``Intake.from_dict(intake.to_dict()) == intake``."""
        data: dict[str, object] = {"version": FORMAT_VERSION, "status": self.status.value}
        for section in ("complaint", "classification", "medical", "notes"):
            data[section] = _section_to_dict(getattr(self, section))
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> "Intake":
        """Rebuild a stored intake. Refuses unknown keys and wrong types (ValidationError).

        Choice ids are not checked against today's options: an option removed since must
        not make an older intake unreadable.
        """
        if not isinstance(data, Mapping):
            raise ValidationError.single("intake", "The stored intake is not a record.")
        unknown = sorted(set(data) - {"version", "status", "complaint", "classification", "medical", "notes"})
        if unknown:
            raise ValidationError.single(unknown[0], "The stored intake has an answer this version does not know.")
        if data.get("version", FORMAT_VERSION) != FORMAT_VERSION:
            raise ValidationError.single("version", "The stored intake was written by an unknown version.")
        try:
            status = IntakeStatus(data.get("status", IntakeStatus.DRAFT.value))
        except ValueError:
            raise ValidationError.single("status", "The stored intake has an unknown status.") from None
        intake = cls(status=status)
        for section in ("complaint", "classification", "medical", "notes"):
            raw = data.get(section, {})
            if not isinstance(raw, Mapping):
                raise ValidationError.single(section, "The stored intake section is not a record.")
            intake = _load_section(intake, section, raw)
        return intake


def _split_fixed_path(path: str) -> list[str]:
    parts = path.split(".")
    node: object = Intake
    for part in parts:
        names = {f.name: f for f in fields(node)} if is_dataclass(node) else {}
        if part not in names or part == "status" or part == "previous_treatments":
            raise KeyError(f"no intake answer at {path!r}")
        default = names[part].default
        node = type(default) if is_dataclass(default) else None
    if is_dataclass(node):
        raise KeyError(f"{path!r} is a section, not an answer")
    return parts


def _replace_path(node: object, parts: list[str], value: object) -> object:
    head, *rest = parts
    new_value = _replace_path(getattr(node, head), rest, value) if rest else value
    return replace(node, **{head: new_value})  # type: ignore[type-var]


def _section_to_dict(node: object) -> dict[str, object]:
    out: dict[str, object] = {}
    for f in fields(node):  # type: ignore[arg-type]
        value = getattr(node, f.name)
        if is_dataclass(value):
            out[f.name] = _section_to_dict(value)
        elif f.name == "previous_treatments":
            out[f.name] = dict(value)
        elif isinstance(value, date):
            out[f.name] = value.isoformat()
        else:
            out[f.name] = value
    return out


def _load_section(intake: Intake, prefix: str, raw: Mapping[str, object]) -> Intake:
    for key, value in raw.items():
        path = f"{prefix}.{key}"
        if path == "complaint.previous_treatments":
            if not isinstance(value, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise ValidationError.single(path, "The stored previous treatments are malformed.")
            for treatment, outcome in value.items():
                intake = intake.with_answer(treatment_field_path(treatment), outcome)
            continue
        if path == "classification.salt":
            if not isinstance(value, Mapping):
                raise ValidationError.single(path, "The stored SALT answers are malformed.")
            intake = _load_section(intake, path, value)
            continue
        spec = next((s for s in FIXED_FIELD_SPECS if s.path == path), None)
        if spec is None:
            raise ValidationError.single(path, "The stored intake has an answer this version does not know.")
        intake = intake.with_answer(path, _load_value(spec, value))
    return intake


def _load_value(spec: FieldSpec, value: object) -> object:
    if value is None:
        return None
    ok = {
        FieldKind.BOOL: isinstance(value, bool),
        FieldKind.INT: isinstance(value, int) and not isinstance(value, bool),
        FieldKind.PERCENT: isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 100,
        FieldKind.DATE: isinstance(value, str),
        FieldKind.CHOICE: isinstance(value, str),
        FieldKind.TEXT: isinstance(value, str),
        FieldKind.MULTILINE: isinstance(value, str),
    }[spec.kind]
    if ok and spec.kind is FieldKind.DATE:
        try:
            return date.fromisoformat(value)  # type: ignore[arg-type]
        except ValueError:
            ok = False
    if not ok:
        raise ValidationError.single(spec.path, f"The stored {spec.noun} is malformed.")
    return float(value) if spec.kind is FieldKind.PERCENT else value  # type: ignore[arg-type]


def update_field(intake: Intake, path: str, value: object, *, options: IntakeOptions, today: date) -> Intake:
    """Validate one answer and return the intake with it stored (the autosave step)."""
    if intake.status is IntakeStatus.COMPLETE:
        raise ValidationError.single(
            str(path), "This intake is complete and can no longer change; start a re-assessment instead."
        )
    cleaned = validate_field(path, value, options=options, today=today)
    return intake.with_answer(path, cleaned)


# ---------------------------------------------------------------------------------------
# Derived values and completion
# ---------------------------------------------------------------------------------------


def intake_salt_score(intake: Intake, scales: ScaleCatalogue) -> float | None:
    """The SALT score once all four regions are answered, else ``None``."""
    salt = intake.classification.salt
    if not salt.complete:
        return None
    return salt_score(salt.vertex, salt.posterior, salt.right, salt.left, scales.salt.weights)  # type: ignore[arg-type]


def missing_required(intake: Intake) -> list[str]:
    """Field paths that must be answered before the intake can be completed, in form order."""
    missing: list[str] = []
    complaint = intake.complaint
    salt = intake.classification.salt
    salt_needed = complaint.hair_loss_type == "alopecia_areata" or any(
        v is not None for v in (salt.vertex, salt.posterior, salt.right, salt.left)
    )
    treatments = dict(complaint.previous_treatments)
    for spec in FIXED_FIELD_SPECS:
        needed = spec.required
        if spec.path in ("complaint.onset_date", "complaint.duration_months"):
            needed = complaint.onset_date is None and complaint.duration_months is None
        elif spec.path == "complaint.hair_loss_type_other":
            needed = complaint.hair_loss_type == OTHER
        elif spec.path == "complaint.previous_treatment_other":
            needed = OTHER in treatments
        elif spec.scale == SALT:
            needed = salt_needed
        if needed and intake.answer(spec.path) is None:
            missing.append(spec.path)
    return missing


def _first_sentence(message: str) -> str:
    head = message.split(". ", 1)[0].rstrip(".")
    return head + "."


def can_complete(
    intake: Intake,
    outcome: ScreeningOutcome,
    overrides: Mapping[str, Override],
    acknowledged: Collection[str],
) -> list[str]:
    """Why the intake cannot be marked complete yet, in plain words; empty = it can.

    ``outcome`` must come from evaluating the screening rules on these very answers.
    """
    if intake.status is IntakeStatus.COMPLETE:
        return ["This intake is already complete."]
    reasons: list[str] = []
    labels = {spec.path: spec.label for spec in FIXED_FIELD_SPECS}
    missing = missing_required(intake)
    for path in missing:
        if path == "complaint.duration_months" and "complaint.onset_date" in missing:
            continue  # one reason for the pair
        if path == "complaint.onset_date" and "complaint.duration_months" in missing:
            reasons.append("Not answered yet: when the hair loss started (a date or a duration).")
        else:
            reasons.append(f"Not answered yet: {labels[path]}.")
    for finding in outcome.unhandled_stops(overrides):
        if finding.overridable:
            reasons.append(f"Stop without a recorded reason for going ahead: {_first_sentence(finding.message)}")
        else:
            reasons.append(f"Stop that cannot be overridden (no treatment while it applies): "
                           f"{_first_sentence(finding.message)}")
    for finding in outcome.unacknowledged_warnings(acknowledged):
        reasons.append(f"Warning not acknowledged yet: {_first_sentence(finding.message)}")
    return reasons


def mark_complete(
    intake: Intake,
    outcome: ScreeningOutcome,
    overrides: Mapping[str, Override],
    acknowledged: Collection[str],
) -> Intake:
    """The intake with status complete, or ``ValidationError`` on ``status`` listing why not."""
    reasons = can_complete(intake, outcome, overrides, acknowledged)
    if reasons:
        raise ValidationError.single("status", " ".join(reasons))
    return replace(intake, status=IntakeStatus.COMPLETE)


# What a re-assessment copies from the previous complete intake: the history that does not
# change between visits (what kind of hair loss, when it began as a date, the family, what
# was tried before). Everything that describes *today* is asked again: the duration in
# months and the daily shedding (they move), the classification (re-staging is the point
# of a re-assessment), every medical screening answer (a pre-filled "no" could hide a new
# medicine, a pregnancy or an infection: the very stop the screening exists to catch) and
# the notes, which belong to the visit they were written at.
CARRIED_INTO_REASSESSMENT = (
    "complaint.hair_loss_type",
    "complaint.hair_loss_type_other",
    "complaint.onset_date",
    "complaint.family_history",
    "complaint.previous_treatment_other",
)


def reassessment_draft(previous: Intake | None) -> Intake:
    """A new draft for a re-assessment, pre-filled with the stable history of ``previous``."""
    if previous is None:
        return Intake()
    complaint = Complaint(previous_treatments=previous.complaint.previous_treatments)
    draft = Intake(complaint=complaint)
    for path in CARRIED_INTO_REASSESSMENT:
        draft = draft.with_answer(path, previous.answer(path))
    return draft


__all__ = [
    "CARRIED_INTO_REASSESSMENT",
    "Classification",
    "Complaint",
    "Intake",
    "IntakeStatus",
    "MedicalScreening",
    "Notes",
    "SaltRegions",
    "can_complete",
    "intake_salt_score",
    "mark_complete",
    "missing_required",
    "reassessment_draft",
    "update_field",
]
