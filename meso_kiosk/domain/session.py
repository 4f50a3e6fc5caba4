"""Treatment sessions: what was done, where, with which product lot, and its checks.

A session is recorded while the consultant works (status ``open``, editable),
then closed; a closed session never changes and is corrected only through an
``Amendment`` that names the reason and the changed fields.

Mechanical micro-needling injects no solution: every zone's volume must be 0 ml
and products are optional (a clinic may still record, with its lot, a serum
applied after needling). ``injections`` then counts needle passes if the clinic
counts them, and may stay 0. Chemical mesotherapy needs, before closing, at least
one product and, in every treated zone, at least one injection and some volume.

A form becomes a session through ``session_validation.validate_session``; lots are
checked by ``lots``, corrections made by ``amendment``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from .errors import ValidationError
from .form_values import FieldErrors, aware_utc
from .lots import LotStatus, check_lot, lot_key
from .scalp import ScalpGeometry, session_coverage
from .session_settings import SessionSettings

# ---------------------------------------------------------------- vocabularies


class Technique(StrEnum):
    CHEMICAL_SYRINGE = "chemical_syringe"
    CHEMICAL_INJECTOR_GUN = "chemical_injector_gun"
    MECHANICAL_MICRONEEDLING = "mechanical_microneedling"

    @property
    def injects_solution(self) -> bool:
        return self is not Technique.MECHANICAL_MICRONEEDLING


class Numbing(StrEnum):
    NONE = "none"
    TOPICAL_ANAESTHETIC = "topical_anaesthetic"


class SessionStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


# ---------------------------------------------------------------- the session


@dataclass(frozen=True)
class ZoneTreatment:
    zone_id: str
    injections: int
    depth_mm: float
    volume_ml: float


@dataclass(frozen=True)
class ProductUse:
    name: str
    lot: str
    expiry: date

    @property
    def lot_key(self) -> str:
        return lot_key(self.lot)


@dataclass(frozen=True)
class TreatmentSession:
    started_at: datetime  # timezone-aware, UTC
    consultant_id: str
    technique: Technique
    numbing: Numbing
    zones: tuple[ZoneTreatment, ...] = ()
    products: tuple[ProductUse, ...] = ()
    duration_min: int | None = None
    side_effects: tuple[str, ...] = ()  # catalogue ids
    side_effects_other: str | None = None
    shedding: int | None = None  # settings.shedding_labels index (0 = much less)
    satisfaction: int | None = None  # 1..len(settings.satisfaction_labels)
    notes: str | None = None
    status: SessionStatus = SessionStatus.OPEN
    closed_at: datetime | None = None
    session_id: int | None = None  # given by the store

    @property
    def is_closed(self) -> bool:
        return self.status is SessionStatus.CLOSED

    @property
    def zone_ids(self) -> frozenset[str]:
        return frozenset(zone.zone_id for zone in self.zones)

    @property
    def total_injections(self) -> int:
        return sum(zone.injections for zone in self.zones)

    @property
    def total_volume_ml(self) -> float:
        # Rounded so 0.1 + 0.2 shows as 0.3 ml.
        return round(math.fsum(zone.volume_ml for zone in self.zones), 3)

    def zone(self, zone_id: str) -> ZoneTreatment | None:
        return next((zone for zone in self.zones if zone.zone_id == zone_id), None)


def treated_percent(session: TreatmentSession, geometry: ScalpGeometry) -> float:
    """Percent of the scalp area this session treated."""
    return session_coverage(geometry, session.zone_ids)


@dataclass(frozen=True)
class SessionWarning:
    field: str
    message: str


def session_warnings(
    session: TreatmentSession, *, session_date: date, settings: SessionSettings = SessionSettings()
) -> tuple[SessionWarning, ...]:
    """Things the consultant should see but that do not block saving (lots expiring soon)."""
    warnings = []
    for index, product in enumerate(session.products):
        check = check_lot(product.expiry, session_date, settings.lot_warning_days)
        if check.status is LotStatus.EXPIRING_SOON:
            warnings.append(SessionWarning(f"products.{index}.expiry", check.message))
    return tuple(warnings)


def check_closable(session: TreatmentSession, closed_at: datetime) -> None:
    """Refuse (``ValidationError``) to close a session that is not complete yet."""
    errors = FieldErrors()
    if not session.zones:
        errors.add("zones", "Mark at least one treated zone on the scalp map before closing.")
    if session.duration_min is None:
        errors.add("duration_min", "Please enter how long the session lasted before closing.")
    if session.technique.injects_solution:
        if not session.products:
            errors.add(
                "products", "Chemical mesotherapy needs at least one product with its lot number."
            )
        for zone in session.zones:
            if zone.injections < 1:
                errors.add(
                    f"zones.{zone.zone_id}.injections", "Enter the number of injections for this zone."
                )
            if zone.volume_ml <= 0:
                errors.add(f"zones.{zone.zone_id}.volume_ml", "Enter the volume injected in this zone.")
    if closed_at < session.started_at:
        errors.add("closed_at", "A session cannot be closed before it started.")
    errors.raise_if_any()


def close_session(session: TreatmentSession, *, closed_at: datetime) -> TreatmentSession:
    """The same session, closed: complete, and from now on unchangeable."""
    if session.is_closed:
        raise ValidationError.single(
            "status", "This session is already closed; correct it with an amendment."
        )
    closed_at = aware_utc(closed_at, "closed_at", "closing time")
    check_closable(session, closed_at)
    return replace(session, status=SessionStatus.CLOSED, closed_at=closed_at)
