"""Amendments: a closed session is corrected only beside the original, naming the
reason and every changed field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import StrEnum

from .form_values import FieldErrors, aware_utc
from .session import TreatmentSession
from .text import clean_text


@dataclass(frozen=True)
class FieldChange:
    field: str  # e.g. "zones.vertex.depth_mm"
    before: str  # "" when the value was absent
    after: str


@dataclass(frozen=True)
class Amendment:
    """A correction to a closed session, kept beside the original (never replacing it)."""

    session_id: int
    reason: str
    changes: tuple[FieldChange, ...]
    amended_by: str
    amended_at: datetime  # timezone-aware, UTC

    @property
    def changed_fields(self) -> tuple[str, ...]:
        return tuple(change.field for change in self.changes)


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, StrEnum):
        return value.value
    return str(value)


def session_fields(session: TreatmentSession) -> dict[str, str]:
    """A flat text view of what a consultant can correct, keyed by field path."""
    fields = {
        "started_at": _fmt(session.started_at),
        "consultant_id": _fmt(session.consultant_id),
        "technique": _fmt(session.technique),
        "numbing": _fmt(session.numbing),
        "duration_min": _fmt(session.duration_min),
        "side_effects": ", ".join(session.side_effects),
        "side_effects_other": _fmt(session.side_effects_other),
        "shedding": _fmt(session.shedding),
        "satisfaction": _fmt(session.satisfaction),
        "notes": _fmt(session.notes),
        "zones": ", ".join(zone.zone_id for zone in session.zones),
    }
    for zone in session.zones:
        for name in ("injections", "depth_mm", "volume_ml"):
            fields[f"zones.{zone.zone_id}.{name}"] = _fmt(getattr(zone, name))
    for index, product in enumerate(session.products):
        for name in ("name", "lot", "expiry"):
            fields[f"products.{index}.{name}"] = _fmt(getattr(product, name))
    return fields


def diff_sessions(
    original: TreatmentSession, corrected: TreatmentSession
) -> tuple[FieldChange, ...]:
    """Fields whose value differs, in a stable order (the original's fields first)."""
    before, after = session_fields(original), session_fields(corrected)
    keys = list(before) + [key for key in after if key not in before]
    return tuple(
        FieldChange(key, before.get(key, ""), after.get(key, ""))
        for key in keys
        if before.get(key, "") != after.get(key, "")
    )


def make_amendment(
    original: TreatmentSession,
    corrected: TreatmentSession,
    *,
    reason: object,
    amended_by: object,
    amended_at: datetime,
) -> Amendment:
    """An amendment recording how ``corrected`` differs from the closed ``original``.

    ``corrected`` should itself have passed ``validate_session``.
    """
    errors = FieldErrors()
    if not original.is_closed:
        errors.add("status", "This session is still open; edit it directly instead.")
    if original.session_id is None:
        errors.add("session_id", "Only a saved session can be amended.")
    reason_text = errors.run(
        clean_text, reason, "reason", max_length=1000, required=True, multiline=True,
        label="reason for the correction",
    )
    if reason_text is not None and len(reason_text) < 5:
        errors.add("reason", "Please explain the correction in a few words.")
    by = errors.run(
        clean_text, amended_by, "amended_by", max_length=64, required=True, label="consultant"
    )
    at = errors.run(aware_utc, amended_at, "amended_at", "time of the correction")
    if at is not None and original.closed_at is not None and at < original.closed_at:
        errors.add("amended_at", "A correction cannot be dated before the session was closed.")
    changes = diff_sessions(original, corrected)
    if not changes:
        errors.add("changes", "Nothing was changed, so there is nothing to amend.")
    errors.raise_if_any()
    return Amendment(
        session_id=original.session_id,
        reason=reason_text,
        changes=changes,
        amended_by=by,
        amended_at=at,
    )
