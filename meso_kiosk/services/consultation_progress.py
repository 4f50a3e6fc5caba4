"""The facts of ``domain.consultation_progress`` for one patient, read through the services
that own them (nothing is written). The workspace asks on opening a patient and after each
change a step makes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.clock import Clock
from ..domain.course import PlannedSession
from ..domain.errors import ValidationError
from ..domain.consultation_progress import STEP_CONSENT, STEP_INTAKE, ConsultationFacts, IntakeStage
from ..domain.photo import ANSWERED_NO, PHOTOS_WITHDRAWN
from ..domain.treatment_gate import Refusal

if TYPE_CHECKING:
    from .consent import ConsentService
    from .course import CourseService
    from .intake import IntakeService
    from .photos import PhotoService
    from .sessions import SessionService


class ConsultationProgress:
    def __init__(self, intake: IntakeService, course: CourseService, consents: ConsentService,
                 sessions: SessionService, clock: Clock, photos: PhotoService | None = None):
        self._intake = intake
        self._course = course
        self._consents = consents
        self._sessions = sessions
        self._clock = clock
        self._photos = photos

    def facts(self, patient_id: int) -> ConsultationFacts:
        intake = self._intake.current(patient_id)
        stage = (IntakeStage.NONE if intake is None
                 else IntakeStage.COMPLETE if intake.is_complete else IntakeStage.DRAFT)
        today = self._clock.today()
        stored = self._course.active(patient_id)
        upcoming = None if stored is None else self._next_session(patient_id)
        return ConsultationFacts(
            intake=stage,
            course_planned=stored is not None,
            consent_in_force=self.consent_refusal(patient_id) is None,
            session_open=self._sessions.draft(patient_id) is not None,
            session_due_today=upcoming is not None and upcoming.date <= today,
            session_closed_today=today in self._course.done_dates(patient_id),
            photos_done_today=self._photos_done_today(patient_id),
        )

    def _photos_done_today(self, patient_id: int) -> bool:
        """Every standard view has a photo taken today (clinic local date), or the patient declined
        photos (their consent says no, or they withdrew the photo consent)."""
        if self._photos is None:
            return False
        if self._photos.consent_state(patient_id) in (ANSWERED_NO, PHOTOS_WITHDRAWN):
            return True
        today = self._clock.today()
        taken = {photo.view_id for photo in self._photos.photos(patient_id)
                 if self._clock.local(photo.taken_at).date() == today}
        return all(view.id in taken for view in self._photos.views())

    def _next_session(self, patient_id: int) -> PlannedSession | None:
        """The course's next session as planned today; None when all are done, or when the stored
        course cannot be planned any more (the course step says why)."""
        try:
            return self._course.plan(patient_id).next_session
        except ValidationError:
            return None

    def consent_refusal(self, patient_id: int) -> str | None:
        """Why no session may be recorded until the patient signs (none yet, withdrawn, or a newer
        text the clinic asks to be signed), or None. The time to think before a first session is
        not one: no signature would end it sooner (an admin may waive it on the treatment step)."""
        gate = self._consents.consent_gate(patient_id)
        if gate is None or gate == self._consents.cooling_off.refusal(patient_id):
            return None
        return gate

    def treatment_hold(self, patient_id: int) -> Refusal | None:
        """What the treatment step waits for: the session gate's refusal when another step's work
        ends it (the intake, a consent to sign). Not the time to think before a first session:
        the treatment step itself says until when, and an admin may waive it there."""
        refusal = self._sessions.treatment_refusal(patient_id)
        if refusal is None or refusal.step not in (STEP_INTAKE, STEP_CONSENT):
            return None
        if refusal.step == STEP_CONSENT and self.consent_refusal(patient_id) is None:
            return None  # held only for the cooling-off period
        return refusal
