"""A hand-drawn-looking signature, the same for the same seed: for the demo's consents and
the self-test, which must sign without a person at the pad."""

from __future__ import annotations

import hashlib
import math
import random

from ...domain.signature import SignatureStrokes, parse_signature


def synthetic_signature(seed: str, width: float = 600.0, height: float = 200.0) -> SignatureStrokes:
    """A smooth, plausible scribbled signature, the same every time for the same ``seed``.

    A tall looped capital, a run of slanted cursive loops of varying height, and an
    underline flourish; pressure swells and fades along each line, ~8 ms per point.
    """
    rng = random.Random(hashlib.sha256(seed.encode("utf-8")).digest())
    baseline = height * rng.uniform(0.58, 0.66)
    x_height = height * rng.uniform(0.13, 0.18)
    slant = rng.uniform(0.25, 0.45)
    strokes: list[list[list[float]]] = []
    clock_ms = 0

    def add(points: list[tuple[float, float]]) -> None:
        nonlocal clock_ms
        stroke = []
        n = len(points)
        for i, (x, y) in enumerate(points):
            swell = math.sin(math.pi * (i + 0.5) / n)  # light at the ends, firm in the middle
            pressure = 0.25 + 0.55 * swell + 0.08 * math.sin(i / 5.0)
            stroke.append([x + slant * (baseline - y), y, clock_ms, pressure])
            clock_ms += rng.randint(6, 10)
        strokes.append(stroke)
        clock_ms += rng.randint(150, 320)  # the pen lifts

    # The capital: a tall stem with a loop at the top.
    left = width * rng.uniform(0.06, 0.10)
    cap = height * rng.uniform(0.5, 0.6)
    capital = []
    for i in range(60):
        s = i / 59
        angle = 2.2 * math.pi * s
        capital.append((left + 0.2 * cap * math.sin(angle) + 14 * s,
                        baseline - cap * (0.5 - 0.5 * math.cos(math.pi * s)) * (1 - 0.25 * s)))
    add(capital)

    # The cursive run: a trochoid gives the loops; slow waves vary their height.
    letters = rng.randint(5, 8)
    advance = (width * 0.78 - left) / (letters * 2 * math.pi)
    loop = advance * rng.uniform(1.3, 1.7)
    phase_a, phase_b = rng.uniform(0, 6.3), rng.uniform(0, 6.3)
    run = []
    steps = letters * 28
    start_x = left + cap * 0.35
    for i in range(steps + 1):
        s = 2 * math.pi * letters * i / steps
        wave = 1 + 0.35 * math.sin(s / 3.1 + phase_a) + 0.2 * math.sin(s / 1.7 + phase_b)
        tall = 1 + 1.1 * max(0.0, math.sin(s / 2.3 + phase_b)) ** 6  # now and then an ascender
        x = start_x + advance * s + loop * math.sin(s)  # loops at the tops, as in cursive l and e
        y = baseline - x_height * wave * tall * (1 - math.cos(s)) / 2
        run.append((x, y))
    add(run)

    # The flourish: a gentle curve under the name, right to left.
    end_x = run[-1][0]
    flourish = []
    for i in range(40):
        s = i / 39
        flourish.append((end_x - s * (end_x - start_x) * 0.9,
                         baseline + height * 0.12 + height * 0.06 * math.sin(math.pi * s * 1.2)))
    add(flourish)

    return parse_signature({"width": width, "height": height, "strokes": strokes})
