"""The clinic's settings validator: what it accepts is what the screens and the PDF print."""

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from meso_kiosk.domain.clinic_settings import (
    ClinicSettings,
    check_changes,
    clean_credentials,
    format_price,
    from_stored,
    to_stored,
)
from meso_kiosk.domain.errors import ValidationError

PROTOCOLS = {"mild", "moderate", "severe"}


def change(**changes):
    return check_changes(ClinicSettings(), changes, PROTOCOLS)


def test_defaults_are_the_sensible_ones_the_issue_names():
    settings = ClinicSettings()
    assert (settings.cooling_off_hours, settings.minimum_age, settings.treats_minors) == (24, 18, False)
    assert settings.reconsent_on_new_text is True
    assert not settings.named
    assert settings.price_per_session("mild") is None  # "not set" shows nothing, never 0


def test_a_whole_identity_is_accepted_and_cleaned():
    settings = change(name="  Clinique du Parc  ", address="12 rue des Lilas\n\n75011 Paris\n",
                      phone="+33 1 23 45 67 89", email="accueil@clinique.example", timezone="Europe/Paris")
    assert settings.name == "Clinique du Parc"
    assert settings.address == "12 rue des Lilas\n75011 Paris"
    assert settings.named


@pytest.mark.parametrize("changes, field", [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"name": "Line\nbreak"}, "name"),
    ({"name": "Bidi \u202e override"}, "name"),
    ({"phone": "call me"}, "phone"),
    ({"email": "nobody"}, "email"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"timezone": "../../etc/passwd"}, "timezone"),
    ({"timezone": "'; DROP TABLE settings; --"}, "timezone"),
    ({"currency": "euro"}, "currency"),
    ({"currency": "€"}, "currency"),
    ({"cooling_off_hours": -1}, "cooling_off_hours"),
    ({"cooling_off_hours": "721"}, "cooling_off_hours"),
    ({"cooling_off_hours": "1.5"}, "cooling_off_hours"),
    ({"cooling_off_hours": True}, "cooling_off_hours"),
    ({"minimum_age": 15}, "minimum_age"),
    ({"minimum_age": "99999999999999"}, "minimum_age"),
    ({"treats_minors": "maybe"}, "treats_minors"),
    ({"address": "\n".join(["line"] * 7)}, "address"),
    ({"currency": "EUR", "prices": {"mild": "-10"}}, "price.mild"),
    ({"currency": "EUR", "prices": {"mild": "0"}}, "price.mild"),
    ({"currency": "EUR", "prices": {"mild": "12.345"}}, "price.mild"),
    ({"currency": "EUR", "prices": {"mild": "1e5"}}, "price.mild"),
    ({"currency": "EUR", "prices": {"mild": "100001"}}, "price.mild"),
    ({"currency": "EUR", "prices": {"mild": "NaN"}}, "price.mild"),
    ({"currency": "EUR", "prices": {"unknown": "10"}}, "price.unknown"),
    ({"prices": {"mild": "120"}}, "currency"),
    ({"colour": "blue"}, "colour"),
])
def test_hostile_values_are_refused_on_their_field(changes, field):
    with pytest.raises(ValidationError) as error:
        change(**changes)
    assert field in error.value.errors
    assert error.value.errors[field].strip()


def test_every_problem_is_named_at_once():
    with pytest.raises(ValidationError) as error:
        change(name="", email="x", minimum_age=3)
    assert set(error.value.errors) == {"name", "email", "minimum_age"}


def test_prices_accept_a_comma_and_keep_prices_not_named():
    settings = change(currency="eur", prices={"mild": "120,5", "moderate": " 1 250 "})
    assert settings.currency == "EUR"
    assert settings.prices == {"mild": Decimal("120.50"), "moderate": Decimal("1250.00")}
    later = check_changes(settings, {"prices": {"mild": ""}}, PROTOCOLS)
    assert later.prices == {"moderate": Decimal("1250.00")}  # emptied: not set, the other kept
    assert later.price_text(later.price_per_session("moderate")) == "1,250.00 EUR"
    assert later.price_text(later.price_per_session("mild")) is None


def test_zero_cooling_off_is_allowed_and_yes_no_words_are_read():
    settings = change(cooling_off_hours="0", treats_minors="yes", reconsent_on_new_text="off")
    assert (settings.cooling_off_hours, settings.treats_minors, settings.reconsent_on_new_text) == (0, True, False)


def test_unicode_in_every_script_and_emoji_are_kept():
    name = "صالون 髪 Клиника ครีม 🌿"
    assert change(name=name).name == name


def test_stored_settings_read_back_the_same():
    settings = change(name="Northgate", address="1 High St", currency="GBP", prices={"severe": "95"},
                      cooling_off_hours=48, minimum_age=21, treats_minors=True, timezone="Europe/London")
    assert from_stored(to_stored(settings), PROTOCOLS) == settings


def test_a_stored_value_the_validator_no_longer_accepts_falls_back_to_its_default():
    rows = to_stored(change(currency="EUR", prices={"mild": "50"}))
    rows["policy.minimum_age"] = 4
    rows["clinic.timezone"] = "Gone/Away"
    settings = from_stored(rows, {"moderate"})  # the clinic removed the "mild" protocol
    assert settings.minimum_age == 18 and settings.timezone is None and settings.prices == {}


def test_credentials_are_optional_and_checked():
    assert clean_credentials(" Registered nurse ", "") == ("Registered nurse", None)
    with pytest.raises(ValidationError) as error:
        clean_credentials("x" * 81, "bad\x00")
    assert set(error.value.errors) == {"profession", "registration"}


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2))
def test_every_accepted_price_prints_as_typed(amount):
    settings = change(currency="CHF", prices={"mild": str(amount)})
    assert settings.prices["mild"] == amount
    printed = format_price(amount, "CHF")
    assert Decimal(printed.removesuffix(" CHF").replace(",", "")) == amount
