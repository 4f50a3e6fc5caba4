"""Fonts for the PDF: a chain of TrueType faces, and the face chosen for each run of text.

ReportLab has no font fallback: a character missing from the current font prints as a
box. So every piece of text is cut into runs, each set in the first face of the chain
that has glyphs for it (DejaVu Sans: Latin, Greek, Cyrillic, Arabic, Hebrew, Armenian,
Georgian; WenQuanYi Micro Hei: Chinese, Japanese, Korean; a Noto Sans face for each
Indic and South-East Asian script and Ethiopic; Noto Emoji, monochrome: ReportLab draws
no colour glyphs). A face may claim its script's blocks (``owns``): DejaVu has two Thai
letters, and a Thai word cut between two fonts could not be shaped. A character no face
has stops the export with ``MissingGlyphError`` naming it, instead of printing a box;
the inputs refuse such text as it is typed (``first_unprintable``).

Runs in a ``shaped`` face are shaped by HarfBuzz (``reports.shaped``): conjuncts, vowel
signs placed and reordered, emoji sequences joined.

Right-to-left text is shaped (``arabic_reshaper``: the contextual letter forms) and put
in visual order (``python-bidi``) line by line; see ``reports.text``.

The files come from the folders the caller passes (the service passes the shipped
``resources/fonts`` first, then the system's font folders as a last resort). They are
read and registered with ReportLab once per process, on the first export.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class FontFace:
    family: str
    regular: str                 # file name
    bold: str | None = None      # file name; the regular face stands in when there is none
    subfont_index: int = 0       # for .ttc collections
    shaped: bool = False         # its script needs HarfBuzz (reordering, conjuncts, marks placed)
    emoji: bool = False          # takes a character typed with emoji presentation (❤️, 1️⃣)
    owns: tuple[tuple[int, int], ...] = ()  # code point blocks set in this face whoever else has them


def _noto(script: str, *blocks: tuple[int, int], bold: bool = False, shaped: bool = True) -> FontFace:
    return FontFace(f"Noto Sans {script}", f"NotoSans{script}-Regular.ttf",
                    f"NotoSans{script}-Bold.ttf" if bold else None, shaped=shaped, owns=blocks)


# Names and notes a clinic may meet. Bold (a name as the document's title) only for the two
# scripts met most; the others' regular face stands in for bold.
FONT_CHAIN: tuple[FontFace, ...] = (
    FontFace("DejaVu Sans", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    FontFace("WenQuanYi Micro Hei", "wqy-microhei.ttc"),
    _noto("Devanagari", (0x0900, 0x097F), (0xA8E0, 0xA8FF), bold=True),  # Hindi, Marathi, Nepali
    _noto("Bengali", (0x0980, 0x09FF)),
    _noto("Gurmukhi", (0x0A00, 0x0A7F)),  # Punjabi
    _noto("Gujarati", (0x0A80, 0x0AFF)),
    _noto("Oriya", (0x0B00, 0x0B7F)),
    _noto("Tamil", (0x0B80, 0x0BFF)),
    _noto("Telugu", (0x0C00, 0x0C7F)),
    _noto("Kannada", (0x0C80, 0x0CFF)),
    _noto("Malayalam", (0x0D00, 0x0D7F)),
    _noto("Sinhala", (0x0D80, 0x0DFF)),
    _noto("Thai", (0x0E00, 0x0E7F), bold=True),
    _noto("Lao", (0x0E80, 0x0EFF)),
    _noto("Myanmar", (0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F)),
    _noto("Khmer", (0x1780, 0x17FF), (0x19E0, 0x19FF)),
    # DejaVu has the Georgian letters in use; this has the capitals (Mtavruli) and old forms.
    _noto("Georgian", shaped=False),
    _noto("Ethiopic", (0x1200, 0x139F), (0x2D80, 0x2DDF), (0xAB00, 0xAB2F), shaped=False),  # Amharic, Tigrinya
    # Emoji and their sequences (skin tones, joined families); DejaVu keeps the older text symbols (☺ ♥ ✂).
    FontFace("Noto Emoji", "NotoEmoji-Regular.ttf", shaped=True, emoji=True, owns=((0x1F000, 0x1FAFF),)),
)

# Debian's fonts-dejavu-core, fonts-wqy-microhei, fonts-noto-core: used only if the shipped files are gone.
SYSTEM_FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/wqy"),
    Path("/usr/share/fonts/truetype/noto"),  # fonts-noto-core (not the emoji font)
    Path("/usr/share/fonts/truetype"),
)

# Characters that take no glyph: they are dropped from the printed text.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
_RTL_CLASSES = {"R", "AL"}
_KNOWN_RUNS = 4096  # texts whose runs a chain remembers
_JOINER = "\u200d"  # zero-width joiner: joins emoji into one sequence
_JOINERS = {"\u200c", _JOINER}  # kept for HarfBuzz: they choose a conjunct or a sequence's form
_AS_EMOJI = {"\ufe0f", "\u20e3"}  # emoji presentation, keycap: the character before is drawn as an emoji
_SKIN_TONES = ("\U0001F3FB", "\U0001F3FF")
_SELECTORS = {"\ufe0e", "\ufe0f"}  # text or emoji presentation of the character before
_NEVER_PRINTED = {"Co", "Cn", "Cs"}  # private use, unassigned, lone surrogate: no font has a meaning for them


def _is_selector(char: str) -> bool:
    """A variation selector: picks a form of the character before, prints nothing itself."""
    return "\ufe00" <= char <= "\ufe0f" or "\U000E0100" <= char <= "\U000E01EF"


class FontError(Exception):
    """The PDF cannot be typeset."""


class FontsMissingError(FontError):
    """A font file of the chain is in none of the folders searched."""


class MissingGlyphError(FontError):
    """No font of the chain can print a character of the text."""

    def __init__(self, text: str, char: str):
        self.text = text
        self.char = char
        excerpt = text if len(text) <= 60 else text[:57] + "…"
        name = unicodedata.name(char, "unnamed character")
        super().__init__(
            f"No font available to the PDF can print “{char}” (U+{ord(char):04X} {name}) "
            f"in “{excerpt}”; the document was not made."
        )


@dataclass(frozen=True)
class _Registered:
    name: str                    # ReportLab font name
    family: str
    cmap: Mapping[int, int]      # code point -> glyph, for the code points set in this face
    shaped: bool = False
    emoji: bool = False


@functools.lru_cache(maxsize=4096)  # the same cells and labels come back in every export
def is_rtl(text: str) -> bool:
    if text.isascii():
        return False
    return any(unicodedata.bidirectional(char) in _RTL_CLASSES for char in text)


def base_direction(text: str) -> str:
    """'R' when the first strong character is right-to-left (Unicode bidi rules P2–P3), else 'L'."""
    for char in text:
        klass = unicodedata.bidirectional(char)
        if klass in _RTL_CLASSES:
            return "R"
        if klass == "L":
            return "L"
    return "L"


def shape_rtl(text: str) -> str:
    """Arabic letters in their joined contextual forms; still in logical order."""
    if not any(unicodedata.bidirectional(char) == "AL" for char in text):
        return text
    import arabic_reshaper

    return arabic_reshaper.reshape(text)


def visual_order(text: str, base: str | None = None) -> str:
    """One line of (already shaped) text in the left-to-right order it is drawn in."""
    if not is_rtl(text):
        return text
    from bidi import get_display

    return get_display(text, base_dir=base or base_direction(text))


@functools.lru_cache(maxsize=4096)
def printable(text: str) -> str:
    """NFC text without the characters that print nothing (controls, joiners, bidi marks)."""
    if text.isascii() and text.isprintable():
        return text
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if ch in _JOINERS or unicodedata.category(ch) not in _INVISIBLE_CATEGORIES)


class FontChain:
    """The registered faces, regular and bold, in the order they are tried."""

    def __init__(self, regular: Sequence[_Registered], bold: Sequence[_Registered]):
        self._regular = tuple(regular)
        self._bold = tuple(bold)
        # Most text is plain ASCII: when the first faces have all of it, it needs no search.
        self._ascii_fast = all(
            code in faces[0].cmap for faces in (self._regular, self._bold) for code in range(0x20, 0x7F)
        )
        # The same labels, consent text and names come back in every export: their runs are
        # kept (bounded; the chain lives as long as the process).
        self._known: dict[tuple[str, bool], tuple[tuple[str, str], ...]] = {}

    @functools.cached_property
    def shaped_fonts(self) -> frozenset[str]:
        """The ReportLab names of the faces whose runs HarfBuzz shapes."""
        return frozenset(face.name for face in (*self._regular, *self._bold) if face.shaped)

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(face.family for face in self._regular)

    def base_font(self, *, bold: bool = False) -> str:
        return (self._bold if bold else self._regular)[0].name

    def runs(self, text: str, *, bold: bool = False) -> list[tuple[str, str]]:
        """``text`` cut into ``(font name, text)`` runs; raises ``MissingGlyphError``.

        Letters and digits take the first face that has them; spaces, punctuation and
        combining marks stay in the face of the run they are in when it has them, so
        "王 小明" is one run and an accent stays with its letter.
        """
        faces = self._bold if bold else self._regular
        if self._ascii_fast and text.isascii() and text.isprintable():
            return [(faces[0].name, text)] if text else []
        known = self._known.get((text, bold))
        if known is None:
            known = tuple(self._cut(text, faces))
            if len(self._known) >= _KNOWN_RUNS:
                self._known.clear()
            self._known[(text, bold)] = known
        return list(known)

    @staticmethod
    def _cut(text: str, faces: Sequence[_Registered]) -> list[tuple[str, str]]:
        shown = printable(text)
        first = faces[0]
        emoji = next((face for face in faces if face.emoji), None)
        if all(ord(char) in first.cmap for char in shown) and (emoji is None or _AS_EMOJI.isdisjoint(shown)):
            return [(first.name, shown)] if shown else []  # the first face prints it all: one run
        runs: list[tuple[str, str]] = []
        current: _Registered | None = None
        buffer: list[str] = []
        for index, char in enumerate(shown):
            code = ord(char)
            if char in _JOINERS:  # joins within its run; a joiner between two fonts joins nothing
                if current is not None and code in current.cmap:
                    buffer.append(char)
                continue
            sticky = unicodedata.category(char)[0] in "ZPSM"
            if current is not None and sticky and code in current.cmap:
                buffer.append(char)
                continue
            face = next((f for f in faces if code in f.cmap), None)
            if emoji is not None and code in emoji.cmap and shown[index + 1:index + 2] in _AS_EMOJI:
                face = emoji
            if face is None:
                raise MissingGlyphError(text, char)
            if face is not current:
                if buffer and current is not None:
                    runs.append((current.name, "".join(buffer)))
                current, buffer = face, []
            buffer.append(char)
        if buffer and current is not None:
            runs.append((current.name, "".join(buffer)))
        return runs

    def markup(self, text: str, *, bold: bool = False) -> str:
        """Paragraph markup for one line of text: each run in its font, ``<`` and ``&`` escaped.

        Runs in the first face (the paragraph styles' own font) need no font tag.
        """
        return self.markup_of(self.runs(text, bold=bold), bold=bold)

    def markup_of(self, runs: list[tuple[str, str]], *, bold: bool = False) -> str:
        """``markup`` of runs already cut by ``runs``."""
        first = (self._bold if bold else self._regular)[0].name
        return "".join(escape(run) if name == first else f'<font name="{name}">{escape(run)}</font>'
                       for name, run in runs)

    def width(self, text: str, size: float, *, bold: bool = False) -> float:
        from .shaped import run_width

        shaped = self.shaped_fonts
        return sum(run_width(name, run, size, name in shaped) for name, run in self.runs(text, bold=bold))

    def check(self, text: str) -> None:
        """Raise ``MissingGlyphError`` if any character of ``text`` cannot be printed."""
        self.runs(text)

    def without_missing_symbols(self, text: str) -> str:
        """``text`` without the symbols no face prints (an emoji newer than Noto Emoji, stored
        before the inputs refused it), each with the rest of its sequence (skin tone, variation
        selector, what a joiner adds).

        Letters and digits no face has are kept: ``runs`` still refuses them, by name.
        """
        chars = unicodedata.normalize("NFC", text)
        kept: list[str] = []
        index, dropped = 0, False
        while index < len(chars):
            char = chars[index]
            index += 1
            category = unicodedata.category(char)
            # a symbol, or a keycap's enclosing mark; a letter's missing accent is kept (and refused)
            if self._prints(char) or not (category[0] == "S" or category == "Me" or char in _SELECTORS):
                kept.append(char)
                continue
            dropped = True
            while index < len(chars):  # the rest of its sequence goes with it
                following = chars[index]
                if following == _JOINER:
                    index += 2
                elif unicodedata.category(following)[0] == "M" or _SKIN_TONES[0] <= following <= _SKIN_TONES[1]:
                    index += 1
                else:
                    break
        if not dropped:
            return printable(text)
        return " ".join(printable("".join(kept)).split())

    def first_unprintable(self, text: str) -> str | None:
        """The first character of ``text`` the PDF cannot print, or None.

        Refused: private-use and unassigned code points, lone surrogates, and any visible
        character no face of the chain has (regular and bold). Controls (line breaks,
        tabs) and format characters (joiners, bidi marks, emoji tags) print nothing and
        pass, as do variation selectors.
        """
        if text.isascii():  # the first face has every ASCII character
            return None
        for char in unicodedata.normalize("NFC", text):
            category = unicodedata.category(char)
            if category in _NEVER_PRINTED:
                return char
            if category in ("Cc", "Cf") or _is_selector(char):
                continue
            if not self._prints(char):
                return char
        return None

    def _prints(self, char: str) -> bool:
        code = ord(char)
        return all(any(code in face.cmap for face in faces) for faces in (self._regular, self._bold))


def _find(file_name: str, folders: Sequence[Path]) -> Path:
    for folder in folders:
        candidate = folder / file_name
        if candidate.is_file():
            return candidate
    searched = ", ".join(str(folder) for folder in folders) or "no folders"
    raise FontsMissingError(
        f"The PDF font file fonts/{file_name} is missing (looked in: {searched}). Reinstall the application."
    )


@functools.cache
def _register(path: Path, subfont_index: int, family: str, shaped: bool = False, emoji: bool = False) -> _Registered:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    # The name is unique per file, so two installations' fonts never replace each other.
    digest = hashlib.sha1(f"{path}:{subfont_index}".encode()).hexdigest()[:8]
    name = f"MK-{path.stem}-{digest}"
    try:
        if shaped:
            from .shaped import ShapedTTFont

            font = ShapedTTFont(name, str(path), subfontIndex=subfont_index)
        else:
            font = TTFont(name, str(path), subfontIndex=subfont_index)
    except (TTFError, OSError) as error:
        raise FontError(f"The PDF font file {path} cannot be read ({error}). Reinstall the application.") from error
    pdfmetrics.registerFont(font)
    # A copy: shaping adds the glyphs it makes (conjuncts) to the face's map under private-use codes.
    return _Registered(name, family, dict(font.face.charToGlyph), shaped, emoji)


def _without(face: _Registered, owned: set[int]) -> _Registered:
    """``face`` leaving the code points in ``owned`` to the faces that own them."""
    if not owned:
        return face
    cmap = {code: glyph for code, glyph in face.cmap.items() if code not in owned}
    return _Registered(face.name, face.family, cmap, face.shaped, face.emoji)


def _claimed(face: FontFace, registered: _Registered) -> set[int]:
    """The code points of ``face``'s blocks that it has: no earlier face sets them."""
    return {code for low, high in face.owns for code in range(low, high + 1) if code in registered.cmap}


@functools.cache
def font_chain(folders: tuple[Path, ...], chain: tuple[FontFace, ...] = FONT_CHAIN) -> FontChain:
    """Find, read and register the chain's fonts (once per process for the same folders)."""
    plain = [_register(_find(face.regular, folders), face.subfont_index, face.family, face.shaped, face.emoji)
             for face in chain]
    heavy = [_register(_find(face.bold, folders), 0, face.family, face.shaped, face.emoji) if face.bold else regular
             for face, regular in zip(chain, plain)]
    claims = [_claimed(face, registered) for face, registered in zip(chain, plain)]
    regular: list[_Registered] = []
    bold: list[_Registered] = []
    for index in range(len(chain)):
        others = set().union(*(claim for other, claim in enumerate(claims) if other != index))
        regular.append(_without(plain[index], others))
        bold.append(_without(heavy[index], others) if heavy[index] is not plain[index] else regular[-1])
    return FontChain(regular, bold)
