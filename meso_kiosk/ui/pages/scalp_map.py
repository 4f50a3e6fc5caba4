"""Step 2 — Scalp map: mark today's zones, record the session, close it, see the history.

The map sits beside the form in landscape and above it in portrait. The open
session autosaves (debounced) while the consultant types; leaving the patient
saves too, and anything that could not be saved yet (a field still wrong) is
kept for that patient until they come back. Closing asks for an inline
confirmation; a closed session is corrected by an amendment with a reason,
shown beside the original.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Callable

from PySide6.QtCore import QTimer, Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.clock import Clock
from ...domain.errors import ValidationError
from ...domain.patient import Patient
from ...domain.lots import LotStatus, expiry_from_text
from ...domain.session import Technique, TreatmentSession, close_session
from ...services.sessions import SessionOverview, SessionService
from ...store.errors import StoreError
from ..widgets.basics import button, label, restyle, scrolling
from ..widgets.date_time import SessionDateTimePicker
from ..widgets.scalp_map_view import HistoryLegend, ScalpMapView, times
from .step import StepGuard, never_blocked

AUTOSAVE_MS = 1200
_LANDSCAPE_FROM_PX = 1000
TECHNIQUES = {
    Technique.CHEMICAL_SYRINGE.value: "Chemical — syringe",
    Technique.CHEMICAL_INJECTOR_GUN.value: "Chemical — injector gun",
    Technique.MECHANICAL_MICRONEEDLING.value: "Mechanical micro-needling",
}
NUMBING = {"none": "No numbing", "topical_anaesthetic": "Topical anaesthetic gel"}


def parse_local_datetime(text: str, clock: Clock) -> datetime | None:
    """``2026-11-22 10:30`` (clinic time) as an aware datetime; None when it is not one."""
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(\d{1,2})[:.h](\d{2})\s*", text or "")
    if not match:
        return None
    try:
        naive = datetime(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    return naive.replace(tzinfo=clock.tz)


def format_local_input(moment: datetime, clock: Clock) -> str:
    return clock.local(moment).strftime("%Y-%m-%d %H:%M")


def _who(actor: str, names: dict[str, str]) -> str:
    """An audit actor ("consultant:3") as the consultant's name; any other actor as it is."""
    return names.get(actor.removeprefix("consultant:"), actor) if actor.startswith("consultant:") else actor


def _short(clock: Clock, moment: datetime) -> str:
    return clock.format_local(moment)


class RowToggle(QCheckBox):
    """A check box whose whole row (not only the small square) toggles it."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setProperty("role", "row")
        self.setAccessibleName(text)
        self.setMinimumHeight(48)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def hitButton(self, pos) -> bool:
        return self.rect().contains(pos)


def _toggle_group(options: dict, accessible: str, columns: int) -> tuple[QWidget, QButtonGroup, dict]:
    box = QWidget()
    grid = QGridLayout(box)
    grid.setContentsMargins(0, 0, 0, 0)
    grid.setSpacing(8)
    group = QButtonGroup(box)
    group.setExclusive(True)
    buttons = {}
    for i, (value, text) in enumerate(options.items()):
        toggle = button(text, f"{accessible}: {text}", role="toggle")
        toggle.setCheckable(True)
        group.addButton(toggle)
        grid.addWidget(toggle, i // columns, i % columns)
        buttons[value] = toggle
    return box, group, buttons


class _Field(QWidget):
    """Caption, editor(s) and the message line beneath (error or warning)."""

    def __init__(self, caption: str, editor: QWidget, hint: str = ""):
        super().__init__()
        self.editor = editor
        self.message = label("", "error")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(4)
        title = label(caption)
        layout.addWidget(title)
        layout.addWidget(editor)
        if hint:
            layout.addWidget(label(hint, "muted"))
        layout.addWidget(self.message)

    def set_message(self, text: str | None, role: str = "error") -> None:
        self.message.setText(text or "")
        self.message.setProperty("role", role)
        restyle(self.message)
        self.message.setVisible(bool(text))
        if isinstance(self.editor, QLineEdit):
            self.editor.setProperty("invalid", bool(text) and role == "error")
            restyle(self.editor)
        elif isinstance(self.editor, SessionDateTimePicker):
            self.editor.set_invalid(bool(text) and role == "error")


def _line(accessible: str, placeholder: str = "", max_length: int = 200) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(accessible)
    edit.setPlaceholderText(placeholder)
    edit.setMaxLength(max_length)
    return edit


class ZoneRow(QFrame):
    """Injections, depth and volume for one selected zone."""

    def __init__(self, zone_id: str, zone_label: str, default_depth: float):
        super().__init__()
        self.zone_id = zone_id
        self.setProperty("role", "card")
        self.injections = _line(f"{zone_label}: number of injections", "e.g. 20", 6)
        self.depth = _line(f"{zone_label}: needle depth in mm", "mm", 6)
        self.depth.setText(f"{default_depth:g}")
        self.volume = _line(f"{zone_label}: volume in ml", "ml", 6)
        self.error = label("", "error")
        self.error.hide()
        layout = QGridLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setHorizontalSpacing(12)
        layout.setVerticalSpacing(2)
        layout.addWidget(label(zone_label, "subheading-small"), 0, 0, 1, 3)
        for column, (caption, editor) in enumerate(
            (("Injections", self.injections), ("Depth (mm)", self.depth), ("Volume (ml)", self.volume))
        ):
            layout.addWidget(label(caption, "muted"), 1, column)
            layout.addWidget(editor, 2, column)
        layout.addWidget(self.error, 3, 0, 1, 3)

    def values(self) -> dict:
        return {"injections": self.injections.text(), "depth_mm": self.depth.text(), "volume_ml": self.volume.text()}

    def set_values(self, values: dict) -> None:
        for editor, key in ((self.injections, "injections"), (self.depth, "depth_mm"), (self.volume, "volume_ml")):
            value = values.get(key)
            editor.setText("" if value is None else (f"{value:g}" if isinstance(value, float) else str(value)))

    def show_errors(self, errors: dict[str, str]) -> None:
        prefix = f"zones.{self.zone_id}."
        messages = [message for key, message in errors.items() if key.startswith(prefix)]
        for editor, key in ((self.injections, "injections"), (self.depth, "depth_mm"), (self.volume, "volume_ml")):
            editor.setProperty("invalid", prefix + key in errors)
            restyle(editor)
        self.error.setText("\n".join(dict.fromkeys(messages)))
        self.error.setVisible(bool(messages))


class ProductRow(QFrame):
    """Product name, lot and expiry; the lot check shows under the row."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, product_names: list[str]):
        super().__init__()
        self.setProperty("role", "card")
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.setAccessibleName("Product name")
        self.name.addItems(product_names)
        self.name.setCurrentIndex(-1)
        self.name.lineEdit().setPlaceholderText("Product name")
        self.name.lineEdit().setMaxLength(120)
        self.lot = _line("Lot number", "Lot, as printed on the box", 40)
        self.expiry = _line("Lot expiry date", "YYYY-MM or YYYY-MM-DD", 10)
        self.remove_button = button("Remove", "Remove this product")
        self.message = label("", "error")
        self.message.hide()
        layout = QGridLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setHorizontalSpacing(12)
        layout.setVerticalSpacing(2)
        layout.addWidget(label("Product", "muted"), 0, 0, 1, 3)
        layout.addWidget(self.name, 1, 0, 1, 3)
        layout.addWidget(label("Lot number", "muted"), 2, 0)
        layout.addWidget(label("Expiry date", "muted"), 2, 1)
        layout.addWidget(self.lot, 3, 0)
        layout.addWidget(self.expiry, 3, 1)
        layout.addWidget(self.remove_button, 3, 2)
        layout.addWidget(self.message, 4, 0, 1, 3)
        layout.setColumnStretch(0, 3)
        layout.setColumnStretch(1, 2)
        self.name.currentTextChanged.connect(self.changed)
        self.lot.textChanged.connect(self.changed)
        self.expiry.textChanged.connect(self.changed)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))

    def values(self) -> dict:
        return {"name": self.name.currentText(), "lot": self.lot.text(), "expiry": self.expiry.text()}

    def set_values(self, values: dict) -> None:
        self.name.setCurrentText(values.get("name") or "")
        self.lot.setText(values.get("lot") or "")
        expiry = values.get("expiry")
        self.expiry.setText(expiry.isoformat() if isinstance(expiry, date) else (expiry or ""))

    def set_message(self, text: str | None, role: str = "error") -> None:
        self.message.setText(text or "")
        self.message.setProperty("role", role)
        restyle(self.message)
        self.message.setVisible(bool(text))


class ScalpMapPage(QWidget):
    """The scalp-map step for one patient."""

    saved = Signal(object)  # TreatmentSession
    closed = Signal(object)  # TreatmentSession

    def __init__(self, sessions: SessionService, clock: Clock, actor: Callable[[], str],
                 parent: QWidget | None = None, *, guard: StepGuard = never_blocked):
        super().__init__(parent)
        self._guard = guard  # an intake stop holds the step back (see ConsultationStep)
        self._sessions = sessions
        self._clock = clock
        self._actor = actor
        self._patient: Patient | None = None
        self._overview: SessionOverview | None = None
        self._session_id: int | None = None
        self._amending: int | None = None  # session id being corrected
        self._loading = False
        self._dirty = False
        self._zone_rows: dict[str, ZoneRow] = {}
        self._zone_values: dict[str, dict] = {}  # typed values kept when a zone is unselected
        self._product_rows: list[ProductRow] = []
        self._unsaved: dict[int, dict] = {}  # patient id -> form values not yet valid
        self._last_tapped: str | None = None
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._build()
        self._connect_signals()
        self._show_state()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        geometry = self._sessions.geometry
        settings = self._sessions.settings
        # Map column.
        self.map = ScalpMapView(geometry)
        self.history_toggle = button("Show history", "Show earlier sessions on the map")
        self.history_toggle.setCheckable(True)
        self.legend = HistoryLegend()
        self.map_hint = label("", "muted")
        self.zone_history_title = label("Zone history", "subheading-small")
        self.zone_history = label("Tap a zone to see when it was treated before.", "muted")
        self.zone_history.setAccessibleName("Zone history")
        # Room for the latest entries, so the card never clips (the map gives way instead).
        self.zone_history.setMinimumHeight(self.zone_history.fontMetrics().lineSpacing() * 4 + 4)
        self.zone_history.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        history_card = QFrame()
        history_card.setProperty("role", "card")
        history_layout = QVBoxLayout(history_card)
        history_layout.setContentsMargins(12, 8, 12, 8)
        history_layout.setSpacing(4)
        history_layout.addWidget(self.zone_history_title)
        history_layout.addWidget(self.zone_history)
        history_layout.addStretch(1)  # the text stays at the top of a tall card
        map_top = QHBoxLayout()
        map_top.addWidget(self.map_hint, 1)
        map_top.addWidget(self.history_toggle)
        self.map_panel = QWidget()
        map_layout = QVBoxLayout(self.map_panel)
        map_layout.setContentsMargins(0, 0, 0, 0)
        map_layout.setSpacing(8)
        map_layout.addLayout(map_top)
        # Landscape: the map on top, legend and zone history side by side beneath it.
        # Portrait: legend and zone history in a column beside the map (the head is taller
        # than wide, so the space beside it is free), leaving the height to the form.
        self._map_row = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._map_row.setSpacing(12)
        self._map_row.addWidget(self.map, 1)
        self._under_map = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._under_map.setSpacing(12)
        self._under_map.addWidget(self.legend, 2)
        self._under_map.addWidget(history_card, 3)
        self._map_row.addLayout(self._under_map)
        map_layout.addLayout(self._map_row, 1)

        # Form column.
        self.status = label("", "muted")
        self.saved_label = label("", "saved")
        self.banner = label("", "banner-error")
        self.banner.hide()
        self.start_button = button("Start today's session", "Start a new treatment session", primary=True)
        self.started_at = SessionDateTimePicker(self._clock, "Session date and time")
        self.consultant = QComboBox()
        self.consultant.setAccessibleName("Consultant")
        techniques, self.technique_group, self.technique_buttons = _toggle_group(TECHNIQUES, "Technique", 1)
        numbing, self.numbing_group, self.numbing_buttons = _toggle_group(NUMBING, "Numbing", 2)
        self.zones_box = QVBoxLayout()
        self.zones_box.setSpacing(8)
        self.zones_empty = label("No zone marked yet: tap the treated zones on the map.", "muted")
        zones_widget = QWidget()
        zones_layout = QVBoxLayout(zones_widget)
        zones_layout.setContentsMargins(0, 0, 0, 0)
        zones_layout.addWidget(self.zones_empty)
        zones_layout.addLayout(self.zones_box)
        self.products_box = QVBoxLayout()
        self.products_box.setSpacing(8)
        self.add_product_button = button("Add product", "Add a product used in this session")
        products_widget = QWidget()
        products_layout = QVBoxLayout(products_widget)
        products_layout.setContentsMargins(0, 0, 0, 0)
        products_layout.addLayout(self.products_box)
        products_layout.addWidget(self.add_product_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.duration = _line("Session length in minutes", "minutes", 4)
        self.side_effect_toggles: dict[str, RowToggle] = {}
        effects_widget = QWidget()
        self._effects_grid = QGridLayout(effects_widget)
        self._effects_grid.setContentsMargins(0, 0, 0, 0)
        self._effects_grid.setSpacing(8)
        for effect in self._sessions.side_effects:
            self.side_effect_toggles[effect.id] = RowToggle(effect.label)
        self.side_effects_other = _line("Other side effects", "Anything else observed", 500)
        shedding_options = {"": "Not asked"} | {str(i): text for i, text in enumerate(settings.shedding_labels)}
        satisfaction_options = {"": "Not asked"} | {
            str(i + 1): text for i, text in enumerate(settings.satisfaction_labels)}
        shedding, self.shedding_group, self.shedding_buttons = _toggle_group(shedding_options, "Shedding", 2)
        satisfaction, self.satisfaction_group, self.satisfaction_buttons = _toggle_group(
            satisfaction_options, "Satisfaction", 2)
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes")
        self.notes.setFixedHeight(96)
        self.totals = label("", None)
        self.totals.setAccessibleName("Totals")
        self.reason = _line("Reason for the correction", "Why is this record being corrected?", 1000)

        self.fields: dict[str, _Field] = {
            "started_at": _Field(
                "Date and time (clinic time)", self.started_at,
                "Tap the date for a calendar; the time moves in 5-minute steps or can be typed."),
            "consultant_id": _Field("Consultant", self.consultant),
            "technique": _Field("Technique", techniques),
            "numbing": _Field("Numbing", numbing),
            "zones": _Field("Zones treated (from the map)", zones_widget),
            "products": _Field("Products and lots", products_widget),
            "duration_min": _Field("Session length (minutes)", self.duration),
            "side_effects": _Field("Side effects observed", effects_widget),
            "side_effects_other": _Field("Other side effects (optional)", self.side_effects_other),
            "shedding": _Field("Shedding since last session (patient says)", shedding),
            "satisfaction": _Field("Satisfaction so far (patient says)", satisfaction),
            "notes": _Field("Notes (optional)", self.notes),
            "reason": _Field("Reason for the correction", self.reason),
        }
        self.fields["reason"].hide()

        self.save_button = button("Save now", "Save the session draft now")
        self.close_button = button("Close session…", "Close the session", primary=True)
        self.amend_save_button = button("Save correction", "Save the correction to the closed session", primary=True)
        self.amend_cancel_button = button("Cancel correction", "Cancel the correction")
        self.confirm_text = label(
            "Closing makes this record final: it cannot be edited afterwards, only corrected with an "
            "amendment that gives a reason. Close the session now?")
        self.confirm_back = button("Go back", "Do not close the session")
        self.confirm_close = button("Yes, close session", "Confirm closing the session", primary=True)
        self.confirm_panel = QFrame()
        self.confirm_panel.setProperty("role", "card")
        confirm_layout = QVBoxLayout(self.confirm_panel)
        confirm_layout.setContentsMargins(16, 12, 16, 12)
        confirm_layout.addWidget(self.confirm_text)
        confirm_row = QHBoxLayout()
        confirm_row.addStretch(1)
        confirm_row.addWidget(self.confirm_back)
        confirm_row.addWidget(self.confirm_close)
        confirm_layout.addLayout(confirm_row)
        self.confirm_panel.hide()

        self.form_box = QWidget()
        form_layout = QVBoxLayout(self.form_box)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.setSpacing(8)
        for key in ("reason", "started_at", "consultant_id", "technique", "numbing", "zones", "products",
                    "duration_min", "side_effects", "side_effects_other", "shedding", "satisfaction", "notes"):
            form_layout.addWidget(self.fields[key])
        form_layout.addWidget(self.totals)
        actions = QHBoxLayout()
        actions.addWidget(self.saved_label, 1)
        actions.addWidget(self.save_button)
        actions.addWidget(self.close_button)
        actions.addWidget(self.amend_cancel_button)
        actions.addWidget(self.amend_save_button)
        form_layout.addLayout(actions)
        form_layout.addWidget(self.confirm_panel)

        self.earlier_box = QVBoxLayout()
        self.earlier_box.setSpacing(8)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 8, 16)
        body_layout.setSpacing(12)
        self.form_title = label("Today's session", "subheading")
        body_layout.addWidget(self.form_title)
        body_layout.addWidget(self.status)
        body_layout.addWidget(self.banner)
        body_layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignLeft)
        body_layout.addWidget(self.form_box)
        body_layout.addWidget(label("Earlier sessions", "subheading"))
        body_layout.addLayout(self.earlier_box)
        body_layout.addStretch(1)
        self.form_scroll = scrolling(body)

        self._layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._layout.setContentsMargins(24, 8, 16, 8)
        self._layout.setSpacing(24)
        self._layout.addWidget(self.map_panel, 5)
        self._layout.addWidget(self.form_scroll, 6)
        self._arrange(landscape=True)

    def _arrange(self, *, landscape: bool) -> None:
        direction = QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom
        self._layout.setDirection(direction)
        self._landscape = landscape
        self._layout.setStretch(0, 5 if landscape else 0)
        self._map_row.setDirection(
            QBoxLayout.Direction.TopToBottom if landscape else QBoxLayout.Direction.LeftToRight)
        self._map_row.setStretch(0, 1 if landscape else 3)
        self._map_row.setStretch(1, 0 if landscape else 2)
        self._under_map.setDirection(
            QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)
        self._under_map.setStretch(0, 2 if landscape else 0)
        self._under_map.setStretch(1, 3 if landscape else 1)
        columns = 1 if landscape else 2
        for i, toggle in enumerate(self.side_effect_toggles.values()):
            self._effects_grid.addWidget(toggle, i // columns, i % columns)

    def resizeEvent(self, event) -> None:
        landscape = event.size().width() >= _LANDSCAPE_FROM_PX
        if landscape != getattr(self, "_landscape", None):
            self._arrange(landscape=landscape)
        if landscape:
            self.map.setMinimumHeight(280)
            self.map.setMaximumHeight(16777215)
        else:
            # Portrait: the map keeps a fixed share on top, the form scrolls below it.
            self.map.setFixedHeight(max(340, min(520, int(event.size().height() * 0.34))))
        super().resizeEvent(event)

    def _connect_signals(self) -> None:
        self.map.selection_changed.connect(self._on_map_selection_changed)
        self.map.zone_tapped.connect(self._on_map_zone_tapped)
        self.history_toggle.toggled.connect(self._on_history_toggle_toggled)
        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.add_product_button.clicked.connect(self._on_add_product_button_clicked)
        self.save_button.clicked.connect(self.flush)
        self.close_button.clicked.connect(self._on_close_button_clicked)
        self.confirm_back.clicked.connect(self._on_confirm_back_clicked)
        self.confirm_close.clicked.connect(self._on_confirm_close_clicked)
        self.amend_save_button.clicked.connect(self._on_amend_save_button_clicked)
        self.amend_cancel_button.clicked.connect(self._on_amend_cancel_button_clicked)
        self._autosave.timeout.connect(self.flush)
        self.started_at.changed.connect(self._on_form_changed)
        for edit in (self.duration, self.side_effects_other):
            edit.textChanged.connect(self._on_form_changed)
        self.notes.textChanged.connect(self._on_form_changed)
        self.consultant.currentIndexChanged.connect(self._on_form_changed)
        for group in (self.technique_group, self.numbing_group, self.shedding_group, self.satisfaction_group):
            group.buttonToggled.connect(lambda *_: self._on_form_changed())
        for toggle in self.side_effect_toggles.values():
            toggle.toggled.connect(self._on_form_changed)

    # ------------------------------------------------------------ patient in

    def show_patient(self, patient: Patient) -> None:
        if self._patient is not None and self._patient.id != patient.id:
            self.flush()
        self._patient = patient
        self._amending = None
        self._last_tapped = None
        self.zone_history_title.setText("Zone history")
        self.zone_history.setText("Tap a zone to see when it was treated before.")
        self.refresh()

    def blocked_reason(self) -> str | None:
        return self._guard(self._patient) if self._patient is not None else None

    def refresh(self) -> None:
        """Reload the patient's sessions and show the open one (or the start button)."""
        if self._patient is None:
            return
        self._autosave.stop()
        self._overview = self._sessions.overview(self._patient.id)
        self.map.set_history(self._overview.history.counts)
        draft = self._overview.draft
        self._session_id = draft.session_id if draft else None
        self._load_consultants()
        kept = self._unsaved.pop(self._patient.id, None)
        if kept is not None and kept.get("session_id") == self._session_id and draft is not None:
            self._load_values(kept)
            self._dirty = True
            self.saved_label.setText("Not saved yet: check the marked fields.")
            self._validate_only()
        elif draft is not None:
            self._load_session(draft)
            self._dirty = False
            self.saved_label.setText(f"Saved · started {_short(self._clock, draft.started_at)}")
            self._show_errors({})
        else:
            self._show_errors({})
        self._show_earlier()
        if self._overview.closed and not self._session_id and not self.history_toggle.isChecked():
            self.history_toggle.setChecked(True)  # nothing to mark yet: show what was done
        self._show_state()
        self._update_totals()
        if self._last_tapped:
            self._show_zone_history(self._last_tapped)

    def _load_consultants(self) -> None:
        self._loading = True
        self.consultant.clear()
        self.consultant.addItem("Choose…", None)
        for row in self._sessions.consultants():
            self.consultant.addItem(row.display_name, str(row.id))
        self._loading = False

    def _show_state(self) -> None:
        has_patient = self._patient is not None
        editing = self._session_id is not None or self._amending is not None
        refusal = self._sessions.consent_refusal(self._patient.id) if has_patient else None
        self.form_box.setVisible(editing)
        self.start_button.setVisible(has_patient and not editing)
        self.start_button.setEnabled(not refusal)
        self.map.set_editable(editing)
        amending = self._amending is not None
        self.fields["reason"].setVisible(amending)
        for widget in (self.save_button, self.close_button):
            widget.setVisible(not amending)
        for widget in (self.amend_save_button, self.amend_cancel_button):
            widget.setVisible(amending)
        if not editing:
            self.confirm_panel.hide()
        if amending:
            self.form_title.setText("Correct a closed session")
            self.status.setText("The original stays as it was; the correction is kept beside it with your reason.")
            self.map_hint.setText("Tap zones to correct which were treated.")
        elif editing:
            self.form_title.setText("Today's session")
            self.status.setText("In progress · saved automatically while you type.")
            self.map_hint.setText("Tap the zones treated in this session.")
        else:
            self.form_title.setText("Today's session")
            if refusal:
                self.status.setText(f"A session cannot be started: {refusal}")
            else:
                self.status.setText("No session in progress for this patient.")
            self.map_hint.setText("Start a session to mark zones. Tap a zone to see its history.")
            self.map.set_selected(())

    # ------------------------------------------------------------ form values

    def _load_session(self, session: TreatmentSession) -> None:
        self._load_values({
            "session_id": session.session_id,
            "started_at": format_local_input(session.started_at, self._clock),
            "consultant_id": session.consultant_id,
            "technique": session.technique.value,
            "numbing": session.numbing.value,
            "zones": {z.zone_id: {"injections": z.injections, "depth_mm": z.depth_mm, "volume_ml": z.volume_ml}
                      for z in session.zones},
            "products": [{"name": p.name, "lot": p.lot, "expiry": p.expiry} for p in session.products],
            "duration_min": "" if session.duration_min is None else str(session.duration_min),
            "side_effects": list(session.side_effects),
            "side_effects_other": session.side_effects_other or "",
            "shedding": "" if session.shedding is None else str(session.shedding),
            "satisfaction": "" if session.satisfaction is None else str(session.satisfaction),
            "notes": session.notes or "",
        })

    def _load_values(self, values: dict) -> None:
        self._loading = True
        try:
            self.started_at.set_local_text(values.get("started_at") or "")
            index = self.consultant.findData(values.get("consultant_id"))
            self.consultant.setCurrentIndex(max(0, index))
            self._check(self.technique_buttons, values.get("technique"))
            self._check(self.numbing_buttons, values.get("numbing") or "none")
            self._zone_values = {k: dict(v) for k, v in (values.get("zones") or {}).items()}
            self.map.set_selected(self._zone_values)
            self._sync_zone_rows()
            for row in list(self._product_rows):
                self._remove_product_row(row)
            for product in values.get("products") or []:
                self._add_product_row().set_values(product)
            self.duration.setText(values.get("duration_min") or "")
            for effect_id, toggle in self.side_effect_toggles.items():
                toggle.setChecked(effect_id in (values.get("side_effects") or ()))
            self.side_effects_other.setText(values.get("side_effects_other") or "")
            self._check(self.shedding_buttons, values.get("shedding") or "")
            self._check(self.satisfaction_buttons, values.get("satisfaction") or "")
            self.notes.setPlainText(values.get("notes") or "")
            self.reason.setText(values.get("reason") or "")
        finally:
            self._loading = False
        self._update_lot_messages()
        self._update_totals()

    @staticmethod
    def _check(buttons: dict[str, QPushButton], value) -> None:
        toggle = buttons.get(value)
        if toggle is not None:
            toggle.setChecked(True)

    @staticmethod
    def _checked(buttons: dict[str, QPushButton]) -> str | None:
        return next((value for value, toggle in buttons.items() if toggle.isChecked()), None)

    def form_values(self) -> dict:
        """What is on screen, as typed (nothing is lost when it is not valid yet)."""
        zones = {zone_id: row.values() for zone_id, row in self._zone_rows.items()}
        return {
            "session_id": self._amending or self._session_id,
            "started_at": self.started_at.local_text(),
            "consultant_id": self.consultant.currentData(),
            "technique": self._checked(self.technique_buttons),
            "numbing": self._checked(self.numbing_buttons),
            "zones": zones,
            "products": [row.values() for row in self._product_rows],
            "duration_min": self.duration.text(),
            "side_effects": [effect_id for effect_id, t in self.side_effect_toggles.items() if t.isChecked()],
            "side_effects_other": self.side_effects_other.text(),
            "shedding": self._checked(self.shedding_buttons) or "",
            "satisfaction": self._checked(self.satisfaction_buttons) or "",
            "notes": self.notes.toPlainText(),
            "reason": self.reason.text(),
        }

    def _service_form(self) -> dict:
        values = self.form_values()
        started = parse_local_datetime(values["started_at"], self._clock)
        if started is None:
            raise ValidationError.single(
                "started_at", "Enter the date and time as YYYY-MM-DD HH:MM, for example 2026-11-22 10:30.")
        form = {key: value for key, value in values.items() if key != "reason"}
        form["started_at"] = started
        return form

    # ------------------------------------------------------------ zones and products

    def _sync_zone_rows(self) -> None:
        selected = self.map.selected()
        geometry = self._sessions.geometry
        for zone_id in list(self._zone_rows):
            if zone_id not in selected:
                row = self._zone_rows.pop(zone_id)
                self._zone_values[zone_id] = row.values()
                row.hide()
                row.deleteLater()
        for zone_id in geometry.zone_ids:  # map order
            if zone_id in selected and zone_id not in self._zone_rows:
                row = ZoneRow(zone_id, geometry.zone(zone_id).label, self._sessions.settings.default_depth_mm)
                if zone_id in self._zone_values:
                    row.set_values(self._zone_values[zone_id])
                for edit in (row.injections, row.depth, row.volume):
                    edit.textChanged.connect(self._on_form_changed)
                self._zone_rows[zone_id] = row
        for i, zone_id in enumerate(z for z in geometry.zone_ids if z in self._zone_rows):
            self.zones_box.insertWidget(i, self._zone_rows[zone_id])
        self.zones_empty.setVisible(not self._zone_rows)

    def _add_product_row(self) -> ProductRow:
        row = ProductRow([option.name for option in self._sessions.settings.usual_products])
        row.changed.connect(self._on_form_changed)
        row.changed.connect(self._update_lot_messages)
        row.remove_requested.connect(self._on_product_remove_requested)
        self._product_rows.append(row)
        self.products_box.addWidget(row)
        return row

    def _remove_product_row(self, row: ProductRow) -> None:
        self._product_rows.remove(row)
        row.hide()
        row.deleteLater()

    def _update_lot_messages(self) -> None:
        started = parse_local_datetime(self.started_at.local_text(), self._clock)
        for row in self._product_rows:
            expiry = expiry_from_text(row.expiry.text())  # a month alone means its last day, as on boxes
            if expiry is None:
                row.set_message(None)
                continue
            check = self._sessions.lot_check(expiry, started)
            if check.status is LotStatus.EXPIRED:
                row.set_message(f"✖ {check.message}", "error")
            elif check.status is LotStatus.EXPIRING_SOON:
                row.set_message(f"⚠ {check.message}", "warning")
            else:
                row.set_message(None)

    def _update_totals(self) -> None:
        selected = self.map.selected()
        injections, volume = 0, 0.0
        for row in self._zone_rows.values():
            values = row.values()
            try:
                injections += int(values["injections"] or 0)
            except ValueError:
                pass
            try:
                volume += float((values["volume_ml"] or "0").replace(",", "."))
            except ValueError:
                pass
        earlier = self._overview.history if self._overview else None
        this, cumulative = self._sessions.coverage(selected, earlier)
        self.totals.setText(
            f"Totals: {injections} injections · {round(volume, 3):g} ml · {len(selected)} "
            f"zone{'s' if len(selected) != 1 else ''}\n"
            f"{this:.0f} % of the scalp this session · {cumulative:.0f} % treated at least once "
            "(earlier sessions and this one)"
        )

    # ------------------------------------------------------------ saving

    def _on_form_changed(self, *_args) -> None:
        if self._loading:
            return
        self._dirty = True
        self._update_totals()
        if self._amending is None and self._session_id is not None:
            self.saved_label.setText("Editing…")
            self._autosave.start()

    def flush(self) -> bool:
        """Save the open draft now; False when a field is wrong (what was typed is kept)."""
        self._autosave.stop()
        if self._patient is None or self._session_id is None or self._amending is not None or not self._dirty:
            return True
        try:
            form = self._service_form()
            result = self._sessions.save_draft(self._patient.id, form, self._actor())
        except ValidationError as error:
            self._unsaved[self._patient.id] = self.form_values()
            self._show_errors(error.errors)
            self.saved_label.setText("Not saved yet: check the marked fields.")
            return False
        except StoreError as error:
            self._unsaved[self._patient.id] = self.form_values()
            self._show_banner(str(error))
            return False
        self._unsaved.pop(self._patient.id, None)
        self._dirty = False
        self._show_errors({})
        for warning in result.warnings:
            self._field_warning(warning.field, warning.message)
        self.saved_label.setText(f"Saved at {self._clock.format_local(self._clock.now_utc())[-5:]}")
        self.saved.emit(result.session)
        return True

    def _validate_only(self) -> None:
        try:
            form = self._service_form()
            self._sessions.validate(form)
        except ValidationError as error:
            self._show_errors(error.errors)

    def _field_warning(self, field: str, message: str) -> None:
        match = re.fullmatch(r"products\.(\d+)\.expiry", field)
        if match and int(match[1]) < len(self._product_rows):
            self._product_rows[int(match[1])].set_message(f"⚠ {message}", "warning")

    def _show_banner(self, text: str | None) -> None:
        self.banner.setText(text or "")
        self.banner.setVisible(bool(text))

    def _show_errors(self, errors: dict[str, str]) -> None:
        self._errors = dict(errors)
        for key, field in self.fields.items():
            field.set_message(errors.get(key))
        for row in self._zone_rows.values():
            row.show_errors(errors)
        for index, row in enumerate(self._product_rows):
            messages = [m for k, m in errors.items() if k.startswith(f"products.{index}.")]
            if messages:
                row.set_message("✖ " + "\n".join(dict.fromkeys(messages)), "error")
        self._update_lot_messages_keep_errors(errors)
        known = [k for k in errors if k in self.fields or k.startswith(("zones.", "products."))]
        unknown = [errors[k] for k in errors if k not in known]
        if errors:
            count = len(errors)
            text = f"Not saved: {count} field{'s' if count != 1 else ''} need{'s' if count == 1 else ''} attention."
            self._show_banner("\n".join([text, *unknown]))
        else:
            self._show_banner(None)

    def _update_lot_messages_keep_errors(self, errors: dict[str, str]) -> None:
        for index, row in enumerate(self._product_rows):
            if not any(k.startswith(f"products.{index}.") for k in errors):
                row.set_message(None)
        started = parse_local_datetime(self.started_at.local_text(), self._clock)
        for index, row in enumerate(self._product_rows):
            if any(k.startswith(f"products.{index}.") for k in errors):
                continue
            expiry = expiry_from_text(row.expiry.text())
            if expiry is None:
                continue
            check = self._sessions.lot_check(expiry, started)
            if check.status is LotStatus.EXPIRING_SOON:
                row.set_message(f"⚠ {check.message}", "warning")

    # ------------------------------------------------------------ handlers

    def _on_start_button_clicked(self) -> None:
        if self._patient is None:
            return
        try:
            self._sessions.start(self._patient.id, self._actor())
        except ValidationError as error:
            self._show_banner("\n".join(error.errors.values()))
            return
        self.refresh()
        self.map.setFocus()

    def _on_map_selection_changed(self, _selected) -> None:
        self._sync_zone_rows()
        self._on_form_changed()

    def _on_map_zone_tapped(self, zone_id: str) -> None:
        self._last_tapped = zone_id
        self._show_zone_history(zone_id)

    def _show_zone_history(self, zone_id: str) -> None:
        if self._patient is None:
            return
        zone_label = self._sessions.geometry.zone(zone_id).label
        entries = self._sessions.zone_history(self._patient.id, zone_id)
        self.zone_history_title.setText(
            f"Zone history — {zone_label}: treated {times(len(entries))}" if entries
            else f"Zone history — {zone_label}")
        if not entries:
            self.zone_history.setText("Not treated in an earlier session.")
            return
        lines = []
        for entry in reversed(entries[-2:]):
            products = ", ".join(entry.products) or "no product"
            lines.append(
                f"{self._clock.local(entry.started_at).strftime('%d %b %Y')}: {entry.injections} injections, "
                f"{entry.depth_mm:g} mm, {entry.volume_ml:g} ml · {products}")
        if len(entries) > 2:
            lines.append(f"… and {len(entries) - 2} earlier (see Earlier sessions)")
        self.zone_history.setText("\n".join(lines))

    def _on_history_toggle_toggled(self, checked: bool) -> None:
        self.map.set_history_visible(checked)
        self.legend.set_history_visible(checked)
        self.history_toggle.setText("Hide history" if checked else "Show history")

    def _on_add_product_button_clicked(self) -> None:
        row = self._add_product_row()
        row.name.setFocus()
        self._on_form_changed()

    def _on_product_remove_requested(self, row: ProductRow) -> None:
        self._remove_product_row(row)
        self._on_form_changed()

    def _on_close_button_clicked(self) -> None:
        # Check before asking: the confirmation only appears for a session that can close.
        if not self.flush() and self._dirty:
            return
        try:
            session = self._sessions.validate(self._service_form())
            close_session(session, closed_at=self._clock.now_utc())
        except ValidationError as error:
            self._show_errors(error.errors)
            return
        self.confirm_panel.show()
        self.confirm_close.setFocus()
        self.form_scroll.ensureWidgetVisible(self.confirm_panel)

    def _on_confirm_back_clicked(self) -> None:
        self.confirm_panel.hide()

    def _on_confirm_close_clicked(self) -> None:
        self.confirm_panel.hide()
        if self._patient is None:
            return
        try:
            result = self._sessions.close(self._patient.id, self._service_form(), self._actor())
        except ValidationError as error:
            self._show_errors(error.errors)
            return
        except StoreError as error:
            self._show_banner(str(error))
            return
        self._dirty = False
        self._unsaved.pop(self._patient.id, None)
        self.refresh()
        self.saved_label.setText("")
        self.status.setText(
            f"Session closed at {self._clock.format_local(result.session.closed_at)[-5:]}. "
            "It now counts in the history.")
        self.closed.emit(result.session)

    def _on_amend_requested(self, session_id: int) -> None:
        if not self.flush():
            return
        record = next(r for r in self._overview.records if r.session_id == session_id)
        self._amending = session_id
        self._show_state()
        self._load_session(record.effective)
        self._show_errors({})
        self.form_scroll.ensureWidgetVisible(self.form_title)
        self.reason.setFocus()

    def _on_amend_cancel_button_clicked(self) -> None:
        self._amending = None
        self.refresh()

    def _on_amend_save_button_clicked(self) -> None:
        if self._amending is None:
            return
        try:
            self._sessions.amend(self._amending, self._service_form(), self.reason.text(), self._actor())
        except ValidationError as error:
            self._show_errors(error.errors)
            return
        self._amending = None
        self.refresh()
        self.status.setText("Correction saved beside the original.")

    # ------------------------------------------------------------ earlier sessions

    def _show_earlier(self) -> None:
        while self.earlier_box.count():
            item = self.earlier_box.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        closed = list(reversed(self._overview.closed)) if self._overview else []
        if not closed:
            self.earlier_box.addWidget(label("No closed session yet.", "muted"))
            return
        names = self._sessions.consultant_names()
        geometry = self._sessions.geometry
        for record in closed:
            self.earlier_box.addWidget(self._session_card(record, names, geometry))

    def _session_card(self, record, names, geometry) -> QFrame:
        session = record.original
        card = QFrame()
        card.setProperty("role", "card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(4)
        layout.addWidget(label(
            f"{self._clock.format_local(session.started_at)} · {names.get(session.consultant_id, 'unknown consultant')}"
            f" · {TECHNIQUES[session.technique.value]}", "subheading-small"))
        layout.addWidget(label(self._summary(session, geometry)))
        for stored in record.amendments:
            amendment = stored.amendment
            changes = "; ".join(
                f"{self._field_caption(c.field, geometry)}: {c.before or '—'} → {c.after or '—'}"
                for c in amendment.changes)
            note = label(
                f"✎ Corrected {self._clock.format_local(amendment.amended_at)} by {_who(amendment.amended_by, names)}. "
                f"Reason: {amendment.reason}\n{changes}", "amendment")
            layout.addWidget(note)
        row = QHBoxLayout()
        row.addStretch(1)
        amend = button("Correct…", f"Correct the session of {self._clock.format_local(session.started_at)}")
        amend.clicked.connect(lambda _=False, sid=record.session_id: self._on_amend_requested(sid))
        row.addWidget(amend)
        layout.addLayout(row)
        return card

    @staticmethod
    def _field_caption(path: str, geometry) -> str:
        """``zones.vertex.depth_mm`` -> ``Vertex (crown) depth (mm)``, in consultant words."""
        words = {
            "started_at": "date and time", "consultant_id": "consultant", "technique": "technique",
            "numbing": "numbing", "duration_min": "session length (min)", "side_effects": "side effects",
            "side_effects_other": "other side effects", "shedding": "shedding", "satisfaction": "satisfaction",
            "notes": "notes", "zones": "zones", "injections": "injections", "depth_mm": "depth (mm)",
            "volume_ml": "volume (ml)", "name": "name", "lot": "lot", "expiry": "expiry",
        }
        parts = path.split(".")
        if parts[0] == "zones" and len(parts) == 3:
            zone = geometry.zone(parts[1]).label if geometry.has_zone(parts[1]) else parts[1]
            return f"{zone} {words.get(parts[2], parts[2])}"
        if parts[0] == "products" and len(parts) == 3 and parts[1].isdigit():
            return f"product {int(parts[1]) + 1} {words.get(parts[2], parts[2])}"
        text = words.get(path, path)
        return text[:1].upper() + text[1:]

    @staticmethod
    def _summary(session: TreatmentSession, geometry) -> str:
        zones = ", ".join(
            f"{geometry.zone(z.zone_id).label if geometry.has_zone(z.zone_id) else z.zone_id} "
            f"({z.injections}× {z.depth_mm:g} mm {z.volume_ml:g} ml)" for z in session.zones)
        products = ", ".join(f"{p.name} lot {p.lot}" for p in session.products) or "no product"
        length = f"{session.duration_min} min" if session.duration_min else "length not recorded"
        return (f"Zones: {zones}\nProducts: {products}\n"
                f"{session.total_injections} injections · {session.total_volume_ml:g} ml · {length}")

    def hideEvent(self, event) -> None:
        self.flush()
        super().hideEvent(event)
