"""The window: patient list, new-patient form and the consultation workspace."""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import QMainWindow, QMessageBox, QStackedWidget

from ..domain.patient import Patient
from .pages.new_patient import NewPatientPage
from .pages.patient_details import PatientDetailsPage
from .pages.patients import PatientsPage
from .pages.workspace import WorkspacePage


class MainWindow(QMainWindow):
    def __init__(self, *, title: str, icon: QIcon, patients_page: PatientsPage, new_patient_page: NewPatientPage,
                 workspace: WorkspacePage, details_page: PatientDetailsPage):
        super().__init__()
        self.setWindowTitle(title)
        self.setWindowIcon(icon)
        self.setMinimumSize(760, 560)
        self.patients_page = patients_page
        self.new_patient_page = new_patient_page
        self.workspace = workspace
        self.details_page = details_page
        self.stack = QStackedWidget()
        for page in (patients_page, new_patient_page, workspace):
            self.stack.addWidget(page)
        self.setCentralWidget(self.stack)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.patients_page.open_requested.connect(self.open_patient)
        self.patients_page.new_requested.connect(self._on_patients_page_new_requested)
        self.new_patient_page.created.connect(self.open_patient)
        self.new_patient_page.cancelled.connect(self.show_patients)
        self.workspace.back_requested.connect(self._on_workspace_back_requested)
        self.details_page.saved.connect(self.workspace.update_header)

    def show_patients(self) -> None:
        self.patients_page.refresh()
        self.stack.setCurrentWidget(self.patients_page)
        self.patients_page.search.setFocus()

    def open_patient(self, patient: Patient) -> None:
        self.details_page.show_patient(patient)
        for page in self.workspace.pages.values():  # each step learns the patient (intake loads their answers)
            if hasattr(page, "show_patient"):
                page.show_patient(patient)
        self.workspace.show_patient(patient)
        self.stack.setCurrentWidget(self.workspace)

    def attach_lot_recall(self, page) -> None:
        """Add the lot-recall screen, reached from the patient list."""
        self.lot_recall_page = page
        self.stack.addWidget(page)
        self.patients_page.lot_recall_requested.connect(self._on_patients_page_lot_recall_requested)
        page.back_requested.connect(self.show_patients)
        page.open_requested.connect(self.open_patient)

    def _on_patients_page_lot_recall_requested(self) -> None:
        self.stack.setCurrentWidget(self.lot_recall_page)
        self.lot_recall_page.start()

    def _on_patients_page_new_requested(self) -> None:
        self.new_patient_page.start()
        self.stack.setCurrentWidget(self.new_patient_page)

    def _on_workspace_back_requested(self) -> None:
        # Leaving a patient saves what was typed; invalid input keeps them here with the errors shown.
        if self.details_page.save():
            self.patients_page.search.clear()
            self.show_patients()
        else:
            self.workspace.go_to_step(0)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.details_page.save():
            event.accept()
            return
        self.workspace.go_to_step(0)
        answer = QMessageBox.question(
            self, "Unsaved details",
            "Some patient details are not valid and have not been saved. Close anyway and lose those edits?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Discard:
            event.accept()
        else:
            event.ignore()
