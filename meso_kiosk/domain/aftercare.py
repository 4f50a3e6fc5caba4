"""Aftercare advice for the patient, read from ``resources/aftercare/<language>.toml``.

The same wording goes on the calendar file, the consent screen and the PDF, so it is
parsed once here (the service layer reads the file and hands the parsed TOML in).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import ValidationError
from .language import is_language_code
from .text import clean_text

MAX_STEPS = 30
MAX_LINE = 300
_KEYS = frozenset({"language", "title", "intro", "steps", "contact"})


@dataclass(frozen=True)
class Aftercare:
    language: str
    title: str
    intro: str
    steps: tuple[str, ...]
    contact: str  # may hold "{clinic}"

    def contact_for(self, clinic_name: str) -> str:
        return self.contact.replace("{clinic}", clinic_name)

    def as_text(self, clinic_name: str, *, bullet: str = "- ") -> str:
        """Plain text: title, intro, one line per step, then who to call."""
        lines = [self.title, "", self.intro]
        lines += [f"{bullet}{step}" for step in self.steps]
        lines += ["", self.contact_for(clinic_name)]
        return "\n".join(lines)


def parse_aftercare(data: object, source: str = "aftercare") -> Aftercare:
    """An ``Aftercare`` from a parsed aftercare file; ``ValidationError`` names the line."""
    if not isinstance(data, Mapping):
        raise ValidationError.single(source, f"{source}: the aftercare file could not be read.")
    unknown = sorted(str(key)[:40] for key in data if key not in _KEYS)
    if unknown:
        raise ValidationError.single(
            source, f"{source}: unknown line(s) {', '.join(unknown[:5])}; expected {', '.join(sorted(_KEYS))}."
        )
    language = data.get("language")
    if not is_language_code(language):
        raise ValidationError.single(f"{source}.language", f"{source}: language must be a code such as \"en\".")

    def line(key: str) -> str:
        try:
            text = clean_text(data.get(key), key, max_length=MAX_LINE, required=True, label=key)
        except ValidationError as error:
            raise ValidationError.single(f"{source}.{key}", f"{source}: {error.errors[key]}") from None
        assert text is not None
        return text

    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps or len(raw_steps) > MAX_STEPS:
        raise ValidationError.single(
            f"{source}.steps", f"{source}: steps must be a list of 1 to {MAX_STEPS} lines of advice."
        )
    steps = []
    for n, raw in enumerate(raw_steps, 1):
        try:
            text = clean_text(raw, "step", max_length=MAX_LINE, required=True, label=f"step {n}")
        except ValidationError as error:
            raise ValidationError.single(f"{source}.steps[{n}]", f"{source}: {error.errors['step']}") from None
        steps.append(text)
    return Aftercare(
        language=language,
        title=line("title"),
        intro=line("intro"),
        steps=tuple(steps),
        contact=line("contact"),
    )
