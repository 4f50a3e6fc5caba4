"""The patient's signature as vector data: points with time and pressure, a canonical
JSON form and its SHA-256. ``parse_signature`` refuses empty, trivially small and
absurdly large signatures."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .consent_template import sha256_text
from .errors import ValidationError


SIGNATURE_FORMAT = 1
MIN_POINTS = 10            # a tap or a dot is not a signature
MIN_EXTENT = 40.0          # the longer side of the signature's box, in pad pixels
MIN_INK = 80.0             # total length of the lines drawn, in pad pixels
MAX_STROKES = 100
MAX_POINTS = 20_000        # about 2½ minutes of drawing at 120 points a second
MAX_PAD_SIZE = 10_000.0
MAX_DURATION_MS = 30 * 60 * 1000


class SignatureError(ValidationError):
    """A signature cannot be accepted. ``code`` ("empty", "too_small", "too_big",
    "invalid") lets the hand-off screen pick its own words (template ``screen`` keys
    ``signature_empty`` etc.); the message is a friendly English fallback."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__({"signature": message})


@dataclass(frozen=True)
class SignaturePoint:
    x: float                # pad pixels from the left
    y: float                # pad pixels from the top
    t_ms: int               # milliseconds since the first point of the signature
    pressure: float = 0.5   # 0..1; 0.5 when the device gives none (finger, mouse)


Stroke = tuple[SignaturePoint, ...]


@dataclass(frozen=True)
class SignatureStrokes:
    """A handwritten signature as vector data: the source of truth (a PNG is derived).

    Build one with ``parse_signature`` (validating) or ``SignatureStrokes.from_json``
    (reading a stored one back). ``canonical_json`` is byte-for-byte stable, and
    ``sha256`` is over its UTF-8 bytes.
    """

    width: float
    height: float
    strokes: tuple[Stroke, ...]

    @property
    def point_count(self) -> int:
        return sum(len(stroke) for stroke in self.strokes)

    def bounding_box(self) -> tuple[float, float, float, float] | None:
        """(left, top, right, bottom) of all points, or None when there are none."""
        points = [p for stroke in self.strokes for p in stroke]
        if not points:
            return None
        xs = [p.x for p in points]
        ys = [p.y for p in points]
        return min(xs), min(ys), max(xs), max(ys)

    def ink_length(self) -> float:
        return sum(math.dist((a.x, a.y), (b.x, b.y)) for s in self.strokes for a, b in zip(s, s[1:]))

    def to_data(self) -> dict:
        return {
            "format": SIGNATURE_FORMAT,
            "width": self.width,
            "height": self.height,
            "strokes": [[[p.x, p.y, p.t_ms, p.pressure] for p in stroke] for stroke in self.strokes],
        }

    def canonical_json(self) -> str:
        return json.dumps(self.to_data(), sort_keys=True, separators=(",", ":"), allow_nan=False)

    @property
    def sha256(self) -> str:
        return sha256_text(self.canonical_json())

    @classmethod
    def from_json(cls, text: str) -> "SignatureStrokes":
        """Read a stored signature back (no size check: it was checked when signed)."""
        return _build_signature(json.loads(text), check_size=False)


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SignatureError("invalid", f"The signature data has a bad {what}; please clear and sign again.")
    return float(value)


def _coordinate(value: object, limit: float, what: str) -> float:
    # Points a finger drags just outside the pad are put on its edge.
    return round(min(max(_number(value, what), 0.0), limit), 2) + 0.0


def _build_signature(raw: object, *, check_size: bool) -> SignatureStrokes:
    if isinstance(raw, (str, bytes)):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError) as error:
            raise SignatureError("invalid", "The signature data is damaged; please clear and sign again.") from error
    if not isinstance(raw, Mapping):
        raise SignatureError("invalid", "The signature data is damaged; please clear and sign again.")
    width = _number(raw.get("width"), "pad width")
    height = _number(raw.get("height"), "pad height")
    if not (1 <= width <= MAX_PAD_SIZE and 1 <= height <= MAX_PAD_SIZE):
        raise SignatureError("invalid", "The signature pad size is not valid.")
    strokes_raw = raw.get("strokes")
    if strokes_raw is None:
        strokes_raw = []
    if not isinstance(strokes_raw, Sequence) or isinstance(strokes_raw, (str, bytes)):
        raise SignatureError("invalid", "The signature data is damaged; please clear and sign again.")
    if check_size and len(strokes_raw) > MAX_STROKES:
        raise SignatureError("too_big", "This signature has too many lines. Please clear it and sign once, as usual.")
    total = 0
    strokes: list[Stroke] = []
    for stroke_raw in strokes_raw:
        if not isinstance(stroke_raw, Sequence) or isinstance(stroke_raw, (str, bytes)):
            raise SignatureError("invalid", "The signature data is damaged; please clear and sign again.")
        total += len(stroke_raw)
        if check_size and total > MAX_POINTS:
            raise SignatureError("too_big", "This signature is far too long. Please clear it and sign once, as usual.")
        points: list[SignaturePoint] = []
        for point in stroke_raw:
            if not isinstance(point, Sequence) or isinstance(point, (str, bytes)) or len(point) not in (3, 4):
                raise SignatureError("invalid", "The signature data is damaged; please clear and sign again.")
            t = _number(point[2], "time")
            if t < 0 or t > MAX_DURATION_MS or t != int(t):
                raise SignatureError("invalid", "The signature has a bad time stamp; please clear and sign again.")
            pressure = 0.5 if len(point) == 3 or point[3] is None else _number(point[3], "pressure")
            pressure = round(min(max(pressure, 0.0), 1.0), 3) + 0.0
            if points and int(t) < points[-1].t_ms:
                raise SignatureError("invalid", "The signature's points are out of order; please clear and sign again.")
            points.append(SignaturePoint(_coordinate(point[0], width, "x"), _coordinate(point[1], height, "y"),
                                         int(t), pressure))
        if points:  # an empty stroke (a touch cancelled at once) is dropped
            strokes.append(tuple(points))
    return SignatureStrokes(round(width, 2), round(height, 2), tuple(strokes))


def parse_signature(raw: object) -> SignatureStrokes:
    """Validate a signature from the pad.

    ``raw`` is a mapping (or its JSON) ``{"width": W, "height": H, "strokes": [[[x, y,
    t_ms, pressure], ...], ...]}``: pad size in pixels, each stroke the points of one
    touch from down to up. ``pressure`` may be omitted or null (0.5 is stored).
    Coordinates are rounded to 0.01 px and kept inside the pad.

    Refuses (``SignatureError``) an empty signature, one with fewer than
    ``MIN_POINTS`` points, one whose box is smaller than ``MIN_EXTENT`` or whose
    lines are shorter than ``MIN_INK`` in total, and absurd sizes.
    """
    signature = _build_signature(raw, check_size=True)
    if signature.point_count == 0:
        raise SignatureError("empty", "Please sign in the box before going on.")
    box = signature.bounding_box()
    assert box is not None
    extent = max(box[2] - box[0], box[3] - box[1])
    if signature.point_count < MIN_POINTS or extent < MIN_EXTENT or signature.ink_length() < MIN_INK:
        raise SignatureError(
            "too_small", "This signature is too small to recognise. Please sign again, a little larger, as you usually do."
        )
    return signature
