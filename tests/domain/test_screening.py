"""Screening: the SHIPPED rules file, evaluated table-driven; cleared / blocked logic."""

from __future__ import annotations

import copy
import tomllib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.intake import Intake
from meso_kiosk.domain.intake_answer import validate_field
from meso_kiosk.domain.intake_form import FieldKind, field_paths, field_specs
from meso_kiosk.domain.intake_options import parse_options
from meso_kiosk.domain.screening import (
    Finding,
    Level,
    Override,
    ScreeningOutcome,
    ScreeningRule,
    ScreeningRulesError,
    evaluate,
    parse_rules,
)
from meso_kiosk.resources import resource_path

RAW_RULES = tomllib.loads(resource_path("screening/rules.toml").read_text(encoding="utf-8"))
OPTIONS = parse_options(tomllib.loads(resource_path("intake/options.toml").read_text(encoding="utf-8")))
RULES = parse_rules(RAW_RULES, known_fields=field_paths(OPTIONS))
TODAY = date(2024, 6, 1)

# A patient with nothing to report: no rule may fire on these answers.
ALL_CLEAR: dict[str, object] = {
    "complaint.hair_loss_type": "androgenetic",
    "complaint.onset_date": date(2021, 3, 1),
    "complaint.daily_shedding": 120,
    "classification.norwood": "III",
    "classification.bald_areas": False,
    "medical.nsaids": False,
    "medical.anticoagulants": False,
    "medical.allergy_solution_ingredient": False,
    "medical.allergy_local_anaesthetic": False,
    "medical.pregnancy": "no",
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
    "patient.age": 40,
}

# rule id -> (level, answers that trigger it, answers that do not). Every shipped rule
# needs a row, so a rule added to the file is added here with the behaviour it must have.
EXPECTED = {
    "nsaids": ("warn", {"medical.nsaids": True}, {"medical.nsaids": False}),
    "anticoagulants": ("stop", {"medical.anticoagulants": True}, {"medical.anticoagulants": None}),
    "antiplatelets": ("stop", {"medical.antiplatelets": True}, {"medical.antiplatelets": False}),
    "mesotherapy_reaction": ("warn", {"medical.mesotherapy_reaction": True}, {"medical.mesotherapy_reaction": False}),
    "heart_condition": ("warn", {"medical.heart_condition": True}, {"medical.heart_condition": False}),
    "fainting": ("warn", {"medical.fainting": True}, {"medical.fainting": None}),
    "young_patient": ("warn", {"patient.age": 17}, {"patient.age": 18}),
    "older_patient": ("info", {"patient.age": 70}, {"patient.age": 69}),
    "medications_listed": ("info", {"medical.medications": "Ramipril 5 mg"}, {"medical.medications": None}),
    "allergy_solution_ingredient": (
        "stop", {"medical.allergy_solution_ingredient": True}, {"medical.allergy_solution_ingredient": False},
    ),
    "allergy_local_anaesthetic": (
        "warn", {"medical.allergy_local_anaesthetic": True}, {"medical.allergy_local_anaesthetic": False},
    ),
    "allergies_listed": ("info", {"medical.allergies": "Penicillin: rash"}, {"medical.allergies": "   "}),
    "pregnant_or_breastfeeding": ("stop", {"medical.pregnancy": "pregnant"}, {"medical.pregnancy": "not_applicable"}),
    "planning_pregnancy": ("warn", {"medical.pregnancy": "planning"}, {"medical.pregnancy": "no"}),
    "bleeding_disorder": ("stop", {"medical.bleeding_disorder": True}, {"medical.bleeding_disorder": False}),
    "scalp_infection": ("stop", {"medical.scalp_infection": True}, {"medical.scalp_infection": False}),
    "keloid_tendency": ("warn", {"medical.keloid_tendency": True}, {"medical.keloid_tendency": False}),
    "autoimmune_or_immunosuppressed": ("warn", {"medical.autoimmune": True}, {"medical.autoimmune": False}),
    "diabetes": ("warn", {"medical.diabetes": True}, {"medical.diabetes": False}),
    "cancer_treatment": ("stop", {"medical.cancer_treatment": True}, {"medical.cancer_treatment": False}),
    "bald_areas": ("info", {"classification.bald_areas": True}, {"classification.bald_areas": None}),
    "scalp_scarring": ("warn", {"medical.scalp_scarring": True}, {"medical.scalp_scarring": False}),
    "norwood_advanced": ("info", {"classification.norwood": "VI"}, {"classification.norwood": "Va"}),
    "ludwig_advanced": ("info", {"classification.ludwig": "III"}, {"classification.ludwig": "II"}),
    "sinclair_advanced": ("info", {"classification.sinclair": "5"}, {"classification.sinclair": "4"}),
    "shedding_far_above_normal": ("warn", {"complaint.daily_shedding": 300}, {"complaint.daily_shedding": 299}),
    "alopecia_areata": (
        "warn", {"complaint.hair_loss_type": "alopecia_areata"}, {"complaint.hair_loss_type": "telogen_effluvium"},
    ),
    "cause_unclear": ("info", {"complaint.hair_loss_type": "other"}, {"complaint.hair_loss_type": "stress_related"}),
    "previous_transplant": (
        "info", {"complaint.previous_treatments.transplant": "helped"}, {"complaint.previous_treatments.prp": "helped"},
    ),
    "finasteride_side_effects": (
        "warn",
        {"complaint.previous_treatments.finasteride": "stopped_side_effects"},
        {"complaint.previous_treatments.finasteride": "no_effect"},
    ),
}
# Extra triggers worth pinning down (same rule, another answer).
MORE_TRIGGERS = [
    ("pregnant_or_breastfeeding", {"medical.pregnancy": "breastfeeding"}),
    ("norwood_advanced", {"classification.norwood": "VII"}),
    ("shedding_far_above_normal", {"complaint.daily_shedding": 2000}),
]


SOURCES = {"s": "A named source, for the tests."}
PROV = {"source": "s", "rationale": "Why it matters."}


def ids(outcome: ScreeningOutcome) -> list[str]:
    return [f.rule_id for f in outcome.findings]


def rule(rule_id: str) -> ScreeningRule:
    return next(r for r in RULES if r.id == rule_id)


# --- the shipped file --------------------------------------------------------------------


def test_every_shipped_rule_has_a_row_in_the_table():
    assert sorted(r.id for r in RULES) == sorted(EXPECTED)


def test_all_clear_answers_trigger_nothing():
    assert evaluate(RULES, ALL_CLEAR).findings == ()


@pytest.mark.parametrize("rule_id", list(EXPECTED))
def test_rule_fires_on_its_trigger_with_its_level(rule_id):
    level, trigger, _ = EXPECTED[rule_id]
    outcome = evaluate(RULES, ALL_CLEAR | trigger)
    assert ids(outcome) == [rule_id]
    assert outcome.findings[0].level == Level(level) == rule(rule_id).level
    assert outcome.findings[0].message == rule(rule_id).message


@pytest.mark.parametrize("rule_id", list(EXPECTED))
def test_rule_stays_quiet_otherwise(rule_id):
    _, _, quiet = EXPECTED[rule_id]
    assert rule_id not in ids(evaluate(RULES, ALL_CLEAR | quiet))


@pytest.mark.parametrize(("rule_id", "trigger"), MORE_TRIGGERS)
def test_rule_fires_on_other_triggers_too(rule_id, trigger):
    assert ids(evaluate(RULES, ALL_CLEAR | trigger)) == [rule_id]


@pytest.mark.parametrize("rule_id", [r.id for r in RULES if r.present is None])
def test_unanswered_question_triggers_no_equals_in_or_min_rule(rule_id):
    r = rule(rule_id)
    answers = dict(ALL_CLEAR)
    answers.pop(r.field, None)
    assert rule_id not in ids(evaluate(RULES, answers))


def test_screening_items_of_the_domain_notes_all_have_a_rule():
    watched = {r.field for r in RULES}
    medical_flags = {s.path for s in field_specs(OPTIONS) if s.section == "medical" and s.kind is FieldKind.BOOL}
    assert medical_flags <= watched
    assert {"medical.pregnancy", "complaint.daily_shedding", "classification.bald_areas"} <= watched


def test_key_levels_chosen_for_the_clinic():
    assert rule("anticoagulants").level is Level.STOP  # justified in the rules file
    assert rule("nsaids").level is Level.WARN
    assert "week" in rule("nsaids").message and "doctor" in rule("nsaids").message
    for stop in ("allergy_solution_ingredient", "pregnant_or_breastfeeding", "bleeding_disorder",
                 "scalp_infection", "cancer_treatment"):
        assert rule(stop).level is Level.STOP
    for warn in ("keloid_tendency", "autoimmune_or_immunosuppressed", "diabetes"):
        assert rule(warn).level is Level.WARN


@pytest.mark.parametrize("rule_id", list(EXPECTED))
def test_rule_conditions_are_answers_the_form_can_actually_give(rule_id):
    r = rule(rule_id)
    for wanted in [r.equals] if r.equals is not None else list(r.one_of or ()):
        assert validate_field(r.field, wanted, options=OPTIONS, today=TODAY) == wanted
    for bound in (r.min, r.max) if not r.field.startswith("patient.") else ():
        if bound is not None:
            assert validate_field(r.field, bound, options=OPTIONS, today=TODAY) == bound


def test_rules_read_a_stored_intake_the_same_as_flat_answers():
    intake = Intake()
    answers = ALL_CLEAR | {"medical.nsaids": True, "complaint.previous_treatments.transplant": "ongoing"}
    answers.pop("patient.age")  # a fact about the patient, not an intake answer
    for path, value in answers.items():
        intake = intake.with_answer(path, value)
    flat = evaluate(RULES, intake.answers())
    nested = evaluate(RULES, intake.to_dict())
    assert flat == nested
    assert ids(flat) == ["nsaids", "previous_transplant"]


def test_findings_keep_the_rules_file_order():
    everything = ALL_CLEAR.copy()
    for _, trigger, _ in EXPECTED.values():
        everything |= trigger
    everything["complaint.hair_loss_type"] = "other"
    found = ids(evaluate(RULES, everything))
    order = [r.id for r in RULES]
    assert found == sorted(found, key=order.index)
    assert "alopecia_areata" not in found and "cause_unclear" in found


hostile = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(), st.binary(), st.dates(),
    st.lists(st.one_of(st.text(), st.integers(), st.booleans())), st.dictionaries(st.text(), st.integers()),
)


@given(st.dictionaries(st.sampled_from(field_paths(OPTIONS)), hostile))
def test_evaluate_never_crashes_whatever_the_answers(answers):
    outcome = evaluate(RULES, answers)
    assert all(f.rule_id in EXPECTED for f in outcome.findings)


@given(st.one_of(st.none(), st.integers(-5, 200), st.text(), st.floats(), st.booleans()))
def test_age_rules_never_crash_and_fire_only_on_a_number(age):
    found = ids(evaluate(RULES, ALL_CLEAR | {"patient.age": age}))
    is_number = isinstance(age, (int, float)) and not isinstance(age, bool) and age == age
    assert ("young_patient" in found) == (is_number and age <= 17)
    assert ("older_patient" in found) == (is_number and age >= 70)


# --- matching is strict about types ---------------------------------------------------------


def test_yes_no_rule_does_not_fire_on_the_number_one():
    r = ScreeningRule.from_dict({"id": "r", "field": "a.b", "equals": True, "level": "info", "message": "m", **PROV})
    assert r.applies_to(1) is False and r.applies_to(True) is True


def test_number_rule_does_not_fire_on_yes():
    r = ScreeningRule.from_dict({"id": "r", "field": "a.b", "min": 1, "level": "info", "message": "m", **PROV})
    assert r.applies_to(True) is False
    assert r.applies_to(float("nan")) is False
    assert r.applies_to(1) and r.applies_to(10**400)


def test_in_rule_fires_when_any_item_of_a_list_answer_matches():
    r = ScreeningRule.from_dict({"id": "r", "field": "a.b", "in": ["x", "y"], "level": "warn", "message": "m", **PROV})
    assert r.applies_to(["z", "y"]) and not r.applies_to(["z"]) and not r.applies_to([])


def test_range_rule_is_inclusive_at_both_ends():
    r = ScreeningRule.from_dict({"id": "r", "field": "a.b", "min": 5, "max": 10, "level": "warn", "message": "m", **PROV})
    assert [r.applies_to(v) for v in (4, 5, 10, 11)] == [False, True, True, False]


def test_present_false_fires_on_unanswered():
    r = ScreeningRule.from_dict({"id": "r", "field": "a.b", "present": False, "level": "warn", "message": "m", **PROV})
    assert r.applies_to(None) and r.applies_to("  ") and not r.applies_to(False) and not r.applies_to("x")


# --- cleared and blocked -------------------------------------------------------------------

STOP = Finding("anticoagulants", Level.STOP, "Takes a blood thinner.", "medical.anticoagulants")
STOP2 = Finding("cancer_treatment", Level.STOP, "Cancer.", "medical.cancer_treatment")
WARN = Finding("nsaids", Level.WARN, "Takes NSAIDs.", "medical.nsaids")
INFO = Finding("bald_areas", Level.INFO, "Bald.", "classification.bald_areas")
GOOD = Override.create("Prescriber's letter of 12 May on file", "Dr Ana Ruiz")


def test_outcome_sorts_findings_by_level():
    outcome = ScreeningOutcome((INFO, STOP, WARN, STOP2))
    assert outcome.stops == (STOP, STOP2) and outcome.warnings == (WARN,) and outcome.infos == (INFO,)


@pytest.mark.parametrize(
    ("findings", "overrides", "acks", "cleared", "blocked"),
    [
        ((), {}, set(), True, False),
        ((INFO,), {}, set(), True, False),
        ((WARN,), {}, set(), False, False),  # a warning alone blocks nothing, but needs a tick
        ((WARN,), {}, {"nsaids"}, True, False),
        ((STOP,), {}, set(), False, True),
        ((STOP,), {"anticoagulants": GOOD}, set(), True, False),
        ((STOP,), {"cancer_treatment": GOOD}, set(), False, True),  # override of another rule
        ((STOP,), {}, {"anticoagulants"}, False, True),  # a tick is not an override
        ((STOP,), {"anticoagulants": Override("   ", "Dr Ana Ruiz")}, set(), False, True),
        ((STOP,), {"anticoagulants": Override("Letter on file", "")}, set(), False, True),
        ((STOP,), {"anticoagulants": "Letter on file"}, set(), False, True),  # not an Override
        ((STOP, WARN), {"anticoagulants": GOOD}, set(), False, False),
        ((STOP, WARN), {"anticoagulants": GOOD}, {"nsaids"}, True, False),
        ((STOP, STOP2, WARN, INFO), {"anticoagulants": GOOD}, {"nsaids"}, False, True),
        ((STOP, STOP2, WARN, INFO), {"anticoagulants": GOOD, "cancer_treatment": GOOD}, {"nsaids"}, True, False),
    ],
)
def test_cleared_and_blocked(findings, overrides, acks, cleared, blocked):
    outcome = ScreeningOutcome(findings)
    assert outcome.cleared(overrides, acks) is cleared
    assert outcome.blocks_consent(overrides) is blocked
    assert outcome.blocks_scalp_map(overrides) is blocked
    assert outcome.blocked_steps(overrides) == (frozenset({"consent", "scalp_map"}) if blocked else frozenset())


def test_stop_override_unblock_flow_on_the_shipped_rules():
    outcome = evaluate(RULES, ALL_CLEAR | {"medical.anticoagulants": True, "medical.diabetes": True})
    assert [f.rule_id for f in outcome.stops] == ["anticoagulants"]
    assert outcome.blocks_consent({}) and outcome.blocks_scalp_map({})
    overrides = {"anticoagulants": GOOD}
    assert not outcome.blocks_consent(overrides) and not outcome.blocks_scalp_map(overrides)
    assert not outcome.cleared(overrides, set())
    assert outcome.cleared(overrides, {"diabetes"})


@pytest.mark.parametrize(
    ("reason", "consultant", "field"),
    [
        ("", "Dr Ruiz", "override.reason"),
        ("   \n ", "Dr Ruiz", "override.reason"),
        (None, "Dr Ruiz", "override.reason"),
        ("ok\x00", "Dr Ruiz", "override.reason"),
        ("x" * 5000, "Dr Ruiz", "override.reason"),
        ("Letter on file", "", "override.consultant"),
        ("Letter on file", 42, "override.consultant"),
    ],
)
def test_override_needs_a_real_reason_and_consultant(reason, consultant, field):
    with pytest.raises(ValidationError) as caught:
        Override.create(reason, consultant)
    assert caught.value.field == field


def test_override_keeps_a_multiline_reason_trimmed():
    made = Override.create("  Letter on file.\nChecked INR.  ", " Dr Ruiz ")
    assert made == Override("Letter on file.\nChecked INR.", "Dr Ruiz")


def test_outcome_round_trips_for_storage():
    answers = {"medical.anticoagulants": True, "medical.nsaids": True, "classification.bald_areas": True}
    outcome = evaluate(RULES, ALL_CLEAR | answers)
    assert ScreeningOutcome.from_dict(outcome.to_dict()) == outcome
    with pytest.raises(ValueError):
        ScreeningOutcome.from_dict({"findings": [{"rule_id": "x", "level": "maybe", "message": "m"}]})


# --- malformed rules are refused, naming the rule --------------------------------------------

BASE = {
    "id": "nsaids_check", "field": "medical.nsaids", "equals": True, "level": "warn", "message": "Ask.", **PROV,
}


def _with(**changes):
    raw = dict(BASE)
    for key, value in changes.items():
        if value is ...:
            raw.pop(key)
        else:
            raw[key] = value
    return raw


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (_with(level="block"), "stop, warn or info"),
        (_with(level=...), "stop, warn or info"),
        (_with(message=...), "message"),
        (_with(message="   "), "message"),
        (_with(message="Ask\x1b[31m"), "control character"),
        (_with(message="x" * 601), "too long"),
        (_with(equals=...), "exactly one condition"),
        (_with(**{"in": ["a"]}), "exactly one condition"),
        (_with(equals=..., equal=True), "equal"),
        (_with(field=...), "field"),
        (_with(field="nsaids"), "field"),
        (_with(field="medical.nsaids; DROP TABLE intakes"), "field"),
        (_with(equals=..., **{"in": []}), "'in'"),
        (_with(equals=..., **{"in": "pregnant"}), "'in'"),
        (_with(equals=..., min=10, max=5), "never apply"),
        (_with(equals=..., min="ten"), "'min'"),
        (_with(equals=..., min=float("nan")), "'min'"),
        (_with(equals=..., present="yes"), "'present'"),
        (_with(equals=[True]), "'equals'"),
        (_with(equals=float("inf")), "'equals'"),
    ],
)
def test_malformed_rule_is_refused_naming_it(raw, problem):
    with pytest.raises(ScreeningRulesError) as caught:
        parse_rules({"sources": SOURCES, "rule": [BASE | {"id": "first"}, raw]})
    message = str(caught.value)
    assert "'nsaids_check'" in message and "rule 2" in message
    assert problem in message


@pytest.mark.parametrize("bad_id", [None, "", "Has Space", "1st", "ÄRZTE", "x" * 61, 7])
def test_rule_with_a_bad_id_is_refused_by_position(bad_id):
    with pytest.raises(ScreeningRulesError) as caught:
        parse_rules({"sources": SOURCES, "rule": [BASE | {"id": "first"}, _with(id=bad_id)]})
    assert "rule 2" in str(caught.value)


def test_duplicate_rule_ids_are_refused():
    with pytest.raises(ScreeningRulesError, match="'nsaids_check'.*twice"):
        parse_rules({"sources": SOURCES, "rule": [BASE, BASE]})


def test_rule_on_an_answer_the_intake_does_not_have_is_refused():
    with pytest.raises(ScreeningRulesError, match="'nsaids_check'.*medical.nsaid'"):
        parse_rules({"sources": SOURCES, "rule": [_with(field="medical.nsaid")]}, known_fields=field_paths(OPTIONS))


@pytest.mark.parametrize("data", [{"rules": []}, {"rule": {"id": "x"}}, {"rule": ["not a table"]}, []])
def test_malformed_rules_file_shape_is_refused(data):
    with pytest.raises(ScreeningRulesError):
        parse_rules(data)


def test_shipped_file_breaks_loudly_when_a_rule_is_broken():
    data = copy.deepcopy(RAW_RULES)
    data["rule"][3]["level"] = "stopp"
    with pytest.raises(ScreeningRulesError, match=f"'{data['rule'][3]['id']}' \\(rule 4\\)"):
        parse_rules(data)


def test_empty_rules_file_means_no_findings():
    assert evaluate(parse_rules({}), ALL_CLEAR) == ScreeningOutcome(())
