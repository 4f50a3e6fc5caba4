"""The Consent step, for the consultant: is there a consent in force, its history, hand-off.

The page says plainly whether the patient has a current signed consent (which
language and version, when, countersigned by whom), that sessions need one, and
offers one primary action: "Hand the tablet to the patient". A withdrawal is recorded
in line (how the patient told us, an optional reason, the patient's signature when
they are here, the consultant's PIN). Every record stays in the history: a
withdrawal or a new signature is a new record; nothing signed ever changes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.clock import Clock
from ...domain.consent import ConsentKind, RecordStatus, SignedConsent, WithdrawalChannel
from ...domain.consent_parties import RELATIONSHIPS, ConsentParty, PartyRole
from ...domain.errors import ValidationError
from ...domain.patient import Patient
from ...services.accounts import AccountService
from ...services.consent import ConsentFormError, ConsentHistoryEntry, ConsentService
from ..widgets.basics import ReflowRow, button, discard, label, restyle, scrolling
from ..widgets.consultant_pin import ConsultantPin, CurrentConsultant
from ..widgets.signature_pad import SignaturePad, SignatureView
from .consent_guardian import WithdrawGuardian
from .step import StepGuard, StepHold, never_blocked, show_as_main_action


STATUS_WORDS = {
    RecordStatus.CURRENT: "✓ In force",
    RecordStatus.SUPERSEDED: "Replaced by a newer consent",
    RecordStatus.WITHDRAWN: "Withdrawn later",
    RecordStatus.WITHDRAWAL: "⚠ Withdrawal in force",
    RecordStatus.WITHDRAWAL_ENDED: "Withdrawal, followed by a new consent",
}
CHANNEL_WORDS = {
    WithdrawalChannel.IN_PERSON: "In person",
    WithdrawalChannel.PHONE: "By phone",
    WithdrawalChannel.EMAIL: "By e-mail",
    WithdrawalChannel.LETTER: "By letter",
}


def _say(widget, text: str) -> None:
    widget.setText(text)
    widget.setVisible(bool(text))


def _card(role: str = "card") -> tuple[QFrame, QVBoxLayout]:
    card = QFrame()
    card.setProperty("role", role)
    layout = QVBoxLayout(card)
    layout.setContentsMargins(20, 16, 20, 16)
    layout.setSpacing(10)
    return card, layout


def parties_words(parties: tuple[ConsentParty, ...], language_name: Callable[[str], str] = str) -> str:
    """Who signed beside the patient: "with Anne Martin (parent or guardian, mother) · witness: Sam
    O'Neil · interpreter: Chen Wei (Chinese)"; empty when nobody did."""
    words = []
    for party in parties:
        if party.role is PartyRole.GUARDIAN:
            relationship = party.relationship or ""
            if relationship in RELATIONSHIPS:  # the offered words read lower case mid-sentence; typed ones as typed
                relationship = relationship.lower()
            words.append(f"with {party.name} (parent or guardian, {relationship})")
        elif party.role is PartyRole.WITNESS:
            words.append(f"witness: {party.name}")
        else:
            words.append(f"interpreter: {party.name} ({language_name(party.language or '')})")
    return " · ".join(words)


def record_summary(record: SignedConsent, clock: Clock, language: str, parties: tuple[ConsentParty, ...] = (),
                   language_name: Callable[[str], str] = str) -> str:
    """One or two lines about a record, in the consultant's words; ``language``: its name ("French");
    ``parties``: who signed beside the patient, their languages named by ``language_name``."""
    when = clock.format_local(record.signed_at)
    who = record.countersignature.consultant_name or "a consultant"
    beside = parties_words(parties, language_name)
    if record.kind is ConsentKind.WITHDRAWAL:
        channel = CHANNEL_WORDS.get(record.withdrawal_channel, "") if record.withdrawal_channel else ""
        text = f"Withdrawn on {when} · {channel} · " + (f"signed by {record.printed_name} {beside} · "
                                                        if beside else "") + f"recorded by {who}"
        if record.withdrawal_reason:
            text += f"\nReason: {record.withdrawal_reason}"
        return text
    photos = {True: "yes", False: "no", None: "not asked"}[record.photo_consent]
    guardian = next((party for party in parties if party.role is PartyRole.GUARDIAN), None)
    assent = f" (assent, aged {guardian.patient_age})" if guardian and guardian.patient_age is not None else ""
    text = f"Signed on {when} by {record.printed_name}{assent}" + (f" {beside}" if beside else "")
    if record.witness_name and not any(party.role is PartyRole.WITNESS for party in parties):
        text += f" · witness: {record.witness_name}"  # named only, before witnesses signed
    text += (f" · {language}, version {record.template_version} · countersigned by {who} · "
             f"photos: {photos}")
    question = record.answers.question_for_consultant if record.answers else None
    if question:
        text += f"\nQuestion for the consultant: {question}"
    return text


class HistoryRow(QFrame):
    """One record of the patient's consent history."""

    def __init__(self, entry: ConsentHistoryEntry, clock: Clock, language: str, parent: QWidget | None = None, *,
                 parties: tuple[ConsentParty, ...] = (), language_name: Callable[[str], str] = str):
        super().__init__(parent)
        record = entry.record
        self.setProperty("role", f"consent-history-{entry.status.value}")
        kind = "Consent" if record.kind is ConsentKind.CONSENT else "Withdrawal"
        self.title = label(f"{kind} · {STATUS_WORDS[entry.status]}", "subheading-small")
        self.detail = label(record_summary(record, clock, language, parties, language_name), "timeline-detail")
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.title)
        words.addWidget(self.detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(16)
        layout.addLayout(words, 1)
        if record.patient_signature is not None:
            view = SignatureView(record.patient_signature, f"Signature of {record.printed_name}")
            view.setFixedSize(180, 64)
            layout.addWidget(view, 0, Qt.AlignmentFlag.AlignVCenter)
        self.setAccessibleName(f"{kind}: {STATUS_WORDS[entry.status]}")


class WithdrawPanel(QFrame):
    """Record that the patient withdraws their consent: how, why, their signature if here, a PIN."""

    withdrawn = Signal(object)  # the stored withdrawal record
    cancelled = Signal()

    def __init__(self, consents: ConsentService, accounts: AccountService, current_consultant: CurrentConsultant,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._consents = consents
        self.patient: Patient | None = None
        self.setProperty("role", "finding-warn")
        self.title = label("Record a withdrawal of consent", "subheading-small")
        self.intro = label("The patient no longer consents to treatment. No further session can be recorded until "
                           "they sign a new consent. Sessions already done stay in the record.", None)
        self.channel_label = label("How did the patient tell us?", "subheading-small")
        self.channel_group = QButtonGroup(self)
        self.channel_buttons: dict[WithdrawalChannel, QPushButton] = {}
        channels = QHBoxLayout()
        channels.setSpacing(8)
        for index, channel in enumerate(WithdrawalChannel):
            choice = button(CHANNEL_WORDS[channel], f"Withdrawal told {CHANNEL_WORDS[channel].lower()}",
                            role="toggle")
            choice.setCheckable(True)
            choice.setAutoDefault(False)
            self.channel_group.addButton(choice, index)
            self.channel_buttons[channel] = choice
            channels.addWidget(choice)
        self.channel_error = label("", "error")
        self.reason_label = label("Reason (optional, in the patient's words)", "subheading-small")
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Reason for the withdrawal")
        self.reason.setFixedHeight(96)
        self.reason_error = label("", "error")
        self.pad_label = label("The patient signs here", "subheading-small")
        self.pad = SignaturePad("Patient's signature of the withdrawal")
        self.pad.setMinimumHeight(300)
        self.pad.setMaximumHeight(380)
        self.guardian = WithdrawGuardian()  # in person, under the clinic's minimum age
        self._guardian_needed = False
        self.pin_label = label("Confirm with your PIN", "subheading-small")
        self.pin = ConsultantPin(accounts, current_consultant, "Consultant PIN to record the withdrawal")
        self.banner = label("", "banner-error")
        self.cancel_button = button("Cancel", "Cancel the withdrawal")
        self.cancel_button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        for widget in (self.title, self.intro, self.banner, self.channel_label):
            layout.addWidget(widget)
        layout.addLayout(channels)
        for widget in (self.channel_error, self.reason_label, self.reason, self.reason_error, self.pad_label, self.pad,
                       self.guardian, self.pin_label, self.pin):
            layout.addWidget(widget)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.channel_group.idToggled.connect(self._on_channel_group_id_toggled)
        self.pin.submitted.connect(self._on_pin_submitted)
        self.cancel_button.clicked.connect(self.cancelled)

    def start(self, patient: Patient) -> None:
        self.patient = patient
        checked = self.channel_group.checkedButton()
        if checked is not None:
            self.channel_group.setExclusive(False)
            checked.setChecked(False)
            self.channel_group.setExclusive(True)
        self.reason.clear()
        self.pad.clear()
        self.pad.set_caption(patient.display_name)
        who = self._consents.who_signs(patient.id)
        self._guardian_needed = who.guardian_needed
        self.guardian.start(who, patient.display_name)
        for widget in (self.channel_error, self.reason_error, self.banner):
            _say(widget, "")
        self.pin.prepare()
        self._show_pad(False)

    def channel(self) -> WithdrawalChannel | None:
        for channel, choice in self.channel_buttons.items():
            if choice.isChecked():
                return channel
        return None

    def _show_pad(self, shown: bool) -> None:
        self.pad_label.setVisible(shown)
        self.pad.setVisible(shown)
        self.guardian.setVisible(shown and self._guardian_needed)  # by phone, e-mail or letter nobody signs

    def _on_channel_group_id_toggled(self, _id: int, _checked: bool) -> None:
        self._show_pad(self.channel() is WithdrawalChannel.IN_PERSON)
        if self.channel() is not None:
            _say(self.channel_error, "")

    def _on_pin_submitted(self, consultant_id: int, pin: str) -> None:
        assert self.patient is not None
        for widget in (self.channel_error, self.reason_error, self.banner):
            _say(widget, "")
        channel = self.channel()
        if channel is None:
            _say(self.channel_error, "Choose how the patient told us.")
            self.pin.pin_entry.clear()
            return
        in_person = channel is WithdrawalChannel.IN_PERSON
        signature = png = None
        parties = []
        if in_person:
            signature = self.pad.accepted_strokes()
            # A young person may always withdraw; a guardian who is here signs with them.
            guardian_here = self._guardian_needed and not self.guardian.is_empty()
            guardian = self.guardian.collected() if guardian_here else None
            if signature is None or (guardian_here and guardian is None):
                self.pin.pin_entry.clear()  # each message is by its field or pad
                return
            png = self.pad.render_png()
            parties = [guardian] if guardian else []
        try:
            record = self._consents.withdraw(
                self.patient.id, channel=channel, consultant_id=consultant_id, consultant_pin=pin,
                reason=self.reason.toPlainText().strip() or None, signature=signature, signature_png=png,
                parties=parties,
            )
        except ConsentFormError as error:
            self._show_errors(error.errors, error.signature_code)
            self.pin.pin_entry.clear()
            return
        except ValidationError as error:
            if "consultant_pin" in error.errors:
                self.pin.show_error(error.errors["consultant_pin"])
            else:
                self._show_errors(error.errors, None)
                self.pin.pin_entry.clear()
            return
        self.withdrawn.emit(record)

    def _show_errors(self, errors: dict[str, str], signature_code: str | None) -> None:
        shown = set()
        if "channel" in errors:
            _say(self.channel_error, errors["channel"])
            shown.add("channel")
        if "reason" in errors:
            _say(self.reason_error, errors["reason"])
            shown.add("reason")
        if "signature" in errors:
            self.pad.show_message(self.pad.words_for(signature_code or "invalid"))
            shown.add("signature")
        shown |= self.guardian.show_errors(errors)
        rest = [message for key, message in errors.items() if key not in shown]
        _say(self.banner, " ".join(rest))


class ConsentPage(QWidget):
    """The Consent step. ``handoff_requested(patient)`` asks the window to hand the tablet over."""

    handoff_requested = Signal(object)

    def __init__(self, consents: ConsentService, accounts: AccountService, clock: Clock,
                 current_consultant: CurrentConsultant = lambda: None, parent: QWidget | None = None, *,
                 guard: StepGuard = never_blocked):
        super().__init__(parent)
        self._guard = guard  # an intake stop holds the consent back
        self._consents = consents
        self._clock = clock
        self.patient: Patient | None = None
        self.history: list[ConsentHistoryEntry] = []

        self.title = label("Consent", "heading")
        self.explain = label(
            "The patient reads the consent on this tablet, ticks each side effect and signs it; you countersign "
            "with your PIN. Treatment sessions cannot be recorded without a current signed consent. A withdrawal "
            "or a new signature is added as a new record: nothing signed is ever changed.", "muted")

        self.status_card = self._build_status_card()
        actions = self._build_actions(consents, accounts, current_consultant)

        self.history_title = label("History", "subheading")
        self.history_empty = label("No consent has been signed by this patient yet.", "muted")
        self.history_box = QVBoxLayout()
        self.history_box.setSpacing(8)
        self.history_rows: list[HistoryRow] = []

        body = QWidget()
        self.columns = QBoxLayout(QBoxLayout.Direction.TopToBottom, body)
        self.columns.setContentsMargins(32, 16, 32, 24)
        self.columns.setSpacing(16)
        for widget in (self.title, self.explain, self.status_card):
            self.columns.addWidget(widget)
        self.columns.addLayout(actions)
        for widget in (self.handoff_hint, self.saved, self.withdraw_panel, self.history_title, self.history_empty):
            self.columns.addWidget(widget)
        self.columns.addLayout(self.history_box)
        self.columns.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.scroll = scrolling(body)
        layout.addWidget(self.scroll)
        self._connect_signals()

    def _build_status_card(self) -> QFrame:
        """Whether a consent is in force, what it says, and its signature."""
        card, status_layout = _card("consent-status")
        self.status_title = label("", "subheading")
        self.status_title.setAccessibleName("Consent status")
        self.status_detail = label("", None)
        self.status_note = label("", "warning")
        self.status_signature = SignatureView(None, "Signature of the consent in force")
        self.status_signature.setFixedSize(260, 90)
        status_words = QVBoxLayout()
        status_words.setSpacing(8)
        status_words.addWidget(self.status_title)
        status_words.addWidget(self.status_detail)
        status_words.addWidget(self.status_note)
        status_row = QHBoxLayout()
        status_row.setSpacing(16)
        status_row.addLayout(status_words, 1)
        status_row.addWidget(self.status_signature, 0, Qt.AlignmentFlag.AlignTop)
        status_layout.addLayout(status_row)
        return card

    def _build_actions(self, consents: ConsentService, accounts: AccountService,
                       current_consultant: CurrentConsultant) -> QHBoxLayout:
        """Hand the tablet over (the primary action) or record a withdrawal, in line."""
        self.handoff_button = button("Hand the tablet to the patient", "Hand the tablet to the patient to sign the "
                                     "consent", primary=True)
        self.handoff_button.setProperty("emphasis", "large")
        self.handoff_hint = label("The screen then shows only this patient's consent. Taking the tablet back needs "
                                  "your PIN.", "muted")
        self.withdraw_button = button("Record a withdrawal…", "Record that the patient withdraws their consent")
        self.withdraw_button.setAutoDefault(False)
        self.saved = label("", "saved")
        self.saved.hide()
        self.withdraw_panel = WithdrawPanel(consents, accounts, current_consultant)
        self.withdraw_panel.hide()
        actions = QHBoxLayout()
        actions.addWidget(ReflowRow(self.handoff_button, self.withdraw_button), 1)  # one under the other in portrait
        return actions

    def _connect_signals(self) -> None:
        self.handoff_button.clicked.connect(self._on_handoff_button_clicked)
        self.withdraw_button.clicked.connect(self._on_withdraw_button_clicked)
        self.withdraw_panel.withdrawn.connect(self._on_withdraw_panel_withdrawn)
        self.withdraw_panel.cancelled.connect(self._on_withdraw_panel_cancelled)

    # ------------------------------------------------------------ showing

    def show_patient(self, patient: Patient) -> None:
        self.patient = patient
        self.withdraw_panel.hide()
        self.saved.hide()
        self.refresh()

    def flush(self) -> None:
        """Nothing waits: a withdrawal is stored by its PIN, a consent by the hand-off."""

    def blocked_reason(self) -> StepHold | None:
        return self._guard(self.patient) if self.patient is not None else None

    def show_progress(self, done: bool) -> None:
        """A consent in force: signing again is a secondary action (going on is the main one);
        none, or one the clinic asks to sign again: handing the tablet over is the main action."""
        show_as_main_action(self.handoff_button, not done)

    def refresh(self) -> None:
        """Re-read the consents (a hand-off may have signed one meanwhile)."""
        if self.patient is None:
            return
        pid = self.patient.id
        self.history = self._consents.history(pid)
        current = self._consents.current(pid)
        latest = self.history[0].record if self.history else None
        self._show_status(current, latest)
        self._show_history()

    def _show_status(self, current: SignedConsent | None, latest: SignedConsent | None) -> None:
        note = ""
        if current is not None:
            self.status_card.setProperty("state", "ok")
            self.status_title.setText("✓ Signed consent in force: sessions can be recorded")
            self.status_detail.setText(self._summary(current))
            self.status_signature.set_signature(current.patient_signature)
            self.status_signature.show()
            self.handoff_button.setText("Hand to patient to sign again")
            self.handoff_button.setAccessibleName("Hand the tablet to the patient to sign a new consent")
            self.withdraw_button.show()
            note = self._held_note(current)
        else:
            self.status_card.setProperty("state", "missing")
            self.withdraw_button.hide()
            self.status_signature.hide()
            self.handoff_button.setText("Hand the tablet to the patient")
            self.handoff_button.setAccessibleName("Hand the tablet to the patient to sign the consent")
            if latest is not None and latest.kind is ConsentKind.WITHDRAWAL:
                self.status_title.setText("⚠ Consent withdrawn: no session can be recorded")
                self.status_detail.setText(self._summary(latest)
                                           + "\nA new consent must be signed before any further session.")
            else:
                self.status_title.setText("⚠ No signed consent: no session can be recorded yet")
                self.status_detail.setText("Hand the tablet to the patient to read and sign the consent before "
                                           "the first session.")
        _say(self.status_note, note)
        restyle(self.status_card)

    def _summary(self, record: SignedConsent) -> str:
        """The record's lines, with who signed beside the patient."""
        consents = self._consents
        return record_summary(record, self._clock, consents.language_name(record.language),
                              consents.parties(record.id), consents.language_name)

    def _held_note(self, current: SignedConsent) -> str:
        """What still holds sessions back although a consent is in force: a newer text the clinic asks the
        patient to sign (or only mentions), or the time to think before the first session."""
        newer = self._consents.newer_text(current.patient_id)
        gate = self._consents.consent_gate(current.patient_id)
        if newer is not None:
            note = f"⚠ A newer consent text (version {newer[1]}) is in use; please ask the patient to read and sign it."
            if gate:
                self.status_card.setProperty("state", "missing")
                self.status_title.setText("⚠ Consent signed on an older text: sessions wait for a new signature")
                return note + " The clinic asks for a new signature before any further session."
            return note + f" The signed version {newer[0]} stays valid: sessions can still be recorded."
        if gate:
            self.status_title.setText("✓ Signed consent in force: the first session waits for the time to think")
            return gate
        return ""

    def _show_history(self) -> None:
        discard(self.history_rows, self.history_box)
        self.history_rows = []
        for entry in self.history:
            record = entry.record
            row = HistoryRow(entry, self._clock, self._consents.language_name(record.language),
                             parties=self._consents.parties(record.id), language_name=self._consents.language_name)
            self.history_box.addWidget(row)
            self.history_rows.append(row)
        self.history_empty.setVisible(not self.history)

    # ------------------------------------------------------------ handlers

    def _on_handoff_button_clicked(self) -> None:
        if self.patient is not None:
            self.withdraw_panel.hide()
            self.handoff_requested.emit(self.patient)

    def _on_withdraw_button_clicked(self) -> None:
        if self.patient is None:
            return
        self.saved.hide()
        self.withdraw_panel.start(self.patient)
        self.withdraw_panel.show()
        self.withdraw_button.setEnabled(False)
        QTimer.singleShot(80, self, self._scroll_to_withdraw_panel)  # once the panel is laid out

    def _scroll_to_withdraw_panel(self) -> None:
        self.scroll.ensureWidgetVisible(self.withdraw_panel.title, 0, 16)

    def _on_withdraw_panel_withdrawn(self, record: SignedConsent) -> None:
        self.withdraw_panel.hide()
        self.withdraw_button.setEnabled(True)
        _say(self.saved, f"✓ Withdrawal recorded · {self._clock.format_local(record.signed_at)}")
        self.refresh()

    def _on_withdraw_panel_cancelled(self) -> None:
        self.withdraw_panel.hide()
        self.withdraw_button.setEnabled(True)
