"""The intake service: autosave one answer at a time, screening, overrides, completion, step guard."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.intake import IntakeStatus
from meso_kiosk.services.kiosk import open_kiosk

CLEAR_MEDICAL = {
    "medical.nsaids": False,
    "medical.anticoagulants": False,
    "medical.allergy_solution_ingredient": False,
    "medical.allergy_local_anaesthetic": False,
    "medical.pregnancy": "not_applicable",
    "medical.bleeding_disorder": False,
    "medical.scalp_infection": False,
    "medical.scalp_scarring": False,
    "medical.keloid_tendency": False,
    "medical.autoimmune": False,
    "medical.diabetes": False,
    "medical.cancer_treatment": False,
    "medical.antiplatelets": False,
    "medical.mesotherapy_reaction": False,
    "medical.heart_condition": False,
    "medical.fainting": False,
}
REQUIRED_HISTORY = {"complaint.hair_loss_type": "androgenetic", "complaint.duration_months": "18"}


def _audit(kiosk) -> list[tuple[str, str, str, str]]:
    return [tuple(r) for r in kiosk.store.conn.execute("SELECT actor, action, entity, entity_id FROM audit_log")]


def _fill(kiosk, patient_id, answers, actor="consultant:test"):
    record = None
    for path, value in answers.items():
        record = kiosk.intake.save_answer(patient_id, path, value, actor)
    return record


def test_first_answer_creates_the_draft_and_each_answer_is_audited_without_its_text(kiosk, register):
    patient = register()
    assert kiosk.intake.current(patient.id) is None
    record = kiosk.intake.save_answer(patient.id, "medical.medications", "Sertraline 50 mg", "consultant:test")
    assert record.status is IntakeStatus.DRAFT
    assert kiosk.intake.latest_intake(patient.id).medical.medications == "Sertraline 50 mg"
    assert _audit(kiosk)[-2:] == [
        ("consultant:test", "intake.create", "intake", str(record.id)),
        ("consultant:test", "intake.answer", "intake", str(record.id)),
    ]
    dump = " ".join(str(v) for row in kiosk.store.conn.execute("SELECT * FROM audit_log") for v in row)
    assert "Sertraline" not in dump
    # The same answer again writes nothing.
    count = len(_audit(kiosk))
    kiosk.intake.save_answer(patient.id, "medical.medications", "  Sertraline 50 mg ", "consultant:test")
    assert len(_audit(kiosk)) == count
    assert kiosk.store.verify_audit().ok


def test_answers_persist_across_a_restart(kiosk, register, data_dir):
    patient = register()
    _fill(kiosk, patient.id, REQUIRED_HISTORY | {"classification.norwood": "IV"})
    kiosk.close()
    reopened = open_kiosk(data_dir)
    try:
        intake = reopened.intake.latest_intake(patient.id)
        assert (intake.complaint.hair_loss_type, intake.complaint.duration_months) == ("androgenetic", 18)
        assert intake.classification.norwood == "IV"
    finally:
        reopened.close()


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("complaint.onset_date", "2027-01-01", "future"),
        ("complaint.onset_date", "31/02/2020", "real date"),
        ("classification.salt.vertex", "101", "between 0 and 100"),
        ("classification.salt.left", "-5", "between 0 and 100"),
        ("classification.salt.right", "lots", "number from 0 to 100"),
        ("complaint.daily_shedding", "1000000", "not plausible"),
        ("complaint.daily_shedding", "-3", "negative"),
        ("complaint.duration_months", "1e9", "whole number"),
        ("notes.consultant", "x" * 100_000, "too long"),
        ("complaint.hair_loss_type_other", "bad\x00text", "control character"),
        ("complaint.hair_loss_type", "'; DROP TABLE intakes; --", "listed answers"),
        ("medical.nsaids", "maybe", "yes or no"),
        ("medical.nope", True, "not a question"),
    ],
)
def test_invalid_values_are_never_stored(kiosk, register, path, value, words):
    patient = register()
    kiosk.intake.save_answer(patient.id, "complaint.daily_shedding", "120", "t")
    before = kiosk.intake.latest_intake(patient.id)
    audit_rows = len(_audit(kiosk))
    with pytest.raises(ValidationError) as caught:
        kiosk.intake.save_answer(patient.id, path, value, "t")
    assert words in caught.value.errors[path]
    assert kiosk.intake.latest_intake(patient.id) == before
    assert len(_audit(kiosk)) == audit_rows


def test_hostile_but_valid_text_is_stored_verbatim(kiosk, register):
    patient = register()
    text = "Robert'); DROP TABLE intakes;-- 👩🏽‍⚕️ Ελένη 王小明 مرحبا\n<b>not markup</b>"
    kiosk.intake.save_answer(patient.id, "notes.consultant", text, "t")
    assert kiosk.intake.latest_intake(patient.id).notes.consultant == text
    assert kiosk.store.conn.execute("SELECT count(*) FROM intakes").fetchone()[0] == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(["complaint.daily_shedding", "classification.salt.vertex", "complaint.onset_date",
                          "notes.consultant", "medical.nsaids", "complaint.hair_loss_type"]),
    value=st.one_of(st.text(max_size=300), st.integers(), st.floats(), st.booleans(), st.none()),
)
def test_any_input_either_stores_a_valid_answer_or_nothing(kiosk, register, path, value):
    patient = kiosk.patients.recent(1)[0] if kiosk.patients.count() else register()
    before = kiosk.intake.latest_intake(patient.id)
    try:
        record = kiosk.intake.save_answer(patient.id, path, value, "t")
    except ValidationError as error:
        assert path in error.errors
        assert kiosk.intake.latest_intake(patient.id) == before
    else:
        stored = record.intake.answer(path)
        assert kiosk.intake.validate(path, stored) == stored  # what is stored is valid


def test_screening_is_evaluated_live_and_stored(kiosk, register):
    patient = register()
    record = kiosk.intake.save_answer(patient.id, "medical.nsaids", True, "t")
    assert [f.rule_id for f in record.outcome.warnings] == ["nsaids"]
    stored = kiosk.store.conn.execute("SELECT screening FROM intakes").fetchone()[0]
    assert '"nsaids"' in stored
    record = kiosk.intake.save_answer(patient.id, "medical.nsaids", False, "t")
    assert record.outcome.findings == ()


def test_stop_override_unblocks_the_steps_with_its_audit_row(kiosk, register):
    patient = register("Jürgen", "Schäfer")
    _fill(kiosk, patient.id, REQUIRED_HISTORY | CLEAR_MEDICAL)
    assert kiosk.intake.blocked_steps(patient.id) == {}
    kiosk.intake.save_answer(patient.id, "medical.anticoagulants", True, "consultant:test")
    blocked = kiosk.intake.blocked_steps(patient.id)
    assert set(blocked) == {"scalp_map", "consent"}
    assert "blood thinner" in blocked["scalp_map"]
    record = kiosk.intake.current(patient.id)
    assert any("Stop without a recorded reason" in r for r in kiosk.intake.reasons_not_complete(record))
    with pytest.raises(ValidationError, match="Stop without a recorded reason"):
        kiosk.intake.complete(patient.id, "consultant:test")

    for empty in ("", "   ", "\n\t"):
        with pytest.raises(ValidationError) as caught:
            kiosk.intake.override(patient.id, "anticoagulants", empty, "consultant:test")
        assert "reason" in caught.value.errors["override.reason"]
    with pytest.raises(ValidationError):
        kiosk.intake.override(patient.id, "diabetes", "not a stop", "consultant:test")
    assert kiosk.intake.blocked_steps(patient.id)

    reason = "Prescriber's letter of 12 Nov on file (Dr Weber agrees)."
    record = kiosk.intake.override(patient.id, "anticoagulants", reason, "consultant:test")
    assert record.overrides["anticoagulants"].reason == reason
    assert kiosk.intake.blocked_steps(patient.id) == {}
    assert _audit(kiosk)[-1] == ("consultant:test", "intake.override", "intake", str(record.id))
    dump = " ".join(str(v) for row in kiosk.store.conn.execute("SELECT * FROM audit_log") for v in row)
    assert "Weber" not in dump

    done = kiosk.intake.complete(patient.id, "consultant:test")
    assert done.is_complete and done.completed_at
    assert _audit(kiosk)[-1][1] == "intake.complete"
    assert kiosk.intake.blocked_steps(patient.id) == {}
    assert kiosk.store.verify_audit().ok


def test_warnings_need_an_acknowledgement_before_completion(kiosk, register):
    patient = register()
    _fill(kiosk, patient.id, REQUIRED_HISTORY | CLEAR_MEDICAL | {"medical.diabetes": True})
    record = kiosk.intake.current(patient.id)
    assert any("Warning not acknowledged" in r for r in kiosk.intake.reasons_not_complete(record))
    assert kiosk.intake.blocked_steps(patient.id) == {}  # a warning does not block steps
    with pytest.raises(ValidationError):
        kiosk.intake.acknowledge(patient.id, "anticoagulants", "t")  # not a current warning
    record = kiosk.intake.acknowledge(patient.id, "diabetes", "t")
    assert record.acknowledged == {"diabetes"}
    assert kiosk.intake.reasons_not_complete(record) == []
    record = kiosk.intake.acknowledge(patient.id, "diabetes", "t", acknowledged=False)
    assert kiosk.intake.reasons_not_complete(record)
    kiosk.intake.acknowledge(patient.id, "diabetes", "t")
    assert kiosk.intake.complete(patient.id, "t").is_complete


def test_required_answers_are_listed_until_given(kiosk, register):
    patient = register()
    record = kiosk.intake.save_answer(patient.id, "notes.expectations", "Thicker hair by summer", "t")
    reasons = kiosk.intake.reasons_not_complete(record)
    assert "Not answered yet: Type of hair loss." in reasons
    assert any("when the hair loss started" in r for r in reasons)
    assert "Not answered yet: Pregnancy or breastfeeding." in reasons


def test_reassessment_keeps_earlier_intakes_readable(kiosk, register):
    patient = register()
    _fill(kiosk, patient.id, REQUIRED_HISTORY | CLEAR_MEDICAL | {"classification.norwood": "III"})
    first = kiosk.intake.complete(patient.id, "t")
    with pytest.raises(ValidationError, match="re-assessment"):
        kiosk.intake.save_answer(patient.id, "classification.norwood", "IV", "t")
    second = kiosk.intake.start(patient.id, "t")
    assert second.id != first.id and second.status is IntakeStatus.DRAFT
    assert kiosk.intake.start(patient.id, "t").id == second.id  # an open draft is reused
    kiosk.intake.save_answer(patient.id, "classification.norwood", "IV", "t")
    history = kiosk.intake.history(patient.id)
    assert [r.id for r in history] == [second.id, first.id]
    assert history[1].intake.classification.norwood == "III" and history[1].is_complete
    assert kiosk.intake.latest_intake(patient.id).classification.norwood == "IV"


def test_salt_score_live_and_offered_scales(kiosk):
    service = kiosk.intake
    assert service.salt_score_of({"vertex": "50", "posterior": "25", "right": "10"}) is None
    assert service.salt_score_of({"vertex": "50", "posterior": "25", "right": "10", "left": "x"}) is None
    assert service.salt_score_of({"vertex": "50", "posterior": "25", "right": "10", "left": "0"}) == 27.8
    assert service.salt_score_of({r: "100" for r in ("vertex", "posterior", "right", "left")}) == 100.0
    assert service.salt_band_label(27.8).startswith("S2")
    assert service.offered_scales("androgenetic", "male") == ("norwood",)
    assert service.offered_scales("androgenetic", "female") == ("ludwig", "sinclair")
    assert service.offered_scales("alopecia_areata", None) == ("salt",)


def test_demo_intakes_show_every_stage(kiosk):
    from meso_kiosk.services.demo.clinic import seed_clinic
    from meso_kiosk.services.demo.context import DemoContext
    from meso_kiosk.services.demo.intakes import seed_intakes
    from meso_kiosk.services.demo.seed import SEEDERS

    assert SEEDERS.index(seed_intakes) == SEEDERS.index(seed_clinic) + 1  # before courses read them
    context = DemoContext(kiosk=kiosk, clock=kiosk.clock)
    with kiosk.store.write("demo-seed") as tx:
        seed_clinic(tx, context)
        seed_intakes(tx, context)
    by_name = {p.given_name: p for p in context.patients}
    jurgen = kiosk.intake.current(by_name["Jürgen"].id)
    assert jurgen.is_complete and "Dr Weber" in jurgen.overrides["anticoagulants"].reason
    assert kiosk.intake.blocked_steps(by_name["Jürgen"].id) == {}
    amara = kiosk.intake.blocked_steps(by_name["Amara"].id)
    assert set(amara) == {"scalp_map", "consent"} and "breastfeeding" in amara["consent"]
    dmitry = kiosk.intake.current(by_name["Дмитрий"].id)
    assert not dmitry.is_complete and kiosk.intake.reasons_not_complete(dmitry)
    marcus = kiosk.intake.history(by_name["Marcus"].id)
    assert [r.intake.classification.norwood for r in marcus] == ["IV", "III"]
    assert all(r.is_complete for r in marcus)
    lukasz = kiosk.intake.history(by_name["Łukasz"].id)  # a re-assessment under way over a complete one
    assert [r.is_complete for r in lukasz] == [False, True]
    assert lukasz[0].intake.complaint.onset_date == lukasz[1].intake.complaint.onset_date  # history copied
    assert lukasz[0].intake.complaint.family_history is True
    assert lukasz[0].intake.medical.pregnancy is None and lukasz[0].intake.notes.expectations is None
    assert [r.intake.classification.norwood for r in lukasz] == ["III_vertex", "III"]
    assert kiosk.intake.blocked_steps(by_name["Łukasz"].id) == {}
    assert jurgen.overrides["anticoagulants"].consultant.startswith("consultant:")  # as a live override
    assert kiosk.intake.actor_label(jurgen.overrides["anticoagulants"].consultant) == "Dr Amélie Laurent"
    siobhan = kiosk.intake.current(by_name["Siobhán"].id)
    assert kiosk.intake.salt_score(siobhan.intake) == 18.3  # 30·0.4 + 15·0.24 + 5·0.18 + 10·0.18
    assert kiosk.store.verify_audit().ok
    assert "Weber" not in " ".join(str(v) for r in kiosk.store.conn.execute("SELECT * FROM audit_log") for v in r)
