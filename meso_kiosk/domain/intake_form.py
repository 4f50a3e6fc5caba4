"""The intake form: every question, in the order the form shows it.

Every answer is addressed by a stable field path (``complaint.hair_loss_type``,
``classification.salt.vertex``, ``medical.nsaids``…). The paths are shared with the UI,
the store and the screening rules file; never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .intake_options import IntakeOptions
from .scales import SALT

MAX_SHORT_TEXT = 200
MAX_LONG_TEXT = 4000
OTHER = "other"  # the choice id that asks for a description
TREATMENTS_PREFIX = "complaint.previous_treatments."


class FieldKind(StrEnum):
    CHOICE = "choice"
    BOOL = "bool"
    DATE = "date"
    INT = "int"
    PERCENT = "percent"
    TEXT = "text"
    MULTILINE = "multiline"


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
    _yes_no(
        "medical.antiplatelets", "Takes an antiplatelet medicine such as clopidogrel, ticagrelor or prasugrel",
        "antiplatelet answer", help="Not aspirin: that is the painkiller question above.",
    ),
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
    _yes_no(
        "medical.mesotherapy_reaction", "Had a bad reaction to mesotherapy before", "earlier reaction answer",
        help="For example a rash, swelling, lumps, infection or patchy hair loss after a session.",
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
    _yes_no("medical.heart_condition", "Heart disease or low blood pressure", "heart or blood pressure answer"),
    _yes_no("medical.fainting", "Has fainted before (for example at injections or blood tests)", "fainting answer"),
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
