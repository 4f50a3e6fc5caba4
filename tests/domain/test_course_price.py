"""The course's price in words: per session and for the whole course, or nothing (never 0)."""

from decimal import Decimal

import pytest

from meso_kiosk.domain.clinic_settings import ClinicSettings
from meso_kiosk.domain.course_price import course_price_words

PRICED = ClinicSettings(currency="EUR", prices={"moderate": Decimal("95.00")})


def test_price_per_session_and_for_the_course():
    assert course_price_words(PRICED, "moderate", 12) == (
        "Price: 95.00 EUR per session · 1,140.00 EUR for the 12 sessions of this course")


def test_a_one_session_course_says_so_rather_than_repeating_the_price():
    assert course_price_words(PRICED, "moderate", 1) == "Price: 95.00 EUR per session · this course has one session"


@pytest.mark.parametrize("settings, protocol_id", [
    (ClinicSettings(), "moderate"),                                        # nothing set
    (ClinicSettings(currency="EUR"), "moderate"),                          # a currency, no price
    (ClinicSettings(prices={"moderate": Decimal("95")}), "moderate"),      # a price, no currency
    (PRICED, "severe"),                                                    # another protocol's price
    (PRICED, "'; DROP TABLE settings;--"),                                 # no such protocol
])
def test_nothing_when_the_clinic_set_no_price(settings, protocol_id):
    assert course_price_words(settings, protocol_id, 8) is None


def test_the_largest_price_keeps_every_digit():
    settings = ClinicSettings(currency="CHF", prices={"severe": Decimal("100000.00")})
    assert course_price_words(settings, "severe", 12) == (
        "Price: 100,000.00 CHF per session · 1,200,000.00 CHF for the 12 sessions of this course")
