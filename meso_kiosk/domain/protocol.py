"""Treatment protocols (clinic data, ``resources/protocols/protocols.toml``): how many
sessions, the phases with their intervals, the milestones and the maintenance rhythm."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from .data_checks import refuse_unknown_keys, shown_value, whole_number
from .errors import ValidationError
from .language import is_language_code
from .text import clean_text

# Sanity bounds for clinic-edited data; they catch typing mistakes (700 instead of 7),
# they are not treatment rules (those live in resources/protocols/protocols.toml).
MAX_SESSIONS = 60
MAX_INTERVAL_DAYS = 365
MAX_MILESTONE_MONTHS = 120
MAX_MAINTENANCE_MONTHS = 24
MAX_PROTOCOLS = 50
MAX_LABEL_LENGTH = 80
MAX_MILESTONE_TEXT_LENGTH = 300

PROTOCOL_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

_PROTOCOL_KEYS = frozenset({"label", "sessions", "phases", "milestones", "maintenance_every_months"})
_PHASE_KEYS = frozenset({"sessions", "interval_days", "min_interval_days"})
_MILESTONE_KEYS = frozenset({"anchor", "at", "text"})
# A milestone's wording in another language: text_fr = "...", text_pt-BR = "..." beside text.
_TEXT_IN_PREFIX = "text_"


class MilestoneAnchor(StrEnum):
    SESSION = "session"  # on the date of session number ``at``
    MONTHS = "months"  # ``at`` months after the course start


@dataclass(frozen=True)
class Phase:
    """A run of sessions with the same gap before each of them."""

    sessions: int
    interval_days: int  # planned gap from the previous session, and the minimum gap
    min_interval_days: int  # the shortest gap a consultant may set by hand for one session


@dataclass(frozen=True)
class Milestone:
    """Something a patient may typically notice, worded for them, never a promise."""

    anchor: MilestoneAnchor
    at: int
    text: str  # the file's own wording (English in the shipped file)
    translations: tuple[tuple[str, str], ...] = ()  # (language code, text) from its text_<code> lines

    def text_in(self, language: str | None) -> str:
        """The wording in ``language`` when the file gives it, else ``text``."""
        texts = dict(self.translations)
        language = language or ""
        return texts.get(language) or texts.get(language.split("-")[0]) or self.text


@dataclass(frozen=True)
class Protocol:
    id: str
    label: str
    sessions: int
    phases: tuple[Phase, ...]
    milestones: tuple[Milestone, ...] = ()
    maintenance_every_months: int | None = None
    labels: tuple[tuple[str, str], ...] = ()  # (language code, label) from its label_<code> lines

    def label_in(self, language: str | None) -> str:
        """The label in ``language`` when the file gives it (label_fr), else ``label``."""
        labels, language = dict(self.labels), language or ""
        return labels.get(language) or labels.get(language.split("-")[0]) or self.label

    def phase_of(self, number: int) -> Phase:
        """The phase session ``number`` (1-based) belongs to."""
        if not 1 <= number <= self.sessions:
            raise ValueError(f"protocol {self.id!r} has no session {number}")
        remaining = number
        for phase in self.phases:
            if remaining <= phase.sessions:
                return phase
            remaining -= phase.sessions
        raise ValueError(f"protocol {self.id!r}: phases do not cover session {number}")

    def interval_before(self, number: int) -> int | None:
        """Days from session ``number - 1`` to session ``number``; None for the first."""
        return None if number == 1 else self.phase_of(number).interval_days


def parse_protocols(data: object) -> dict[str, Protocol]:
    """Every protocol of a parsed ``protocols.toml`` (the whole document, as a dict).

    All protocols are checked; the ``ValidationError`` holds one message per faulty
    protocol, each naming the protocol and the line at fault.
    """
    table = data.get("protocols") if isinstance(data, Mapping) else None
    if not isinstance(table, Mapping) or not table:
        raise ValidationError.single(
            "protocols", "The protocols file has no [protocols.<name>] sections, so no course can be planned."
        )
    if len(table) > MAX_PROTOCOLS:
        raise ValidationError.single("protocols", f"The protocols file has more than {MAX_PROTOCOLS} protocols.")
    protocols: dict[str, Protocol] = {}
    errors: dict[str, str] = {}
    for protocol_id, body in table.items():
        try:
            protocol = _parse_protocol(protocol_id, body)
        except ValidationError as error:
            errors.update(error.errors)
        else:
            protocols[protocol.id] = protocol
    if errors:
        raise ValidationError(errors)
    return protocols


def _parse_protocol(protocol_id: object, body: object) -> Protocol:
    if not isinstance(protocol_id, str) or not PROTOCOL_ID_RE.match(protocol_id):
        raise ValidationError.single(
            f"protocols.{shown_value(protocol_id)}",
            f"The protocol name {shown_value(protocol_id)} may use only lower-case letters, digits and _,"
            " starting with a letter (at most 40 characters).",
        )
    where = f"Protocol '{protocol_id}'"
    path = f"protocols.{protocol_id}"
    if not isinstance(body, Mapping):
        raise ValidationError.single(path, f"{where} must be a section with label, sessions and phases.")
    labels = _translations(body, "label_", path, where, MAX_LABEL_LENGTH)
    refuse_unknown_keys({key: value for key, value in body.items() if not _is_translation(key, "label_")},
                        _PROTOCOL_KEYS, path, where)

    try:
        label = clean_text(body.get("label"), "label", max_length=MAX_LABEL_LENGTH, required=True, label="label")
    except ValidationError as error:
        raise ValidationError.single(f"{path}.label", f"{where}: {error.errors['label']}") from None
    assert label is not None

    sessions = whole_number(body.get("sessions"), f"{path}.sessions", f"{where}: sessions", 1, MAX_SESSIONS)

    maintenance = body.get("maintenance_every_months")
    if maintenance is not None:
        maintenance = whole_number(
            maintenance,
            f"{path}.maintenance_every_months",
            f"{where}: maintenance_every_months",
            1,
            MAX_MAINTENANCE_MONTHS,
        )

    phases = _parse_phases(body.get("phases"), sessions, protocol_id, path, where)
    milestones = _parse_milestones(body.get("milestones", []), sessions, path, where)
    _check_same_languages(milestones, path, where)
    return Protocol(
        id=protocol_id,
        label=label,
        sessions=sessions,
        phases=phases,
        milestones=milestones,
        maintenance_every_months=maintenance,
        labels=labels,
    )


def _parse_phases(raw_phases: object, sessions: int, protocol_id: str, path: str, where: str) -> tuple[Phase, ...]:
    if not isinstance(raw_phases, list) or not raw_phases:
        raise ValidationError.single(
            f"{path}.phases", f"{where} needs at least one [[protocols.{protocol_id}.phases]] block."
        )
    if len(raw_phases) > MAX_SESSIONS:
        raise ValidationError.single(f"{path}.phases", f"{where} has more phases than sessions.")
    phases = tuple(
        _parse_phase(raw, f"{path}.phases[{n}]", f"{where}, phase {n}") for n, raw in enumerate(raw_phases, 1)
    )
    in_phases = sum(phase.sessions for phase in phases)
    if in_phases != sessions:
        raise ValidationError.single(
            f"{path}.sessions",
            f"{where}: sessions is {sessions} but its phases add up to {in_phases} sessions; make them match.",
        )
    return phases


def _parse_milestones(raw_milestones: object, sessions: int, path: str, where: str) -> tuple[Milestone, ...]:
    if not isinstance(raw_milestones, list):
        raise ValidationError.single(f"{path}.milestones", f"{where}: milestones must be [[...milestones]] blocks.")
    if len(raw_milestones) > 2 * MAX_SESSIONS:
        raise ValidationError.single(f"{path}.milestones", f"{where} has too many milestones.")
    return tuple(
        _parse_milestone(raw, sessions, f"{path}.milestones[{n}]", f"{where}, milestone {n}")
        for n, raw in enumerate(raw_milestones, 1)
    )


def _is_translation(key: object, prefix: str) -> bool:
    return isinstance(key, str) and key.startswith(prefix) and is_language_code(key[len(prefix):])


def _translations(raw: Mapping, prefix: str, path: str, where: str, max_length: int) -> tuple[tuple[str, str], ...]:
    """(language, words) of each ``<prefix><code>`` line, e.g. label_fr or text_fr."""
    found = []
    for key, value in raw.items():
        if not _is_translation(key, prefix):
            continue
        try:
            words = clean_text(value, key, max_length=max_length, required=True, label=key)
        except ValidationError as error:
            raise ValidationError.single(f"{path}.{key}", f"{where}: {error.errors[key]}") from None
        assert words is not None
        found.append((key[len(prefix):], words))
    return tuple(found)


def _check_same_languages(milestones: tuple[Milestone, ...], path: str, where: str) -> None:
    """Every milestone of a protocol in the same languages: a patient never reads one of them
    in French and the next in English."""
    every = sorted({code for milestone in milestones for code, _ in milestone.translations})
    for n, milestone in enumerate(milestones, 1):
        missing = [code for code in every if code not in dict(milestone.translations)]
        if missing:
            raise ValidationError.single(
                f"{path}.milestones[{n}].{_TEXT_IN_PREFIX}{missing[0]}",
                f"{where}, milestone {n}: add text_{missing[0]} (the other milestones have it), so a patient reads"
                " every milestone in their language.",
            )


def _parse_phase(raw: object, path: str, where: str) -> Phase:
    if not isinstance(raw, Mapping):
        raise ValidationError.single(path, f"{where} must have sessions and interval_days.")
    refuse_unknown_keys(raw, _PHASE_KEYS, path, where)
    sessions = whole_number(raw.get("sessions"), f"{path}.sessions", f"{where}: sessions", 1, MAX_SESSIONS)
    interval = whole_number(
        raw.get("interval_days"), f"{path}.interval_days", f"{where}: interval_days", 1, MAX_INTERVAL_DAYS
    )
    minimum = raw.get("min_interval_days", interval)
    minimum = whole_number(minimum, f"{path}.min_interval_days", f"{where}: min_interval_days", 1, interval)
    return Phase(sessions=sessions, interval_days=interval, min_interval_days=minimum)


def _parse_milestone(raw: object, sessions: int, path: str, where: str) -> Milestone:
    if not isinstance(raw, Mapping):
        raise ValidationError.single(path, f"{where} must have anchor, at and text.")
    refuse_unknown_keys({key: value for key, value in raw.items() if not _is_translation(key, _TEXT_IN_PREFIX)},
                        _MILESTONE_KEYS, path, where)
    anchor_value = raw.get("anchor")
    try:
        anchor = MilestoneAnchor(anchor_value)
    except (ValueError, TypeError):
        raise ValidationError.single(
            f"{path}.anchor",
            f'{where}: anchor must be "session" or "months" (got {shown_value(anchor_value)}).',
        ) from None
    if anchor is MilestoneAnchor.SESSION:
        at = whole_number(raw.get("at"), f"{path}.at", f"{where}: at (a session number)", 1, sessions)
    else:
        at = whole_number(raw.get("at"), f"{path}.at", f"{where}: at (months)", 1, MAX_MILESTONE_MONTHS)
    try:
        text = clean_text(
            raw.get("text"), "text", max_length=MAX_MILESTONE_TEXT_LENGTH, required=True, label="milestone text"
        )
    except ValidationError as error:
        raise ValidationError.single(f"{path}.text", f"{where}: {error.errors['text']}") from None
    assert text is not None
    translations = _translations(raw, _TEXT_IN_PREFIX, path, where, MAX_MILESTONE_TEXT_LENGTH)
    return Milestone(anchor=anchor, at=at, text=text, translations=translations)
