"""Hostile input for the safety tests: any script, emoji, control characters, NUL, huge, SQL-looking.

``hostile_text`` and ``hostile_value`` are hypothesis strategies; ``NASTY`` is a fixed list
of the worst cases (1 MB strings among them) mixed into both.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import strategies as st

MEGABYTE = 1_000_000

NASTY_TEXT = [
    "", " ", "\t\n\r", "\x00", "a\x00b", "\x1b[31mred\x1b[0m", "\u202eevil\u202c", "\u200b", "\ufeff",
    "\ud800", "a\udcffb",  # lone surrogates: what non-UTF-8 bytes become in argv
    "'; DROP TABLE patients; --", "Robert'); DELETE FROM audit_log; --", "1 OR 1=1", "%s%s%n", "{0}{1}",
    "<b>bold</b> &amp; <para>", "<![CDATA[x]]>", "&lt;", "\\", "\\x00", "NULL", "None", "null",
    "😀", "👩‍👩‍👧‍👦", "🏳️‍🌈", "ﷺ", "𒐫", "𝕬𝖇𝖈", "Ω≈ç√∫", "ǅ", "ß" * 50, "İ", "ﬀ",
    "محمد بن سلمان", "שלום", "日本語テキスト", "한국어", "देवनागरी", "ქართული", "Ελληνικά", "Ёжик",
    "e\u0301" * 40, "Z̧̨̤̥̦̩̪̫̬̭̮̯̰̱̲̳̹̺̻̼ͅ" * 20,
    "x" * MEGABYTE, "é" * MEGABYTE, "😀" * (MEGABYTE // 4), "a\n" * (MEGABYTE // 2),
    "9" * 5000, "-1", "0", "1e309", "nan", "inf", "-0", "0x1F", "١٢٣", "１２３",
    "0000-00-00", "9999-12-31", "0001-01-01", "2026-02-30", "31/02/2026", "1900-01-01T25:61",
    "99999-01-01", "-2026-01-01",
]


def hostile_text(max_size: int = 200) -> st.SearchStrategy[str]:
    """Text from the whole of Unicode (surrogates and control characters included), or a nasty case."""
    return st.one_of(
        st.text(max_size=max_size),
        st.text(alphabet=st.characters(blacklist_categories=()), max_size=max_size),
        st.text(alphabet=st.characters(whitelist_categories=("Cc", "Cf", "Zl", "Zp", "Mn")), max_size=20),
        st.sampled_from(NASTY_TEXT),
    )


def hostile_number() -> st.SearchStrategy[object]:
    return st.one_of(
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([0, -1, 2**63, -(2**63) - 1, 10**100, float("nan"), float("inf"), -0.0, True, False]),
    )


def hostile_date() -> st.SearchStrategy[object]:
    return st.one_of(
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(timezone.utc)),
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),  # naive
        st.sampled_from([date.min, date.max, datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc) + timedelta(days=3650)]),
    )


def hostile_value(max_size: int = 200) -> st.SearchStrategy[object]:
    """Anything a form could send: text, numbers, dates, None, containers of those, odd objects."""
    scalar = st.one_of(hostile_text(max_size), hostile_number(), hostile_date(), st.none(), st.booleans(),
                       st.binary(max_size=20))
    return st.one_of(
        scalar,
        st.lists(scalar, max_size=4),
        st.dictionaries(hostile_text(20), scalar, max_size=3),
        st.builds(object),
    )
