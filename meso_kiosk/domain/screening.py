"""Contraindication screening: clinic-editable rules turned into stops, warnings and notes.

The rules come from ``resources/screening/rules.toml`` (parsed by the service layer and
handed here as a dict). ``evaluate`` is pure: answers in, findings out. A ``stop`` blocks
the scalp map and the consent until the consultant records an override reason; a ``warn``
needs an acknowledgement tick; an ``info`` is shown and needs nothing.

Every rule says where it comes from: ``source`` is one of the ids of the file's
``[sources]`` table (id -> full citation), ``rationale`` says in a sentence or two why it
matters; both travel with each finding so the consultant reads them beside the message.
A stop with ``overridable = false`` cannot be overridden (pregnancy, by default).
Facts about the patient that are not intake answers (``patient.age``) are handed in with
the answers under ``PATIENT_FACTS``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .errors import ValidationError
from .text import clean_text

_RULE_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
_FIELD_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+$")
_CONDITIONS = ("equals", "in", "min", "max", "present")
_MAX_MESSAGE = 600
_MAX_RATIONALE = 400
_MAX_CITATION = 300
# Facts the rules may test besides the intake's answers; the service adds them to the answers.
PATIENT_AGE = "patient.age"  # whole years on the day the answers are screened
PATIENT_FACTS = (PATIENT_AGE,)
MAX_OVERRIDE_REASON = 1000
MAX_CONSULTANT_NAME = 100

# The workflow steps an unhandled stop holds back (ids shared with the UI's step list).
STEP_SCALP_MAP = "scalp_map"
STEP_CONSENT = "consent"
STEPS_BLOCKED_BY_STOP = frozenset({STEP_SCALP_MAP, STEP_CONSENT})


class Level(StrEnum):
    STOP = "stop"
    WARN = "warn"
    INFO = "info"


class ScreeningRulesError(ValueError):
    """The screening rules file is malformed; the message names the rule at fault."""


@dataclass(frozen=True)
class ScreeningRule:
    """One rule: when the answer at ``field`` meets the condition, show ``message``.

    Exactly one kind of condition is set: ``equals``, ``in`` (one of a list), ``present``
    (answered or not), or a number range ``min`` and/or ``max`` (inclusive).
    """

    id: str
    field: str
    level: Level
    message: str
    equals: bool | int | float | str | None = None
    one_of: tuple[bool | int | float | str, ...] | None = None
    min: float | None = None
    max: float | None = None
    present: bool | None = None
    source: str = ""  # an id of the file's [sources] table
    citation: str = ""  # that source in full, as the consultant reads it
    rationale: str = ""
    overridable: bool = True  # only ever False on a stop

    @classmethod
    def from_dict(
        cls, raw: object, position: int = 0, sources: Mapping[str, str] | None = None
    ) -> "ScreeningRule":
        """Parse one ``[[rule]]`` table; ``ScreeningRulesError`` names the rule if malformed.

        ``sources`` (id -> citation), when given, are the only ``source`` ids accepted.
        """
        where = f"Screening rule {position}" if position else "Screening rule"
        if not isinstance(raw, Mapping):
            raise ScreeningRulesError(f"{where}: expected a table of settings.")
        rule_id = raw.get("id")
        if not isinstance(rule_id, str) or not _RULE_ID_RE.match(rule_id):
            raise ScreeningRulesError(
                f"{where}: the id must be lower-case letters, digits and underscores, starting with a letter"
                f" (got {rule_id!r})."
            )
        where = f"Screening rule '{rule_id}'" + (f" (rule {position})" if position else "")

        def fail(problem: str) -> ScreeningRulesError:
            return ScreeningRulesError(f"{where}: {problem}")

        allowed = {"id", "field", "level", "message", "source", "rationale", "overridable", *_CONDITIONS}
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise fail(f"unknown setting(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))}).")
        field = raw.get("field")
        if not isinstance(field, str) or not _FIELD_RE.match(field):
            raise fail(f"'field' must be an intake answer path such as medical.nsaids (got {field!r}).")
        try:
            level = Level(raw.get("level"))
        except ValueError:
            raise fail(f"'level' must be stop, warn or info (got {raw.get('level')!r}).") from None
        message = raw.get("message")
        if not isinstance(message, str) or not message.strip():
            raise fail("'message' must be the text shown to the consultant.")
        try:
            message = clean_text(message, "message", max_length=_MAX_MESSAGE, required=True, multiline=True)
        except ValidationError as error:
            raise fail(next(iter(error.errors.values()))) from None
        assert message is not None
        message = " ".join(message.split())  # TOML multi-line strings: keep one paragraph
        provenance = _provenance(raw, level, sources, fail)

        present_keys = [key for key in _CONDITIONS if key in raw]
        is_range = set(present_keys) <= {"min", "max"} and present_keys
        if not present_keys or (len(present_keys) > 1 and not is_range):
            raise fail(
                "give exactly one condition: equals, in, present, or a number range min / max"
                f" (found: {', '.join(present_keys) or 'none'})."
            )
        values: dict[str, object] = {}
        if "equals" in raw:
            values["equals"] = _scalar(raw["equals"], fail, "equals")
        if "in" in raw:
            items = raw["in"]
            if not isinstance(items, list) or not items:
                raise fail("'in' must be a non-empty list of answers.")
            values["one_of"] = tuple(_scalar(item, fail, "in") for item in items)
        for bound in ("min", "max"):
            if bound in raw:
                number = raw[bound]
                if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
                    raise fail(f"'{bound}' must be a number.")
                values[bound] = number
        if "min" in values and "max" in values and values["min"] > values["max"]:  # type: ignore[operator]
            raise fail("'min' is larger than 'max', so the rule could never apply.")
        if "present" in raw:
            if not isinstance(raw["present"], bool):
                raise fail("'present' must be true or false.")
            values["present"] = raw["present"]
        return cls(
            id=rule_id, field=field, level=level, message=message, **provenance, **values  # type: ignore[arg-type]
        )

    def applies_to(self, answer: object) -> bool:
        """Whether this rule fires for ``answer`` (never raises, whatever the answer is)."""
        if self.present is not None:
            return _is_answered(answer) == self.present
        if answer is None:
            return False
        items = list(answer) if isinstance(answer, (list, tuple, set, frozenset)) else [answer]
        if self.equals is not None:
            return any(_same(item, self.equals) for item in items)
        if self.one_of is not None:
            return any(_same(item, wanted) for item in items for wanted in self.one_of)
        return any(_in_range(item, self.min, self.max) for item in items)


def _provenance(raw: Mapping[str, object], level: Level, sources: Mapping[str, str] | None, fail) -> dict:
    """``source`` (checked against the [sources] ids), its citation, ``rationale`` and ``overridable``."""
    source = raw.get("source")
    if not isinstance(source, str) or not _RULE_ID_RE.match(source):
        raise fail(f"'source' must name one of the [sources] of this file, e.g. \"domain_notes\" (got {source!r}).")
    if sources is not None and source not in sources:
        known = ", ".join(sorted(sources)) or "none: add a [sources] table"
        raise fail(f"'source' {source!r} is not one of the [sources] of this file (known: {known}).")
    rationale = raw.get("rationale")
    if not isinstance(rationale, str) or not rationale.strip():
        raise fail("'rationale' must say in a sentence or two why this matters.")
    try:
        rationale = clean_text(rationale, "rationale", max_length=_MAX_RATIONALE, required=True, multiline=True)
    except ValidationError as error:
        raise fail(next(iter(error.errors.values()))) from None
    overridable = raw.get("overridable", True)
    if not isinstance(overridable, bool):
        raise fail("'overridable' must be true or false.")
    if not overridable and level is not Level.STOP:
        raise fail("'overridable = false' is for stops only: a warning or a note is never overridden.")
    return {
        "source": source,
        "citation": (sources or {}).get(source, ""),
        "rationale": " ".join((rationale or "").split()),
        "overridable": overridable,
    }


def parse_sources(data: object) -> dict[str, str]:
    """The ``[sources]`` table: id -> full citation; ``ScreeningRulesError`` names a bad entry."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ScreeningRulesError("[sources] must be a table of id = \"full citation\".")
    sources: dict[str, str] = {}
    for source_id, citation in data.items():
        if not isinstance(source_id, str) or not _RULE_ID_RE.match(source_id):
            raise ScreeningRulesError(
                f"sources.{source_id}: an id must be lower-case letters, digits and underscores."
            )
        if not isinstance(citation, str) or not citation.strip():
            raise ScreeningRulesError(f"sources.{source_id}: expected the full citation as text.")
        try:
            text = clean_text(citation, "citation", max_length=_MAX_CITATION, required=True, multiline=True)
        except ValidationError as error:
            raise ScreeningRulesError(f"sources.{source_id}: {next(iter(error.errors.values()))}") from None
        sources[source_id] = " ".join((text or "").split())
    return sources


def _scalar(value: object, fail, key: str) -> bool | int | float | str:
    if isinstance(value, float) and not math.isfinite(value):
        raise fail(f"'{key}' must be a finite number.")
    if isinstance(value, (bool, int, float, str)):
        return value
    raise fail(f"'{key}' must be true/false, a number or a text answer id (got {type(value).__name__}).")


def _same(answer: object, wanted: object) -> bool:
    # True == 1 in Python; an answer "yes" must not match a rule on a count of 1.
    if isinstance(answer, bool) or isinstance(wanted, bool):
        return isinstance(answer, bool) and isinstance(wanted, bool) and answer is wanted
    if isinstance(wanted, (int, float)):
        return isinstance(answer, (int, float)) and answer == wanted
    return isinstance(answer, str) and answer == wanted


def _in_range(answer: object, low: float | None, high: float | None) -> bool:
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return False
    if isinstance(answer, float) and math.isnan(answer):
        return False
    return (low is None or answer >= low) and (high is None or answer <= high)


def _is_answered(answer: object) -> bool:
    if answer is None:
        return False
    if isinstance(answer, str):
        return bool(answer.strip())
    if isinstance(answer, (list, tuple, set, frozenset, dict)):
        return bool(answer)
    return True


def parse_rules(
    data: Mapping[str, object], *, known_fields: Collection[str] | None = None
) -> tuple[ScreeningRule, ...]:
    """Parse the whole rules file (``{"sources": {...}, "rule": [...]}``), in file order.

    ``known_fields``, when given, are the intake answer paths a rule may look at; a rule
    naming any other path is refused (a typo would otherwise never fire, silently).
    """
    if not isinstance(data, Mapping):
        raise ScreeningRulesError("The screening rules file must be a TOML document with [[rule]] entries.")
    unknown = sorted(set(data) - {"rule", "sources"})
    if unknown:
        raise ScreeningRulesError(f"The screening rules file has unknown top-level setting(s): {', '.join(unknown)}.")
    sources = parse_sources(data.get("sources"))
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list):
        raise ScreeningRulesError("The screening rules must be written as [[rule]] entries.")
    rules: list[ScreeningRule] = []
    seen: set[str] = set()
    for position, raw in enumerate(raw_rules, start=1):
        rule = ScreeningRule.from_dict(raw, position, sources)
        if rule.id in seen:
            raise ScreeningRulesError(f"Screening rule '{rule.id}' (rule {position}): this id is used twice.")
        if known_fields is not None and rule.field not in known_fields and rule.field not in PATIENT_FACTS:
            raise ScreeningRulesError(
                f"Screening rule '{rule.id}' (rule {position}): the intake has no answer called '{rule.field}'."
            )
        seen.add(rule.id)
        rules.append(rule)
    return tuple(rules)


def answer_at(answers: Mapping[str, object], path: str) -> object:
    """The answer at a dotted ``path``, from a flat ``{path: value}`` or a nested mapping."""
    if path in answers:
        return answers[path]
    node: object = answers
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


# ---------------------------------------------------------------------------------------
# Findings and the outcome
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """What one rule found, with its provenance as the rule said it at the time.

    Findings stored before rules had a source have empty ``source``, ``citation`` and
    ``rationale`` and count as overridable (as every stop was then).
    """

    rule_id: str
    level: Level
    message: str
    field: str = ""
    source: str = ""
    citation: str = ""
    rationale: str = ""
    overridable: bool = True

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "rule_id": self.rule_id, "level": self.level.value, "message": self.message, "field": self.field,
        }
        if self.source or self.citation or self.rationale:
            data |= {"source": self.source, "citation": self.citation, "rationale": self.rationale}
        if not self.overridable:
            data["overridable"] = False
        return data

    @classmethod
    def from_dict(cls, raw: Mapping[str, object]) -> "Finding":
        try:
            overridable = raw.get("overridable", True)
            if not isinstance(overridable, bool):
                raise TypeError("overridable is not true or false")
            return cls(
                str(raw["rule_id"]), Level(raw["level"]), str(raw["message"]), str(raw.get("field", "")),
                source=str(raw.get("source", "")), citation=str(raw.get("citation", "")),
                rationale=str(raw.get("rationale", "")), overridable=overridable,
            )
        except (KeyError, ValueError, TypeError) as error:
            raise ValueError(f"stored screening finding is malformed: {raw!r}") from error

    @property
    def can_be_overridden(self) -> bool:
        return self.level is Level.STOP and self.overridable


@dataclass(frozen=True)
class Override:
    """A consultant's recorded decision to go ahead despite a stop."""

    reason: str
    consultant: str

    @classmethod
    def create(cls, reason: object, consultant: object) -> "Override":
        """Validated override; ``ValidationError`` on ``override.reason`` / ``override.consultant``."""
        clean_reason = clean_text(
            reason, "override.reason", max_length=MAX_OVERRIDE_REASON, required=True, multiline=True,
            label="reason for going ahead",
        )
        clean_consultant = clean_text(
            consultant, "override.consultant", max_length=MAX_CONSULTANT_NAME, required=True, label="consultant"
        )
        assert clean_reason is not None and clean_consultant is not None
        return cls(clean_reason, clean_consultant)

    @property
    def is_valid(self) -> bool:
        return (
            isinstance(self.reason, str)
            and bool(self.reason.strip())
            and isinstance(self.consultant, str)
            and bool(self.consultant.strip())
        )


@dataclass(frozen=True)
class OverriddenStop:
    """A stop the consultant went ahead despite: what it said, why, who and when.

    ``at`` is the UTC ISO time of the override ("" for an override stored without one);
    ``by`` is the consultant in words (their name), ``override.consultant`` the audit actor.
    """

    finding: Finding
    override: Override
    at: str = ""
    by: str = ""


@dataclass(frozen=True)
class ScreeningOutcome:
    """What the rules found for one set of answers, in rules-file order."""

    findings: tuple[Finding, ...] = ()

    @property
    def stops(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level is Level.STOP)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level is Level.WARN)

    @property
    def infos(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level is Level.INFO)

    def unhandled_stops(self, overrides: Mapping[str, Override]) -> tuple[Finding, ...]:
        """Stops without an override carrying a non-empty reason and consultant.

        A stop that cannot be overridden stays unhandled whatever override is stored for it
        (one recorded before the clinic made it so must not let a pregnant patient through).
        """
        return tuple(f for f in self.stops if f not in self.overridden_stops(overrides))

    def overridden_stops(self, overrides: Mapping[str, Override]) -> tuple[Finding, ...]:
        """Stops that still apply, may be overridden and carry a valid override, in rules-file order."""
        return tuple(
            f for f in self.stops
            if f.overridable and isinstance(o := overrides.get(f.rule_id), Override) and o.is_valid
        )

    def unacknowledged_warnings(self, acknowledged: Collection[str]) -> tuple[Finding, ...]:
        return tuple(f for f in self.warnings if f.rule_id not in acknowledged)

    def blocked_steps(self, overrides: Mapping[str, Override]) -> frozenset[str]:
        """Workflow steps held back: scalp map and consent while any stop is unhandled."""
        return STEPS_BLOCKED_BY_STOP if self.unhandled_stops(overrides) else frozenset()

    def blocks_consent(self, overrides: Mapping[str, Override]) -> bool:
        return STEP_CONSENT in self.blocked_steps(overrides)

    def blocks_scalp_map(self, overrides: Mapping[str, Override]) -> bool:
        return STEP_SCALP_MAP in self.blocked_steps(overrides)

    def cleared(self, overrides: Mapping[str, Override], acknowledged: Collection[str]) -> bool:
        """Every stop overridden with a reason and every warning acknowledged."""
        return not self.unhandled_stops(overrides) and not self.unacknowledged_warnings(acknowledged)

    def to_dict(self) -> dict[str, list[dict[str, object]]]:
        return {"findings": [f.to_dict() for f in self.findings]}

    @classmethod
    def from_dict(cls, raw: Mapping[str, object]) -> "ScreeningOutcome":
        findings = raw.get("findings", []) if isinstance(raw, Mapping) else None
        if not isinstance(findings, list) or not all(isinstance(f, Mapping) for f in findings):
            raise ValueError("stored screening outcome is malformed")
        return cls(tuple(Finding.from_dict(f) for f in findings))


def evaluate(rules: Sequence[ScreeningRule], answers: Mapping[str, object]) -> ScreeningOutcome:
    """Apply every rule to the answers (flat ``{path: value}`` or nested); pure."""
    return ScreeningOutcome(
        tuple(
            Finding(
                rule.id, rule.level, rule.message, rule.field, source=rule.source, citation=rule.citation,
                rationale=rule.rationale, overridable=rule.overridable,
            )
            for rule in rules
            if rule.applies_to(answer_at(answers, rule.field))
        )
    )
