"""Is this the same person's name, typed differently? What a duplicate warning asks.

Two registrations with the same birth date are likely one person when their names fold to the
same words in any order ("Nguyễn Thị Hương" / "Huong Thi Nguyen"), or differ by a slip of
the keyboard: an edit distance (a swap of two neighbours is one) of at most 2 on the whole name run together, 1 on a name of
under 8 letters, none on one of under 4 ("王小明" and "李小明" are different people).
"""

from __future__ import annotations

from .name_folding import words


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits from ``a`` to ``b`` (a letter added, dropped, changed, or two neighbours swapped: the
    slips of typing), or ``limit + 1`` once it is sure to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, previous = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i]
        for j in range(1, len(b) + 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if before is not None and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit and (i == len(a) or min(previous) > limit):
            return limit + 1
        before, previous = previous, current
    return min(previous[-1], limit + 1)


def _slips_allowed(length: int) -> int:
    return 0 if length < 4 else 1 if length < 8 else 2


def is_likely_same_name(given_a: str, family_a: str, given_b: str, family_b: str) -> bool:
    """Whether two names are probably one person's (folded, in any order, or within a typing slip)."""
    words_a, words_b = words(f"{given_a} {family_a}"), words(f"{given_b} {family_b}")
    if not words_a or not words_b:
        return False
    if sorted(words_a) == sorted(words_b):
        return True
    typed = "".join(words_b)
    limit = _slips_allowed(min(len(typed), len("".join(words_a))))
    forms = {"".join(words_a), "".join(words(f"{family_a} {given_a}"))}
    return any(edit_distance(form, typed, limit) <= limit for form in forms)
