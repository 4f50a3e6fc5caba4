"""The consent: versioned template, the text shown, the patient's answers and signature.

Three things must hold for a signed consent, and this module gives each a pure form:

* **Which text was shown.** A ``ConsentTemplate`` (parsed from
  ``resources/consent/<language>/v<N>.toml`` by the service) is turned by
  ``text_blocks`` into the blocks a screen shows and by ``render_text`` into one
  canonical plain text. The signed record stores that text and its SHA-256
  (``text_sha256``), and the same text comes back from the template file at any
  time, so a record can be checked against the file it names.
* **What the patient acknowledged.** ``validate_answers`` accepts a checklist only
  when every side-effect item is ticked, one by one, and the photo question is
  answered yes or no explicitly.
* **Who signed.** ``SignatureStrokes`` holds the patient's signature as vector data
  (points with time and pressure) with a canonical JSON form and its SHA-256;
  ``parse_signature`` refuses empty, trivially small and absurdly large signatures.

``SignedConsent`` is the record as stored; ``identity_matches`` is the hand-off check
("is the person holding the tablet this patient?").
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from .errors import ValidationError
from .patient import Patient, parse_date, search_key
from .text import clean_text

# ====================================================================== template

# Sections every consent template must have, so no version can silently drop the
# alternatives, the right to withdraw or the data notice. Their order is the file's.
REQUIRED_SECTIONS = (
    "treatment", "course", "side_effects", "before", "aftercare",
    "alternatives", "withdraw", "photos", "data", "signature",
)
CHECKLIST_SECTION = "side_effects"
PHOTO_SECTION = "photos"
SIGNATURE_SECTION = "signature"

# Words of the hand-off screen in the template's language (the UI's labels; not part
# of the signed text). Every template must give them all, so the screen never falls
# back to another language half-way.
SCREEN_KEYS = (
    "language_name",        # the language's own name, for the language picker
    "header",               # "Consent for {name}": the hand-off header; {name} = patient
    "identity_title",       # "First, please confirm who you are"
    "name_label",           # "Your full name"
    "dob_label",            # "Your date of birth"
    "dob_hint",             # "For example 27/03/1984"
    "identity_button",      # "Continue"
    "identity_mismatch",    # "These details do not match ... please give the tablet back"
    "read_hint",            # "Please read to the end. ..."
    "tick_hint",            # "Tick each item to show you have read it."
    "ticked_all",           # "You have ticked every item."
    "photo_hint",           # "Please choose yes or no."
    "question_label",       # "A question for your consultant (optional)"
    "sign_title",           # "Sign here with your finger or the pen"
    "clear",                # "Clear"
    "undo",                 # "Undo last line"
    "sign_button",          # "I agree and sign"
    "signature_empty",      # friendly refusals of a signature, by ``SignatureError.code``
    "signature_too_small",
    "signature_too_big",
    "thank_you",            # "Thank you. Please give the tablet back to ..."
    "consultant_needed",    # "Please ask your consultant" (paused screen)
)

_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_MAX_TEMPLATE_TEXT = 4000  # characters per paragraph or item: a template is prose, not a novel


class TemplateError(ValueError):
    """A consent template file is not usable; the message names the field to fix."""


class BlockKind(str, Enum):
    TITLE = "title"
    HEADING = "heading"            # a section heading
    PARAGRAPH = "paragraph"
    BULLET = "bullet"              # one item of a bulleted list
    SUBHEADING = "subheading"      # e.g. "Rare" inside the side-effect list
    CHECKLIST_ITEM = "checklist_item"  # a side effect the patient ticks (``item_id`` set)
    QUESTION = "question"          # the photo question
    CHOICE = "choice"              # an answer offered to the question (``item_id`` "yes"/"no")
    MEANING = "meaning"            # the sentence the signature means


@dataclass(frozen=True)
class TextBlock:
    """One piece of the text as shown: the UI draws each kind in its own style."""

    kind: BlockKind
    text: str
    section_id: str = ""
    item_id: str | None = None


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    text: str
    rare: bool = False


@dataclass(frozen=True)
class PhotoQuestion:
    question: str
    yes: str
    no: str


@dataclass(frozen=True)
class ConsentSection:
    id: str
    heading: str
    body: tuple[TextBlock, ...] = ()        # paragraphs and bullets, in order
    items: tuple[ChecklistItem, ...] = ()   # the checklist section only
    rare_heading: str | None = None         # the checklist section only
    photo: PhotoQuestion | None = None      # the photo section only


@dataclass(frozen=True)
class WithdrawalText:
    """The short text a patient (or the consultant, for them) signs to withdraw consent."""

    title: str
    body: tuple[TextBlock, ...]
    meaning: str


@dataclass(frozen=True)
class ConsentTemplate:
    language: str
    version: int
    title: str
    sections: tuple[ConsentSection, ...]
    meaning: str                      # "I consent to a course of scalp mesotherapy."
    withdrawal: WithdrawalText
    screen: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def checklist(self) -> tuple[ChecklistItem, ...]:
        """The side-effect items, common ones first then rare ones, as shown."""
        items = self.section(CHECKLIST_SECTION).items
        return tuple(i for i in items if not i.rare) + tuple(i for i in items if i.rare)

    @property
    def photo_question(self) -> PhotoQuestion:
        photo = self.section(PHOTO_SECTION).photo
        assert photo is not None  # guaranteed by parse_consent_template
        return photo

    def section(self, section_id: str) -> ConsentSection:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def label(self, key: str, **values: str) -> str:
        """A hand-off screen word in this template's language, ``{name}`` etc. filled in."""
        text = dict(self.screen)[key]
        for name, value in values.items():
            text = text.replace("{" + name + "}", value)
        return text

    @property
    def text_sha256(self) -> str:
        return sha256_text(render_text(self))


def _text(data: Mapping, key: str, where: str, *, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise TemplateError(f"{where}: '{key}' must be a non-empty text.")
    try:
        cleaned = clean_text(value, key, max_length=_MAX_TEMPLATE_TEXT * 20, multiline=True)
    except ValidationError as error:
        raise TemplateError(f"{where}: '{key}': {error.errors[key]}") from error
    assert cleaned is not None
    return cleaned


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _body_blocks(text: str, section_id: str, where: str) -> tuple[TextBlock, ...]:
    """Paragraphs are separated by blank lines; lines starting "- " are bullets.

    Line breaks inside a paragraph are only how the file is wrapped: the paragraph
    becomes one line, so re-wrapping the file does not change the text's hash.
    """
    blocks: list[TextBlock] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            joined = _one_line(" ".join(paragraph))
            if len(joined) > _MAX_TEMPLATE_TEXT:
                raise TemplateError(f"{where}: a paragraph is longer than {_MAX_TEMPLATE_TEXT} characters.")
            blocks.append(TextBlock(BlockKind.PARAGRAPH, joined, section_id))
            paragraph.clear()

    for raw_line in text.split("\n"):
        line = raw_line.strip()
        if not line:
            flush()
        elif line.startswith("- "):
            flush()
            blocks.append(TextBlock(BlockKind.BULLET, _one_line(line[2:]), section_id))
        elif blocks and blocks[-1].kind is BlockKind.BULLET and not paragraph and raw_line[:1].isspace():
            # an indented line continues the bullet above it
            last = blocks.pop()
            blocks.append(TextBlock(BlockKind.BULLET, _one_line(last.text + " " + line), section_id))
        else:
            paragraph.append(line)
    flush()
    return tuple(blocks)


def _parse_items(raw: object, where: str) -> tuple[ChecklistItem, ...]:
    if not isinstance(raw, list) or not raw:
        raise TemplateError(f"{where}: the side-effect section needs [[section.item]] entries.")
    items: list[ChecklistItem] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw, start=1):
        item_where = f"{where}, item {index}"
        if not isinstance(entry, Mapping):
            raise TemplateError(f"{item_where}: must be a table with id, text and rare.")
        item_id = entry.get("id")
        if not isinstance(item_id, str) or not _ID_RE.match(item_id):
            raise TemplateError(f"{item_where}: 'id' must be lower-case letters, digits and _.")
        if item_id in seen:
            raise TemplateError(f"{item_where}: the id '{item_id}' appears twice.")
        seen.add(item_id)
        rare = entry.get("rare", False)
        if not isinstance(rare, bool):
            raise TemplateError(f"{item_where}: 'rare' must be true or false.")
        text = _one_line(_text(entry, "text", item_where) or "")
        if len(text) > _MAX_TEMPLATE_TEXT:
            raise TemplateError(f"{item_where}: the text is too long.")
        items.append(ChecklistItem(item_id, text, rare))
    return tuple(items)


def _parse_section(raw: object, index: int) -> ConsentSection:
    where = f"section {index}"
    if not isinstance(raw, Mapping):
        raise TemplateError(f"{where}: must be a [[section]] table.")
    section_id = raw.get("id")
    if not isinstance(section_id, str) or not _ID_RE.match(section_id):
        raise TemplateError(f"{where}: 'id' must be lower-case letters, digits and _.")
    where = f"section '{section_id}'"
    heading = _one_line(_text(raw, "heading", where) or "")
    body_text = _text(raw, "body", where, required=section_id not in (CHECKLIST_SECTION,))
    body = _body_blocks(body_text, section_id, where) if body_text else ()
    items: tuple[ChecklistItem, ...] = ()
    rare_heading = None
    photo = None
    if section_id == CHECKLIST_SECTION:
        items = _parse_items(raw.get("item"), where)
        if any(item.rare for item in items):
            rare_heading = _one_line(_text(raw, "rare_heading", where) or "")
    elif "item" in raw:
        raise TemplateError(f"{where}: only the '{CHECKLIST_SECTION}' section has items.")
    if section_id == PHOTO_SECTION:
        photo = PhotoQuestion(
            question=_one_line(_text(raw, "question", where) or ""),
            yes=_one_line(_text(raw, "yes", where) or ""),
            no=_one_line(_text(raw, "no", where) or ""),
        )
    return ConsentSection(section_id, heading, body, items, rare_heading, photo)


def parse_consent_template(data: Mapping[str, object]) -> ConsentTemplate:
    """Build a template from a parsed TOML file; raises ``TemplateError`` naming the field."""
    if not isinstance(data, Mapping):
        raise TemplateError("The consent template must be a TOML table.")
    language = data.get("language")
    if not isinstance(language, str) or not _LANGUAGE_RE.match(language):
        raise TemplateError("'language' must be a language code such as \"en\" or \"fr\".")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= 9999:
        raise TemplateError("'version' must be a whole number from 1 (v1.toml has version = 1).")
    title = _one_line(_text(data, "title", "the template") or "")
    meaning = _one_line(_text(data, "meaning", "the template") or "")

    raw_sections = data.get("section")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise TemplateError("The template needs its [[section]] tables.")
    sections = tuple(_parse_section(raw, i) for i, raw in enumerate(raw_sections, start=1))
    ids = [s.id for s in sections]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise TemplateError(f"Section ids appear twice: {', '.join(duplicates)}.")
    missing = [s for s in REQUIRED_SECTIONS if s not in ids]
    if missing:
        raise TemplateError(f"The template lacks the section(s): {', '.join(missing)}.")

    raw_withdrawal = data.get("withdrawal")
    if not isinstance(raw_withdrawal, Mapping):
        raise TemplateError("The template needs a [withdrawal] table (title, body, meaning).")
    withdrawal = WithdrawalText(
        title=_one_line(_text(raw_withdrawal, "title", "[withdrawal]") or ""),
        body=_body_blocks(_text(raw_withdrawal, "body", "[withdrawal]") or "", "withdrawal", "[withdrawal]"),
        meaning=_one_line(_text(raw_withdrawal, "meaning", "[withdrawal]") or ""),
    )

    raw_screen = data.get("screen")
    if not isinstance(raw_screen, Mapping):
        raise TemplateError("The template needs a [screen] table with the hand-off screen's words.")
    missing_words = [key for key in SCREEN_KEYS if key not in raw_screen]
    if missing_words:
        raise TemplateError(f"[screen] lacks: {', '.join(missing_words)}.")
    screen = tuple((key, _one_line(_text(raw_screen, key, "[screen]") or "")) for key in SCREEN_KEYS)
    return ConsentTemplate(language, version, title, sections, meaning, withdrawal, screen)


def check_checklist_ids(template: ConsentTemplate, catalogue: Iterable[tuple[str, bool]]) -> list[str]:
    """Problems between the template's checklist and the side-effect catalogue.

    ``catalogue`` gives (id, rare) of ``side_effects.toml``: each item must be there,
    with the same rarity, and each catalogue entry must be in the checklist.
    """
    known = dict(catalogue)
    problems = []
    for item in template.checklist:
        if item.id not in known:
            problems.append(f"checklist item '{item.id}' is not in the side-effect list")
        elif known[item.id] != item.rare:
            problems.append(f"checklist item '{item.id}' is {'rare' if item.rare else 'common'} here but not in the side-effect list")
    ids = {item.id for item in template.checklist}
    problems.extend(f"side effect '{sid}' is missing from the checklist" for sid in known if sid not in ids)
    return problems


# ====================================================================== the text shown


def _section_blocks(section: ConsentSection, meaning: str) -> list[TextBlock]:
    sid = section.id
    blocks = [TextBlock(BlockKind.HEADING, section.heading, sid), *section.body]
    if section.items:
        common = [i for i in section.items if not i.rare]
        rare = [i for i in section.items if i.rare]
        blocks += [TextBlock(BlockKind.CHECKLIST_ITEM, i.text, sid, i.id) for i in common]
        if rare:
            blocks.append(TextBlock(BlockKind.SUBHEADING, section.rare_heading or "", sid))
            blocks += [TextBlock(BlockKind.CHECKLIST_ITEM, i.text, sid, i.id) for i in rare]
    if section.photo is not None:
        blocks += [
            TextBlock(BlockKind.QUESTION, section.photo.question, sid),
            TextBlock(BlockKind.CHOICE, section.photo.yes, sid, "yes"),
            TextBlock(BlockKind.CHOICE, section.photo.no, sid, "no"),
        ]
    if sid == SIGNATURE_SECTION:
        blocks.append(TextBlock(BlockKind.MEANING, meaning, sid))
    return blocks


def text_blocks(template: ConsentTemplate) -> tuple[TextBlock, ...]:
    """The consent as the patient sees it, block by block, in reading order.

    The hand-off screen draws exactly these blocks (checklist items become ticks,
    choices become the yes/no buttons); ``render_text`` writes the same blocks as
    plain text, so the hash covers every word on the screen.
    """
    blocks = [TextBlock(BlockKind.TITLE, template.title)]
    for section in template.sections:
        blocks += _section_blocks(section, template.meaning)
    return tuple(blocks)


def withdrawal_blocks(template: ConsentTemplate) -> tuple[TextBlock, ...]:
    w = template.withdrawal
    return (TextBlock(BlockKind.TITLE, w.title), *w.body, TextBlock(BlockKind.MEANING, w.meaning, "withdrawal"))


_PREFIX = {
    BlockKind.BULLET: "- ",
    BlockKind.CHECKLIST_ITEM: "[ ] ",
    BlockKind.CHOICE: "( ) ",
}


def blocks_to_text(blocks: Iterable[TextBlock]) -> str:
    """Canonical plain text: one line per block, a blank line between blocks except
    inside a run of list lines; NFC; ends with one newline. Deterministic."""
    lines: list[str] = []
    previous: BlockKind | None = None
    for block in blocks:
        listed = block.kind in _PREFIX
        if lines and not (listed and previous is block.kind):
            lines.append("")
        lines.append(_PREFIX.get(block.kind, "") + block.text)
        previous = block.kind
    text = "\n".join(lines) + "\n"
    return unicodedata.normalize("NFC", text)


def render_text(template: ConsentTemplate) -> str:
    """The exact consent text shown to the patient; its UTF-8 SHA-256 goes into the record."""
    return blocks_to_text(text_blocks(template))


def render_withdrawal_text(template: ConsentTemplate) -> str:
    return blocks_to_text(withdrawal_blocks(template))


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ====================================================================== answers

MAX_QUESTION_LENGTH = 1000


@dataclass(frozen=True)
class ConsentAnswers:
    """The patient's answers: every checklist item acknowledged, photos yes or no."""

    acknowledged: tuple[str, ...]           # every checklist item id, in the order shown
    photo_consent: bool
    question_for_consultant: str | None = None
    reached_end: bool = True                # the patient scrolled to the end of the text

    def checklist_json(self) -> str:
        """The ``answers`` column: item id -> true, plus that the text was read to the end."""
        return json.dumps(
            {"checklist": {item: True for item in self.acknowledged}, "reached_end": self.reached_end},
            ensure_ascii=False, separators=(",", ":"),  # items stay in the order shown
        )


def validate_answers(
    template: ConsentTemplate,
    checklist: Mapping[str, object],
    photo_consent: object,
    question: object = None,
    *,
    reached_end: object = True,
) -> ConsentAnswers:
    """Accept the answers only if each item was ticked on its own and photos were answered.

    ``checklist`` maps item id -> ``True`` (exactly ``True``: "yes", 1 or a missing id
    is not an acknowledgement). Errors are keyed ``checklist.<id>``, ``checklist``,
    ``photo_consent``, ``question`` and ``reached_end``.
    """
    errors: dict[str, str] = {}
    if not isinstance(checklist, Mapping):
        checklist = {}
    ids = [item.id for item in template.checklist]
    for item_id in ids:
        if checklist.get(item_id) is not True:
            errors[f"checklist.{item_id}"] = "Tick this item to show it has been read and understood."
    unknown = sorted(str(key) for key in checklist if key not in ids)
    if unknown:
        errors["checklist"] = "The answers name items that are not in this consent: " + ", ".join(unknown[:5]) + "."
    if not isinstance(photo_consent, bool):
        errors["photo_consent"] = "Choose yes or no for photographs."
    try:
        cleaned_question = clean_text(question, "question", max_length=MAX_QUESTION_LENGTH, multiline=True,
                                      label="question for the consultant")
    except ValidationError as error:
        errors.update(error.errors)
        cleaned_question = None
    if reached_end is not True:
        errors["reached_end"] = "The whole text must be scrolled to the end before signing."
    if errors:
        raise ValidationError(errors)
    return ConsentAnswers(tuple(ids), bool(photo_consent), cleaned_question, True)


def answers_from_json(raw: str, photo_consent: bool, question: str | None) -> ConsentAnswers:
    data = json.loads(raw)
    checklist = data.get("checklist", {})
    return ConsentAnswers(
        tuple(k for k, v in checklist.items() if v is True), photo_consent, question,
        bool(data.get("reached_end", False)),
    )


# ====================================================================== signature

SIGNATURE_FORMAT = 1
MIN_POINTS = 10            # a tap or a dot is not a signature
MIN_EXTENT = 40.0          # the longer side of the signature's box, in pad pixels
MIN_INK = 80.0             # total length of the lines drawn, in pad pixels
MAX_STROKES = 100
MAX_POINTS = 20_000        # about 2½ minutes of drawing at 120 points a second
MAX_PAD_SIZE = 10_000.0
MAX_DURATION_MS = 30 * 60 * 1000


class SignatureError(ValidationError):
    """A signature cannot be accepted. ``code`` ("empty", "too_small", "too_big",
    "invalid") lets the hand-off screen pick its own words (template ``screen`` keys
    ``signature_empty`` etc.); the message is a friendly English fallback."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__({"signature": message})


@dataclass(frozen=True)
class SignaturePoint:
    x: float                # pad pixels from the left
    y: float                # pad pixels from the top
    t_ms: int               # milliseconds since the first point of the signature
    pressure: float = 0.5   # 0..1; 0.5 when the device gives none (finger, mouse)


Stroke = tuple[SignaturePoint, ...]


@dataclass(frozen=True)
class SignatureStrokes:
    """A handwritten signature as vector data: the source of truth (a PNG is derived).

    Build one with ``parse_signature`` (validating) or ``SignatureStrokes.from_json``
    (reading a stored one back). ``canonical_json`` is byte-for-byte stable, and
    ``sha256`` is over its UTF-8 bytes.
    """

    width: float
    height: float
    strokes: tuple[Stroke, ...]

    @property
    def point_count(self) -> int:
        return sum(len(stroke) for stroke in self.strokes)

    def bounding_box(self) -> tuple[float, float, float, float] | None:
        """(left, top, right, bottom) of all points, or None when there are none."""
        points = [p for stroke in self.strokes for p in stroke]
        if not points:
            return None
        xs = [p.x for p in points]
        ys = [p.y for p in points]
        return min(xs), min(ys), max(xs), max(ys)

    def ink_length(self) -> float:
        return sum(math.dist((a.x, a.y), (b.x, b.y)) for s in self.strokes for a, b in zip(s, s[1:]))

    def to_data(self) -> dict:
        return {
            "format": SIGNATURE_FORMAT,
            "width": self.width,
            "height": self.height,
            "strokes": [[[p.x, p.y, p.t_ms, p.pressure] for p in stroke] for stroke in self.strokes],
        }

    def canonical_json(self) -> str:
        return json.dumps(self.to_data(), sort_keys=True, separators=(",", ":"), allow_nan=False)

    @property
    def sha256(self) -> str:
        return sha256_text(self.canonical_json())

    @classmethod
    def from_json(cls, text: str) -> "SignatureStrokes":
        """Read a stored signature back (no size check: it was checked when signed)."""
        return _build_signature(json.loads(text), check_size=False)


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SignatureError("invalid", f"The signature data has a bad {what}; please clear and sign again.")
    return float(value)


def _coordinate(value: object, limit: float, what: str) -> float:
    # Points a finger drags just outside the pad are put on its edge.
    return round(min(max(_number(value, what), 0.0), limit), 2) + 0.0


def _build_signature(raw: object, *, check_size: bool) -> SignatureStrokes:
    if isinstance(raw, (str, bytes)):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError) as error:
            raise SignatureError("invalid", "The signature data is damaged; please clear and sign again.") from error
    if not isinstance(raw, Mapping):
        raise SignatureError("invalid", "The signature data is damaged; please clear and sign again.")
    width = _number(raw.get("width"), "pad width")
    height = _number(raw.get("height"), "pad height")
    if not (1 <= width <= MAX_PAD_SIZE and 1 <= height <= MAX_PAD_SIZE):
        raise SignatureError("invalid", "The signature pad size is not valid.")
    strokes_raw = raw.get("strokes")
    if strokes_raw is None:
        strokes_raw = []
    if not isinstance(strokes_raw, Sequence) or isinstance(strokes_raw, (str, bytes)):
        raise SignatureError("invalid", "The signature data is damaged; please clear and sign again.")
    if check_size and len(strokes_raw) > MAX_STROKES:
        raise SignatureError("too_big", "This signature has too many lines. Please clear it and sign once, as usual.")
    total = 0
    strokes: list[Stroke] = []
    for stroke_raw in strokes_raw:
        if not isinstance(stroke_raw, Sequence) or isinstance(stroke_raw, (str, bytes)):
            raise SignatureError("invalid", "The signature data is damaged; please clear and sign again.")
        total += len(stroke_raw)
        if check_size and total > MAX_POINTS:
            raise SignatureError("too_big", "This signature is far too long. Please clear it and sign once, as usual.")
        points: list[SignaturePoint] = []
        for point in stroke_raw:
            if not isinstance(point, Sequence) or isinstance(point, (str, bytes)) or len(point) not in (3, 4):
                raise SignatureError("invalid", "The signature data is damaged; please clear and sign again.")
            t = _number(point[2], "time")
            if t < 0 or t > MAX_DURATION_MS or t != int(t):
                raise SignatureError("invalid", "The signature has a bad time stamp; please clear and sign again.")
            pressure = 0.5 if len(point) == 3 or point[3] is None else _number(point[3], "pressure")
            pressure = round(min(max(pressure, 0.0), 1.0), 3) + 0.0
            if points and int(t) < points[-1].t_ms:
                raise SignatureError("invalid", "The signature's points are out of order; please clear and sign again.")
            points.append(SignaturePoint(_coordinate(point[0], width, "x"), _coordinate(point[1], height, "y"),
                                         int(t), pressure))
        if points:  # an empty stroke (a touch cancelled at once) is dropped
            strokes.append(tuple(points))
    return SignatureStrokes(round(width, 2), round(height, 2), tuple(strokes))


def parse_signature(raw: object) -> SignatureStrokes:
    """Validate a signature from the pad.

    ``raw`` is a mapping (or its JSON) ``{"width": W, "height": H, "strokes": [[[x, y,
    t_ms, pressure], ...], ...]}``: pad size in pixels, each stroke the points of one
    touch from down to up. ``pressure`` may be omitted or null (0.5 is stored).
    Coordinates are rounded to 0.01 px and kept inside the pad.

    Refuses (``SignatureError``) an empty signature, one with fewer than
    ``MIN_POINTS`` points, one whose box is smaller than ``MIN_EXTENT`` or whose
    lines are shorter than ``MIN_INK`` in total, and absurd sizes.
    """
    signature = _build_signature(raw, check_size=True)
    if signature.point_count == 0:
        raise SignatureError("empty", "Please sign in the box before going on.")
    box = signature.bounding_box()
    assert box is not None
    extent = max(box[2] - box[0], box[3] - box[1])
    if signature.point_count < MIN_POINTS or extent < MIN_EXTENT or signature.ink_length() < MIN_INK:
        raise SignatureError(
            "too_small", "This signature is too small to recognise. Please sign again, a little larger, as you usually do."
        )
    return signature


# ====================================================================== the record


class ConsentKind(str, Enum):
    CONSENT = "consent"
    WITHDRAWAL = "withdrawal"


class WithdrawalChannel(str, Enum):
    """How the patient told the clinic they withdraw."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"


@dataclass(frozen=True)
class Countersignature:
    """The consultant who witnessed and confirmed the signature, by PIN at that moment."""

    consultant_id: int
    consultant_name: str
    signed_at: datetime


@dataclass(frozen=True)
class SignedConsent:
    """A signed consent or withdrawal, as stored. Never changes once stored.

    A withdrawal or a new consent is a new record whose ``supersedes_id`` names the
    record it replaces; the patient's current consent is the newest record of their
    chain when it is of kind ``consent``.
    """

    patient_id: int
    kind: ConsentKind
    language: str
    template_version: int
    text: str                              # the exact text shown (``render_text``)
    text_sha256: str
    printed_name: str
    meaning: str                           # the sentence the signature means
    signed_at: datetime                    # UTC
    countersignature: Countersignature
    device_id: str
    answers: ConsentAnswers | None = None  # consents only
    patient_signature: SignatureStrokes | None = None  # a withdrawal by phone has none
    patient_signature_sha256: str | None = None
    patient_signature_png: bytes | None = field(default=None, repr=False, compare=False)
    witness_name: str | None = None
    supersedes_id: int | None = None
    withdrawal_channel: WithdrawalChannel | None = None
    withdrawal_reason: str | None = None
    id: int | None = field(default=None, compare=False)

    @property
    def photo_consent(self) -> bool | None:
        return None if self.answers is None else self.answers.photo_consent


class RecordStatus(str, Enum):
    """Where a record stands in the patient's chain (worked out, never stored)."""

    CURRENT = "current"                 # the consent in force
    SUPERSEDED = "superseded"           # a consent replaced by a newer consent
    WITHDRAWN = "withdrawn"             # a consent the patient then withdrew
    WITHDRAWAL = "withdrawal"           # a withdrawal still in force: no consent since
    WITHDRAWAL_ENDED = "withdrawal_ended"  # a withdrawal followed by a new consent


def record_status(record: SignedConsent, superseded_by: SignedConsent | None) -> RecordStatus:
    """``record``'s status, given the record that superseded it (None when it is the newest)."""
    if record.kind is ConsentKind.WITHDRAWAL:
        return RecordStatus.WITHDRAWAL if superseded_by is None else RecordStatus.WITHDRAWAL_ENDED
    if superseded_by is None:
        return RecordStatus.CURRENT
    return RecordStatus.WITHDRAWN if superseded_by.kind is ConsentKind.WITHDRAWAL else RecordStatus.SUPERSEDED


def integrity_problems(record: SignedConsent) -> list[str]:
    """What does not check out in a record read back: recomputed hashes against stored ones."""
    problems = []
    if sha256_text(record.text) != record.text_sha256:
        problems.append("the consent text does not match its SHA-256")
    if record.patient_signature is not None and record.patient_signature.sha256 != record.patient_signature_sha256:
        problems.append("the patient's signature does not match its SHA-256")
    if record.kind is ConsentKind.CONSENT and record.patient_signature is None:
        problems.append("the consent has no patient signature")
    return problems


MAX_PRINTED_NAME = 200
MAX_WITNESS_NAME = 200
MAX_REASON = 1000


def make_consent(
    template: ConsentTemplate,
    answers: ConsentAnswers,
    *,
    patient_id: int,
    printed_name: str,
    signature: SignatureStrokes,
    countersignature: Countersignature,
    signed_at: datetime,
    device_id: str,
    witness_name: object = None,
    supersedes_id: int | None = None,
    signature_png: bytes | None = None,
) -> SignedConsent:
    """The record of a consent signed on ``template``; the text and hash come from the template."""
    _require_utc(signed_at)
    text = render_text(template)
    return SignedConsent(
        patient_id=patient_id, kind=ConsentKind.CONSENT, language=template.language,
        template_version=template.version, text=text, text_sha256=sha256_text(text),
        printed_name=_printed(printed_name), meaning=template.meaning, signed_at=signed_at,
        countersignature=countersignature, device_id=device_id, answers=answers,
        patient_signature=signature, patient_signature_sha256=signature.sha256,
        patient_signature_png=signature_png,
        witness_name=clean_text(witness_name, "witness_name", max_length=MAX_WITNESS_NAME, label="witness's name"),
        supersedes_id=supersedes_id,
    )


def make_withdrawal(
    template: ConsentTemplate,
    *,
    patient_id: int,
    printed_name: str,
    withdraws_id: int,
    channel: WithdrawalChannel | str,
    countersignature: Countersignature,
    signed_at: datetime,
    device_id: str,
    reason: object = None,
    signature: SignatureStrokes | None = None,
    signature_png: bytes | None = None,
    witness_name: object = None,
) -> SignedConsent:
    """The record of a withdrawal of consent ``withdraws_id``.

    The patient signs it when present (``signature``); by phone, e-mail or letter the
    consultant records it alone and ``signature`` is None.
    """
    _require_utc(signed_at)
    try:
        channel = WithdrawalChannel(channel)
    except ValueError as error:
        raise ValidationError.single("channel", "Choose how the patient told us: in person, phone, e-mail or letter.") from error
    if channel is WithdrawalChannel.IN_PERSON and signature is None:
        raise SignatureError("empty", "The patient is here: please ask them to sign the withdrawal.")
    text = render_withdrawal_text(template)
    return SignedConsent(
        patient_id=patient_id, kind=ConsentKind.WITHDRAWAL, language=template.language,
        template_version=template.version, text=text, text_sha256=sha256_text(text),
        printed_name=_printed(printed_name), meaning=template.withdrawal.meaning, signed_at=signed_at,
        countersignature=countersignature, device_id=device_id,
        patient_signature=signature, patient_signature_sha256=None if signature is None else signature.sha256,
        patient_signature_png=signature_png,
        witness_name=clean_text(witness_name, "witness_name", max_length=MAX_WITNESS_NAME, label="witness's name"),
        supersedes_id=withdraws_id, withdrawal_channel=channel,
        withdrawal_reason=clean_text(reason, "reason", max_length=MAX_REASON, multiline=True, label="reason"),
    )


def _printed(name: object) -> str:
    text = clean_text(name, "printed_name", max_length=MAX_PRINTED_NAME, required=True, label="printed name")
    assert text is not None
    return " ".join(text.split())


def _require_utc(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("refusing a naive datetime: say which time zone it is in")


# ====================================================================== hand-off identity


def _identity_key(text: str) -> str:
    """Case, accents, spaces, hyphens and apostrophes do not matter: "o brien" = "O'Brien"."""
    folded = search_key(text)
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LMN")


def name_matches(patient: Patient, typed_name: object) -> bool:
    """Is ``typed_name`` this patient's name, given-then-family or family-then-given?"""
    if not isinstance(typed_name, str) or len(typed_name) > 500:
        return False
    typed = _identity_key(typed_name)
    if not typed:
        return False
    return typed in {
        _identity_key(f"{patient.given_name} {patient.family_name}"),
        _identity_key(f"{patient.family_name} {patient.given_name}"),
    }


def identity_matches(patient: Patient, typed_name: object, typed_dob: object) -> bool:
    """Did the person holding the tablet type this patient's name and date of birth?

    The name may be typed given-then-family or family-then-given, in any case, with
    or without accents, spaces, hyphens or apostrophes; the date of birth must be
    exact (ISO ``1986-04-12`` or day-first ``12/04/1986``, or a ``date``). Anything
    unreadable is simply no match.
    """
    if not name_matches(patient, typed_name):
        return False
    if isinstance(typed_dob, datetime):
        return False
    if isinstance(typed_dob, date):
        born = typed_dob
    else:
        if not isinstance(typed_dob, str) or len(typed_dob) > 40:
            return False
        try:
            born = parse_date(typed_dob, "date_of_birth", "date of birth")
        except ValidationError:
            return False
    return born == patient.date_of_birth
