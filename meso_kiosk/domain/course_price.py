"""What a course costs, in the words the course page shows: the clinic's price per session of
the protocol, and that times the sessions of the course. Nothing when the clinic set no price
(or no currency): a missing price is never shown as 0."""

from __future__ import annotations

from .clinic_settings import ClinicSettings


def course_price_words(settings: ClinicSettings, protocol_id: str, sessions: int) -> str | None:
    """``Price: 95.00 EUR per session · 760.00 EUR for the 8 sessions of this course``, or None."""
    per_session = settings.price_per_session(protocol_id)
    if per_session is None:
        return None
    words = f"Price: {settings.price_text(per_session)} per session"
    if sessions > 1:
        words += f" · {settings.price_text(per_session * sessions)} for the {sessions} sessions of this course"
    elif sessions == 1:
        words += " · this course has one session"
    return words
