"""Two photos of one view compared: side by side, or one over the other with a divider dragged to
reveal the later one (how a change in density shows best). Each is captioned with its date in
clinic local time and its session number, in the picture itself, so a screenshot keeps them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPixmap
from PySide6.QtWidgets import QButtonGroup, QComboBox, QGridLayout, QVBoxLayout, QWidget

from .basics import button, label

SIDE_BY_SIDE, SLIDER = "side", "slider"
KEY_STEP = 0.05  # of the width, per arrow key press


@dataclass(frozen=True)
class ComparedPhoto:
    picture: QPixmap
    caption: str  # "3 Mar 2026 · session 2"


def fitted(picture: QPixmap, room: QRect) -> QRect:
    """Where ``picture`` is drawn in ``room``: as large as fits, its proportions kept, centred."""
    if picture.isNull() or room.isEmpty():
        return QRect(room.topLeft(), room.topLeft())
    size = picture.size().scaled(room.size(), Qt.AspectRatioMode.KeepAspectRatio)
    return QRect(room.x() + (room.width() - size.width()) // 2, room.y() + (room.height() - size.height()) // 2,
                 size.width(), size.height())


class CompareCanvas(QWidget):
    """Paints the two photos; in slider mode the divider follows a drag, a tap, or the arrow keys."""

    moved = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.earlier: ComparedPhoto | None = None
        self.later: ComparedPhoto | None = None
        self.mode = SIDE_BY_SIDE
        self.divider = 0.5  # slider mode: the share of the width showing the earlier photo
        self.setMinimumSize(280, 300)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._name()

    def show_pair(self, earlier: ComparedPhoto | None, later: ComparedPhoto | None, mode: str) -> None:
        self.earlier, self.later, self.mode = earlier, later, mode
        self._name()
        self.update()

    def set_divider(self, share: float) -> None:
        self.divider = min(1.0, max(0.0, share))
        self._name()
        self.moved.emit(self.divider)
        self.update()

    def _name(self) -> None:
        if self.mode == SLIDER:
            self.setAccessibleName(f"Slider comparison, {round(self.divider * 100)} % earlier photo: "
                                   "drag, or use the left and right arrow keys, to reveal the later photo")
        else:
            self.setAccessibleName("Side-by-side comparison of the two photos")

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(self.rect(), QColor("#202020"))
        if self.earlier is None or self.later is None:
            return
        if self.mode == SIDE_BY_SIDE:
            half = self.width() // 2
            for photo, room in ((self.earlier, QRect(0, 0, half - 2, self.height())),
                                (self.later, QRect(half + 2, 0, self.width() - half - 2, self.height()))):
                painter.drawPixmap(fitted(photo.picture, room), photo.picture)
                self._caption(painter, room, photo.caption, Qt.AlignmentFlag.AlignLeft)
            return
        room = self.rect()
        split = round(self.width() * self.divider)
        painter.drawPixmap(fitted(self.later.picture, room), self.later.picture)
        painter.save()
        painter.setClipRect(QRect(0, 0, split, self.height()))
        painter.drawPixmap(fitted(self.earlier.picture, room), self.earlier.picture)
        painter.restore()
        painter.fillRect(QRect(split - 2, 0, 4, self.height()), QColor("white"))
        handle = QRectF(split - 14, self.height() / 2 - 28, 28, 56)
        painter.setBrush(QColor("white"))
        painter.drawRoundedRect(handle, 8, 8)
        self._caption(painter, room, self.earlier.caption, Qt.AlignmentFlag.AlignLeft)
        self._caption(painter, room, self.later.caption, Qt.AlignmentFlag.AlignRight)

    def _caption(self, painter: QPainter, room: QRect, text: str, side: Qt.AlignmentFlag) -> None:
        metrics = painter.fontMetrics()
        box = metrics.boundingRect(text).adjusted(-8, -4, 8, 4)
        x = room.x() + 8 if side == Qt.AlignmentFlag.AlignLeft else room.right() - box.width() - 8
        box.moveTo(x, room.y() + 8)
        painter.fillRect(box, QColor(0, 0, 0, 190))
        painter.setPen(QColor("white"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self.mode == SLIDER and self.width() > 0:
            self.set_divider(event.position().x() / self.width())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        self.mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        steps = {Qt.Key.Key_Left: -KEY_STEP, Qt.Key.Key_Right: KEY_STEP}
        if self.mode == SLIDER and event.key() in steps:
            self.set_divider(self.divider + steps[event.key()])
        else:
            super().keyPressEvent(event)


class PhotoCompare(QWidget):
    """Pick any two dates of one view (earlier, later) and how to see them."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._photos: list[ComparedPhoto] = []
        self.earlier_box, self.later_box = QComboBox(), QComboBox()
        self.earlier_box.setAccessibleName("Earlier photo: date and session")
        self.later_box.setAccessibleName("Later photo: date and session")
        # The step bar's checkable look: the mode shown is filled.
        self.side_button = button("Side by side", "Compare side by side", role="step")
        self.slider_button = button("Slider", "Compare with a slider: drag to reveal", role="step")
        modes = QButtonGroup(self)
        for choice in (self.side_button, self.slider_button):
            choice.setCheckable(True)
            modes.addButton(choice)
        self.side_button.setChecked(True)
        self.canvas = CompareCanvas()
        picks = QGridLayout()  # two rows: fits a portrait tablet at the largest text
        for row, (caption, box, mode) in enumerate((("Earlier", self.earlier_box, self.side_button),
                                                    ("Later", self.later_box, self.slider_button))):
            picks.addWidget(label(caption, wrap=False), row, 0)
            picks.addWidget(box, row, 1)
            picks.addWidget(mode, row, 2)
        picks.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(picks)
        layout.addWidget(self.canvas, 1)
        for box in (self.earlier_box, self.later_box):
            box.currentIndexChanged.connect(self._update)
        modes.buttonClicked.connect(self._update)

    def show_photos(self, photos: list[ComparedPhoto]) -> None:
        """The view's photos, oldest first: the first and the latest are compared until others are picked."""
        self._photos = photos
        for box, index in ((self.earlier_box, 0), (self.later_box, len(photos) - 1)):
            box.blockSignals(True)
            box.clear()
            box.addItems([photo.caption for photo in photos])
            box.setCurrentIndex(index)
            box.blockSignals(False)
        self._update()

    def set_mode(self, mode: str) -> None:
        (self.slider_button if mode == SLIDER else self.side_button).setChecked(True)
        self._update()

    def _update(self, *_args) -> None:
        if len(self._photos) < 2:
            self.canvas.show_pair(None, None, SIDE_BY_SIDE)
            return
        mode = SLIDER if self.slider_button.isChecked() else SIDE_BY_SIDE
        self.canvas.show_pair(self._photos[self.earlier_box.currentIndex()],
                              self._photos[self.later_box.currentIndex()], mode)
