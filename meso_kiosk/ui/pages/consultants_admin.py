"""Consultant administration (admins only): who can unlock the kiosk, their PINs, who each is
professionally (profession and registration number), the idle lock.

Every change is confirmed by the signed-in admin typing their own PIN again, on an inline
step of this page (no dialog); the accounts service checks it and audits the change.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.clinic_settings import clean_credentials
from ...domain.errors import ValidationError
from ...domain.pin import pin_problem
from ...services.accounts import MAX_IDLE_LOCK_SECONDS, AccountService
from ...store.consultant_accounts import ConsultantAccount
from ..sign_in import SignIn
from ..widgets.admin_pin_step import AdminPinStep
from ..widgets.basics import button, discard, label, scrolling, show_field_error
from ..widgets.consultant_account_row import ConsultantAccountRow, error_label
from ..widgets.consultant_credentials import credentials_words
from ..widgets.pin_entry import pin_field

# Run a change with the admin's PIN; returns the words to show when it worked.
Action = Callable[[str], str]


def new_pin_problems(pin: str, again: str, pin_key: str = "pin", again_key: str = "pin_again") -> dict[str, str]:
    """Field errors for a new PIN typed twice (checked before asking the admin's PIN)."""
    problem = pin_problem(pin)
    if problem:
        return {pin_key: problem}
    if pin != again:
        return {again_key: "The two PINs are not the same. Type the new PIN again."}
    return {}


class ConsultantsAdminPage(QWidget):
    """The admin's page: consultant list, add, switch off/on, reset PIN, idle-lock minutes."""

    back_requested = Signal()

    def __init__(self, accounts: AccountService, sign_in: SignIn, parent: QWidget | None = None):
        super().__init__(parent)
        self._accounts = accounts
        self._sign_in = sign_in
        self._pending: tuple[Action, Callable[[dict[str, str]], None]] | None = None
        self.rows: dict[int, ConsultantAccountRow] = {}
        header = self._build_header()
        self._build_add_fields()
        self._build_idle_fields()
        body = self._build_body()
        confirm = self._build_confirm()
        self.views = QStackedWidget()
        self.body_view = scrolling(body)
        self.confirm_view = scrolling(confirm)
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
        header_layout.addWidget(label("Consultants and kiosk lock", "heading"), 1)
        # the list
        self.notice = label("", "notice")
        self.notice.setAccessibleName("Last change")
        self.notice.hide()
        self.list_box = QVBoxLayout()
        self.list_box.setSpacing(8)
        return header

    def _build_add_fields(self) -> None:
        """Add a consultant: name, role, first PIN twice."""
        self.add_name = QLineEdit()
        self.add_name.setAccessibleName("New consultant's name")
        self.add_name.setPlaceholderText("Name as colleagues know it, e.g. Dr Sam Okafor")
        self.add_name.setMaxLength(100)
        self.role_consultant = button("Consultant", "Role: consultant", role="toggle")
        self.role_admin = button("Admin", "Role: admin (can manage consultants)", role="toggle")
        self.roles = QButtonGroup(self)
        for role_button in (self.role_consultant, self.role_admin):
            role_button.setCheckable(True)
            role_button.setProperty("wide", True)  # room for the bold (checked) word (theme)
            self.roles.addButton(role_button)
        self.role_consultant.setChecked(True)
        self.add_pin = pin_field("New consultant's first PIN", "First PIN, at least 6 digits")
        self.add_pin_again = pin_field("New consultant's first PIN again", "The same PIN again")
        self.add_profession = QLineEdit()
        self.add_profession.setAccessibleName("New consultant's profession (optional)")
        self.add_profession.setPlaceholderText("e.g. Dermatologist")
        self.add_registration = QLineEdit()
        self.add_registration.setAccessibleName("New consultant's registration number (optional)")
        self.add_registration.setPlaceholderText("e.g. RPPS 10001234567")
        for field in (self.add_profession, self.add_registration):
            field.setMaxLength(200)  # a little room: the message says what is too long
        self.add_errors = {key: error_label() for key in
                           ("name", "role", "profession", "registration", "pin", "pin_again")}
        self.add_button = button("Add consultant", "Add this consultant", primary=True)

    def _build_idle_fields(self) -> None:
        """The minutes of quiet before the kiosk locks itself."""
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setAccessibleName("Minutes before the kiosk locks itself")
        self.idle_minutes.setRange(1, MAX_IDLE_LOCK_SECONDS // 60)
        self.idle_minutes.setSuffix(" min")
        self.idle_minutes.setMinimumHeight(48)
        self.idle_minutes.setMinimumWidth(140)
        self.idle_now = label("", "muted")
        self.idle_error = error_label()
        self.idle_save_button = button("Save", "Save the idle-lock time")

    def _build_body(self) -> QWidget:
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(32, 24, 32, 32)
        body_layout.setSpacing(16)
        body_layout.addWidget(self.notice)
        body_layout.addWidget(label("Who can unlock the kiosk", "subheading"))
        body_layout.addWidget(label(
            "A switched-off account can no longer unlock the kiosk; its past work keeps its name. "
            "Every change asks for your admin PIN.", "muted"))
        body_layout.addLayout(self.list_box)
        body_layout.addSpacing(8)
        body_layout.addWidget(self._add_card())
        body_layout.addWidget(self._idle_card())
        body_layout.addStretch(1)
        return body

    def _build_confirm(self) -> QWidget:
        step = AdminPinStep("Cancel this change")
        self.confirm_what, self.confirm_pin, self.cancel_confirm_button = step.what, step.pin, step.cancel_button
        return step

    def _add_card(self) -> QFrame:
        card = QFrame()
        card.setProperty("role", "card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(6)
        layout.addWidget(label("Add a consultant", "subheading-small"))
        layout.addWidget(label("Name", "minor-heading"))
        layout.addWidget(self.add_name)
        layout.addWidget(self.add_errors["name"])
        layout.addWidget(label("Role", "minor-heading"))
        roles = QHBoxLayout()
        roles.addWidget(self.role_consultant)
        roles.addWidget(self.role_admin)
        roles.addStretch(1)
        layout.addLayout(roles)
        layout.addWidget(self.add_errors["role"])
        layout.addWidget(label("Profession and registration number (optional; printed on consents)",
                               "minor-heading"))
        layout.addLayout(_side_by_side((self.add_profession, self.add_errors["profession"]),
                                       (self.add_registration, self.add_errors["registration"])))
        layout.addWidget(label("First PIN (they can change it under ‘My PIN’)", "minor-heading"))
        layout.addLayout(_side_by_side((self.add_pin, self.add_errors["pin"]),
                                       (self.add_pin_again, self.add_errors["pin_again"])))
        layout.addSpacing(6)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        return card

    def _idle_card(self) -> QFrame:
        card = QFrame()
        card.setProperty("role", "card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(6)
        layout.addWidget(label("Lock when left untouched", "subheading-small"))
        layout.addWidget(label(
            "The kiosk locks itself after this long without a touch, and at once when another app "
            "is opened. What was typed is saved first.", "muted"))
        row = QHBoxLayout()
        row.setSpacing(12)
        row.addWidget(self.idle_minutes)
        row.addWidget(self.idle_save_button)
        row.addWidget(self.idle_now, 1)
        layout.addLayout(row)
        layout.addWidget(self.idle_error)
        return card

    def _connect_signals(self) -> None:
        self.back_button.clicked.connect(self.back_requested)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.add_pin_again.returnPressed.connect(self._on_add_button_clicked)
        self.idle_save_button.clicked.connect(self._on_idle_save_button_clicked)
        self.confirm_pin.submitted.connect(self._on_confirm_pin_submitted)
        self.cancel_confirm_button.clicked.connect(self._on_cancel_confirm_button_clicked)

    # ------------------------------------------------------------ public

    def allowed_for(self, account: ConsultantAccount | None) -> bool:
        """Only a signed-in admin may see this page (the lock screen asks before coming back)."""
        return account is not None and account.is_admin

    def start(self) -> bool:
        """Open the page fresh; refuses (returns False) unless an admin is signed in."""
        if not self.allowed_for(self._sign_in.consultant):
            return False
        self._pending = None
        self.notice.hide()
        self._clear_add_form()
        self.refresh()
        self.views.setCurrentWidget(self.body_view)
        return True

    def refresh(self) -> None:
        discard(self.rows.values(), self.list_box)
        self.rows = {}
        me = self._sign_in.consultant.id if self._sign_in.consultant else None
        accounts = sorted(self._accounts.accounts(active_only=False), key=lambda a: (not a.active,))
        credentials = self._accounts.credentials()
        for account in accounts:
            lock = self._accounts.lock_state(account.id)
            row = ConsultantAccountRow(account, account.id == me, locked_words=lock.message if lock.locked else "",
                                       credentials=credentials.get(account.id))
            row.reset_requested.connect(self._on_row_reset_requested)
            row.toggle_requested.connect(self._on_row_toggle_requested)
            row.unlock_requested.connect(self._on_row_unlock_requested)
            row.credentials_requested.connect(self._on_row_credentials_requested)
            self.list_box.addWidget(row)
            row.show()  # (a layout would only show it on the next turn of the event loop)
            self.rows[account.id] = row
        seconds = self._accounts.idle_lock_seconds()
        self.idle_minutes.setValue(max(1, round(seconds / 60)))
        self.idle_now.setText(f"Now: {_duration(seconds)}")

    # ------------------------------------------------------------ confirming

    def _ask_admin_pin(self, what: str, action: Action, on_field_errors: Callable[[dict[str, str]], None]) -> None:
        if not self.allowed_for(self._sign_in.consultant):
            self.back_requested.emit()
            return
        self._pending = (action, on_field_errors)
        self.confirm_what.setText(what)
        self.confirm_pin.clear()
        self.views.setCurrentWidget(self.confirm_view)
        self.confirm_pin.focus()

    def _on_confirm_pin_submitted(self, pin: str) -> None:
        if self._pending is None or self._sign_in.consultant is None:
            return
        action, on_field_errors = self._pending
        try:
            done = action(pin)
        except ValidationError as error:
            if "admin_pin" in error.errors:
                self.confirm_pin.show_error(error.errors["admin_pin"])
                return
            self._pending = None
            self.views.setCurrentWidget(self.body_view)
            on_field_errors(error.errors)
            return
        self._pending = None
        self.confirm_pin.clear()
        self.refresh()
        self.views.setCurrentWidget(self.body_view)
        self.notice.setText(f"✓ {done}")
        self.notice.show()
        self.body_view.verticalScrollBar().setValue(0)

    def _on_cancel_confirm_button_clicked(self) -> None:
        self._pending = None
        self.confirm_pin.clear()
        self.views.setCurrentWidget(self.body_view)

    def _admin_id(self) -> int:
        assert self._sign_in.consultant is not None
        return self._sign_in.consultant.id

    # ------------------------------------------------------------ add

    def _chosen_role(self) -> str:
        return "admin" if self.role_admin.isChecked() else "consultant"

    def _show_add_errors(self, errors: dict[str, str]) -> None:
        fields = {"name": self.add_name, "role": None, "profession": self.add_profession,
                  "registration": self.add_registration, "pin": self.add_pin, "pin_again": self.add_pin_again}
        for key, error in self.add_errors.items():
            show_field_error(fields[key], error, errors.get(key, ""))
        first = next((fields[key] for key in fields if errors.get(key) and fields[key] is not None), None)
        if first is not None:
            self.body_view.ensureWidgetVisible(first)
            first.setFocus()

    def _clear_add_form(self) -> None:
        self.add_name.clear()
        self.add_profession.clear()
        self.add_registration.clear()
        self.add_pin.clear()
        self.add_pin_again.clear()
        self.role_consultant.setChecked(True)
        self._show_add_errors({})

    def _on_add_button_clicked(self) -> None:
        errors: dict[str, str] = {}
        if not self.add_name.text().strip():
            errors["name"] = "Enter the consultant's name."
        profession, registration = self.add_profession.text(), self.add_registration.text()
        try:
            credentials = clean_credentials(profession, registration)
        except ValidationError as error:
            errors |= error.errors
            credentials = (None, None)
        errors |= new_pin_problems(self.add_pin.text(), self.add_pin_again.text())
        if "pin_again" in errors:
            self.add_pin_again.clear()
        self._show_add_errors(errors)
        if errors:
            return
        name, pin, role = " ".join(self.add_name.text().split()), self.add_pin.text(), self._chosen_role()

        def add(admin_pin: str) -> str:
            account = self._accounts.add_consultant(self._admin_id(), admin_pin, name, pin, role)
            self._clear_add_form()
            done = f"{account.display_name} was added as {'an admin' if account.is_admin else 'a consultant'}."
            if any(credentials):
                try:
                    self._accounts.set_credentials(self._admin_id(), admin_pin, account.id, profession, registration)
                except ValidationError as error:  # the account exists now: say so, and what is missing
                    return f"{done} Their profession was not recorded ({next(iter(error.errors.values()))}); " \
                           "use “Edit profession…” on their row."
            return done

        self._ask_admin_pin(f"Add {name} as {'an admin' if role == 'admin' else 'a consultant'}", add,
                            self._show_add_errors)

    # ------------------------------------------------------------ rows

    def _on_row_reset_requested(self, account: ConsultantAccount, pin: str, again: str) -> None:
        row = self.rows[account.id]
        errors = new_pin_problems(pin, again, "new_pin", "new_pin_again")
        if "new_pin_again" in errors:
            row.new_pin_again.clear()
        row.show_errors(errors)
        if errors:
            return

        def reset(admin_pin: str) -> str:
            self._accounts.reset_pin(self._admin_id(), admin_pin, account.id, pin)
            return f"{account.display_name} has a new PIN."

        def field_errors(found: dict[str, str]) -> None:
            self.rows[account.id].reset_panel.show()
            self.rows[account.id].show_errors(found)

        self._ask_admin_pin(f"Set a new PIN for {account.display_name}", reset, field_errors)

    def _on_row_toggle_requested(self, account: ConsultantAccount) -> None:
        row = self.rows[account.id]
        if account.active and self._sign_in.consultant and account.id == self._sign_in.consultant.id:
            row.show_errors({"consultant": "You cannot switch off your own account while you are signed in. "
                                           "Ask another admin."})
            return
        row.show_errors({})

        def toggle(admin_pin: str) -> str:
            if account.active:
                self._accounts.disable_consultant(self._admin_id(), admin_pin, account.id)
                return f"{account.display_name} was switched off and can no longer unlock the kiosk."
            self._accounts.enable_consultant(self._admin_id(), admin_pin, account.id)
            return f"{account.display_name} was switched back on."

        verb = "Switch off" if account.active else "Switch on"
        self._ask_admin_pin(f"{verb} {account.display_name}", toggle, self._row_error_shower(account))

    def _on_row_unlock_requested(self, account: ConsultantAccount) -> None:
        self.rows[account.id].show_errors({})

        def unlock(admin_pin: str) -> str:
            self._accounts.clear_lockout(self._admin_id(), admin_pin, account.id)
            return f"{account.display_name} can sign in again with their own PIN."

        self._ask_admin_pin(f"Clear the lock-out of {account.display_name}", unlock, self._row_error_shower(account))

    def _on_row_credentials_requested(self, account: ConsultantAccount, profession: str, registration: str) -> None:
        editor = self.rows[account.id].credentials_editor
        try:
            clean_credentials(profession, registration)  # what is wrong shows before the admin's PIN is asked
        except ValidationError as error:
            editor.show_errors(error.errors)
            return
        editor.show_errors({})

        def save(admin_pin: str) -> str:
            saved = self._accounts.set_credentials(self._admin_id(), admin_pin, account.id, profession, registration)
            words = credentials_words(saved)
            return f"{account.display_name}: {words}." if words else f"{account.display_name}: no profession recorded."

        def field_errors(found: dict[str, str]) -> None:
            target = self.rows.get(account.id)
            if target is not None:
                target.credentials_editor.open_editor()
                target.credentials_editor.show_errors(found)
                leftover = {key: message for key, message in found.items() if key not in ("profession", "registration")}
                target.show_errors({"consultant": next(iter(leftover.values()), "")})

        self._ask_admin_pin(f"Record the profession of {account.display_name}", save, field_errors)

    def _row_error_shower(self, account: ConsultantAccount) -> Callable[[dict[str, str]], None]:
        """Where a refused change to ``account`` says why: under its row (rebuilt since, maybe)."""

        def show(found: dict[str, str]) -> None:
            target = self.rows.get(account.id)
            if target is not None:
                target.show_errors({"consultant": next(iter(found.values()), "")})

        return show

    # ------------------------------------------------------------ idle lock

    def _on_idle_save_button_clicked(self) -> None:
        minutes = self.idle_minutes.value()
        show_field_error(self.idle_minutes, self.idle_error, "")

        def save(admin_pin: str) -> str:
            seconds = self._accounts.set_idle_lock_seconds(self._admin_id(), admin_pin, minutes * 60)
            return f"The kiosk now locks after {_duration(seconds)} untouched."

        def field_errors(found: dict[str, str]) -> None:
            show_field_error(self.idle_minutes, self.idle_error, next(iter(found.values()), ""))

        self._ask_admin_pin(f"Lock the kiosk after {_duration(minutes * 60)} untouched", save, field_errors)


def _side_by_side(*fields: tuple[QWidget, QWidget]) -> QHBoxLayout:
    """Fields on one line, each with its error message under it."""
    row = QHBoxLayout()
    row.setSpacing(12)
    for field, error in fields:
        column = QVBoxLayout()
        column.addWidget(field)
        column.addWidget(error)
        column.addStretch(1)  # the fields stay on one line when only one has an error
        row.addLayout(column, 1)
    return row


def _duration(seconds: int) -> str:
    if seconds % 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
