"""The consent template: the versioned text a patient reads, and its one canonical form.

A ``ConsentTemplate`` (parsed from ``resources/consent/<language>/v<N>.toml`` by the
service) is turned by ``text_blocks`` into the blocks a screen shows and by
``render_text`` into one canonical plain text. The signed record stores that text
and its SHA-256 (``text_sha256``), and the same text comes back from the template
file at any time, so a record can be checked against the file it names.

Read for one patient (``with_clinic``), the text also carries the clinic's block
(``consent_clinic``: the price, who treats). Its facts are then part of the signed
text itself, and ``is_text_of`` checks such a text against the file's words.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum

from .consent_clinic import (
    CLINIC_SHAPES, ClinicFacts, ClinicWordsError, clinic_sentences, clinic_values, extra_sentences,
    parse_clinic_words,
)
from .errors import ValidationError
from .language import is_language_code
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
    "choose_language",      # "Choose your language": the picker's title, in the patient's preferred language
    "consultant_button",    # "Consultant": the header's button that takes the tablet back (needs a PIN)
    "hand_back_button",     # "Consultant: check and countersign", under the thank-you
    "question_invalid",     # the optional question cannot be kept as typed
    "back_to_text",         # "‹ Read the text again": from the signature back to the text (short: beside Sign)
    "take_home_button",     # "Take it home and decide later": exports the unsigned text to read at home
    "take_home_done",       # said once it is exported: give the tablet back to the consultant
    "take_home_mark",       # "Not signed — to read at home": on every page of that PDF
    # A patient under the clinic's minimum age: their parent or guardian signs after them.
    "guardian_title",       # "Now a parent or guardian signs"
    "guardian_intro",       # {name} = patient, {age} = the clinic's minimum age
    "guardian_name_label",
    "guardian_relationship_label",  # "How are you related to {name}?"
    "guardian_relationship_hint",
    "guardian_sign_button",
    "guardian_name_invalid",
    "guardian_relationship_invalid",
)

CLINIC_SECTION = "clinic"
CLINIC_AFTER = "course"  # the clinic's block follows the section about the course of sessions
# Version 2's clinic sentences (consent_clinic.EXTRA_GROUPS), each at the end of its section's body.
EXTRA_AT_END_OF = {"before": "stops", "aftercare": "urgent", "alternatives": "cooling_off"}
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_MAX_TEMPLATE_TEXT = 4000  # characters per paragraph or item: a template is prose, not a novel


class TemplateError(ValueError):
    """A consent template file is not usable; the message (or ``key``) names the field to fix."""

    def __init__(self, problem: str, key: str | None = None):
        super().__init__(f"{key}: {problem}" if key else problem)
        self.problem, self.key = problem, key


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
    catalogue_words: bool = False           # the items' words come from side_effects.toml (version 2 on)


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
    clinic_words: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # the [clinic] table
    facts: ClinicFacts | None = None  # this patient's clinic facts, shown in the text (``with_clinic``)

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

    def with_clinic(self, facts: ClinicFacts | None) -> ConsentTemplate:
        """This template as one patient reads it: with the clinic's price and practitioner."""
        return replace(self, facts=facts)


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


def _catalogue_items(raw: object, where: str, catalogue: Mapping[str, tuple[bool, str | None]] | None
                     ) -> tuple[ChecklistItem, ...]:
    """'items': ids of side_effects.toml, whose rarity and words (in the template's language) are the
    catalogue's, so the consent and the session page cannot drift apart."""
    if not isinstance(raw, list) or not raw or not all(isinstance(i, str) for i in raw):
        raise TemplateError(f"{where}: 'items' must be a list of side-effect ids, e.g. [\"bruising\"].")
    if catalogue is None:
        raise TemplateError(f"{where}: its items take their words from side_effects.toml, which was not given.")
    items = []
    for item_id in raw:
        if item_id in {item.id for item in items}:
            raise TemplateError(f"{where}: the id '{item_id}' appears twice in 'items'.")
        if item_id not in catalogue:
            raise TemplateError(f"{where}: '{item_id}' in 'items' is not in the side-effect list.")
        rare, words = catalogue[item_id]
        if not words:
            raise TemplateError(f"{where}: side effect '{item_id}' has no patient wording in this language "
                                f"(give it patient_wording.<language> in side_effects.toml).")
        items.append(ChecklistItem(item_id, words, rare))
    return tuple(items)


def _parse_section(raw: object, index: int,
                   catalogue: Mapping[str, tuple[bool, str | None]] | None = None) -> ConsentSection:
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
    catalogue_words = section_id == CHECKLIST_SECTION and "items" in raw
    if catalogue_words:
        if "item" in raw:
            raise TemplateError(f"{where}: give either [[section.item]] entries or 'items', not both.")
        items = _catalogue_items(raw["items"], where, catalogue)
        if any(item.rare for item in items):
            rare_heading = _one_line(_text(raw, "rare_heading", where) or "")
    elif section_id == CHECKLIST_SECTION:
        items = _parse_items(raw.get("item"), where)
        if any(item.rare for item in items):
            rare_heading = _one_line(_text(raw, "rare_heading", where) or "")
    elif "item" in raw or "items" in raw:
        raise TemplateError(f"{where}: only the '{CHECKLIST_SECTION}' section has items.")
    if section_id == PHOTO_SECTION:
        photo = PhotoQuestion(
            question=_one_line(_text(raw, "question", where) or ""),
            yes=_one_line(_text(raw, "yes", where) or ""),
            no=_one_line(_text(raw, "no", where) or ""),
        )
    return ConsentSection(section_id, heading, body, items, rare_heading, photo, catalogue_words)


def parse_consent_template(data: Mapping[str, object], catalogue: Callable[[str], Mapping[str, tuple[bool, str | None]]]
                           | None = None) -> ConsentTemplate:
    """Build a template from a parsed TOML file; raises ``TemplateError`` naming the field.

    ``catalogue(language)`` gives side_effects.toml as id → (rare, patient wording in that
    language): a checklist of ``items = [ids]`` (version 2 on) takes its words from it.
    """
    if not isinstance(data, Mapping):
        raise TemplateError("The consent template must be a TOML table.")
    language = data.get("language")
    if not is_language_code(language):
        raise TemplateError("'language' must be a language code such as \"en\" or \"fr\".")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= 9999:
        raise TemplateError("'version' must be a whole number from 1 (v1.toml has version = 1).")
    title = _one_line(_text(data, "title", "the template") or "")
    meaning = _one_line(_text(data, "meaning", "the template") or "")

    raw_sections = data.get("section")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise TemplateError("The template needs its [[section]] tables.")
    words = None if catalogue is None else catalogue(language)
    sections = tuple(_parse_section(raw, i, words) for i, raw in enumerate(raw_sections, start=1))
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
    try:
        clinic_words = parse_clinic_words(data.get("clinic"))
    except ClinicWordsError as error:
        raise TemplateError(error.problem, key=error.key) from None
    return ConsentTemplate(language, version, title, sections, meaning, withdrawal, screen, clinic_words)


def check_checklist_ids(template: ConsentTemplate, catalogue: Iterable[tuple[str, bool]], *,
                        current: bool = True) -> list[str]:
    """Problems between the template's checklist and the side-effect catalogue.

    ``catalogue`` gives (id, rare) of ``side_effects.toml``: each item must be there,
    with the same rarity, and each catalogue entry must be in the checklist of the version
    signed today (``current``); an older version keeps the list its patients signed.
    """
    known = dict(catalogue)
    problems = []
    for item in template.checklist:
        if item.id not in known:
            problems.append(f"checklist item '{item.id}' is not in the side-effect list")
        elif known[item.id] != item.rare:
            problems.append(f"checklist item '{item.id}' is {'rare' if item.rare else 'common'} here but not in the side-effect list")
    ids = {item.id for item in template.checklist}
    if current:
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
    plain text, so the hash covers every word on the screen. The clinic's block
    (``with_clinic``) follows the course section when the clinic has set anything in it.
    """
    return _with_clinic_blocks(template, clinic_values(template.facts, dict(template.clinic_words)))


def _with_clinic_blocks(template: ConsentTemplate, values: Mapping[str, str]) -> tuple[TextBlock, ...]:
    return _assembled(template, _clinic_after(template, values))


def _clinic_after(template: ConsentTemplate, values: Mapping[str, str]) -> Callable[[ConsentSection], list[TextBlock]]:
    """What the clinic's sentences add after each section, for ``values``."""
    words = dict(template.clinic_words)
    extra = extra_sentences(words, values) if words else {}

    def after(section: ConsentSection) -> list[TextBlock]:
        if section.id == CLINIC_AFTER:
            sentences = clinic_sentences(words, values) if words else []
            return [TextBlock(BlockKind.HEADING, words["heading"], CLINIC_SECTION),
                    *(TextBlock(BlockKind.PARAGRAPH, sentence, CLINIC_SECTION) for sentence in sentences)
                    ] if sentences else []
        group = EXTRA_AT_END_OF.get(section.id)
        return [TextBlock(BlockKind.PARAGRAPH, extra[group], section.id)] if group in extra else []

    return after


def _assembled(template: ConsentTemplate, after: Callable[[ConsentSection], list[TextBlock]],
               section_of: Callable[[ConsentSection], ConsentSection] = lambda section: section,
               ) -> tuple[TextBlock, ...]:
    """The title, then each section's blocks followed by what ``after`` adds to it."""
    blocks = [TextBlock(BlockKind.TITLE, template.title)]
    for section in template.sections:
        blocks += _section_blocks(section_of(section), template.meaning)
        blocks += after(section)
    return tuple(blocks)


_ANY = "\ue004"  # stands for one line of words in a pattern: a checklist item's catalogue words


def _marked(names: Iterable[str]) -> dict[str, str]:
    return {name: f"\ue000{name}\ue001" for name in names}


def _added_shapes(template: ConsentTemplate) -> dict[str, set[str]]:
    """Per section id, each text the clinic's sentences may add after it (with every fact a marker)."""
    options: list[dict[str, str]] = [{}] + [_marked((*price, *who)) for price, who in CLINIC_SHAPES]
    options += [_marked(("stops",)), _marked(("phone",)), _marked(("cooling_off",)), {"start_today": ""}]
    shapes: dict[str, set[str]] = {}
    for values in options:
        after = _clinic_after(template, values)
        for section in template.sections:  # a heading or paragraph always follows a blank line
            shapes.setdefault(section.id, set()).add("".join("\n\n" + block.text for block in after(section)))
    return shapes


def is_text_of(template: ConsentTemplate, text: str) -> bool:
    """Whether ``text`` is what ``template`` shows, with or without the clinic's sentences of any facts:
    how a signed record is checked against its template file (the facts are in its text).

    A checklist whose words come from side_effects.toml (version 2 on) matches any one line of
    words per item: the record keeps the words of the day, as it keeps the clinic's price.
    """
    plain = template.with_clinic(None)
    if render_text(plain) == text:
        return True
    if not plain.clinic_words and not any(section.catalogue_words for section in plain.sections):
        return False
    shapes = _added_shapes(plain)

    def sentinel(section: ConsentSection) -> list[TextBlock]:
        return [TextBlock(BlockKind.PARAGRAPH, f"\ue002{section.id}\ue003")]

    def any_words(section: ConsentSection) -> ConsentSection:
        if not section.catalogue_words:
            return section
        return replace(section, items=tuple(replace(item, text=_ANY) for item in section.items))

    pattern = re.escape(blocks_to_text(_assembled(plain, sentinel, any_words)))
    for section_id, added in shapes.items():
        alternatives = "|".join(re.escape(shape) for shape in sorted(added, key=len, reverse=True))
        pattern = pattern.replace(re.escape(f"\n\n\ue002{section_id}\ue003"), f"(?:{alternatives})")
    pattern = re.sub("\ue000[a-z_]+\ue001", lambda _: r"[^\n]+?", pattern).replace(_ANY, r"[^\n]+")
    return re.fullmatch(pattern, text) is not None


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
