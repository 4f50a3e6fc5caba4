"""Small building blocks every page uses, so each looks and behaves the same."""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLayout, QPushButton, QScrollArea, QWidget


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
