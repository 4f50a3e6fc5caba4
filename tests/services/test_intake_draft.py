"""The intake form's unsaved state, tested without Qt: pending answers, refused ones, the autosave line."""

from __future__ import annotations

from meso_kiosk.services.intake_draft import (
    NOT_SAVED,
    SAVING,
    AnswerNotYetSaved,
    AnswerRefused,
    AnswerSaved,
    IntakeDraft,
    SaveStatus,
)
from meso_kiosk.store.errors import StoreError

ACTOR = "consultant:test"


def _draft(kiosk, patient=None, service=None) -> IntakeDraft:
    draft = IntakeDraft(service or kiosk.intake, kiosk.clock, lambda: ACTOR)
    if patient is not None:
        draft.open(patient.id, kiosk.intake.current(patient.id))
        draft.show(read_only=False)
    return draft


def test_a_typed_answer_waits_then_saves_and_the_first_one_creates_the_draft_intake(kiosk, register):
    patient = register()
    draft = _draft(kiosk, patient)
    assert draft.record is None and draft.status == SaveStatus()
    assert draft.edited("medical.medications")
    assert draft.pending() == ["medical.medications"] and draft.status == SaveStatus(SAVING, "muted")
    first = draft.save("medical.medications", "Sertraline 50 mg")
    assert isinstance(first, AnswerSaved) and first.created
    assert draft.pending() == [] and draft.record == first.record
    assert draft.status == SaveStatus(f"Saved {kiosk.clock.local(first.record.updated_at):%H:%M}", "saved")
    second = draft.save("complaint.daily_shedding", "120")
    assert isinstance(second, AnswerSaved) and not second.created and second.record.id == first.record.id
    assert kiosk.intake.current(patient.id).intake.answer("medical.medications") == "Sertraline 50 mg"


def test_pending_answers_keep_the_order_they_were_typed_in(kiosk, register):
    draft = _draft(kiosk, register())
    for path in ("notes.consultant", "medical.medications", "notes.consultant"):
        draft.edited(path)
    assert draft.pending() == ["notes.consultant", "medical.medications"]
    assert draft.is_pending("notes.consultant") and not draft.is_pending("complaint.daily_shedding")


def test_a_refused_answer_keeps_its_message_and_no_later_save_says_saved(kiosk, register):
    patient = register()
    draft = _draft(kiosk, patient)
    refused = draft.save("complaint.daily_shedding", "lots")
    assert isinstance(refused, AnswerRefused) and refused.message
    assert draft.errors == {"complaint.daily_shedding": refused.message}
    assert draft.status == SaveStatus(NOT_SAVED, "error")
    assert kiosk.intake.current(patient.id) is None  # nothing written
    saved = draft.save("medical.medications", "None")
    assert isinstance(saved, AnswerSaved)
    assert draft.status == SaveStatus(NOT_SAVED, "error")  # the other answer still waits for a fix
    assert draft.reasons_not_valid(lambda path: path.upper()) == [
        "An answer is not valid and not saved: COMPLAINT.DAILY_SHEDDING."]
    draft.save("complaint.daily_shedding", "120")
    assert draft.errors == {} and draft.status.role == "saved" and draft.status.text.startswith("Saved ")


class _FailingStore:
    """An intake service whose database cannot write just now (a disk full, a lock)."""

    def __init__(self, service):
        self._service = service
        self.failing = True

    def save_answer(self, patient_id, path, value, actor):
        if self.failing:
            raise StoreError("The data folder is full.")
        return self._service.save_answer(patient_id, path, value, actor)


def test_an_answer_the_store_could_not_write_waits_for_the_next_pause(kiosk, register):
    patient = register()
    service = _FailingStore(kiosk.intake)
    draft = _draft(kiosk, patient, service=service)
    draft.edited("medical.medications")
    result = draft.save("medical.medications", "Sertraline 50 mg")
    assert isinstance(result, AnswerNotYetSaved) and "full" in result.reason
    assert draft.pending() == ["medical.medications"]  # never lose a keystroke
    assert draft.status == SaveStatus("Not saved yet: The data folder is full.", "error")
    assert draft.errors == {}
    service.failing = False
    assert isinstance(draft.save("medical.medications", "Sertraline 50 mg"), AnswerSaved)
    assert draft.pending() == []


def test_a_read_only_intake_ignores_typing_and_stores_nothing(kiosk, register):
    patient = register()
    draft = _draft(kiosk, patient)
    draft.show(read_only=True)
    assert not draft.edited("medical.medications")
    assert draft.pending() == [] and draft.status == SaveStatus()
    assert draft.save("medical.medications", "Sertraline 50 mg") is None
    assert kiosk.intake.current(patient.id) is None


def test_without_a_patient_nothing_is_stored_and_nothing_stays_pending(kiosk):
    draft = _draft(kiosk)
    draft.edited("medical.medications")
    assert draft.save("medical.medications", "Sertraline 50 mg") is None
    assert draft.pending() == []


def test_showing_a_record_afresh_forgets_what_was_pending_and_refused(kiosk, register):
    draft = _draft(kiosk, register())
    draft.edited("medical.medications")
    draft.save("complaint.daily_shedding", "lots")
    draft.show(read_only=False)
    assert draft.pending() == [] and draft.errors == {}


def test_a_change_stored_elsewhere_becomes_the_current_record(kiosk, register):
    patient = register()
    draft = _draft(kiosk, patient)
    record = kiosk.intake.save_answer(patient.id, "medical.medications", "None", ACTOR)
    draft.changed(record)
    assert draft.record == record and draft.status.text.startswith("Saved ")
    assert draft.set_status("Completed 10:31", "saved") == SaveStatus("Completed 10:31", "saved")
