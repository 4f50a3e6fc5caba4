"""The severity suggestion from the hair-loss scales, and the consultant's choice."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.severity import (
    NORWOOD_STAGES,
    SeverityChoice,
    parse_severity_rules,
    suggest_severity,
)




SHIPPED_LIKE_RULES = parse_severity_rules(
    {
        "severity": {
            "severe": {"norwood_from": "IV", "ludwig_from": "II", "sinclair_from": 4, "salt_from": 50},
            "moderate": {"norwood_from": "III", "sinclair_from": 3, "salt_from": 25},
        }
    }
)


@pytest.mark.parametrize(
    ("scales", "level", "reason"),
    [
        ({"norwood": "IV"}, "severe", "Norwood IV or above"),
        ({"norwood": "VII"}, "severe", "Norwood IV or above"),
        ({"norwood": "IVa"}, "severe", "Norwood IV or above"),
        ({"norwood": "III vertex"}, "moderate", "Norwood III or above"),
        ({"norwood": "IIIa"}, "moderate", "Norwood III or above"),
        ({"norwood": "III"}, "moderate", "Norwood III or above"),
        ({"norwood": "IIa"}, "mild", "Below the moderate thresholds (Norwood IIa)"),
        ({"norwood": "I"}, "mild", "Below the moderate thresholds (Norwood I)"),
        ({"ludwig": "II"}, "severe", "Ludwig II or above"),
        ({"ludwig": "III"}, "severe", "Ludwig II or above"),
        ({"ludwig": "I"}, "mild", "Below the moderate thresholds (Ludwig I)"),
        ({"sinclair": 5}, "severe", "Sinclair 4 or above"),
        ({"sinclair": 4}, "severe", "Sinclair 4 or above"),
        ({"sinclair": 3}, "moderate", "Sinclair 3 or above"),
        ({"sinclair": 2}, "mild", "Below the moderate thresholds (Sinclair 2)"),
        ({"salt": 100}, "severe", "SALT 50 % or above"),
        ({"salt": 50.0}, "severe", "SALT 50 % or above"),
        ({"salt": 49.9}, "moderate", "SALT 25 % or above"),
        ({"salt": 25}, "moderate", "SALT 25 % or above"),
        ({"salt": 24.9}, "mild", "Below the moderate thresholds (SALT 24.9)"),
        ({"salt": 0}, "mild", "Below the moderate thresholds (SALT 0)"),
        ({}, "mild", "No hair-loss scale recorded yet"),
        ({"norwood": "II", "sinclair": 3, "salt": 60.0}, "severe", "SALT 50 % or above"),
        ({"norwood": "V", "salt": 70}, "severe", "Norwood IV or above; SALT 50 % or above"),
        ({"norwood": "III", "salt": 30}, "moderate", "Norwood III or above; SALT 25 % or above"),
        ({"norwood": "iv"}, "severe", "Norwood IV or above"),
        ({"norwood": " III-vertex "}, "moderate", "Norwood III or above"),
        ({"norwood": "IIIv"}, "moderate", "Norwood III or above"),
        ({"norwood": "III_vertex"}, "moderate", "Norwood III or above"),  # the intake's stage id
        ({"sinclair": "4"}, "severe", "Sinclair 4 or above"),  # the intake stores Sinclair as text
        ({"sinclair": "2"}, "mild", "Below the moderate thresholds (Sinclair 2)"),
        ({"ludwig": "ii"}, "severe", "Ludwig II or above"),
    ],
)
def test_suggest_severity(scales, level, reason):
    suggestion = suggest_severity(SHIPPED_LIKE_RULES, **scales)
    assert (suggestion.level, suggestion.reason) == (level, reason)


def test_thresholds_come_from_data():
    stricter = parse_severity_rules({"severity": {"severe": {"norwood_from": "V"}, "moderate": {"norwood_from": "IV"}}})
    assert suggest_severity(stricter, norwood="IV").level == "moderate"
    assert suggest_severity(stricter, norwood="V").level == "severe"
    # A scale with no threshold never raises the level.
    assert suggest_severity(stricter, salt=100).level == "mild"


@pytest.mark.parametrize(
    ("scales", "field"),
    [
        ({"norwood": "VIII"}, "norwood"),
        ({"norwood": ""}, "norwood"),
        ({"norwood": 4}, "norwood"),
        ({"norwood": "IV" * 1000}, "norwood"),
        ({"norwood": "'; DROP TABLE intakes;--"}, "norwood"),
        ({"ludwig": "IV"}, "ludwig"),
        ({"ludwig": 2}, "ludwig"),
        ({"sinclair": 0}, "sinclair"),
        ({"sinclair": 6}, "sinclair"),
        ({"sinclair": True}, "sinclair"),
        ({"sinclair": 3.0}, "sinclair"),
        ({"sinclair": "four"}, "sinclair"),
        ({"sinclair": "45"}, "sinclair"),
        ({"salt": -1}, "salt"),
        ({"salt": 100.5}, "salt"),
        ({"salt": math.nan}, "salt"),
        ({"salt": math.inf}, "salt"),
        ({"salt": "50"}, "salt"),
    ],
)
def test_suggest_severity_refuses_values_off_the_scale(scales, field):
    with pytest.raises(ValidationError) as caught:
        suggest_severity(SHIPPED_LIKE_RULES, **scales)
    assert caught.value.field == field


_LEVEL_RANK = {"mild": 0, "moderate": 1, "severe": 2}


@given(
    low=st.integers(0, len(NORWOOD_STAGES) - 1),
    step=st.integers(0, len(NORWOOD_STAGES) - 1),
    salt=st.floats(0, 100),
    more_salt=st.floats(0, 100),
    sinclair=st.integers(1, 5),
)
def test_more_advanced_scales_never_lower_the_suggestion(low, step, salt, more_salt, sinclair):
    high = min(low + step, len(NORWOOD_STAGES) - 1)
    before = suggest_severity(SHIPPED_LIKE_RULES, norwood=NORWOOD_STAGES[low], salt=salt, sinclair=sinclair)
    after = suggest_severity(
        SHIPPED_LIKE_RULES, norwood=NORWOOD_STAGES[high], salt=min(100.0, salt + more_salt), sinclair=sinclair
    )
    assert _LEVEL_RANK[after.level] >= _LEVEL_RANK[before.level]
    assert after.reason


@settings(max_examples=200)
@given(value=st.one_of(st.text(max_size=60), st.integers(), st.floats(), st.none(), st.binary(max_size=10)))
def test_hostile_scale_values_raise_only_validation_errors(value):
    for scale in ("norwood", "ludwig", "sinclair", "salt"):
        try:
            suggest_severity(SHIPPED_LIKE_RULES, **{scale: value})
        except ValidationError:
            pass


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "severity"),
        ({"severity": {"extreme": {}}}, "severity"),
        ({"severity": {"severe": {"norwood_from": "VIII"}}}, "severity.severe.norwood_from"),
        ({"severity": {"severe": {"salt_from": 150}}}, "severity.severe.salt_from"),
        ({"severity": {"severe": {"sinclair_from": "four"}}}, "severity.severe.sinclair_from"),
        ({"severity": {"severe": {"norwod_from": "IV"}}}, "severity.severe"),
        ({"severity": {"severe": "IV"}}, "severity.severe"),
        (
            {"severity": {"severe": {"norwood_from": "III"}, "moderate": {"norwood_from": "IV"}}},
            "severity.severe.norwood_from",
        ),
        ({"severity": {"severe": {"salt_from": 20}, "moderate": {"salt_from": 25}}}, "severity.severe.salt_from"),
    ],
)
def test_malformed_severity_rules_name_the_field(data, field):
    with pytest.raises(ValidationError) as caught:
        parse_severity_rules(data)
    assert caught.value.field == field


def test_consultant_choice_matching_the_suggestion_needs_no_reason():
    choice = SeverityChoice(suggested="moderate", chosen="moderate")
    assert not choice.overridden and choice.reason is None


def test_consultant_override_needs_a_reason():
    with pytest.raises(ValidationError) as caught:
        SeverityChoice(suggested="moderate", chosen="severe")
    assert caught.value.field == "reason"
    assert "severe" in caught.value.errors["reason"] and "moderate" in caught.value.errors["reason"]
    with pytest.raises(ValidationError):
        SeverityChoice(suggested="moderate", chosen="severe", reason="  \n ")
    choice = SeverityChoice("moderate", "severe", "  Rapid loss over the last three months. ")
    assert choice.overridden and choice.reason == "Rapid loss over the last three months."


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"suggested": "moderate", "chosen": "severe", "reason": "fast\x00loss"}, "reason"),
        ({"suggested": "moderate", "chosen": "severe", "reason": "x" * 501}, "reason"),
        ({"suggested": "moderate", "chosen": "severe", "reason": 42}, "reason"),
        ({"suggested": "moderate", "chosen": "", "reason": "why"}, "chosen"),
        ({"suggested": "moderate", "chosen": None, "reason": "why"}, "chosen"),
        ({"suggested": "Robert'); DROP", "chosen": "mild", "reason": "why"}, "suggested"),
    ],
)
def test_consultant_choice_validation(kwargs, field):
    with pytest.raises(ValidationError) as caught:
        SeverityChoice(**kwargs)
    assert caught.value.field == field
