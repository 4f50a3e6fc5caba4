"""Clinic settings (admins only): the clinic's identity and its policies.

Everything is checked by the one validator (``domain.clinic_settings.check_changes``) before
the admin is asked for their PIN again (an inline step, as on the consultants page); the
clinic service stores and audits each changed setting, and its listeners make the change
show at once (the lock screen's name, the window's title, the clock's time zone).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from ...domain.actor import consultant_actor
from ...domain.clinic_settings import check_changes
from ...domain.errors import ValidationError
from ...domain.protocol import Protocol
from ...services.accounts import AccountService
from ...services.clinic import ClinicService
from ...services.text_size import TextSizeService
from ...store.consultant_accounts import ConsultantAccount
from ..sign_in import SignIn
from ..widgets.admin_pin_step import AdminPinStep
from ..widgets.basics import button, label, scrolling
from ..widgets.clinic_form import ClinicForm
from ..widgets.clinic_policies import PoliciesForm
from ..widgets.text_size_choice import TextSizeChoice

UNNAMED_WORDS = ("Tell patients who you are: set the clinic's name, address and time zone. They appear "
                 "on the lock screen, in the consent and on every PDF.")
# Settings field → how the confirmation names it.
FIELD_WORDS = {"name": "name", "address": "address", "phone": "phone", "email": "e-mail", "timezone": "time zone",
               "logo": "logo", "currency": "currency", "prices": "prices", "cooling_off_hours": "cooling-off period",
               "minimum_age": "minimum age", "treats_minors": "minors", "reconsent_on_new_text": "new consent text"}


class ClinicSettingsPage(QWidget):
    """The admin's page for the clinic's identity and policies, saved with the admin's PIN."""

    back_requested = Signal()

    def __init__(self, clinic: ClinicService, accounts: AccountService, sign_in: SignIn,
                 protocols: Mapping[str, Protocol], parent: QWidget | None = None, *,
                 text_size: TextSizeService | None = None):
        super().__init__(parent)
        self._clinic = clinic
        self._text_size = text_size
        self._accounts = accounts
        self._sign_in = sign_in
        self._protocol_ids = frozenset(protocols)
        self._pending: dict[str, object] | None = None  # the changes waiting for the admin's PIN
        header = self._build_header()
        self.identity = ClinicForm()
        self.policies = PoliciesForm(protocols)
        self.text_size = TextSizeChoice()  # applied at once, without the PIN: a display preference
        self.views = QStackedWidget()
        self.body_view = scrolling(self._build_body())
        self.confirm_view = scrolling(self._build_confirm())
        self.views.addWidget(self.body_view)
        self.views.addWidget(self.confirm_view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.views, 1)
        self._connect_signals()

    def _build_header(self) -> QFrame:
        header = QFrame()
        header.setProperty("role", "header")
        self.back_button = button("‹ Patients", "Back to the patient list")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(24, 12, 24, 12)
        header_layout.setSpacing(16)
        header_layout.addWidget(self.back_button)
        header_layout.addWidget(label("Clinic settings", "heading"), 1)
        return header

    def _build_body(self) -> QWidget:
        self.unnamed = label(UNNAMED_WORDS, "banner-notice")
        self.unnamed.setAccessibleName("The clinic has no name yet")
        self.unnamed.hide()
        self.save_button = button("Save clinic settings", "Save the clinic settings", primary=True)
        self.notice = label("", "notice")
        self.notice.setAccessibleName("Last change")
        self.notice.hide()
        self.problems = label("", "error")  # several errors: listed by the Save button too
        self.problems.setAccessibleName("Problems to fix before saving")
        self.problems.hide()
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(32, 24, 32, 32)
        layout.setSpacing(16)
        layout.addWidget(self.unnamed)
        layout.addWidget(_card("The clinic", "Who the clinic is, as patients see it on the lock screen, "
                               "in the consent and on every PDF.", self.identity))
        layout.addWidget(_card("Policies", "How the clinic works. Each is explained beside it.", self.policies))
        if self._text_size is not None:
            layout.addWidget(_card("Text size", "How large every screen's text is, for the consultants and the "
                                   "patients. It changes at once.", self.text_size))
        layout.addWidget(label("Who performs the treatment (each consultant's profession and registration number) "
                               "is set per consultant on the Consultants page.", "muted"))
        save_row = QHBoxLayout()
        save_row.setSpacing(16)
        save_row.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        save_row.addWidget(self.notice, 1)
        layout.addLayout(save_row)
        layout.addWidget(self.problems)
        layout.addStretch(1)
        return body

    def _build_confirm(self) -> QWidget:
        step = AdminPinStep("Cancel saving the clinic settings")
        self.confirm_what, self.confirm_pin, self.cancel_confirm_button = step.what, step.pin, step.cancel_button
        return step

    def _connect_signals(self) -> None:
        self.back_button.clicked.connect(self.back_requested)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.text_size.chosen.connect(self._on_text_size_chosen)
        self.confirm_pin.submitted.connect(self._on_confirm_pin_submitted)
        self.cancel_confirm_button.clicked.connect(self._on_cancel_confirm_button_clicked)

    # ------------------------------------------------------------ public

    def allowed_for(self, account: ConsultantAccount | None) -> bool:
        """Only a signed-in admin may see this page (the lock screen asks before coming back)."""
        return account is not None and account.is_admin

    def start(self) -> bool:
        """Open the page fresh with what is stored; refuses (False) unless an admin is signed in."""
        if not self.allowed_for(self._sign_in.consultant):
            return False
        self._pending = None
        self.notice.hide()
        self.load()
        self.views.setCurrentWidget(self.body_view)
        self.body_view.verticalScrollBar().setValue(0)
        return True

    def _on_text_size_chosen(self, size: str) -> None:
        if self._text_size is not None and self._sign_in.consultant is not None:
            self._text_size.set(size, consultant_actor(self._sign_in.consultant.id))

    def load(self) -> None:
        if self._text_size is not None:
            self.text_size.show_size(self._text_size.current())
        """Show the stored settings (what was typed and not saved is dropped)."""
        settings = self._clinic.settings()
        logo = self._clinic.logo()
        self.identity.load(settings, None if logo is None else logo.png)
        self.policies.load(settings)
        self.unnamed.setVisible(not settings.named)
        self._show_errors({})

    def changes(self) -> dict[str, object]:
        """Every field as typed (the service stores only what differs)."""
        return self.identity.values() | self.policies.values()

    # ------------------------------------------------------------ saving

    def _on_save_button_clicked(self) -> None:
        self.notice.hide()
        changes = self.changes()
        try:
            check_changes(self._clinic.settings(), changes, self._protocol_ids)
        except ValidationError as error:
            self._show_errors(error.errors)
            return
        self._show_errors({})
        if not self.allowed_for(self._sign_in.consultant):
            self.back_requested.emit()
            return
        self._pending = changes
        self.confirm_what.setText("Save the clinic's settings")
        self.confirm_pin.clear()
        self.views.setCurrentWidget(self.confirm_view)
        self.confirm_pin.focus()

    def _on_confirm_pin_submitted(self, pin: str) -> None:
        admin = self._sign_in.consultant
        if self._pending is None or admin is None:
            return
        try:
            self._accounts.require_admin(admin.id, pin)
        except ValidationError as error:
            self.confirm_pin.show_error(error.errors.get("admin_pin", next(iter(error.errors.values()))))
            return
        changes, self._pending = self._pending, None
        self.confirm_pin.clear()
        self.views.setCurrentWidget(self.body_view)
        changed = self._save(changes, consultant_actor(admin.id))
        if changed is None:
            return
        self.load()
        words = ", ".join(FIELD_WORDS[name] for name in FIELD_WORDS if name in changed)
        self.notice.setText(f"✓ Saved: {words}." if words else "✓ Nothing had changed.")
        self.notice.show()
        self.body_view.ensureWidgetVisible(self.notice)
        self.save_button.setFocus()

    def _save(self, changes: dict[str, object], actor: str) -> set[str] | None:
        """Store ``changes`` and the logo; the names of what changed, or None (errors shown)."""
        before = self._clinic.settings()
        try:
            logo = self.identity.logo
            after = self._clinic.update(changes, actor, logo=logo.png if logo.changed else "keep")
        except ValidationError as error:
            self._show_errors(error.errors)
            return None
        old, new = asdict(before), asdict(after)
        return {name for name in FIELD_WORDS if old[name] != new[name]}

    def _on_cancel_confirm_button_clicked(self) -> None:
        self._pending = None
        self.confirm_pin.clear()
        self.views.setCurrentWidget(self.body_view)

    def _show_errors(self, errors: dict[str, str]) -> None:
        first_identity = self.identity.show_errors(errors)
        first_policy = self.policies.show_errors(errors)
        first = first_identity or first_policy
        count = len(errors)
        self.problems.setText(f"{count} problems to fix: each is described next to its field." if count > 1 else
                              "One problem to fix: it is described next to its field." if count else "")
        self.problems.setVisible(bool(count))
        if first is not None:
            self.body_view.ensureWidgetVisible(first, 50, 120)
            first.setFocus()


def _card(title: str, words: str, content: QWidget) -> QFrame:
    card = QFrame()
    card.setProperty("role", "card")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(20, 16, 20, 20)
    layout.setSpacing(6)
    layout.addWidget(label(title, "subheading"))
    layout.addWidget(label(words, "muted"))
    layout.addWidget(content)
    return card
