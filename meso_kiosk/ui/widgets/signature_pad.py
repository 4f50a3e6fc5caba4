"""The signature pad: a patient signs with a finger, a stylus or the mouse.

The strokes are the source of truth (``SignatureStrokes``: points with time and
pressure, in pad pixels); the PNG is drawn from them. Lines are smoothed with
quadratic curves through the midpoints of successive points, and a stylus's pressure
sets the width of each piece of line.

Drawing is incremental: ink is painted once, into a pixmap, as each point arrives;
``paintEvent`` only copies the changed part of that pixmap to the screen. A move
event therefore costs one short curve, whatever the length of the signature. Undo
and a resize (the tablet turned) redraw the pixmap from the strokes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QBuffer, QEvent, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QInputDevice,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from ...domain.signature import SignatureError, SignaturePoint, SignatureStrokes, parse_signature
from .. import theme
from .basics import button
from .field_errors import error_line

INK = QColor("#14213D")          # a dark blue-black, like a pen
BASE_WIDTH = 3.4                 # line width in pad pixels at pressure 0.5
NO_PRESSURE = 0.5                # what a finger or a mouse records (the domain's default)
MIN_PAD_HEIGHT = 220

# The pad's refusals, in English; the hand-off screen passes the template's own words.
DEFAULT_WORDS = {
    "clear": "Clear",
    "undo": "Undo last line",
    "signature_empty": "Please sign in the box first.",
    "signature_too_small": "Your signature is too small. Please sign again, a little larger.",
    "signature_too_big": "That is a lot of lines. Please clear the box and sign once, as usual.",
    "signature_invalid": "Something went wrong with the signature. Please clear the box and sign again.",
}


def pen_width(pressure: float, base: float = BASE_WIDTH) -> float:
    """Line width for a pressure 0..1: light touches thin, firm ones up to about 1.7× the base."""
    p = min(max(pressure, 0.0), 1.0)
    return base * (0.35 + 1.3 * p)


def _mid(a: SignaturePoint, b: SignaturePoint) -> QPointF:
    return QPointF((a.x + b.x) / 2, (a.y + b.y) / 2)


def _pen(pressure: float, color: QColor, base: float) -> QPen:
    pen = QPen(color, pen_width(pressure, base))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _segment(stroke: Sequence[SignaturePoint], index: int) -> tuple[QPainterPath, float] | None:
    """The piece of smoothed line that point ``index`` completes, and its pressure.

    Point 1 closes the straight start (p0 → mid(p0, p1)); point n ≥ 2 adds the curve
    mid(p[n-2], p[n-1]) → mid(p[n-1], p[n]) bent by p[n-1]. ``_tail`` finishes the line.
    """
    if index < 1:
        return None
    path = QPainterPath()
    if index == 1:
        a, b = stroke[0], stroke[1]
        path.moveTo(a.x, a.y)
        path.lineTo(_mid(a, b))
        return path, (a.pressure + b.pressure) / 2
    a, b, c = stroke[index - 2], stroke[index - 1], stroke[index]
    path.moveTo(_mid(a, b))
    path.quadTo(QPointF(b.x, b.y), _mid(b, c))
    return path, b.pressure


def _tail(stroke: Sequence[SignaturePoint]) -> tuple[QPainterPath, float] | None:
    """The last half-segment of a finished line, or the dot of a single tap."""
    path = QPainterPath()
    last = stroke[-1]
    if len(stroke) == 1:
        path.moveTo(last.x, last.y)
        path.lineTo(last.x + 0.01, last.y)
        return path, last.pressure
    path.moveTo(_mid(stroke[-2], last))
    path.lineTo(last.x, last.y)
    return path, last.pressure


def paint_stroke(painter: QPainter, stroke: Sequence[SignaturePoint], *, finished: bool = True,
                 color: QColor = INK, base: float = BASE_WIDTH) -> None:
    """Draw one line exactly as the pad draws it while it is being signed."""
    for index in range(1, len(stroke)):
        piece = _segment(stroke, index)
        if piece is not None:
            painter.setPen(_pen(piece[1], color, base))
            painter.drawPath(piece[0])
    if finished and stroke:
        piece = _tail(stroke)
        if piece is not None:
            painter.setPen(_pen(piece[1], color, base))
            painter.drawPath(piece[0])


def paint_signature(painter: QPainter, signature: SignatureStrokes, target: QRectF, *,
                    color: QColor = INK) -> None:
    """Draw a stored signature into ``target``, scaled to fit and centred (for previews)."""
    if not signature.strokes or signature.width <= 0 or signature.height <= 0:
        return
    scale = min(target.width() / signature.width, target.height() / signature.height)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(target.left() + (target.width() - signature.width * scale) / 2,
                      target.top() + (target.height() - signature.height * scale) / 2)
    painter.scale(scale, scale)
    for stroke in signature.strokes:
        paint_stroke(painter, stroke, color=color, base=max(BASE_WIDTH, 1.2 / max(scale, 1e-6)))
    painter.restore()


def signature_png(signature: SignatureStrokes, scale: float = 1.0) -> bytes:
    """The signature drawn in ink on white, as PNG bytes, the pad's size times ``scale``."""
    width = max(1, round(signature.width * scale))
    height = max(1, round(signature.height * scale))
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(scale, scale)
    for stroke in signature.strokes:
        paint_stroke(painter, stroke)
    painter.end()
    buffer = QBuffer()  # owns its bytes: no Python-held QByteArray for it to outlive
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    png = bytes(buffer.data())
    buffer.close()
    return png


def _monotonic_ms() -> int:
    return time.monotonic_ns() // 1_000_000


class SignatureCanvas(QWidget):
    """The white box signed in. Emits ``changed`` when a line ends, is undone or cleared."""

    changed = Signal()
    stroke_started = Signal()

    def __init__(self, accessible_name: str = "Signature box", parent: QWidget | None = None, *,
                 clock_ms: Callable[[], int] = _monotonic_ms):
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setAccessibleDescription("Sign here with a finger, a stylus or the mouse.")
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setMinimumHeight(MIN_PAD_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._clock_ms = clock_ms
        self._strokes: list[list[SignaturePoint]] = []
        self._active: list[SignaturePoint] | None = None
        self._touch_id: int | None = None
        self._t0: int | None = None                  # clock at the first point of the signature
        self._pad_size: tuple[float, float] | None = None  # pad pixels the points are in
        self._ink: QPixmap | None = None
        self.caption = ""                            # under the line, e.g. the printed name

    # ------------------------------------------------------------ public

    def stroke_list(self) -> list[list[SignaturePoint]]:
        finished = [list(s) for s in self._strokes]
        if self._active:
            finished.append(list(self._active))
        return finished

    def pad_size(self) -> tuple[float, float]:
        if self._pad_size is not None:
            return self._pad_size
        return float(max(1, self.width())), float(max(1, self.height()))

    def is_empty(self) -> bool:
        return not self._strokes and not self._active

    def clear(self) -> None:
        had = not self.is_empty()
        self._strokes.clear()
        self._active = None
        self._touch_id = None
        self._t0 = None
        self._pad_size = None
        self._redraw()
        if had:
            self.changed.emit()

    def undo(self) -> None:
        if self._active:
            self._active = None
        elif self._strokes:
            self._strokes.pop()
        else:
            return
        if not self._strokes:
            self._t0 = None
            self._pad_size = None
        self._redraw()
        self.changed.emit()

    # ------------------------------------------------------------ geometry

    def _scale(self) -> float:
        if self._pad_size is None:
            return 1.0
        w, h = self._pad_size
        return min(self.width() / w, self.height() / h) if w and h else 1.0

    def _to_pad(self, pos: QPointF) -> tuple[float, float]:
        s = self._scale()
        w, h = self.pad_size()
        return min(max(pos.x() / s, 0.0), w), min(max(pos.y() / s, 0.0), h)

    # ------------------------------------------------------------ strokes

    def _begin(self, pos: QPointF, pressure: float) -> None:
        if self._active is not None:
            self._end()
        if self._pad_size is None:
            self._pad_size = (float(max(1, self.width())), float(max(1, self.height())))
        self._active = []
        self.stroke_started.emit()
        self._add(pos, pressure)

    def _add(self, pos: QPointF, pressure: float) -> None:
        if self._active is None:
            return
        now = self._clock_ms()
        if self._t0 is None:
            self._t0 = now
        t = max(0, now - self._t0)
        if self._active and t < self._active[-1].t_ms:
            t = self._active[-1].t_ms
        elif not self._active and self._strokes and t < self._strokes[-1][-1].t_ms:
            t = self._strokes[-1][-1].t_ms
        x, y = self._to_pad(pos)
        if self._active and (x, y) == (self._active[-1].x, self._active[-1].y):
            return  # no movement: nothing to add
        self._active.append(SignaturePoint(round(x, 2), round(y, 2), t, round(min(max(pressure, 0.0), 1.0), 3)))
        piece = _segment(self._active, len(self._active) - 1)
        if piece is not None:
            self._paint_piece(*piece)

    def _end(self) -> None:
        if self._active is None:
            return
        stroke = self._active
        self._active = None
        self._touch_id = None
        if stroke:
            self._strokes.append(stroke)
            piece = _tail(stroke)
            if piece is not None:
                self._paint_piece(*piece)
            self.changed.emit()

    # ------------------------------------------------------------ ink

    def _new_ink(self) -> QPixmap:
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(QSize(max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio))))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(QColor(theme.SURFACE))
        return pixmap

    def _ink_painter(self) -> QPainter:
        if self._ink is None or self._ink.size() != QSize(round(self.width() * self.devicePixelRatioF()),
                                                          round(self.height() * self.devicePixelRatioF())):
            self._redraw()
        assert self._ink is not None
        painter = QPainter(self._ink)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(self._scale(), self._scale())
        return painter

    def _paint_piece(self, path: QPainterPath, pressure: float) -> None:
        painter = self._ink_painter()
        pen = _pen(pressure, INK, BASE_WIDTH)
        painter.setPen(pen)
        painter.drawPath(path)
        painter.end()
        s = self._scale()
        margin = pen.widthF() + 2
        box = path.boundingRect().adjusted(-margin, -margin, margin, margin)
        self.update(QRectF(box.left() * s, box.top() * s, box.width() * s, box.height() * s).toAlignedRect())

    def _redraw(self) -> None:
        """Paint every stroke into a fresh pixmap (after undo, clear or a resize)."""
        self._ink = self._new_ink()
        painter = QPainter(self._ink)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(self._scale(), self._scale())
        for stroke in self._strokes:
            paint_stroke(painter, stroke)
        if self._active:
            paint_stroke(painter, self._active, finished=False)
        painter.end()
        self.update()

    # ------------------------------------------------------------ Qt events

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._redraw()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        if self._ink is None:
            self._redraw()
        assert self._ink is not None
        rect = event.rect()
        painter.drawPixmap(rect, self._ink, QRectF(rect.x() * self._ink.devicePixelRatio(),
                                                   rect.y() * self._ink.devicePixelRatio(),
                                                   rect.width() * self._ink.devicePixelRatio(),
                                                   rect.height() * self._ink.devicePixelRatio()).toRect())
        # The signing line is a guide, not ink: never in the strokes or the PNG.
        line_y = self.height() * 0.72
        painter.setPen(QPen(QColor(theme.BORDER), 2, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(24, line_y), QPointF(self.width() - 24, line_y))
        painter.setPen(QColor(theme.MUTED))
        painter.drawText(QRectF(24, line_y - 34, 40, 32), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                         "✕")
        if self.caption:
            font = painter.font()
            font.setPixelSize(22)
            font.setBold(True)
            painter.save()
            painter.setFont(font)
            painter.setPen(QColor(theme.TEXT))
            painter.drawText(QRectF(24, line_y + 8, self.width() - 48, 34), Qt.AlignmentFlag.AlignHCenter,
                             self.caption)
            painter.restore()
        painter.setPen(QPen(QColor(theme.ACCENT) if self.hasFocus() else QColor(theme.BORDER), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(1, 1, self.width() - 2, self.height() - 2), 10, 10)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self._is_real_mouse(event) or event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        self._begin(event.position(), NO_PRESSURE)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self._is_real_mouse(event) or self._touch_id is not None:
            event.ignore()
            return
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._add(event.position(), NO_PRESSURE)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if not self._is_real_mouse(event) or self._touch_id is not None:
            event.ignore()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self._add(event.position(), NO_PRESSURE)
            self._end()
        event.accept()

    @staticmethod
    def _is_real_mouse(event: QMouseEvent) -> bool:
        """Mouse events Qt makes up from touch or stylus input would draw every line twice."""
        return event.source() == Qt.MouseEventSource.MouseEventNotSynthesized

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802
        kind = event.type()
        pressure = event.pressure()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position(), pressure)
        elif kind == QEvent.Type.TabletMove:
            if self._active is not None and event.buttons() & Qt.MouseButton.LeftButton:
                self._add(event.position(), pressure)
        elif kind == QEvent.Type.TabletRelease:
            self._add(event.position(), pressure)
            self._end()
        event.accept()

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd,
                    QEvent.Type.TouchCancel):
            self._touch(event)  # type: ignore[arg-type]
            event.accept()
            return True
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> None:
        """Follow the first finger down; a palm or a second finger is ignored."""
        if event.type() == QEvent.Type.TouchCancel:
            self._end()
            return
        device = event.pointingDevice()
        has_pressure = bool(device and device.capabilities() & QInputDevice.Capability.Pressure)
        for point in event.points():
            state = point.state()
            pressure = point.pressure() if has_pressure else NO_PRESSURE
            if state == point.State.Pressed and self._touch_id is None:
                self._begin(point.position(), pressure)
                self._touch_id = point.id()
            elif point.id() == self._touch_id:
                if state == point.State.Released:
                    self._add(point.position(), pressure)
                    self._end()
                elif state == point.State.Updated:
                    self._add(point.position(), pressure)


class SignaturePad(QWidget):
    """The box to sign in, with Clear and Undo, and a friendly message when a signature is refused.

    ``strokes()`` gives what was drawn (not yet validated); ``accepted_strokes()``
    validates it with the domain's rule (``parse_signature``) and shows the refusal
    under the box, in the words given to ``set_words``.
    """

    changed = Signal()

    def __init__(self, accessible_name: str = "Signature box", parent: QWidget | None = None, *,
                 clock_ms: Callable[[], int] = _monotonic_ms):
        super().__init__(parent)
        self._words = dict(DEFAULT_WORDS)
        self.canvas = SignatureCanvas(accessible_name, clock_ms=clock_ms)
        self.clear_button = button(self._words["clear"], "Clear the signature")
        self.undo_button = button(self._words["undo"], "Undo the last line of the signature")
        for widget in (self.clear_button, self.undo_button):
            widget.setMinimumHeight(theme.TOUCH_TARGET + 8)
        # Its room is kept while empty: a refusal appearing or going never moves the box or
        # the buttons under the patient's finger.
        self.message = error_line(2, "Signature message")
        self.message.setProperty("role", "pad-message")

        actions = QHBoxLayout()
        actions.setSpacing(12)
        actions.addWidget(self.undo_button)
        actions.addWidget(self.clear_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.message)
        layout.addLayout(actions)
        self._connect_signals()
        self._update_buttons()

    def _connect_signals(self) -> None:
        self.canvas.changed.connect(self._on_canvas_changed)
        self.canvas.stroke_started.connect(self._on_canvas_stroke_started)
        self.clear_button.clicked.connect(self.clear)
        self.undo_button.clicked.connect(self.undo)

    # ------------------------------------------------------------ the contract

    def strokes(self) -> SignatureStrokes:
        """What is drawn now, as the domain's vector data (``to_data()`` gives its JSON)."""
        width, height = self.canvas.pad_size()
        return SignatureStrokes(round(width, 2), round(height, 2),
                                tuple(tuple(stroke) for stroke in self.canvas.stroke_list() if stroke))

    def is_empty(self) -> bool:
        return self.canvas.is_empty()

    def clear(self) -> None:
        self.canvas.clear()
        self.show_message("")
        self._update_buttons()

    def undo(self) -> None:
        self.canvas.undo()
        self._update_buttons()

    def render_png(self) -> bytes:
        """The signature in ink on white, the pad's size, as PNG bytes (what the record stores)."""
        return signature_png(self.strokes())

    # ------------------------------------------------------------ checking

    def set_words(self, words: dict[str, str]) -> None:
        """The pad's words in the patient's language (keys of ``DEFAULT_WORDS``)."""
        self._words.update({k: v for k, v in words.items() if k in DEFAULT_WORDS and v})
        self.clear_button.setText(self._words["clear"])
        self.undo_button.setText(self._words["undo"])

    def set_caption(self, text: str) -> None:
        """Words under the signing line, as on paper: the signer's printed name. Never ink."""
        self.canvas.caption = text
        self.canvas.setAccessibleDescription(f"Sign here with a finger, a stylus or the mouse. {text}".strip())
        self.canvas.update()

    def refusal(self) -> str | None:
        """Why the signature cannot be accepted (in the pad's words), or None if it can."""
        try:
            parse_signature(self.strokes().to_data())
        except SignatureError as error:
            return self.words_for(error.code)
        return None

    def accepted_strokes(self) -> SignatureStrokes | None:
        """The validated signature, or None with the friendly refusal shown under the box."""
        try:
            signature = parse_signature(self.strokes().to_data())
        except SignatureError as error:
            self.show_message(self.words_for(error.code))
            return None
        self.show_message("")
        return signature

    def words_for(self, code: str) -> str:
        return self._words.get(f"signature_{code}", self._words["signature_invalid"])

    def show_message(self, text: str) -> None:
        self.message.show_text(text, "pad-message")

    # ------------------------------------------------------------ handlers

    def _on_canvas_changed(self) -> None:
        self._update_buttons()
        self.changed.emit()

    def _on_canvas_stroke_started(self) -> None:
        if self.message.isVisible():
            self.show_message("")

    def _update_buttons(self) -> None:
        empty = self.canvas.is_empty()
        self.clear_button.setEnabled(not empty)
        self.undo_button.setEnabled(not empty)


class SignatureView(QWidget):
    """A stored signature drawn small (history, status): read-only."""

    def __init__(self, signature: SignatureStrokes | None = None, accessible_name: str = "Signature",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self._signature = signature
        self.setMinimumSize(180, 64)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def set_signature(self, signature: SignatureStrokes | None) -> None:
        self._signature = signature
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(240, 80)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(theme.BORDER), 1))
        painter.setBrush(QColor(theme.SURFACE))
        painter.drawRoundedRect(QRectF(0.5, 0.5, self.width() - 1, self.height() - 1), 6, 6)
        if self._signature is not None:
            paint_signature(painter, self._signature, QRectF(6, 4, self.width() - 12, self.height() - 8))
        else:
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No signature")

