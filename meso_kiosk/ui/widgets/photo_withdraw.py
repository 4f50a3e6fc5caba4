"""The patient withdraws their photo consent: what happens to the photos already taken, why, a PIN.

The record must say what happens to the photos already taken, so neither choice is preselected:
kept under the clinic's retention rule, or their files deleted because the patient asks. The
consultant confirms with their PIN, as for a withdrawal of the consent itself. The consultant's
screen, so in English.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QFrame, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ...domain.errors import ValidationError
from ...domain.patient import Patient
from ...services.accounts import AccountService, PinPurpose
from ...services.errors import WordedError
from .basics import button, label, show_field_error
from .consultant_pin import ConsultantPin, CurrentConsultant

CHOICES = {
    "keep": ("Keep them under the clinic's retention rule", "Keep the photos already taken under the retention rule"),
    "delete": ("Delete them now: the patient asks", "Delete the photos already taken, on the patient's request"),
}


def taken_words(count: int) -> str:
    if count == 0:
        return "No photo has been taken yet."
    return "One photo has been taken so far." if count == 1 else f"{count} photos have been taken so far."


class PhotoWithdrawPanel(QFrame):
    """``withdrawn(record, words)`` once stored (``words``: what happened to the photos); ``cancelled``."""

    withdrawn = Signal(object, str)
    cancelled = Signal()

    def __init__(self, photos, accounts: AccountService, current_consultant: CurrentConsultant,
                 parent: QWidget | None = None):
        """``photos``: the PhotoService."""
        super().__init__(parent)
        self._photos, self._accounts = photos, accounts
        self.patient: Patient | None = None
        self.setProperty("role", "finding-warn")
        self.title = label("Record that the patient withdraws their photo consent", "subheading-small")
        self.intro = label("From now on no photo can be taken, and the photos already taken are no longer shown on "
                           "any screen or in any export. The treatment consent is not changed.")
        self.taken = label("", "muted")
        self.choice_label = label("What happens to the photos already taken?", "subheading-small")
        self.choice_group = QButtonGroup(self)
        self.choice_buttons: dict[str, QPushButton] = {}
        choices = QVBoxLayout()  # one above the other: each is a sentence, read before it is chosen
        choices.setSpacing(8)
        for disposition, (text, accessible) in CHOICES.items():
            choice = button(text, accessible, role="step")  # checked is filled, in the same font (no cut text)
            choice.setCheckable(True)
            choice.setAutoDefault(False)
            self.choice_group.addButton(choice)
            self.choice_buttons[disposition] = choice
            choices.addWidget(choice)
        self.choice_error = label("", "error")
        self.reason_label = label("Reason (optional, in the patient's words)", "subheading-small")
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Reason for withdrawing photo consent")
        self.reason.setFixedHeight(96)
        self.reason.setTabChangesFocus(True)
        self.reason_error = label("", "error")
        self.pin_label = label("Confirm with your PIN", "subheading-small")
        self.pin = ConsultantPin(accounts, current_consultant, "Consultant PIN to record the photo consent withdrawal")
        self.banner = label("", "banner-error")
        self.cancel_button = button("Cancel", "Cancel the photo consent withdrawal")
        self.cancel_button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        for widget in (self.title, self.intro, self.taken, self.banner, self.choice_label):
            layout.addWidget(widget)
        layout.addLayout(choices)
        for widget in (self.choice_error, self.reason_label, self.reason, self.reason_error, self.pin_label, self.pin):
            layout.addWidget(widget)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.choice_group.buttonToggled.connect(lambda *_: self._say(self.choice_error, ""))
        self.pin.submitted.connect(self._on_pin_submitted)
        self.cancel_button.clicked.connect(self.cancelled)

    def start(self, patient: Patient) -> None:
        self.patient = patient
        self.choice_group.setExclusive(False)  # so the checked choice can be cleared
        for choice in self.choice_buttons.values():
            choice.setChecked(False)
        self.choice_group.setExclusive(True)
        self.reason.clear()
        self.taken.setText(taken_words(len(self._photos.photos(patient.id))))
        for line in (self.choice_error, self.reason_error, self.banner):
            self._say(line, "")
        self.pin.prepare()

    def disposition(self) -> str | None:
        return next((key for key, choice in self.choice_buttons.items() if choice.isChecked()), None)

    def _say(self, line, message: str) -> None:
        field = self.reason if line is self.reason_error else None
        show_field_error(field, line, message)

    def _on_pin_submitted(self, consultant_id: int, pin: str) -> None:
        assert self.patient is not None
        for line in (self.choice_error, self.reason_error, self.banner):
            self._say(line, "")
        disposition = self.disposition()
        if disposition is None:
            self._say(self.choice_error, "Choose what happens to the photos already taken.")
            self.pin.pin_entry.clear()
            return
        try:
            self._accounts.require_pin(consultant_id, pin, PinPurpose.COUNTERSIGN, "consultant_pin")
        except ValidationError as error:
            self.pin.show_error(error.errors["consultant_pin"])
            return
        try:
            record = self._photos.withdraw_photo_consent(self.patient.id, disposition, consultant_id,
                                                         self.reason.toPlainText().strip() or None)
        except ValidationError as error:
            self._show_errors(error.errors)
            self.pin.pin_entry.clear()
            return
        except WordedError as error:  # recorded, but a file could not be deleted: say which, by hand
            self.withdrawn.emit(None, str(error))
            return
        self.withdrawn.emit(record, self._photos.disposition_words(record))

    def _show_errors(self, errors: dict[str, str]) -> None:
        if "reason" in errors:
            self._say(self.reason_error, errors["reason"])
        if "disposition" in errors:
            self._say(self.choice_error, errors["disposition"])
        rest = [message for key, message in errors.items() if key not in ("reason", "disposition")]
        self._say(self.banner, " ".join(rest))
