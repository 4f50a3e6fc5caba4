"""The hand-off's countersign panel: what the patient signed (their signature drawn, with their
name and the time), an optional witness, the consultant's PIN; or, when the service refused
the form, why, and the way back to the patient.

The consultant's panel: in English whatever language the patient read, and said to be so
(its locale), so a screen reader does not read it with the patient's language's voice.
Side by side on a landscape screen (the PIN pad is tall), one above the other in portrait.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from ...domain.consent import MAX_WITNESS_NAME
from ...domain.errors import ValidationError
from ...domain.signature import SignatureStrokes
from ...domain.text import clean_text
from ...services.accounts import AccountService
from ..widgets.basics import button, label
from ..widgets.consultant_pin import ConsultantPin, CurrentConsultant
from ..widgets.signature_pad import SignatureView
from .handoff_read import WIDE_COLUMN_WIDTH, say


class CountersignPanel(QWidget):
    def __init__(self, accounts: AccountService, current_consultant: CurrentConsultant,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.title = label("Countersign the consent", "heading")
        self.summary = label("", None)
        self.summary.setAccessibleName("What the patient signed")
        # The signature being countersigned, as the patient drew it.
        self.signed_by = label("", "subheading-small")
        self.signed_by.setAccessibleName("Who signed, and when")
        self.signature_view = SignatureView(accessible_name="The patient's signature")
        self.signature_view.setMinimumHeight(120)
        self.signature: SignatureStrokes | None = None
        self.error = label("", "banner-error")
        self.error.hide()
        self.back_to_patient_button = button("Give the tablet back to the patient", "Back to the patient to correct",
                                             primary=True)
        self.back_to_patient_button.hide()
        # A witness is optional: someone else in the room who saw the patient sign.
        self.witness_label = label("Witness (optional): the name of anyone else who saw the patient sign",
                                   "subheading-small")
        self.witness_field = QLineEdit()
        self.witness_field.setAccessibleName("Witness's name (optional)")
        self.witness_field.setMaxLength(MAX_WITNESS_NAME)
        self.witness_error = label("", "error")
        self.witness_error.hide()
        # A witness or an interpreter who signs on their own box (handoff_parties.ExtraPartiesPanel).
        self.parties_button = button("Add a witness or interpreter who signs", "Add a witness or interpreter who signs")
        self.parties_button.setAutoDefault(False)
        self.pin = ConsultantPin(accounts, current_consultant, "Consultant PIN to countersign")
        words = QWidget()
        words_layout = QVBoxLayout(words)
        words_layout.setContentsMargins(0, 0, 0, 0)
        words_layout.setSpacing(14)
        for widget in (self.title, self.signed_by, self.signature_view, self.summary, self.error,
                       self.back_to_patient_button, self.witness_label, self.witness_field, self.witness_error,
                       self.parties_button):
            words_layout.addWidget(widget)
        self.setObjectName("page")
        self.setLocale(QLocale(QLocale.Language.English))  # the consultant's words, whatever the patient read
        outer = QHBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        inner = QWidget()
        inner.setMaximumWidth(WIDE_COLUMN_WIDTH)
        self.columns = QBoxLayout(QBoxLayout.Direction.TopToBottom, inner)
        self.columns.setContentsMargins(0, 0, 0, 0)
        self.columns.setSpacing(32)
        self.columns.addWidget(words, 1, Qt.AlignmentFlag.AlignTop)
        self.columns.addWidget(self.pin, 0, Qt.AlignmentFlag.AlignTop)
        outer.addStretch(1)
        outer.addWidget(inner, 100, Qt.AlignmentFlag.AlignTop)  # both at the top, whatever the height
        outer.addStretch(1)

    def set_side_by_side(self, wide: bool) -> None:
        self.columns.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)

    def clear(self) -> None:
        """A fresh hand-off: no witness yet."""
        self.witness_field.clear()
        self.witness_field.setReadOnly(False)
        say(self.witness_error, "")

    def prepare(self, summary: str, signature: SignatureStrokes | None = None, signed_by: str = "") -> None:
        """Show the patient's ``signature`` and ``signed_by`` (their name and the time), say what
        they signed, and ask for the PIN."""
        self.signature = signature
        self.signature_view.set_signature(signature)
        self.signed_by.setText(signed_by)
        self.signed_by.setVisible(bool(signed_by))
        self.summary.setText(summary)
        say(self.error, "")
        self.back_to_patient_button.hide()
        self.pin.show()
        self.pin.prepare()

    def checked_witness(self) -> tuple[bool, str | None]:
        """(True, the name or None) when the witness's name can be stored; else (False, None)
        with the message under the field and the PIN forgotten. Checked before the PIN, so a
        typo in the witness's name costs no PIN try."""
        try:
            witness = clean_text(self.witness_field.text(), "witness_name", max_length=MAX_WITNESS_NAME,
                                 label="witness's name")
        except ValidationError as error:
            say(self.witness_error, error.errors["witness_name"])
            self.pin.pin_entry.clear()
            self.witness_field.setFocus()
            return False, None
        say(self.witness_error, "")
        return True, witness

    def show_refusal(self, summary: str) -> None:
        """The service refused the form: say why; the way on is back to the patient."""
        say(self.error, f"Not stored: {summary} Give the tablet back to the patient to correct it.")
        self.pin.hide()
        self.back_to_patient_button.show()
