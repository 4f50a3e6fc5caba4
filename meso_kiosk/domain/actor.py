"""Who made a change, as the audit log writes it: ``"consultant:3"`` while consultant 3 has the
app unlocked, any other word (``"kiosk"``, ``"cli"``) as it is. The writer and its reader live
together so the two cannot drift apart."""

from __future__ import annotations

from collections.abc import Mapping

_CONSULTANT = "consultant:"


def consultant_actor(consultant_id: int) -> str:
    """The audit ``actor`` for changes made while this consultant has the app unlocked."""
    return f"{_CONSULTANT}{consultant_id}"


def actor_name(actor: str, names: Mapping[str, str]) -> str:
    """An audit actor ("consultant:3") as the consultant's name (``names`` maps the id, as
    text, to the name); any other actor, or an id ``names`` lacks, as it is."""
    return names.get(actor.removeprefix(_CONSULTANT), actor) if actor.startswith(_CONSULTANT) else actor
