"""Scalp geometry: the shipped map, hit testing and coverage maths."""

from __future__ import annotations

import copy
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.polygon import (
    interior_point,
    is_simple_polygon,
    point_in_polygon,
    polygon_area,
    polygon_centroid,
)
from meso_kiosk.domain.scalp import (
    SALT_REGIONS,
    STANDARD_ZONE_IDS,
    cumulative_coverage,
    history_counts,
    parse_geometry,
    salt_region_shares,
    session_coverage,
    union_coverage,
    zone_at,
)
from meso_kiosk.resources import resource_path


def _shipped_data() -> dict:
    return json.loads(resource_path("scalp/zones.json").read_text(encoding="utf-8"))


SHIPPED = _shipped_data()
GEOMETRY = parse_geometry(SHIPPED)
ZONE_IDS = GEOMETRY.zone_ids

EXPECTED_SALT = {
    "frontal_hairline": "vertex",
    "mid_scalp": "vertex",
    "vertex": "vertex",
    "left_temporal": "left",
    "left_parietal": "left",
    "right_temporal": "right",
    "right_parietal": "right",
    "occipital": "posterior",
}


# ---------------------------------------------------------------- the shipped file


def test_geometry_zone_ids_match_the_zone_catalogue():
    assert set(ZONE_IDS) == set(STANDARD_ZONE_IDS)
    assert len(ZONE_IDS) == len(set(ZONE_IDS))


def test_every_zone_belongs_to_its_salt_region():
    assert {zone.id: zone.salt_region for zone in GEOMETRY.zones} == EXPECTED_SALT
    assert set(salt_region_shares(GEOMETRY)) == set(SALT_REGIONS)


def test_shares_add_up_to_one_and_follow_the_polygon_areas():
    assert math.fsum(zone.area_share for zone in GEOMETRY.zones) == pytest.approx(1.0, abs=1e-9)
    total = math.fsum(polygon_area(zone.polygon) for zone in GEOMETRY.zones)
    for zone in GEOMETRY.zones:
        assert zone.area_share == pytest.approx(polygon_area(zone.polygon) / total, abs=1.5e-4), zone.id


def test_zones_tile_the_outline_in_area():
    zones_area = math.fsum(polygon_area(zone.polygon) for zone in GEOMETRY.zones)
    assert zones_area == pytest.approx(polygon_area(GEOMETRY.outline), rel=1e-9)


def test_zones_tile_the_outline_point_by_point():
    # Odd offsets keep sample points off the 0.1-grid edges.
    misses, doubles = [], []
    for i in range(100):
        for j in range(100):
            x, y = 3.37 + 10 * i, 4.71 + 10 * j
            inside_outline = point_in_polygon(GEOMETRY.outline, x, y)
            hits = [zone.id for zone in GEOMETRY.zones if zone.contains(x, y)]
            if inside_outline and not hits:
                misses.append((x, y))
            if len(hits) > 1 or (hits and not inside_outline):
                doubles.append((x, y, hits))
    assert misses == []
    assert doubles == []


def test_zone_polygons_are_simple_and_organic():
    for zone in GEOMETRY.zones:
        assert is_simple_polygon(zone.polygon), zone.id
        # Smooth shapes, not boxes.
        assert len(zone.polygon) >= 30, zone.id
    assert is_simple_polygon(GEOMETRY.outline)


@pytest.mark.parametrize("zone_id", STANDARD_ZONE_IDS)
def test_label_anchor_and_interior_point_hit_exactly_that_zone(zone_id):
    zone = GEOMETRY.zone(zone_id)
    assert zone_at(GEOMETRY, *zone.label_at) == zone_id
    assert zone_at(GEOMETRY, *interior_point(zone.polygon)) == zone_id


@pytest.mark.parametrize("zone_id", STANDARD_ZONE_IDS)
def test_centroid_hits_its_zone_when_it_lies_inside(zone_id):
    zone = GEOMETRY.zone(zone_id)
    centroid = polygon_centroid(zone.polygon)
    # Every shipped zone is shaped so its centroid is inside (good for labels).
    assert zone_at(GEOMETRY, *centroid) == zone_id


def test_orientation_front_top_patient_left_on_viewer_left():
    label = {zone.id: zone.label_at for zone in GEOMETRY.zones}
    assert label["left_temporal"][0] < 500 < label["right_temporal"][0]
    assert label["left_parietal"][0] < 500 < label["right_parietal"][0]
    assert label["frontal_hairline"][1] < label["mid_scalp"][1] < label["vertex"][1] < label["occipital"][1]
    assert SHIPPED["orientation"]["patient_left"] == "viewer_left"
    assert SHIPPED["orientation"]["front"] == "top"
    texts = {lab.id: lab for lab in GEOMETRY.labels}
    top_of_scalp = min(y for _, y in GEOMETRY.outline)
    bottom_of_scalp = max(y for _, y in GEOMETRY.outline)
    assert texts["front"].text == "FRONT" and texts["front"].at[1] < top_of_scalp
    assert texts["back"].text == "BACK" and texts["back"].at[1] > bottom_of_scalp


def test_nose_and_ears_sit_outside_the_scalp():
    kinds = {dec.id: dec for dec in GEOMETRY.decorations}
    nose = kinds["nose"]
    assert min(y for _, y in nose.points) < min(y for _, y in GEOMETRY.outline)
    left_ear, right_ear = kinds["left_ear"], kinds["right_ear"]
    assert min(x for x, _ in left_ear.points) < min(x for x, _ in GEOMETRY.outline)
    assert max(x for x, _ in right_ear.points) > max(x for x, _ in GEOMETRY.outline)
    for dec in (nose, left_ear, right_ear):
        # The visible tip of each cue is no zone.
        far = max(dec.points, key=lambda p: abs(p[0] - 500) + abs(p[1] - 515))
        assert zone_at(GEOMETRY, *far) is None


@pytest.mark.parametrize(
    "point",
    [(0, 0), (1000, 1000), (500, 5), (500, 995), (20, 515), (980, 515), (500, 60), (150, 150)],
)
def test_points_outside_the_outline_hit_nothing(point):
    assert zone_at(GEOMETRY, *point) is None


def test_points_just_outside_every_outline_vertex_hit_nothing():
    cx, cy = 500.0, 515.0
    for x, y in GEOMETRY.outline:
        # Push each outline point 2 % further from the middle.
        assert zone_at(GEOMETRY, cx + (x - cx) * 1.02, cy + (y - cy) * 1.02) is None


@pytest.mark.parametrize(
    "x, y", [(math.nan, 500), (500, math.inf), (-math.inf, 0), ("500", "x"), (None, 1), (10**400, 1)]
)
def test_zone_at_never_crashes_on_hostile_points(x, y):
    assert zone_at(GEOMETRY, x, y) is None


# ---------------------------------------------------------------- parse validation


def _mutated(change) -> dict:
    data = copy.deepcopy(SHIPPED)
    change(data)
    return data


def _zone(data: dict, zone_id: str) -> dict:
    return next(z for z in data["zones"] if z["id"] == zone_id)


def _set(data, zone_id, key, value):
    _zone(data, zone_id)[key] = value


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda d: d["zones"].append(copy.deepcopy(d["zones"][0])), "zones.frontal_hairline"),
        (lambda d: _set(d, "vertex", "polygon", [[1, 1], [2, 2]]), "zones.vertex.polygon"),
        (lambda d: _set(d, "vertex", "polygon", [[400, 500], [600, 700], [600, 500], [400, 700]]),
         "zones.vertex.polygon"),
        (lambda d: _set(d, "vertex", "polygon", [[1, 1], [2, 2], [3, 3]]), "zones.vertex.polygon"),
        (lambda d: _set(d, "vertex", "polygon", "M 0 0 L 10 10"), "zones.vertex.polygon"),
        (lambda d: _zone(d, "vertex")["polygon"].__setitem__(3, [math.nan, 5]), "zones.vertex.polygon[3]"),
        (lambda d: _zone(d, "vertex")["polygon"].__setitem__(3, [True, 5]), "zones.vertex.polygon[3]"),
        (lambda d: _zone(d, "vertex")["polygon"].__setitem__(3, [5000, 5]), "zones.vertex.polygon[3]"),
        (lambda d: _set(d, "vertex", "area_share", 0.5), "zones.area_share"),
        (lambda d: _set(d, "vertex", "area_share", -0.1), "zones.vertex.area_share"),
        (lambda d: _set(d, "vertex", "area_share", "14%"), "zones.vertex.area_share"),
        (lambda d: _set(d, "vertex", "salt_region", "crown"), "zones.vertex.salt_region"),
        (lambda d: _set(d, "vertex", "label", ""), "zones.vertex.label"),
        (lambda d: _set(d, "vertex", "label", "Vertex\x00"), "zones.vertex.label"),
        (lambda d: _set(d, "vertex", "label_at", [500, 200]), "zones.vertex.label_at"),
        (lambda d: _set(d, "vertex", "id", "Vertex Crown"), "zones[2].id"),
        (lambda d: _set(d, "vertex", "id", "crown"), "zones"),
        (lambda d: d.__setitem__("view_box", [0, 0, -1, 1000]), "view_box"),
        (lambda d: d.__setitem__("outline", []), "outline"),
        (lambda d: d.__setitem__("zones", []), "zones"),
        (lambda d: d["decorations"][0].__setitem__("points", [[1, 2]]), "decorations[0].points"),
        (lambda d: d["labels"][0].__setitem__("at", None), "labels[0].at"),
    ],
)
def test_parse_geometry_names_the_faulty_field(change, field):
    with pytest.raises(ValidationError) as caught:
        parse_geometry(_mutated(change))
    assert field in caught.value.errors


def test_a_gap_in_the_map_is_refused():
    def shrink_vertex(data):
        # Pull the crown in towards its middle: a gap opens around it.
        zone = _zone(data, "vertex")
        cx, cy = zone["label_at"]
        zone["polygon"] = [[cx + (x - cx) * 0.8, cy + (y - cy) * 0.8] for x, y in zone["polygon"]]

    with pytest.raises(ValidationError) as caught:
        parse_geometry(_mutated(shrink_vertex))
    assert "zones.polygon" in caught.value.errors


@pytest.mark.parametrize("data", [None, [], "zones", 42, {"zones": "x"}, {}])
def test_parse_geometry_refuses_non_geometry(data):
    with pytest.raises(ValidationError):
        parse_geometry(data)


# ---------------------------------------------------------------- coverage maths

zone_subsets = st.sets(st.sampled_from(ZONE_IDS))
session_lists = st.lists(zone_subsets, max_size=12)


def test_all_zones_cover_the_whole_scalp():
    assert session_coverage(GEOMETRY, ZONE_IDS) == pytest.approx(100.0)
    assert session_coverage(GEOMETRY, []) == 0.0
    assert session_coverage(GEOMETRY, ["vertex"]) == pytest.approx(GEOMETRY.zone("vertex").area_share * 100)


def test_unknown_zone_ids_count_for_nothing():
    assert session_coverage(GEOMETRY, ["vertex", "old_zone", None, 3]) == session_coverage(GEOMETRY, ["vertex"])


@given(zone_subsets)
def test_session_coverage_stays_between_0_and_100(zone_ids):
    percent = session_coverage(GEOMETRY, zone_ids)
    assert 0.0 <= percent <= 100.0
    assert percent == pytest.approx(100 * math.fsum(GEOMETRY.zone(z).area_share for z in zone_ids))


@given(zone_subsets, zone_subsets)
def test_session_coverage_adds_up_over_disjoint_zones(a, b):
    b = b - a
    assert session_coverage(GEOMETRY, a | b) == pytest.approx(
        session_coverage(GEOMETRY, a) + session_coverage(GEOMETRY, b)
    )


@given(zone_subsets)
def test_a_zone_set_and_its_complement_make_100_percent(zone_ids):
    rest = set(ZONE_IDS) - zone_ids
    assert session_coverage(GEOMETRY, zone_ids) + session_coverage(GEOMETRY, rest) == pytest.approx(100.0)


@given(session_lists, zone_subsets)
def test_union_coverage_is_monotone_and_bounded(sessions, extra):
    before = union_coverage(GEOMETRY, sessions)
    after = union_coverage(GEOMETRY, [*sessions, extra])
    assert 0.0 <= before <= after <= 100.0
    for zone_ids in sessions:
        assert session_coverage(GEOMETRY, zone_ids) <= before + 1e-9


@given(session_lists)
def test_history_counts_count_sessions_per_zone(sessions):
    counts = history_counts(GEOMETRY, sessions)
    assert list(counts) == list(ZONE_IDS)
    for zone_id, count in counts.items():
        assert count == sum(1 for zone_ids in sessions if zone_id in zone_ids)
        assert 0 <= count <= len(sessions)


@given(session_lists)
def test_cumulative_coverage_agrees_with_its_parts(sessions):
    summary = cumulative_coverage(GEOMETRY, sessions)
    assert summary.sessions == len(sessions)
    assert dict(summary.counts) == history_counts(GEOMETRY, sessions)
    assert summary.union_percent == pytest.approx(union_coverage(GEOMETRY, sessions))
    treated = {zone_id for zone_id, count in summary.counts.items() if count}
    assert summary.union_percent == pytest.approx(session_coverage(GEOMETRY, treated))
    assert summary.max_count == max(summary.counts.values())


def test_three_sessions_of_history():
    sessions = [{"vertex", "mid_scalp"}, {"vertex"}, {"vertex", "occipital", "vertex"}]
    summary = cumulative_coverage(GEOMETRY, sessions)
    assert summary.counts["vertex"] == 3
    assert summary.counts["mid_scalp"] == 1
    assert summary.counts["frontal_hairline"] == 0
    assert summary.max_count == 3


# ---------------------------------------------------------------- polygon helpers


@st.composite
def star_polygons(draw):
    """Simple polygons of any shape class: radii vary wildly around a centre."""
    n = draw(st.integers(min_value=3, max_value=40))
    radii = draw(st.lists(st.floats(min_value=5, max_value=400), min_size=n, max_size=n))
    cx = draw(st.floats(min_value=400, max_value=600))
    cy = draw(st.floats(min_value=400, max_value=600))
    return [
        (cx + r * math.cos(2 * math.pi * i / n), cy + r * math.sin(2 * math.pi * i / n))
        for i, r in enumerate(radii)
    ]


@settings(max_examples=200)
@given(star_polygons())
def test_interior_point_is_always_inside(polygon):
    assert point_in_polygon(polygon, *interior_point(polygon))


@given(star_polygons(), st.floats(-1000, 1000), st.floats(-1000, 1000))
def test_area_does_not_depend_on_direction_or_start(polygon, dx, dy):
    moved = [(x + dx, y + dy) for x, y in polygon]
    assert polygon_area(list(reversed(polygon))) == pytest.approx(polygon_area(polygon))
    assert polygon_area(moved) == pytest.approx(polygon_area(polygon), rel=1e-6, abs=1e-6)


@given(st.floats(0, 1000), st.floats(0, 1000))
def test_zone_at_agrees_with_the_zone_polygons(x, y):
    found = zone_at(GEOMETRY, x, y)
    if found is None:
        return
    assert GEOMETRY.zone(found).contains(x, y)
    assert point_in_polygon(GEOMETRY.outline, x, y)
