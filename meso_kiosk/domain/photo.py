"""Progress photos: the clinic's standard views, a stored photo, and the photo-consent rule.

A photo is taken in one of the clinic's standard views (resources/photos/views.toml) so that two
dates can be compared. A stored photo never changes: a retake is a new photo. Photos are taken and
shown only while the patient's photo consent is current: their latest consent answered yes to
photos, and no photo-consent withdrawal came after it (withdrawing the whole consent withdraws
photos too, as the latest record is then a withdrawal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from .errors import ValidationError

PhotoSource = Literal["camera", "import"]
Disposition = Literal["keep", "delete"]
SOURCES: tuple[str, ...] = ("camera", "import")
DISPOSITIONS: tuple[str, ...] = ("keep", "delete")
_VIEW_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_LABEL = 60
MAX_HINT = 200


@dataclass(frozen=True)
class PhotoView:
    """One standard view, with its words in English and French."""

    id: str
    label: str
    hint: str
    label_fr: str
    hint_fr: str

    def label_in(self, language: str | None) -> str:
        return self.label_fr if language == "fr" else self.label

    def hint_in(self, language: str | None) -> str:
        return self.hint_fr if language == "fr" else self.hint


@dataclass(frozen=True)
class Photo:
    """A stored photo (``photos`` row): its file holds JPEG bytes whose SHA-256 is ``sha256``."""

    id: int
    patient_id: int
    view_id: str
    taken_at: datetime  # UTC
    consultant_id: int | None  # None: imported from the command line
    session_id: int | None
    sha256: str
    width: int
    height: int
    file_name: str  # relative to the data folder's photos/ folder: "<patient id>/<random>.jpg"
    source: str  # "camera" | "import"


@dataclass(frozen=True)
class PhotoConsentWithdrawal:
    """The patient withdrew their photo consent; ``disposition`` says what happens to the photos taken."""

    id: int
    patient_id: int
    withdrawn_at: datetime  # UTC
    disposition: str  # "keep" | "delete"
    actor: str  # as the audit log writes it ("consultant:3", "cli")
    reason: str | None
    photos: int  # how many photos the patient had when it was recorded

    @property
    def deletes(self) -> bool:
        return self.disposition == "delete"


@dataclass(frozen=True)
class ConsentFact:
    """What the photo rule needs of the patient's latest consent record."""

    signed_at: datetime  # UTC
    is_withdrawal: bool  # the whole consent was withdrawn
    photo_consent: bool | None  # its photo answer (None on a withdrawal)


NO_CONSENT = "no_consent"
ANSWERED_NO = "answered_no"
CONSENT_WITHDRAWN = "consent_withdrawn"
PHOTOS_WITHDRAWN = "photos_withdrawn"
CURRENT = "current"

STATE_WORDS = {
    NO_CONSENT: "The patient has no signed consent; photos need the patient's photo consent.",
    ANSWERED_NO: "The patient's current consent says no to photos; no photo can be taken or shown.",
    CONSENT_WITHDRAWN: "The patient withdrew their consent, and with it their photo consent; "
                       "no photo can be taken or shown.",
    PHOTOS_WITHDRAWN: "The patient withdrew their photo consent; no photo can be taken or shown "
                      "until they sign a new consent saying yes to photos.",
}


def photo_consent_state(latest: ConsentFact | None, last_withdrawal_at: datetime | None) -> str:
    """``CURRENT`` when the latest consent says yes to photos and no photo-consent withdrawal came
    after it; otherwise why not (a key of ``STATE_WORDS``)."""
    if latest is None:
        return NO_CONSENT
    if latest.is_withdrawal:
        return CONSENT_WITHDRAWN
    if not latest.photo_consent:
        return ANSWERED_NO
    if last_withdrawal_at is not None and last_withdrawal_at >= latest.signed_at:
        return PHOTOS_WITHDRAWN
    return CURRENT


def deleted_on_request(photo: Photo, withdrawals: "tuple[PhotoConsentWithdrawal, ...] | list") -> \
        PhotoConsentWithdrawal | None:
    """The withdrawal that deleted this photo's file on request (the first "delete" withdrawal
    recorded after it was taken), or None while its file is kept."""
    return next((w for w in withdrawals if w.deletes and w.patient_id == photo.patient_id
                 and w.withdrawn_at >= photo.taken_at), None)


def parse_photo_views(data: Any) -> tuple[PhotoView, ...]:
    """``[[views]]`` of views.toml as views; a bad value raises ``ValidationError`` keyed ``views[n].key``."""
    views = data.get("views") if isinstance(data, dict) else None
    if not isinstance(views, list) or not views:
        raise ValidationError.single("views", "must list at least one [[views]] block")
    seen: set[str] = set()
    parsed = []
    for number, raw in enumerate(views):
        where = f"views[{number}]"
        if not isinstance(raw, dict):
            raise ValidationError.single(where, "must be a table with id, label, label_fr, hint, hint_fr")
        view_id = raw.get("id")
        if not isinstance(view_id, str) or not _VIEW_ID.fullmatch(view_id):
            raise ValidationError.single(f"{where}.id", "must be lower-case letters, digits and _ (e.g. \"vertex\")")
        if view_id in seen:
            raise ValidationError.single(f"{where}.id", f"{view_id!r} is listed twice")
        seen.add(view_id)
        words = {key: _words(raw, key, limit, where) for key, limit in
                 (("label", MAX_LABEL), ("label_fr", MAX_LABEL), ("hint", MAX_HINT), ("hint_fr", MAX_HINT))}
        parsed.append(PhotoView(view_id, **words))
    return tuple(parsed)


def _words(raw: dict, key: str, limit: int, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.single(f"{where}.{key}", "must be some words")
    if len(value.strip()) > limit:
        raise ValidationError.single(f"{where}.{key}", f"must be at most {limit} characters")
    return value.strip()
