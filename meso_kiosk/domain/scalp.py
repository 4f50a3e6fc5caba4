"""Scalp-zone geometry (from ``resources/scalp/zones.json``) and coverage maths.

Sessions store named zone ids, never picture coordinates, so the drawing can be
redrawn or restyled without breaking the history. Everything here works in the
file's normalised coordinate space (y grows downward, nose at the top); the Qt
map and the PDF figure scale it to their own size.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .errors import ValidationError
from .polygon import Point, is_simple_polygon, point_in_polygon, polygon_area


# The zone ids the database, the PDF and the tests rely on. They are a contract
# with stored data, which is why they live in code and not only in the file.
STANDARD_ZONE_IDS: tuple[str, ...] = (
    "frontal_hairline",
    "mid_scalp",
    "vertex",
    "left_temporal",
    "right_temporal",
    "left_parietal",
    "right_parietal",
    "occipital",
)

# The four regions of the SALT score (alopecia areata).
SALT_REGIONS: tuple[str, ...] = ("vertex", "posterior", "left", "right")

SHARE_TOLERANCE = 1e-6
# Zones must tile the outline; a small slack absorbs rounding of the points.
_TILING_TOLERANCE = 0.005
_ZONE_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_MAX_POINTS = 5000


@dataclass(frozen=True)
class ScalpZone:
    """One named area of the scalp map."""

    id: str
    label: str
    salt_region: str
    area_share: float  # fraction of the whole scalp area (all zones add up to 1)
    polygon: tuple[Point, ...]
    label_at: Point  # where to draw the label; always inside the polygon

    def contains(self, x: float, y: float) -> bool:
        return point_in_polygon(self.polygon, x, y)


@dataclass(frozen=True)
class Decoration:
    """A drawing that helps orientation (nose, ears); never selectable."""

    id: str
    kind: str
    points: tuple[Point, ...]
    closed: bool


@dataclass(frozen=True)
class OrientationLabel:
    """A fixed caption such as FRONT or BACK."""

    id: str
    text: str
    at: Point


@dataclass(frozen=True)
class ViewBox:
    x: float
    y: float
    width: float
    height: float

    def contains(self, point: Point) -> bool:
        px, py = point
        return self.x <= px <= self.x + self.width and self.y <= py <= self.y + self.height


@dataclass(frozen=True)
class ScalpGeometry:
    """The whole map: zones in drawing order, the scalp outline and the cues."""

    zones: tuple[ScalpZone, ...]
    outline: tuple[Point, ...]
    decorations: tuple[Decoration, ...]
    labels: tuple[OrientationLabel, ...]
    view_box: ViewBox

    @property
    def zone_ids(self) -> tuple[str, ...]:
        return tuple(zone.id for zone in self.zones)

    def zone(self, zone_id: str) -> ScalpZone:
        for zone in self.zones:
            if zone.id == zone_id:
                return zone
        raise KeyError(zone_id)

    def has_zone(self, zone_id: object) -> bool:
        return any(zone.id == zone_id for zone in self.zones)


# ---------------------------------------------------------------- hit testing


def zone_at(geometry: ScalpGeometry, x: float, y: float) -> str | None:
    """Id of the zone under the point (normalised coordinates), or None outside the scalp."""
    try:
        x, y = float(x), float(y)
    except (TypeError, ValueError, OverflowError):
        return None
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    if not point_in_polygon(geometry.outline, x, y):
        return None
    for zone in geometry.zones:
        if zone.contains(x, y):
            return zone.id
    return None


# ---------------------------------------------------------------- coverage maths


def _known_ids(geometry: ScalpGeometry, zone_ids: Iterable[object]) -> set[str]:
    # Ids a newer geometry no longer draws have no known area: they count as nothing.
    known = set(geometry.zone_ids)
    return {zone_id for zone_id in zone_ids if isinstance(zone_id, str) and zone_id in known}


def session_coverage(geometry: ScalpGeometry, zone_ids: Iterable[str]) -> float:
    """Percent (0–100) of the scalp area covered by the given zones."""
    chosen = _known_ids(geometry, zone_ids)
    share = math.fsum(zone.area_share for zone in geometry.zones if zone.id in chosen)
    return max(0.0, min(100.0, share * 100.0))


def history_counts(geometry: ScalpGeometry, sessions: Iterable[Iterable[str]]) -> dict[str, int]:
    """For every zone (in map order), how many sessions treated it (0 if none)."""
    counts = {zone_id: 0 for zone_id in geometry.zone_ids}
    for zone_ids in sessions:
        for zone_id in _known_ids(geometry, zone_ids):
            counts[zone_id] += 1
    return counts


def union_coverage(geometry: ScalpGeometry, sessions: Iterable[Iterable[str]]) -> float:
    """Percent of the scalp treated at least once over the given sessions."""
    treated: set[str] = set()
    for zone_ids in sessions:
        treated |= _known_ids(geometry, zone_ids)
    return session_coverage(geometry, treated)


@dataclass(frozen=True)
class CumulativeCoverage:
    counts: Mapping[str, int]  # zone id -> number of sessions that treated it
    union_percent: float  # percent of the scalp treated at least once
    sessions: int

    @property
    def max_count(self) -> int:
        return max(self.counts.values(), default=0)


def cumulative_coverage(
    geometry: ScalpGeometry, sessions: Iterable[Iterable[str]]
) -> CumulativeCoverage:
    """Counts per zone and the union percent over a patient's sessions."""
    session_sets = [frozenset(zone_ids) for zone_ids in sessions]
    return CumulativeCoverage(
        counts=history_counts(geometry, session_sets),
        union_percent=union_coverage(geometry, session_sets),
        sessions=len(session_sets),
    )


def salt_region_shares(geometry: ScalpGeometry) -> dict[str, float]:
    """Area share of each SALT region on this map (for comparison with SALT weights)."""
    shares = {region: 0.0 for region in SALT_REGIONS}
    for zone in geometry.zones:
        shares[zone.salt_region] += zone.area_share
    return shares


# ---------------------------------------------------------------- parsing


class _Errors:
    """Collects problems so one parse reports everything wrong with the file."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _point(value: object, field: str, errors: _Errors, view_box: ViewBox | None) -> Point | None:
    if not (isinstance(value, (list, tuple)) and len(value) == 2 and all(map(_is_number, value))):
        errors.add(field, "A point must be a pair of numbers [x, y].")
        return None
    point = (float(value[0]), float(value[1]))
    if view_box is not None and not view_box.contains(point):
        errors.add(field, f"The point {list(point)} lies outside the drawing area.")
        return None
    return point


def _points(
    value: object, field: str, errors: _Errors, view_box: ViewBox | None, *, minimum: int
) -> tuple[Point, ...] | None:
    if not isinstance(value, (list, tuple)) or not (minimum <= len(value) <= _MAX_POINTS):
        errors.add(field, f"Expected a list of {minimum} to {_MAX_POINTS} [x, y] points.")
        return None
    before = len(errors.errors)
    points = [_point(item, f"{field}[{i}]", errors, view_box) for i, item in enumerate(value)]
    if len(errors.errors) != before:
        return None
    return tuple(p for p in points if p is not None)


def _polygon(
    value: object, field: str, errors: _Errors, view_box: ViewBox
) -> tuple[Point, ...] | None:
    points = _points(value, field, errors, view_box, minimum=3)
    if points is None:
        return None
    if points[0] == points[-1]:
        points = points[:-1]  # tolerate an explicitly closed ring
    if len(points) < 3 or polygon_area(points) <= 0:
        errors.add(field, "The polygon has no area.")
        return None
    if not is_simple_polygon(points):
        errors.add(field, "The polygon crosses itself or repeats a point.")
        return None
    return points


def _text(value: object, field: str, errors: _Errors, *, max_length: int = 80) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        errors.add(field, f"Expected a text of 1 to {max_length} characters.")
        return None
    if any(ord(ch) < 32 for ch in value):
        errors.add(field, "The text contains a control character.")
        return None
    return value.strip()


def _view_box(value: object, errors: _Errors) -> ViewBox | None:
    if (
        isinstance(value, (list, tuple))
        and len(value) == 4
        and all(map(_is_number, value))
        and value[2] > 0
        and value[3] > 0
    ):
        return ViewBox(*(float(v) for v in value))
    errors.add("view_box", "view_box must be [x, y, width, height] with a positive size.")
    return None


def _zone(raw: object, index: int, errors: _Errors, view_box: ViewBox) -> ScalpZone | None:
    field = f"zones[{index}]"
    if not isinstance(raw, Mapping):
        errors.add(field, "Each zone must be an object with id, label, polygon and so on.")
        return None
    before = len(errors.errors)
    zone_id = raw.get("id")
    if not isinstance(zone_id, str) or not _ZONE_ID.match(zone_id):
        errors.add(
            f"{field}.id", "A zone id must be lower-case letters, digits and _ (e.g. mid_scalp)."
        )
    else:
        field = f"zones.{zone_id}"
    label = _text(raw.get("label"), f"{field}.label", errors)
    region = raw.get("salt_region")
    if region not in SALT_REGIONS:
        errors.add(f"{field}.salt_region", f"salt_region must be one of {', '.join(SALT_REGIONS)}.")
    share = raw.get("area_share")
    if not _is_number(share) or not 0 < share <= 1:
        errors.add(f"{field}.area_share", "area_share must be a number above 0 and at most 1.")
    polygon = _polygon(raw.get("polygon"), f"{field}.polygon", errors, view_box)
    label_at = _point(raw.get("label_at"), f"{field}.label_at", errors, view_box)
    if polygon is not None and label_at is not None and not point_in_polygon(polygon, *label_at):
        errors.add(f"{field}.label_at", "The label position must lie inside the zone.")
    if len(errors.errors) != before:
        return None
    return ScalpZone(
        id=zone_id,
        label=label,
        salt_region=region,
        area_share=float(share),
        polygon=polygon,
        label_at=label_at,
    )


def _decorations(value: object, errors: _Errors, view_box: ViewBox) -> tuple[Decoration, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        errors.add("decorations", "decorations must be a list.")
        return ()
    result = []
    for i, raw in enumerate(value):
        field = f"decorations[{i}]"
        if not isinstance(raw, Mapping):
            errors.add(field, "Each decoration must be an object.")
            continue
        dec_id = _text(raw.get("id"), f"{field}.id", errors)
        kind = _text(raw.get("kind"), f"{field}.kind", errors)
        points = _points(raw.get("points"), f"{field}.points", errors, view_box, minimum=2)
        closed = raw.get("closed", False)
        if not isinstance(closed, bool):
            errors.add(f"{field}.closed", "closed must be true or false.")
            continue
        if dec_id and kind and points:
            result.append(Decoration(id=dec_id, kind=kind, points=points, closed=closed))
    return tuple(result)


def _labels(value: object, errors: _Errors, view_box: ViewBox) -> tuple[OrientationLabel, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        errors.add("labels", "labels must be a list.")
        return ()
    result = []
    for i, raw in enumerate(value):
        field = f"labels[{i}]"
        if not isinstance(raw, Mapping):
            errors.add(field, "Each label must be an object.")
            continue
        label_id = _text(raw.get("id"), f"{field}.id", errors)
        text = _text(raw.get("text"), f"{field}.text", errors)
        at = _point(raw.get("at"), f"{field}.at", errors, view_box)
        if label_id and text and at:
            result.append(OrientationLabel(id=label_id, text=text, at=at))
    return tuple(result)


def parse_geometry(data: object) -> ScalpGeometry:
    """Check and convert the parsed ``zones.json`` into a ``ScalpGeometry``.

    Raises ``ValidationError`` naming every problem found: duplicate ids, missing
    standard zones, bad polygons, shares that do not add up to 1, zones that do
    not tile the outline.
    """
    errors = _Errors()
    if not isinstance(data, Mapping):
        raise ValidationError.single("geometry", "The scalp geometry must be a JSON object.")
    view_box = _view_box(data.get("view_box"), errors)
    errors.raise_if_any()
    outline = _polygon(data.get("outline"), "outline", errors, view_box)

    raw_zones = data.get("zones")
    if not isinstance(raw_zones, list) or not raw_zones:
        raise ValidationError.single("zones", "The scalp geometry must list its zones.")
    zones: list[ScalpZone] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_zones):
        zone = _zone(raw, index, errors, view_box)
        if zone is None:
            continue
        if zone.id in seen:
            errors.add(f"zones.{zone.id}", f"The zone id '{zone.id}' is used twice.")
            continue
        seen.add(zone.id)
        zones.append(zone)
    decorations = _decorations(data.get("decorations"), errors, view_box)
    labels = _labels(data.get("labels"), errors, view_box)
    errors.raise_if_any()

    missing = [zone_id for zone_id in STANDARD_ZONE_IDS if zone_id not in seen]
    if missing:
        errors.add("zones", f"The scalp map lacks these standard zones: {', '.join(missing)}.")
    total_share = math.fsum(zone.area_share for zone in zones)
    if abs(total_share - 1.0) > SHARE_TOLERANCE:
        errors.add("zones.area_share", f"The zone area shares add up to {total_share:.6f}, not 1.")
    outline_area = polygon_area(outline)
    zones_area = math.fsum(polygon_area(zone.polygon) for zone in zones)
    if abs(zones_area - outline_area) > _TILING_TOLERANCE * outline_area:
        errors.add(
            "zones.polygon",
            "The zones do not cover the scalp outline exactly (a gap or an overlap).",
        )
    errors.raise_if_any()
    return ScalpGeometry(
        zones=tuple(zones),
        outline=outline,
        decorations=decorations,
        labels=labels,
        view_box=view_box,
    )
