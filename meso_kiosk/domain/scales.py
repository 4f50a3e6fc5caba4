"""Hair-loss classification scales: stages, severity ranks, SALT maths, which scale fits.

Everything here is built from the parsed ``resources/intake/options.toml`` (a plain dict);
the service layer reads the file, this module only checks and interprets it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .errors import ValidationError

STAGE_SCALE_IDS = ("norwood", "ludwig", "sinclair")
SALT = "salt"
SALT_REGION_IDS = ("vertex", "posterior", "right", "left")
SEX_KEYS = ("male", "female", "any")  # "any": intersex or sex at birth not recorded
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{0,39}$")
_SALT_PLACES = Decimal("0.1")  # one decimal: what a consultant can read and compare


class OptionsError(ValueError):
    """The intake options file is malformed; the message names the entry at fault."""


@dataclass(frozen=True)
class Stage:
    id: str
    label: str
    rank: int


@dataclass(frozen=True)
class StageScale:
    """A scale read as one stage (Norwood–Hamilton, Ludwig, Sinclair)."""

    id: str
    label: str
    stages: tuple[Stage, ...]

    def stage(self, stage_id: str) -> Stage | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    @property
    def stage_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.stages)


@dataclass(frozen=True)
class SaltRegion:
    id: str
    label: str
    weight: float  # share of the scalp, percent; the four add up to 100


@dataclass(frozen=True)
class SaltBand:
    id: str
    label: str
    min: float
    rank: int


@dataclass(frozen=True)
class SaltScale:
    """SALT: percent lost per region, weighted into one 0–100 score."""

    label: str
    regions: tuple[SaltRegion, ...]
    bands: tuple[SaltBand, ...]

    @property
    def weights(self) -> dict[str, float]:
        return {r.id: r.weight for r in self.regions}

    def band(self, score: float) -> SaltBand:
        """The severity band a score falls in (the last band whose minimum it reaches)."""
        found = self.bands[0]
        for band in self.bands:
            if score >= band.min:
                found = band
        return found


@dataclass(frozen=True)
class ScaleCatalogue:
    """All scales the intake offers, and which fit which hair-loss type and sex."""

    stage_scales: tuple[StageScale, ...]
    salt: SaltScale
    # hair-loss type id -> sex key ("male"/"female"/"any") -> scale ids, in offer order
    fits: Mapping[str, Mapping[str, tuple[str, ...]]]

    @property
    def scale_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.stage_scales) + (SALT,)

    def stage_scale(self, scale_id: str) -> StageScale:
        for scale in self.stage_scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(f"unknown stage scale {scale_id!r}")

    def label(self, scale_id: str) -> str:
        return self.salt.label if scale_id == SALT else self.stage_scale(scale_id).label


# ---------------------------------------------------------------------------------------
# Parsing the options data
# ---------------------------------------------------------------------------------------


def _require_table(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise OptionsError(f"{where}: expected a table of settings.")
    return value


def _require_list(value: object, where: str) -> list[object]:
    if not isinstance(value, list) or not value:
        raise OptionsError(f"{where}: expected a non-empty list.")
    return value


def _check_keys(table: Mapping[str, object], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise OptionsError(f"{where}: unknown setting(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))}).")


def parse_id(value: object, where: str) -> str:
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise OptionsError(f"{where}: the id must be letters, digits or underscores (got {value!r}).")
    return value


def parse_label(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise OptionsError(f"{where}: the label must be a short piece of text.")
    return value.strip()


def _parse_rank(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000:
        raise OptionsError(f"{where}: the rank must be a whole number from 0 to 1000.")
    return value


def _parse_number(value: object, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise OptionsError(f"{where}: expected a number.")
    if not (math.isfinite(value) and low <= value <= high):
        raise OptionsError(f"{where}: expected a number from {low:g} to {high:g}.")
    return float(value)


def _parse_stage_scale(scale_id: str, raw: object) -> StageScale:
    where = f"scale.{scale_id}"
    table = _require_table(raw, where)
    _check_keys(table, {"label", "stage"}, where)
    stages: list[Stage] = []
    for index, item in enumerate(_require_list(table.get("stage"), f"{where}.stage"), start=1):
        item_where = f"{where}, stage {index}"
        entry = _require_table(item, item_where)
        _check_keys(entry, {"id", "label", "rank"}, item_where)
        stage_id = parse_id(entry.get("id"), item_where)
        item_where = f"{where}, stage '{stage_id}'"
        if any(s.id == stage_id for s in stages):
            raise OptionsError(f"{item_where}: this stage id appears twice.")
        label = parse_label(entry.get("label"), item_where)
        stages.append(Stage(stage_id, label, _parse_rank(entry.get("rank"), item_where)))
    return StageScale(scale_id, parse_label(table.get("label"), where), tuple(stages))


def _parse_salt(raw: object) -> SaltScale:
    where = "scale.salt"
    table = _require_table(raw, where)
    _check_keys(table, {"label", "region", "band"}, where)
    regions: list[SaltRegion] = []
    for index, item in enumerate(_require_list(table.get("region"), f"{where}.region"), start=1):
        item_where = f"{where}, region {index}"
        entry = _require_table(item, item_where)
        _check_keys(entry, {"id", "label", "weight"}, item_where)
        region_id = parse_id(entry.get("id"), item_where)
        item_where = f"{where}, region '{region_id}'"
        regions.append(
            SaltRegion(
                region_id,
                parse_label(entry.get("label"), item_where),
                _parse_number(entry.get("weight"), item_where, 0, 100),
            )
        )
    if sorted(r.id for r in regions) != sorted(SALT_REGION_IDS):
        raise OptionsError(f"{where}: the regions must be exactly {', '.join(SALT_REGION_IDS)}, once each.")
    total = sum(r.weight for r in regions)
    if not math.isclose(total, 100, abs_tol=1e-9):
        raise OptionsError(f"{where}: the region weights must add up to 100 (they add up to {total:g}).")
    bands: list[SaltBand] = []
    for index, item in enumerate(_require_list(table.get("band"), f"{where}.band"), start=1):
        item_where = f"{where}, band {index}"
        entry = _require_table(item, item_where)
        _check_keys(entry, {"id", "label", "min", "rank"}, item_where)
        band_id = parse_id(entry.get("id"), item_where)
        item_where = f"{where}, band '{band_id}'"
        band = SaltBand(
            band_id,
            parse_label(entry.get("label"), item_where),
            _parse_number(entry.get("min"), item_where, 0, 100),
            _parse_rank(entry.get("rank"), item_where),
        )
        if bands and (band.min <= bands[-1].min or band.rank < bands[-1].rank):
            raise OptionsError(f"{item_where}: bands must go from mildest to most severe (rising min and rank).")
        bands.append(band)
    if bands[0].min != 0:
        raise OptionsError(f"{where}: the first band must start at min = 0.")
    return SaltScale(parse_label(table.get("label"), where), tuple(regions), tuple(bands))


def _parse_fits(raw_types: object, known_scales: Sequence[str]) -> dict[str, dict[str, tuple[str, ...]]]:
    fits: dict[str, dict[str, tuple[str, ...]]] = {}
    for index, item in enumerate(_require_list(raw_types, "hair_loss_type"), start=1):
        entry = _require_table(item, f"hair_loss_type {index}")
        type_id = parse_id(entry.get("id"), f"hair_loss_type {index}")
        where = f"hair_loss_type '{type_id}'"
        table = _require_table(entry.get("scales", {}), f"{where}, scales")
        _check_keys(table, set(SEX_KEYS), f"{where}, scales")
        by_sex: dict[str, tuple[str, ...]] = {}
        for sex in SEX_KEYS:
            ids = table.get(sex, [])
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise OptionsError(f"{where}, scales.{sex}: expected a list of scale ids.")
            for scale_id in ids:
                if scale_id not in known_scales:
                    raise OptionsError(
                        f"{where}, scales.{sex}: unknown scale '{scale_id}' (known: {', '.join(known_scales)})."
                    )
            if len(set(ids)) != len(ids):
                raise OptionsError(f"{where}, scales.{sex}: a scale is listed twice.")
            by_sex[sex] = tuple(ids)
        fits[type_id] = by_sex
    return fits


def parse_scales(options: Mapping[str, object]) -> ScaleCatalogue:
    """Build the scale catalogue from the whole parsed options file.

    Raises ``OptionsError`` naming the entry at fault.
    """
    scales = _require_table(options.get("scale"), "scale")
    expected = set(STAGE_SCALE_IDS) | {SALT}
    if set(scales) != expected:
        missing = sorted(expected - set(scales))
        extra = sorted(set(scales) - expected)
        detail = "; ".join(
            part
            for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"the intake has no question for {', '.join(extra)}" if extra else "",
            )
            if part
        )
        raise OptionsError(f"scale: the scales must be exactly norwood, ludwig, sinclair and salt ({detail}).")
    stage_scales = tuple(_parse_stage_scale(scale_id, scales[scale_id]) for scale_id in STAGE_SCALE_IDS)
    salt = _parse_salt(scales[SALT])
    fits = _parse_fits(options.get("hair_loss_type"), STAGE_SCALE_IDS + (SALT,))
    return ScaleCatalogue(stage_scales, salt, fits)


# ---------------------------------------------------------------------------------------
# Using the scales
# ---------------------------------------------------------------------------------------


def check_percent(value: object, field: str, label: str) -> float:
    """A finite number from 0 to 100, or ``ValidationError`` naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError.single(field, f"The {label} must be a number from 0 to 100.")
    # Compare before converting: a huge int would overflow float().
    if isinstance(value, float) and math.isnan(value):
        raise ValidationError.single(field, f"The {label} must be a number from 0 to 100.")
    if not 0 <= value <= 100:
        raise ValidationError.single(field, f"The {label} must be between 0 and 100 %.")
    return float(value)


def salt_score(
    vertex: float,
    posterior: float,
    right: float,
    left: float,
    weights: Mapping[str, float],
) -> float:
    """The SALT score, 0–100, from the percent of hair lost in each region.

    Each percent must be 0–100 (``ValidationError`` naming ``classification.salt.<region>``
    otherwise). ``weights`` maps the four region ids to their share of the scalp, adding
    up to 100. The score is rounded half-up to one decimal.
    """
    if set(weights) != set(SALT_REGION_IDS):
        raise ValueError(f"SALT weights must name exactly the regions {', '.join(SALT_REGION_IDS)}")
    if not math.isclose(sum(weights.values()), 100, abs_tol=1e-9):
        raise ValueError("SALT weights must add up to 100")
    lost = {"vertex": vertex, "posterior": posterior, "right": right, "left": left}
    errors: dict[str, str] = {}
    checked: dict[str, float] = {}
    for region, value in lost.items():
        try:
            checked[region] = check_percent(value, f"classification.salt.{region}", f"{region} percent")
        except ValidationError as error:
            errors.update(error.errors)
    if errors:
        raise ValidationError(errors)
    # Decimal arithmetic on the numbers as typed (repr is the shortest text giving each
    # float), so that e.g. 0.125 % of the vertex rounds the way a person expects.
    total = sum(Decimal(repr(checked[r])) * Decimal(repr(float(weights[r]))) for r in SALT_REGION_IDS) / Decimal(100)
    score = float(total.quantize(_SALT_PLACES, rounding=ROUND_HALF_UP))
    return min(max(score, 0.0), 100.0) + 0.0  # + 0.0 turns -0.0 into 0.0


def suggest_scales(catalogue: ScaleCatalogue, hair_loss_type: str | None, sex_at_birth: str | None) -> tuple[str, ...]:
    """Scale ids to offer for this type of hair loss and sex at birth, best fit first.

    Sex other than "male"/"female" (intersex, not recorded) uses the type's ``any`` list.
    An unknown or unanswered type offers every scale, so nothing is hidden by mistake.
    """
    sex = sex_at_birth if sex_at_birth in ("male", "female") else "any"
    by_sex = catalogue.fits.get(hair_loss_type) if isinstance(hair_loss_type, str) else None
    if by_sex is None:
        return catalogue.scale_ids
    return tuple(by_sex.get(sex, ()))


def scale_rank(catalogue: ScaleCatalogue, scale: str, value: object) -> int:
    """Severity rank of a recorded value, so a planner can ask "is Norwood ≥ IV?".

    Stage scales take a stage id ("IV"); SALT takes a score 0–100 and answers with its
    band's rank. Raises ``KeyError`` for an unknown scale or stage, ``ValidationError``
    for a SALT score outside 0–100.
    """
    if scale == SALT:
        score = check_percent(value, "classification.salt", "SALT score")
        return catalogue.salt.band(score).rank
    stage = catalogue.stage_scale(scale).stage(value) if isinstance(value, str) else None
    if stage is None:
        raise KeyError(f"{value!r} is not a stage of the {scale} scale")
    return stage.rank
