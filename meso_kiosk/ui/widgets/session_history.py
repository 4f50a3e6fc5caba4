"""What was done before: the card under the map for a tapped zone, and the list of
earlier (closed) sessions with their corrections. The words come from the session
draft (``EarlierSessionCard``, ``zone_history``); these widgets only place them."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from ...domain.session_captions import ZONE_HISTORY_PROMPT, ZONE_HISTORY_TITLE
from ...services.session_draft import EarlierSessionCard
from .basics import button, label


class ZoneHistoryCard(QFrame):
    """The latest sessions of the zone last tapped (a prompt until one is)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "card")
        self.title = label(ZONE_HISTORY_TITLE, "subheading-small")
        self.body = label(ZONE_HISTORY_PROMPT, "muted")
        self.body.setAccessibleName("Zone history")
        # Room for the latest entries, so the card never clips (the map gives way instead).
        self.body.setMinimumHeight(self.body.fontMetrics().lineSpacing() * 4 + 4)
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addStretch(1)  # the text stays at the top of a tall card

    def show_caption(self, title: str, text: str) -> None:
        self.title.setText(title)
        self.body.setText(text)

    def show_prompt(self) -> None:
        self.show_caption(ZONE_HISTORY_TITLE, ZONE_HISTORY_PROMPT)


class EarlierSessions(QWidget):
    """Closed sessions, newest first, each with its corrections and a Correct… button."""

    amend_requested = Signal(int)  # session id

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)

    def show_cards(self, cards: Sequence[EarlierSessionCard]) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        if not cards:
            self._layout.addWidget(label("No closed session yet.", "muted"))
            return
        for card in cards:
            self._layout.addWidget(self._card(card))

    def _card(self, card: EarlierSessionCard) -> QFrame:
        frame = QFrame()
        frame.setProperty("role", "card")
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(4)
        layout.addWidget(label(card.heading, "subheading-small"))
        layout.addWidget(label(card.summary))
        for note in card.corrections:
            layout.addWidget(label(note, "amendment"))
        row = QHBoxLayout()
        row.addStretch(1)
        amend = button("Correct…", card.correct_label)
        amend.clicked.connect(lambda _=False, sid=card.session_id: self.amend_requested.emit(sid))
        row.addWidget(amend)
        layout.addLayout(row)
        return frame
