"""The guardian's part of a withdrawal made in person by a patient under the clinic's minimum age.

The young person signs the withdrawal; their parent or guardian gives their name, how they are
related and signs too, on their own pad (as at the consent's hand-off). The consultant's screen,
so in English. ``collected()`` gives the mapping ``ConsentService.withdraw(parties=…)`` takes;
the service checks it again.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from ...domain.consent_parties import MAX_PARTY_NAME, MAX_RELATIONSHIP, RELATIONSHIPS, WhoSigns, clean_person_name
from ...domain.errors import ValidationError
from ...domain.text import clean_text
from ..widgets.basics import label
from ..widgets.signature_pad import SignaturePad


def _say(widget, text: str) -> None:
    widget.setText(text)
    widget.setVisible(bool(text))


class WithdrawGuardian(QWidget):
    """Name, relationship and signature of the parent or guardian who signs a minor's withdrawal
    with them, when one is there: a withdrawal is never refused for want of a guardian."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = label("If a parent or guardian is here, they sign too", "subheading-small")
        self.intro = label("", None)
        self.name_label = label("Parent or guardian's full name", "subheading-small")
        self.name_field = QLineEdit()
        self.name_field.setAccessibleName("Parent or guardian's full name")
        self.name_field.setMaxLength(MAX_PARTY_NAME)
        self.name_error = label("", "error")
        self.relationship_label = label("Relationship to the patient", "subheading-small")
        self.relationship_field = QLineEdit()
        self.relationship_field.setAccessibleName("Parent or guardian's relationship to the patient")
        self.relationship_field.setPlaceholderText("For example: " + ", ".join(RELATIONSHIPS[:4]).lower())
        self.relationship_field.setMaxLength(MAX_RELATIONSHIP)
        self.relationship_error = label("", "error")
        self.pad_label = label("The parent or guardian signs here", "subheading-small")
        self.pad = SignaturePad("Parent or guardian's signature of the withdrawal")
        self.pad.setMinimumHeight(300)
        self.pad.setMaximumHeight(380)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(10)
        for widget in (self.title, self.intro, self.name_label, self.name_field, self.name_error,
                       self.relationship_label, self.relationship_field, self.relationship_error, self.pad_label,
                       self.pad):
            layout.addWidget(widget)
        self.name_field.textChanged.connect(self._on_name_field_text_changed)
        self.relationship_field.textChanged.connect(self._on_relationship_field_text_changed)
        self.name_field.returnPressed.connect(self.relationship_field.setFocus)

    def _on_name_field_text_changed(self, text: str) -> None:
        _say(self.name_error, "")
        self.pad.set_caption(" ".join(text.split()))  # their printed name under the signing line

    def _on_relationship_field_text_changed(self, _text: str) -> None:
        _say(self.relationship_error, "")

    def start(self, who: WhoSigns, patient_name: str) -> None:
        self.intro.setText(f"{patient_name} is {who.age}, under the clinic's minimum age of {who.minimum_age}: "
                           "their parent or guardian signs the withdrawal with them if they are here. Without "
                           "them, leave this empty: the young person's own signature records the withdrawal.")
        self.name_field.clear()
        self.relationship_field.clear()
        self.pad.clear()
        _say(self.name_error, "")
        _say(self.relationship_error, "")

    def is_empty(self) -> bool:
        """Nothing typed or drawn: no guardian is here."""
        return not (self.name_field.text().strip() or self.relationship_field.text().strip()) and self.pad.is_empty()

    def collected(self) -> dict | None:
        """The guardian as ``withdraw(parties=…)`` takes them, or None with messages by the fields."""
        ok = True
        try:
            name = clean_person_name(self.name_field.text(), "name", "parent or guardian's name")
        except ValidationError as error:
            _say(self.name_error, error.errors["name"])
            ok = False
        try:
            relationship = clean_text(self.relationship_field.text(), "relationship", max_length=MAX_RELATIONSHIP,
                                      required=True, label="relationship to the patient")
        except ValidationError as error:
            _say(self.relationship_error, error.errors["relationship"])
            ok = False
        strokes = self.pad.accepted_strokes()  # its own message in the pad when empty or too small
        if strokes is None or not ok:
            return None
        return {"role": "guardian", "name": name, "relationship": relationship, "signature": strokes,
                "signature_png": self.pad.render_png()}

    def show_errors(self, errors: dict[str, str]) -> set[str]:
        """The service refused the guardian's part: each message by its field; the keys shown."""
        shown = set()
        for key, widget in (("parties.guardian.name", self.name_error),
                            ("parties.guardian.relationship", self.relationship_error)):
            if key in errors:
                _say(widget, errors[key])
                shown.add(key)
        for key in ("parties.guardian.signature", "parties.guardian.signature_png"):
            if key in errors:
                self.pad.show_message(errors[key])
                shown.add(key)
        return shown
