"""The patient: identity and contact details, validated before anything is stored."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date

from .contact import clean_email, clean_phone, phone_digits
from .errors import ValidationError
from .language import is_language_code
from .name_folding import name_key
from .person_name import NAME_ORDERS, default_order, display_name
from .text import clean_text

MAX_NAME_LENGTH = 100
MAX_AGE_YEARS = 120
SEX_AT_BIRTH = {"female": "Female", "male": "Male", "intersex": "Intersex"}

# Punctuation that real names carry: apostrophes, hyphens, dots, middle dots,
# Hebrew maqaf, katakana middle dot. Digits and symbols are refused.
_NAME_PUNCTUATION = set("'’ʼ‘-‐‑.·־・")
_NAME_JOINERS = {"\u200c", "\u200d"}


@dataclass(frozen=True)
class Patient:
    given_name: str
    family_name: str
    date_of_birth: date
    sex_at_birth: str | None = None
    phone: str | None = None
    email: str | None = None
    preferred_language: str | None = None
    # given_first or family_first (person_name.NAME_ORDERS); None: by the name's script.
    name_order: str | None = None
    id: int | None = field(default=None, compare=False)

    @property
    def order(self) -> str:
        return self.name_order or default_order(self.given_name, self.family_name)

    @property
    def display_name(self) -> str:
        """The name as the patient writes it: "王小明", "Nguyễn Thị Hương", "Claire Dubois"."""
        return display_name(self.given_name, self.family_name, self.order)

    @property
    def phone_digits(self) -> str:
        return phone_digits(self.phone)

    @property
    def name_key(self) -> str:
        """What the search index holds of the name (domain/name_folding)."""
        return name_key(self.given_name, self.family_name)

    def age_on(self, day: date) -> int:
        return age_on(self.date_of_birth, day)

    def with_id(self, patient_id: int) -> "Patient":
        return replace(self, id=patient_id)


def search_key(text: str | None) -> str:
    """Lower-case, accent-free form used to match names: "Ελένη" and "ελενη" meet, so do "José" and "jose"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped.casefold())


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _clean_name(value: object, field_name: str, label: str) -> str:
    text = clean_text(value, field_name, max_length=MAX_NAME_LENGTH, required=True, label=label)
    assert text is not None
    text = " ".join(text.split())  # one space between parts, however it was typed
    has_letter = False
    for char in text:
        category = unicodedata.category(char)
        if category.startswith("L"):
            has_letter = True
        elif category.startswith("M") or char == " " or char in _NAME_PUNCTUATION or char in _NAME_JOINERS:
            continue
        else:
            raise ValidationError.single(
                field_name,
                f"The {label} may contain letters, spaces, hyphens and apostrophes only"
                f" (not “{char}”).",
            )
    if not has_letter:
        raise ValidationError.single(field_name, f"The {label} must contain at least one letter.")
    return text


def parse_date(value: object, field_name: str, label: str) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        match = re.fullmatch(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})", text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                pass
    raise ValidationError.single(field_name, f"Enter the {label} as a real date, e.g. 1984-03-27.")


def _check_date_of_birth(born: date, today: date) -> None:
    if born > today:
        raise ValidationError.single("date_of_birth", "The date of birth cannot be in the future.")
    if age_on(born, today) > MAX_AGE_YEARS:
        raise ValidationError.single(
            "date_of_birth", f"Please check the date of birth: that would make the patient older than {MAX_AGE_YEARS}."
        )


def validate_patient(raw: dict[str, object], *, today: date, patient_id: int | None = None) -> Patient:
    """Build a ``Patient`` from form values, collecting every field's problem at once."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}

    def attempt(name: str, check) -> None:
        try:
            values[name] = check(raw.get(name))
        except ValidationError as error:
            errors.update(error.errors)

    attempt("given_name", lambda v: _clean_name(v, "given_name", "given name"))
    attempt("family_name", lambda v: _clean_name(v, "family_name", "family name"))

    def check_dob(value: object) -> date:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValidationError.single("date_of_birth", "Please enter the date of birth.")
        born = parse_date(value, "date_of_birth", "date of birth")
        _check_date_of_birth(born, today)
        return born

    attempt("date_of_birth", check_dob)

    def check_sex(value: object) -> str | None:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or value not in SEX_AT_BIRTH:
            raise ValidationError.single("sex_at_birth", "Choose female, male or intersex, or leave it empty.")
        return str(value)

    attempt("sex_at_birth", check_sex)

    attempt("phone", clean_phone)
    attempt("email", clean_email)

    def check_language(value: object) -> str | None:
        text = clean_text(value, "preferred_language", max_length=35, label="language")
        if text is None:
            return None
        if not is_language_code(text):
            raise ValidationError.single("preferred_language", "Choose a language from the list.")
        return text

    attempt("preferred_language", check_language)

    def check_order(value: object) -> str:
        if value in (None, ""):  # not chosen: the default the form shows, by the name's script
            return default_order(str(values.get("given_name", "")), str(values.get("family_name", "")))
        if not isinstance(value, str) or value not in NAME_ORDERS:
            raise ValidationError.single("name_order", "Choose given name first or family name first.")
        return value

    attempt("name_order", check_order)

    if errors:
        raise ValidationError(errors)
    return Patient(id=patient_id, **values)  # type: ignore[arg-type]
