"""Treatment sessions: what was done, where, with which product lot, and its checks.

A session is recorded while the consultant works (status ``open``, editable),
then closed; a closed session never changes and is corrected only through an
``Amendment`` that names the reason and the changed fields.

Mechanical micro-needling injects no solution: every zone's volume must be 0 ml
and products are optional (a clinic may still record, with its lot, a serum
applied after needling). ``injections`` then counts needle passes if the clinic
counts them, and may stay 0. Chemical mesotherapy needs, before closing, at least
one product and, in every treated zone, at least one injection and some volume.

Numbers that drive these checks come from ``resources/sessions/settings.toml``
(``parse_session_settings``) and the side-effect list from
``resources/side_effects.toml`` (``parse_side_effects``); the service loads both.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

from .errors import ValidationError
from .scalp import ScalpGeometry, session_coverage
from .text import clean_text

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


class LotStatus(StrEnum):
    OK = "ok"
    EXPIRING_SOON = "expiring_soon"
    EXPIRED = "expired"


# Outer bounds no clinic setting may exceed: they keep a typo in the settings
# file (400 instead of 4.0) from switching the checks off.
_DEPTH_BOUNDS_MM = (0.1, 10.0)
_MAX_INJECTIONS_CEILING = 500
_MAX_VOLUME_CEILING_ML = 50.0
_MAX_DURATION_CEILING_MIN = 8 * 60
_MAX_WARNING_DAYS = 365
_EARLIEST_SESSION = datetime(2000, 1, 1, tzinfo=timezone.utc)
_CLOCK_SLACK = timedelta(minutes=10)  # kiosk clocks drift; allow a little
_EXPIRY_YEARS = (2000, 2100)
_MAX_PRODUCTS = 20
_MAX_SIDE_EFFECTS = 50
_CATALOGUE_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_LOT_CHARS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./_#-]*$")


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class ProductOption:
    """A product the clinic usually uses, offered in the session's product list."""

    name: str
    ingredients: str | None = None


@dataclass(frozen=True)
class SessionSettings:
    """Per-clinic limits for recording a session (defaults match the shipped file)."""

    depth_min_mm: float = 1.0
    depth_max_mm: float = 4.0
    default_depth_mm: float = 2.5
    max_injections_per_zone: int = 80
    max_volume_ml_per_zone: float = 5.0
    max_duration_min: int = 180
    lot_warning_days: int = 30
    shedding_labels: tuple[str, ...] = (
        "Much less",
        "A little less",
        "About the same",
        "A little more",
        "Much more",
    )
    satisfaction_labels: tuple[str, ...] = (
        "Very unhappy",
        "Unhappy",
        "Neither happy nor unhappy",
        "Happy",
        "Very happy",
    )
    usual_products: tuple[ProductOption, ...] = ()

    @property
    def shedding_range(self) -> tuple[int, int]:
        return (0, len(self.shedding_labels) - 1)

    @property
    def satisfaction_range(self) -> tuple[int, int]:
        return (1, len(self.satisfaction_labels))


@dataclass(frozen=True)
class SideEffect:
    """One item of the side-effect catalogue (shared with the consent checklist)."""

    id: str
    label: str  # consultant wording
    patient_wording: str  # plain wording for the patient
    rare: bool = False


def _setting_number(
    section: Mapping, key: str, where: str, errors: dict[str, str], low: float, high: float,
    *, integer: bool = False,
) -> float | int | None:
    value = section.get(key)
    is_number = isinstance(value, int if integer else (int, float)) and not isinstance(value, bool)
    if not is_number or not math.isfinite(value) or not low <= value <= high:
        kind = "a whole number" if integer else "a number"
        errors[f"{where}.{key}"] = f"{where}.{key} must be {kind} from {low:g} to {high:g}."
        return None
    return value


def _section(data: Mapping, name: str, errors: dict[str, str]) -> Mapping:
    section = data.get(name, {})
    if not isinstance(section, Mapping):
        errors[name] = f"[{name}] must be a section of settings."
        return {}
    return section


def _labels(
    section: Mapping, where: str, default: tuple[str, ...], errors: dict[str, str]
) -> tuple[str, ...]:
    labels = section.get("labels", list(default))
    if (
        not isinstance(labels, list)
        or not 2 <= len(labels) <= 11
        or not all(
            isinstance(label, str) and label.strip() and len(label) <= 60 for label in labels
        )
    ):
        errors[f"{where}.labels"] = f"{where}.labels must list 2 to 11 short texts."
        return default
    return tuple(label.strip() for label in labels)


def parse_session_settings(data: object) -> SessionSettings:
    """Settings from the parsed ``sessions/settings.toml``; missing keys keep defaults."""
    if not isinstance(data, Mapping):
        raise ValidationError.single("settings", "The session settings must be a TOML table.")
    errors: dict[str, str] = {}
    defaults = SessionSettings()
    depth = _section(data, "needle_depth", errors)
    limits = _section(data, "limits", errors)
    lots = _section(data, "lots", errors)
    low, high = _DEPTH_BOUNDS_MM
    values: dict[str, object] = {}
    # (file key, section, section name, SessionSettings field, allowed bounds, whole number?)
    table = (
        ("min_mm", depth, "needle_depth", "depth_min_mm", (low, high), False),
        ("max_mm", depth, "needle_depth", "depth_max_mm", (low, high), False),
        ("default_mm", depth, "needle_depth", "default_depth_mm", (low, high), False),
        ("max_injections_per_zone", limits, "limits", "max_injections_per_zone",
         (1, _MAX_INJECTIONS_CEILING), True),
        ("max_volume_ml_per_zone", limits, "limits", "max_volume_ml_per_zone",
         (0.01, _MAX_VOLUME_CEILING_ML), False),
        ("max_duration_min", limits, "limits", "max_duration_min",
         (1, _MAX_DURATION_CEILING_MIN), True),
        ("warning_days", lots, "lots", "lot_warning_days", (0, _MAX_WARNING_DAYS), True),
    )
    for key, section, where, attr, bounds, integer in table:
        if key not in section:
            values[attr] = getattr(defaults, attr)
            continue
        number = _setting_number(section, key, where, errors, *bounds, integer=integer)
        if number is not None:
            values[attr] = int(number) if integer else float(number)
    if not errors:
        if values["depth_min_mm"] >= values["depth_max_mm"]:
            errors["needle_depth.min_mm"] = "needle_depth.min_mm must be smaller than max_mm."
        elif not values["depth_min_mm"] <= values["default_depth_mm"] <= values["depth_max_mm"]:
            errors["needle_depth.default_mm"] = (
                "needle_depth.default_mm must lie between min_mm and max_mm."
            )
    shedding = _labels(
        _section(data, "shedding", errors), "shedding", defaults.shedding_labels, errors
    )
    satisfaction = _labels(
        _section(data, "satisfaction", errors), "satisfaction", defaults.satisfaction_labels, errors
    )
    products = []
    raw_products = data.get("product", [])
    if not isinstance(raw_products, list):
        errors["product"] = "Products must be [[product]] blocks."
        raw_products = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_products):
        name = raw.get("name") if isinstance(raw, Mapping) else None
        ingredients = raw.get("ingredients") if isinstance(raw, Mapping) else None
        if not isinstance(name, str) or not name.strip() or len(name) > 120:
            errors[f"product[{i}].name"] = "Each product needs a name of at most 120 characters."
            continue
        if ingredients is not None and (not isinstance(ingredients, str) or len(ingredients) > 300):
            errors[f"product[{i}].ingredients"] = (
                "ingredients must be a text of at most 300 characters."
            )
            continue
        if name.strip().casefold() in seen:
            errors[f"product[{i}].name"] = f"The product '{name.strip()}' is listed twice."
            continue
        seen.add(name.strip().casefold())
        products.append(ProductOption(name.strip(), (ingredients or "").strip() or None))
    if errors:
        raise ValidationError(errors)
    return SessionSettings(
        **values,
        shedding_labels=shedding,
        satisfaction_labels=satisfaction,
        usual_products=tuple(products),
    )


def parse_side_effects(data: object) -> tuple[SideEffect, ...]:
    """The catalogue from the parsed ``side_effects.toml`` (``[[side_effect]]`` blocks)."""
    raw_items = data.get("side_effect") if isinstance(data, Mapping) else None
    if not isinstance(raw_items, list) or not raw_items:
        raise ValidationError.single(
            "side_effect", "The side-effect list must have [[side_effect]] blocks."
        )
    errors: dict[str, str] = {}
    items: list[SideEffect] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_items):
        where = f"side_effect[{i}]"
        if not isinstance(raw, Mapping):
            errors[where] = "Each side effect must be a [[side_effect]] block."
            continue
        effect_id = raw.get("id")
        if not isinstance(effect_id, str) or not _CATALOGUE_ID.match(effect_id):
            errors[f"{where}.id"] = "id must be lower-case letters, digits and _ (e.g. bruising)."
            continue
        if effect_id in seen:
            errors[f"{where}.id"] = f"The id '{effect_id}' is used twice."
            continue
        seen.add(effect_id)
        texts = {}
        for key, limit in (("label", 80), ("patient_wording", 400)):
            value = raw.get(key)
            if not isinstance(value, str) or not value.strip() or len(value) > limit:
                errors[f"{where}.{key}"] = f"{key} must be a text of 1 to {limit} characters."
            else:
                texts[key] = value.strip()
        rare = raw.get("rare", False)
        if not isinstance(rare, bool):
            errors[f"{where}.rare"] = "rare must be true or false."
        if len(texts) == 2 and isinstance(rare, bool):
            items.append(SideEffect(effect_id, texts["label"], texts["patient_wording"], rare))
    if errors:
        raise ValidationError(errors)
    return tuple(items)


# ---------------------------------------------------------------- lots


@dataclass(frozen=True)
class LotCheck:
    status: LotStatus
    days_left: int  # negative once expired
    message: str | None  # for the consultant; None when the lot is fine

    @property
    def refused(self) -> bool:
        return self.status is LotStatus.EXPIRED


def check_lot(expiry: date, today: date, warning_days: int = 30) -> LotCheck:
    """Expired lots are refused; lots expiring within ``warning_days`` warn.

    The expiry date is the last day of use, so a lot expiring today is still
    usable (and warns).
    """
    days_left = (expiry - today).days
    if days_left < 0:
        return LotCheck(
            LotStatus.EXPIRED,
            days_left,
            f"This lot expired on {expiry.isoformat()} and must not be used.",
        )
    if days_left <= warning_days:
        when = "today" if days_left == 0 else f"in {days_left} day{'s' if days_left != 1 else ''}"
        return LotCheck(
            LotStatus.EXPIRING_SOON, days_left, f"This lot expires {when} ({expiry.isoformat()})."
        )
    return LotCheck(LotStatus.OK, days_left, None)


def lot_key(lot: str) -> str:
    """Form used to look a lot up on a recall: case and spacing do not matter."""
    return re.sub(r"\s+", "", lot).upper()


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


# ---------------------------------------------------------------- validation helpers


class _Collector:
    """Gathers field errors so a form shows every problem at once."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def run(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValidationError as error:
            for key, message in error.errors.items():
                self.errors.setdefault(key, message)
            return None

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _number(value: object, field: str, label: str) -> float:
    """A finite number from a widget value or typed text ("2,5" is accepted)."""
    if isinstance(value, bool) or value is None:
        raise ValidationError.single(field, f"Please enter the {label} as a number.")
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        if not text or len(text) > 20:
            raise ValidationError.single(field, f"Please enter the {label} as a number.")
        try:
            value = float(text)
        except ValueError:
            raise ValidationError.single(field, f"Please enter the {label} as a number.") from None
    if not isinstance(value, (int, float)):
        try:
            value = float(value)  # Decimal and the like
        except (TypeError, ValueError, OverflowError):
            raise ValidationError.single(field, f"Please enter the {label} as a number.") from None
    try:
        number = float(value)
    except OverflowError:
        raise ValidationError.single(field, f"The {label} is far too large.") from None
    if not math.isfinite(number):
        raise ValidationError.single(field, f"Please enter the {label} as a number.")
    return number


def _whole_number(
    value: object, field: str, label: str, low: int, high: int, unit: str = ""
) -> int:
    number = _number(value, field, label)
    suffix = f" {unit}" if unit else ""
    if number != int(number):
        raise ValidationError.single(field, f"The {label} must be a whole number.")
    if not low <= number <= high:
        raise ValidationError.single(
            field, f"The {label} must be between {low} and {high}{suffix}."
        )
    return int(number)


def _choice(value: object, enum: type[StrEnum], field: str, message: str):
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        try:
            return enum(value.strip())
        except ValueError:
            pass
    raise ValidationError.single(field, message)


def _aware_utc(value: object, field: str, label: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationError.single(field, f"Please enter the {label}.")
    if value.tzinfo is None or value.utcoffset() is None:
        # A naive time is ambiguous across clocks and summer time: refuse it.
        raise ValidationError.single(field, f"The {label} has no time zone; please re-enter it.")
    try:
        return value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise ValidationError.single(field, f"The {label} is not a valid time.") from None


def expiry_from_text(text: str) -> date | None:
    """The expiry date typed so far (YYYY-MM or YYYY-MM-DD), or None while it is not one yet:
    what the session form's live lot check reads, exactly as saving will."""
    try:
        return _expiry(text, "expiry")
    except ValidationError:
        return None


def _expiry(value: object, field: str) -> date:
    """A date; typed text may be YYYY-MM-DD or YYYY-MM (end of that month, as printed on boxes)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", text)
        if not match:
            raise ValidationError.single(
                field, "Please enter the expiry date as printed on the box: YYYY-MM or YYYY-MM-DD.")
        year, month = int(match[1]), int(match[2])
        try:
            day = int(match[3]) if match[3] else calendar.monthrange(year, month)[1]
            value = date(year, month, day)
        except (ValueError, calendar.IllegalMonthError):
            raise ValidationError.single(field, "That expiry date does not exist.") from None
    if not isinstance(value, date):
        raise ValidationError.single(field, "Please enter the expiry date.")
    low, high = _EXPIRY_YEARS
    if not low <= value.year <= high:
        raise ValidationError.single(field, f"The expiry date must be between {low} and {high}.")
    return value


def _or_default(value: object, default: object) -> object:
    return default if value is None or value == "" else value


def _get(raw: object, key: str, default: object = None) -> object:
    if isinstance(raw, Mapping):
        return raw.get(key, default)
    return getattr(raw, key, default)


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
    errors = _Collector()
    injections = errors.run(
        _whole_number, _get(raw, "injections"), f"{prefix}.injections", "number of injections",
        0, settings.max_injections_per_zone,
    )
    depth = errors.run(_number, _get(raw, "depth_mm"), f"{prefix}.depth_mm", "needle depth")
    if depth is not None and not settings.depth_min_mm <= depth <= settings.depth_max_mm:
        errors.add(
            f"{prefix}.depth_mm",
            f"Needle depth must be between {settings.depth_min_mm:g}"
            f" and {settings.depth_max_mm:g} mm.",
        )
    volume = errors.run(_number, _get(raw, "volume_ml"), f"{prefix}.volume_ml", "volume")
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
    errors = _Collector()
    name = errors.run(clean_text, _get(raw, "name"), f"{prefix}.name", max_length=120,
                      required=True, label="product name")
    lot = errors.run(clean_text, _get(raw, "lot"), f"{prefix}.lot", max_length=40,
                     required=True, label="lot number")
    if lot is not None and not _LOT_CHARS.match(lot):
        errors.add(
            f"{prefix}.lot",
            "A lot number may hold only letters A–Z, digits, spaces and . / _ # -"
            " as printed on the box.",
        )
    expiry = errors.run(_expiry, _get(raw, "expiry"), f"{prefix}.expiry")
    errors.raise_if_any()
    return ProductUse(name, lot, expiry)


def _zones(
    raw: object, *, technique, known_zone_ids: Collection[str], settings, errors: _Collector
) -> tuple[ZoneTreatment, ...]:
    if raw is None:
        return ()
    if isinstance(raw, Mapping):
        items = list(raw.items())
    elif isinstance(raw, (list, tuple)):
        items = [(_get(item, "zone_id"), item) for item in raw]
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
    raw: object, *, session_date: date | None, settings, errors: _Collector
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


def _side_effects(raw: object, known: Collection[str], errors: _Collector) -> tuple[str, ...]:
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


def _optional_scale(value: object, field: str, label: str, low: int, high: int, errors: _Collector):
    if value is None or value == "":
        return None
    return errors.run(_whole_number, value, field, label, low, high)


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
    now = _aware_utc(now, "now", "current time")
    errors = _Collector()

    started_at = errors.run(
        _aware_utc, draft.get("started_at"), "started_at", "session date and time"
    )
    if started_at is not None:
        if started_at > now + _CLOCK_SLACK:
            errors.add("started_at", "The session cannot start in the future.")
            started_at = None
        elif started_at < _EARLIEST_SESSION:
            errors.add("started_at", "The session date is too far in the past; please check it.")
            started_at = None
    if session_date is None and started_at is not None:
        session_date = started_at.date()

    consultant = draft.get("consultant_id")
    if isinstance(consultant, int) and not isinstance(consultant, bool) and consultant > 0:
        consultant = str(consultant)
    consultant_id = errors.run(
        clean_text, consultant, "consultant_id", max_length=64, required=True, label="consultant"
    )
    technique = errors.run(
        _choice, draft.get("technique"), Technique, "technique", "Please choose the technique."
    )
    numbing = errors.run(
        _choice, _or_default(draft.get("numbing"), Numbing.NONE), Numbing, "numbing",
        "Please choose the numbing.",
    )
    zones = _zones(
        draft.get("zones"), technique=technique, known_zone_ids=known_zone_ids,
        settings=settings, errors=errors,
    )
    products = _products(
        draft.get("products"), session_date=session_date, settings=settings, errors=errors
    )

    duration = draft.get("duration_min")
    if duration is not None and duration != "":
        duration = errors.run(
            _whole_number, duration, "duration_min", "session length",
            1, settings.max_duration_min, "minutes",
        )
    else:
        duration = None
    side_effects = _side_effects(draft.get("side_effects"), side_effect_ids, errors)
    other = errors.run(
        clean_text, draft.get("side_effects_other"), "side_effects_other", max_length=500,
        multiline=True, label="other side effects",
    )
    shedding = _optional_scale(
        draft.get("shedding"), "shedding", "shedding answer", *settings.shedding_range, errors
    )
    satisfaction = _optional_scale(
        draft.get("satisfaction"), "satisfaction", "satisfaction answer",
        *settings.satisfaction_range, errors,
    )
    notes = errors.run(clean_text, draft.get("notes"), "notes", max_length=4000, multiline=True)
    status = errors.run(
        _choice, _or_default(draft.get("status"), SessionStatus.OPEN), SessionStatus, "status",
        "Unknown session status.",
    )
    closed_at = None
    if status is SessionStatus.CLOSED:
        closed_at = errors.run(_aware_utc, draft.get("closed_at"), "closed_at", "closing time")
    session_id = draft.get("session_id")
    if session_id is not None and (
        not isinstance(session_id, int) or isinstance(session_id, bool) or not 0 < session_id < 2**63
    ):  # beyond SQLite's 64-bit row ids no session can exist
        errors.add("session_id", "The session reference is not valid.")
    errors.raise_if_any()

    session = TreatmentSession(
        started_at=started_at,
        consultant_id=consultant_id,
        technique=technique,
        numbing=numbing,
        zones=zones,
        products=products,
        duration_min=duration,
        side_effects=side_effects,
        side_effects_other=other,
        shedding=shedding,
        satisfaction=satisfaction,
        notes=notes,
        status=status,
        closed_at=closed_at,
        session_id=session_id,
    )
    if session.is_closed:
        _check_closable(session, session.closed_at)
    return session


def _check_closable(session: TreatmentSession, closed_at: datetime) -> None:
    errors = _Collector()
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
    closed_at = _aware_utc(closed_at, "closed_at", "closing time")
    _check_closable(session, closed_at)
    return replace(session, status=SessionStatus.CLOSED, closed_at=closed_at)


# ---------------------------------------------------------------- amendments


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
    errors = _Collector()
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
    at = errors.run(_aware_utc, amended_at, "amended_at", "time of the correction")
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


# ---------------------------------------------------------------- history


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
