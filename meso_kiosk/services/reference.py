"""Reference lists the screens offer (languages, consultation steps), read from resources/."""

from __future__ import annotations

from typing import NamedTuple

from ..domain.errors import ValidationError


# A NamedTuple, not a dataclass: built on the cold start's path to the first frame (see ui/startup).
class Language(NamedTuple):
    code: str
    name: str  # in that language ("Français"), for the patient
    english: str  # for the consultant's screens and an English PDF ("French")
    french: str = ""  # for a French PDF ("français"); languages.toml must give it

    def name_in(self, language: str | None) -> str:
        """This language's name as a document in ``language`` writes it (English unless French)."""
        return self.french if (language or "").split("-")[0] == "fr" and self.french else self.english


# A NamedTuple, not a dataclass: built on the cold start's path to the first frame (see ui/startup).
class Step(NamedTuple):
    id: str
    label: str
    summary: str


# A NamedTuple, not a dataclass: built on the cold start's path to the first frame (see ui/startup).
class AppInfo(NamedTuple):
    title: str
    icon: str
    steps: tuple[Step, ...]


class ReferenceFileError(ValidationError):
    """A reference file lacks a key or holds a wrong value; ``errors`` maps the key to why."""

    def __init__(self, key: str, message: str):
        super().__init__({key: message})


def _text(table: object, key: str, where: str) -> str:
    value = table.get(key) if isinstance(table, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise ReferenceFileError(f"{where}{key}", "must be a text (it is missing or empty)")
    return value


def _entries(data: dict, key: str) -> list[dict]:
    entries = data.get(key)
    if not isinstance(entries, list) or not entries:
        raise ReferenceFileError(key, "must be a list of entries")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ReferenceFileError(f"{key}[{index}]", "must be a table")
    return entries


def parse_app_info(data: dict) -> AppInfo:
    steps = tuple(Step(_text(s, "id", f"steps[{i}]."), _text(s, "label", f"steps[{i}]."),
                       _text(s, "summary", f"steps[{i}]."))
                  for i, s in enumerate(_entries(data, "steps")))
    return AppInfo(title=_text(data, "title", ""), icon=_text(data, "icon", ""), steps=steps)


def parse_languages(data: dict) -> tuple[Language, ...]:
    return tuple(Language(_text(e, "code", f"languages[{i}]."), _text(e, "name", f"languages[{i}]."),
                          _text(e, "english", f"languages[{i}]."), _text(e, "french", f"languages[{i}]."))
                 for i, e in enumerate(_entries(data, "languages")))
