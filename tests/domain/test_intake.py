"""Intake answers: field-by-field validation, JSON round trip, completion rules."""

from __future__ import annotations

import copy
import json
import math
import tomllib
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.intake import (
    Intake,
    IntakeStatus,
    can_complete,
    intake_salt_score,
    mark_complete,
    missing_required,
    update_field,
)
from meso_kiosk.domain.intake_answer import validate_field
from meso_kiosk.domain.intake_form import FIXED_FIELD_SPECS, SECTIONS, FieldKind, field_paths, field_specs
from meso_kiosk.domain.intake_options import parse_options
from meso_kiosk.domain.scales import OptionsError
from meso_kiosk.domain.screening import Override, evaluate, parse_rules
from meso_kiosk.resources import resource_path

RAW_OPTIONS = tomllib.loads(resource_path("intake/options.toml").read_text(encoding="utf-8"))
OPTIONS = parse_options(RAW_OPTIONS)
RULES = parse_rules(
    tomllib.loads(resource_path("screening/rules.toml").read_text(encoding="utf-8")), known_fields=field_paths(OPTIONS)
)
SPECS = field_specs(OPTIONS)
PATHS = [spec.path for spec in SPECS]
TODAY = date(2024, 6, 1)


def validate(path, value, today=TODAY):
    return validate_field(path, value, options=OPTIONS, today=today)


def fill(answers: dict[str, object], intake: Intake | None = None) -> Intake:
    intake = intake or Intake()
    for path, value in answers.items():
        intake = update_field(intake, path, value, options=OPTIONS, today=TODAY)
    return intake


# A fully answered intake on which no screening rule fires.
COMPLETE_AND_CLEAR = {
    "complaint.hair_loss_type": "androgenetic",
    "complaint.onset_date": "2021-03-01",
    "complaint.family_history": True,
    "complaint.daily_shedding": 150,
    "classification.norwood": "IIIa",
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


# --- the form description -------------------------------------------------------------------


def test_field_paths_are_unique_and_stable():
    assert len(PATHS) == len(set(PATHS))
    for stable in (
        "complaint.hair_loss_type", "complaint.onset_date", "complaint.duration_months", "complaint.daily_shedding",
        "complaint.previous_treatments.minoxidil", "complaint.previous_treatments.finasteride",
        "complaint.previous_treatments.prp", "complaint.previous_treatments.transplant",
        "classification.norwood", "classification.ludwig", "classification.sinclair",
        "classification.salt.vertex", "classification.salt.posterior", "classification.salt.right",
        "classification.salt.left", "medical.nsaids", "medical.anticoagulants", "medical.pregnancy",
        "medical.notes",
    ):
        assert stable in PATHS


def test_fields_come_section_by_section_in_the_form_order():
    order = [name for name, _ in SECTIONS]
    sections = [spec.section for spec in SPECS]
    assert sections == sorted(sections, key=order.index)
    assert set(sections) == set(order)


def test_every_spec_is_well_formed():
    for spec in SPECS:
        assert spec.label and spec.noun
        assert (spec.choices is not None) == (spec.kind is FieldKind.CHOICE)
        if spec.choices:
            assert OPTIONS.choices(spec.choices)
        if spec.kind in (FieldKind.TEXT, FieldKind.MULTILINE):
            assert spec.max_length
        if spec.shown_when:
            assert spec.shown_when[0] in PATHS
        if spec.scale:
            assert spec.scale in OPTIONS.scales.scale_ids


def test_every_spec_path_reads_and_writes_on_an_intake():
    intake = Intake()
    for spec in SPECS:
        assert intake.answer(spec.path) is None
        assert intake.answers().get(spec.path) is None


def test_medical_yes_no_questions_are_all_required():
    medical_bools = [s for s in SPECS if s.section == "medical" and s.kind is FieldKind.BOOL]
    assert len(medical_bools) >= 11 and all(s.required for s in medical_bools)


# --- one field at a time: accepted and cleaned ------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "cleaned"),
    [
        ("complaint.hair_loss_type", " androgenetic ", "androgenetic"),
        ("complaint.hair_loss_type", "", None),
        ("complaint.hair_loss_type", None, None),
        ("complaint.onset_date", "2020-02-29", date(2020, 2, 29)),
        ("complaint.onset_date", date(2024, 6, 1), date(2024, 6, 1)),  # today is fine
        ("complaint.onset_date", "  ", None),
        ("complaint.duration_months", 18, 18),
        ("complaint.duration_months", "18", 18),
        ("complaint.duration_months", 0, 0),
        ("complaint.daily_shedding", 2000, 2000),
        ("complaint.daily_shedding", 300.0, 300),
        ("complaint.family_history", False, False),
        ("complaint.previous_treatments.prp", "helped", "helped"),
        ("complaint.previous_treatments.other", "stopped_side_effects", "stopped_side_effects"),
        ("classification.norwood", "III_vertex", "III_vertex"),
        ("classification.sinclair", "3", "3"),
        ("classification.salt.vertex", 0, 0.0),
        ("classification.salt.vertex", 100, 100.0),
        ("classification.salt.vertex", 12.345, 12.3),
        ("classification.salt.vertex", 12.35, 12.4),
        ("classification.salt.vertex", "37.5", 37.5),
        ("classification.salt.vertex", -0.0, 0.0),
        ("medical.pregnancy", "breastfeeding", "breastfeeding"),
        ("medical.notes", "  Robert'); DROP TABLE intakes;--  ", "Robert'); DROP TABLE intakes;--"),
        ("medical.notes", "Line one\r\nLine two\tindented", "Line one\nLine two\tindented"),
        ("medical.allergies", "ペニシリン 💊 — طفح جلدي", "ペニシリン 💊 — طفح جلدي"),
        ("medical.medications", "e\u0301", "\u00e9"),  # stored NFC
        ("complaint.hair_loss_type_other", "Frontal fibrosing", "Frontal fibrosing"),
        ("notes.consultant", "", None),
        ("medical.notes", "x" * 4000, "x" * 4000),
    ],
)
def test_valid_answers_are_cleaned(path, value, cleaned):
    result = validate(path, value)
    assert result == cleaned and type(result) is type(cleaned)


# --- one field at a time: refused with a consultant's message ----------------------------------


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("complaint.onset_date", "2024-06-02", "future"),
        ("complaint.onset_date", date(2999, 1, 1), "future"),
        ("complaint.onset_date", date(1, 1, 1), "years ago"),
        ("complaint.onset_date", "2023-02-30", "real date"),
        ("complaint.onset_date", "yesterday", "real date"),
        ("complaint.onset_date", "20230101", "real date"),
        ("complaint.onset_date", datetime(2020, 1, 1, tzinfo=timezone.utc), "real date"),
        ("complaint.onset_date", 20200101, "real date"),
        ("classification.salt.vertex", 100.1, "between 0 and 100"),
        ("classification.salt.left", -1, "between 0 and 100"),
        ("classification.salt.left", 10**400, "between 0 and 100"),
        ("classification.salt.right", math.nan, "number from 0 to 100"),
        ("classification.salt.right", math.inf, "number from 0 to 100"),
        ("classification.salt.right", "50%", "number from 0 to 100"),
        ("classification.salt.right", True, "number from 0 to 100"),
        ("complaint.daily_shedding", 2001, "not plausible"),
        ("complaint.daily_shedding", 10**30, "not plausible"),
        ("complaint.daily_shedding", 1e300, "not plausible"),
        ("complaint.daily_shedding", -5, "negative"),
        ("complaint.daily_shedding", 12.5, "whole number"),
        ("complaint.daily_shedding", math.nan, "whole number"),
        ("complaint.daily_shedding", "a lot", "whole number"),
        ("complaint.daily_shedding", "9" * 5000, "whole number"),
        ("complaint.daily_shedding", "١٢", "whole number"),  # digits, but not ones we show
        ("complaint.duration_months", 961, "960 months"),
        ("medical.notes", "x" * 100_000, "too long"),
        ("complaint.hair_loss_type_other", "x" * 201, "too long"),
        ("medical.notes", "bad\x00byte", "control character"),
        ("medical.notes", "ansi \x1b[31m red", "control character"),
        ("medical.notes", "bidi \u202e trick", "control character"),
        ("complaint.hair_loss_type_other", "two\nlines", "control character"),
        ("medical.notes", 42, "must be text"),
        ("medical.nsaids", "yes", "yes or no"),
        ("medical.nsaids", 1, "yes or no"),
        ("medical.pregnancy", "Pregnant", "listed answers"),
        ("complaint.hair_loss_type", "androgenetic'; DROP TABLE x;--", "listed answers"),
        ("complaint.hair_loss_type", ["androgenetic"], "listed answers"),
        ("classification.norwood", "VIII", "listed answers"),
        ("classification.sinclair", 3, "listed answers"),
        ("complaint.previous_treatments.prp", "worked wonders", "listed answers"),
        ("complaint.previous_treatments.dutasteride", "helped", "not a question"),
        ("medical.nsaid", True, "not a question"),
        ("complaint", "x", "not a question"),
        ("status", "complete", "not a question"),
    ],
)
def test_invalid_answers_are_refused_naming_the_field(path, value, words):
    with pytest.raises(ValidationError) as caught:
        validate(path, value)
    assert list(caught.value.errors) == [path]
    assert words in caught.value.errors[path]
    assert "Traceback" not in caught.value.errors[path] and "Error" not in caught.value.errors[path]


def test_the_future_is_judged_against_the_today_given():
    assert validate("complaint.onset_date", "2024-06-02", today=date(2024, 6, 2)) == date(2024, 6, 2)
    with pytest.raises(ValidationError):
        validate("complaint.onset_date", "2024-06-02", today=date(2024, 6, 1))


def test_shedding_limit_comes_from_the_options_file():
    data = copy.deepcopy(RAW_OPTIONS)
    data["shedding"]["max_plausible"] = 500
    options = parse_options(data)
    with pytest.raises(ValidationError, match="500"):
        validate_field("complaint.daily_shedding", 501, options=options, today=TODAY)


# --- hostile input: never anything but ValidationError, and what passes is stable --------------

hostile_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.floats(),
    st.floats(min_value=-5, max_value=105),
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.text(min_size=4000, max_size=4100, alphabet="ab \n"),
    st.from_regex(r"\A\s*[+-]?[0-9]{1,12}(\.[0-9]{1,12})?\s*\Z"),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
    st.dates(),
    st.datetimes(),
    st.sampled_from(
        [c.id for source in ("hair_loss_type", "treatment_outcome", "pregnancy_status", "scale.norwood",
                             "scale.ludwig", "scale.sinclair") for c in OPTIONS.choices(source)]
    ),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    st.binary(max_size=20),
    st.decimals(allow_nan=True),
    st.complex_numbers(),
)

KIND_TYPES = {
    FieldKind.CHOICE: str,
    FieldKind.BOOL: bool,
    FieldKind.DATE: date,
    FieldKind.INT: int,
    FieldKind.PERCENT: float,
    FieldKind.TEXT: str,
    FieldKind.MULTILINE: str,
}


@settings(max_examples=600)
@given(st.sampled_from(SPECS), hostile_values, st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)))
def test_validate_field_never_crashes_and_its_results_are_valid(spec, value, today):
    try:
        cleaned = validate_field(spec.path, value, options=OPTIONS, today=today)
    except ValidationError as error:
        assert list(error.errors) == [spec.path]
        assert all(isinstance(m, str) and m for m in error.errors.values())
        return
    if cleaned is None:
        return
    assert type(cleaned) is KIND_TYPES[spec.kind]
    assert validate_field(spec.path, cleaned, options=OPTIONS, today=today) == cleaned
    if spec.kind is FieldKind.PERCENT:
        assert 0 <= cleaned <= 100 and round(cleaned, 1) == cleaned
    elif spec.kind is FieldKind.INT:
        assert cleaned >= 0
    elif spec.kind is FieldKind.DATE:
        assert cleaned <= today
    elif spec.kind is FieldKind.CHOICE:
        assert cleaned in {c.id for c in OPTIONS.choices(spec.choices)}
    elif spec.kind in (FieldKind.TEXT, FieldKind.MULTILINE):
        assert 0 < len(cleaned) <= spec.max_length and "\x00" not in cleaned


@given(st.text(max_size=40), hostile_values)
def test_unknown_paths_are_refused_not_crashed(path, value):
    if path in PATHS:
        return
    with pytest.raises(ValidationError):
        validate(path, value)


# --- storage round trip ------------------------------------------------------------------------


@st.composite
def intakes(draw):
    intake = Intake()
    for _ in range(draw(st.integers(0, 25))):
        spec = draw(st.sampled_from(SPECS))
        try:
            intake = update_field(intake, spec.path, draw(hostile_values), options=OPTIONS, today=TODAY)
        except ValidationError:
            pass
    if draw(st.booleans()):
        intake = replace(intake, status=IntakeStatus.COMPLETE)
    return intake


@settings(max_examples=300)
@given(intakes())
def test_intake_round_trips_through_json_exactly(intake):
    stored = json.dumps(intake.to_dict(), ensure_ascii=False)
    restored = Intake.from_dict(json.loads(stored))
    assert restored == intake
    assert restored.to_dict() == intake.to_dict()
    assert restored.answers() == intake.answers()


def test_round_trip_keeps_every_kind_of_answer():
    intake = fill(COMPLETE_AND_CLEAR | {
        "complaint.previous_treatments.minoxidil": "no_effect",
        "complaint.previous_treatments.other": "helped",
        "complaint.previous_treatment_other": "Rosemary oil",
        "classification.salt.vertex": 12.3,
        "classification.salt.left": 100,
        "medical.notes": "Ligne 1\nLigne 2 — ✓",
    })
    data = json.loads(json.dumps(intake.to_dict()))
    assert data["complaint"]["onset_date"] == "2021-03-01"
    assert data["complaint"]["previous_treatments"] == {"minoxidil": "no_effect", "other": "helped"}
    assert data["classification"]["salt"]["vertex"] == 12.3
    assert Intake.from_dict(data) == intake


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"complaint": {"onset_date": "not a date"}}, "complaint.onset_date"),
        ({"complaint": {"daily_shedding": "300"}}, "complaint.daily_shedding"),
        ({"complaint": {"previous_treatments": ["prp"]}}, "complaint.previous_treatments"),
        ({"classification": {"salt": {"vertex": 140}}}, "classification.salt.vertex"),
        ({"classification": {"salt": 5}}, "classification.salt"),
        ({"medical": {"nsaids": "no"}}, "medical.nsaids"),
        ({"medical": {"nsaid": True}}, "medical.nsaid"),
        ({"medical": []}, "medical"),
        ({"surgery": {}}, "surgery"),
        ({"status": "signed"}, "status"),
        ({"version": 99}, "version"),
    ],
)
def test_from_dict_refuses_malformed_records(data, field):
    with pytest.raises(ValidationError) as caught:
        Intake.from_dict(data)
    assert caught.value.field == field


def test_from_dict_keeps_choices_the_options_no_longer_list():
    intake = Intake.from_dict({"complaint": {"hair_loss_type": "retired_type"}})
    assert intake.answer("complaint.hair_loss_type") == "retired_type"


# --- answers model -----------------------------------------------------------------------------


def test_update_field_is_one_answer_at_a_time_and_clearing_removes_a_treatment():
    intake = fill(
        {"complaint.previous_treatments.prp": "helped", "complaint.previous_treatments.finasteride": "ongoing"}
    )
    assert intake.complaint.previous_treatments == (("finasteride", "ongoing"), ("prp", "helped"))
    intake = fill({"complaint.previous_treatments.prp": ""}, intake)
    assert intake.complaint.previous_treatments == (("finasteride", "ongoing"),)
    assert intake.answer("complaint.previous_treatments.prp") is None


def test_with_answer_refuses_unknown_paths():
    for path in ("medical", "classification.salt", "medical.nsaid", "status", "complaint.previous_treatments"):
        with pytest.raises(KeyError):
            Intake().with_answer(path, True)


def test_salt_score_of_an_intake_needs_all_four_regions():
    intake = fill({"classification.salt.vertex": 50, "classification.salt.posterior": 25})
    assert intake_salt_score(intake, OPTIONS.scales) is None
    intake = fill({"classification.salt.right": 0, "classification.salt.left": 100}, intake)
    assert intake_salt_score(intake, OPTIONS.scales) == 20.0 + 6.0 + 0.0 + 18.0


# --- required answers and completion ----------------------------------------------------------


def test_an_empty_intake_is_missing_every_required_answer():
    missing = missing_required(Intake())
    assert missing[0] == "complaint.hair_loss_type"
    expected = {"complaint.onset_date", "complaint.duration_months", "medical.pregnancy", "medical.anticoagulants"}
    assert expected <= set(missing)
    assert not any(path.startswith("classification.salt") for path in missing)
    assert "medical.notes" not in missing


def test_a_fully_answered_intake_is_missing_nothing():
    assert missing_required(fill(COMPLETE_AND_CLEAR)) == []


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"complaint.onset_date": None}, ["complaint.onset_date", "complaint.duration_months"]),
        ({"complaint.onset_date": None, "complaint.duration_months": 6}, []),
        ({"complaint.hair_loss_type": "other"}, ["complaint.hair_loss_type_other"]),
        ({"complaint.hair_loss_type": "other", "complaint.hair_loss_type_other": "Traction"}, []),
        ({"complaint.previous_treatments.other": "helped"}, ["complaint.previous_treatment_other"]),
        (
            {"complaint.hair_loss_type": "alopecia_areata"},
            ["classification.salt.vertex", "classification.salt.posterior", "classification.salt.right",
             "classification.salt.left"],
        ),
        ({"classification.salt.right": 10}, ["classification.salt.vertex", "classification.salt.posterior",
                                              "classification.salt.left"]),
        ({"medical.diabetes": None}, ["medical.diabetes"]),
        ({"medical.pregnancy": ""}, ["medical.pregnancy"]),
    ],
)
def test_conditionally_required_answers(changes, missing):
    assert missing_required(fill(COMPLETE_AND_CLEAR | changes)) == missing


def test_can_complete_when_everything_is_answered_and_nothing_fires():
    intake = fill(COMPLETE_AND_CLEAR)
    outcome = evaluate(RULES, intake.answers())
    assert outcome.findings == ()
    assert can_complete(intake, outcome, {}, set()) == []
    done = mark_complete(intake, outcome, {}, set())
    assert done.status is IntakeStatus.COMPLETE and done.to_dict()["status"] == "complete"


def test_stop_and_warning_must_be_handled_before_completion():
    intake = fill(COMPLETE_AND_CLEAR | {"medical.anticoagulants": True, "medical.keloid_tendency": True,
                                        "classification.norwood": "VI"})
    outcome = evaluate(RULES, intake.answers())
    reasons = can_complete(intake, outcome, {}, set())
    assert len(reasons) == 2
    assert reasons[0].startswith("Stop without a recorded reason") and "blood thinner" in reasons[0]
    assert reasons[1].startswith("Warning not acknowledged") and "keloid" in reasons[1]
    override = {"anticoagulants": Override.create("Cardiologist's letter of 3 May on file", "Dr Ruiz")}
    assert len(can_complete(intake, outcome, override, set())) == 1
    assert can_complete(intake, outcome, override, {"keloid_tendency"}) == []  # the info needs nothing
    with pytest.raises(ValidationError) as caught:
        mark_complete(intake, outcome, override, set())
    assert caught.value.field == "status" and "keloid" in caught.value.errors["status"]


def test_missing_answers_are_reasons_in_plain_words():
    intake = fill({"complaint.hair_loss_type": "androgenetic"})
    reasons = can_complete(intake, evaluate(RULES, intake.answers()), {}, set())
    assert "Not answered yet: when the hair loss started (a date or a duration)." in reasons
    assert "Not answered yet: Pregnancy or breastfeeding." in reasons
    assert sum("started" in r for r in reasons) == 1


def test_a_complete_intake_cannot_change_or_complete_again():
    done = mark_complete(fill(COMPLETE_AND_CLEAR), evaluate(RULES, {}), {}, set())
    assert can_complete(done, evaluate(RULES, done.answers()), {}, set()) == ["This intake is already complete."]
    with pytest.raises(ValidationError, match="re-assessment"):
        update_field(done, "medical.notes", "late note", options=OPTIONS, today=TODAY)


# --- malformed options ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "names"),
    [
        (lambda d: d["hair_loss_type"][1].update(id="androgenetic"), "'androgenetic'"),
        (lambda d: d["previous_treatment"][0].update(label=""), "previous_treatment 'minoxidil'"),
        (lambda d: d["pregnancy_status"][2].update(id="planning pregnancy"), "pregnancy_status 3"),
        (lambda d: d["treatment_outcome"][0].update(colour="green"), "colour"),
        (lambda d: d.pop("treatment_outcome"), "treatment_outcome"),
        (lambda d: d["shedding"].update(max_plausible=10), "max_plausible"),
        (lambda d: d["shedding"].update(max_plausible=True), "max_plausible"),
        (lambda d: d["limits"].update(max_duration_months=-1), "max_duration_months"),
        (lambda d: d.update(extras={}), "extras"),
    ],
)
def test_malformed_options_are_refused_naming_the_entry(edit, names):
    data = copy.deepcopy(RAW_OPTIONS)
    edit(data)
    with pytest.raises(OptionsError) as caught:
        parse_options(data)
    assert names in str(caught.value)


def test_fixed_specs_do_not_depend_on_options():
    assert all(not spec.path.startswith("complaint.previous_treatments.") for spec in FIXED_FIELD_SPECS)
