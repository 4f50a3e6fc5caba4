"""The intake: hair-loss history, classification and medical screening answers.

The form autosaves one answer at a time, so every answer is addressed by a stable field
path (``complaint.hair_loss_type``, ``classification.salt.vertex``, ``medical.nsaids``…)
and can be validated alone with ``validate_field``. The paths are shared with the UI, the
store and the screening rules file; never rename one.

Choice lists, scales and sanity limits come from ``resources/intake/options.toml``,
parsed by the service layer and handed to ``parse_options``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from .errors import ValidationError
from .scales import (
    SALT,
    OptionsError,
    ScaleCatalogue,
    check_percent,
    parse_id,
    parse_label,
    parse_scales,
    salt_score,
)
from .screening import Override, ScreeningOutcome
from .text import clean_text

FORMAT_VERSION = 1  # of the dict written by ``Intake.to_dict``
MAX_SHORT_TEXT = 200
MAX_LONG_TEXT = 4000
MAX_AGE_OF_ONSET_YEARS = 120
OTHER = "other"  # the choice id that asks for a description
TREATMENTS_PREFIX = "complaint.previous_treatments."
_PERCENT_PLACES = Decimal("0.1")
_INT_TEXT_RE = re.compile(r"^[+-]?[0-9]{1,9}$")
_PERCENT_TEXT_RE = re.compile(r"^[+-]?[0-9]{1,9}(\.[0-9]{1,9})?$")
_DATE_TEXT_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class IntakeStatus(StrEnum):
    DRAFT = "draft"
    COMPLETE = "complete"


class FieldKind(StrEnum):
    CHOICE = "choice"
    BOOL = "bool"
    DATE = "date"
    INT = "int"
    PERCENT = "percent"
    TEXT = "text"
    MULTILINE = "multiline"


# ---------------------------------------------------------------------------------------
# Options (choice lists and limits)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    id: str
    label: str


@dataclass(frozen=True)
class IntakeOptions:
    """The parsed ``intake/options.toml``."""

    hair_loss_types: tuple[Choice, ...]
    previous_treatments: tuple[Choice, ...]
    treatment_outcomes: tuple[Choice, ...]
    pregnancy_statuses: tuple[Choice, ...]
    scales: ScaleCatalogue
    shedding_normal_min: int
    shedding_normal_max: int
    shedding_max_plausible: int
    max_duration_months: int

    def choices(self, source: str) -> tuple[Choice, ...]:
        """The pick list named by a ``FieldSpec.choices`` source."""
        if source.startswith("scale."):
            scale = self.scales.stage_scale(source.removeprefix("scale."))
            return tuple(Choice(s.id, s.label) for s in scale.stages)
        lists = {
            "hair_loss_type": self.hair_loss_types,
            "previous_treatment": self.previous_treatments,
            "treatment_outcome": self.treatment_outcomes,
            "pregnancy_status": self.pregnancy_statuses,
        }
        return lists[source]


def _parse_choices(data: Mapping[str, object], key: str, extra_keys: Collection[str] = ()) -> tuple[Choice, ...]:
    raw = data.get(key)
    if not isinstance(raw, list) or not raw:
        raise OptionsError(f"{key}: expected at least one [[{key}]] entry.")
    choices: list[Choice] = []
    for index, item in enumerate(raw, start=1):
        where = f"{key} {index}"
        if not isinstance(item, Mapping):
            raise OptionsError(f"{where}: expected a table with id and label.")
        choice_id = parse_id(item.get("id"), where)
        where = f"{key} '{choice_id}'"
        unknown = sorted(set(item) - {"id", "label"} - set(extra_keys))
        if unknown:
            raise OptionsError(f"{where}: unknown setting(s) {', '.join(unknown)}.")
        if any(c.id == choice_id for c in choices):
            raise OptionsError(f"{where}: this id appears twice.")
        choices.append(Choice(choice_id, parse_label(item.get("label"), where)))
    return tuple(choices)


def _parse_count(table: Mapping[str, object], key: str, where: str, low: int, high: int) -> int:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise OptionsError(f"{where}.{key}: expected a whole number from {low} to {high}.")
    return value


def parse_options(data: Mapping[str, object]) -> IntakeOptions:
    """Build ``IntakeOptions`` from the parsed options file; ``OptionsError`` names the entry."""
    if not isinstance(data, Mapping):
        raise OptionsError("The intake options file must be a TOML document.")
    allowed = {
        "hair_loss_type", "previous_treatment", "treatment_outcome", "pregnancy_status", "scale", "shedding", "limits",
    }
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise OptionsError(f"Unknown section(s) in the intake options: {', '.join(unknown)}.")
    shedding = data.get("shedding")
    limits = data.get("limits")
    if not isinstance(shedding, Mapping) or set(shedding) != {"normal_min", "normal_max", "max_plausible"}:
        raise OptionsError("shedding: expected normal_min, normal_max and max_plausible.")
    if not isinstance(limits, Mapping) or set(limits) != {"max_duration_months"}:
        raise OptionsError("limits: expected max_duration_months.")
    normal_min = _parse_count(shedding, "normal_min", "shedding", 0, 1_000_000)
    normal_max = _parse_count(shedding, "normal_max", "shedding", normal_min, 1_000_000)
    max_plausible = _parse_count(shedding, "max_plausible", "shedding", normal_max, 1_000_000)
    return IntakeOptions(
        hair_loss_types=_parse_choices(data, "hair_loss_type", {"scales"}),
        previous_treatments=_parse_choices(data, "previous_treatment"),
        treatment_outcomes=_parse_choices(data, "treatment_outcome"),
        pregnancy_statuses=_parse_choices(data, "pregnancy_status"),
        scales=parse_scales(data),
        shedding_normal_min=normal_min,
        shedding_normal_max=normal_max,
        shedding_max_plausible=max_plausible,
        max_duration_months=_parse_count(limits, "max_duration_months", "limits", 1, 2400),
    )


# ---------------------------------------------------------------------------------------
# The form: ordered field specs
# ---------------------------------------------------------------------------------------

SECTIONS: tuple[tuple[str, str], ...] = (
    ("complaint", "Complaint and history"),
    ("classification", "Classification"),
    ("medical", "Medical screening"),
    ("notes", "Notes"),
)


@dataclass(frozen=True)
class FieldSpec:
    """One question of the intake form, in the order the form shows it.

    ``choices`` names the pick list (see ``IntakeOptions.choices``). ``scale`` means: show
    only when ``suggest_scales`` offers that scale. ``shown_when`` is ``(path, value)``:
    show only when that answer equals ``value`` (``None``: when it is answered at all).
    ``noun`` is how validation messages refer to the answer.
    """

    path: str
    label: str
    kind: FieldKind
    noun: str
    required: bool = False
    choices: str | None = None
    max_length: int | None = None
    scale: str | None = None
    shown_when: tuple[str, str | None] | None = None
    help: str = ""

    @property
    def section(self) -> str:
        return self.path.split(".", 1)[0]


def _yes_no(path: str, label: str, noun: str, *, required: bool = True, help: str = "") -> FieldSpec:
    return FieldSpec(path, label, FieldKind.BOOL, noun, required=required, help=help)


_COMPLAINT_HEAD = (
    FieldSpec(
        "complaint.hair_loss_type", "Type of hair loss", FieldKind.CHOICE, "type of hair loss",
        required=True, choices="hair_loss_type",
    ),
    FieldSpec(
        "complaint.hair_loss_type_other", "Describe the hair loss", FieldKind.TEXT, "description of the hair loss",
        max_length=MAX_SHORT_TEXT, shown_when=("complaint.hair_loss_type", OTHER),
    ),
    FieldSpec(
        "complaint.onset_date", "When it started (date)", FieldKind.DATE, "date the hair loss started",
        help="Give the date, or the duration below if the patient cannot say.",
    ),
    FieldSpec(
        "complaint.duration_months", "Or: for how long (months)", FieldKind.INT, "duration in months",
    ),
    _yes_no("complaint.family_history", "Hair loss in the family", "family history answer", required=False),
    FieldSpec(
        "complaint.daily_shedding", "Estimated hairs lost per day", FieldKind.INT, "daily shedding estimate",
        help="Normal shedding is about 50–100 hairs a day.",
    ),
)
_COMPLAINT_TAIL = (
    FieldSpec(
        "complaint.previous_treatment_other", "Describe the other treatment", FieldKind.TEXT,
        "description of the other treatment", max_length=MAX_SHORT_TEXT,
        shown_when=(TREATMENTS_PREFIX + OTHER, None),
    ),
)
_CLASSIFICATION = (
    FieldSpec(
        "classification.norwood", "Norwood–Hamilton stage", FieldKind.CHOICE, "Norwood–Hamilton stage",
        choices="scale.norwood", scale="norwood",
    ),
    FieldSpec(
        "classification.ludwig", "Ludwig stage", FieldKind.CHOICE, "Ludwig stage",
        choices="scale.ludwig", scale="ludwig",
    ),
    FieldSpec(
        "classification.sinclair", "Sinclair stage", FieldKind.CHOICE, "Sinclair stage",
        choices="scale.sinclair", scale="sinclair",
    ),
    FieldSpec(
        "classification.salt.vertex", "SALT: hair lost on the vertex (%)", FieldKind.PERCENT,
        "vertex percentage", scale=SALT,
    ),
    FieldSpec(
        "classification.salt.posterior", "SALT: hair lost at the back (%)", FieldKind.PERCENT,
        "back-of-head percentage", scale=SALT,
    ),
    FieldSpec(
        "classification.salt.right", "SALT: hair lost on the right side (%)", FieldKind.PERCENT,
        "right-side percentage", scale=SALT,
    ),
    FieldSpec(
        "classification.salt.left", "SALT: hair lost on the left side (%)", FieldKind.PERCENT,
        "left-side percentage", scale=SALT,
    ),
    _yes_no("classification.bald_areas", "Some areas are already completely bald", "bald areas answer", required=False),
)
_MEDICAL = (
    FieldSpec(
        "medical.medications", "Current medications", FieldKind.MULTILINE, "medication list",
        max_length=MAX_LONG_TEXT,
    ),
    _yes_no("medical.nsaids", "Takes ibuprofen, aspirin or another anti-inflammatory painkiller", "painkiller answer"),
    _yes_no("medical.anticoagulants", "Takes a blood thinner (anticoagulant)", "blood thinner answer"),
    FieldSpec(
        "medical.allergies", "Allergies (to what, and what happens)", FieldKind.MULTILINE, "allergy list",
        max_length=MAX_LONG_TEXT,
    ),
    _yes_no(
        "medical.allergy_solution_ingredient", "Allergic to an ingredient of the treatment solution",
        "solution allergy answer",
    ),
    _yes_no(
        "medical.allergy_local_anaesthetic", "Allergic to local anaesthetics (numbing gel)", "anaesthetic allergy answer"
    ),
    FieldSpec(
        "medical.pregnancy", "Pregnancy or breastfeeding", FieldKind.CHOICE, "pregnancy answer",
        required=True, choices="pregnancy_status",
    ),
    _yes_no("medical.bleeding_disorder", "Bleeding or clotting disorder", "bleeding disorder answer"),
    _yes_no(
        "medical.scalp_infection", "Active infection, wound or inflammation on the scalp", "scalp infection answer"
    ),
    _yes_no("medical.scalp_scarring", "Scarring on the scalp (scarring alopecia)", "scalp scarring answer"),
    _yes_no("medical.keloid_tendency", "Tends to form keloids (overgrown scars)", "keloid answer"),
    _yes_no(
        "medical.autoimmune", "Autoimmune disease or weakened immune system", "autoimmune answer",
        help="Includes medicines that suppress the immune system.",
    ),
    _yes_no("medical.diabetes", "Diabetes", "diabetes answer"),
    _yes_no("medical.cancer_treatment", "Being treated for cancer", "cancer treatment answer"),
    FieldSpec("medical.notes", "Other medical notes", FieldKind.MULTILINE, "medical note", max_length=MAX_LONG_TEXT),
)
_NOTES = (
    FieldSpec(
        "notes.expectations", "What the patient hopes for", FieldKind.MULTILINE, "expectations note",
        max_length=MAX_LONG_TEXT,
    ),
    FieldSpec(
        "notes.consultant", "Consultant's notes", FieldKind.MULTILINE, "consultant's note", max_length=MAX_LONG_TEXT
    ),
)

# The questions whose path does not depend on the options file.
FIXED_FIELD_SPECS: tuple[FieldSpec, ...] = _COMPLAINT_HEAD + _COMPLAINT_TAIL + _CLASSIFICATION + _MEDICAL + _NOTES


def treatment_field_path(treatment_id: str) -> str:
    return TREATMENTS_PREFIX + treatment_id


def field_specs(options: IntakeOptions) -> tuple[FieldSpec, ...]:
    """Every question of the form, in display order (one per previous treatment included)."""
    treatments = tuple(
        FieldSpec(
            treatment_field_path(t.id), t.label, FieldKind.CHOICE, f"outcome of {t.label}",
            choices="treatment_outcome", help="Leave empty if the patient has not tried it.",
        )
        for t in options.previous_treatments
    )
    return _COMPLAINT_HEAD + treatments + FIXED_FIELD_SPECS[len(_COMPLAINT_HEAD):]


def field_paths(options: IntakeOptions) -> tuple[str, ...]:
    return tuple(spec.path for spec in field_specs(options))


def find_field_spec(options: IntakeOptions, path: str) -> FieldSpec | None:
    return next((spec for spec in field_specs(options) if spec.path == path), None)


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
    allergies: str | None = None
    allergy_solution_ingredient: bool | None = None
    allergy_local_anaesthetic: bool | None = None
    pregnancy: str | None = None
    bleeding_disorder: bool | None = None
    scalp_infection: bool | None = None
    scalp_scarring: bool | None = None
    keloid_tendency: bool | None = None
    autoimmune: bool | None = None
    diabetes: bool | None = None
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


# ---------------------------------------------------------------------------------------
# Validating one answer
# ---------------------------------------------------------------------------------------


def validate_field(path: object, value: object, *, options: IntakeOptions, today: date) -> object:
    """Clean one answer typed in the form, or raise ``ValidationError`` naming ``path``.

    Empty input (``None``, blank text) means "not answered" and returns ``None``; whether
    an answer is required is checked only when the intake is completed (``missing_required``),
    so a half-filled draft can always be saved. What this returns, validated again, comes
    back unchanged.
    """
    if not isinstance(path, str):
        raise ValidationError.single(str(path), "This is not a question on the intake form.")
    spec = find_field_spec(options, path)
    if spec is None:
        raise ValidationError.single(path, "This is not a question on the intake form.")
    if isinstance(value, str) and spec.kind not in (FieldKind.TEXT, FieldKind.MULTILINE) and not value.strip():
        return None
    if value is None:
        return None
    match spec.kind:
        case FieldKind.CHOICE:
            return _clean_choice(spec, value, options)
        case FieldKind.BOOL:
            if isinstance(value, bool):
                return value
            raise ValidationError.single(path, f"Answer “{spec.label}” with yes or no.")
        case FieldKind.DATE:
            return _clean_date(spec, value, today)
        case FieldKind.INT:
            return _clean_int(spec, value, options)
        case FieldKind.PERCENT:
            return _clean_percent(spec, value)
        case _:
            return clean_text(
                value, path, max_length=spec.max_length or MAX_SHORT_TEXT,
                multiline=spec.kind is FieldKind.MULTILINE, label=spec.noun,
            )


def _clean_choice(spec: FieldSpec, value: object, options: IntakeOptions) -> str:
    assert spec.choices is not None
    ids = [choice.id for choice in options.choices(spec.choices)]
    if isinstance(value, str) and value.strip() in ids:
        return value.strip()
    raise ValidationError.single(spec.path, f"Choose one of the listed answers for “{spec.label}”.")


def _clean_date(spec: FieldSpec, value: object, today: date) -> date:
    day: date | None = None
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str) and _DATE_TEXT_RE.match(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        raise ValidationError.single(spec.path, f"Enter the {spec.noun} as a real date, e.g. 2023-09-15.")
    if day > today:
        raise ValidationError.single(spec.path, f"The {spec.noun} cannot be in the future.")
    earliest = date(max(1, today.year - MAX_AGE_OF_ONSET_YEARS), 1, 1)
    if day < earliest:
        raise ValidationError.single(
            spec.path, f"The {spec.noun} is more than {MAX_AGE_OF_ONSET_YEARS} years ago; please check it."
        )
    return day


def _number(spec: FieldSpec, value: object, text_re: re.Pattern[str], what: str) -> int | float:
    """An int or float from a number or plain decimal text; refuses bool, NaN and inf."""
    if isinstance(value, str) and text_re.match(value.strip()):
        text = value.strip()
        return int(text) if text_re is _INT_TEXT_RE else float(text)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError.single(spec.path, f"The {spec.noun} must be {what}.")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError.single(spec.path, f"The {spec.noun} must be {what}.")
    return value


def _int_limit(spec: FieldSpec, options: IntakeOptions) -> tuple[int, str]:
    if spec.path == "complaint.daily_shedding":
        high = options.shedding_max_plausible
        return high, f"More than {high} hairs a day is not plausible; please check the estimate."
    if spec.path == "complaint.duration_months":
        high = options.max_duration_months
        return high, f"The {spec.noun} cannot be more than {high} months."
    raise AssertionError(f"no limit defined for {spec.path}")  # a new INT field needs one


def _clean_int(spec: FieldSpec, value: object, options: IntakeOptions) -> int:
    number = _number(spec, value, _INT_TEXT_RE, "a whole number")
    if isinstance(number, float):
        if not number.is_integer():
            raise ValidationError.single(spec.path, f"The {spec.noun} must be a whole number.")
    if number < 0:
        raise ValidationError.single(spec.path, f"The {spec.noun} cannot be negative.")
    high, too_high = _int_limit(spec, options)
    if number > high:
        raise ValidationError.single(spec.path, too_high)
    return int(number)


def _clean_percent(spec: FieldSpec, value: object) -> float:
    number = _number(spec, value, _PERCENT_TEXT_RE, "a number from 0 to 100")
    percent = check_percent(number, spec.path, spec.noun)
    # repr() is the shortest text giving this float: 12.35 rounds up as typed, not as stored.
    rounded = Decimal(repr(percent)).quantize(_PERCENT_PLACES, rounding=ROUND_HALF_UP)
    return float(rounded) + 0.0  # + 0.0 turns -0.0 into 0.0


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
        reasons.append(f"Stop without a recorded reason for going ahead: {_first_sentence(finding.message)}")
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
    "FIXED_FIELD_SPECS",
    "SECTIONS",
    "Choice",
    "Classification",
    "Complaint",
    "FieldKind",
    "FieldSpec",
    "Intake",
    "IntakeOptions",
    "IntakeStatus",
    "MedicalScreening",
    "Notes",
    "OptionsError",
    "SaltRegions",
    "can_complete",
    "field_paths",
    "field_specs",
    "find_field_spec",
    "intake_salt_score",
    "mark_complete",
    "missing_required",
    "parse_options",
    "reassessment_draft",
    "treatment_field_path",
    "update_field",
    "validate_field",
]
