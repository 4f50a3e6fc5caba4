"""Where a consultation stands: which steps are done for the patient today, and which one is
today's task. Pure: the facts are read by ``services/consultation_progress``; the workspace
opens on ``next_task`` and offers "Continue" on a step that ``step_done`` says is finished.

The step ids are those of ``resources/app.toml`` (the treatment step keeps the id of the
scalp map it shows, which the screening rules also name).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .screening import STEP_CONSENT, STEP_SCALP_MAP

STEP_INTAKE = "intake"
STEP_COURSE = "course"
STEP_PHOTOS = "photos"
# Steps whose work never holds the consultation up: "Continue" is offered on them done or not.
OPTIONAL_STEPS = frozenset({STEP_PHOTOS})
STEP_TREATMENT = STEP_SCALP_MAP
STEP_SUMMARY = "summary"


class IntakeStage(StrEnum):
    NONE = "none"  # never started
    DRAFT = "draft"  # the newest intake is not complete (a first one, or a re-assessment)
    COMPLETE = "complete"


@dataclass(frozen=True)
class ConsultationFacts:
    """What the services say of one patient today."""

    intake: IntakeStage
    course_planned: bool  # a course is stored (not only proposed)
    consent_in_force: bool  # signed, not withdrawn, and no newer text the clinic asks to be signed
    session_open: bool  # a session started and not yet closed
    session_due_today: bool  # the course's next session is planned for today (or is overdue)
    session_closed_today: bool  # a session was closed today
    # Every standard view has a photo taken today, or the patient said no to photos (or withdrew it).
    photos_done_today: bool = False


def step_done(step_id: str, facts: ConsultationFacts) -> bool:
    """Whether the step's work is finished for this patient today, so that its main action is to
    go on: the intake complete, a course stored, a consent in force, today's session closed (or
    none due today by the course), every view photographed today (or photos declined). The summary is
    never "done": exporting is always its main action."""
    if step_id == STEP_INTAKE:
        return facts.intake is IntakeStage.COMPLETE
    if step_id == STEP_COURSE:
        return facts.course_planned
    if step_id == STEP_CONSENT:
        return facts.consent_in_force
    if step_id == STEP_PHOTOS:
        return facts.photos_done_today
    if step_id == STEP_TREATMENT:
        if facts.session_open:
            return False
        # Nothing due today is "done" only where a session could be given: with a course saying when
        # sessions are due, a complete intake and a consent in force (else it is not possible yet).
        ready = facts.intake is IntakeStage.COMPLETE and facts.course_planned and facts.consent_in_force
        return facts.session_closed_today or (ready and not facts.session_due_today)
    return False


def next_task(facts: ConsultationFacts) -> str:
    """The step a patient's consultation opens on: the first thing left to do today, in the order
    the clinic works.

    - No intake, or one not yet complete (a first visit, or a re-assessment begun): the
      intake, since the screening decides everything after it.
    - Intake complete but no course stored: the course, whose plan says when sessions are due.
    - No consent in force (never signed, withdrawn, or a newer text to sign): the consent,
      since no session may be recorded without it.
    - A session open, or one due today and none closed yet: the treatment, which is why the
      patient came.
    - Otherwise (today's session closed, or none due today): the summary, to export or print
      what was done. A returning patient who only comes to talk lands there too; every other
      step is one tap away.

    Screening and consent come before treatment whatever a clinic's history: a patient whose
    consent was withdrawn opens on the consent even with a session due. The photos are never
    today's task: they are optional, one tap before the treatment, and never hold it back.
    """
    if facts.intake is not IntakeStage.COMPLETE:
        return STEP_INTAKE
    if not facts.course_planned:
        return STEP_COURSE
    if not facts.consent_in_force:
        return STEP_CONSENT
    if not step_done(STEP_TREATMENT, facts):
        return STEP_TREATMENT
    return STEP_SUMMARY
