"""Lot recall: which patients received a product lot, in which sessions."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ...domain.clock import Clock
from ...services.patients import PatientService
from ...services.sessions import LotRecallRow, SessionService
from ..widgets.basics import button, label


def recall_line(row: LotRecallRow, clock: Clock) -> str:
    status = "closed" if row.session_status == "closed" else "still open"
    via = " · named in a correction" if row.via_amendment else ""
    return (
        f"{row.patient_name}  ·  born {row.date_of_birth.strftime('%d %b %Y')}\n"
        f"Session #{row.session_id} on {clock.format_local(row.started_at)} ({status})  ·  "
        f"{row.product}, lot {row.lot}, expires {row.expiry.isoformat()}{via}"
    )


def recall_summary(rows: list[LotRecallRow], lot: str) -> str:
    if not lot.strip():
        return "Type a lot number as printed on the box, then Find."
    if not rows:
        return f"No session used lot “{lot.strip()}”. Spaces and capitals do not matter; check the dashes."
    patients = len({row.patient_id for row in rows})
    return (f"Lot “{lot.strip()}” was used in {len(rows)} session{'s' if len(rows) != 1 else ''} "
            f"for {patients} patient{'s' if patients != 1 else ''}. Open a line to see the patient.")


class LotRecallPage(QWidget):
    open_requested = Signal(object)  # Patient
    back_requested = Signal()

    def __init__(self, sessions: SessionService, patients: PatientService, clock: Clock,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._sessions = sessions
        self._patients = patients
        self._clock = clock
        self.back_button = button("‹ Patients", "Back to the patient list")
        self.lot = QLineEdit()
        self.lot.setAccessibleName("Lot number")
        self.lot.setPlaceholderText("Lot number, e.g. PX-2291/B")
        self.lot.setMaxLength(40)
        self.find_button = button("Find", "Find sessions that used this lot", primary=True)
        self.status = label("", "muted")
        self.results = QListWidget()
        self.results.setAccessibleName("Sessions that used the lot")
        self.results.setWordWrap(True)
        self.open_button = button("Open patient", "Open the patient of the selected session")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.setSpacing(16)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addSpacing(16)
        top.addWidget(label("Lot recall", "heading"), 1)
        layout.addLayout(top)
        layout.addWidget(label("Which patients received a product lot, and in which sessions "
                               "(for a manufacturer's recall)."))
        search = QHBoxLayout()
        search.addWidget(self.lot, 1)
        search.addWidget(self.find_button)
        layout.addLayout(search)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.open_button)
        layout.addLayout(bottom)
        self._connect_signals()
        self.find()

    def _connect_signals(self) -> None:
        self.back_button.clicked.connect(self.back_requested)
        self.find_button.clicked.connect(self.find)
        self.lot.returnPressed.connect(self.find)
        self.results.itemActivated.connect(lambda _item: self._on_open_button_clicked())
        self.results.currentRowChanged.connect(lambda _row: self._update_open_button())
        self.open_button.clicked.connect(self._on_open_button_clicked)

    def start(self) -> None:
        self.lot.setFocus()
        self.find()

    def find(self) -> list[LotRecallRow]:
        text = self.lot.text()
        rows = self._sessions.lot_recall(text) if text.strip() else []
        self.results.clear()
        for row in rows:
            item = QListWidgetItem(recall_line(row, self._clock))
            item.setData(Qt.ItemDataRole.UserRole, row)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, recall_line(row, self._clock).replace("\n", ", "))
            self.results.addItem(item)
        if rows:
            self.results.setCurrentRow(0)
        self.status.setText(recall_summary(rows, text))
        self._update_open_button()
        return rows

    def _update_open_button(self) -> None:
        self.open_button.setEnabled(self.results.currentItem() is not None)

    def _on_open_button_clicked(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            row: LotRecallRow = item.data(Qt.ItemDataRole.UserRole)
            self.open_requested.emit(self._patients.get(row.patient_id))
