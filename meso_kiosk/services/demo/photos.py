"""Demo seeder: progress photos for a few patients whose consent says yes to photos, one set per
session, taken at the session's time.

The pictures are drawn here (Pillow), not photographed: a stylised patch of scalp seen in each
view, its hair a little denser at each session, so the compare screen has a course to show. No
real person is pictured.
"""

from __future__ import annotations

import io
import math
import random
import zlib
from datetime import timedelta

from ...domain.clock import parse_utc_iso, utc_iso
from ...domain.photo import CURRENT, photo_consent_state
from ...store import photos as photo_rows
from ...store.db import Transaction
from ..photo_image import StoredImage
from .context import DemoContext

PATIENTS = 2  # the first ones (in demo/clinic.toml's order) with photo consent and sessions
WITHDRAWN_REASON = "Would rather not be photographed any more; happy to go on with the treatment."
VIEWS = ("vertex", "frontal_hairline", "midline_part")
SIZE = (640, 480)
SKIN = (226, 190, 160)
HAIRS = ((52, 36, 24), (58, 40, 28), (66, 46, 32), (46, 32, 22))  # a few shades, drawn at random


def _sessions(tx: Transaction, patient_id: int) -> list[tuple[int, str, int | None]]:
    """(id, started at, consultant) of the patient's own sessions (not corrections), oldest first."""
    return tx.execute("SELECT id, started_at, consultant_id FROM treatment_sessions WHERE patient_id = ?"
                      " AND amends_session_id IS NULL ORDER BY started_at, id", (patient_id,)).fetchall()


def _direction(view: str, x: float, y: float, width: int, height: int) -> float:
    """Which way the hair lies at (x, y): a whorl at the crown, combed back at the hairline, away from a part."""
    cx, cy = width / 2, height / 2
    if view == "vertex":
        return math.atan2(y - cy, x - cx) + 1.1
    if view == "midline_part":
        return 0.15 if x > cx else math.pi - 0.15
    return -math.pi / 2 + (x - cx) / width


def _covered(view: str, x: float, y: float, width: int, height: int, density: float) -> float:
    """How much of the scalp shows hair at (x, y): thinner where this pattern of hair loss thins."""
    cx, cy = width / 2, height / 2
    if view == "vertex":
        return density * min(1.0, math.hypot(x - cx, y - cy) / (0.45 * height) + 0.25)
    if view == "midline_part":
        return 0.0 if abs(x - cx) < 6 else density * min(1.0, abs(x - cx) / (0.35 * width) + 0.3)
    hairline = 0.22 * height + 0.08 * height * math.cos((x - cx) / width * math.pi * 2)
    return 0.0 if y < hairline else density * min(1.0, (y - hairline) / (0.3 * height) + 0.35)


def draw_view(view: str, seed: int, density: float) -> StoredImage:
    """A stylised scalp in ``view`` with hair at ``density`` (0-1), the same layout for the same ``seed``."""
    from PIL import Image, ImageDraw

    width, height = SIZE
    image = Image.new("RGB", SIZE, SKIN)
    draw = ImageDraw.Draw(image)
    chance = random.Random(seed)
    for _ in range(3400):
        x, y, keep = chance.uniform(0, width), chance.uniform(0, height), chance.random()
        length, bend = chance.uniform(11, 24), chance.uniform(-0.25, 0.25)
        if keep > _covered(view, x, y, width, height, density):
            continue
        angle = _direction(view, x, y, width, height) + bend
        draw.line((x, y, x + length * math.cos(angle), y + length * math.sin(angle)), fill=chance.choice(HAIRS), width=2)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return StoredImage(out.getvalue(), width, height)


def _photograph(tx: Transaction, context: DemoContext, patient_id: int, sessions, views: list[str]) -> int:
    """One photo of each view at each of ``sessions``; how many were stored."""
    stored = 0
    for number, (session_id, started_at, consultant_id) in enumerate(sessions):
        taken_at = utc_iso(parse_utc_iso(started_at) + timedelta(minutes=5))
        for view in views:
            # The same layout for a patient and view at every session, a little denser each time.
            image = draw_view(view, zlib.crc32(f"{patient_id}:{view}".encode()), 0.5 + 0.06 * number)
            context.kiosk.photos.store_in(tx, patient_id, view, image, consultant_id, session_id=session_id,
                                          source="camera", taken_at=taken_at)
            stored += 1
    return stored


def seed_photos(tx: Transaction, context: DemoContext) -> None:
    """Photos for the first ``PATIENTS`` consenting patients; the next one was photographed at their
    first session and then withdrew their photo consent (photos kept under the retention rule)."""
    known = {view.id for view in context.kiosk.photos.views()}
    views = [view for view in VIEWS if view in known]
    seeded = photographed = 0
    for patient in context.patients:
        state = photo_consent_state(photo_rows.latest_consent_fact(tx.conn, patient.id),
                                    photo_rows.last_withdrawal_at(tx.conn, patient.id))
        sessions = _sessions(tx, patient.id)
        if state != CURRENT or not sessions:
            continue
        if photographed == PATIENTS:
            kept = _photograph(tx, context, patient.id, sessions[:1], views)
            photo_rows.insert_withdrawal(tx, patient.id, "keep", WITHDRAWN_REASON, kept)
            context.notes.append(f"{patient.display_name} withdrew their photo consent ({kept} photos kept, hidden)")
            break
        photographed += 1
        seeded += _photograph(tx, context, patient.id, sessions, views)
    context.notes.append(f"{seeded} progress photos (drawn, not of anyone) for {photographed} consenting patients")
