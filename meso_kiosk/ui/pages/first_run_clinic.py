"""First run, after the first administrator: "Your clinic" — its name (required), address,
phone, e-mail, time zone (the machine's preselected) and an optional logo.

The new admin has just chosen their PIN, so it is not asked again; the changes are audited
as theirs (``consultant_actor``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from ...domain.actor import consultant_actor
from ...domain.errors import ValidationError
from ...services.clinic import ClinicService
from ...store.consultant_accounts import ConsultantAccount
from ..widgets.basics import button, label, scrolling
from ..widgets.clinic_form import ClinicForm


class ClinicSetupPanel(QFrame):
    """The card "Your clinic"; ``saved(account)`` once the clinic is named."""

    saved = Signal(object)  # ConsultantAccount: the admin who set it up

    def __init__(self, clinic: ClinicService, parent: QWidget | None = None):
        super().__init__(parent)
        self._clinic = clinic
        self.account: ConsultantAccount | None = None
        self.setProperty("role", "card")
        self.form = ClinicForm()
        self.save_button = button("Save and continue", "Save the clinic's details and continue", primary=True)
        self.problem = label("", "error")
        self.problem.setAccessibleName("Problem saving the clinic")
        self.problem.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 20, 32, 20)
        layout.setSpacing(8)
        layout.addWidget(label("Your clinic", "heading"))
        layout.addWidget(label(
            "Tell patients who you are: the name shows on the lock screen, in the consent and on every "
            "PDF. You can change all of it later under ‘Clinic settings’.", "muted"))
        layout.addWidget(self.form)
        layout.addSpacing(4)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.problem)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.form.name.returnPressed.connect(self._on_save_button_clicked)

    def start(self, account: ConsultantAccount) -> None:
        """Ask ``account`` (the new admin) for the clinic's details, from what is stored."""
        self.account = account
        logo = self._clinic.logo()
        self.form.load(self._clinic.settings(), None if logo is None else logo.png)
        self.problem.hide()
        self.form.name.setFocus()

    def _on_save_button_clicked(self) -> None:
        if self.account is None:
            return
        actor = consultant_actor(self.account.id)
        values = self.form.values()
        try:
            logo = self.form.logo
            self._clinic.update(values, actor, logo=logo.png if logo.changed else "keep")
        except ValidationError as error:
            errors = dict(error.errors)
            if "name" in errors and not str(values["name"]).strip():  # say what to type, not only "enter"
                errors["name"] = "Enter the clinic's name as patients know it, e.g. Clinique du Parc."
            self._show_errors(errors)
            return
        self._show_errors({})
        self.saved.emit(self.account)

    def _show_errors(self, errors: dict[str, str]) -> None:
        first = self.form.show_errors(errors)
        unplaced = [message for key, message in errors.items() if key not in self.form.errors]
        self.problem.setText(" ".join(unplaced))
        self.problem.setVisible(bool(unplaced))
        if first is not None:
            first.setFocus()


def clinic_setup_view(panel: ClinicSetupPanel) -> QWidget:
    """The panel centred, at most 1040 px wide, scrolling when the screen is short."""
    panel.setMaximumWidth(1040)
    holder = QWidget()
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(panel, 12)
    row.addStretch(1)
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(24, 0, 24, 24)
    layout.addLayout(row)
    layout.addStretch(1)  # the card keeps its height
    view = scrolling(holder)
    view.setFrameShape(QFrame.Shape.NoFrame)
    return view
