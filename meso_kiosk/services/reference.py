"""Reference lists the screens offer (languages, consultation steps), read from resources/."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from ..resources import read_resource_text


@dataclass(frozen=True)
class Language:
    code: str
    name: str


@dataclass(frozen=True)
class Step:
    id: str
    label: str
    summary: str


@dataclass(frozen=True)
class AppInfo:
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
