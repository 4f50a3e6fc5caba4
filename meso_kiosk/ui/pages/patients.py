"""The home screen: find a patient as you type, open one, or register someone new."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ...domain.patient import Patient
from ...services.patients import PatientService
from ..widgets.basics import button, label
from ..widgets.signed_in import SignedInBadge

RESULT_LIMIT = 50
WIDE_BOTTOM_ROW_PX = 1000  # narrower: the admin's buttons get a row of their own


def patient_line(patient: Patient, today: date) -> str:
    """The name as the patient writes it (王小明, Nguyễn Thị Hương, Claire Dubois), born, age."""
    born = patient.date_of_birth.strftime("%d %b %Y")
    return f"{patient.display_name}  ·  born {born} (age {patient.age_on(today)})"


class PatientsPage(QWidget):
    open_requested = Signal(object)  # Patient
    new_requested = Signal()
    lot_recall_requested = Signal()
    lock_requested = Signal()
    admin_requested = Signal()
    pin_change_requested = Signal()
    clinic_settings_requested = Signal()

    def __init__(self, patients: PatientService, today, parent: QWidget | None = None):
        super().__init__(parent)
        self._patients = patients
        self._today = today
        self.search = QLineEdit()
        self.search.setAccessibleName("Search patients")
        self.search.setPlaceholderText("Search by name, date of birth or phone")
        # A real button, not the field's 16 px clear icon: a finger's target, named, reached by Tab.
        self.clear_search_button = button("Clear", "Clear the search")
        self.clear_search_button.setEnabled(False)
        self.results = QListWidget()
        self.results.setAccessibleName("Patients")
        self.results.setUniformItemSizes(True)
        self.status = label("", "muted")
        self.open_button = button("Open", "Open selected patient")
        self.new_button = button("New patient", "Register a new patient", primary=True)
        self.lot_recall_button = button("Lot recall", "Find the patients who received a product lot")
        self.admin_button = button("Consultants", "Manage consultants and the kiosk lock (admins)")
        self.admin_button.hide()  # shown only while an admin has the kiosk unlocked
        self.clinic_button = button("Clinic settings", "The clinic's name, contact, time zone and policies (admins)")
        self.clinic_button.hide()  # as the admin button
        self.pin_button = button("My PIN", "Change my PIN")
        self.signed_in = SignedInBadge()  # who is signed in, and the Lock button
        self.lock_button = self.signed_in.lock_button
        # Nobody reads stderr on a kiosk: a failing automatic backup must be seen here.
        self.backup_problem = label("", "banner-error")
        self.backup_problem.setAccessibleName("Automatic backup problem")
        self.backup_problem.hide()
        # After a restore, the first consultant to sign in is told which backup the data came from.
        self.restore_notice = label("", "banner-notice")
        self.restore_notice.setAccessibleName("Data restored from a backup")
        self.restore_notice.hide()
        # An installation whose clinic never gave its name: its admin is asked to, here.
        self.clinic_unnamed = QWidget()
        self.clinic_unnamed.setAccessibleName("The clinic has no name yet")
        self.clinic_setup_button = button("Set up the clinic", "Open the clinic settings to set its name")
        unnamed_row = QHBoxLayout(self.clinic_unnamed)
        unnamed_row.setContentsMargins(0, 0, 0, 0)
        unnamed_row.setSpacing(12)
        unnamed_row.addWidget(label("Tell patients who you are: set the clinic's name, address and time zone.",
                                    "banner-notice"), 1)
        unnamed_row.addWidget(self.clinic_setup_button)
        self.clinic_unnamed.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.setSpacing(16)
        top = QHBoxLayout()
        top.addWidget(label("Patients", "heading"), 1)
        top.addWidget(self.signed_in)
        top.addSpacing(8)
        top.addWidget(self.new_button)
        layout.addLayout(top)
        layout.addWidget(self.backup_problem)
        layout.addWidget(self.restore_notice)
        layout.addWidget(self.clinic_unnamed)
        search_row = QHBoxLayout()
        search_row.setSpacing(12)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.clear_search_button)
        layout.addLayout(search_row)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        # The admin's two buttons join the bottom row when it is wide enough, else a row above it.
        self.admin_row = QHBoxLayout()
        self.admin_row.addStretch(1)
        self.bottom_row = QHBoxLayout()
        self.bottom_row.addWidget(self.lot_recall_button)
        self.bottom_row.addWidget(self.admin_button)
        self.bottom_row.addWidget(self.clinic_button)
        self.bottom_row.addWidget(self.pin_button)
        self.bottom_row.addStretch(1)
        self.bottom_row.addWidget(self.open_button)
        layout.addLayout(self.admin_row)
        layout.addLayout(self.bottom_row)
        self._connect_signals()
        self.refresh()

    def _connect_signals(self) -> None:
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_open_clicked)
        self.search.textChanged.connect(lambda text: self.clear_search_button.setEnabled(bool(text)))
        self.clear_search_button.clicked.connect(self._on_clear_search_button_clicked)
        self.results.itemActivated.connect(lambda _item: self._on_open_clicked())
        self.results.currentRowChanged.connect(lambda _row: self._update_open_button())
        self.open_button.clicked.connect(self._on_open_clicked)
        self.new_button.clicked.connect(self.new_requested)
        self.lot_recall_button.clicked.connect(self.lot_recall_requested)
        self.lock_button.clicked.connect(self.lock_requested)
        self.admin_button.clicked.connect(self.admin_requested)
        self.clinic_button.clicked.connect(self.clinic_settings_requested)
        self.clinic_setup_button.clicked.connect(self.clinic_settings_requested)
        self.pin_button.clicked.connect(self.pin_change_requested)

    def _on_clear_search_button_clicked(self) -> None:
        self.search.clear()
        self.search.setFocus()

    def refresh(self) -> None:
        self._show(self.search.text())

    def show_backup_problem(self, message: str | None) -> None:
        """The automatic backup failed (``message``), or works again (None)."""
        if message:
            self.backup_problem.setText(f"The automatic backup failed: {message} "
                                        "Please tell whoever looks after this tablet.")
        self.backup_problem.setVisible(bool(message))

    def show_restore_notice(self, words: str | None) -> None:
        """A restore nobody had been told of (``words``), or none (hidden)."""
        self.restore_notice.setText(words or "")
        self.restore_notice.setVisible(bool(words))

    def show_clinic_unnamed(self, unnamed: bool) -> None:
        """Ask the admin to name the clinic (``unnamed``), or not."""
        self.clinic_unnamed.setVisible(unnamed)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        wide = self.width() >= WIDE_BOTTOM_ROW_PX
        if wide == (self.bottom_row.indexOf(self.admin_button) >= 0):
            return
        for index, admin_only in enumerate((self.admin_button, self.clinic_button)):
            (self.admin_row if wide else self.bottom_row).removeWidget(admin_only)
            if wide:
                self.bottom_row.insertWidget(1 + index, admin_only)
            else:
                self.admin_row.insertWidget(index, admin_only)

    def _on_search_text_changed(self, text: str) -> None:
        self._show(text)

    def _show(self, query: str) -> None:
        found = self._patients.search(query, RESULT_LIMIT)
        self.results.clear()
        for patient in found:
            item = QListWidgetItem(patient_line(patient, self._today()))
            item.setData(Qt.ItemDataRole.UserRole, patient)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{patient.display_name}, born {patient.date_of_birth.isoformat()}")
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)
        if not query.strip():
            self.status.setText("Recently seen patients" if found else "No patients yet. Register the first one.")
        elif found:
            more = " (showing the first 50; type more to narrow)" if len(found) == RESULT_LIMIT else ""
            self.status.setText(f"{len(found)} match{'es' if len(found) != 1 else ''}{more}")
        else:
            self.status.setText("No patient matches. Check the spelling, or register a new patient.")
        self._update_open_button()

    def _update_open_button(self) -> None:
        self.open_button.setEnabled(self.results.currentItem() is not None)

    def _on_open_clicked(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def visible_patients(self) -> list[Patient]:
        return [self.results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.results.count())]
