"""Hand-off: "Take it home and decide later", in a bar just above the reading panel's Continue button.

Pressed by the patient or the consultant while the text is read: the unsigned text, filled for
this patient in the language chosen, is exported (``TakeHomeService``); the patient is told, in
their language, to give the tablet back. When the consultant takes it back, the Consent step says
where the file is and whether this computer can print it (no printer: export only, said so).
Kept out of the hand-off page itself (``wire_take_home`` adds the bar to its reading panel).
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton

from ...domain.actor import consultant_actor
from ...domain.errors import ValidationError
from ...services.take_home import TakeHomeCopy, TakeHomeService
from ...store.consultant_accounts import ConsultantAccount
from ...store.errors import StoreError
from ..widgets.basics import button
from .consent import ConsentPage
from .handoff import HandoffPage
from .handoff_read import say

CurrentConsultant = Callable[[], "ConsultantAccount | None"]


def printers_available() -> bool:
    """Whether this computer has a printer Qt can print to (QtPrintSupport may be missing)."""
    try:
        from PySide6.QtPrintSupport import QPrinterInfo
    except ImportError:
        return False
    return bool(QPrinterInfo.availablePrinters())


def consultant_words(copy: TakeHomeCopy, can_print: bool) -> str:
    """What the consultant reads on the Consent step afterwards (English: a consultant screen)."""
    where = f"✓ The unsigned consent text to read at home is saved as {copy.path}."
    if can_print:
        return f"{where} Print it from there and give it to the patient."
    return (f"{where} No printer is set up on this computer: give the patient the file, or print it "
            "from another computer.")


class TakeHome(QObject):
    """The button in the reading footer, and what it does; ``copy`` is this hand-off's export."""

    def __init__(self, handoff: HandoffPage, consent_page: ConsentPage, service: TakeHomeService,
                 consultant: CurrentConsultant):
        super().__init__(handoff)
        self._handoff = handoff
        self._consent_page = consent_page
        self._service = service
        self._consultant = consultant
        self.copy: TakeHomeCopy | None = None
        self.button: QPushButton = button("", "Take the consent text home and decide later", role="patient-choice")
        # A bar of its own above the reading footer: beside Continue it would squeeze the hint in portrait.
        self.bar = QFrame()
        self.bar.setProperty("role", "handoff-footer")
        bar_layout = QHBoxLayout(self.bar)
        bar_layout.setContentsMargins(24, 8, 24, 0)
        bar_layout.addStretch(1)
        bar_layout.addWidget(self.button)
        panel_layout = handoff.read.layout()
        panel_layout.insertWidget(panel_layout.count() - 1, self.bar)
        self.button.clicked.connect(self._on_button_clicked)
        handoff.read.installEventFilter(self)  # its words follow the language chosen, as it is shown
        handoff.exit_confirmed.connect(self._on_handoff_exit_confirmed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Show and self._handoff.template is not None:
            words = self._handoff.template.label("take_home_button")
            self.button.setText(words)
            self.button.setAccessibleName(words)
            self.bar.setVisible(self.copy is None)  # one copy per hand-off
        return False

    def _on_button_clicked(self) -> None:
        handoff, template = self._handoff, self._handoff.template
        if handoff.patient is None or template is None:
            return
        consultant = self._consultant()
        actor = consultant_actor(consultant.id) if consultant is not None else "handoff"
        try:
            self.copy = self._service.export(handoff.patient.id, template.language, actor,
                                             treated_by=handoff.read.treated_by())
        except (ValidationError, StoreError, OSError):
            say(handoff.read.status, template.label("consultant_needed"))
            return
        self.bar.hide()
        say(handoff.read.status, template.label("take_home_done"))

    def _on_handoff_exit_confirmed(self) -> None:
        if self.copy is not None:
            say(self._consent_page.saved, consultant_words(self.copy, printers_available()))
            self.copy = None


def wire_take_home(handoff: HandoffPage, consent_page: ConsentPage, service: TakeHomeService,
                   consultant: CurrentConsultant) -> TakeHome:
    take_home = TakeHome(handoff, consent_page, service, consultant)
    handoff.take_home = take_home  # type: ignore[attr-defined] (kept with the page, and found by tests)
    return take_home
