"""Under a first session held by the cooling-off period: "Start now anyway…" for an admin.

The wait itself is said by the page (the consent gate's words). An admin may let the first
session start earlier: the panel asks why and for their PIN, both checked by the service
(``CoolingOffService.waive``), each message under its field; on success ``waived`` is emitted
and the page starts the session. For anyone else the panel stays hidden (the gate's words say an
admin can do it).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QVBoxLayout, QWidget

from ...domain.errors import ValidationError
from ...services.cooling_off import CoolingOffService
from ...store.consultant_accounts import ConsultantAccount
from .basics import button, label, show_field_error
from .pin_entry import pin_field

class CoolingOffPanel(QWidget):
    waived = Signal(object)  # CoolingOffWaiver

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._service: CoolingOffService | None = None
        self._patient_id: int | None = None
        self._admin: ConsultantAccount | None = None
        self.open_button = button("Start now anyway…", "Start the first session before the cooling-off period ends")
        self.form = QWidget()
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Why the first session may start before the cooling-off period ends")
        self.reason.setPlaceholderText("Why the patient does not need the rest of the time to think")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(96)
        self.reason_error = label("", "error")
        self.reason_error.hide()
        self.pin = pin_field("Your admin PIN", "Admin PIN")
        self.pin_error = label("", "error")
        self.pin_error.hide()
        self.confirm_button = button("Record and start", "Record the reason and start the first session now",
                                     primary=True)
        self.cancel_button = button("Cancel", "Keep waiting for the cooling-off period")
        self._build()
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.confirm_button.clicked.connect(self._on_confirm_button_clicked)
        self.pin.returnPressed.connect(self._on_confirm_button_clicked)
        self.hide()

    def _build(self) -> None:
        form = QVBoxLayout(self.form)
        form.setContentsMargins(0, 0, 0, 0)
        form.setSpacing(6)
        form.addWidget(label("Reason (kept with the patient's record, cannot be changed)"))
        form.addWidget(self.reason)
        form.addWidget(self.reason_error)
        form.addWidget(label("Your admin PIN"))
        form.addWidget(self.pin)
        form.addWidget(self.pin_error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        form.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.open_button)
        layout.addWidget(self.form)
        self.form.hide()

    def show_hold(self, service: CoolingOffService | None, patient_id: int | None,
                  consultant: ConsultantAccount | None) -> None:
        """Shown while the patient's first session is held by the cooling-off period (else hidden)."""
        held = service is not None and patient_id is not None and service.hold(patient_id) is not None
        if not held or (patient_id, consultant) != (self._patient_id, self._admin):
            self._clear()
        self._service, self._patient_id = service, patient_id
        may_waive = held and consultant is not None and service.may_waive(consultant.id)  # type: ignore[union-attr]
        self._admin = consultant if may_waive else None
        # Only for an admin: anyone else reads in the page's words that an admin can do it.
        self.setVisible(self._admin is not None)
        self.open_button.setVisible(self.form.isHidden())

    def _clear(self) -> None:
        self.form.hide()
        self.reason.clear()
        self.pin.clear()
        show_field_error(self.reason, self.reason_error, "")
        show_field_error(self.pin, self.pin_error, "")

    def _on_open_button_clicked(self) -> None:
        self.open_button.hide()
        self.form.show()
        self.reason.setFocus()

    def _on_cancel_button_clicked(self) -> None:
        self._clear()
        self.open_button.show()

    def _on_confirm_button_clicked(self) -> None:
        if self._service is None or self._patient_id is None or self._admin is None:
            return
        try:
            waiver = self._service.waive(self._patient_id, reason=self.reason.toPlainText(), admin_id=self._admin.id,
                                         admin_pin=self.pin.text())
        except ValidationError as error:
            show_field_error(self.reason, self.reason_error, error.errors.get("reason", ""))
            show_field_error(self.pin, self.pin_error, error.errors.get("admin_pin", ""))
            self.pin.clear()
            (self.reason if "reason" in error.errors else self.pin).setFocus()
            return
        self._clear()
        self.waived.emit(waiver)
