"""The intake's options: choice lists, scales and sanity limits.

They come from ``resources/intake/options.toml``, parsed by the service layer and
handed to ``parse_options``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from .scales import OptionsError, ScaleCatalogue, parse_id, parse_label, parse_scales


@dataclass(frozen=True)
class Choice:
    id: str
    label: str


@dataclass(frozen=True)
class IntakeOptions:
    """The parsed ``intake/options.toml``."""

    hair_loss_types: tuple[Choice, ...]
    previous_treatments: tuple[Choice, ...]
    treatment_outcomes: tuple[Choice, ...]
    pregnancy_statuses: tuple[Choice, ...]
    scales: ScaleCatalogue
    shedding_normal_min: int
    shedding_normal_max: int
    shedding_max_plausible: int
    max_duration_months: int

    def choices(self, source: str) -> tuple[Choice, ...]:
        """The pick list named by a ``FieldSpec.choices`` source."""
        if source.startswith("scale."):
            scale = self.scales.stage_scale(source.removeprefix("scale."))
            return tuple(Choice(s.id, s.label) for s in scale.stages)
        lists = {
            "hair_loss_type": self.hair_loss_types,
            "previous_treatment": self.previous_treatments,
            "treatment_outcome": self.treatment_outcomes,
            "pregnancy_status": self.pregnancy_statuses,
        }
        return lists[source]


def _parse_choices(data: Mapping[str, object], key: str, extra_keys: Collection[str] = ()) -> tuple[Choice, ...]:
    raw = data.get(key)
    if not isinstance(raw, list) or not raw:
        raise OptionsError(f"{key}: expected at least one [[{key}]] entry.")
    choices: list[Choice] = []
    for index, item in enumerate(raw, start=1):
        where = f"{key} {index}"
        if not isinstance(item, Mapping):
            raise OptionsError(f"{where}: expected a table with id and label.")
        choice_id = parse_id(item.get("id"), where)
        where = f"{key} '{choice_id}'"
        unknown = sorted(set(item) - {"id", "label"} - set(extra_keys))
        if unknown:
            raise OptionsError(f"{where}: unknown setting(s) {', '.join(unknown)}.")
        if any(c.id == choice_id for c in choices):
            raise OptionsError(f"{where}: this id appears twice.")
        choices.append(Choice(choice_id, parse_label(item.get("label"), where)))
    return tuple(choices)


def _parse_count(table: Mapping[str, object], key: str, where: str, low: int, high: int) -> int:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise OptionsError(f"{where}.{key}: expected a whole number from {low} to {high}.")
    return value


def parse_options(data: Mapping[str, object]) -> IntakeOptions:
    """Build ``IntakeOptions`` from the parsed options file; ``OptionsError`` names the entry."""
    if not isinstance(data, Mapping):
        raise OptionsError("The intake options file must be a TOML document.")
    allowed = {
        "hair_loss_type", "previous_treatment", "treatment_outcome", "pregnancy_status", "scale", "shedding", "limits",
    }
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise OptionsError(f"Unknown section(s) in the intake options: {', '.join(unknown)}.")
    shedding = data.get("shedding")
    limits = data.get("limits")
    if not isinstance(shedding, Mapping) or set(shedding) != {"normal_min", "normal_max", "max_plausible"}:
        raise OptionsError("shedding: expected normal_min, normal_max and max_plausible.")
    if not isinstance(limits, Mapping) or set(limits) != {"max_duration_months"}:
        raise OptionsError("limits: expected max_duration_months.")
    normal_min = _parse_count(shedding, "normal_min", "shedding", 0, 1_000_000)
    normal_max = _parse_count(shedding, "normal_max", "shedding", normal_min, 1_000_000)
    max_plausible = _parse_count(shedding, "max_plausible", "shedding", normal_max, 1_000_000)
    return IntakeOptions(
        hair_loss_types=_parse_choices(data, "hair_loss_type", {"scales"}),
        previous_treatments=_parse_choices(data, "previous_treatment"),
        treatment_outcomes=_parse_choices(data, "treatment_outcome"),
        pregnancy_statuses=_parse_choices(data, "pregnancy_status"),
        scales=parse_scales(data),
        shedding_normal_min=normal_min,
        shedding_normal_max=normal_max,
        shedding_max_plausible=max_plausible,
        max_duration_months=_parse_count(limits, "max_duration_months", "limits", 1, 2400),
    )
