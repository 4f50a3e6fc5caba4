"""A zone's history: the earlier sessions that treated it, as shown when it is tapped."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .session import TreatmentSession


@dataclass(frozen=True)
class ZoneHistoryEntry:
    """One earlier session as seen from one zone (shown when the zone is tapped)."""

    started_at: datetime
    session_id: int | None
    injections: int
    depth_mm: float
    volume_ml: float
    products: tuple[str, ...] = ()  # "name (lot)"


def zone_history(
    sessions: Iterable[TreatmentSession], zone_id: str
) -> tuple[ZoneHistoryEntry, ...]:
    """The sessions that treated ``zone_id``, oldest first."""
    entries = []
    for session in sessions:
        zone = session.zone(zone_id)
        if zone is None:
            continue
        entries.append(
            ZoneHistoryEntry(
                started_at=session.started_at,
                session_id=session.session_id,
                injections=zone.injections,
                depth_mm=zone.depth_mm,
                volume_ml=zone.volume_ml,
                products=tuple(f"{p.name} ({p.lot})" for p in session.products),
            )
        )
    return tuple(sorted(entries, key=lambda entry: entry.started_at))


def zone_sets(sessions: Iterable[TreatmentSession]) -> list[frozenset[str]]:
    """The zones of each session, ready for ``scalp.cumulative_coverage``."""
    return [session.zone_ids for session in sessions]
