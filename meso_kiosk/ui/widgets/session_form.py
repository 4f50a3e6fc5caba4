"""The session form: date, consultant, technique, zones, products and lots, side effects,
what the patient says, notes, totals, and the save / close / correct buttons.

It shows and collects values as typed (``values``, ``load``); what they mean and what
happens to them is the ``SessionDraft``'s business. ``changed`` follows every edit.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QPlainTextEdit, QVBoxLayout, QWidget

from ...domain.clock import Clock
from ...domain.lots import LotStatus
from ...domain.session_captions import NUMBING, SESSION_FIELDS, TECHNIQUES
from ...services.session_draft import SessionDraft
from .basics import button, label
from .date_time import SessionDateTimePicker
from .field_errors import LeftFields
from .session_rows import CloseConfirmation, FormField, ProductRow, RowToggle, ToggleGroup, ZoneRow, line_edit

# Top to bottom; the correction's reason comes first and shows only while correcting.
FIELD_ORDER = ("reason", "started_at", "consultant_id", "technique", "numbing", "zones", "products",
               "duration_min", "side_effects", "side_effects_other", "shedding", "satisfaction", "notes")


class SessionForm(QWidget):
    """The open session (or the correction of a closed one) as a form."""

    changed = Signal()

    def __init__(self, draft: SessionDraft, clock: Clock, parent: QWidget | None = None):
        super().__init__(parent)
        self._draft = draft
        settings = draft.settings
        self.zone_rows: dict[str, ZoneRow] = {}
        self.product_rows: list[ProductRow] = []
        self.saved_label = label("", "saved")
        self.started_at = SessionDateTimePicker(clock, "Session date and time")
        self.consultant = QComboBox()
        self.consultant.setAccessibleName("Consultant")
        self.technique = ToggleGroup(TECHNIQUES, "Technique", 1)
        self.numbing = ToggleGroup(NUMBING, "Numbing", 2)
        self.zones_box = QVBoxLayout()
        self.zones_empty = label("No zone marked yet: tap the treated zones on the map.", "muted")
        self.products_box = QVBoxLayout()
        self.add_product_button = button("Add product", "Add a product used in this session")
        self.duration = line_edit("Session length in minutes", "minutes", 4)
        self._effects_grid = QGridLayout()
        self._landscape, self._effect_columns = True, 0  # side effects: one column until arranged
        self.side_effect_toggles = {effect.id: RowToggle(effect.label) for effect in draft.side_effects}
        self.side_effects_other = line_edit("Other side effects", "Anything else observed", 500)
        self.shedding = ToggleGroup(
            {"": "Not asked"} | {str(i): text for i, text in enumerate(settings.shedding_labels)}, "Shedding", 2)
        self.satisfaction = ToggleGroup(
            {"": "Not asked"} | {str(i + 1): text for i, text in enumerate(settings.satisfaction_labels)},
            "Satisfaction", 2)
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes")
        self.notes.setFixedHeight(96)
        self.totals = label("", None)
        self.totals.setAccessibleName("Totals")
        self.reason = line_edit("Reason for the correction", "Why is this record being corrected?", 1000)
        self.fields = self._fields()
        # An autosave shows only the errors of fields already left: a zone or product row just
        # added says nothing before anything is typed in it. Closing or saving shows them all.
        self.left = LeftFields(self)
        for key, form_field in self.fields.items():
            if key not in ("zones", "products"):  # (each of their rows is watched as it comes)
                self.left.watch(key, *_focusable(form_field.editor))
        self.save_button = button("Save now", "Save the session draft now")
        self.close_button = button("Close session…", "Close the session", primary=True)
        self.amend_save_button = button("Save correction", "Save the correction to the closed session", primary=True)
        self.amend_cancel_button = button("Cancel correction", "Cancel the correction")
        self.confirm_panel = CloseConfirmation()
        self._lay_out()
        self._connect_signals()

    # ------------------------------------------------------------ layout

    def _fields(self) -> dict[str, FormField]:
        editors = {
            "started_at": self.started_at, "consultant_id": self.consultant, "technique": self.technique,
            "numbing": self.numbing, "zones": self._zones_widget(), "products": self._products_widget(),
            "duration_min": self.duration, "side_effects": self._effects_widget(),
            "side_effects_other": self.side_effects_other, "shedding": self.shedding,
            "satisfaction": self.satisfaction, "notes": self.notes, "reason": self.reason,
        }
        hints = {"started_at": "Tap the date for a calendar; the time moves in 5-minute steps or can be typed."}
        fields = {path: FormField(SESSION_FIELDS[path].form_caption, editor, hints.get(path, ""))
                  for path, editor in editors.items()}
        fields["reason"].hide()
        return fields

    def _zones_widget(self) -> QWidget:
        self.zones_box.setSpacing(8)
        zones_widget = QWidget()
        zones_layout = QVBoxLayout(zones_widget)
        zones_layout.setContentsMargins(0, 0, 0, 0)
        zones_layout.addWidget(self.zones_empty)
        zones_layout.addLayout(self.zones_box)
        return zones_widget

    def _products_widget(self) -> QWidget:
        self.products_box.setSpacing(8)
        products_widget = QWidget()
        products_layout = QVBoxLayout(products_widget)
        products_layout.setContentsMargins(0, 0, 0, 0)
        products_layout.addLayout(self.products_box)
        products_layout.addWidget(self.add_product_button, 0, Qt.AlignmentFlag.AlignLeft)
        return products_widget

    def _effects_widget(self) -> QWidget:
        effects_widget = QWidget()
        effects_widget.setLayout(self._effects_grid)
        self._effects_grid.setContentsMargins(0, 0, 0, 0)
        self._effects_grid.setSpacing(8)
        return effects_widget

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        for key in FIELD_ORDER:
            layout.addWidget(self.fields[key])
        layout.addWidget(self.totals)
        actions = QHBoxLayout()
        actions.addWidget(self.saved_label, 1)
        for widget in (self.save_button, self.close_button, self.amend_cancel_button, self.amend_save_button):
            actions.addWidget(widget)
        layout.addLayout(actions)
        layout.addWidget(self.confirm_panel)

    def arrange(self, *, landscape: bool) -> None:
        self._landscape = landscape
        self._place_effects()

    def _place_effects(self) -> None:
        """Two columns of side effects in portrait when two of the widest fit (not at a large text size)."""
        widest = max((toggle.sizeHint().width() for toggle in self.side_effect_toggles.values()), default=0)
        fits = 2 * widest + self._effects_grid.spacing() <= self.contentsRect().width()
        columns = 1 if self._landscape or not fits else 2
        if columns == self._effect_columns:
            return
        self._effect_columns = columns
        for i, toggle in enumerate(self.side_effect_toggles.values()):
            self._effects_grid.addWidget(toggle, i // columns, i % columns)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._place_effects()

    def show_mode(self, *, amending: bool) -> None:
        """A correction asks for its reason and has its own buttons; an open session saves and closes."""
        self.fields["reason"].setVisible(amending)
        for widget in (self.save_button, self.close_button):
            widget.setVisible(not amending)
        for widget in (self.amend_save_button, self.amend_cancel_button):
            widget.setVisible(amending)

    def _connect_signals(self) -> None:
        self.add_product_button.clicked.connect(self._on_add_product_button_clicked)
        self.started_at.changed.connect(self.changed)
        for edit in (self.duration, self.side_effects_other):
            edit.textChanged.connect(self.changed)
        self.notes.textChanged.connect(self.changed)
        self.consultant.currentIndexChanged.connect(self.changed)
        for choice in (self.technique, self.numbing, self.shedding, self.satisfaction):
            choice.group.buttonToggled.connect(lambda *_: self.changed.emit())
        for toggle in self.side_effect_toggles.values():
            toggle.toggled.connect(self.changed)

    # ------------------------------------------------------------ values in and out

    def load_consultants(self, rows) -> None:
        self.consultant.clear()
        self.consultant.addItem("Choose…", None)
        for row in rows:
            self.consultant.addItem(row.display_name, str(row.id))

    def load(self, values: dict, selected: frozenset[str]) -> None:
        """Show ``values`` (the page holds the draft's loading guard meanwhile); ``selected``: the map's zones."""
        self.started_at.set_local_text(values.get("started_at") or "")
        index = self.consultant.findData(values.get("consultant_id"))
        self.consultant.setCurrentIndex(max(0, index))
        self.technique.set_value(values.get("technique"))
        self.numbing.set_value(values.get("numbing") or "none")
        self._draft.reset_zones(values.get("zones") or {})
        self.sync_zone_rows(selected)
        for row in list(self.product_rows):
            self._remove_product_row(row)
        for product in values.get("products") or []:
            self._add_product_row().set_values(product)
        self.duration.setText(values.get("duration_min") or "")
        for effect_id, toggle in self.side_effect_toggles.items():
            toggle.setChecked(effect_id in (values.get("side_effects") or ()))
        self.side_effects_other.setText(values.get("side_effects_other") or "")
        self.shedding.set_value(values.get("shedding") or "")
        self.satisfaction.set_value(values.get("satisfaction") or "")
        self.notes.setPlainText(values.get("notes") or "")
        self.reason.setText(values.get("reason") or "")

    def values(self) -> dict:
        """What is on screen, as typed (nothing is lost when it is not valid yet)."""
        return {
            "session_id": self._draft.form_session_id,
            "started_at": self.started_at.local_text(),
            "consultant_id": self.consultant.currentData(),
            "technique": self.technique.value(),
            "numbing": self.numbing.value(),
            "zones": {zone_id: row.values() for zone_id, row in self.zone_rows.items()},
            "products": [row.values() for row in self.product_rows],
            "duration_min": self.duration.text(),
            "side_effects": [effect_id for effect_id, t in self.side_effect_toggles.items() if t.isChecked()],
            "side_effects_other": self.side_effects_other.text(),
            "shedding": self.shedding.value() or "",
            "satisfaction": self.satisfaction.value() or "",
            "notes": self.notes.toPlainText(),
            "reason": self.reason.text(),
        }

    def zone_values(self) -> list[dict]:
        return [row.values() for row in self.zone_rows.values()]

    # ------------------------------------------------------------ zones and products

    def sync_zone_rows(self, selected: frozenset[str]) -> None:
        """One row per selected zone, in map order; an unselected zone's typing is kept for its return."""
        geometry = self._draft.geometry
        for zone_id in list(self.zone_rows):
            if zone_id not in selected:
                row = self.zone_rows.pop(zone_id)
                self._draft.keep_zone(zone_id, row.values())
                row.hide()
                row.deleteLater()
        for zone_id in geometry.zone_ids:  # map order
            if zone_id in selected and zone_id not in self.zone_rows:
                row = ZoneRow(zone_id, geometry.zone(zone_id).label, self._draft.settings.default_depth_mm)
                kept = self._draft.kept_zone(zone_id)
                if kept is not None:
                    row.set_values(kept)
                for edit in (row.injections, row.depth, row.volume):
                    edit.textChanged.connect(self.changed)
                self.left.watch(f"zones.{zone_id}", row.injections, row.depth, row.volume)
                self.zone_rows[zone_id] = row
        for i, zone_id in enumerate(z for z in geometry.zone_ids if z in self.zone_rows):
            self.zones_box.insertWidget(i, self.zone_rows[zone_id])
        self.zones_empty.setVisible(not self.zone_rows)

    def _add_product_row(self) -> ProductRow:
        row = ProductRow([option.name for option in self._draft.settings.usual_products])
        row.changed.connect(self.changed)
        row.changed.connect(self.update_lot_messages)
        row.remove_requested.connect(self._on_product_remove_requested)
        self.left.watch(f"products.{len(self.product_rows)}", *_focusable(row.name), row.lot, row.expiry)
        self.product_rows.append(row)
        self.products_box.addWidget(row)
        return row

    def _remove_product_row(self, row: ProductRow) -> None:
        self.product_rows.remove(row)
        row.hide()
        row.deleteLater()

    def _on_add_product_button_clicked(self) -> None:
        row = self._add_product_row()
        row.name.setFocus()
        self.changed.emit()

    def _on_product_remove_requested(self, row: ProductRow) -> None:
        self._remove_product_row(row)
        self.changed.emit()

    # ------------------------------------------------------------ messages

    def update_lot_messages(self) -> None:
        """Each lot against the session date: expired refused, expiring soon warned."""
        started = self.started_at.local_text()
        for row in self.product_rows:
            check = self._draft.lot_check(row.expiry.text(), started)
            if check is not None and check.status is LotStatus.EXPIRED:
                row.set_message(f"✖ {check.message}", "error")
            elif check is not None and check.status is LotStatus.EXPIRING_SOON:
                row.set_message(f"⚠ {check.message}", "warning")
            else:
                row.set_message(None)

    def show_errors(self, errors: dict[str, str]) -> list[str]:
        """Each message beside its field; returns the messages no field shows (for the banner)."""
        for key, form_field in self.fields.items():
            form_field.set_message(errors.get(key))
        for row in self.zone_rows.values():
            row.show_errors(errors)
        started = self.started_at.local_text()
        for index, row in enumerate(self.product_rows):
            messages = [m for k, m in errors.items() if k.startswith(f"products.{index}.")]
            if messages:
                row.set_message("✖ " + "\n".join(dict.fromkeys(messages)), "error")
                continue
            row.set_message(None)  # a row without errors keeps only an expiring-soon warning
            check = self._draft.lot_check(row.expiry.text(), started)
            if check is not None and check.status is LotStatus.EXPIRING_SOON:
                row.set_message(f"⚠ {check.message}", "warning")
        known = [k for k in errors if k in self.fields or k.startswith(("zones.", "products."))]
        return [errors[k] for k in errors if k not in known]

    def first_error(self, errors: dict[str, str]) -> tuple[QWidget, QWidget] | None:
        """The first field (top to bottom) with an error, and the editor to focus in it."""
        for key in FIELD_ORDER:
            if key in errors and key in ("zones", "products"):  # about the list itself (none yet)
                return self.fields[key], self.add_product_button if key == "products" else self.fields[key]
            if key == "zones":
                row = next((r for z, r in self.zone_rows.items() if any(k.startswith(f"zones.{z}.") for k in errors)),
                           None)
                if row is not None:
                    return row, row.injections
            elif key == "products":
                index = next((i for i in range(len(self.product_rows))
                              if any(k.startswith(f"products.{i}.") for k in errors)), None)
                if index is not None:
                    return self.product_rows[index], self.product_rows[index].name
            elif key in errors:
                form_field = self.fields[key]
                return form_field, next(iter(_focusable(form_field.editor)), form_field.editor)
        return None

    def show_warning(self, field: str, message: str) -> None:
        match = re.fullmatch(r"products\.(\d+)\.expiry", field)
        if match and int(match[1]) < len(self.product_rows):
            self.product_rows[int(match[1])].set_message(f"⚠ {message}", "warning")


def _focusable(editor: QWidget) -> list[QWidget]:
    """The editor, or the parts of it that take focus (a toggle group's buttons, a picker's boxes)."""
    parts = [editor, *editor.findChildren(QWidget)]
    return [part for part in parts if part.focusPolicy() != Qt.FocusPolicy.NoFocus] or [editor]
