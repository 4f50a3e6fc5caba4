"""The clinic's identity and policies: what its admin sets, checked here before it is stored.

Each setting is one row of the ``settings`` table (``SETTING_KEYS``). ``check_changes``
is the one validator: the settings page, the first-run set-up and ``meso-kiosk clinic``
all go through it, so whatever it accepts is what the screens and the PDF print.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from typing import Collection, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .clinic_name import CLINIC_NAME_DEFAULT
from .contact import clean_email, clean_phone
from .errors import ValidationError
from .text import clean_text

MAX_PRICE = Decimal("100000")
COOLING_OFF_RANGE = range(0, 721)  # up to 30 days
MINIMUM_AGE_RANGE = range(16, 22)
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_PRICE_RE = re.compile(r"^\d{1,6}([.,]\d{1,2})?$")
_MAX_ADDRESS_LINES = 6


@dataclass(frozen=True)
class ClinicSettings:
    """What a clinic has set (each default until it does)."""

    name: str = CLINIC_NAME_DEFAULT
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    timezone: str | None = None  # IANA name; None: the machine's zone
    logo: str | None = None  # SHA-256 of the logo's PNG in the data folder
    currency: str | None = None  # ISO 4217 code, e.g. EUR
    prices: Mapping[str, Decimal] = field(default_factory=dict)  # protocol id → price per session
    cooling_off_hours: int = 24
    minimum_age: int = 18
    treats_minors: bool = False
    reconsent_on_new_text: bool = True

    @property
    def named(self) -> bool:
        """Whether the clinic has given its own name (a new installation has not)."""
        return self.name != CLINIC_NAME_DEFAULT

    def price_per_session(self, protocol_id: str) -> Decimal | None:
        """The price of one session of a protocol; None when not set (nothing is shown then)."""
        if self.currency is None:
            return None
        return self.prices.get(protocol_id)

    def price_text(self, amount: Decimal | None) -> str | None:
        """``amount`` as the clinic's price (``120.00 EUR``); None when no price is set."""
        if amount is None or self.currency is None:
            return None
        return format_price(amount, self.currency)


def format_price(amount: Decimal, currency: str) -> str:
    """``1,250.00 EUR``: the amount with two decimals and the ISO code, the same on every screen."""
    return f"{amount:,.2f} {currency}"


# Field name → the settings row that stores it.
SETTING_KEYS: dict[str, str] = {
    "name": "clinic.name",
    "address": "clinic.address",
    "phone": "clinic.phone",
    "email": "clinic.email",
    "timezone": "clinic.timezone",
    "logo": "clinic.logo",
    "currency": "policy.currency",
    "prices": "policy.prices",
    "cooling_off_hours": "policy.cooling_off_hours",
    "minimum_age": "policy.minimum_age",
    "treats_minors": "policy.treats_minors",
    "reconsent_on_new_text": "policy.reconsent_on_new_text",
}
FIELDS = tuple(SETTING_KEYS)

# What each policy means, shown next to it on the settings page and by ``meso-kiosk clinic``.
POLICY_HELP: dict[str, str] = {
    "currency": "The currency of the prices below (a three-letter code such as EUR, GBP or USD).",
    "prices": "Price of one session for each protocol. Shown on the course page, in the consent and "
              "in the PDF. Leave a price empty and nothing is shown for it (never 0).",
    "cooling_off_hours": "Hours a patient has to think between signing a first consent and the first "
                         "session. 0 allows treatment on the same day.",
    "minimum_age": "The age from which a patient may consent alone.",
    "treats_minors": "Whether younger patients are treated at all, with a parent or guardian "
                     "consenting with them.",
    "reconsent_on_new_text": "When the consent text changes, patients sign the new text before "
                             "their next session.",
}

_TRUE = {"yes", "true", "on", "1"}
_FALSE = {"no", "false", "off", "0"}


@functools.cache
def zone_names() -> frozenset[str]:
    """Every IANA zone this machine knows (read once: ``available_timezones`` walks the zone
    files on each call, and every read of the settings checks the stored zone against it)."""
    return frozenset(available_timezones())


def clean_timezone(value: object) -> str | None:
    """An IANA zone name such as ``Europe/Paris`` (None: the machine's zone)."""
    text = clean_text(value, "timezone", max_length=64, label="time zone")
    if text is None:
        return None
    if text not in zone_names():
        raise ValidationError.single("timezone", f"{text!r} is not a time zone. Choose one such as Europe/Paris.")
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError.single("timezone", f"The time zone {text!r} cannot be loaded.") from error
    return text


def clean_currency(value: object) -> str | None:
    text = clean_text(value, "currency", max_length=3, label="currency")
    if text is None:
        return None
    if not _CURRENCY_RE.match(text.upper()):
        raise ValidationError.single("currency", "Enter the currency as its three-letter code, e.g. EUR or GBP.")
    return text.upper()


def clean_price(value: object, key: str) -> Decimal | None:
    """A price per session: ``120``, ``120.50`` or ``120,50``; empty is "not set"."""
    if isinstance(value, Decimal):
        value = str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) and value is not None:
        raise ValidationError.single(key, "Enter the price as a number, e.g. 120 or 120.50.")
    text = (value or "").strip().replace(" ", "")
    if not text:
        return None
    if text.startswith("-"):
        raise ValidationError.single(key, "A price cannot be negative. Leave it empty when there is none.")
    if not _PRICE_RE.match(text):
        raise ValidationError.single(key, "Enter the price as a number with at most two decimals, e.g. 120.50.")
    try:
        amount = Decimal(text.replace(",", "."))
    except InvalidOperation:  # the pattern admits only numbers; kept for safety
        raise ValidationError.single(key, "Enter the price as a number, e.g. 120.50.") from None
    if amount <= 0 or amount > MAX_PRICE:
        raise ValidationError.single(key, f"Enter a price above 0 and at most {MAX_PRICE:,}; "
                                          "leave it empty when there is none.")
    return amount.quantize(Decimal("0.01"))


def clean_whole_number(value: object, key: str, allowed: range, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValidationError.single(key, f"Enter the {what} as a whole number.")
    text = str(value).strip()
    if not re.fullmatch(r"-?\d{1,6}", text):
        raise ValidationError.single(key, f"Enter the {what} as a whole number from {allowed[0]} to {allowed[-1]}.")
    number = int(text)
    if number not in allowed:
        raise ValidationError.single(key, f"The {what} must be from {allowed[0]} to {allowed[-1]} (not {number}).")
    return number


def clean_yes_no(value: object, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValidationError.single(key, "Answer yes or no.")


def _clean_address(value: object) -> str | None:
    text = clean_text(value, "address", max_length=300, multiline=True, label="address")
    if text is not None:
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        if len(lines) > _MAX_ADDRESS_LINES:
            raise ValidationError.single("address", f"Write the address on at most {_MAX_ADDRESS_LINES} lines.")
        text = "\n".join(lines).replace("\t", " ")
    return text


def _clean_prices(value: object, protocol_ids: Collection[str]) -> dict[str, Decimal | None]:
    if not isinstance(value, Mapping):
        raise ValidationError.single("prices", "Give a price for each protocol (or leave it empty).")
    errors: dict[str, str] = {}
    prices: dict[str, Decimal | None] = {}  # None: the price is cleared
    for protocol_id, raw in value.items():
        key = f"price.{protocol_id}"
        if protocol_id not in protocol_ids:
            errors[key] = f"There is no protocol {protocol_id!r} (there are: {', '.join(sorted(protocol_ids))})."
            continue
        try:
            prices[protocol_id] = clean_price(raw, key)
        except ValidationError as error:
            errors.update(error.errors)
    if errors:
        raise ValidationError(errors)
    return prices


def clean_credentials(profession: object, registration: object) -> tuple[str | None, str | None]:
    """Who performs the treatment: a consultant's profession (``Registered nurse``) and
    registration number (``NMC 12A3456B``), each optional; ``ValidationError`` names both."""
    errors: dict[str, str] = {}
    values: list[str | None] = []
    for value, key, limit, what in ((profession, "profession", 80, "profession"),
                                    (registration, "registration", 40, "registration number")):
        try:
            values.append(clean_text(value, key, max_length=limit, label=what))
        except ValidationError as error:
            errors.update(error.errors)
    if errors:
        raise ValidationError(errors)
    return values[0], values[1]


def _merge_prices(current: Mapping[str, Decimal], changes: Mapping[str, Decimal | None]) -> dict[str, Decimal]:
    merged = {**current, **changes}
    return {protocol: amount for protocol, amount in merged.items() if amount is not None}


def check_changes(current: ClinicSettings, changes: Mapping[str, object],
                  protocol_ids: Collection[str]) -> ClinicSettings:
    """``current`` with ``changes`` (field → typed value) applied, every problem collected at once
    (keys: the field names, ``price.<protocol>`` for one price). ``prices`` replaces the prices
    of the protocols it names and keeps the others; ``logo`` is set by the service, not here."""
    cleaners = {
        "name": lambda v: clean_text(v, "name", max_length=120, required=True, label="clinic's name"),
        "address": _clean_address,
        "phone": lambda v: clean_phone(v, "phone"),
        "email": lambda v: clean_email(v, "email"),
        "timezone": clean_timezone,
        "currency": clean_currency,
        "prices": lambda v: _merge_prices(current.prices, _clean_prices(v, protocol_ids)),
        "cooling_off_hours": lambda v: clean_whole_number(v, "cooling_off_hours", COOLING_OFF_RANGE,
                                                          "cooling-off period in hours"),
        "minimum_age": lambda v: clean_whole_number(v, "minimum_age", MINIMUM_AGE_RANGE, "minimum age"),
        "treats_minors": lambda v: clean_yes_no(v, "treats_minors"),
        "reconsent_on_new_text": lambda v: clean_yes_no(v, "reconsent_on_new_text"),
    }
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for key, raw in changes.items():
        cleaner = cleaners.get(key)
        if cleaner is None:
            errors[key] = f"There is no clinic setting called {key!r}."
            continue
        try:
            values[key] = cleaner(raw)
        except ValidationError as error:
            errors.update(error.errors)
    if not errors:
        result = replace(current, **values)  # type: ignore[arg-type]
        if result.prices and result.currency is None:
            errors["currency"] = "Choose the currency the prices are in (e.g. EUR)."
    if errors:
        raise ValidationError(errors)
    return result


def to_stored(settings: ClinicSettings) -> dict[str, object]:
    """Settings row key → JSON-ready value."""
    stored: dict[str, object] = {}
    for item in fields(settings):
        value = getattr(settings, item.name)
        if item.name == "prices":
            value = {protocol: str(amount) for protocol, amount in sorted(value.items())}
        stored[SETTING_KEYS[item.name]] = value
    return stored


def from_stored(rows: Mapping[str, object], protocol_ids: Collection[str]) -> ClinicSettings:
    """Settings from stored rows (missing: the default). A value that no longer passes the
    validator (a protocol the clinic removed, a zone gone from the system) falls back to its
    default, so the kiosk still starts; what was typed stays in the row and its audit entry."""
    settings = ClinicSettings()
    for name, key in SETTING_KEYS.items():
        if key not in rows or rows[key] is None:
            continue
        raw = rows[key]
        if name == "logo":
            if isinstance(raw, str) and re.fullmatch(r"[0-9a-f]{64}", raw):
                settings = replace(settings, logo=raw)
            continue
        if name == "prices" and isinstance(raw, Mapping):
            raw = {protocol: amount for protocol, amount in raw.items() if protocol in protocol_ids}
        try:
            settings = check_changes(settings, {name: raw}, protocol_ids)
        except ValidationError:
            continue
    if settings.prices and settings.currency is None:
        settings = replace(settings, prices={})
    return settings
