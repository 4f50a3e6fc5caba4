"""Progress photos: taken in the clinic's standard views, only under a current photo consent.

A photo is a plain JPEG (``photo_image``: metadata removed, the right way up) in the data folder's
``photos/<patient id>/<random>.jpg`` (0600), and an immutable row holding its SHA-256, written with
its audit entry in one transaction; the file is removed again if that transaction fails. A retake is
a new photo. Photos are taken and shown only while the patient's photo consent is current
(``domain.photo.photo_consent_state``): from a withdrawal of the photo consent, or of the whole
consent, on, ``photos`` lists none, so no screen or export shows them. A photo-consent withdrawal
says what happens to the photos already taken: kept under the clinic's retention rule, or their files
deleted on request (the rows stay, saying what was taken and that it was deleted).
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from pathlib import Path

from ..domain.actor import consultant_actor
from ..domain.clock import Clock
from ..domain.errors import ValidationError
from ..domain.photo import (
    CURRENT, DISPOSITIONS, SOURCES, STATE_WORDS, Photo, PhotoConsentWithdrawal, PhotoView, deleted_on_request,
    photo_consent_state,
)
from ..domain.text import clean_text
from ..store import photos as photo_rows
from ..store.db import Store, Transaction
from .clinic_data import ClinicData
from .errors import WordedError
from .files import write_atomically
from .photo_image import StoredImage, prepare_photo  # Pillow itself loads on the first photo

CLI_ACTOR = "cli"
KEEP_WORDS = ("The photos already taken stay in the patient's record under the clinic's retention rule: kept "
              "with the clinical record for as long as it must be kept, then destroyed with it. From now on they "
              "are not shown on any screen or in any export, and no new photo can be taken.")
DELETE_WORDS = ("The files of the {count} photo(s) already taken were deleted on request. The record keeps only "
                "that each was taken (view, date, consultant) and deleted; no new photo can be taken.")
# The only file names the app writes (store_in). A row naming anything else was written behind the
# app's back ("../audit.key"): its file is never read, shown or deleted.
OWN_FILE_NAME = re.compile(r"[1-9][0-9]*/[0-9a-f]{32}\.jpg")


class PhotoFileError(WordedError):
    """A stored photo cannot be shown: its file is missing, changed, or was deleted on request."""


class PhotoService:
    def __init__(self, store: Store, clock: Clock, clinic_data: ClinicData, data_root: Path):
        self._store = store
        self._clock = clock
        self._clinic_data = clinic_data
        self._folder = photo_rows.photos_folder(data_root)

    # -- views and the consent rule ------------------------------------------------------

    def views(self) -> tuple[PhotoView, ...]:
        return self._clinic_data.photo_views()

    def view(self, view_id: object) -> PhotoView:
        """The view with this id, or ``ValidationError`` (key ``view_id``) listing the valid ids."""
        views = self.views()
        found = next((view for view in views if view.id == view_id), None)
        if found is None:
            raise ValidationError.single("view_id", f"There is no photo view {view_id!r}; the views are: "
                                                    f"{', '.join(view.id for view in views)}.")
        return found

    def consent_state(self, patient_id: int) -> str:
        conn = self._store.conn
        return photo_consent_state(photo_rows.latest_consent_fact(conn, patient_id),
                                   photo_rows.last_withdrawal_at(conn, patient_id))

    def may_take(self, patient_id: int) -> str | None:
        """None when photos may be taken and shown; otherwise why not, in words."""
        state = self.consent_state(patient_id)
        return None if state == CURRENT else STATE_WORDS[state]

    # -- taking ----------------------------------------------------------------------------

    def add(self, patient_id: int, view_id: str, image_bytes: bytes, actor: int | None, *, source: str = "import",
            session_id: int | None = None) -> Photo:
        """Store a photo taken by consultant ``actor`` (None: imported from the command line).

        ``ValidationError`` (keys ``patient``, ``view_id``, ``source``, ``session_id``, ``image``) when the
        photo consent is not current, the view or session is unknown, or the bytes are no usable picture.
        """
        if self._store.conn.execute("SELECT 1 FROM patients WHERE id = ?", (patient_id,)).fetchone() is None:
            raise ValidationError.single("patient", f"There is no patient {patient_id}.")
        why_not = self.may_take(patient_id)
        if why_not:
            raise ValidationError.single("patient", why_not)
        self.view(view_id)
        if source not in SOURCES:
            raise ValidationError.single("source", f"A photo comes from {' or '.join(SOURCES)}, not {source!r}.")
        self._check_session(patient_id, session_id)
        image = prepare_photo(image_bytes)
        written: list[Path] = []
        try:
            with self._store.write(CLI_ACTOR if actor is None else consultant_actor(actor)) as tx:
                why_not = self.may_take(patient_id)  # again, under the write lock: a withdrawal may have come
                if why_not:
                    raise ValidationError.single("patient", why_not)
                return self.store_in(tx, patient_id, view_id, image, actor, session_id=session_id, source=source,
                                     written=written)
        except BaseException:
            for path in written:  # no file without its row, whatever refused the commit
                path.unlink(missing_ok=True)
            raise

    def store_in(self, tx: Transaction, patient_id: int, view_id: str, image: StoredImage, consultant_id: int | None,
                 *, session_id: int | None, source: str, taken_at: str | None = None,
                 written: list[Path] | None = None) -> Photo:
        """Write ``image`` (already a clean JPEG) to its file, then its row in the open transaction ``tx``
        (``add``; the demo seeder). The file's path goes into ``written``: the caller removes it if ``tx``
        does not commit."""
        file_name = f"{patient_id}/{uuid.uuid4().hex}.jpg"
        target = self._folder / file_name
        for folder in (self._folder, target.parent):
            folder.mkdir(mode=0o700, exist_ok=True)
        write_atomically(target, image.jpeg, mode=0o600, replace=False)
        if written is not None:
            written.append(target)
        return photo_rows.insert_photo(
            tx, patient_id=patient_id, view_id=view_id, consultant_id=consultant_id, session_id=session_id,
            sha256=hashlib.sha256(image.jpeg).hexdigest(), width=image.width, height=image.height,
            file_name=file_name, source=source, taken_at=taken_at)

    def _check_session(self, patient_id: int, session_id: int | None) -> None:
        if session_id is None:
            return
        row = self._store.conn.execute("SELECT patient_id FROM treatment_sessions WHERE id = ?",
                                       (session_id,)).fetchone()
        if row is None or row[0] != patient_id:
            raise ValidationError.single("session_id", f"Session {session_id} is not one of this patient's sessions.")

    # -- showing ---------------------------------------------------------------------------

    def photos(self, patient_id: int, view_id: str | None = None) -> list[Photo]:
        """The patient's photos (of one view), oldest first; none while the photo consent is not current,
        and never one deleted on request."""
        if self.consent_state(patient_id) != CURRENT:
            return []
        withdrawals = photo_rows.list_withdrawals(self._store.conn, patient_id)
        return [photo for photo in photo_rows.list_photos(self._store.conn, patient_id, view_id)
                if deleted_on_request(photo, withdrawals) is None]

    def photo(self, photo_id: int) -> Photo:
        return photo_rows.get_photo(self._store.conn, photo_id)

    def image(self, photo: Photo) -> bytes:
        """The photo's JPEG bytes, checked against the SHA-256 stored with it; ``PhotoFileError`` when
        the photo may not be shown, was deleted on request, or its file is missing or changed."""
        withdrawal = deleted_on_request(photo, photo_rows.list_withdrawals(self._store.conn, photo.patient_id))
        if withdrawal is not None:
            raise PhotoFileError(f"Photo {photo.id} was deleted on the patient's request on "
                                 f"{self._clock.local(withdrawal.withdrawn_at):%d %b %Y}.")
        why_not = self.may_take(photo.patient_id)
        if why_not:
            raise PhotoFileError(why_not)
        return self._checked_bytes(photo)

    def _file_of(self, photo: Photo) -> Path:
        if not OWN_FILE_NAME.fullmatch(photo.file_name) or not photo.file_name.startswith(f"{photo.patient_id}/"):
            raise PhotoFileError(f"Photo {photo.id} names a file this app never wrote ({photo.file_name!r}), so it is "
                                 "not opened or deleted; run audit-verify.")
        return self._folder / photo.file_name

    def _checked_bytes(self, photo: Photo) -> bytes:
        path = self._file_of(photo)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise PhotoFileError(f"The file of photo {photo.id} ({path}) is missing; restore the data folder from "
                                 "a backup.") from None
        except OSError as error:
            raise PhotoFileError(f"The file of photo {photo.id} ({path}) cannot be read ({error.strerror}).") from None
        if hashlib.sha256(data).hexdigest() != photo.sha256:
            raise PhotoFileError(f"The file of photo {photo.id} ({path}) has been changed since it was stored, so it "
                                 "is not shown; restore the data folder from a backup.")
        return data

    # -- withdrawing -------------------------------------------------------------------------

    def withdraw_photo_consent(self, patient_id: int, disposition: str, actor: int | None,
                               reason: object = None) -> PhotoConsentWithdrawal:
        """Record that the patient withdrew their photo consent (audited): from now on their photos are
        hidden and none can be taken. ``disposition``: "keep" (under the clinic's retention rule) or
        "delete" (the files are removed on request; the rows stay). ``disposition_words`` says which."""
        if disposition not in DISPOSITIONS:
            raise ValidationError.single("disposition", "Say whether the photos already taken are kept (under the "
                                                        "clinic's retention rule) or deleted on request.")
        text = clean_text(reason, "reason", max_length=500, multiline=True)
        conn = self._store.conn
        kept = [photo for photo in photo_rows.list_photos(conn, patient_id)
                if deleted_on_request(photo, photo_rows.list_withdrawals(conn, patient_id)) is None]
        if self.consent_state(patient_id) != CURRENT and not (disposition == "delete" and kept):
            raise ValidationError.single("patient", "The patient's photo consent is not in force, and there is no "
                                                    "photo to delete: there is nothing to withdraw.")
        with self._store.write(CLI_ACTOR if actor is None else consultant_actor(actor)) as tx:
            withdrawal = photo_rows.insert_withdrawal(tx, patient_id, disposition, text, len(kept))
        if withdrawal.deletes:
            self._delete_files(kept)  # after the commit: a refused record leaves every file in place
        return withdrawal

    def _delete_files(self, photos: list[Photo]) -> None:
        left = []
        for photo in photos:
            try:
                os.unlink(self._file_of(photo))
            except FileNotFoundError:
                continue
            except PhotoFileError:
                left.append(f"{photo.file_name!r} (not a name this app writes)")
            except OSError as error:
                left.append(f"{photo.file_name} ({error.strerror or error})")
        if left:
            raise PhotoFileError(f"The withdrawal is recorded, but {len(left)} photo file(s) could not be deleted: "
                                 f"{', '.join(left[:3])}. Delete them by hand; audit-verify lists them until then.")

    def disposition_words(self, withdrawal: PhotoConsentWithdrawal) -> str:
        return DELETE_WORDS.format(count=withdrawal.photos) if withdrawal.deletes else KEEP_WORDS

