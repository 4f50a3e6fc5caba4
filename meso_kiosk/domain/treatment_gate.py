"""Whether a treatment session may be recorded: screening and consent come before any needle.

One pure decision, asked by the session service before a session is started, saved or
closed, and by the pages that show what holds treatment back. A session needs:
1. the patient's newest intake complete, every stop overridden with a reason (a stop that
   cannot be overridden means no treatment) and every warning acknowledged;
2. a signed consent in force that nothing holds back (not withdrawn, not on an older text
   the clinic asks to sign again, not inside the cooling-off period: the consent service's
   own words say which);
3. the session dated at or after that consent's signature: a session cannot rely on a
   consent signed after it. Compared to the minute, as the form shows and stores a start
   (a session started in the minute the patient signed is not "before" it).

The refusal names what blocks (``Blocker``), says so in consultant words, and names the
step that unblocks it (``step``: "intake" or "consent"; a date before the consent is
fixed in the session form itself) and the form key the message belongs beside (``field``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from .intake import IntakeStatus
from .screening import Finding, Override, ScreeningOutcome

STEP_INTAKE = "intake"
STEP_CONSENT = "consent"
STEP_SESSION = "scalp_map"  # the session form: its date is what must change


class Blocker(StrEnum):
    INTAKE_MISSING = "intake_missing"
    INTAKE_INCOMPLETE = "intake_incomplete"  # a draft (or a re-assessment) not marked complete
    INTAKE_STOP = "intake_stop"  # a stop without a reason for going ahead
    INTAKE_FORBIDS = "intake_forbids"  # a stop that cannot be overridden: no treatment
    INTAKE_WARNING = "intake_warning"  # a warning not acknowledged
    CONSENT_MISSING = "consent_missing"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    CONSENT_HELD = "consent_held"  # signed, but held back (new text to sign, cooling-off period)
    BEFORE_CONSENT = "before_consent"  # the session is dated before the consent's signature


_STEP = {Blocker.BEFORE_CONSENT: STEP_SESSION} | {
    blocker: STEP_CONSENT for blocker in (Blocker.CONSENT_MISSING, Blocker.CONSENT_WITHDRAWN, Blocker.CONSENT_HELD)
}
_FIELD = {STEP_INTAKE: "intake", STEP_CONSENT: "consent", STEP_SESSION: "started_at"}
_ACTION = {STEP_INTAKE: "Go to intake", STEP_CONSENT: "Go to consent", STEP_SESSION: "Change the session date"}


@dataclass(frozen=True)
class Refusal:
    """Why no session may be recorded now, and where the consultant goes to change that."""

    blocker: Blocker
    message: str  # consultant words: what blocks and what unblocks it

    @property
    def step(self) -> str:
        """The workflow step that unblocks it: "intake", "consent" (or "scalp_map" for the date)."""
        return _STEP.get(self.blocker, STEP_INTAKE)

    @property
    def field(self) -> str:
        """The form key the message is shown beside ("intake", "consent", "started_at")."""
        return _FIELD[self.step]

    @property
    def action(self) -> str:
        """The words of the button that goes to ``step``."""
        return _ACTION[self.step]


@dataclass(frozen=True)
class IntakeFacts:
    """The patient's newest intake as the gate reads it; ``status`` None: no intake at all."""

    status: IntakeStatus | None
    outcome: ScreeningOutcome = ScreeningOutcome()
    overrides: Mapping[str, Override] = field(default_factory=dict)
    acknowledged: Collection[str] = frozenset()
    reassessment: bool = False  # an earlier intake was complete: this draft re-assesses


@dataclass(frozen=True)
class ConsentFacts:
    """The patient's consent as the gate reads it.

    ``signed_at``: the signature of the consent in force (None when none is); ``withdrawn_at``:
    the patient's newest record is a withdrawal; ``hold``: the consent service's words when it
    holds sessions back although a consent is in force (or names its own reason otherwise).
    """

    signed_at: datetime | None = None
    withdrawn_at: datetime | None = None
    hold: str | None = None


def _first_sentence(finding: Finding) -> str:
    return finding.message.split(". ", 1)[0].rstrip(".")


def intake_refusal(intake: IntakeFacts) -> Refusal | None:
    """Why the screening does not allow treatment yet (None when it does)."""
    if intake.status is None:
        return Refusal(Blocker.INTAKE_MISSING, "No intake for this patient yet. Complete the intake first: "
                                               "the screening questions come before any treatment.")
    stops = intake.outcome.unhandled_stops(intake.overrides)
    final = [f for f in stops if not f.overridable]
    if final:
        return Refusal(Blocker.INTAKE_FORBIDS, f"The intake has a stop that cannot be overridden: "
                                               f"{_first_sentence(final[0])}. No treatment while it applies; "
                                               "if the answer has changed, start a re-assessment.")
    if stops:
        return Refusal(Blocker.INTAKE_STOP, f"The intake has a stop without a reason for going ahead: "
                                            f"{_first_sentence(stops[0])}. Record the reason (or do not treat), "
                                            "then mark the intake complete.")
    warnings = intake.outcome.unacknowledged_warnings(intake.acknowledged)
    if warnings:
        return Refusal(Blocker.INTAKE_WARNING, f"A warning in the intake is not acknowledged yet: "
                                               f"{_first_sentence(warnings[0])}. Tick it as discussed with the "
                                               "patient, then mark the intake complete.")
    if intake.status is not IntakeStatus.COMPLETE:
        what = "The re-assessment is" if intake.reassessment else "The intake is"
        return Refusal(Blocker.INTAKE_INCOMPLETE, f"{what} not complete yet. Complete the intake first: "
                                                  "answer what is left and mark it complete.")
    return None


def consent_refusal(consent: ConsentFacts, when: Callable[[datetime], str]) -> Refusal | None:
    """Why the consent does not allow treatment now (None when it does); ``when`` words a moment."""
    if consent.withdrawn_at is not None:
        return Refusal(Blocker.CONSENT_WITHDRAWN, consent.hold or (
            f"The patient withdrew their consent on {when(consent.withdrawn_at)}. A new consent must be "
            "signed before any further session."))
    if consent.signed_at is None:
        return Refusal(Blocker.CONSENT_MISSING, consent.hold or (
            "No signed consent for this patient. Hand the tablet to the patient to read and sign the "
            "consent before recording a session."))
    if consent.hold:
        return Refusal(Blocker.CONSENT_HELD, consent.hold)
    return None


def signed_minute(signed_at: datetime) -> datetime:
    """The consent's signature to the minute: the finest a session's start is recorded."""
    return signed_at.replace(second=0, microsecond=0)


def date_refusal(consent: ConsentFacts, started_at: datetime | None,
                 when: Callable[[datetime], str]) -> Refusal | None:
    """A session dated before the consent in force was signed (None when it is not)."""
    if started_at is None or consent.signed_at is None or started_at >= signed_minute(consent.signed_at):
        return None
    return Refusal(Blocker.BEFORE_CONSENT, f"The session is dated {when(started_at)}, before the consent was "
                                           f"signed on {when(consent.signed_at)}. A session cannot rely on a "
                                           "consent signed after it: set the date and time of the treatment, "
                                           "at or after the signature.")


def treatment_refusal(intake: IntakeFacts, consent: ConsentFacts, started_at: datetime | None = None, *,
                      when: Callable[[datetime], str] = lambda moment: moment.strftime("%d %b %Y, %H:%M UTC"),
                      ) -> Refusal | None:
    """The first thing that holds a session back, in the order a consultation runs (the intake,
    the consent, then the session's date), or None when it may be recorded; ``started_at``
    (UTC, aware) when a session's date is known, ``when`` words a moment in clinic time."""
    return intake_refusal(intake) or consent_refusal(consent, when) or date_refusal(consent, started_at, when)
