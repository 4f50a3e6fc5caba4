"""The photo-consent rule and the standard views' parser (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.photo import (
    ANSWERED_NO, CONSENT_WITHDRAWN, CURRENT, NO_CONSENT, PHOTOS_WITHDRAWN, ConsentFact, parse_photo_views,
    photo_consent_state,
)

SIGNED = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(("latest", "withdrawn_at", "state"), [
    (None, None, NO_CONSENT),
    (ConsentFact(SIGNED, False, True), None, CURRENT),
    (ConsentFact(SIGNED, False, False), None, ANSWERED_NO),
    (ConsentFact(SIGNED, True, None), None, CONSENT_WITHDRAWN),
    (ConsentFact(SIGNED, False, True), SIGNED + timedelta(days=3), PHOTOS_WITHDRAWN),
    (ConsentFact(SIGNED, False, True), SIGNED, PHOTOS_WITHDRAWN),
    # A new consent saying yes, signed after the photo withdrawal, makes photos current again.
    (ConsentFact(SIGNED, False, True), SIGNED - timedelta(days=3), CURRENT),
])
def test_photo_consent_is_current_only_when_the_latest_consent_says_yes_and_nothing_withdrew_it(
        latest, withdrawn_at, state):
    assert photo_consent_state(latest, withdrawn_at) == state


VIEW = {"id": "vertex", "label": "Vertex", "label_fr": "Vertex", "hint": "Crown", "hint_fr": "Sommet"}


@pytest.mark.parametrize(("data", "key"), [
    ({}, "views"),
    ({"views": []}, "views"),
    ({"views": ["vertex"]}, "views[0]"),
    ({"views": [{**VIEW, "id": "Vertex 1"}]}, "views[0].id"),
    ({"views": [{**VIEW, "id": "x'; DROP TABLE photos;--"}]}, "views[0].id"),
    ({"views": [VIEW, VIEW]}, "views[1].id"),
    ({"views": [{**VIEW, "hint_fr": "  "}]}, "views[0].hint_fr"),
    ({"views": [{**VIEW, "label": 3}]}, "views[0].label"),
    ({"views": [{**VIEW, "hint": "x" * 201}]}, "views[0].hint"),
])
def test_a_bad_view_is_refused_naming_its_key(data, key):
    with pytest.raises(ValidationError) as caught:
        parse_photo_views(data)
    assert caught.value.field == key


def test_a_view_speaks_english_and_french():
    (view,) = parse_photo_views({"views": [VIEW]})
    assert (view.label_in("fr"), view.hint_in("fr"), view.hint_in("en"), view.hint_in(None)) == \
        ("Vertex", "Sommet", "Crown", "Crown")
