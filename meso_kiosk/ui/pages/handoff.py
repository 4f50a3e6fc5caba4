"""Patient hand-off: the patient, holding the tablet, reads and signs their own consent.

A sequence of calm panels in large type, one thing each:

1. language (the patient's preferred one first);
2. name and date of birth (``ConsentService.check_identity``); a mismatch pauses on
   "please give the tablet back" until a consultant types their PIN;
3. the whole consent text, checklist ticks and the photo question in place, and an
   optional question for the consultant; "Continue" opens only at the end of the text;
4. the signature (the sentence it means, the pad, the printed name);
5. "please give the tablet back";
6. the consultant adds a witness's name if there was one, and countersigns with their PIN:
   ``ConsentService.sign`` stores it all;
7. done.

The window shows nothing else meanwhile (``MainWindow.enter_handoff``). A small
"Consultant" button in the header leads to a PIN panel that ends the hand-off
(``exit_confirmed``). The patient's panels use the words of the template's language
(its ``[screen]`` table); the consultant's panels are in the clinic's words.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLineEdit, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from ...domain.clock import Clock
from ...domain.consent import SignedConsent, validate_answers
from ...domain.consent_parties import WhoSigns
from ...domain.consent_template import ConsentTemplate
from ...domain.signature import SignatureStrokes
from ...domain.errors import ValidationError
from ...domain.patient import Patient
from ...services.accounts import AccountService, PinPurpose
from ...services.consent import ConsentFormError, ConsentService
from ...services.printable import unprintable_fields
from ..widgets.basics import button, discard, label, scrolling
from ..widgets.consultant_pin import ConsultantPin, CurrentConsultant
from ..widgets.signature_pad import SignaturePad
from .handoff_countersign import CountersignPanel
from .handoff_parties import ExtraPartiesPanel, GuardianPanel, RefusedPanel
from .handoff_read import SIDE_BY_SIDE_FROM, ReadPanel, big_button, panel_column

class HandoffPage(QWidget):
    """The screen the patient holds. ``start(patient)`` begins; ``exit_confirmed`` ends it.

    ``signed(record)`` is emitted once the consent is stored. ``current_consultant``
    gives the consultant signed in (who countersigns), or None to let them choose.
    """

    exit_confirmed = Signal()
    signed = Signal(object)

    LANGUAGE, IDENTITY, PAUSED, READ, SIGN, HAND_BACK, COUNTERSIGN, DONE, EXIT = range(9)
    GUARDIAN, PARTIES, REFUSED = 9, 10, 11  # who signs beside the patient (handoff_parties)

    def __init__(self, consents: ConsentService, accounts: AccountService, clock: Clock,
                 current_consultant: CurrentConsultant = lambda: None, parent: QWidget | None = None):
        super().__init__(parent)
        self._consents = consents
        self._accounts = accounts
        self._clock = clock
        self._current_consultant = current_consultant
        self.patient: Patient | None = None
        self.template: ConsentTemplate | None = None
        self.signature: SignatureStrokes | None = None
        self.signature_png: bytes | None = None
        self.signed_at = clock.now_utc()  # when the patient pressed Sign (set then)
        self.record: SignedConsent | None = None
        self._before_exit = self.LANGUAGE
        self._return_to = self.READ  # where "Give the tablet back" goes: the text, or the signature
        self.setAccessibleName("Patient hand-off")

        # header: the patient's own name, in the patient's colours
        header = QFrame()
        header.setProperty("role", "handoff-header")
        self.header_title = label("", "handoff-title")
        self.header_title.setAccessibleName("Whose consent this is")
        self.consultant_button = button("Consultant", "Consultant: take the tablet back (needs your PIN)")
        self.consultant_button.setProperty("role", "handoff-consultant")
        self.consultant_button.setAutoDefault(False)
        self.header_layout = QHBoxLayout(header)  # the text size's "A+" joins it (text_size_choice)
        self.header_layout.setContentsMargins(24, 14, 16, 14)
        self.header_layout.setSpacing(12)
        self.header_layout.addWidget(self.header_title, 1)
        self.header_layout.addWidget(self.consultant_button)

        self.stack = QStackedWidget()
        self._build_language()
        self._build_identity()
        self._build_paused()
        self.read = ReadPanel()
        self.stack.addWidget(self.read)
        self._build_sign()
        self._build_hand_back()
        self.countersign = CountersignPanel(self._accounts, self._current_consultant)
        self.stack.addWidget(scrolling(self.countersign))
        self._build_done()
        self._build_exit()
        self.who: WhoSigns | None = None
        self.guardian = GuardianPanel()
        self.extra_parties = ExtraPartiesPanel(self._consents.interpreter_languages())
        self.refused = RefusedPanel()
        for panel in (self.guardian, self.extra_parties, self.refused):
            self.stack.addWidget(scrolling(panel))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.stack, 1)
        self._connect_signals()

    # ------------------------------------------------------------ panels

    def _build_language(self) -> None:
        self.language_title = label("Choose your language", "patient-title")
        self.language_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.language_box = QVBoxLayout()
        self.language_box.setSpacing(16)
        self.language_buttons: dict[str, QPushButton] = {}
        body, column = panel_column(self.language_title)
        column.addLayout(self.language_box)
        column.addStretch(1)
        self.stack.addWidget(scrolling(body))

    def _build_identity(self) -> None:
        self.identity_title = label("", "patient-title")
        self.name_label = label("", "patient-heading")
        self.name_field = QLineEdit()
        self.name_field.setProperty("role", "patient-field")
        self.name_field.setMaxLength(200)
        self.name_field.setInputMethodHints(Qt.InputMethodHint.ImhNoPredictiveText)
        self.dob_label = label("", "patient-heading")
        self.dob_hint = label("", "patient-hint-muted")
        self.dob_field = QLineEdit()
        self.dob_field.setProperty("role", "patient-field")
        self.dob_field.setMaxLength(40)
        self.dob_field.setInputMethodHints(Qt.InputMethodHint.ImhPreferNumbers)
        self.identity_button = big_button("", "Continue after name and date of birth")
        self.identity_button.setEnabled(False)
        body, column = panel_column(self.identity_title, self.name_label, self.name_field, self.dob_label,
                               self.dob_hint, self.dob_field)
        column.addSpacing(8)
        column.addWidget(self.identity_button, 0, Qt.AlignmentFlag.AlignRight)
        column.addStretch(1)
        self.stack.addWidget(scrolling(body))

    def _build_paused(self) -> None:
        self.paused_text = label("", "patient-title")
        self.paused_text.setAccessibleName("Paused")
        self.paused_sub = label("", "patient-text")
        self.paused_pin = ConsultantPin(self._accounts, self._current_consultant, "Consultant PIN to continue")
        self.paused_choice = QWidget()
        self.retry_button = button("Let the patient try again", "Let the patient type their details again",
                                   primary=True)
        self.paused_exit_button = button("End the hand-off", "End the hand-off and return to the consultation")
        choice_row = QHBoxLayout(self.paused_choice)
        choice_row.setContentsMargins(0, 0, 0, 0)
        choice_row.setSpacing(16)
        choice_row.addWidget(self.paused_exit_button)
        choice_row.addStretch(1)
        choice_row.addWidget(self.retry_button)
        self.paused_for_consultant = label(
            "For the consultant: the name or date of birth typed does not match this patient's record. "
            "Type your PIN to continue.", "muted")
        body, column = panel_column(self.paused_text, self.paused_sub, self.paused_for_consultant, self.paused_pin,
                               self.paused_choice)
        column.addStretch(1)
        self.stack.addWidget(scrolling(body))

    def _build_sign(self) -> None:
        self.sign_title = label("", "patient-title")
        self.meaning = label("", "patient-meaning")
        self.pad = SignaturePad("Patient signature")
        self.pad.setMinimumHeight(340)
        self.pad.setMaximumHeight(440)  # a signature is wide, not tall (portrait tablets)
        self.sign_back_button = button("‹", "Back to the consent text")
        self.sign_back_button.setAutoDefault(False)
        self.sign_button = big_button("", "Agree and sign")
        actions = QHBoxLayout()
        actions.addWidget(self.sign_back_button)
        actions.addStretch(1)
        actions.addWidget(self.sign_button)
        body, column = panel_column(self.sign_title, self.meaning, spacing=12)
        column.addWidget(self.pad)
        column.addSpacing(8)
        column.addLayout(actions)
        column.addStretch(1)
        self.stack.addWidget(scrolling(body))

    def _build_hand_back(self) -> None:
        self.thank_you = label("", "patient-title")
        self.thank_you.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hand_back_button = button("Consultant: check and countersign", "Consultant: check and countersign",
                                       primary=True)
        body, column = panel_column(self.thank_you)
        column.addSpacing(24)
        column.addWidget(self.hand_back_button, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(1)
        self.stack.addWidget(scrolling(body))

    def _build_done(self) -> None:
        self.done_title = label("✓ Consent signed and stored", "heading")
        self.done_text = label("", None)
        self.done_button = button("Back to the consultation", "Back to the consultation", primary=True)
        body, column = panel_column(self.done_title, self.done_text)
        column.addWidget(self.done_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addStretch(1)
        self.stack.addWidget(scrolling(body))

    def _build_exit(self) -> None:
        self.exit_title = label("Take the tablet back", "heading")
        self.exit_text = label("Type your PIN to end the hand-off and return to the consultation. "
                               "Nothing the patient has not signed is stored.", None)
        self.exit_pin = ConsultantPin(self._accounts, self._current_consultant, "Consultant PIN to end the hand-off")
        self.exit_cancel_button = button("Cancel: back to the patient", "Cancel and go back to the patient")
        self.exit_cancel_button.setAutoDefault(False)
        body, column = panel_column(self.exit_title, self.exit_text, self.exit_pin)
        column.addWidget(self.exit_cancel_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addStretch(1)
        self.stack.addWidget(scrolling(body))

    def _connect_signals(self) -> None:
        self.consultant_button.clicked.connect(self._on_consultant_button_clicked)
        self.name_field.textChanged.connect(self._on_identity_field_changed)
        self.dob_field.textChanged.connect(self._on_identity_field_changed)
        self.name_field.returnPressed.connect(self._on_identity_button_clicked)
        self.dob_field.returnPressed.connect(self._on_identity_button_clicked)
        self.identity_button.clicked.connect(self._on_identity_button_clicked)
        self.paused_pin.submitted.connect(self._on_paused_pin_submitted)
        self.retry_button.clicked.connect(self._on_retry_button_clicked)
        self.paused_exit_button.clicked.connect(self.exit_confirmed)
        self.read.continue_requested.connect(self._on_read_continue_requested)
        self.sign_back_button.clicked.connect(self._on_sign_back_button_clicked)
        self.sign_button.clicked.connect(self._on_sign_button_clicked)
        self.hand_back_button.clicked.connect(self._on_hand_back_button_clicked)
        self.countersign.back_to_patient_button.clicked.connect(self._on_countersign_back_to_patient_button_clicked)
        self.countersign.pin.submitted.connect(self._on_countersign_pin_submitted)
        self.done_button.clicked.connect(self.exit_confirmed)
        self.exit_pin.submitted.connect(self._on_exit_pin_submitted)
        self.exit_cancel_button.clicked.connect(self._on_exit_cancel_button_clicked)
        self.guardian.signed.connect(self._on_guardian_signed)
        self.countersign.parties_button.clicked.connect(self._on_parties_button_clicked)
        self.extra_parties.done.connect(self._on_extra_parties_done)
        self.refused.back_button.clicked.connect(self.exit_confirmed)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        wide = self.width() >= SIDE_BY_SIDE_FROM
        self.countersign.set_side_by_side(wide)

    # ------------------------------------------------------------ the flow

    def start(self, patient: Patient) -> None:
        """Begin a fresh hand-off for ``patient``: nothing of an earlier one is kept."""
        self.patient = patient
        self.template = None
        self.signature = None
        self.signature_png = None
        self.record = None
        self.name_field.clear()
        self.dob_field.clear()
        self.countersign.clear()
        self.pad.clear()
        self.guardian.clear()
        self.extra_parties.clear()
        self.who = self._consents.who_signs(patient.id)
        preferred = self._consents.language_for(patient)
        self._show_language_choice(preferred)
        self._set_header(self._consents.template_for(preferred))
        self.consultant_button.show()
        if self.who.refusal:  # too young for this clinic: the consultant reads why, before handing over
            self.refused.text.setText(self.who.refusal)
            self.go_to(self.REFUSED)
            return
        self.go_to(self.LANGUAGE)

    def current_panel(self) -> int:
        return self.stack.currentIndex()

    def go_to(self, panel: int) -> None:
        self.stack.setCurrentIndex(panel)
        focus = {
            self.IDENTITY: self.name_field,
            self.PAUSED: self.paused_pin,
            self.COUNTERSIGN: self.countersign.pin,
            self.EXIT: self.exit_pin,
        }.get(panel)
        if isinstance(focus, ConsultantPin):
            focus.focus()
        elif focus is not None:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def _set_header(self, template: ConsentTemplate) -> None:
        """The words the patient sees around every panel, in ``template``'s language."""
        assert self.patient is not None
        self.header_title.setText(template.label("header", name=self.patient.display_name))
        self.consultant_button.setText(template.label("consultant_button"))
        self.language_title.setText(template.label("choose_language"))
        self.hand_back_button.setText(template.label("hand_back_button"))

    def _show_language_choice(self, preferred: str) -> None:
        discard(self.language_buttons.values(), self.language_box)
        self.language_buttons.clear()
        for language in self._consents.languages(preferred):
            choice = button(language.name, f"Language: {language.name}")
            choice.setProperty("role", "patient-choice")
            choice.setAutoDefault(False)
            choice.clicked.connect(lambda _checked=False, code=language.code: self.choose_language(code))
            self.language_box.addWidget(choice)
            self.language_buttons[language.code] = choice

    def choose_language(self, code: str) -> None:
        consultant = self._current_consultant()  # hands the tablet over: named as who treats
        template = self._consents.template_for(code, patient_id=self.patient.id,
                                               treated_by=None if consultant is None else consultant.id)
        self.template = template
        self._set_header(template)
        self.identity_title.setText(template.label("identity_title"))
        self.name_label.setText(template.label("name_label"))
        self.name_field.setAccessibleName(template.label("name_label"))
        self.dob_label.setText(template.label("dob_label"))
        self.dob_hint.setText(template.label("dob_hint"))
        self.dob_field.setAccessibleName(template.label("dob_label"))
        self.identity_button.setText(template.label("identity_button"))
        self.identity_button.setAccessibleName(template.label("identity_button"))
        self.paused_text.setText(template.label("identity_mismatch"))
        self.paused_sub.setText(template.label("consultant_needed"))
        self.read.load(template)
        self.sign_title.setText(template.label("sign_title"))
        self.meaning.setText(template.meaning)
        self.sign_button.setText(template.label("sign_button"))
        self.sign_button.setAccessibleName(template.label("sign_button"))
        self.pad.set_words({key: template.label(key) for key in
                            ("clear", "undo", "signature_empty", "signature_too_small", "signature_too_big")})
        self.thank_you.setText(template.label("thank_you"))
        assert self.patient is not None
        self.pad.set_caption(self.patient.display_name)  # the printed name, under the signing line
        self.guardian.load(template, self.patient.display_name, self.who.minimum_age)
        self.sign_back_button.setText(template.label("back_to_text"))
        self.sign_button.setMinimumWidth(self.sign_button.sizeHint().width())  # "I agree and sign" is never cut
        self.go_to(self.IDENTITY)

    # ------------------------------------------------------------ handlers: patient

    def _on_identity_field_changed(self, _text: str) -> None:
        self.identity_button.setEnabled(bool(self.name_field.text().strip() and self.dob_field.text().strip()))

    def _on_identity_button_clicked(self) -> None:
        if self.patient is None or not self.identity_button.isEnabled():
            return
        if self._consents.check_identity(self.patient.id, self.name_field.text(), self.dob_field.text()):
            self.go_to(self.READ)
            return
        self.paused_pin.prepare()
        self.paused_choice.hide()
        self.paused_pin.show()
        self.go_to(self.PAUSED)

    def _on_read_continue_requested(self) -> None:
        errors = self._answer_errors()
        if errors:
            self.read.show_errors(errors)
            return
        self.go_to(self.SIGN)

    def _answer_errors(self) -> dict[str, str]:
        assert self.template is not None
        try:
            validate_answers(self.template, self.read.checklist(), self.read.photo_consent(),
                             self.read.question_text(), reached_end=self.read.reached_end)
        except ValidationError as error:
            return dict(error.errors)
        return unprintable_fields({"question": self.read.question_text()})  # before the patient signs, not after

    def _on_sign_back_button_clicked(self) -> None:
        self.go_to(self.READ)

    def _on_sign_button_clicked(self) -> None:
        strokes = self.pad.accepted_strokes()
        if strokes is None:
            return
        self.signature = strokes
        self.signature_png = self.pad.render_png()
        self.signed_at = self._clock.now_utc()  # shown to the consultant who countersigns
        self.go_to(self.GUARDIAN if self.who is not None and self.who.guardian_needed else self.HAND_BACK)

    def _on_hand_back_button_clicked(self) -> None:
        assert self.template is not None and self.patient is not None
        photo = self.read.photo_consent()
        question = self.read.question_text()
        photo_answer = self.template.photo_question.yes if photo else self.template.photo_question.no
        lines = [
            f"{self.patient.display_name} read the consent in {self.template.label('language_name')} "
            f"(version {self.template.version}), ticked {len(self.read.checklist())} of {len(self.read.rows)} "
            "side effects and signed.",
            f"Photos: {photo_answer}",
            f"Question for you: {question}" if question else "No question for you.",
            "Type your PIN to countersign. The consent is stored once your PIN is accepted.",
        ]
        signed_by = f"Signed by {self.patient.display_name}, {self._clock.format_local(self.signed_at)}"
        self.countersign.prepare("\n".join(lines[:-1] + self._party_lines() + lines[-1:]), self.signature, signed_by)
        self.go_to(self.COUNTERSIGN)

    # ------------------------------------------------------------ handlers: who signs beside the patient

    def _on_guardian_signed(self) -> None:
        self.go_to(self.HAND_BACK)

    def _on_parties_button_clicked(self) -> None:
        self.go_to(self.PARTIES)

    def _on_extra_parties_done(self) -> None:
        witness = next((p["name"] for p in self.extra_parties.parties() if p["role"] == "witness"), None)
        if witness is not None:  # the witness who signs is the record's witness
            self.countersign.witness_field.setText(witness)
        self.countersign.witness_field.setReadOnly(witness is not None)
        self._on_hand_back_button_clicked()

    def _parties(self) -> list[dict]:
        guardian = self.guardian.party() if self.who is not None and self.who.guardian_needed else None
        return ([guardian] if guardian else []) + self.extra_parties.parties()

    def _party_lines(self) -> list[str]:
        guardian = self.guardian.party() if self.who is not None and self.who.guardian_needed else None
        lines = [f"Aged {self.who.age}: this is their assent. Consent given by {guardian['name']} "
                 f"({guardian['relationship']}), who signed after them."] if guardian else []
        return lines + [line for line in [self.extra_parties.summary()] if line]

    # ------------------------------------------------------------ handlers: consultant

    def _on_paused_pin_submitted(self, consultant_id: int, pin: str) -> None:
        check = self._accounts.verify_pin(consultant_id, pin, PinPurpose.HANDOFF_EXIT)
        if not check.ok:
            self.paused_pin.show_error(check.message)
            return
        self.paused_pin.hide()
        self.paused_choice.show()
        self.retry_button.setFocus()

    def _on_retry_button_clicked(self) -> None:
        self.name_field.clear()
        self.dob_field.clear()
        self.go_to(self.IDENTITY)

    def _on_countersign_pin_submitted(self, consultant_id: int, pin: str) -> None:
        assert self.template is not None and self.patient is not None and self.signature is not None
        ok, witness = self.countersign.checked_witness()
        if not ok:
            return
        try:
            record = self._consents.sign(
                self.patient.id, language=self.template.language, version=self.template.version,
                shown_text_sha256=self.read.shown_text_sha256(), checklist=self.read.checklist(),
                photo_consent=self.read.photo_consent(), signature=self.signature,
                consultant_id=consultant_id, consultant_pin=pin, question=self.read.question_text(),
                reached_end=self.read.reached_end, signature_png=self.signature_png, witness_name=witness,
                treated_by=self.read.treated_by(), parties=self._parties(),
            )
        except ConsentFormError as error:
            self._show_sign_errors(error.errors, error.signature_code)
            return
        except ValidationError as error:  # the PIN (PinRejectedError) or another single field
            message = error.errors.get("consultant_pin") or next(iter(error.errors.values()))
            self.countersign.pin.show_error(message)
            return
        self.record = record
        witnessed = f", witnessed by {record.witness_name}" if record.witness_name else ""
        self.done_text.setText(
            f"Signed by {record.printed_name} on {self._clock.format_local(record.signed_at)}, "
            f"countersigned by {record.countersignature.consultant_name}{witnessed}. Sessions can now be recorded.")
        self.consultant_button.hide()
        self.go_to(self.DONE)
        self.signed.emit(record)

    def _show_sign_errors(self, errors: dict[str, str], signature_code: str | None) -> None:
        """Patient-side problems go back to the patient, shown next to the part to fix."""
        if "consultant_pin" in errors and len(errors) == 1:
            self.countersign.pin.show_error(errors["consultant_pin"])
            return
        patient_side = {k: v for k, v in errors.items() if k not in ("consultant_pin", "signature", "signature_png",
                                                                     "printed_name", "age")
                        and not k.startswith("parties")}
        self._return_to = self.READ if patient_side else self.SIGN
        if any(key.startswith("parties.guardian") for key in errors) and not patient_side:
            self.guardian.show_errors(errors)
            self._return_to = self.GUARDIAN
        self.extra_parties.show_errors(errors)
        if patient_side:
            self.read.show_errors(patient_side)
        if "signature" in errors or "signature_png" in errors:
            self.pad.show_message(self.pad.words_for(signature_code or "invalid"))
        summary = "; ".join(errors.values())
        self.countersign.show_refusal(summary)

    def _on_countersign_back_to_patient_button_clicked(self) -> None:
        self.go_to(self._return_to)

    def _on_consultant_button_clicked(self) -> None:
        if self.current_panel() != self.EXIT:
            self._before_exit = self.current_panel()
        self.exit_pin.prepare()
        self.go_to(self.EXIT)

    def _on_exit_pin_submitted(self, consultant_id: int, pin: str) -> None:
        check = self._accounts.verify_pin(consultant_id, pin, PinPurpose.HANDOFF_EXIT)
        if not check.ok:
            self.exit_pin.show_error(check.message)
            return
        self.exit_pin.pin_entry.clear()
        self.exit_confirmed.emit()

    def _on_exit_cancel_button_clicked(self) -> None:
        self.go_to(self._before_exit)
