"""The hand-off's panels for the people who sign beside the patient.

- ``GuardianPanel``: after a patient under the clinic's minimum age signs (their assent), the
  parent or guardian gives their name, how they are related, and signs; in the template's words.
- ``ExtraPartiesPanel``: the consultant may add a witness and an interpreter (name, language),
  each signing on their own pad, before countersigning; in the clinic's words.
- ``RefusedPanel``: the clinic treats no patient this young; the consultant reads why.

Each gives back what it collected as the mappings ``ConsentService.sign(parties=…)`` takes;
the service checks them again and stores them with the consent.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ...domain.consent_parties import MAX_PARTY_NAME, MAX_RELATIONSHIP, clean_person_name
from ...domain.consent_template import ConsentTemplate
from ...domain.errors import ValidationError
from ...domain.text import clean_text
from ..widgets.basics import button, label
from ..widgets.signature_pad import SignaturePad
from .handoff_read import big_button, panel_column, say

_PAD_WORDS = ("clear", "undo", "signature_empty", "signature_too_small", "signature_too_big")


def _field(accessible_name: str, max_length: int) -> QLineEdit:
    field = QLineEdit()
    field.setProperty("role", "patient-field")
    field.setAccessibleName(accessible_name)
    field.setMaxLength(max_length)
    field.setInputMethodHints(Qt.InputMethodHint.ImhNoPredictiveText)
    return field


def _pad(accessible_name: str) -> SignaturePad:
    pad = SignaturePad(accessible_name)
    pad.setMinimumHeight(300)
    pad.setMaximumHeight(400)
    return pad


def _signed(pad: SignaturePad, role: str, **values: object) -> dict:
    return {"role": role, **values, "signature": pad.strokes(), "signature_png": pad.render_png()}


class GuardianPanel(QWidget):
    """The parent or guardian signs after the young person. ``signed`` once name, relationship
    and signature are acceptable; ``party()`` then gives them."""

    signed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._template: ConsentTemplate | None = None
        self._party: dict | None = None
        self.title = label("", "patient-title")
        self.intro = label("", "patient-text")
        self.name_label = label("", "patient-heading")
        self.name_field = _field("Parent or guardian's full name", MAX_PARTY_NAME)
        self.name_error = label("", "error")
        self.name_error.hide()
        self.relationship_label = label("", "patient-heading")
        self.relationship_hint = label("", "patient-hint-muted")
        self.relationship_field = _field("Relationship to the patient", MAX_RELATIONSHIP)
        self.relationship_error = label("", "error")
        self.relationship_error.hide()
        self.sign_title = label("", "patient-heading")
        self.pad = _pad("Parent or guardian's signature")
        self.sign_button = big_button("", "Parent or guardian: give consent and sign")
        body, column = panel_column(self.title, self.intro, self.name_label, self.name_field, self.name_error,
                                    self.relationship_label, self.relationship_hint, self.relationship_field,
                                    self.relationship_error, self.sign_title, spacing=12)
        column.addWidget(self.pad)
        column.addWidget(self.sign_button, 0, Qt.AlignmentFlag.AlignRight)
        column.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(body)
        self.sign_button.clicked.connect(self._on_sign_button_clicked)
        self.name_field.returnPressed.connect(self.relationship_field.setFocus)
        self.name_field.textChanged.connect(self._on_name_field_text_changed)

    def _on_name_field_text_changed(self, text: str) -> None:
        self.pad.set_caption(" ".join(text.split()))  # their printed name under the signing line

    def clear(self) -> None:
        self._party = None
        self.name_field.clear()
        self.relationship_field.clear()
        self.pad.clear()
        say(self.name_error, "")
        say(self.relationship_error, "")

    def load(self, template: ConsentTemplate, patient_name: str, minimum_age: int) -> None:
        """The panel's words in the template's language, for this patient."""
        self._template = template
        words = {"name": patient_name, "age": str(minimum_age)}
        self.title.setText(template.label("guardian_title"))
        self.intro.setText(template.label("guardian_intro", **words))
        self.name_label.setText(template.label("guardian_name_label"))
        self.name_field.setAccessibleName(template.label("guardian_name_label"))
        self.relationship_label.setText(template.label("guardian_relationship_label", **words))
        self.relationship_field.setAccessibleName(template.label("guardian_relationship_label", **words))
        self.relationship_hint.setText(template.label("guardian_relationship_hint"))
        self.sign_button.setText(template.label("guardian_sign_button"))
        self.sign_title.setText(template.label("sign_title"))
        self.pad.set_words({key: template.label(key) for key in _PAD_WORDS})

    def party(self) -> dict | None:
        return self._party

    def show_errors(self, errors: dict[str, str]) -> None:
        """The service refused the guardian's part: the message by the field it is about."""
        assert self._template is not None
        if "parties.guardian.name" in errors:
            say(self.name_error, self._template.label("guardian_name_invalid"))
        if "parties.guardian.relationship" in errors:
            say(self.relationship_error, self._template.label("guardian_relationship_invalid"))
        if "parties.guardian.signature" in errors:
            self.pad.show_message(self.pad.words_for("invalid"))

    def _on_sign_button_clicked(self) -> None:
        assert self._template is not None
        ok = True
        try:
            name = clean_person_name(self.name_field.text(), "name", "name")
            say(self.name_error, "")
        except ValidationError:
            say(self.name_error, self._template.label("guardian_name_invalid"))
            ok = False
        try:
            relationship = clean_text(self.relationship_field.text(), "relationship", max_length=MAX_RELATIONSHIP,
                                      required=True)
            say(self.relationship_error, "")
        except ValidationError:
            say(self.relationship_error, self._template.label("guardian_relationship_invalid"))
            ok = False
        if self.pad.accepted_strokes() is None or not ok:
            return
        self._party = _signed(self.pad, "guardian", name=name, relationship=relationship)
        self.signed.emit()


class _PartyBox(QWidget):
    """One optional signer on the consultant's panel: a toggle, their name (and language), a pad."""

    def __init__(self, role: str, article: str, languages: tuple[tuple[str, str], ...] = ()):
        super().__init__()
        self.role = role
        words, title = f"{article} {role}", role.capitalize()
        self.toggle = button(f"+ Add {words}", f"Add {words} who signs")
        self.toggle.setCheckable(True)
        self.toggle.setAutoDefault(False)
        self.fields = QWidget()
        self.name_field = QLineEdit()
        self.name_field.setAccessibleName(f"{title}'s full name")
        self.name_field.setPlaceholderText("Full name")
        self.name_field.setMaxLength(MAX_PARTY_NAME)
        self.name_error = label("", "error")
        self.name_error.hide()
        self.language: QComboBox | None = None
        column = QVBoxLayout(self.fields)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addWidget(label(f"{title}'s full name", "subheading-small"))
        column.addWidget(self.name_field)
        column.addWidget(self.name_error)
        if languages:
            self.language = QComboBox()
            self.language.setAccessibleName("Language the interpreter spoke")
            self.language.addItem("Choose the language…", None)
            for code, name in languages:
                self.language.addItem(name, code)
            column.addWidget(label("Language they interpreted into", "subheading-small"))
            column.addWidget(self.language)
        self.language_error = label("", "error")
        self.language_error.hide()
        column.addWidget(self.language_error)
        self.pad = _pad(f"{title}'s signature")
        column.addWidget(self.pad)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.fields)
        self.fields.hide()
        self.toggle.toggled.connect(self._on_toggle_toggled)
        self.name_field.textChanged.connect(self._on_name_field_text_changed)
        if self.language is not None:
            self.language.currentIndexChanged.connect(self._on_language_current_index_changed)

    def _on_name_field_text_changed(self, text: str) -> None:
        say(self.name_error, "")
        self.pad.set_caption(" ".join(text.split()))  # their printed name under the signing line

    def _on_language_current_index_changed(self, _index: int) -> None:
        say(self.language_error, "")

    def _on_toggle_toggled(self, checked: bool) -> None:
        self.fields.setVisible(checked)
        words = self.toggle.text().split(" ", 2)[-1]
        self.toggle.setText(f"− Remove {words}" if checked else f"+ Add {words}")

    def clear(self) -> None:
        self.toggle.setChecked(False)
        self.name_field.clear()
        self.pad.clear()
        if self.language is not None:
            self.language.setCurrentIndex(0)
        say(self.name_error, "")
        say(self.language_error, "")

    def collected(self) -> tuple[bool, dict | None]:
        """(ok, the party or None when not added); messages by the fields at fault."""
        if not self.toggle.isChecked():
            return True, None
        ok = True
        try:
            name = clean_person_name(self.name_field.text(), "name", "full name")
            say(self.name_error, "")
        except ValidationError as error:
            say(self.name_error, error.errors["name"])
            ok = False
        extra = {}
        if self.language is not None:
            extra["language"] = self.language.currentData()
            say(self.language_error, "" if extra["language"] else "Choose the language the interpreter spoke.")
            ok = ok and bool(extra["language"])
        if self.pad.accepted_strokes() is None or not ok:
            return False, None
        return True, _signed(self.pad, self.role, name=name, **extra)

    def show_errors(self, errors: dict[str, str]) -> None:
        prefix = f"parties.{self.role}."
        say(self.name_error, errors.get(prefix + "name", ""))
        say(self.language_error, errors.get(prefix + "language", ""))
        if prefix + "signature" in errors:
            self.pad.show_message(errors[prefix + "signature"])


class ExtraPartiesPanel(QWidget):
    """The consultant's panel: an optional witness and interpreter, then back to countersigning
    (``done``: everything added is acceptable; ``parties()`` gives it)."""

    done = Signal()

    def __init__(self, languages: tuple[tuple[str, str], ...], parent: QWidget | None = None):
        super().__init__(parent)
        self._parties: list[dict] = []
        self.title = label("Witness and interpreter (both optional)", "heading")
        self.intro = label("Add anyone else who signs the consent: a witness who saw the patient sign, an "
                           "interpreter who read the text to them. Each signs on their own box.", None)
        self.witness = _PartyBox("witness", "a")
        self.interpreter = _PartyBox("interpreter", "an", languages)
        self.done_button = button("Done: back to countersigning", "Done: back to countersigning", primary=True)
        body, column = panel_column(self.title, self.intro, self.witness, self.interpreter, spacing=16)
        column.addWidget(self.done_button, 0, Qt.AlignmentFlag.AlignRight)
        column.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(body)
        self.done_button.clicked.connect(self._on_done_button_clicked)

    def clear(self) -> None:
        self._parties = []
        self.witness.clear()
        self.interpreter.clear()

    def parties(self) -> list[dict]:
        return list(self._parties)

    def summary(self) -> str:
        """One line for the countersign panel: who else signs."""
        names = [f"witness {p['name']}" if p["role"] == "witness" else f"interpreter {p['name']}"
                 for p in self._parties]
        return ("Also signing: " + ", ".join(names) + ".") if names else ""

    def show_errors(self, errors: dict[str, str]) -> None:
        self.witness.show_errors(errors)
        self.interpreter.show_errors(errors)

    def _on_done_button_clicked(self) -> None:
        parties, ok = [], True
        for box in (self.witness, self.interpreter):
            box_ok, party = box.collected()
            ok = ok and box_ok
            if party is not None:
                parties.append(party)
        if ok:
            self._parties = parties
            self.done.emit()


class RefusedPanel(QWidget):
    """No consent can be signed for this patient (too young for the clinic): why, and the way out."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = label("No consent can be signed", "heading")
        self.text = label("", None)
        self.text.setAccessibleName("Why no consent can be signed")
        self.back_button: QPushButton = button("Back to the consultation", "Back to the consultation", primary=True)
        body, column = panel_column(self.title, self.text)
        column.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(body)
