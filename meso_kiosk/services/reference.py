"""Reference lists the screens offer (languages, consultation steps), read from resources/."""

from __future__ import annotations

import tomllib
from typing import NamedTuple

from ..resources import read_resource_text


# NamedTuples, not frozen dataclasses: the window's title is read on a cold start's way to
# the first frame, where a dataclass costs ~1 ms to define (it compiles its methods; issue 8).
class Language(NamedTuple):
    code: str
    name: str


class Step(NamedTuple):
    id: str
    label: str
    summary: str


class AppInfo(NamedTuple):
    title: str
    icon: str
    steps: tuple[Step, ...]


def languages() -> tuple[Language, ...]:
    data = tomllib.loads(read_resource_text("languages.toml"))
    return tuple(Language(entry["code"], entry["name"]) for entry in data["languages"])


def app_info() -> AppInfo:
    data = tomllib.loads(read_resource_text("app.toml"))
    steps = tuple(Step(s["id"], s["label"], s["summary"]) for s in data["steps"])
    return AppInfo(title=data["title"], icon=data["icon"], steps=steps)
