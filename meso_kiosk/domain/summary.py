"""What a consultation summary PDF shows: a frozen snapshot a service builds and a report renders.

Only the clinic, the patient and the document's own identity are always there; every
other section is optional and is rendered when present, so the document grows as the
consultation does. Times are timezone-aware (stored UTC); the report shows them in the
clinic's time zone with the UTC offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from .patient import Patient


@dataclass(frozen=True)
class SummaryClinic:
    name: str
    timezone: tzinfo


@dataclass(frozen=True)
class ScreeningOverride:
    """A screening result the consultant overrode: which rule, why, and who decided."""

    rule: str
    reason: str
    by: str


@dataclass(frozen=True)
class IntakeSection:
    screening_outcome: str                   # in plain words, e.g. "Warnings acknowledged"
    scale: str | None = None                 # e.g. "Norwood–Hamilton"
    stage: str | None = None                 # e.g. "III vertex"
    findings: tuple[str, ...] = ()           # stops / warnings as shown to the consultant
    overrides: tuple[ScreeningOverride, ...] = ()
    completed_at: datetime | None = None
    completed_by: str | None = None


@dataclass(frozen=True)
class ZoneTreatment:
    zone: str
    injections: int
    depth_mm: float | None = None
    volume_ml: float | None = None


@dataclass(frozen=True)
class ProductUse:
    product: str
    lot_number: str
    expiry: date | None = None


@dataclass(frozen=True)
class SessionRow:
    started_at: datetime
    consultant: str
    zones: tuple[ZoneTreatment, ...] = ()
    products: tuple[ProductUse, ...] = ()
    side_effects: tuple[str, ...] = ()

    @property
    def injections(self) -> int:
        return sum(zone.injections for zone in self.zones)

    @property
    def volume_ml(self) -> float:
        return sum(zone.volume_ml or 0.0 for zone in self.zones)


@dataclass(frozen=True)
class PlannedVisit:
    number: int
    day: date
    status: str                              # "done", "planned", "missed" … in plain words


@dataclass(frozen=True)
class Milestone:
    when: str                                # e.g. "After 3 months"
    text: str


@dataclass(frozen=True)
class CourseSection:
    protocol: str
    start: date
    visits: tuple[PlannedVisit, ...] = ()
    milestones: tuple[Milestone, ...] = ()


@dataclass(frozen=True)
class ConsentAnswer:
    item: str
    answer: str


@dataclass(frozen=True)
class ConsentSection:
    language: str
    version: str
    text_sha256: str
    answers: tuple[ConsentAnswer, ...] = ()
    pre_treatment: tuple[str, ...] = ()
    aftercare: tuple[str, ...] = ()


# One stroke is a sequence of points in the signature pad's own box, each coordinate
# 0..1 with y growing downwards (as drawn on screen).
Stroke = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class SignatureBlock:
    role: str                                # "Patient", "Consultant", "Witness"
    printed_name: str
    signed_at: datetime
    meaning: str                             # what the signature means, in the signer's words
    strokes_sha256: str
    strokes: tuple[Stroke, ...] = ()


@dataclass(frozen=True)
class ConsultationSummary:
    document_id: str
    generated_at: datetime
    clinic: SummaryClinic
    patient: Patient
    audit_head: str                          # latest audit-chain hash when the document was made
    intake: IntakeSection | None = None
    sessions: tuple[SessionRow, ...] = ()
    course: CourseSection | None = None
    consent: ConsentSection | None = None
    signatures: tuple[SignatureBlock, ...] = ()

    def __post_init__(self) -> None:
        if self.generated_at.tzinfo is None:
            raise ValueError("generated_at must be timezone-aware")
