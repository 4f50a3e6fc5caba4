"""How a form shows what is wrong: a message line under the field that keeps its place, errors
that wait until the field is left (or the form is submitted), and the first one brought into
view and focused on submit.

A message that appears or goes must not move what sits below it: on a touch screen a finger
already on its way to the next button (the PIN pad, a tick, the signature box) then lands on
something else. ``ErrorLine`` keeps its lines' height while it is empty.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel, QScrollArea, QSizePolicy, QWidget

from .basics import restyle


class ErrorLine(QLabel):
    """An error (or warning) line under a field: hidden while empty, its height always kept.

    ``lines``: how many lines of text to keep room for (a longer message still shows whole,
    and then moves what is below it: keep messages short enough for the room given).
    """

    def __init__(self, lines: int = 1, role: str = "error", parent: QWidget | None = None):
        super().__init__("", parent)
        self._lines = lines
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setProperty("role", role)
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        policy.setVerticalPolicy(QSizePolicy.Policy.Minimum)
        self.setSizePolicy(policy)
        self.hide()

    def reserved_height(self) -> int:
        margins = self.contentsMargins()
        return self._lines * self.fontMetrics().lineSpacing() + margins.top() + margins.bottom()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        hint = super().sizeHint()
        return QSize(hint.width(), max(hint.height(), self.reserved_height()))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        hint = super().minimumSizeHint()
        return QSize(hint.width(), max(hint.height(), self.reserved_height()))

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt API)
        return max(super().heightForWidth(width) if self.text() else 0, self.reserved_height())

    def show_text(self, message: str | None, role: str = "error") -> None:
        self.setText(message or "")
        if self.property("role") != role:
            self.setProperty("role", role)
            restyle(self)
        self.setVisible(bool(message))
        self.updateGeometry()


def error_line(lines: int = 1, accessible_name: str = "") -> ErrorLine:
    line = ErrorLine(lines)
    if accessible_name:
        line.setAccessibleName(accessible_name)
    return line


def mark_invalid(editors: Iterable[QWidget], invalid: bool) -> None:
    """Outline the editors while their field has an error (the theme's ``invalid`` style)."""
    for editor in editors:
        if bool(editor.property("invalid")) != invalid:
            editor.setProperty("invalid", invalid)
            restyle(editor)


class LeftFields(QObject):
    """Which fields the person has been in and left: their errors may show while typing goes
    on elsewhere (an autosave), the others' only once the form is submitted. Keys are the
    form's error keys (or their prefixes, for a row of several editors)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._left: set[str] = set()
        self._keys: dict[int, str] = {}
        self.submitted = False

    def watch(self, key: str, *editors: QWidget) -> None:
        for editor in editors:
            self._keys[id(editor)] = key
            editor.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        # Left: focus went to another field. Not: a pick list's popup opening, another window
        # taking the focus, or focus moving within the field (an editable list's text box).
        if event.type() == QEvent.Type.FocusOut and event.reason() not in (
                Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason):
            key = self._keys.get(id(watched))
            now = QApplication.focusWidget()
            if key is not None and (now is None or self._keys.get(id(now)) != key):
                self._left.add(key)
        return False

    def forget(self) -> None:
        """A fresh form (another record, a new session): nothing left yet, nothing submitted."""
        self._left.clear()
        self.submitted = False

    def shown(self, errors: dict[str, str]) -> dict[str, str]:
        """The errors to show now: all once submitted, else those of fields already left."""
        if self.submitted:
            return dict(errors)
        return {key: message for key, message in errors.items()
                if any(key == left or key.startswith(left + ".") for left in self._left)}


def reveal(widget: QWidget | None, focus: QWidget | None = None) -> None:
    """Scroll every scroll area around ``widget`` so it is in view, and focus ``focus`` (or the
    widget itself) so the keyboard and a screen reader start there. Again once the layout has
    taken the messages just shown (they move the widget down)."""
    if widget is None:
        return
    _scroll_to(widget)
    target = focus or widget
    if target.focusPolicy() != Qt.FocusPolicy.NoFocus and target.isEnabled():
        target.setFocus(Qt.FocusReason.OtherFocusReason)
    QTimer.singleShot(0, widget, lambda: _scroll_to(widget))


def _scroll_to(widget: QWidget) -> None:
    child, parent = widget, widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            inner = parent.widget()
            if inner is not None and inner.layout() is not None:
                inner.layout().activate()  # positions as they will be drawn
            parent.ensureWidgetVisible(child, 16, 24)
            child = parent
        elif isinstance(parent, QAbstractScrollArea):
            child = parent
        parent = parent.parentWidget()
