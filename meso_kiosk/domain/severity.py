"""Which protocol to suggest from the intake's hair-loss scales, and the consultant's choice.

The thresholds are clinic data (``[severity]`` in ``resources/protocols/protocols.toml``);
this module only knows the order of each scale's stages. The suggestion is the highest
level any recorded scale reaches; the consultant may choose another protocol, and then
must say why (the reason is kept with the course).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import ValidationError
from .text import clean_text

# Standard scales, least to most advanced (vocabulary, not clinic rules).
NORWOOD_STAGES = ("I", "II", "IIa", "III", "IIIa", "III vertex", "IV", "IVa", "V", "Va", "VI", "VII")
LUDWIG_STAGES = ("I", "II", "III")
SINCLAIR_GRADES = (1, 2, 3, 4, 5)
SALT_MAX = 100.0

MILD, MODERATE, SEVERE = "mild", "moderate", "severe"
LEVELS = (MILD, MODERATE, SEVERE)  # escalating; each is the id of a protocol

MAX_REASON_LENGTH = 500
_LEVEL_KEYS = frozenset({"norwood_from", "ludwig_from", "sinclair_from", "salt_from"})
_PROTOCOL_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _stage_key(text: str) -> str:
    # "III vertex", "III_vertex" (the intake's stage id), "iii-vertex" and "IIIv" all name
    # the same stage.
    key = re.sub(r"[\s_\-]+", "", text).upper()
    return "IIIVERTEX" if key == "IIIV" else key


_NORWOOD_BY_KEY = {_stage_key(stage): stage for stage in NORWOOD_STAGES}
_LUDWIG_BY_KEY = {_stage_key(stage): stage for stage in LUDWIG_STAGES}


def norwood_stage(value: object, field_name: str = "norwood") -> str:
    """The canonical spelling of a Norwood stage ("iv" -> "IV"), or ValidationError."""
    stage = _NORWOOD_BY_KEY.get(_stage_key(value)) if isinstance(value, str) and len(value) <= 20 else None
    if stage is None:
        raise ValidationError.single(field_name, f"Choose a Norwood stage: {', '.join(NORWOOD_STAGES)}.")
    return stage


def ludwig_stage(value: object, field_name: str = "ludwig") -> str:
    stage = _LUDWIG_BY_KEY.get(_stage_key(value)) if isinstance(value, str) and len(value) <= 20 else None
    if stage is None:
        raise ValidationError.single(field_name, "Choose a Ludwig stage: I, II or III.")
    return stage


def sinclair_grade(value: object, field_name: str = "sinclair") -> int:
    """A Sinclair grade 1-5; the intake stores it as the stage id "1".."5", also accepted."""
    if isinstance(value, str) and re.fullmatch(r"\s*[1-5]\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value not in SINCLAIR_GRADES:
        raise ValidationError.single(field_name, "The Sinclair grade must be a whole number from 1 to 5.")
    return value


def salt_score(value: object, field_name: str = "salt") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError.single(field_name, "The SALT score must be a number from 0 to 100.")
    score = float(value)
    if not math.isfinite(score) or not 0.0 <= score <= SALT_MAX:
        raise ValidationError.single(field_name, "The SALT score must be a number from 0 to 100.")
    return score


@dataclass(frozen=True)
class LevelThresholds:
    """From which stage of each scale a level is suggested; None = this scale never does."""

    norwood_from: str | None = None
    ludwig_from: str | None = None
    sinclair_from: int | None = None
    salt_from: float | None = None

    def reasons(
        self, norwood: str | None, ludwig: str | None, sinclair: int | None, salt: float | None
    ) -> list[str]:
        """One phrase per recorded scale at or above its threshold, e.g. "Norwood IV or above"."""
        found = []
        if norwood and self.norwood_from and NORWOOD_STAGES.index(norwood) >= NORWOOD_STAGES.index(self.norwood_from):
            found.append(f"Norwood {self.norwood_from} or above")
        if ludwig and self.ludwig_from and LUDWIG_STAGES.index(ludwig) >= LUDWIG_STAGES.index(self.ludwig_from):
            found.append(f"Ludwig {self.ludwig_from} or above")
        if sinclair is not None and self.sinclair_from is not None and sinclair >= self.sinclair_from:
            found.append(f"Sinclair {self.sinclair_from} or above")
        if salt is not None and self.salt_from is not None and salt >= self.salt_from:
            found.append(f"SALT {self.salt_from:g} % or above")
        return found


@dataclass(frozen=True)
class SeverityRules:
    moderate: LevelThresholds
    severe: LevelThresholds


def parse_severity_rules(data: object) -> SeverityRules:
    """The ``[severity]`` thresholds of a parsed ``protocols.toml`` (the whole document)."""
    table = data.get("severity") if isinstance(data, Mapping) else None
    if not isinstance(table, Mapping):
        raise ValidationError.single("severity", "The protocols file has no [severity] section.")
    unknown = sorted(str(key)[:40] for key in table if key not in (MODERATE, SEVERE))
    if unknown:
        raise ValidationError.single(
            "severity", f"[severity] has sections the kiosk does not know: {', '.join(unknown[:5])}."
        )
    levels = {level: _parse_level(table.get(level), level) for level in (MODERATE, SEVERE)}
    moderate, severe = levels[MODERATE], levels[SEVERE]
    for key, order in (
        ("norwood_from", NORWOOD_STAGES),
        ("ludwig_from", LUDWIG_STAGES),
        ("sinclair_from", None),
        ("salt_from", None),
    ):
        low, high = getattr(moderate, key), getattr(severe, key)
        if low is None or high is None:
            continue
        if (order.index(high) < order.index(low)) if order else high < low:
            raise ValidationError.single(
                f"severity.severe.{key}",
                f"[severity]: the severe {key} ({high}) is below the moderate one ({low}).",
            )
    return SeverityRules(moderate=moderate, severe=severe)


def _parse_level(body: object, level: str) -> LevelThresholds:
    path = f"severity.{level}"
    if body is None:
        return LevelThresholds()
    if not isinstance(body, Mapping):
        raise ValidationError.single(path, f"[severity.{level}] must be a section of thresholds.")
    unknown = sorted(str(key)[:40] for key in body if key not in _LEVEL_KEYS)
    if unknown:
        raise ValidationError.single(
            path,
            f"[severity.{level}] has lines the kiosk does not know: {', '.join(unknown[:5])}."
            f" Expected only: {', '.join(sorted(_LEVEL_KEYS))}.",
        )

    def optional(key: str, check):
        value = body.get(key)
        if value is None:
            return None
        try:
            return check(value, f"{path}.{key}")
        except ValidationError as error:
            raise ValidationError.single(f"{path}.{key}", f"[severity.{level}] {key}: {error.errors[f'{path}.{key}']}")

    return LevelThresholds(
        norwood_from=optional("norwood_from", norwood_stage),
        ludwig_from=optional("ludwig_from", ludwig_stage),
        sinclair_from=optional("sinclair_from", sinclair_grade),
        salt_from=optional("salt_from", salt_score),
    )


@dataclass(frozen=True)
class SeveritySuggestion:
    level: str  # "mild", "moderate" or "severe": the id of the suggested protocol
    reason: str  # for the consultant, e.g. "Norwood IV or above"


def suggest_severity(
    rules: SeverityRules,
    *,
    norwood: str | None = None,
    ludwig: str | None = None,
    sinclair: int | None = None,
    salt: float | None = None,
) -> SeveritySuggestion:
    """The protocol level the recorded scales point to, with the reason in plain words.

    Any scale may be None (not recorded). Values may be given as the intake stores them
    (Norwood "III_vertex", Sinclair "4"). A value that is not a stage of its scale raises
    ``ValidationError`` naming that scale.
    """
    if not isinstance(rules, SeverityRules):
        raise TypeError("suggest_severity() needs SeverityRules (see parse_severity_rules)")
    norwood = None if norwood is None else norwood_stage(norwood)
    ludwig = None if ludwig is None else ludwig_stage(ludwig)
    sinclair = None if sinclair is None else sinclair_grade(sinclair)
    salt = None if salt is None else salt_score(salt)

    for level, thresholds in ((SEVERE, rules.severe), (MODERATE, rules.moderate)):
        reasons = thresholds.reasons(norwood, ludwig, sinclair, salt)
        if reasons:
            return SeveritySuggestion(level, "; ".join(reasons))
    recorded = [
        f"{name} {value:g}" if isinstance(value, float) else f"{name} {value}"
        for name, value in (("Norwood", norwood), ("Ludwig", ludwig), ("Sinclair", sinclair), ("SALT", salt))
        if value is not None
    ]
    if not recorded:
        return SeveritySuggestion(MILD, "No hair-loss scale recorded yet")
    return SeveritySuggestion(MILD, f"Below the moderate thresholds ({', '.join(recorded)})")


@dataclass(frozen=True)
class SeverityChoice:
    """The protocol the consultant chose; a choice other than the suggestion needs a reason."""

    suggested: str
    chosen: str
    reason: str | None = None

    def __post_init__(self) -> None:
        for name in ("suggested", "chosen"):
            value = getattr(self, name)
            if not isinstance(value, str) or not _PROTOCOL_ID_RE.match(value):
                raise ValidationError.single(name, "Choose a protocol from the list.")
        reason = clean_text(
            self.reason, "reason", max_length=MAX_REASON_LENGTH, multiline=True, label="reason for the choice"
        )
        if self.chosen != self.suggested and reason is None:
            raise ValidationError.single(
                "reason",
                f"Please say why you chose the {self.chosen} protocol instead of the suggested {self.suggested} one.",
            )
        object.__setattr__(self, "reason", reason)

    @property
    def overridden(self) -> bool:
        return self.chosen != self.suggested
