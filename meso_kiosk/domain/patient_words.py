"""The words the patient's documents are printed in, one file per language a clinic can edit:
``resources/calendar/<language>.toml`` (the calendar file) and ``resources/pdf/<language>.toml``
(the summary PDF's headings, captions, footer and month names).

Each kind of file has a fixed set of keys, each with the ``{placeholders}`` its sentence must
keep, so a file is whole or refused with the key at fault: a French patient never gets a
document half in English because a line was left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .consent_clinic import format_amount
from .errors import ValidationError
from .language import is_language_code
from .text import clean_text

MAX_WORDS_LINE = 300
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

# key → the placeholders its text must hold
CALENDAR_KEYS: dict[str, tuple[str, ...]] = {
    "calendar_name": ("clinic",),          # the calendar's name in the patient's app
    "event_title": ("number", "total", "clinic"),
    "event_line": ("number", "total", "clinic"),
    "time_to_confirm": (),
    "overdue": (),
    "milestone": ("text",),               # a milestone beside the session it is anchored to
    "reminder": ("clinic",),
}

PDF_KEYS: dict[str, tuple[str, ...]] = {
    key: () for key in (
        "subtitle", "patient", "name", "date_of_birth", "sex_at_birth", "patient_number", "preferred_language",
        "intake", "status", "hair_loss", "screening", "completed", "screening_found", "what_it_means", "handled",
        "stop_overridden", "reason_to_go_ahead", "decided_by",
        "treated_zones", "zone", "sessions", "injections", "last_treated", "not_treated", "scalp_note",
        "treatment_sessions", "date_and_time", "consultant", "zones_column", "injections_short", "volume",
        "products", "side_effects_observed", "none_observed", "lot", "expiry_short",
        "your_course", "protocol", "started", "progress", "price", "plan", "maintenance", "around",
        "what_to_expect", "reached", "ahead", "session", "date",
        "plan_done", "plan_next", "plan_overdue", "plan_planned",
        "consent", "consent_text", "text_sha256", "side_effect_read", "patient_answer", "read_and_ticked",
        "not_ticked", "photos", "answer", "yes", "no", "not_answered", "patients_question",
        "signed_text", "signed_text_appendix", "appendix", "withdrawal_text",
        "signatures", "signed_by", "profession", "date_and_time_signed", "meaning", "how", "role", "not_signed",
        "sealed", "role_patient", "role_consultant", "pin_method", "strokes_sha256", "attestation_sha256",
        "countersign_meaning", "course_plan", "legend_one", "legend_two", "legend_more",
        "notice_not_signed_title", "notice_not_signed", "notice_withdrawn_title", "unsigned_patient",
        "unsigned_consultant", "role_patient_withdrawal", "role_consultant_withdrawal",
        "channel_in_person", "channel_phone", "channel_email", "channel_letter",
        # what the patient typed, each under its label (the intake's free-text answers)
        "medications", "allergies", "medical_notes", "expectations", "consultant_notes", "other_treatment",
        "session_notes", "plan_due_today", "consent_history", "what_happened", "event_signed",
        "event_signed_again", "signed_on_tablet",
        # the appendix "Technical details for verification"
        "technical_details", "technical_intro", "document_label", "made_label", "audit_head_label", "device",
        # the progress photos: first and latest of each view
        "progress_photos", "photos_intro", "photo_file_missing",
    )
} | {
    "document": ("id",),
    "made": ("when",),
    "age": ("years",),
    "done_by": ("when", "who"),
    "consent_version": ("language", "version"),
    "progress_words": ("done", "total"),
    "maintenance_from": ("date",),
    "still_recording": ("count",),
    "corrected": ("when", "who", "reason", "changes"),
    "not_recorded": ("items",),
    "footer_patient": ("name", "date", "id"),
    "page": ("page", "pages"),
    "in_force": ("when",),
    "withdrawn_on": ("when",),
    "session_notes_of": ("number", "date"),
    "event_withdrawn": ("channel",),
    "text_sha256_of": ("language", "version"),
    "witness_present": ("name",),
    "notice_withdrawn": ("when",),
    "price_words": ("price", "total", "sessions"),
    "price_one_session": ("price",),
    "registration": ("number",),
    "withdrawal_recorded": ("channel",),
    "photo_caption": ("date", "number"),  # "09 Nov 2026 · session 1"
    "photo_answer_line": ("answer", "words"),  # "Yes: …" / "Oui : …" (French spaces its colon)
    # the intake section's values: its status, the screening's levels, how each finding was handled
    "intake_complete": (), "intake_draft": (),
    "sex_female": (), "sex_male": (), "sex_intersex": (),
    "level_stop": (), "level_warn": (), "level_info": (),
    "handled_overridden": (), "handled_not_overridden": (), "handled_final": (),
    "handled_acknowledged": (), "handled_not_acknowledged": (), "handled_information": (),
    "stop_one": (), "stop_many": (), "warning_one": (), "warning_many": (), "note_one": (), "note_many": (),
    "screening_clear": (), "screening_clear_notes": ("count", "notes"),
    "stops_all_overridden": ("count", "stops"), "stops_open": ("count", "stops", "open"),
    "warnings_all_acknowledged": ("count", "warnings"), "warnings_open": ("count", "warnings", "open"),
    # who signed beside the patient (domain/consent_parties)
    "role_guardian": (), "role_witness": (), "role_interpreter": (), "witness_meaning": (),
    "guardian_meaning": ("patient", "relationship"),
    "assent_meaning": ("age",),
    "interpreter_meaning": ("language",),
}
MONTHS_KEY = "months"  # twelve short month names, January first (PDF only)
MARK_KEYS = ("decimal_mark", "thousands_mark")  # how the language writes 1,140.00 (PDF only)


@dataclass(frozen=True)
class PatientWords:
    """One words file: ``words(key, name=value)`` gives its sentence with the values in."""

    kind: str
    language: str
    entries: tuple[tuple[str, str], ...]
    months: tuple[str, ...] = ()
    marks: tuple[str, str] = (".", ",")  # decimal, thousands

    def amount(self, value: Decimal, currency: str) -> str:
        """``1 140,00 EUR`` as the language writes it."""
        return format_amount(value, currency, *self.marks)

    def __call__(self, key: str, **values: object) -> str:
        text = dict(self.entries)[key]
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    def day(self, value: date) -> str:
        """``12 Apr 1986`` / ``12 avr. 1986``: the month's name from the file, not the locale."""
        months = self.months or ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
        return f"{value.day:02d} {months[value.month - 1]} {value.year}"

    def moment(self, local: datetime, *, with_offset: bool = True) -> str:
        """``22 nov. 2026, 10:30 (UTC+01:00)``: a clinic-local time as ``Clock.format_local`` writes it."""
        text = f"{self.day(local.date())}, {local:%H:%M}"
        if with_offset:
            offset = local.strftime("%z")
            text += f" (UTC{offset[:3]}:{offset[3:]})"
        return text


def parse_patient_words(data: object, source: str, kind: str, keys: Mapping[str, tuple[str, ...]], *,
                        months: bool = False) -> PatientWords:
    """A ``PatientWords`` from a parsed words file; ``ValidationError`` names the key at fault."""
    if not isinstance(data, Mapping):
        raise ValidationError.single(source, f"{source}: the file could not be read.")
    allowed = {"language", *keys, *((MONTHS_KEY, *MARK_KEYS) if months else ())}
    unknown = sorted(str(key)[:40] for key in data if key not in allowed)
    if unknown:
        raise ValidationError.single(unknown[0], f"a line the kiosk does not know; expected only: "
                                                 f"{', '.join(sorted(allowed))}.")
    language = data.get("language")
    if not is_language_code(language):
        raise ValidationError.single("language", 'must be a language code such as "fr".')
    entries = []
    for key, placeholders in keys.items():
        try:
            text = clean_text(data.get(key), key, max_length=MAX_WORDS_LINE, required=True, label=key)
        except ValidationError as error:
            raise ValidationError.single(key, error.errors[key]) from None
        assert text is not None
        missing = [name for name in placeholders if "{" + name + "}" not in text]
        extra = sorted(set(_PLACEHOLDER.findall(text)) - set(placeholders))
        if missing or extra:
            wanted = ", ".join("{" + name + "}" for name in placeholders) or "no {placeholder}"
            raise ValidationError.single(key, f"must hold {wanted} (the kiosk fills them in), exactly as in en.toml.")
        entries.append((key, text))
    month_names: tuple[str, ...] = ()
    if months:
        raw = data.get(MONTHS_KEY)
        if not isinstance(raw, list) or len(raw) != 12 or not all(
                isinstance(name, str) and name.strip() and len(name) <= 20 for name in raw):
            raise ValidationError.single(MONTHS_KEY, "must be a list of the twelve short month names, January first.")
        month_names = tuple(name.strip() for name in raw)
    marks = (".", ",")
    if months:
        for key in MARK_KEYS:
            mark = data.get(key)
            if not isinstance(mark, str) or len(mark) != 1 or mark.isdigit():
                raise ValidationError.single(key, 'must be one sign, e.g. "," or "\\u00A0" (a space that never breaks).')
        marks = (data["decimal_mark"], data["thousands_mark"])
        if marks[0] == marks[1]:
            raise ValidationError.single("thousands_mark", "must differ from decimal_mark.")
    return PatientWords(kind, language, tuple(entries), month_names, marks)
