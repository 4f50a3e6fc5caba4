"""Screening rules with provenance: a known source and a rationale on every shipped rule, age
rules, the levels raised in review, the questions added, stops that cannot be overridden."""

from __future__ import annotations

import copy
import shutil
import tomllib
from pathlib import Path

import pytest

from meso_kiosk.domain.intake_form import field_specs
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
from meso_kiosk.resources import resources_root
from meso_kiosk.services.clinic_data import ClinicData

from .test_screening import ALL_CLEAR, OPTIONS, RAW_RULES, RULES

BY_ID = {rule.id: rule for rule in RULES}
SOURCES = RAW_RULES["sources"]


def test_every_shipped_rule_names_a_listed_source_and_says_why():
    for rule in RULES:
        assert rule.source in SOURCES, rule.id
        assert rule.citation == " ".join(SOURCES[rule.source].split()) and len(rule.citation) > 30, rule.id
        assert 40 <= len(rule.rationale) <= 400, rule.id
        sentences = [s for s in rule.rationale.replace("?", ".").split(". ") if s.strip()]
        assert 1 <= len(sentences) <= 2, f"{rule.id}: one or two sentences, not {len(sentences)}"


def test_every_listed_source_is_used_by_a_rule():
    assert set(SOURCES) == {rule.source for rule in RULES}


def test_findings_carry_the_provenance_of_their_rule():
    (finding,) = evaluate(RULES, ALL_CLEAR | {"medical.antiplatelets": True}).findings
    rule = BY_ID["antiplatelets"]
    assert (finding.source, finding.citation, finding.rationale) == (rule.source, rule.citation, rule.rationale)
    assert Finding.from_dict(finding.to_dict()) == finding


def test_a_finding_stored_before_provenance_loads_with_empty_provenance():
    old = {"rule_id": "anticoagulants", "level": "stop", "message": "Takes a blood thinner.", "field": "x"}
    finding = Finding.from_dict(old)
    assert (finding.source, finding.rationale, finding.overridable) == ("", "", True)
    assert finding.to_dict() == old  # written back exactly as it was


@pytest.mark.parametrize("bad", ["gmc_cosmetc", "GMC", "", None, 3])
def test_a_misspelt_source_is_refused_naming_the_rule_and_the_key(bad):
    data = copy.deepcopy(RAW_RULES)
    index = next(i for i, r in enumerate(data["rule"]) if r["id"] == "young_patient")
    data["rule"][index]["source"] = bad
    with pytest.raises(ScreeningRulesError) as caught:
        parse_rules(data)
    message = str(caught.value)
    assert f"'young_patient' (rule {index + 1})" in message and "'source'" in message


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"rationale": None}, "'rationale'"),
        ({"rationale": "   "}, "'rationale'"),
        ({"rationale": "x" * 401}, "too long"),
        ({"rationale": "Why\x1b[31m"}, "control character"),
        ({"overridable": "no"}, "'overridable' must be true or false"),
        ({"overridable": False}, "stops only"),  # young_patient is a warning
    ],
)
def test_a_rule_without_a_real_rationale_or_with_a_bad_overridable_is_refused(change, words):
    raw = next(r for r in RAW_RULES["rule"] if r["id"] == "young_patient") | change
    if change.get("rationale", "") is None:
        raw.pop("rationale")
    with pytest.raises(ScreeningRulesError, match=words):
        ScreeningRule.from_dict(raw, 7, SOURCES)


@pytest.mark.parametrize("sources", [{"Bad Id": "x"}, {"ok": ""}, {"ok": 5}, ["ok"]])
def test_a_malformed_sources_table_is_refused(sources):
    with pytest.raises(ScreeningRulesError, match="sources"):
        parse_rules({"sources": sources, "rule": []})


def test_the_kiosk_refuses_a_misspelt_source_at_start_up_naming_file_and_key(tmp_path: Path):
    root = tmp_path / "resources"
    shutil.copytree(resources_root(), root)
    rules = root / "screening" / "rules.toml"
    text = rules.read_text(encoding="utf-8")
    old = 'id = "heart_condition"\nfield = "medical.heart_condition"\nequals = true\nlevel = "warn"\nsource = "minoxidil_label"'
    assert old in text
    rules.write_text(text.replace(old, old.replace("minoxidil_label", "minoxidil_lable")), encoding="utf-8")
    problems = ClinicData(root).check_all()
    assert len(problems) == 1
    assert problems[0].startswith("screening/rules.toml: Screening rule 'heart_condition'")
    assert "'source' 'minoxidil_lable' is not one of the [sources]" in problems[0]


# --- age ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "expected"),
    [(0, ["young_patient"]), (17, ["young_patient"]), (18, []), (69, []), (70, ["older_patient"]),
     (120, ["older_patient"])],
)
def test_age_rules_fire_at_the_right_ages(age, expected):
    found = [f.rule_id for f in evaluate(RULES, ALL_CLEAR | {"patient.age": age}).findings]
    assert found == expected


def test_age_rules_stay_quiet_without_an_age():
    answers = {k: v for k, v in ALL_CLEAR.items() if k != "patient.age"}
    assert evaluate(RULES, answers).findings == ()
    assert evaluate(RULES, answers | {"patient.age": None}).findings == ()
    assert evaluate(RULES, answers | {"patient.age": "17"}).findings == ()  # not a number: no guess


def test_the_age_fact_is_accepted_as_a_field_but_a_misspelt_one_is_not():
    rule = {"id": "r", "level": "warn", "message": "m", "source": "gmc_cosmetic", "rationale": "Why it matters."}
    parse_rules({"sources": SOURCES, "rule": [rule | {"field": "patient.age", "max": 15}]}, known_fields=())
    with pytest.raises(ScreeningRulesError, match="patient.ages"):
        parse_rules({"sources": SOURCES, "rule": [rule | {"field": "patient.ages", "max": 15}]}, known_fields=())


# --- levels raised in review, questions added -----------------------------------------------------


@pytest.mark.parametrize(
    "rule_id", ["scalp_scarring", "alopecia_areata", "finasteride_side_effects", "shedding_far_above_normal"]
)
def test_the_four_levels_raised_to_warn(rule_id):
    assert BY_ID[rule_id].level is Level.WARN
    assert "doctor" in BY_ID[rule_id].message or "dermatologist" in BY_ID[rule_id].message


@pytest.mark.parametrize(
    ("path", "rule_id", "level", "words"),
    [
        ("medical.heart_condition", "heart_condition", Level.WARN, ("minoxidil", "buflomedil")),
        ("medical.fainting", "fainting", Level.WARN, ("lying",)),
        ("medical.antiplatelets", "antiplatelets", Level.STOP, ("clopidogrel", "ticagrelor", "prasugrel")),
        ("medical.mesotherapy_reaction", "mesotherapy_reaction", Level.WARN, ("product",)),
    ],
)
def test_the_questions_added_are_asked_required_and_screened(path, rule_id, level, words):
    spec = next(s for s in field_specs(OPTIONS) if s.path == path)
    assert spec.required and spec.section == "medical"
    assert BY_ID[rule_id].field == path and BY_ID[rule_id].level is level
    assert all(word in BY_ID[rule_id].message for word in words)
    assert [f.rule_id for f in evaluate(RULES, ALL_CLEAR | {path: True}).findings] == [rule_id]


def test_antiplatelets_are_asked_apart_from_painkillers_and_anticoagulants():
    labels = {s.path: s.label for s in field_specs(OPTIONS)}
    assert "clopidogrel" in labels["medical.antiplatelets"]
    assert "clopidogrel" not in labels["medical.nsaids"] + labels["medical.anticoagulants"]


# --- stops that cannot be overridden -----------------------------------------------------------


def test_only_pregnancy_and_breastfeeding_cannot_be_overridden_in_the_shipped_file():
    fixed = {rule.id for rule in RULES if not rule.overridable}
    assert fixed == {"pregnant_or_breastfeeding"}
    for stop in ("anticoagulants", "antiplatelets", "allergy_solution_ingredient", "bleeding_disorder",
                 "scalp_infection", "cancer_treatment"):
        assert BY_ID[stop].overridable and BY_ID[stop].level is Level.STOP


def test_an_override_never_clears_a_stop_that_cannot_be_overridden():
    outcome = evaluate(RULES, ALL_CLEAR | {"medical.pregnancy": "pregnant", "medical.anticoagulants": True})
    good = Override("Letter on file", "consultant:1")
    overrides = {"pregnant_or_breastfeeding": good, "anticoagulants": good}
    assert [f.rule_id for f in outcome.unhandled_stops(overrides)] == ["pregnant_or_breastfeeding"]
    assert [f.rule_id for f in outcome.overridden_stops(overrides)] == ["anticoagulants"]
    assert outcome.blocks_consent(overrides) and not outcome.cleared(overrides, set())
    assert ScreeningOutcome.from_dict(outcome.to_dict()) == outcome  # "overridable": false is stored
