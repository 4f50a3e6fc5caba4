"""Checking a session form: every field read, every fault named, a clean ``TreatmentSession``.

Limits come from the clinic's ``SessionSettings``; a draft marked closed must also pass
``check_closable``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta, timezone

from .errors import ValidationError
from .form_values import (
    FieldErrors,
    aware_utc,
    form_choice,
    form_number,
    form_value,
    form_whole_number,
    or_default,
)
from .lots import check_lot, parse_expiry
from .session import (
    Numbing,
    ProductUse,
    SessionStatus,
    Technique,
    TreatmentSession,
    ZoneTreatment,
    check_closable,
)
from .session_settings import SessionSettings
from .text import clean_text

_EARLIEST_SESSION = datetime(2000, 1, 1, tzinfo=timezone.utc)
_CLOCK_SLACK = timedelta(minutes=10)  # kiosk clocks drift; allow a little
_MAX_PRODUCTS = 20
_MAX_SIDE_EFFECTS = 50
_LOT_CHARS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./_#-]*$")


# ---------------------------------------------------------------- parts of a session


def validate_zone_treatment(
    raw: object,
    *,
    zone_id: str,
    technique: Technique | None,
    settings: SessionSettings = SessionSettings(),
) -> ZoneTreatment:
    """One zone's injections, depth and volume (a mapping or a ``ZoneTreatment``)."""
    prefix = f"zones.{zone_id}"
    errors = FieldErrors()
    injections = errors.run(
        form_whole_number, form_value(raw, "injections"), f"{prefix}.injections", "number of injections",
        0, settings.max_injections_per_zone,
    )
    depth = errors.run(form_number, form_value(raw, "depth_mm"), f"{prefix}.depth_mm", "needle depth")
    if depth is not None and not settings.depth_min_mm <= depth <= settings.depth_max_mm:
        errors.add(
            f"{prefix}.depth_mm",
            f"Needle depth must be between {settings.depth_min_mm:g}"
            f" and {settings.depth_max_mm:g} mm.",
        )
    volume = errors.run(form_number, form_value(raw, "volume_ml"), f"{prefix}.volume_ml", "volume")
    if volume is not None:
        if volume < 0:
            errors.add(f"{prefix}.volume_ml", "The volume cannot be negative.")
        elif volume > settings.max_volume_ml_per_zone:
            errors.add(
                f"{prefix}.volume_ml",
                f"The volume for one zone must be at most {settings.max_volume_ml_per_zone:g} ml.",
            )
        elif technique is Technique.MECHANICAL_MICRONEEDLING and volume > 0:
            errors.add(
                f"{prefix}.volume_ml",
                "Mechanical micro-needling injects no solution, so the volume must be 0 ml.",
            )
    errors.raise_if_any()
    return ZoneTreatment(zone_id, injections, depth, volume)


def validate_product_use(raw: object, *, index: int) -> ProductUse:
    """Name, lot and expiry of one product (expiry is checked against the date separately)."""
    prefix = f"products.{index}"
    errors = FieldErrors()
    name = errors.run(clean_text, form_value(raw, "name"), f"{prefix}.name", max_length=120,
                      required=True, label="product name")
    lot = errors.run(clean_text, form_value(raw, "lot"), f"{prefix}.lot", max_length=40,
                     required=True, label="lot number")
    if lot is not None and not _LOT_CHARS.match(lot):
        errors.add(
            f"{prefix}.lot",
            "A lot number may hold only letters A–Z, digits, spaces and . / _ # -"
            " as printed on the box.",
        )
    expiry = errors.run(parse_expiry, form_value(raw, "expiry"), f"{prefix}.expiry")
    errors.raise_if_any()
    return ProductUse(name, lot, expiry)


def _zones(
    raw: object, *, technique, known_zone_ids: Collection[str], settings, errors: FieldErrors
) -> tuple[ZoneTreatment, ...]:
    if raw is None:
        return ()
    if isinstance(raw, Mapping):
        items = list(raw.items())
    elif isinstance(raw, (list, tuple)):
        items = [(form_value(item, "zone_id"), item) for item in raw]
    else:
        errors.add("zones", "The treated zones could not be read; please mark them again.")
        return ()
    result: list[ZoneTreatment] = []
    seen: set[str] = set()
    for zone_id, item in items:
        # Unknown ids are never echoed: they may be anything a broken client sent.
        if not isinstance(zone_id, str) or zone_id not in known_zone_ids:
            errors.add(
                "zones", "An unknown scalp zone was marked; please mark the zones on the map again."
            )
            continue
        if zone_id in seen:
            errors.add(f"zones.{zone_id}", "This zone is listed twice.")
            continue
        seen.add(zone_id)
        zone = errors.run(
            validate_zone_treatment, item, zone_id=zone_id, technique=technique, settings=settings
        )
        if zone is not None:
            result.append(zone)
    # Map order, so the same session always reads (and diffs) the same way.
    order = {zone_id: i for i, zone_id in enumerate(known_zone_ids)}
    return tuple(sorted(result, key=lambda zone: order.get(zone.zone_id, len(order))))


def _products(
    raw: object, *, session_date: date | None, settings, errors: FieldErrors
) -> tuple[ProductUse, ...]:
    # Without a valid session date the lots cannot be checked yet; the form still
    # reports every other product problem.
    if raw is None:
        return ()
    if not isinstance(raw, (list, tuple)):
        errors.add("products", "The products could not be read; please enter them again.")
        return ()
    if len(raw) > _MAX_PRODUCTS:
        errors.add("products", f"At most {_MAX_PRODUCTS} products can be recorded for one session.")
        return ()
    result: list[ProductUse] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(raw):
        product = errors.run(validate_product_use, item, index=index)
        if product is None:
            continue
        key = (product.name.casefold(), product.lot_key)
        if key in seen:
            errors.add(f"products.{index}", "This product and lot are already listed.")
            continue
        seen.add(key)
        if session_date is None:
            continue
        check = check_lot(product.expiry, session_date, settings.lot_warning_days)
        if check.refused:
            errors.add(f"products.{index}.expiry", check.message)
            continue
        result.append(product)
    return tuple(result)


def _side_effects(raw: object, known: Collection[str], errors: FieldErrors) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str) or not isinstance(raw, (list, tuple, set, frozenset)):
        errors.add("side_effects", "The side effects could not be read; please tick them again.")
        return ()
    if len(raw) > _MAX_SIDE_EFFECTS:
        errors.add("side_effects", "Too many side effects were ticked.")
        return ()
    chosen: list[str] = []
    for effect_id in raw:
        if not isinstance(effect_id, str) or effect_id not in known:
            errors.add("side_effects", "An unknown side effect was ticked; please tick them again.")
            return ()
        if effect_id not in chosen:
            chosen.append(effect_id)
    # Catalogue order, so the record reads like the checklist.
    order = {effect_id: i for i, effect_id in enumerate(known)}
    return tuple(sorted(chosen, key=lambda effect_id: order.get(effect_id, len(order))))


def _optional_scale(value: object, field: str, label: str, low: int, high: int, errors: FieldErrors):
    if value is None or value == "":
        return None
    return errors.run(form_whole_number, value, field, label, low, high)


# ---------------------------------------------------------------- the whole session


def validate_session(
    draft: Mapping[str, object],
    *,
    now: datetime,
    known_zone_ids: Collection[str],
    side_effect_ids: Collection[str],
    settings: SessionSettings = SessionSettings(),
    session_date: date | None = None,
) -> TreatmentSession:
    """Check a session form and return a clean ``TreatmentSession``.

    ``draft`` holds form values under the ``TreatmentSession`` field names
    (``zones`` as ``{zone_id: {injections, depth_mm, volume_ml}}`` or a list of
    ``ZoneTreatment``; ``products`` as a list of ``{name, lot, expiry}``).
    ``session_date`` is the clinic's local date of the session, against which
    lots are checked; it defaults to the UTC date of ``started_at``.
    Raises ``ValidationError`` naming every faulty field, e.g. ``zones.vertex.depth_mm``.
    A draft with ``status`` "closed" must also pass the closing checks.
    """
    if not isinstance(draft, Mapping):
        raise ValidationError.single("session", "The session form could not be read.")
    now = aware_utc(now, "now", "current time")
    errors = FieldErrors()
    started_at = _started_at(draft.get("started_at"), now, errors)
    if session_date is None and started_at is not None:
        session_date = started_at.date()
    consultant_id = _consultant_id(draft.get("consultant_id"), errors)
    technique = errors.run(
        form_choice, draft.get("technique"), Technique, "technique", "Please choose the technique."
    )
    # Read in form order, so the errors list in the order the consultant sees the fields.
    values = dict(
        started_at=started_at,
        consultant_id=consultant_id,
        technique=technique,
        numbing=errors.run(
            form_choice, or_default(draft.get("numbing"), Numbing.NONE), Numbing, "numbing",
            "Please choose the numbing.",
        ),
        zones=_zones(
            draft.get("zones"), technique=technique, known_zone_ids=known_zone_ids,
            settings=settings, errors=errors,
        ),
        products=_products(
            draft.get("products"), session_date=session_date, settings=settings, errors=errors
        ),
        duration_min=_duration(draft.get("duration_min"), settings, errors),
        side_effects=_side_effects(draft.get("side_effects"), side_effect_ids, errors),
        **_patient_report(draft, settings, errors),
        **_record_state(draft, errors),
    )
    errors.raise_if_any()
    session = TreatmentSession(**values)
    if session.is_closed:
        check_closable(session, session.closed_at)
    return session


def _started_at(value: object, now: datetime, errors: FieldErrors) -> datetime | None:
    started_at = errors.run(aware_utc, value, "started_at", "session date and time")
    if started_at is None:
        return None
    if started_at > now + _CLOCK_SLACK:
        errors.add("started_at", "The session cannot start in the future.")
        return None
    if started_at < _EARLIEST_SESSION:
        errors.add("started_at", "The session date is too far in the past; please check it.")
        return None
    return started_at


def _consultant_id(consultant: object, errors: FieldErrors) -> str | None:
    if isinstance(consultant, int) and not isinstance(consultant, bool) and consultant > 0:
        consultant = str(consultant)
    return errors.run(
        clean_text, consultant, "consultant_id", max_length=64, required=True, label="consultant"
    )


def _duration(value: object, settings: SessionSettings, errors: FieldErrors) -> int | None:
    if value is None or value == "":
        return None
    return errors.run(
        form_whole_number, value, "duration_min", "session length",
        1, settings.max_duration_min, "minutes",
    )


def _patient_report(draft: Mapping, settings: SessionSettings, errors: FieldErrors) -> dict[str, object]:
    """What the patient reported and the consultant noted, under ``TreatmentSession`` names."""
    return dict(
        side_effects_other=errors.run(
            clean_text, draft.get("side_effects_other"), "side_effects_other", max_length=500,
            multiline=True, label="other side effects",
        ),
        shedding=_optional_scale(
            draft.get("shedding"), "shedding", "shedding answer", *settings.shedding_range, errors
        ),
        satisfaction=_optional_scale(
            draft.get("satisfaction"), "satisfaction", "satisfaction answer",
            *settings.satisfaction_range, errors,
        ),
        notes=errors.run(clean_text, draft.get("notes"), "notes", max_length=4000, multiline=True),
    )


def _record_state(draft: Mapping, errors: FieldErrors) -> dict[str, object]:
    """Status, closing time and store id, under ``TreatmentSession`` names."""
    status = errors.run(
        form_choice, or_default(draft.get("status"), SessionStatus.OPEN), SessionStatus, "status",
        "Unknown session status.",
    )
    closed_at = None
    if status is SessionStatus.CLOSED:
        closed_at = errors.run(aware_utc, draft.get("closed_at"), "closed_at", "closing time")
    session_id = draft.get("session_id")
    _check_session_id(session_id, errors)
    return dict(status=status, closed_at=closed_at, session_id=session_id)


def _check_session_id(session_id: object, errors: FieldErrors) -> None:
    if session_id is not None and (
        not isinstance(session_id, int) or isinstance(session_id, bool) or not 0 < session_id < 2**63
    ):  # beyond SQLite's 64-bit row ids no session can exist
        errors.add("session_id", "The session reference is not valid.")
