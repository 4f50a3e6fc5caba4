"""The intake form's unsaved state, without Qt: what the page holds that the database does not.

Every answer saves itself (``IntakeService.save_answer``): a typed one after a pause, a
pick at once, everything pending when the page is left. Until then the draft knows which
answers wait (``pending``), which the domain refused and why (``errors``, the typed text
stays on the form for correcting), and what the quiet autosave line says (``status``).
The page owns the timers and the widgets; it asks the draft what to do and renders it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..domain.clock import Clock
from ..domain.errors import ValidationError
from ..store.errors import StoreError
from .intake import IntakeRecord, IntakeService

NOT_SAVED = "Not saved: see the message under the answer."
SAVING = "Saving…"


@dataclass(frozen=True)
class SaveStatus:
    """The autosave line: its words and its look ("saved", "muted" while saving, "error")."""

    text: str = ""
    role: str = "saved"


@dataclass(frozen=True)
class AnswerSaved:
    record: IntakeRecord
    created: bool  # the first answer made a new draft intake


@dataclass(frozen=True)
class AnswerRefused:
    message: str  # shown under the answer; the typed text stays


@dataclass(frozen=True)
class AnswerNotYetSaved:
    reason: str  # the store could not write: the answer waits for the next pause


SaveResult = AnswerSaved | AnswerRefused | AnswerNotYetSaved


class IntakeDraft:
    """One patient's intake as the form holds it: the answers waiting, the ones refused."""

    def __init__(self, service: IntakeService, clock: Clock, actor: Callable[[], str]):
        self._service = service
        self._clock = clock
        self._actor = actor
        self.patient_id: int | None = None
        self.record: IntakeRecord | None = None  # the patient's current (newest) intake
        self.read_only = False  # an earlier or complete intake is on the form: edits are ignored
        self._pending: dict[str, None] = {}  # answers typed and waiting for their pause, in order
        self.errors: dict[str, str] = {}  # path -> why the domain refused the answer typed
        self.status = SaveStatus()

    # -- what is on the form ------------------------------------------------------------------

    def open(self, patient_id: int | None, record: IntakeRecord | None) -> None:
        """A patient's current intake (None: none yet; the first answer creates it)."""
        self.patient_id = patient_id
        self.record = record
        self.status = SaveStatus()

    def show(self, *, read_only: bool) -> None:
        """The form was filled afresh from a record: nothing waits and nothing is refused."""
        self.read_only = read_only
        self._pending.clear()
        self.errors.clear()

    def pending(self) -> list[str]:
        """The answers still waiting for their pause, first typed first."""
        return list(self._pending)

    def is_pending(self, path: str) -> bool:
        return path in self._pending

    # -- typing and saving --------------------------------------------------------------------

    def edited(self, path: str) -> bool:
        """An answer is being typed; True when it should be saved after the pause."""
        if self.read_only:
            return False
        self._pending[path] = None
        self.set_status(SAVING, "muted")
        return True

    def save(self, path: str, value: object) -> SaveResult | None:
        """Store one answer now; None when there is nothing to store it in (no patient, read-only)."""
        self._pending.pop(path, None)
        if self.patient_id is None or self.read_only:
            return None
        try:
            record = self._service.save_answer(self.patient_id, path, value, self._actor())
        except ValidationError as error:
            message = error.errors.get(path) or next(iter(error.errors.values()))
            self.errors[path] = message
            self.set_status(NOT_SAVED, "error")
            return AnswerRefused(message)
        except StoreError as error:
            self._pending[path] = None  # never lose a keystroke: tried again after the pause
            self.set_status(f"Not saved yet: {error}", "error")
            return AnswerNotYetSaved(str(error))
        self.errors.pop(path, None)
        created = self.record is None or self.record.id != record.id
        self.record = record
        self.set_status(self.saved_words(record), "saved")
        return AnswerSaved(record, created)

    def changed(self, record: IntakeRecord) -> None:
        """Something else stored the intake (an override, a tick): it is the current one now."""
        self.record = record
        self.set_status(self.saved_words(record), "saved")

    # -- the autosave line ------------------------------------------------------------------------

    def saved_words(self, record: IntakeRecord) -> str:
        if self.errors:
            return NOT_SAVED
        return f"Saved {self._clock.local(record.updated_at).strftime('%H:%M')}"

    def set_status(self, text: str, role: str) -> SaveStatus:
        """Say ``text``; "saved" never hides an answer that was refused."""
        if self.errors and role == "saved":
            text, role = NOT_SAVED, "error"
        self.status = SaveStatus(text, role)
        return self.status

    def reasons_not_valid(self, label_of: Callable[[str], str]) -> list[str]:
        """Why the intake cannot be completed yet, from the form's side: refused answers."""
        return [f"An answer is not valid and not saved: {label_of(path)}." for path in self.errors]
