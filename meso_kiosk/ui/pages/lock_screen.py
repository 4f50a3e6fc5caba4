"""The lock screen: pick your name, type your PIN; on a new installation, create the first admin.

``LockScreenPage`` is the screen; ``ui/screen_lock.py`` puts it over the window's pages when
the app locks and takes it away when someone signs in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QIcon, QPixmap, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ...domain.errors import ValidationError
from ...domain.pin import pin_problem
from ...resources import resource_path
from ...services.accounts import AccountService, PinPurpose
from ...services.clinic import ClinicService
from ...store.consultant_accounts import ConsultantAccount
from ..startup.lock_opening import LOCK_ICON, LOGO_PX, ConsultantTile, LockOpening, initials
from ..widgets.basics import button, label, show_field_error
from ..widgets.pin_entry import PinEntry, pin_field
from .lock_pin_view import PinView

if TYPE_CHECKING:  # built once per installation, on first need
    from .first_run_clinic import ClinicSetupPanel

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


class LockScreenPage(QWidget):
    """Who is using the kiosk? Tiles of active consultants, then a PIN pad; or first-run setup:
    the first admin, then (given the ``clinic``) the clinic's name and details."""

    unlocked = Signal(object)  # ConsultantAccount whose PIN was right

    def __init__(self, accounts: AccountService, opening: LockOpening, parent: QWidget | None = None, *,
                 clinic: ClinicService | None = None):
        super().__init__(parent)
        self._accounts = accounts
        self._clinic = clinic
        self.chosen: ConsultantAccount | None = None
        # The opening (header, "Who is using the kiosk?", the tiles) is this page's whole
        # face: a cold start has painted it already, and it stays as it is.
        self.opening = opening
        self.clinic_label = opening.clinic_label
        self.title, self.hint, self.empty = opening.title, opening.hint, opening.empty
        self.choose_view, self.views = opening.choose_view, opening.views
        opening.finish()
        if clinic is not None:
            logo = clinic.logo()
            self.show_clinic_logo(None if logo is None else logo.png)

        # The PIN pad and the first-run setup are built on first need (``pin_view``,
        # ``setup_view``): a cold start paints only the view shown first.
        self._pin_view: PinView | None = None
        self._setup_panel: FirstAdminPanel | None = None
        self._setup_view: QWidget | None = None
        self._clinic_panel: ClinicSetupPanel | None = None
        self._clinic_view: QWidget | None = None
        self._wants_landscape = True  # until the first resize says otherwise
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(opening)
        opening.show()  # taken from wherever it was (the window's first frame), which hid it

        self.countdown = QTimer(self)
        self.countdown.setInterval(COUNTDOWN_MS)
        self._connect_signals()
        self.refresh()

    @property
    def pin_view(self) -> PinView:
        if self._pin_view is None:
            self._build_pin_view()
        return self._pin_view

    @property
    def pin_entry(self) -> PinEntry:
        return self.pin_view.pin_entry

    @property
    def lockout(self) -> QLabel:
        return self.pin_view.lockout

    @property
    def chosen_name(self) -> QLabel:
        return self.pin_view.chosen_name

    @property
    def not_you_button(self) -> QPushButton:
        return self.pin_view.not_you_button

    @property
    def setup_view(self) -> QWidget:
        if self._setup_view is None:
            self._build_setup_view()
        return self._setup_view

    @property
    def setup_panel(self) -> FirstAdminPanel:
        if self._setup_panel is None:
            self._build_setup_view()
        return self._setup_panel

    @property
    def clinic_panel(self) -> ClinicSetupPanel:
        """First run's second card, "Your clinic" (built on first need)."""
        if self._clinic_panel is None:
            from .first_run_clinic import ClinicSetupPanel, clinic_setup_view

            assert self._clinic is not None, "the lock screen was built without the clinic service"
            self._clinic_panel = ClinicSetupPanel(self._clinic)
            self._clinic_view = clinic_setup_view(self._clinic_panel)
            self.views.addWidget(self._clinic_view)
            self._clinic_panel.saved.connect(self._on_clinic_panel_saved)
        return self._clinic_panel

    def ensure_pin_view(self) -> None:
        """Build the PIN pad now (``run_gui`` does, with the pages, right after the first frame)."""
        if self._pin_view is None:
            self._build_pin_view()

    def _build_pin_view(self) -> None:
        self._pin_view = PinView(self._wants_landscape)
        self.views.addWidget(self._pin_view)
        self._pin_view.pin_entry.submitted.connect(self._on_pin_entry_submitted)
        self._pin_view.not_you_button.clicked.connect(self._on_not_you_button_clicked)

    def _build_setup_view(self) -> None:
        """A new installation: the first administrator."""
        panel = self._setup_panel = FirstAdminPanel(self._accounts)
        view = self._setup_view = QWidget()
        setup_row = QHBoxLayout()
        setup_row.addStretch(1)
        setup_row.addWidget(panel, 8)
        setup_row.addStretch(1)
        setup_layout = QVBoxLayout(view)
        setup_layout.setContentsMargins(0, 0, 0, 0)
        setup_layout.addLayout(setup_row)
        setup_layout.addStretch(1)  # the card keeps its height; the rest of the screen stays calm
        panel.setMaximumWidth(640)
        self.views.addWidget(view)
        panel.created.connect(self._on_setup_panel_created)

    def _connect_signals(self) -> None:
        self.countdown.timeout.connect(self._on_countdown_timeout)
        self.opening.chosen.connect(self._on_tile_clicked)

    @property
    def tiles(self) -> list[ConsultantTile]:
        return self.opening.tiles

    # ------------------------------------------------------------ public

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
        self.pin_view.chosen_badge.setText(initials(account.display_name))
        self.pin_view.chosen_name.setText(account.display_name)
        self.pin_entry.clear()
        self.views.setCurrentWidget(self.pin_view)
        self._show_lock_state()
        if self.pin_entry.isEnabled():
            self.pin_entry.focus()

    def show_clinic_logo(self, png: bytes | None) -> None:
        """The clinic's own logo in the header, as high as the app's icon and at most four
        times as wide; None (no logo set): the app's icon again."""
        header = self.opening.header
        picture = QPixmap()
        if png is None or not picture.loadFromData(png):
            if header.app_icon is not None:
                header.logo.setPixmap(header.app_icon)
                header.logo.setFixedSize(LOGO_PX, LOGO_PX)
            return
        ratio = self.devicePixelRatioF()
        picture = picture.scaled(round(LOGO_PX * 4 * ratio), round(LOGO_PX * ratio), Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
        picture.setDevicePixelRatio(ratio)
        header.logo.setPixmap(picture)
        header.logo.setFixedSize(round(picture.width() / ratio), LOGO_PX)
        header.logo.show()

    def is_setup(self) -> bool:
        return self._setup_view is not None and self.views.currentWidget() is self._setup_view

    def is_clinic_setup(self) -> bool:
        return self._clinic_view is not None and self.views.currentWidget() is self._clinic_view

    def clear_pin(self) -> None:
        """Forget a half-typed PIN (nothing to forget while the PIN pad was never built)."""
        if self._pin_view is not None:
            self._pin_view.pin_entry.clear()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        self.countdown.stop()  # nothing ticks behind the unlocked window
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self.chosen is not None and self._pin_view is not None and self.views.currentWidget() is self._pin_view:
            self._show_lock_state()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._wants_landscape = self.width() >= 1000
        if self._pin_view is not None:
            self._pin_view.reflow(self._wants_landscape)

    # ------------------------------------------------------------ lock-out

    def _show_lock_state(self) -> bool:
        """Grey out the PIN pad while the chosen account is locked; True when it is."""
        if self.chosen is None:
            return False
        state = self._accounts.lock_state(self.chosen.id)
        self.pin_view.show_lock_state(state.locked, state.message)
        if not state.locked:
            self.countdown.stop()
        elif not self.countdown.isActive():
            self.countdown.start()
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
        if self._clinic is None or self._clinic.settings().named:
            self.unlocked.emit(account)
            return
        self.clinic_panel.start(account)  # then the clinic, before the kiosk opens
        self.views.setCurrentWidget(self._clinic_view)
        self.clinic_panel.form.name.setFocus()

    def _on_clinic_panel_saved(self, account: ConsultantAccount) -> None:
        self.unlocked.emit(account)
