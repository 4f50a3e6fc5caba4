"""The clinic's identity as its admin types it: name, address, phone, e-mail, time zone, logo.

Used by the first-run set-up (lock screen) and the Clinic settings page. The form only
collects and shows: ``values()`` gives the typed values for ``ClinicService.update``, and
``show_errors`` puts ``ValidationError.errors`` (keys of ``check_changes``) next to the fields.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QCompleter,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain.clinic_settings import ClinicSettings, zone_names
from ...domain.errors import ValidationError
from ..logo_picture import logo_png
from .basics import button, label, show_field_error
from .field_errors import error_line

LOGO_PRINTED_CM = 4.0  # the PDF prints the logo about 4 cm wide (services.clinic_logo)
WIDE_FROM_PX = 900  # two columns from this width


def machine_timezone(zones: frozenset[str] | set[str] | None = None) -> str:
    """The machine's IANA zone (``Europe/Paris``): TZ, /etc/localtime's link, /etc/timezone,
    the local time's zone; "UTC" when none names a zone (a bare offset names none)."""
    zones = zones if zones is not None else zone_names()
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    candidates.append(datetime.now().astimezone().tzname() or "")  # "UTC" at best; "CET" is no city
    for candidate in candidates:
        if candidate in zones and ("/" in candidate or candidate == "UTC"):
            return candidate
    return "UTC"


class TimeZonePicker(QComboBox):
    """Every IANA zone, searchable: type any part ("Paris", "york") and pick from the list."""

    def __init__(self, zones: frozenset[str] | set[str], parent: QWidget | None = None):
        super().__init__(parent)
        self._zones = sorted(zones)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(12)
        self.setMinimumHeight(48)
        self.addItems(self._zones)
        self.setAccessibleName("Time zone")
        self.lineEdit().setAccessibleName("Time zone")
        self.lineEdit().setPlaceholderText("Type a city, e.g. Paris")
        finder = QCompleter(QStringListModel(self._zones, self), self)
        finder.setFilterMode(Qt.MatchFlag.MatchContains)
        finder.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        finder.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        finder.setMaxVisibleItems(10)
        self.setCompleter(finder)
        # The list pops up as its own window; owned by this field, it goes with it (and is
        # never an orphan window that a clean-up could delete before its completer does).
        finder.popup().setParent(self, finder.popup().windowFlags())
        finder.popup().setAccessibleName("Time zones found")

    def set_zone(self, zone: str) -> None:
        index = self.findText(zone)
        if index >= 0:
            self.setCurrentIndex(index)
        self.setEditText(zone)

    def zone(self) -> str:
        """The zone typed or chosen; a part naming one zone only ("paris") is that zone."""
        typed = self.currentText().strip()
        if typed in self._zones or not typed:
            return typed
        wanted = typed.replace(" ", "_").lower()
        exact = [zone for zone in self._zones if zone.lower() == wanted]
        found = exact or [zone for zone in self._zones if wanted in zone.lower()]
        return found[0] if len(found) == 1 else typed

    def matches(self, text: str) -> list[str]:
        """What the search list offers for ``text`` (the completer's rows)."""
        finder = self.completer()
        finder.setCompletionPrefix(text)
        model = finder.completionModel()
        return [model.index(row, 0).data() for row in range(model.rowCount())]


class LogoChooser(QWidget):
    """An optional logo: "Choose logo…" (PNG, SVG or JPEG), its preview at its printed size,
    "Remove logo". ``changed`` once the admin chose or removed one; ``png`` is then the new
    picture (None: no logo)."""

    def __init__(self, parent: QWidget | None = None, *,
                 pick_file: Callable[[QWidget], str] | None = None):
        super().__init__(parent)
        self._pick_file = pick_file or _ask_for_logo_file
        self.changed = False
        self.png: bytes | None = None
        self.preview = QLabel()
        self.preview.setAccessibleName("Logo preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setProperty("role", "logo-preview")
        self.none_words = label("No logo: the clinic's name is printed on its own.", "muted")
        self.choose_button = button("Choose logo…", "Choose a logo file (PNG, SVG or JPEG)")
        self.remove_button = button("Remove logo", "Remove the logo")
        self.error = label("", "error")
        self.error.setAccessibleName("Logo problem")
        self.error.hide()
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.none_words)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self._show(None)

    def load(self, png: bytes | None) -> None:
        """The stored logo (unchanged until the admin chooses or removes one)."""
        self.changed = False
        self.png = png
        self.show_error("")
        self._show(png)

    def choose_file(self, path: Path) -> bool:
        """Use the picture in ``path`` (checked and scaled as it will be stored); False, with the
        reason shown under the logo, when it is refused."""
        from ...services.clinic_logo import prepare_logo

        try:
            logo = prepare_logo(logo_png(path))
        except ValidationError as error:
            self.show_error(error.errors.get("logo", next(iter(error.errors.values()))))
            return False
        self.changed, self.png = True, logo.png
        self.show_error("")
        self._show(logo.png)
        return True

    def show_error(self, message: str) -> None:
        show_field_error(None, self.error, message)

    def printed_width_px(self) -> int:
        """The logo's printed width on this screen (about 4 cm), within what a page can show."""
        return max(96, min(220, round(LOGO_PRINTED_CM / 2.54 * self.logicalDpiX())))

    def _show(self, png: bytes | None) -> None:
        picture = QPixmap()
        if png is not None:
            picture.loadFromData(png)
        if picture.isNull():
            self.preview.clear()
            self.preview.hide()
            self.none_words.show()
            self.remove_button.setEnabled(False)
            return
        side = self.printed_width_px()
        self.preview.setPixmap(picture.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation))
        self.preview.show()
        self.none_words.hide()
        self.remove_button.setEnabled(True)

    def _on_choose_button_clicked(self) -> None:
        chosen = self._pick_file(self)
        if chosen:
            self.choose_file(Path(chosen))

    def _on_remove_button_clicked(self) -> None:
        self.changed, self.png = True, None
        self.show_error("")
        self._show(None)


def _ask_for_logo_file(parent: QWidget) -> str:
    chosen, _filter = QFileDialog.getOpenFileName(parent, "Choose the clinic's logo", str(Path.home()),
                                                  "Pictures (*.png *.svg *.jpg *.jpeg)")
    return chosen


class ClinicForm(QWidget):
    """Name (required), address, phone, e-mail, time zone, logo; two columns when wide."""

    def __init__(self, parent: QWidget | None = None, *, pick_file: Callable[[QWidget], str] | None = None):
        super().__init__(parent)
        self.name = _line("Clinic's name", "e.g. Clinique du Parc", 240)
        self.address = QPlainTextEdit()
        self.address.setAccessibleName("Clinic's address")
        self.address.setPlaceholderText("Street, postcode and town, one per line")
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(92)  # three lines; more scroll
        self.phone = _line("Clinic's phone number", "e.g. +33 1 23 45 67 89", 64)
        self.email = _line("Clinic's e-mail address", "e.g. contact@clinique-du-parc.fr", 400)
        self.timezone = TimeZonePicker(zone_names())
        self.logo = LogoChooser(pick_file=pick_file)
        self.fields: dict[str, QWidget] = {"name": self.name, "address": self.address, "phone": self.phone,
                                           "email": self.email, "timezone": self.timezone, "logo": self.logo}
        self.errors = {key: error_line() for key in self.fields}  # (their room kept: nothing moves)
        self.errors["logo"] = self.logo.error
        for key, error in self.errors.items():
            error.setAccessibleName(f"Problem with the {key}")
            error.hide()
        left, right = QVBoxLayout(), QVBoxLayout()
        for column in (left, right):
            column.setSpacing(4)
        self._add(left, "Name", "name")
        self._add(left, "Address", "address")
        self._add(left, "Phone", "phone")
        self._add(left, "E-mail", "email")
        self._add(right, "Time zone", "timezone")
        right.addWidget(label("Logo (optional, printed on PDFs)", "minor-heading"))
        right.addWidget(self.logo)
        left.addStretch(1)
        right.addStretch(1)
        self.columns = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.columns.setContentsMargins(0, 0, 0, 0)
        self.columns.setSpacing(24)
        self.columns.addLayout(left, 1)
        self.columns.addLayout(right, 1)
        self.setTabOrder(self.name, self.address)
        self.setTabOrder(self.address, self.phone)
        self.setTabOrder(self.phone, self.email)
        self.setTabOrder(self.email, self.timezone)

    def _add(self, column: QVBoxLayout, caption: str, key: str) -> None:
        caption_label = label(caption, "minor-heading")
        caption_label.setBuddy(self.fields[key])
        column.addWidget(caption_label)
        column.addWidget(self.fields[key])
        column.addWidget(self.errors[key])

    def load(self, settings: ClinicSettings, logo_png_bytes: bytes | None, *, default_zone: str | None = None) -> None:
        """Show ``settings`` (the default name shows as empty: the clinic has not given one)."""
        self.name.setText(settings.name if settings.named else "")
        self.address.setPlainText(settings.address or "")
        self.phone.setText(settings.phone or "")
        self.email.setText(settings.email or "")
        self.timezone.set_zone(settings.timezone or default_zone or machine_timezone())
        self.logo.load(logo_png_bytes)
        self.show_errors({})

    def values(self) -> dict[str, object]:
        """The identity fields as typed, for ``ClinicService.update`` (not the logo)."""
        return {"name": self.name.text(), "address": self.address.toPlainText(), "phone": self.phone.text(),
                "email": self.email.text(), "timezone": self.timezone.zone()}

    def show_errors(self, errors: dict[str, str]) -> QWidget | None:
        """Each message next to its field (others cleared); the first field at fault (or None)."""
        for key, error in self.errors.items():
            field = self.timezone.lineEdit() if key == "timezone" else None if key == "logo" else self.fields[key]
            show_field_error(field, error, errors.get(key, ""))
        first = next((self.fields[key] for key in self.fields if errors.get(key)), None)
        return self.logo.choose_button if first is self.logo else first

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        wide = self.width() >= WIDE_FROM_PX
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.columns.direction() != direction:
            self.columns.setDirection(direction)


def _line(accessible_name: str, placeholder: str, max_length: int) -> QLineEdit:
    # Longer than the validator allows, so a paste that is too long is named, not cut silently.
    field = QLineEdit()
    field.setAccessibleName(accessible_name)
    field.setPlaceholderText(placeholder)
    field.setMaxLength(max_length)
    return field
