"""The lock screen: pick your name, type your PIN; on a new installation, create the first admin.

``LockScreenPage`` is the screen; ``ScreenLock`` puts it over the window's pages when the
app locks (start-up, the Lock button, the idle lock) and takes it away when someone signs
in. The page under the lock is left exactly as it was (typed input included), after its
pending autosave has been flushed.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QIcon, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ...domain.errors import ValidationError
from ...domain.pin import pin_problem
from ...resources import resource_path
from ...services.accounts import AccountService, PinPurpose
from ...store.consultant_accounts import ConsultantAccount
from ..sign_in import SignIn
from ..widgets.basics import button, label, show_field_error
from ..widgets.pin_entry import PinEntry, pin_field
from .lock_opening import LOCK_ICON, ConsultantTile, LockOpening, initials

COUNTDOWN_MS = 1000


def lock_icon() -> QIcon:
    return QIcon(str(resource_path(LOCK_ICON)))


class FirstAdminPanel(QFrame):
    """A new installation: name and PIN (twice) of the first administrator."""

    created = Signal(object)  # ConsultantAccount

    def __init__(self, accounts: AccountService, parent: QWidget | None = None):
        super().__init__(parent)
        self._accounts = accounts
        self.setProperty("role", "card")
        self.name = QLineEdit()
        self.name.setAccessibleName("Administrator's name")
        self.name.setPlaceholderText("e.g. Dr Amélie Laurent")
        self.name.setMaxLength(100)
        self.pin = pin_field("New PIN", "At least 6 digits")
        self.pin_again = pin_field("New PIN again", "The same PIN again")
        self.errors = {key: label("", "error") for key in ("name", "pin", "pin_again")}
        for error in self.errors.values():
            error.hide()
        self.create_button = button("Create administrator and unlock", "Create the first administrator",
                                    primary=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(8)
        layout.addWidget(label("Set up the first administrator", "heading"))
        layout.addWidget(label(
            "This kiosk has no administrator yet. The administrator adds the other consultants, "
            "switches accounts off and resets forgotten PINs. Choose a PIN of at least 6 digits "
            "that is not easy to guess.", "muted"))
        layout.addSpacing(8)
        for caption, field, key in (("Your name", self.name, "name"), ("PIN", self.pin, "pin"),
                                     ("PIN again", self.pin_again, "pin_again")):
            caption_label = label(caption, "minor-heading")
            caption_label.setBuddy(field)
            layout.addWidget(caption_label)
            layout.addWidget(field)
            layout.addWidget(self.errors[key])
        layout.addSpacing(8)
        layout.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.setTabOrder(self.name, self.pin)
        self.setTabOrder(self.pin, self.pin_again)
        self.setTabOrder(self.pin_again, self.create_button)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.create_button.clicked.connect(self._on_create_button_clicked)
        for field in (self.name, self.pin, self.pin_again):
            field.returnPressed.connect(self._on_create_button_clicked)

    def show_errors(self, errors: dict[str, str]) -> None:
        fields = {"name": self.name, "pin": self.pin, "pin_again": self.pin_again}
        for key, error in self.errors.items():
            show_field_error(fields[key], error, errors.get(key, ""))
        first = next((fields[key] for key in fields if errors.get(key)), None)
        if first is not None:
            first.setFocus()

    def _on_create_button_clicked(self) -> None:
        errors: dict[str, str] = {}
        if not self.name.text().strip():
            errors["name"] = "Enter your name as colleagues know it, e.g. Dr Amélie Laurent."
        problem = pin_problem(self.pin.text())
        if problem:
            errors["pin"] = problem
        elif self.pin.text() != self.pin_again.text():
            errors["pin_again"] = "The two PINs are not the same. Type the PIN again."
            self.pin_again.clear()
        if errors:
            self.show_errors(errors)
            return
        try:
            account = self._accounts.create_first_admin(self.name.text(), self.pin.text())
        except ValidationError as error:
            self.show_errors({key if key in self.errors else "name": message
                              for key, message in error.errors.items()})
            return
        self.show_errors({})
        self.pin.clear()
        self.pin_again.clear()
        self.created.emit(account)


# Built on first need (the PIN pad once a name is touched, the setup on a new installation).
_PIN_VIEW_PARTS = frozenset({
    "pin_view", "chosen_badge", "chosen_name", "pin_prompt", "pin_entry", "lockout", "not_you_button",
    "identity", "identity_layout", "pad", "pad_layout", "pin_box"})
_SETUP_VIEW_PARTS = frozenset({"setup_panel", "setup_view"})


class LockScreenPage(QWidget):
    """Who is using the kiosk? Tiles of active consultants, then a PIN pad; or first-run setup."""

    unlocked = Signal(object)  # ConsultantAccount whose PIN was right

    def __init__(self, accounts: AccountService, opening: LockOpening, parent: QWidget | None = None):
        super().__init__(parent)
        self._accounts = accounts
        self.chosen: ConsultantAccount | None = None
        # The opening (header, "Who is using the kiosk?", the tiles) is this page's whole
        # face: a cold start has painted it already, and it stays as it is.
        self.opening = opening
        self.clinic_label = opening.clinic_label
        self.title, self.hint, self.empty = opening.title, opening.hint, opening.empty
        self.choose_view, self.views = opening.choose_view, opening.views
        opening.finish()

        # The PIN pad and the first-run setup are built on first need (``__getattr__``): a
        # cold start paints only the view shown first.
        self._pin_view_built = self._setup_view_built = False
        self._landscape: bool | None = None
        self._wants_landscape = True  # until the first resize says otherwise
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(opening)
        opening.show()  # taken from wherever it was (the window's first frame), which hid it

        self.countdown = QTimer(self)
        self.countdown.setInterval(COUNTDOWN_MS)
        self._connect_signals()
        self.refresh()

    def __getattr__(self, name: str):
        # Only reached for a missing attribute: the widgets of a view not built yet.
        if name in _PIN_VIEW_PARTS and not self.__dict__.get("_pin_view_built", True):
            self._build_pin_view()
        elif name in _SETUP_VIEW_PARTS and not self.__dict__.get("_setup_view_built", True):
            self._build_setup_view()
        else:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return self.__dict__[name]

    def ensure_pin_view(self) -> None:
        """Build the PIN pad now (``run_gui`` does, with the pages, right after the first frame)."""
        if not self._pin_view_built:
            self._build_pin_view()

    def _build_pin_view(self) -> None:
        """Type your PIN: who (left) and the pad (right) in landscape, stacked in portrait."""
        self._pin_view_built = True
        self.pin_view = QWidget()
        self.chosen_badge = QLabel("")
        self.chosen_badge.setProperty("role", "initials-large")
        self.chosen_badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chosen_badge.setFixedSize(80, 80)
        self.chosen_name = label("", "lock-title")
        self.chosen_name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin_prompt = label("Enter your PIN", "muted")
        self.pin_prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin_entry = PinEntry("Your PIN")
        self.lockout = label("", "lockout")
        self.lockout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.lockout.setAccessibleName("Account locked")
        self.lockout.setFixedWidth(380)
        self.lockout.hide()
        self.not_you_button = button("‹ Not you? Choose another name", "Choose another consultant")
        self.identity = QWidget()
        self.identity.setFixedWidth(400)
        self.identity_layout = QVBoxLayout(self.identity)
        self.identity_layout.setContentsMargins(0, 0, 0, 0)
        self.identity_layout.setSpacing(12)
        self.identity_layout.addWidget(self.chosen_badge, 0, Qt.AlignmentFlag.AlignHCenter)
        self.identity_layout.addWidget(self.chosen_name)
        self.identity_layout.addWidget(self.pin_prompt)
        self.identity_layout.addWidget(self.lockout, 0, Qt.AlignmentFlag.AlignHCenter)
        self.pad = QWidget()
        self.pad_layout = QVBoxLayout(self.pad)
        self.pad_layout.setContentsMargins(0, 0, 0, 0)
        self.pad_layout.setSpacing(20)
        self.pad_layout.addWidget(self.pin_entry, 0, Qt.AlignmentFlag.AlignHCenter)
        self.pin_box = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.pin_box.setSpacing(24)
        pin_layout = QVBoxLayout(self.pin_view)
        pin_layout.setContentsMargins(0, 0, 0, 0)
        pin_layout.addLayout(self.pin_box)
        pin_layout.addStretch(1)
        self._reflow_pin_view(self._wants_landscape)
        self.views.addWidget(self.pin_view)
        self.pin_entry.submitted.connect(self._on_pin_entry_submitted)
        self.not_you_button.clicked.connect(self._on_not_you_button_clicked)

    def _build_setup_view(self) -> None:
        """A new installation: the first administrator."""
        self._setup_view_built = True
        self.setup_panel = FirstAdminPanel(self._accounts)
        self.setup_view = QWidget()
        setup_row = QHBoxLayout()
        setup_row.addStretch(1)
        setup_row.addWidget(self.setup_panel, 8)
        setup_row.addStretch(1)
        setup_layout = QVBoxLayout(self.setup_view)
        setup_layout.setContentsMargins(0, 0, 0, 0)
        setup_layout.addLayout(setup_row)
        setup_layout.addStretch(1)  # the card keeps its height; the rest of the screen stays calm
        self.setup_panel.setMaximumWidth(640)
        self.views.addWidget(self.setup_view)
        self.setup_panel.created.connect(self._on_setup_panel_created)

    def _connect_signals(self) -> None:
        self.countdown.timeout.connect(self._on_countdown_timeout)
        self.opening.chosen.connect(self._on_tile_clicked)

    @property
    def tiles(self) -> list[ConsultantTile]:
        return self.opening.tiles

    # ------------------------------------------------------------ public

    def set_clinic_name(self, name: str) -> None:
        self.clinic_label.setText(name)

    def refresh(self) -> None:
        """Show first-run setup, or the consultant tiles (forgetting any half-typed PIN)."""
        self.countdown.stop()
        self.chosen = None
        self.clear_pin()
        if self._accounts.needs_setup():
            self.views.setCurrentWidget(self.setup_view)
            self.setup_panel.name.setFocus()
            return
        self.opening.fill_tiles(self._accounts.lock_accounts())
        self.views.setCurrentWidget(self.choose_view)

    def choose(self, account: ConsultantAccount) -> None:
        """Show the PIN pad for ``account`` (with its lock-out wait, if any)."""
        self.chosen = account
        self.chosen_badge.setText(initials(account.display_name))
        self.chosen_name.setText(account.display_name)
        self.pin_entry.clear()
        self.views.setCurrentWidget(self.pin_view)
        self._show_lock_state()
        if self.pin_entry.isEnabled():
            self.pin_entry.focus()

    def is_setup(self) -> bool:
        return self._setup_view_built and self.views.currentWidget() is self.setup_view

    def clear_pin(self) -> None:
        """Forget a half-typed PIN (nothing to forget while the PIN pad was never built)."""
        if self._pin_view_built:
            self.pin_entry.clear()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        self.countdown.stop()  # nothing ticks behind the unlocked window
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self.chosen is not None and self._pin_view_built and self.views.currentWidget() is self.pin_view:
            self._show_lock_state()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._wants_landscape = self.width() >= 1000
        if self._pin_view_built:
            self._reflow_pin_view(self._wants_landscape)

    def _reflow_pin_view(self, landscape: bool) -> None:
        """Landscape: name and "Not you?" beside the pad; portrait: all in one column."""
        if landscape == self._landscape:
            return
        self._landscape = landscape
        self.identity_layout.removeWidget(self.not_you_button)
        self.pad_layout.removeWidget(self.not_you_button)
        while self.pin_box.count():  # re-add: side by side and centred together, or one column
            self.pin_box.takeAt(0)
        top = Qt.AlignmentFlag.AlignTop
        if landscape:
            self.pin_box.setDirection(QBoxLayout.Direction.LeftToRight)
            self.identity_layout.addWidget(self.not_you_button, 0, Qt.AlignmentFlag.AlignHCenter)
            self.pin_box.addStretch(1)
            self.pin_box.addWidget(self.identity, 0, top)
            self.pin_box.addSpacing(48)
            self.pin_box.addWidget(self.pad, 0, top)
            self.pin_box.addStretch(1)
        else:
            self.pin_box.setDirection(QBoxLayout.Direction.TopToBottom)
            self.pad_layout.addWidget(self.not_you_button, 0, Qt.AlignmentFlag.AlignHCenter)
            self.pin_box.addWidget(self.identity, 0, top | Qt.AlignmentFlag.AlignHCenter)
            self.pin_box.addWidget(self.pad, 0, top | Qt.AlignmentFlag.AlignHCenter)
        self.not_you_button.show()  # moving it between columns re-parents it, which hides it
        self._fit_identity()

    def _fit_identity(self) -> None:
        # The wrapped labels make this column height-for-width, which a box layout turned
        # sideways under-measures: pin its height to what its contents need.
        self.identity_layout.invalidate()
        self.identity.setFixedHeight(self.identity_layout.minimumSize().height())

    # ------------------------------------------------------------ lock-out

    def _show_lock_state(self) -> bool:
        """Grey out the PIN pad while the chosen account is locked; True when it is."""
        if self.chosen is None:
            return False
        state = self._accounts.lock_state(self.chosen.id)
        self.pin_entry.setEnabled(not state.locked)
        self.lockout.setVisible(state.locked)
        if state.locked:
            self.lockout.setText(f"{state.message}\nThe PIN pad opens again by itself.")
            self.lockout.setFixedHeight(self.lockout.heightForWidth(self.lockout.width()) + 4)
            if not self.countdown.isActive():
                self.countdown.start()
        else:
            self.lockout.clear()
            self.countdown.stop()
        self._fit_identity()
        return state.locked

    # ------------------------------------------------------------ handlers

    def _on_tile_clicked(self, account: ConsultantAccount) -> None:
        self.choose(account)

    def _on_not_you_button_clicked(self) -> None:
        self.refresh()

    def _on_countdown_timeout(self) -> None:
        if not self.isVisible() or self.chosen is None:
            self.countdown.stop()
            return
        if not self._show_lock_state():
            self.pin_entry.focus()

    def _on_pin_entry_submitted(self, pin: str) -> None:
        if self.chosen is None or not self.pin_entry.isEnabled():
            return
        check = self._accounts.verify_pin(self.chosen.id, pin, PinPurpose.UNLOCK)
        if check.ok:
            account = self._accounts.account(self.chosen.id)
            self.pin_entry.clear()
            self.unlocked.emit(account)
            return
        self.pin_entry.show_error(check.message)
        self._show_lock_state()

    def _on_setup_panel_created(self, account: ConsultantAccount) -> None:
        self.unlocked.emit(account)


class ScreenLock(QObject):
    """Puts the lock screen over the window and takes it away when someone signs in.

    ``lock()`` flushes the page's pending autosave, forgets the consultant
    (``sign_in.lock()``) and shows the lock screen; the page underneath stays as it was and
    comes back after the next right PIN (the patient list if the page was not for them,
    e.g. the admin page for a non-admin). While a patient holds the tablet (hand-off mode)
    a lock keeps the hand-off screen: leaving it already needs a consultant PIN.
    """

    def __init__(self, window, sign_in: SignIn, page: LockScreenPage, parent: QObject | None = None):
        super().__init__(parent or window)
        self._window = window
        self._sign_in = sign_in
        self.page = page
        self._resume: QWidget | None = None
        window.stack.addWidget(page)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.page.unlocked.connect(self._sign_in.sign_in)
        self._sign_in.signed_in.connect(self._on_sign_in_signed_in)
        self._sign_in.locked.connect(self._on_sign_in_locked)

    def is_locked(self) -> bool:
        return self._window.stack.currentWidget() is self.page

    def lock(self) -> None:
        """Lock now (the Lock button, the idle lock, start-up)."""
        if getattr(self._window, "in_handoff", False):
            flush_pending(self._window)
            return
        if self.is_locked() and self._sign_in.consultant is None:
            return
        self._sign_in.lock()

    def _on_sign_in_locked(self) -> None:
        if getattr(self._window, "in_handoff", False):
            return
        flush_pending(self._window)
        if not self.is_locked():
            self._resume = self._window.stack.currentWidget()
        self.page.refresh()
        self._window.stack.setCurrentWidget(self.page)

    def _on_sign_in_signed_in(self, account: ConsultantAccount) -> None:
        if not self.is_locked():
            return
        resume = self._resume
        self._resume = None
        allowed = getattr(resume, "allowed_for", None)
        patients_page = getattr(self._window, "patients_page", None)
        if resume is None or resume is patients_page or (allowed is not None and not allowed(account)):
            self._window.show_patients()
        else:
            self._window.stack.setCurrentWidget(resume)
        self.page.clear_pin()


def flush_pending(window) -> None:
    """Save what the visible step has pending (its autosave), as leaving a step does."""
    workspace = getattr(window, "workspace", None)
    if workspace is None:
        return
    flush = getattr(workspace.stack.currentWidget(), "flush", None)
    if flush is not None:
        flush()


def lock_window(window, accounts: AccountService, sign_in: SignIn) -> ScreenLock:
    """The lock screen over ``window``, locked (sets ``window.screen_lock`` and ``window.lock_page``).

    It takes over the window's ``opening`` (what a cold start painted first) in its place;
    ``wire_screen_lock`` adds the rest once the pages exist.
    """
    opening, window.opening = window.opening, None
    window.stack.removeWidget(opening)
    page = LockScreenPage(accounts, opening)
    screen_lock = ScreenLock(window, sign_in, page)
    window.screen_lock = screen_lock
    window.lock_page = page
    screen_lock.lock()  # (the new page is on top, filled by its __init__: nothing to do)
    return screen_lock


def wire_screen_lock(window, accounts: AccountService, sign_in: SignIn) -> None:
    """The admin page (``window.admin_page``), the My PIN page (``window.pin_page``) and the
    pages' Lock, Admin and My PIN buttons."""
    from .change_pin import ChangePinPage
    from .consultants_admin import ConsultantsAdminPage

    screen_lock = window.screen_lock
    admin_page = ConsultantsAdminPage(accounts, sign_in)
    window.stack.addWidget(admin_page)
    window.admin_page = admin_page
    pin_page = ChangePinPage(accounts, sign_in)
    window.stack.addWidget(pin_page)
    window.pin_page = pin_page

    def on_admin_requested() -> None:
        if admin_page.start():
            window.stack.setCurrentWidget(admin_page)

    def on_pin_change_requested() -> None:
        if pin_page.start():
            window.stack.setCurrentWidget(pin_page)

    def on_sign_in_changed(*_args) -> None:
        window.patients_page.admin_button.setVisible(sign_in.is_admin())

    for lock_button in (window.patients_page.lock_button, window.workspace.lock_button):
        lock_button.setIcon(lock_icon())
    window.patients_page.lock_requested.connect(screen_lock.lock)
    window.workspace.lock_requested.connect(screen_lock.lock)
    window.patients_page.admin_requested.connect(on_admin_requested)
    admin_page.back_requested.connect(window.show_patients)
    window.patients_page.pin_change_requested.connect(on_pin_change_requested)
    pin_page.back_requested.connect(window.show_patients)
    sign_in.signed_in.connect(on_sign_in_changed)
    sign_in.locked.connect(on_sign_in_changed)
    on_sign_in_changed()
