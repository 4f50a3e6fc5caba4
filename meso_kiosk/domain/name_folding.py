"""Names folded the way they are typed: the one form both the search index and the query take.

A receptionist types "lukasz" for Łukasz, "odegard" for Ødegård, "strasse" for Straße, an Arabic
name with ه for ة or without the article ال, a Chinese, Japanese or Korean name without a space.
``fold`` makes the typed and the stored text meet; ``name_words`` is what the index holds of a
name; ``query_words`` is what a search looks for. Indic vowel signs are kept: they are letters
of the word, not accents, and the index's tokenizer keeps them inside the word (store/patients).
"""

from __future__ import annotations

import unicodedata

from .person_name import is_east_asian_char

# Letters that are not a base letter plus an accent in Unicode, so decomposing leaves them whole.
_LETTERS = str.maketrans({
    "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h",
    "ŧ": "t", "ŀ": "l", "ĸ": "k", "ɨ": "i", "ʉ": "u", "ƒ": "f",
    # Arabic: the forms of alef, taa marbuta, alef maqsura and the Persian letters people type for them.
    "ٱ": "ا", "ة": "ه", "ى": "ي", "ی": "ي", "ک": "ك", "ـ": None,
})
# Marks that are accents or vowel points (Latin, Greek, Cyrillic, Hebrew, Arabic): dropped. Marks of
# other scripts (Indic vowel signs, Thai, kana's voicing marks) spell the word and stay.
_DROPPED_MARKS = (
    (0x0300, 0x036F), (0x0483, 0x0489), (0x0591, 0x05C7), (0x0610, 0x061A), (0x064B, 0x065F),
    (0x0670, 0x0670), (0x06D6, 0x06ED), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)
_ARTICLE = "ال"
MAX_QUERY_WORDS = 8


def _dropped(char: str) -> bool:
    point = ord(char)
    return unicodedata.category(char)[0] == "M" and any(low <= point <= high for low, high in _DROPPED_MARKS)


def fold(text: str | None) -> str:
    """Lower case, without accents or vowel points, special letters spelled out: "Łukasz" -> "lukasz"."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text or "").casefold())
    kept = "".join(char for char in decomposed if not _dropped(char)).translate(_LETTERS)
    return unicodedata.normalize("NFC", kept)


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN"


def words(text: str | None) -> list[str]:
    """The folded words of ``text``: runs of letters, marks and digits (what the index's tokenizer keeps)."""
    found, current = [], []
    for char in fold(text):
        if _is_word_char(char):
            current.append(char)
        elif current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    return found


def _without_article(word: str) -> str | None:
    return word[len(_ARTICLE):] if word.startswith(_ARTICLE) and len(word) > len(_ARTICLE) + 1 else None


def name_words(given: str, family: str) -> list[str]:
    """Every form of the name a search may start from, each once.

    The words themselves; an Arabic word also without its article (الحسيني, حسيني); a part of
    several words also run together ("O'Brien" -> obrien); a name with Han, kana or Hangul also
    whole in both orders without a space (王小明, 小明王), as it is typed.
    """
    given_words, family_words = words(given), words(family)
    found = given_words + family_words
    found += [bare for word in found if (bare := _without_article(word))]
    for part in (given_words, family_words):
        if len(part) > 1:
            found.append("".join(part))
    if any(is_east_asian_char(char) for char in given + family):
        found += ["".join(family_words + given_words), "".join(given_words + family_words)]
    return list(dict.fromkeys(word for word in found if word))


def name_key(given: str, family: str) -> str:
    """``name_words`` as the one text the search index holds."""
    return " ".join(name_words(given, family))


def query_words(text: str | None) -> list[str]:
    """The folded words of a typed search, at most ``MAX_QUERY_WORDS`` (a name has no more)."""
    return words((text or "")[:200])[:MAX_QUERY_WORDS]
