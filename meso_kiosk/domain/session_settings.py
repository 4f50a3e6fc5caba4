"""Per-clinic settings for recording a session, and the side-effect catalogue.

Numbers that drive the session checks come from ``resources/sessions/settings.toml``
(``parse_session_settings``) and the side-effect list from
``resources/side_effects.toml`` (``parse_side_effects``); the service loads both.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import ValidationError
from .language import is_language_code

# Outer bounds no clinic setting may exceed: they keep a typo in the settings
# file (400 instead of 4.0) from switching the checks off.
_DEPTH_BOUNDS_MM = (0.1, 10.0)
_MAX_INJECTIONS_CEILING = 500
_MAX_VOLUME_CEILING_ML = 50.0
_MAX_DURATION_CEILING_MIN = 8 * 60
_MAX_WARNING_DAYS = 365
_CATALOGUE_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


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
    patient_wording: str  # plain wording for the patient, in English
    rare: bool = False
    # (language, wording) for every language the file gives, English included: the consent's checklist
    wordings: tuple[tuple[str, str], ...] = ()

    def wording(self, language: str) -> str | None:
        """The patient's wording in ``language``; None when the catalogue has none in it."""
        return dict(self.wordings).get(language) or (self.patient_wording if language == "en" else None)


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
    values = _limit_values(data, defaults, errors)
    shedding = _labels(
        _section(data, "shedding", errors), "shedding", defaults.shedding_labels, errors
    )
    satisfaction = _labels(
        _section(data, "satisfaction", errors), "satisfaction", defaults.satisfaction_labels, errors
    )
    products = _usual_products(data, errors)
    if errors:
        raise ValidationError(errors)
    return SessionSettings(
        **values,
        shedding_labels=shedding,
        satisfaction_labels=satisfaction,
        usual_products=products,
    )


def _limit_values(data: Mapping, defaults: SessionSettings, errors: dict[str, str]) -> dict[str, object]:
    """The numeric settings (needle depth, per-zone limits, lot warning), by field name."""
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
    return values


def _usual_products(data: Mapping, errors: dict[str, str]) -> tuple[ProductOption, ...]:
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
    return tuple(products)


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
        # patient_wording: one English text, or one per language (patient_wording.fr = "…"), English needed
        wording = raw.get("patient_wording")
        keyed = isinstance(wording, Mapping)
        languages = dict(wording) if keyed else {"en": wording}
        fields = {"label": ("label", raw.get("label"), 80)} | {
            code: (f"patient_wording.{code}" if keyed else "patient_wording", text, 400)
            for code, text in languages.items()}
        texts = {}
        for name, (key, value, limit) in fields.items():
            if name != "label" and not is_language_code(name):
                errors[f"{where}.{key}"] = "must be a language code such as en or fr."
            elif not isinstance(value, str) or not value.strip() or len(value) > limit or "\n" in value.strip():
                errors[f"{where}.{key}"] = f"{key} must be a text of 1 to {limit} characters on one line."
            else:
                texts[name] = " ".join(value.split())
        if "en" not in languages:
            errors[f"{where}.patient_wording.en"] = "patient_wording needs its English text (patient_wording.en)."
        rare = raw.get("rare", False)
        if not isinstance(rare, bool):
            errors[f"{where}.rare"] = "rare must be true or false."
        if len(texts) == len(fields) and "en" in texts and isinstance(rare, bool):
            wordings = tuple((code, texts[code]) for code in languages)
            items.append(SideEffect(effect_id, texts["label"], texts["en"], rare, wordings))
    if errors:
        raise ValidationError(errors)
    return tuple(items)
