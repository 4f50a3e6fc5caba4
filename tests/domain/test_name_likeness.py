"""The duplicate warning's question: is this likely the same person's name?"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meso_kiosk.domain.name_likeness import edit_distance, is_likely_same_name


@pytest.mark.parametrize(("a", "b"), [
    (("Claire", "Dubois"), ("claire", "DUBOIS")),
    (("Claire", "Dubois"), ("Dubois", "Claire")),  # given and family swapped
    (("Thị Hương", "Nguyễn"), ("Huong Thi", "Nguyen")),
    (("Claire", "Dubois"), ("Clare", "Dubios")),  # two slips
    (("Łukasz", "Wróblewski"), ("Lukasz", "Wroblewski")),
    (("小明", "王"), ("王小明", "")),  # typed whole into one field
    (("فاطمة", "الحسيني"), ("فاطمه", "الحسيني")),
])
def test_close_names_are_flagged(a, b):
    assert is_likely_same_name(*a, *b)


@pytest.mark.parametrize(("a", "b"), [
    (("Claire", "Dubois"), ("Marie", "Dubois")),
    (("小明", "王"), ("小明", "李")),  # short names: one character is another person
    (("Ana", "Li"), ("Ina", "Lu")),
    (("Claire", "Dubois"), ("Clémentine", "Durand")),
])
def test_different_people_are_not(a, b):
    assert not is_likely_same_name(*a, *b)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12), st.text(max_size=12))
def test_the_bounded_distance_agrees_with_the_full_one_within_its_bound(a, b):
    full = edit_distance(a, b, 100)
    assert min(full, 3) == edit_distance(a, b, 2)
    assert full == edit_distance(b, a, 100)
    assert full <= max(len(a), len(b))


def test_a_swap_of_neighbours_is_one_slip():
    assert edit_distance("dubois", "dubios", 2) == 1
    assert edit_distance("claire", "clare", 2) == 1
