"""Small building blocks every page uses, so each looks and behaves the same."""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QBoxLayout, QLabel, QLayout, QPushButton, QScrollArea, QWidget


def label(text: str, role: str | None = None, *, wrap: bool = True, align: Qt.AlignmentFlag | None = None,
          parent: QWidget | None = None, kind: type[QLabel] = QLabel) -> QLabel:
    """A label showing ``text`` as typed (patient text is never markup); ``align``: e.g.
    ``Qt.AlignmentFlag.AlignCenter``; ``kind``: a QLabel subclass to make instead."""
    widget = kind(text, parent)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    if align is not None:
        widget.setAlignment(align)
    if role:
        widget.setProperty("role", role)
    return widget


def button(text: str, accessible_name: str, *, primary: bool = False, role: str | None = None,
           parent: QWidget | None = None) -> QPushButton:
    widget = QPushButton(text, parent)
    widget.setAccessibleName(accessible_name)
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    widget.setProperty("role", "primary" if primary else role)
    widget.setAutoDefault(primary)
    return widget


def restyle(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property (``invalid``, ``role``) changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def show_field_error(field: QWidget | None, error: QLabel, message: str) -> None:
    """``message`` under ``field`` (hidden when empty), the field outlined while it has one."""
    error.setText(message)
    error.setVisible(bool(message))
    if field is not None:
        field.setProperty("invalid", bool(message))
        restyle(field)


def discard(widgets: Iterable[QWidget], layout: QLayout | None = None) -> None:
    """Take ``widgets`` off screen now (out of ``layout``) and delete them soon.

    ``deleteLater`` alone leaves a widget visible, out of its layout, until the event loop
    gets to the deletion: a paint in between shows it in its parent's corner.
    """
    for widget in list(widgets):
        if layout is not None:
            layout.removeWidget(widget)
        widget.hide()
        widget.deleteLater()


def scrolling(body: QWidget) -> QScrollArea:
    """Wrap a page body so it scrolls vertically (portrait tablets) but never sideways."""
    body.setObjectName("page")
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(body)
    return area


class ReflowRow(QWidget):
    """Buttons side by side while they fit, one under the other when they do not (a portrait
    tablet, the largest text): a button is never squeezed until its words are cut."""

    def __init__(self, *widgets: QWidget, spacing: int = 16, parent: QWidget | None = None):
        super().__init__(parent)
        self._widgets = widgets
        self._box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(spacing)
        for widget in widgets:
            self._box.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeft)
        self._box.addStretch(1)

    def side_by_side_width(self) -> int:
        shown = [widget for widget in self._widgets if not widget.isHidden()]
        return sum(widget.sizeHint().width() for widget in shown) + self._box.spacing() * max(len(shown) - 1, 0)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override): as narrow as its widest button
        widest = max((widget.minimumSizeHint().width() for widget in self._widgets), default=0)
        return QSize(widest, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        direction = (QBoxLayout.Direction.LeftToRight if self.side_by_side_width() <= event.size().width()
                     else QBoxLayout.Direction.TopToBottom)
        if direction != self._box.direction():
            self._box.setDirection(direction)
