"""Which step a consultation opens on, and which steps are done: pure rules, every case."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meso_kiosk.domain.consultation_progress import (
    STEP_CONSENT,
    STEP_COURSE,
    STEP_INTAKE,
    STEP_PHOTOS,
    STEP_SUMMARY,
    STEP_TREATMENT,
    ConsultationFacts,
    IntakeStage,
    next_task,
    step_done,
)

NEW = ConsultationFacts(intake=IntakeStage.NONE, course_planned=False, consent_in_force=False,
                        session_open=False, session_due_today=False, session_closed_today=False)
READY = replace(NEW, intake=IntakeStage.COMPLETE, course_planned=True, consent_in_force=True)
STEPS = (STEP_INTAKE, STEP_COURSE, STEP_CONSENT, STEP_PHOTOS, STEP_TREATMENT, STEP_SUMMARY)


@pytest.mark.parametrize(("facts", "task"), [
    (NEW, STEP_INTAKE),
    (replace(NEW, intake=IntakeStage.DRAFT), STEP_INTAKE),
    (replace(READY, intake=IntakeStage.DRAFT), STEP_INTAKE),  # a re-assessment begun comes first
    (replace(NEW, intake=IntakeStage.COMPLETE), STEP_COURSE),
    (replace(NEW, intake=IntakeStage.COMPLETE, consent_in_force=True), STEP_COURSE),
    (replace(READY, consent_in_force=False), STEP_CONSENT),
    (replace(READY, consent_in_force=False, session_due_today=True, session_open=True), STEP_CONSENT),
    (replace(READY, session_due_today=True), STEP_TREATMENT),
    (replace(READY, session_open=True), STEP_TREATMENT),  # a session begun on another day's plan
    (replace(READY, session_open=True, session_closed_today=True), STEP_TREATMENT),
    (replace(READY, session_due_today=True, session_closed_today=True), STEP_SUMMARY),
    (READY, STEP_SUMMARY),  # nothing due today
])
def test_a_consultation_opens_on_the_first_thing_left_to_do_today(facts, task):
    assert next_task(facts) == task


def test_each_step_is_done_when_its_work_is():
    assert [step for step in STEPS if step_done(step, NEW)] == []  # no course: nothing says a session is due
    assert [step for step in STEPS if step_done(step, READY)] == [STEP_INTAKE, STEP_COURSE, STEP_CONSENT,
                                                                 STEP_TREATMENT]  # nothing due today
    assert [step for step in STEPS if step_done(step, replace(READY, session_due_today=True))] == [
        STEP_INTAKE, STEP_COURSE, STEP_CONSENT]
    assert [step for step in STEPS if step_done(step, replace(READY, session_open=True))] == [
        STEP_INTAKE, STEP_COURSE, STEP_CONSENT]
    assert step_done(STEP_TREATMENT, replace(READY, session_due_today=True, session_closed_today=True))
    assert not step_done(STEP_INTAKE, replace(READY, intake=IntakeStage.DRAFT))
    # Nothing due, but no consent in force (withdrawn): the treatment is not possible, so not "done".
    assert not step_done(STEP_TREATMENT, replace(READY, consent_in_force=False))
    assert not step_done(STEP_TREATMENT, replace(READY, intake=IntakeStage.DRAFT))
    assert not step_done("no such step", READY)


def test_the_photos_are_done_when_every_view_is_taken_today_or_declined_and_never_todays_task():
    assert not step_done(STEP_PHOTOS, READY)
    assert step_done(STEP_PHOTOS, replace(READY, photos_done_today=True))
    # Optional: never the step a consultation opens on, whether photos are taken or not.
    for facts in (NEW, READY, replace(READY, session_due_today=True), replace(READY, photos_done_today=True)):
        assert next_task(facts) != STEP_PHOTOS


facts_strategy = st.builds(ConsultationFacts, st.sampled_from(IntakeStage), st.booleans(), st.booleans(),
                           st.booleans(), st.booleans(), st.booleans(), st.booleans())


@given(facts_strategy)
def test_the_task_is_the_first_step_not_done_and_never_treatment_before_screening_and_consent(facts):
    task = next_task(facts)
    assert task in STEPS
    # (the photos are optional: passed over)
    first_not_done = next((step for step in STEPS if step != STEP_PHOTOS and not step_done(step, facts)),
                          STEP_SUMMARY)
    assert task == first_not_done
    if task in (STEP_TREATMENT, STEP_SUMMARY):
        assert facts.intake is IntakeStage.COMPLETE and facts.consent_in_force
