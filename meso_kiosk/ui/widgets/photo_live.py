"""The camera's picture on the capture panel, painted here (no QtMultimediaWidgets): the live frame,
or the still under review, fitted to the widget; over it, when asked, the same view's previous photo
at 30 % opacity, so the consultant lines the patient up as last time.

Frames arrive faster than they are painted: the latest one is kept and converted only when painted.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..theme import SURFACE, TEXT

OVERLAY_OPACITY = 0.3
WAITING = "Starting the camera…"


def fitted(size: QSize, area: QRectF) -> QRectF:
    """The largest rectangle of ``size``'s proportions centred in ``area``."""
    if size.isEmpty():
        return QRectF(area)
    scale = min(area.width() / size.width(), area.height() / size.height())
    width, height = size.width() * scale, size.height() * scale
    return QRectF(area.x() + (area.width() - width) / 2, area.y() + (area.height() - height) / 2, width, height)


class PhotoLive(QWidget):
    """``show_frame(frame)`` for each live ``QVideoFrame``; ``show_still(image)`` for the review."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Space or Enter here takes the photo
        self.setAccessibleName("Camera picture")
        self._frame = None  # the latest live QVideoFrame, converted when painted
        self.still: QImage | None = None
        self.previous: QPixmap | None = None
        self.overlay = False
        self.frames = 0  # live frames received since the camera started

    def reset(self, previous: QPixmap | None) -> None:
        """A new capture: no frame yet, this view's previous photo (None: the first one)."""
        self._frame, self.still, self.frames = None, None, 0
        self.previous = previous if previous is not None and not previous.isNull() else None
        self.update()

    def show_frame(self, frame) -> None:
        if frame.isValid():
            self._frame = frame
            self.frames += 1
            if self.still is None:
                self.update()

    def show_still(self, image: QImage | None) -> None:
        self.still = image
        self.update()

    def set_overlay(self, shown: bool) -> None:
        self.overlay = shown and self.previous is not None
        self.update()

    def picture(self) -> QImage | None:
        """What is shown: the still under review, else the latest live frame."""
        if self.still is not None:
            return self.still
        image = self._frame.toImage() if self._frame is not None else None
        return image if image is not None and not image.isNull() else None

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(TEXT))  # dark around the picture, as in a viewfinder
        image = self.picture()
        if image is None:
            painter.setPen(QColor(SURFACE))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, WAITING)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        target = fitted(image.size(), QRectF(self.rect()))
        painter.drawImage(target, image)
        if self.overlay and self.previous is not None:
            painter.setOpacity(OVERLAY_OPACITY)
            painter.drawPixmap(fitted(self.previous.size(), target), self.previous, QRectF(self.previous.rect()))
