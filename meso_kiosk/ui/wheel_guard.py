"""A mouse wheel or a two-finger swipe passing over a pick list, a spin box, a date or a slider
scrolls the page; it changes the value only of the control the consultant has chosen (focused).

Qt turns a wheel over a QComboBox into a new pick, which the intake then autosaves without
anyone having picked: the preferred language, the session's consultant. One filter on the
application covers every page, and the controls it guards take focus on a tap or Tab only
(StrongFocus), never from the wheel itself.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox, QSlider, QWidget

# QDateTimeEdit (dates and times) is a QAbstractSpinBox.
GUARDED = (QComboBox, QAbstractSpinBox, QSlider)


class WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(watched, GUARDED):
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif kind == QEvent.Type.Wheel and isinstance(watched, GUARDED) and not watched.hasFocus():
            pass_to_scroll_area(watched, event)
            return True  # the value stays as it is
        return False


def pass_to_scroll_area(widget: QWidget, event: QWheelEvent) -> None:
    """Give the wheel to the nearest scroll area behind ``widget`` that can move that way."""
    vertical = abs(event.angleDelta().y()) >= abs(event.angleDelta().x())
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            bar = parent.verticalScrollBar() if vertical else parent.horizontalScrollBar()
            if bar.maximum() > bar.minimum():
                viewport = parent.viewport()
                where = QPointF(viewport.mapFromGlobal(event.globalPosition().toPoint()))
                passed = QWheelEvent(where, event.globalPosition(), event.pixelDelta(), event.angleDelta(),
                                     event.buttons(), event.modifiers(), event.phase(), event.inverted(),
                                     event.source())
                QApplication.sendEvent(viewport, passed)
                return
        parent = parent.parentWidget()


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """Install the guard on ``app`` once (each window's pages call this; the first installs)."""
    guard = app.findChild(WheelGuard)
    if guard is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
        # Controls built before the guard (the lock screen's) are polished already.
        for widget in app.allWidgets():
            if isinstance(widget, GUARDED):
                widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return guard
