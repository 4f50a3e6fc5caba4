"""The lock screen: pick your name, type your PIN; on a new installation, create the first admin.

``LockScreenPage`` is the screen; ``ScreenLock`` puts it over the window's pages when the
app locks (start-up, the Lock button, the idle lock) and takes it away when someone signs
in. The page under the lock is left exactly as it was (typed input included), after its
pending autosave has been flushed.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QIcon, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import ValidationError
from ...resources import resource_path
from ...domain.pin import pin_problem
from ...services.accounts import AccountService, PinPurpose
from ...store.consultant_accounts import ConsultantAccount
from ..sign_in import SignIn
from ..widgets.basics import button, discard, label, scrolling, show_field_error
from ..widgets.pin_entry import PinEntry, pin_field

TILE_WIDTH = 232
TILE_HEIGHT = 148
TILE_SPACING = 16
COUNTDOWN_MS = 1000


def lock_icon() -> QIcon:
    return QIcon(str(resource_path("icons/lock.svg")))


def initials(name: str) -> str:
    """Two letters for a consultant's tile: first and last word, skipping titles like "Dr"."""
    words = [word for word in name.replace("-", " ").split() if word[:1].isalnum()]
    titles = {"dr", "dr.", "prof", "prof.", "mr", "mrs", "ms", "mx", "miss"}
    named = [word for word in words if word.lower() not in titles] or words
    if not named:
        return "?"
    letters = named[0][0] + (named[-1][0] if len(named) > 1 else "")
    return letters.upper()


class ConsultantTile(QPushButton):
    """A big touch tile: initials in a circle, the name, and "Admin" for admins."""

    def __init__(self, account: ConsultantAccount, parent: QWidget | None = None):
        super().__init__(parent)
        self.account = account
        self.setProperty("role", "consultant-tile")
        self.setAccessibleName(f"Unlock as {account.display_name}")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFixedSize(TILE_WIDTH, TILE_HEIGHT)
        badge = QLabel(initials(account.display_name))
        badge.setProperty("role", "initials")
        badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        badge.setFixedSize(56, 56)
        name = label(account.display_name, "tile-name")
        name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        role = label("Admin" if account.is_admin else "Consultant", "muted")
        role.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 10)
        layout.setSpacing(4)
        layout.addWidget(badge, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(name)
        layout.addWidget(role)
        for child in (badge, name, role):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)


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

    def __init__(self, accounts: AccountService, clinic_name: str, app_title: str, icon: QIcon | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._accounts = accounts
        self.chosen: ConsultantAccount | None = None
        self.tiles: list[ConsultantTile] = []
        self._columns = 0

        header = QFrame()
        header.setProperty("role", "header")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(32, 16, 32, 16)
        header_layout.setSpacing(16)
        if icon is not None and not icon.isNull():
            logo = QLabel()
            logo.setPixmap(icon.pixmap(44, 44))
            logo.setFixedSize(44, 44)
            header_layout.addWidget(logo)
        names = QVBoxLayout()
        names.setSpacing(0)
        self.clinic_label = label(clinic_name, "heading")
        names.addWidget(self.clinic_label)
        names.addWidget(label(app_title, "muted"))
        header_layout.addLayout(names, 1)
        locked_icon = QLabel()
        locked_icon.setPixmap(lock_icon().pixmap(22, 22))
        header_layout.addWidget(locked_icon)
        header_layout.addWidget(label("Locked", "lock-word", wrap=False))

        # --- choose who you are
        self.choose_view = QWidget()
        self.title = label("Who is using the kiosk?", "lock-title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = label("Touch your name, then enter your PIN.", "muted")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty = label("No consultant can sign in. Ask the clinic's administrator for help.", "muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        self.tile_grid = QGridLayout()
        self.tile_grid.setSpacing(TILE_SPACING)
        choose_layout = QVBoxLayout(self.choose_view)
        choose_layout.setContentsMargins(0, 0, 0, 0)
        choose_layout.setSpacing(12)
        choose_layout.addWidget(self.title)
        choose_layout.addWidget(self.hint)
        choose_layout.addSpacing(16)
        choose_layout.addLayout(self.tile_grid)
        choose_layout.setAlignment(self.tile_grid, Qt.AlignmentFlag.AlignHCenter)
        choose_layout.addWidget(self.empty)
        choose_layout.addStretch(1)

        # The PIN pad and the first-run setup are built on first need (``__getattr__``): a
        # cold start paints only the view shown first.
        self._pin_view_built = self._setup_view_built = False
        self._landscape: bool | None = None
        self._wants_landscape = True  # until the first resize says otherwise
        self.views = QStackedWidget()
        self.views.addWidget(self.choose_view)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(32, 40, 32, 32)
        body_layout.addWidget(self.views)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(scrolling(body), 1)

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
        accounts = [account for account in self._accounts.accounts() if account.has_pin]
        self._fill_tiles(accounts)
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

    # ------------------------------------------------------------ tiles

    def _fill_tiles(self, accounts: list[ConsultantAccount]) -> None:
        discard(self.tiles, self.tile_grid)
        self.tiles = []
        for account in accounts:
            tile = ConsultantTile(account)
            tile.clicked.connect(lambda _checked=False, chosen=account: self._on_tile_clicked(chosen))
            self.tiles.append(tile)
        self.empty.setVisible(not self.tiles)
        self._columns = 0
        self._place_tiles()

    def _place_tiles(self) -> None:
        available = max(self.width() - 64 - 24, TILE_WIDTH)
        columns = max(1, min(4, (available + TILE_SPACING) // (TILE_WIDTH + TILE_SPACING), len(self.tiles) or 1))
        if columns == self._columns:
            return
        self._columns = columns
        for tile in self.tiles:
            self.tile_grid.removeWidget(tile)
        for index, tile in enumerate(self.tiles):
            self.tile_grid.addWidget(tile, index // columns, index % columns)
        previous = None
        for tile in self.tiles:  # Tab follows reading order
            if previous is not None:
                self.setTabOrder(previous, tile)
            previous = tile

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        self.countdown.stop()  # nothing ticks behind the unlocked window
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self.chosen is not None and self._pin_view_built and self.views.currentWidget() is self.pin_view:
            self._show_lock_state()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._place_tiles()
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


def install_screen_lock(window, accounts: AccountService, sign_in: SignIn, *, clinic_name: str, app_title: str,
                        icon: QIcon | None = None) -> ScreenLock:
    """Add the lock screen and the admin page to ``window``, wire the Lock buttons, and lock.

    Sets ``window.screen_lock``, ``window.lock_page`` and ``window.admin_page``. The window
    starts locked: a consultant's PIN (or the first-run setup) opens the patient list.
    """
    screen_lock = lock_window(window, accounts, sign_in, clinic_name=clinic_name, app_title=app_title, icon=icon)
    wire_screen_lock(window, accounts, sign_in)
    return screen_lock


def lock_window(window, accounts: AccountService, sign_in: SignIn, *, clinic_name: str, app_title: str,
                icon: QIcon | None = None) -> ScreenLock:
    """The lock screen over ``window``, locked (sets ``window.screen_lock`` and ``window.lock_page``).

    All a cold start paints first; ``wire_screen_lock`` adds the rest once the pages exist.
    """
    page = LockScreenPage(accounts, clinic_name, app_title, icon)
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
