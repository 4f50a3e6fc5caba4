"""Plane polygon maths for the scalp map: area, centroid, hit testing, a point well
inside, and whether an outline crosses itself. Points are ``(x, y)`` pairs."""

from __future__ import annotations

import math

Point = tuple[float, float]


def polygon_signed_area(points: tuple[Point, ...] | list[Point]) -> float:
    """Shoelace area; positive when the points run clockwise on screen (y down)."""
    total = math.fsum(
        x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, (*points[1:], points[0]))
    )
    return total / 2.0


def polygon_area(points: tuple[Point, ...] | list[Point]) -> float:
    return abs(polygon_signed_area(points))


def polygon_centroid(points: tuple[Point, ...] | list[Point]) -> Point:
    """Area centroid. It can fall outside a crescent: use ``interior_point`` to draw."""
    area = polygon_signed_area(points)
    if area == 0:
        xs, ys = zip(*points)
        return (math.fsum(xs) / len(xs), math.fsum(ys) / len(ys))
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(points, (*points[1:], points[0])):
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return (cx / (6.0 * area), cy / (6.0 * area))


def point_in_polygon(points: tuple[Point, ...] | list[Point], x: float, y: float) -> bool:
    """Even-odd ray casting; exact for any simple polygon."""
    inside = False
    x2, y2 = points[-1]
    for x1, y1 in points:
        if (y1 > y) != (y2 > y):
            crossing = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < crossing:
                inside = not inside
        x2, y2 = x1, y1
    return inside


def distance_to_boundary(points: tuple[Point, ...] | list[Point], x: float, y: float) -> float:
    best = math.inf
    for (ax, ay), (bx, by) in zip(points, (*points[1:], points[0])):
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
        best = min(best, math.hypot(x - (ax + t * dx), y - (ay + t * dy)))
    return best


def interior_point(points: tuple[Point, ...] | list[Point], scanlines: int = 16) -> Point:
    """A point well inside the polygon (for a label or a test click).

    The centroid when it lies comfortably inside, otherwise the middle of the
    roomiest span found on horizontal and vertical scanlines, so crescent-shaped
    zones (frontal hairline, occipital) still get a point of their own.
    """
    candidates: list[Point] = []
    centroid = polygon_centroid(points)
    if point_in_polygon(points, *centroid):
        candidates.append(centroid)
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    for i in range(1, scanlines + 1):
        fraction = i / (scanlines + 1)
        line_y = min(ys) + (max(ys) - min(ys)) * fraction
        for a, b in _spans(points, line_y, horizontal=True):
            candidates.append(((a + b) / 2.0, line_y))
        line_x = min(xs) + (max(xs) - min(xs)) * fraction
        for a, b in _spans(points, line_x, horizontal=False):
            candidates.append((line_x, (a + b) / 2.0))
    inside = [c for c in candidates if point_in_polygon(points, *c)]
    if not inside:
        return centroid
    return max(inside, key=lambda c: distance_to_boundary(points, *c))


def _spans(points, line: float, *, horizontal: bool) -> list[tuple[float, float]]:
    """Inside intervals where a horizontal (y = line) or vertical (x = line) line crosses."""
    crossings = []
    for (x1, y1), (x2, y2) in zip(points, (*points[1:], points[0])):
        if not horizontal:  # swap axes so the same code handles both directions
            x1, y1, x2, y2 = y1, x1, y2, x2
        if (y1 > line) != (y2 > line):
            crossings.append(x1 + (line - y1) * (x2 - x1) / (y2 - y1))
    crossings.sort()
    return list(zip(crossings[0::2], crossings[1::2]))


def _orientation(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_segment(a: Point, b: Point, p: Point) -> bool:
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def _segments_touch(a: Point, b: Point, c: Point, d: Point) -> bool:
    o1, o2 = _orientation(a, b, c), _orientation(a, b, d)
    o3, o4 = _orientation(c, d, a), _orientation(c, d, b)
    if (o1 * o2 < 0) and (o3 * o4 < 0):  # a proper crossing
        return True
    return (
        (o1 == 0 and _on_segment(a, b, c))
        or (o2 == 0 and _on_segment(a, b, d))
        or (o3 == 0 and _on_segment(c, d, a))
        or (o4 == 0 and _on_segment(c, d, b))
    )


def is_simple_polygon(points: tuple[Point, ...] | list[Point]) -> bool:
    """True when no two non-neighbouring edges touch (no figure-of-eight, no spikes)."""
    n = len(points)
    if n < 3 or len(set(points)) != n:
        return False
    edges = [(points[i], points[(i + 1) % n]) for i in range(n)]
    boxes = [
        (min(a[0], b[0]), max(a[0], b[0]), min(a[1], b[1]), max(a[1], b[1])) for a, b in edges
    ]
    for i in range(n):
        ax0, ax1, ay0, ay1 = boxes[i]
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue  # first and last edges share a corner
            bx0, bx1, by0, by1 = boxes[j]
            if bx0 > ax1 or bx1 < ax0 or by0 > ay1 or by1 < ay0:
                continue
            if _segments_touch(*edges[i], *edges[j]):
                return False
    return True
