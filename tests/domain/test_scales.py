"""Scales: the shipped catalogue, SALT maths, which scale fits, severity ranks."""

from __future__ import annotations

import copy
import math
import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.scales import (
    OptionsError,
    parse_scales,
    salt_score,
    scale_rank,
    suggest_scales,
)
from meso_kiosk.resources import resource_path

RAW_OPTIONS = tomllib.loads(resource_path("intake/options.toml").read_text(encoding="utf-8"))
CATALOGUE = parse_scales(RAW_OPTIONS)
WEIGHTS = {"vertex": 40, "posterior": 24, "right": 18, "left": 18}

NORWOOD = ["I", "II", "IIa", "III", "IIIa", "III_vertex", "IV", "IVa", "V", "Va", "VI", "VII"]


# --- the shipped catalogue ------------------------------------------------------------------


def test_shipped_stage_scales_have_the_standard_stages_in_order():
    assert CATALOGUE.stage_scale("norwood").stage_ids == tuple(NORWOOD)
    assert CATALOGUE.stage_scale("ludwig").stage_ids == ("I", "II", "III")
    assert CATALOGUE.stage_scale("sinclair").stage_ids == ("1", "2", "3", "4", "5")
    assert CATALOGUE.stage_scale("norwood").stage("III_vertex").label == "III vertex"


@pytest.mark.parametrize("scale_id", ["norwood", "ludwig", "sinclair"])
def test_shipped_ranks_rise_strictly_from_mildest_to_most_advanced(scale_id):
    ranks = [stage.rank for stage in CATALOGUE.stage_scale(scale_id).stages]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)


def test_shipped_salt_weights_are_the_standard_ones():
    assert CATALOGUE.salt.weights == WEIGHTS
    assert CATALOGUE.scale_ids == ("norwood", "ludwig", "sinclair", "salt")


# --- SALT maths ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vertex", "posterior", "right", "left", "expected"),
    [
        (0, 0, 0, 0, 0.0),
        (100, 100, 100, 100, 100.0),
        (100, 0, 0, 0, 40.0),
        (0, 100, 0, 0, 24.0),
        (0, 0, 100, 0, 18.0),
        (0, 0, 0, 100, 18.0),
        (0, 0, 0, 50, 9.0),
        (10, 20, 30, 40, 21.4),  # 4 + 4.8 + 5.4 + 7.2
        (50, 50, 50, 50, 50.0),
        (33.3, 33.3, 33.3, 33.3, 33.3),
        (0.125, 0, 0, 0, 0.1),  # 0.05 rounds half up, not to even
        (0.1, 0, 0, 0, 0.0),  # 0.04 rounds down
        (12.5, 0, 0, 0, 5.0),
        (25.5, 10, 0, 0, 12.6),  # 10.2 + 2.4
    ],
)
def test_salt_score_is_the_weighted_sum_rounded_to_one_decimal(vertex, posterior, right, left, expected):
    assert salt_score(vertex, posterior, right, left, WEIGHTS) == expected


percent = st.floats(min_value=0, max_value=100, allow_nan=False) | st.integers(0, 100)


@given(percent, percent, percent, percent)
def test_salt_score_stays_in_range_and_close_to_the_exact_sum(vertex, posterior, right, left):
    score = salt_score(vertex, posterior, right, left, WEIGHTS)
    exact = (vertex * 40 + posterior * 24 + right * 18 + left * 18) / 100
    assert 0 <= score <= 100
    assert abs(score - exact) <= 0.05 + 1e-9
    assert round(score, 1) == score


@given(percent, percent, percent, percent, st.floats(min_value=0, max_value=100))
def test_salt_score_never_falls_when_more_vertex_hair_is_lost(vertex, posterior, right, left, more):
    worse = min(100.0, vertex + more)
    assert salt_score(worse, posterior, right, left, WEIGHTS) >= salt_score(vertex, posterior, right, left, WEIGHTS)


@pytest.mark.parametrize("bad", [-0.1, 100.1, -1, 101, 10**400, math.nan, math.inf, -math.inf, None, "50", True, [50]])
@pytest.mark.parametrize("region", ["vertex", "posterior", "right", "left"])
def test_salt_score_refuses_a_region_outside_0_to_100_naming_the_field(region, bad):
    values = {"vertex": 10, "posterior": 10, "right": 10, "left": 10, region: bad}
    with pytest.raises(ValidationError) as caught:
        salt_score(values["vertex"], values["posterior"], values["right"], values["left"], WEIGHTS)
    assert caught.value.errors.keys() == {f"classification.salt.{region}"}
    assert "0" in caught.value.errors[f"classification.salt.{region}"]


def test_salt_score_reports_every_bad_region_at_once():
    with pytest.raises(ValidationError) as caught:
        salt_score(-5, 10, 150, math.nan, WEIGHTS)
    assert set(caught.value.errors) == {
        "classification.salt.vertex",
        "classification.salt.right",
        "classification.salt.left",
    }


@pytest.mark.parametrize(
    "weights",
    [
        {"vertex": 40, "posterior": 24, "right": 18},
        {"vertex": 40, "posterior": 24, "right": 18, "left": 19},
        {"vertex": 40, "posterior": 24, "right": 18, "left": 18, "face": 0},
    ],
)
def test_salt_score_refuses_weights_that_are_not_the_four_regions_adding_to_100(weights):
    with pytest.raises(ValueError):
        salt_score(1, 1, 1, 1, weights)


def test_salt_score_uses_the_weights_it_is_given():
    assert salt_score(100, 0, 0, 0, {"vertex": 25, "posterior": 25, "right": 25, "left": 25}) == 25.0


# --- which scale fits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hair_loss_type", "sex", "expected"),
    [
        ("androgenetic", "male", ("norwood",)),
        ("androgenetic", "female", ("ludwig", "sinclair")),
        ("androgenetic", "intersex", ("norwood", "ludwig", "sinclair")),
        ("androgenetic", None, ("norwood", "ludwig", "sinclair")),
        ("alopecia_areata", "male", ("salt",)),
        ("alopecia_areata", "female", ("salt",)),
        ("alopecia_areata", None, ("salt",)),
        ("telogen_effluvium", "female", ("sinclair", "ludwig")),
        ("scalp_condition", "male", ()),
        ("after_transplant", "male", ("norwood",)),
        ("other", "female", ("ludwig", "sinclair", "salt")),
        (None, "male", ("norwood", "ludwig", "sinclair", "salt")),
        ("no_such_type", "female", ("norwood", "ludwig", "sinclair", "salt")),
    ],
)
def test_suggest_scales(hair_loss_type, sex, expected):
    assert suggest_scales(CATALOGUE, hair_loss_type, sex) == expected


@given(st.one_of(st.none(), st.text(), st.integers()), st.one_of(st.none(), st.text()))
def test_suggest_scales_never_crashes_and_offers_only_known_scales(hair_loss_type, sex):
    offered = suggest_scales(CATALOGUE, hair_loss_type, sex)
    assert set(offered) <= set(CATALOGUE.scale_ids)


# --- severity ranks -------------------------------------------------------------------------


def test_norwood_ranks_follow_the_stage_order():
    ranks = [scale_rank(CATALOGUE, "norwood", stage) for stage in NORWOOD]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(NORWOOD)


@pytest.mark.parametrize(
    ("stage", "at_least_iv"),
    [("I", False), ("IIIa", False), ("III_vertex", False), ("IV", True), ("IVa", True), ("V", True), ("VII", True)],
)
def test_planner_can_ask_is_norwood_at_least_iv(stage, at_least_iv):
    assert (scale_rank(CATALOGUE, "norwood", stage) >= scale_rank(CATALOGUE, "norwood", "IV")) is at_least_iv


@pytest.mark.parametrize(
    ("score", "rank"),
    [(0, 0), (0.1, 1), (24.9, 1), (25, 2), (49.9, 2), (50, 3), (74.9, 3), (75, 4), (99.9, 4), (100, 5)],
)
def test_salt_score_ranks_by_its_severity_band(score, rank):
    assert scale_rank(CATALOGUE, "salt", score) == rank


@pytest.mark.parametrize(
    ("scale", "value"),
    [("norwood", "VIII"), ("norwood", "iv"), ("ludwig", "IV"), ("sinclair", 3), ("savin", "I"), ("norwood", None)],
)
def test_scale_rank_refuses_unknown_scales_and_stages(scale, value):
    with pytest.raises(KeyError):
        scale_rank(CATALOGUE, scale, value)


@pytest.mark.parametrize("score", [-1, 100.5, math.nan, "50"])
def test_scale_rank_refuses_a_salt_score_outside_0_to_100(score):
    with pytest.raises(ValidationError):
        scale_rank(CATALOGUE, "salt", score)


# --- malformed options are refused with the entry named --------------------------------------


def _broken(edit):
    data = copy.deepcopy(RAW_OPTIONS)
    edit(data)
    return data


@pytest.mark.parametrize(
    ("edit", "names"),
    [
        (lambda d: d["scale"].pop("ludwig"), "ludwig"),
        (lambda d: d["scale"].update(savin={"label": "Savin"}), "savin"),
        (lambda d: d["scale"]["salt"]["region"][0].update(weight=41), "add up to 100"),
        (lambda d: d["scale"]["salt"]["region"][0].update(id="crown"), "vertex"),
        (lambda d: d["scale"]["norwood"]["stage"][1].update(id="I"), "'I'"),
        (lambda d: d["scale"]["norwood"]["stage"][1].update(rank="two"), "stage 'II'"),
        (lambda d: d["scale"]["norwood"]["stage"][1].update(colour="red"), "colour"),
        (lambda d: d["scale"]["sinclair"]["stage"][0].update(id="1 a"), "sinclair"),
        (lambda d: d["scale"]["salt"]["band"][2].update(min=0), "band 'S2'"),
        (lambda d: d["scale"]["ludwig"].update(stage=[]), "ludwig"),
        (lambda d: d["hair_loss_type"][0]["scales"].update(male=["hamilton"]), "androgenetic"),
        (lambda d: d["hair_loss_type"][1]["scales"].update(unknown=["salt"]), "alopecia_areata"),
    ],
)
def test_malformed_scale_options_are_refused_naming_the_entry(edit, names):
    with pytest.raises(OptionsError) as caught:
        parse_scales(_broken(edit))
    assert names in str(caught.value)
