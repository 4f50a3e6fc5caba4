"""Who is signed in, beside the Lock button that ends it: in the header of the patient list and
of the workspace, so whoever holds the tablet sees whose name their changes go under."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from ...store.consultant_accounts import ConsultantAccount
from ..sign_in import SignIn
from .basics import button, label

NAME_MAX_WIDTH = 300  # a long name wraps rather than pushing the header's other parts out
NARROW_NAME_MAX_WIDTH = 150  # on a portrait tablet: the patient's name has the room
ONE_LINE_FROM_PX = 1000  # a window this wide keeps a name that fits the cap on one line


class SignedInBadge(QWidget):
    """"Signed in" over the consultant's name, then the Lock button (``lock_button``)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.caption = label("Signed in", "muted", wrap=False)
        self.name = label("", "subheading-small")
        self.name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.lock_button = button("Lock", "Lock the kiosk now")
        words = QVBoxLayout()
        words.setSpacing(0)
        words.addWidget(self.caption)
        words.addWidget(self.name)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addLayout(words)
        layout.addWidget(self.lock_button)
        self.show_consultant(None)

    def show_consultant(self, account: ConsultantAccount | None) -> None:
        name = "" if account is None else account.display_name
        self.name.setText(name)
        self._fit_name()
        self.name.setAccessibleName(f"Signed in: {name}" if name else "Nobody is signed in")
        self.caption.setVisible(bool(name))
        self.lock_button.setAccessibleName(f"Lock the kiosk now (signs out {name})" if name else "Lock the kiosk now")


    def _fit_name(self) -> None:
        """The name on one line when the window is wide and it fits the cap (a wrapping label would
        otherwise take its narrowest form); on a portrait tablet it may wrap, leaving the patient's
        name the room."""
        self.name.ensurePolished()
        wide = self.window().width() >= ONE_LINE_FROM_PX
        metrics = self.name.fontMetrics()
        one_line = metrics.horizontalAdvance(self.name.text()) + 2
        # A name wraps between words, never inside one: the narrow cap is at least its longest word
        # ("Consultant" at the largest text is wider than the cap), up to the wide cap.
        longest_word = max((metrics.horizontalAdvance(word) + 2 for word in self.name.text().split()), default=0)
        narrow = min(max(NARROW_NAME_MAX_WIDTH, longest_word), NAME_MAX_WIDTH)
        self.name.setMaximumWidth(NAME_MAX_WIDTH if wide else narrow)
        self.name.setMinimumWidth(min(one_line, NAME_MAX_WIDTH) if wide else min(longest_word, narrow))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit_name()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        # The window's width decides, and a name held on one line keeps the badge as wide as it
        # was: narrowing the window never resized the badge, so it never let the name wrap (the
        # patient list's "New patient" was cut to "ew patie" at 800x1280).
        self.window().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Resize and watched is self.window():
            self._fit_name()
        return False

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            QTimer.singleShot(0, self, self._fit_name)  # once the label has its new font too


def follow_sign_in(sign_in: SignIn, *badges: SignedInBadge) -> None:
    """Each badge shows who is signed in now and follows every sign-in and lock."""
    for badge in badges:
        badge.show_consultant(sign_in.consultant)
        sign_in.signed_in.connect(badge.show_consultant)
        sign_in.locked.connect(lambda badge=badge: badge.show_consultant(None))
