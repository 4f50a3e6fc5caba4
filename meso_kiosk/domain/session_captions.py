"""Sessions in the consultant's words: option labels, the zone-history card, earlier
sessions and their corrections. Pure text, so the scalp-map page only places it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from .actor import actor_name
from .amendment import Amendment
from .clock import Clock
from .scalp import ScalpGeometry
from .session import Technique, TreatmentSession
from .zone_history import ZoneHistoryEntry

TECHNIQUES = {
    Technique.CHEMICAL_SYRINGE.value: "Chemical — syringe",
    Technique.CHEMICAL_INJECTOR_GUN.value: "Chemical — injector gun",
    Technique.MECHANICAL_MICRONEEDLING.value: "Mechanical micro-needling",
}
NUMBING = {"none": "No numbing", "topical_anaesthetic": "Topical anaesthetic gel"}
ZONE_HISTORY_TITLE = "Zone history"
ZONE_HISTORY_PROMPT = "Tap a zone to see when it was treated before."


@dataclass(frozen=True)
class FieldLabel:
    """A session field in the consultant's words: the form's caption and a correction's."""

    words: str  # what the field is: "Session length (minutes)"
    note: str = ""  # a hint only the form adds, in brackets: "optional", "patient says"

    @property
    def form_caption(self) -> str:
        return f"{self.words} ({self.note})" if self.note else self.words


# The session form's captions; a correction line (history, PDF) names a field by its words.
SESSION_FIELDS = {
    "reason": FieldLabel("Reason for the correction"),
    "started_at": FieldLabel("Date and time", "clinic time"),
    "consultant_id": FieldLabel("Consultant"),
    "technique": FieldLabel("Technique"),
    "numbing": FieldLabel("Numbing"),
    "zones": FieldLabel("Zones treated", "from the map"),
    "products": FieldLabel("Products and lots"),
    "duration_min": FieldLabel("Session length (minutes)"),
    "side_effects": FieldLabel("Side effects observed"),
    "side_effects_other": FieldLabel("Other side effects", "optional"),
    "shedding": FieldLabel("Shedding since last session", "patient says"),
    "satisfaction": FieldLabel("Satisfaction so far", "patient says"),
    "notes": FieldLabel("Notes", "optional"),
}
# A zone's or a product's part, after the zone's name or "product 2".
_PART_WORDS = {
    "injections": "injections", "depth_mm": "depth (mm)", "volume_ml": "volume (ml)",
    "name": "name", "lot": "lot", "expiry": "expiry",
}


def times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def clock_time(clock: Clock, moment: datetime) -> str:
    """Just the clinic time of day, "10:30"."""
    return clock.format_local(moment)[-5:]


def _zone_label(geometry: ScalpGeometry, zone_id: str) -> str:
    return geometry.zone(zone_id).label if geometry.has_zone(zone_id) else zone_id


def zone_history_caption(zone_label: str, entries: Sequence[ZoneHistoryEntry], clock: Clock) -> tuple[str, str]:
    """The zone-history card's title and text: the latest two sessions, newest first."""
    if not entries:
        return f"{ZONE_HISTORY_TITLE} — {zone_label}", "Not treated in an earlier session."
    lines = []
    for entry in reversed(entries[-2:]):
        products = ", ".join(entry.products) or "no product"
        lines.append(
            f"{clock.local(entry.started_at).strftime('%d %b %Y')}: {entry.injections} injections, "
            f"{entry.depth_mm:g} mm, {entry.volume_ml:g} ml · {products}")
    if len(entries) > 2:
        lines.append(f"… and {len(entries) - 2} earlier (see Earlier sessions)")
    return f"{ZONE_HISTORY_TITLE} — {zone_label}: treated {times(len(entries))}", "\n".join(lines)


def session_heading(session: TreatmentSession, names: Mapping[str, str], clock: Clock) -> str:
    return (f"{clock.format_local(session.started_at)} · {names.get(session.consultant_id, 'unknown consultant')}"
            f" · {TECHNIQUES[session.technique.value]}")


def session_summary(session: TreatmentSession, geometry: ScalpGeometry) -> str:
    zones = ", ".join(
        f"{_zone_label(geometry, z.zone_id)} ({z.injections}× {z.depth_mm:g} mm {z.volume_ml:g} ml)"
        for z in session.zones)
    products = ", ".join(f"{p.name} lot {p.lot}" for p in session.products) or "no product"
    length = f"{session.duration_min} min" if session.duration_min else "length not recorded"
    return (f"Zones: {zones}\nProducts: {products}\n"
            f"{session.total_injections} injections · {session.total_volume_ml:g} ml · {length}")


def field_caption(path: str, geometry: ScalpGeometry) -> str:
    """``zones.vertex.depth_mm`` -> ``Vertex (crown) depth (mm)``, in consultant words."""
    parts = path.split(".")
    if parts[0] == "zones" and len(parts) == 3:
        return f"{_zone_label(geometry, parts[1])} {_PART_WORDS.get(parts[2], parts[2])}"
    if parts[0] == "products" and len(parts) == 3 and parts[1].isdigit():
        return f"product {int(parts[1]) + 1} {_PART_WORDS.get(parts[2], parts[2])}"
    field = SESSION_FIELDS.get(path)
    return field.words if field else path[:1].upper() + path[1:]


def amendment_note(amendment: Amendment, names: Mapping[str, str], geometry: ScalpGeometry, clock: Clock) -> str:
    """Who corrected what, when and why, shown under the original session."""
    changes = "; ".join(
        f"{field_caption(c.field, geometry)}: {c.before or '—'} → {c.after or '—'}" for c in amendment.changes)
    return (f"✎ Corrected {clock.format_local(amendment.amended_at)} by {actor_name(amendment.amended_by, names)}. "
            f"Reason: {amendment.reason}\n{changes}")
