"""The treatment gate in the session service: no session without a complete intake (stops
overridden with a reason, warnings acknowledged) and a consent in force signed before it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.intake import IntakeStatus
from meso_kiosk.domain.screening import Finding, Level, ScreeningOutcome
from meso_kiosk.domain.treatment_gate import (
    Blocker,
    ConsentFacts,
    IntakeFacts,
    signed_minute,
    treatment_refusal,
)
from meso_kiosk.services.session_draft import SessionDraft
from meso_kiosk.services.sessions import (
    ConsentRequiredError,
    DatedBeforeConsentError,
    IntakeRequiredError,
    TreatmentRefusedError,
)
from meso_kiosk.store import intakes as intake_rows
from tests.conftest import FIXED_NOW
from tests.consultation import (
    CLEAR_INTAKE,
    COUNTERSIGN_PIN,
    complete_intake,
    ensure_consultant,
    session_form,
    sign,
    signed_earlier,
)

SIGNED = FIXED_NOW - timedelta(days=2)  # when the fixtures' first consent is signed


@pytest.fixture
def doctor(kiosk) -> int:
    return ensure_consultant(kiosk)[0]


@pytest.fixture
def patient(register, doctor):
    return register()


def sign_two_days_ago(kiosk, patient_id: int, doctor: int) -> None:
    with signed_earlier(kiosk):
        sign(kiosk, patient_id, doctor)


def counts(kiosk) -> tuple[int, int]:
    conn = kiosk.store.conn
    return (conn.execute("SELECT count(*) FROM treatment_sessions").fetchone()[0],
            conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])


def every_way_refused(kiosk, patient_id: int, form: dict, error: type) -> TreatmentRefusedError:
    """Start, save as a draft and close are each refused with ``error``, and nothing is written."""
    before = counts(kiosk)
    with pytest.raises(error) as started:
        kiosk.sessions.start(patient_id, "c")
    with pytest.raises(error):
        kiosk.sessions.save_draft(patient_id, form, "c")
    with pytest.raises(error):
        kiosk.sessions.close(patient_id, form, "c")
    assert counts(kiosk) == before
    return started.value


# ------------------------------------------------------------------ the intake


def test_no_intake_no_session_even_with_a_signed_consent(kiosk, patient, doctor):
    sign_two_days_ago(kiosk, patient.id, doctor)
    refused = every_way_refused(kiosk, patient.id, session_form(doctor, FIXED_NOW, 1), IntakeRequiredError)
    assert refused.refusal.blocker is Blocker.INTAKE_MISSING and refused.refusal.step == "intake"
    assert refused.errors == {"intake": "No intake for this patient yet. Complete the intake first: the screening "
                                        "questions come before any treatment."}
    assert refused.refusal.action == "Go to intake"
    assert kiosk.sessions.treatment_refusal(patient.id) == refused.refusal


def test_an_intake_not_marked_complete_is_not_enough(kiosk, patient, doctor):
    for path, value in CLEAR_INTAKE.items():
        kiosk.intake.save_answer(patient.id, path, value, "c")
    sign_two_days_ago(kiosk, patient.id, doctor)
    refused = every_way_refused(kiosk, patient.id, session_form(doctor, FIXED_NOW, 1), IntakeRequiredError)
    assert refused.refusal.blocker is Blocker.INTAKE_INCOMPLETE
    assert "The intake is not complete yet" in refused.errors["intake"]
    kiosk.intake.complete(patient.id, "c")
    assert kiosk.sessions.treatment_refusal(patient.id) is None
    assert kiosk.sessions.close(patient.id, session_form(doctor, FIXED_NOW, 1), "c").session.is_closed


def test_a_re_assessment_in_progress_holds_treatment_until_it_is_complete(kiosk, patient, doctor):
    complete_intake(kiosk, patient.id)
    sign_two_days_ago(kiosk, patient.id, doctor)
    assert kiosk.sessions.treatment_refusal(patient.id) is None
    kiosk.intake.start(patient.id, "c")  # the screening is asked again: a new pregnancy, a new medicine
    refusal = kiosk.sessions.treatment_refusal(patient.id)
    assert refusal.blocker is Blocker.INTAKE_INCOMPLETE and refusal.message.startswith("The re-assessment is")


def test_a_stop_without_a_reason_is_refused_and_an_overridden_one_accepted(kiosk, patient, doctor):
    sign_two_days_ago(kiosk, patient.id, doctor)
    for path, value in (CLEAR_INTAKE | {"medical.anticoagulants": True}).items():
        kiosk.intake.save_answer(patient.id, path, value, "c")
    refused = every_way_refused(kiosk, patient.id, session_form(doctor, FIXED_NOW, 1), IntakeRequiredError)
    assert refused.refusal.blocker is Blocker.INTAKE_STOP
    assert "stop without a reason for going ahead" in refused.errors["intake"]
    kiosk.intake.override(patient.id, "anticoagulants", "Prescriber's letter on file; firm pressure.", "c")
    assert kiosk.sessions.treatment_refusal(patient.id).blocker is Blocker.INTAKE_INCOMPLETE  # not complete yet
    kiosk.intake.complete(patient.id, "c")
    assert kiosk.sessions.close(patient.id, session_form(doctor, FIXED_NOW, 1), "c").session.is_closed


def test_a_stop_that_cannot_be_overridden_means_no_treatment(kiosk, doctor, register):
    patient = register("Amara", "Nwosu", "1994-06-01", sex_at_birth="female")
    sign_two_days_ago(kiosk, patient.id, doctor)
    for path, value in (CLEAR_INTAKE | {"medical.pregnancy": "breastfeeding"}).items():
        kiosk.intake.save_answer(patient.id, path, value, "c")
    refused = every_way_refused(kiosk, patient.id, session_form(doctor, FIXED_NOW, 1), IntakeRequiredError)
    assert refused.refusal.blocker is Blocker.INTAKE_FORBIDS
    assert "cannot be overridden" in refused.errors["intake"] and "No treatment while it applies" in \
        refused.errors["intake"]


def test_a_complete_intake_stored_with_an_unhandled_stop_still_refuses(kiosk, patient, doctor):
    """Written behind the service's back (or before a stop became final): the gate reads what is stored."""
    complete_intake(kiosk, patient.id)
    sign_two_days_ago(kiosk, patient.id, doctor)
    kiosk.intake.start(patient.id, "c")  # a re-assessment, completed below with a stop left unhandled
    record = intake_rows.latest_intake_record(kiosk.store.conn, patient.id)
    stop = Finding("pregnancy", Level.STOP, "Pregnant or breastfeeding. Do not treat.", overridable=False)
    with kiosk.store.write("test") as tx:
        intake_rows.complete_intake(tx, record.id, replace(record.intake, status=IntakeStatus.COMPLETE),
                                    ScreeningOutcome((stop,)))
    assert kiosk.intake.current(patient.id).is_complete
    assert kiosk.sessions.treatment_refusal(patient.id).blocker is Blocker.INTAKE_FORBIDS


def test_a_warning_not_acknowledged_is_refused(kiosk, patient, doctor):
    sign_two_days_ago(kiosk, patient.id, doctor)
    for path, value in (CLEAR_INTAKE | {"medical.nsaids": True}).items():
        kiosk.intake.save_answer(patient.id, path, value, "c")
    refused = every_way_refused(kiosk, patient.id, session_form(doctor, FIXED_NOW, 1), IntakeRequiredError)
    assert refused.refusal.blocker is Blocker.INTAKE_WARNING and "not acknowledged yet" in refused.errors["intake"]
    kiosk.intake.acknowledge(patient.id, "nsaids", "c")
    kiosk.intake.complete(patient.id, "c")
    assert kiosk.sessions.treatment_refusal(patient.id) is None


# ------------------------------------------------------------------ the consent


def test_no_consent_then_withdrawn_then_held_each_say_go_to_consent(kiosk, patient, doctor):
    complete_intake(kiosk, patient.id)
    refused = every_way_refused(kiosk, patient.id, session_form(doctor, FIXED_NOW, 1), ConsentRequiredError)
    assert refused.refusal.blocker is Blocker.CONSENT_MISSING and refused.refusal.step == "consent"
    assert "No signed consent" in refused.errors["consent"] and refused.refusal.action == "Go to consent"
    sign_two_days_ago(kiosk, patient.id, doctor)
    kiosk.consents.withdraw(patient.id, channel="phone", consultant_id=doctor, consultant_pin=COUNTERSIGN_PIN)
    refused = every_way_refused(kiosk, patient.id, session_form(doctor, FIXED_NOW, 1), ConsentRequiredError)
    assert refused.refusal.blocker is Blocker.CONSENT_WITHDRAWN and "withdrew their consent" in refused.errors["consent"]
    other = kiosk.patients.register({"given_name": "Nadia", "family_name": "Haddad", "date_of_birth": "1990-02-03"},
                                    "test")
    complete_intake(kiosk, other.id)
    sign(kiosk, other.id, doctor)  # now: inside the clinic's cooling-off period (24 h)
    refusal = kiosk.sessions.treatment_refusal(other.id)
    assert refusal.blocker is Blocker.CONSENT_HELD and "cooling-off" in refusal.message


def test_the_intake_is_named_before_the_consent(kiosk, patient):
    assert kiosk.sessions.treatment_refusal(patient.id).step == "intake"
    assert "No signed consent" in kiosk.sessions.consent_refusal(patient.id)  # the consent's part alone


# ------------------------------------------------------------------ the session's date


def test_a_session_dated_before_the_consent_is_refused_beside_the_date(kiosk, patient, doctor):
    complete_intake(kiosk, patient.id)
    sign_two_days_ago(kiosk, patient.id, doctor)
    before = counts(kiosk)
    early = SIGNED - timedelta(days=90)
    with pytest.raises(DatedBeforeConsentError) as refused:
        kiosk.sessions.close(patient.id, session_form(doctor, early, 1), "c")
    assert refused.value.errors == {"started_at": (
        "The session is dated 22 Aug 2026, 09:30, before the consent was signed on 20 Nov 2026, 09:30. A session "
        "cannot rely on a consent signed after it: set the date and time of the treatment, at or after the "
        "signature.")}
    assert refused.value.refusal.blocker is Blocker.BEFORE_CONSENT
    with pytest.raises(DatedBeforeConsentError):
        kiosk.sessions.save_draft(patient.id, session_form(doctor, SIGNED - timedelta(minutes=1), 1), "c")
    assert counts(kiosk) == before
    # In the minute of the signature (the form has no seconds), and after it: accepted.
    assert kiosk.sessions.close(patient.id, session_form(doctor, SIGNED, 1), "c").session.is_closed
    assert kiosk.sessions.close(patient.id, session_form(doctor, SIGNED + timedelta(days=1), 2), "c").session.is_closed


def test_a_draft_moved_before_the_consent_keeps_the_typing_and_says_why(kiosk, patient, doctor):
    complete_intake(kiosk, patient.id)
    sign_two_days_ago(kiosk, patient.id, doctor)
    draft = SessionDraft(kiosk.sessions, kiosk.clock, lambda: f"consultant:{doctor}")
    draft.show_patient(patient.id)
    assert draft.start() is None
    values = draft.refresh().values | {"started_at": "2026-03-03 10:00"}
    draft.edit()
    outcome = draft.flush(values)
    assert set(outcome.errors) == {"started_at"} and "dated 03 Mar 2026, 10:00, before the consent" in \
        outcome.errors["started_at"]
    assert draft.unsaved(patient.id)["started_at"] == "2026-03-03 10:00"
    assert "started_at" in draft.closing_errors(values)


def test_closing_is_refused_when_the_consent_was_withdrawn_after_the_draft_began(kiosk, patient, doctor):
    complete_intake(kiosk, patient.id)
    sign_two_days_ago(kiosk, patient.id, doctor)
    started = kiosk.sessions.start(patient.id, "c")
    form = session_form(doctor, started.started_at, 1) | {"session_id": started.session_id}
    kiosk.sessions.save_draft(patient.id, form, "c")
    kiosk.consents.withdraw(patient.id, channel="phone", consultant_id=doctor, consultant_pin=COUNTERSIGN_PIN)
    before = counts(kiosk)
    with pytest.raises(ConsentRequiredError, match="withdrew their consent"):
        kiosk.sessions.close(patient.id, form, "c")
    with pytest.raises(ConsentRequiredError):  # nor is the typing saved into it
        kiosk.sessions.save_draft(patient.id, form, "c")
    assert counts(kiosk) == before and kiosk.sessions.draft(patient.id).status.value == "open"


def test_an_amendment_of_a_closed_session_is_not_gated(kiosk, patient, doctor):
    complete_intake(kiosk, patient.id)
    sign_two_days_ago(kiosk, patient.id, doctor)
    closed = kiosk.sessions.close(patient.id, session_form(doctor, FIXED_NOW, 1), "c").session
    kiosk.consents.withdraw(patient.id, channel="phone", consultant_id=doctor, consultant_pin=COUNTERSIGN_PIN)
    kiosk.intake.start(patient.id, "c")  # a re-assessment under way too
    stored = kiosk.sessions.amend(closed.session_id, session_form(doctor, FIXED_NOW, 1) | {"duration_min": 40},
                                  "Length typed wrong", "c")
    assert stored.amendment.changed_fields == ("duration_min",)


def test_a_new_session_is_in_the_name_of_the_consultant_signed_in(kiosk, register_consented):
    from meso_kiosk.store.consultants import insert_consultant

    patient = register_consented()
    with kiosk.store.write("test") as tx:
        later = insert_consultant(tx, "Zoë Adeyemi")  # last in the list by name
        insert_consultant(tx, "Aaron Abbott")  # first in the list by name
    draft = SessionDraft(kiosk.sessions, kiosk.clock, lambda: f"consultant:{later.id}")
    draft.show_patient(patient.id)
    assert draft.start() is None
    assert draft.refresh().values["consultant_id"] == str(later.id)


# ------------------------------------------------------------------ hostile dates

PARIS_DST_EDGES = [datetime(2026, 3, 29, 0, 59, tzinfo=timezone.utc), datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc),
                   datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc), datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)]


@pytest.mark.parametrize("typed", ["2026-03-29 02:30", "2026-10-25 02:30", "2026-10-25 02:59", "2026-10-25 03:00"])
def test_around_the_clock_changes_the_date_is_compared_as_a_moment(kiosk, doctor, register, typed):
    """The consent signed at 02:15 clinic time on the night the clocks go back, the second time 02:15
    came round (01:15 UTC): a session typed 02:30 is the first 02:30 (00:30 UTC), before it."""
    kiosk.clinic.update({"timezone": "Europe/Paris"}, "test")
    patient = register()
    complete_intake(kiosk, patient.id)
    signed = datetime(2026, 10, 25, 1, 15, tzinfo=timezone.utc)
    with signed_earlier(kiosk, FIXED_NOW - signed):
        sign(kiosk, patient.id, doctor)
    draft = SessionDraft(kiosk.sessions, kiosk.clock, lambda: f"consultant:{doctor}")
    draft.show_patient(patient.id)
    values = {"session_id": None, "started_at": typed, "consultant_id": str(doctor), "technique": "chemical_syringe",
              "numbing": "none", "zones": {"vertex": {"injections": "20", "depth_mm": "2", "volume_ml": "1"}},
              "products": [{"name": "Peptide hair complex", "lot": "PX-1", "expiry": "2028-03"}],
              "duration_min": "30", "side_effects": [], "notes": ""}
    outcome = draft.close(values)
    if outcome.ok:
        assert outcome.session.started_at >= signed_minute(signed)
    else:
        assert set(outcome.errors) == {"started_at"}
    assert outcome.ok == (typed == "2026-10-25 03:00")
    if typed == "2026-10-25 02:30":  # the hour that happens twice: the offsets tell the two apart
        assert "dated 25 Oct 2026, 02:30 (UTC+02:00), before the consent was signed on 25 Oct 2026, 02:15 " \
               "(UTC+01:00)" in outcome.errors["started_at"]


@settings(max_examples=60, deadline=None)
@given(offset=st.one_of(
    st.timedeltas(min_value=timedelta(days=-365 * 300), max_value=timedelta(days=365 * 300)),
    st.sampled_from([timedelta(0), timedelta(seconds=-1), timedelta(seconds=59), timedelta(minutes=-1)]),
    st.sampled_from([edge - SIGNED for edge in PARIS_DST_EDGES]),
))
def test_no_stored_session_is_ever_dated_before_its_consent_or_in_the_future(offset):
    """Any start the form could send (far past, far future, the signature's own minute, the clock
    changes): either refused with a message beside a field, or stored at or after the signature."""
    intake = IntakeFacts(None)
    assert treatment_refusal(intake, ConsentFacts(signed_at=SIGNED), SIGNED + offset).blocker is Blocker.INTAKE_MISSING
    complete = IntakeFacts(IntakeStatus.COMPLETE)
    refusal = treatment_refusal(complete, ConsentFacts(signed_at=SIGNED), SIGNED + offset)
    assert (refusal is None) == (SIGNED + offset >= signed_minute(SIGNED))
    if refusal is not None:
        assert refusal.field == "started_at" and refusal.step == "scalp_map"


def test_hostile_session_dates_through_the_service(kiosk, patient, doctor):
    complete_intake(kiosk, patient.id)
    sign_two_days_ago(kiosk, patient.id, doctor)
    hostile = [datetime(1, 1, 1, tzinfo=timezone.utc), datetime(9999, 12, 31, 23, 59, tzinfo=timezone.utc),
               SIGNED - timedelta(microseconds=1), FIXED_NOW + timedelta(days=1), "2026-11-21'; DROP TABLE x;--",
               "", None, 10**20, float("nan")]
    before = counts(kiosk)
    for started in hostile:
        with pytest.raises(ValidationError) as refused:
            kiosk.sessions.close(patient.id, session_form(doctor, started, 1), "c")
        assert "started_at" in refused.value.errors, started
    assert counts(kiosk) == before


# ------------------------------------------------------------------ the demo


def test_the_demo_has_nothing_the_gate_would_refuse_and_a_new_patient_it_holds(kiosk):
    from meso_kiosk.services.demo.seed import seed_demo

    assert seed_demo(kiosk).seeded
    conn = kiosk.store.conn
    for patient_id, started_at in conn.execute("SELECT patient_id, started_at FROM treatment_sessions "
                                               "WHERE amends_session_id IS NULL").fetchall():
        moment = datetime.fromisoformat(started_at.replace("Z", "+00:00"))
        assert kiosk.sessions.treatment_refusal(patient_id, moment) is None, (patient_id, started_at)
    rahul = next(p for p in kiosk.patients.search("Mehta") if p.given_name == "Rahul")
    assert kiosk.intake.current(rahul.id) is None and not kiosk.sessions.overview(rahul.id).records
    assert kiosk.sessions.treatment_refusal(rahul.id).blocker is Blocker.INTAKE_MISSING
