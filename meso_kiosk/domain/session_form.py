"""The session form as typed: clinic-time text, a stored session as the form shows it,
the form as the session service reads it, and the running totals under the zones.

Values stay the strings the consultant typed until the service validates them, so a
field that is not valid yet is kept, never lost.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from .clock import Clock
from .errors import ValidationError

if TYPE_CHECKING:
    from .session import TreatmentSession

LOCAL_INPUT_FORMAT = "%Y-%m-%d %H:%M"
STARTED_AT_MESSAGE = "Enter the date and time as YYYY-MM-DD HH:MM, for example 2026-11-22 10:30."
# ASCII digits only: the picker writes them; a "١٠" or "１０" came from elsewhere and is refused, not guessed.
_LOCAL_INPUT = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(\d{1,2})[:.h](\d{2})\s*", re.ASCII)
_LONGEST_INPUT = 64  # far above any real date and time: longer text is refused before the regex


def parse_local_datetime(text: str, clock: Clock) -> datetime | None:
    """``2026-11-22 10:30`` (clinic time) as an aware datetime; None when it is not one.

    A moment in the future still parses: refusing it is the session check's job, next to the field.
    """
    if not text or len(text) > _LONGEST_INPUT:
        return None
    match = _LOCAL_INPUT.fullmatch(text)
    if not match:
        return None
    try:
        naive = datetime(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    return naive.replace(tzinfo=clock.tz)


def format_local_input(moment: datetime, clock: Clock) -> str:
    return clock.local(moment).strftime(LOCAL_INPUT_FORMAT)


def session_form_values(session: TreatmentSession, clock: Clock) -> dict:
    """A stored session as the form shows it (the keys of ``SessionForm.values``)."""
    return {
        "session_id": session.session_id,
        "started_at": format_local_input(session.started_at, clock),
        "consultant_id": session.consultant_id,
        "technique": session.technique.value,
        "numbing": session.numbing.value,
        "zones": {z.zone_id: {"injections": z.injections, "depth_mm": z.depth_mm, "volume_ml": z.volume_ml}
                  for z in session.zones},
        "products": [{"name": p.name, "lot": p.lot, "expiry": p.expiry} for p in session.products],
        "duration_min": "" if session.duration_min is None else str(session.duration_min),
        "side_effects": list(session.side_effects),
        "side_effects_other": session.side_effects_other or "",
        "shedding": "" if session.shedding is None else str(session.shedding),
        "satisfaction": "" if session.satisfaction is None else str(session.satisfaction),
        "notes": session.notes or "",
    }


def service_form(values: Mapping[str, object], clock: Clock) -> dict:
    """The form as the session service reads it: the typed time as a moment, no correction reason."""
    started = parse_local_datetime(str(values.get("started_at") or ""), clock)
    if started is None:
        raise ValidationError.single("started_at", STARTED_AT_MESSAGE)
    form = {key: value for key, value in values.items() if key != "reason"}
    form["started_at"] = started
    return form


def zone_totals(zones: Iterable[Mapping[str, str]]) -> tuple[int, float]:
    """Injections and millilitres over the zone rows as typed; what is not a number yet counts 0."""
    injections, volume = 0, 0.0
    for values in zones:
        try:
            injections += int(values.get("injections") or 0)
        except ValueError:
            pass
        try:
            ml = float((values.get("volume_ml") or "0").replace(",", "."))
        except ValueError:
            continue
        if math.isfinite(ml):  # "nan" and "inf" are words float() knows, not volumes
            volume += ml
    return injections, volume


def totals_caption(injections: int, volume_ml: float, zone_count: int, this_percent: float,
                   cumulative_percent: float) -> str:
    return (
        f"Totals: {injections} injections · {round(volume_ml, 3):g} ml · {zone_count} "
        f"zone{'s' if zone_count != 1 else ''}\n"
        f"{this_percent:.0f} % of the scalp this session · {cumulative_percent:.0f} % treated at least once "
        "(earlier sessions and this one)"
    )
