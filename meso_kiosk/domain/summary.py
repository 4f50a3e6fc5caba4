"""What a consultation summary PDF shows: a frozen snapshot a service builds and a report renders.

Only the clinic, the patient and the document's own identity are always there; every
other section is optional and is rendered when present, so the document grows as the
consultation does. Everything is already in words (labels, not ids), so the report
needs no reference data and no database. Times are timezone-aware (stored UTC); the
report shows them in the clinic's time zone with the UTC offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from enum import StrEnum

from .patient import Patient
from .patient_words import PatientWords
from .scalp import ScalpGeometry


@dataclass(frozen=True)
class SummaryClinic:
    """Who issues the document: the header's name, contact lines and logo."""

    name: str
    timezone: tzinfo
    address: str | None = None               # up to six lines, as the clinic typed them
    phone: str | None = None
    email: str | None = None
    logo_png: bytes | None = field(default=None, repr=False)  # at most 512 px a side (ClinicService)


def credentials_words(profession: str | None, registration: str | None) -> str | None:
    """Who a consultant is professionally, in one phrase: ``Dermatologist, registration RPPS 1000``."""
    parts = [part for part in (profession, f"registration {registration}" if registration else None) if part]
    return ", ".join(parts) or None


class NoticeLevel(StrEnum):
    INFO = "info"
    WARNING = "warning"


@dataclass(frozen=True)
class Notice:
    """A boxed statement near the top of the first page, e.g. "Consent NOT signed"."""

    level: NoticeLevel
    title: str
    text: str
    for_consultant: str = ""                 # the same in English for the consultant's screens (else ``text``)


# ------------------------------------------------------------------ intake


@dataclass(frozen=True)
class ScreeningItem:
    """One stop, warning or note the screening rules raised, and how it was handled."""

    level: str                               # "Stop", "Warning", "Note"
    text: str
    handled: str                             # "Overridden (see below)", "Acknowledged", "Not handled", "—"


@dataclass(frozen=True)
class ScreeningOverride:
    """A screening stop the consultant overrode: which rule, why, who decided and when."""

    rule: str
    reason: str
    by: str
    at: datetime | None = None


@dataclass(frozen=True)
class IntakeSection:
    status: str                              # "Complete" / "Draft (not complete yet)"
    screening_outcome: str                   # in plain words, e.g. "1 stop overridden, 2 warnings acknowledged"
    hair_loss_type: str | None = None
    scales: tuple[tuple[str, str], ...] = ()  # (scale, reading): ("Norwood–Hamilton", "III vertex")
    findings: tuple[ScreeningItem, ...] = ()
    overrides: tuple[ScreeningOverride, ...] = ()
    completed_at: datetime | None = None
    completed_by: str | None = None
    texts: tuple[tuple[str, str], ...] = ()  # (label, answer) of what was typed: medications, allergies, notes


# ------------------------------------------------------------------ scalp and sessions


@dataclass(frozen=True)
class ZoneCount:
    zone_id: str
    label: str
    sessions: int                            # closed sessions of this course that treated the zone
    injections: int = 0                      # their injections in the zone, in total
    last: date | None = None                 # clinic-local day of the latest of them


@dataclass(frozen=True)
class ScalpSection:
    """The treated zones, drawn from the same geometry as the on-screen map."""

    geometry: ScalpGeometry
    zones: tuple[ZoneCount, ...]             # every zone of the geometry, in its order

    def count(self, zone_id: str) -> int:
        return next((zone.sessions for zone in self.zones if zone.zone_id == zone_id), 0)

    @property
    def treated(self) -> tuple[ZoneCount, ...]:
        return tuple(zone for zone in self.zones if zone.sessions)


@dataclass(frozen=True)
class ZoneTreatment:
    zone: str                                # the zone's label
    injections: int
    depth_mm: float | None = None
    volume_ml: float | None = None


@dataclass(frozen=True)
class ProductUse:
    product: str
    lot_number: str
    expiry: date | None = None


@dataclass(frozen=True)
class SessionCorrection:
    """An amendment of a closed session, shown beside it (the row shows the corrected values)."""

    at: datetime
    by: str
    reason: str
    changes: tuple[str, ...] = ()            # "Vertex depth: 2 mm → 2.5 mm"


@dataclass(frozen=True)
class SessionRow:
    started_at: datetime
    consultant: str
    zones: tuple[ZoneTreatment, ...] = ()
    products: tuple[ProductUse, ...] = ()
    side_effects: tuple[str, ...] = ()
    number: int | None = None                # 1-based, in date order
    technique: str | None = None
    corrections: tuple[SessionCorrection, ...] = ()
    consultant_credentials: str | None = None  # ``credentials_words`` of who treated
    notes: str | None = None                 # the consultant's notes of the session, as typed

    @property
    def injections(self) -> int:
        return sum(zone.injections for zone in self.zones)

    @property
    def volume_ml(self) -> float:
        return sum(zone.volume_ml or 0.0 for zone in self.zones)


# ------------------------------------------------------------------ course


@dataclass(frozen=True)
class PlannedVisit:
    number: int
    day: date
    status: str                              # "Done", "Next", "Overdue", "Planned" … in plain words
    is_done: bool | None = None              # None: read from status ("Done"), for English-only callers


@dataclass(frozen=True)
class Milestone:
    day: date
    text: str
    passed: bool = False


@dataclass(frozen=True)
class CourseSection:
    protocol: str
    start: date
    visits: tuple[PlannedVisit, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    maintenance_from: date | None = None
    note: str | None = None                  # why the plan cannot be shown, e.g. more sessions done than planned
    price: str | None = None                 # "Price: 95.00 EUR per session · …"; None when the clinic set none

    @property
    def done(self) -> int:
        return sum(1 for visit in self.visits
                   if (visit.status == "Done" if visit.is_done is None else visit.is_done))


# ------------------------------------------------------------------ progress photos


@dataclass(frozen=True)
class SummaryPhoto:
    """One progress photo as the PDF prints it: its JPEG, or None when its file is missing or changed."""

    taken_at: datetime                       # UTC
    width: int                               # pixels, upright (as stored)
    height: int
    jpeg: bytes | None = field(default=None, repr=False)
    session: int | None = None               # the session's number in the sessions table; None: not taken at one


@dataclass(frozen=True)
class PhotoPair:
    """A view's first and latest photo (one when only one was taken), under the view's label."""

    view: str                                # the view's label in the PDF's language
    photos: tuple[SummaryPhoto, ...]


# ------------------------------------------------------------------ consent and signatures


@dataclass(frozen=True)
class ConsentAnswer:
    item: str                                # the side-effect item exactly as the patient read it
    answer: str                              # the patient's answer, in words


@dataclass(frozen=True)
class ConsentEvent:
    """One signed act of the patient's consent history: a consent, a withdrawal, a consent signed again."""

    at: datetime
    what: str                                # "Consent signed", "Consent withdrawn (by phone)", …
    language: str                            # "English (en)"
    version: str


@dataclass(frozen=True)
class ConsentSection:
    language: str                            # "English (en)"
    version: str
    text_sha256: str
    status: str = ""                         # "In force, signed 22 Nov 2026 …" / "Withdrawn on …"
    answers: tuple[ConsentAnswer, ...] = ()
    photo_question: str | None = None
    photo_answer: str | None = None
    question_for_consultant: str | None = None
    pre_treatment: tuple[str, ...] = ()
    aftercare: tuple[str, ...] = ()
    pre_treatment_title: str = "Before each session"
    aftercare_title: str = "After each session"
    signed_text: str = ""                    # the whole text the patient signed, exactly as stored
    withdrawal_text: str = ""                # the whole withdrawal they signed, when withdrawn
    history: tuple[ConsentEvent, ...] = ()   # every consent and withdrawal, oldest first


# One stroke is a sequence of points in a box of ``SignatureBlock.aspect`` (width / height),
# each coordinate 0..1 with y growing downwards (as drawn on screen).
Stroke = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class SignatureBlock:
    role: str                                # "Patient", "Consultant"
    printed_name: str
    signed_at: datetime
    meaning: str                             # what the signature means
    strokes_sha256: str | None               # of the stored signature data (strokes, or the PIN attestation)
    strokes: tuple[Stroke, ...] = ()
    method: str = "Signed by hand on the kiosk tablet"
    aspect: float = 3.0
    digest_label: str = "Strokes SHA-256"
    credentials: str | None = None           # the consultant's profession and registration, when recorded
    device: str | None = None                # the tablet it was drawn on (for the technical appendix)
    withdrawal: bool = False                 # signed for a withdrawal (printed apart from the consent's)


@dataclass(frozen=True)
class UnsignedBlock:
    """A signature line left empty, saying plainly that it has not been signed."""

    role: str
    printed_name: str
    why: str


# ------------------------------------------------------------------ the whole document


@dataclass(frozen=True)
class ConsultationSummary:
    document_id: str
    generated_at: datetime
    clinic: SummaryClinic
    patient: Patient
    audit_head: str                          # latest audit-chain hash when the document was made
    intake: IntakeSection | None = None
    scalp: ScalpSection | None = None
    sessions: tuple[SessionRow, ...] = ()
    sessions_in_progress: int = 0            # open sessions: not in the table until closed
    course: CourseSection | None = None
    photos: tuple[PhotoPair, ...] = ()       # per view, in the clinic's order; none without photo consent
    consent: ConsentSection | None = None
    signatures: tuple[SignatureBlock, ...] = ()
    unsigned: tuple[UnsignedBlock, ...] = ()
    notices: tuple[Notice, ...] = ()
    words: PatientWords | None = None        # the PDF's own words in the patient's language (resources/pdf/)
    preferred_language: str | None = None    # the patient's language named in the PDF's ("français (fr)")

    def __post_init__(self) -> None:
        if self.generated_at.tzinfo is None:
            raise ValueError("generated_at must be timezone-aware")

    @property
    def is_signed(self) -> bool:
        """A signed consent in force is part of the document."""
        return self.consent is not None and bool(self.signatures) and not self.unsigned


# ------------------------------------------------------------------ what is ready


@dataclass(frozen=True)
class ReadyItem:
    """One line of the Summary step's checklist: what the PDF will carry, or what it lacks."""

    name: str
    ready: bool
    text: str


def readiness(summary: ConsultationSummary) -> tuple[ReadyItem, ...]:
    """What the document will show and what is still missing, in consultant words."""
    items = []
    intake = summary.intake
    if intake is None:
        items.append(ReadyItem("Intake", False, "No intake recorded yet."))
    else:
        complete = intake.completed_at is not None
        items.append(ReadyItem("Intake", complete, f"{intake.status}. Screening: {intake.screening_outcome}."))
    count, open_ = len(summary.sessions), summary.sessions_in_progress
    text = f"{count} closed session{'s' if count != 1 else ''}" if count else "No closed session yet"
    if open_:
        text += f"; {open_} still open (not in the PDF until closed)"
    items.append(ReadyItem("Sessions", bool(count) and not open_, text + "."))
    course = summary.course
    if course is None:
        items.append(ReadyItem("Course", False, "No course plan agreed yet."))
    elif course.note:
        items.append(ReadyItem("Course", False, course.note))
    else:
        items.append(ReadyItem("Course", True, f"{course.protocol}: {course.done} of {len(course.visits)} done."))
    if summary.is_signed:
        assert summary.consent is not None
        items.append(ReadyItem("Consent", True, f"Signed and countersigned. {summary.consent.status}."))
    else:
        why = next((n.for_consultant or n.text for n in summary.notices if n.level is NoticeLevel.WARNING),
                   "No signed consent.")
        items.append(ReadyItem(
            "Consent", False,
            f"{why} You can still export: the PDF then says clearly, on its first page, that it is NOT signed."))
    return tuple(items)
