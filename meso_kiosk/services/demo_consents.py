"""Demo seeder: consultant PINs, and signed consents with hand-drawn-looking signatures."""

from __future__ import annotations

import hashlib
import math
import random
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from ..domain.consent import ConsentAnswers, Countersignature, make_consent, make_withdrawal
from ..domain.signature import SignatureStrokes, parse_signature
from ..store.consents import insert_consent
from ..store.db import Transaction

if TYPE_CHECKING:
    from .demo import DemoContext

DEMO_DEVICE = "demo-tablet"


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


def _moment(context: "DemoContext", days_ago: int, at: str) -> datetime:
    clock = context.clock
    day = clock.today() - timedelta(days=days_ago)
    local = datetime.combine(day, time.fromisoformat(at), tzinfo=clock.tz)
    return min(local, clock.now_utc() - timedelta(hours=3)).astimezone(clock.now_utc().tzinfo)


def seed_consents(tx: Transaction, context: "DemoContext") -> None:
    data = context.kiosk.clinic_data.demo("consents")
    accounts = context.kiosk.accounts
    consents = context.kiosk.consents
    for entry in data["pin"]:
        accounts.set_initial_pin(tx, context.consultants[entry["consultant"]].id, entry["pin"])
    signed = withdrawn = 0
    for raw in data["consent"]:
        patient = context.patients[raw["patient"]]
        consultant = context.consultants[raw["consultant"]]
        template = consents.template_for(raw["language"])
        signature = synthetic_signature(patient.display_name)

        def consent(days_ago: int, at: str, photos: bool, supersedes: int | None, question: str | None = None):
            moment = _moment(context, days_ago, at)
            answers = ConsentAnswers(tuple(i.id for i in template.checklist), photos, question)
            return insert_consent(tx, make_consent(
                template, answers, patient_id=patient.id, printed_name=patient.display_name,
                signature=signature, countersignature=Countersignature(consultant.id, consultant.display_name, moment),
                signed_at=moment, device_id=DEMO_DEVICE, supersedes_id=supersedes,
            ))

        record = consent(raw["days_ago"], raw["time"], raw["photos"], None, raw.get("question"))
        signed += 1
        if "withdrawn" in raw:
            w = raw["withdrawn"]
            moment = _moment(context, w["days_ago"], w["time"])
            record = insert_consent(tx, make_withdrawal(
                template, patient_id=patient.id, printed_name=patient.display_name, withdraws_id=record.id,
                channel=w["channel"], reason=w.get("reason"), signed_at=moment, device_id=DEMO_DEVICE,
                countersignature=Countersignature(consultant.id, consultant.display_name, moment),
            ))
            withdrawn += 1
        if "then" in raw:
            again = raw["then"]
            consent(again["days_ago"], again["time"], again["photos"], record.id)
            signed += 1
    context.notes.append(f"{signed} signed consents ({withdrawn} withdrawn and signed again), consultant PINs set")
