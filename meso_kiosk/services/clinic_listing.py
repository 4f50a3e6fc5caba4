"""The clinic's settings as ``key: value`` lines, for ``meso-kiosk clinic`` and the scripts that read it.

A contract: the keys come in this order, one a line, and a value is never more than one line.
An address's lines are joined by `` / `` (``meso-kiosk clinic --address`` reads that back as
lines); a price is the plain amount in the currency above it (``120.00``), so a script can
hand it straight back to ``--price``; a setting with no value says ``not set`` (the logo:
``none``); yes/no settings say ``yes`` or ``no``.
"""

from __future__ import annotations

from typing import Iterable

from ..domain.clinic_settings import ClinicSettings
from ..store.logos import Logo

ADDRESS_LINE_BREAK = " / "
NOT_SET = "not set"


def address_from_one_line(text: str) -> str:
    """An address typed on one line, its lines joined by `` / `` (as printed), as lines."""
    return text.replace(ADDRESS_LINE_BREAK, "\n")


def _text(value: str | None) -> str:
    return NOT_SET if value is None else value


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def logo_summary(logo: Logo | None) -> str:
    """``3fa2b1c4d5e6f708 (256×256 px, 12,345 bytes)``: enough to tell two logos apart."""
    if logo is None:
        return "none"
    return f"{logo.sha256[:16]} ({logo.width}×{logo.height} px, {len(logo.png):,} bytes)"


def settings_lines(settings: ClinicSettings, logo: Logo | None, protocol_ids: Iterable[str]) -> list[str]:
    """Every setting as ``key: value``, in the contract's order (protocols in their file's order)."""
    address = None if settings.address is None else settings.address.replace("\n", ADDRESS_LINE_BREAK)
    lines = [
        f"name: {settings.name}",
        f"address: {_text(address)}",
        f"phone: {_text(settings.phone)}",
        f"email: {_text(settings.email)}",
        f"timezone: {_text(settings.timezone)}",
        f"logo: {logo_summary(logo)}",
        f"currency: {_text(settings.currency)}",
    ]
    for protocol_id in protocol_ids:
        price = settings.price_per_session(protocol_id)
        lines.append(f"price.{protocol_id}: {NOT_SET if price is None else price}")
    lines += [
        f"cooling_off_hours: {settings.cooling_off_hours}",
        f"minimum_age: {settings.minimum_age}",
        f"treats_minors: {_yes_no(settings.treats_minors)}",
        f"reconsent_on_new_text: {_yes_no(settings.reconsent_on_new_text)}",
    ]
    return lines
