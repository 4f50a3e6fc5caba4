"""Taking one photo of one view with the camera: the live picture (the same view's previous photo
over it, faint, on request), the view's name and how to position the patient, a big "Take photo";
then the still to review ("Keep" or "Retake"). "Keep" hands the photo on as JPEG (the Photos step
stores it); "Cancel" goes back to the view without one.

A camera that fails or goes away shows why here, in words the consultant can act on, and offers
the import instead. Keys: Space or Enter takes the photo (Enter keeps it under review), Esc
cancels (under review: back to the live picture).

The frame source (``ui.photo_camera``) is made by ``source_factory`` when a capture starts: building
this panel loads no QtMultimedia.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from ...domain.photo import PhotoView
from .basics import ReflowRow, button, label
from .photo_live import PhotoLive

JPEG_QUALITY = 95  # the service re-encodes it once more; keep this first pass close to the camera's
LIVE, REVIEW, TROUBLE = "live", "review", "trouble"
WAITING_FOR_STILL = "Taking the photo…"


def jpeg_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPEG", JPEG_QUALITY)
    buffer.close()
    return bytes(data.data())


class PhotoCapture(QWidget):
    kept = Signal(bytes)  # the photo, as JPEG
    cancelled = Signal()
    import_requested = Signal()  # the camera failed: import the photo instead

    def __init__(self, source_factory: Callable[[QObject], object], parent: QWidget | None = None):
        """``source_factory(parent)``: a new frame source (``ui.photo_camera``) for each capture."""
        super().__init__(parent)
        self.source_factory = source_factory
        self.source = None
        self.view: PhotoView | None = None
        self.state = LIVE
        self._build()

    def _build(self) -> None:
        self.cancel_button = button("‹ Cancel", "Cancel: back to the view without a photo")
        self.cancel_button.clicked.connect(self.cancel)
        self.title = label("", "subheading")
        self.hint = label("", "muted")
        self.trouble_line = label("", "error")
        self.live = PhotoLive()
        self.overlay_button = button("Show previous photo", "Show the previous photo of this view over the camera",
                                     role="step")  # the compare modes' look: checked is filled
        self.overlay_button.setCheckable(True)
        self.overlay_button.toggled.connect(self.live.set_overlay)
        self.take_button = button("Take photo", "Take the photo", primary=True)
        self.take_button.setProperty("emphasis", "large")  # the one thing to press, big
        self.take_button.clicked.connect(self.take)
        self.retake_button = button("Retake", "Retake: discard this photo and take another")
        self.retake_button.clicked.connect(self.retake)
        self.keep_button = button("Keep", "Keep this photo", primary=True)
        self.keep_button.clicked.connect(self.keep)
        self.import_button = button("Import from a folder or USB drive…", "Import a photo from a folder or USB drive")
        self.import_button.clicked.connect(self._import_instead)
        top = QHBoxLayout()
        top.addWidget(self.cancel_button)
        top.addWidget(self.title, 1)
        self.actions = ReflowRow(self.overlay_button, self.retake_button, self.keep_button, self.take_button,
                                 self.import_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addWidget(self.trouble_line)
        layout.addWidget(self.live, 1)
        layout.addWidget(self.actions)
        layout.addStretch(0)  # takes the live picture's room when there is none (the camera failed)
        self._layout = layout

    # -- what the Photos step calls -----------------------------------------------------------

    def start(self, view: PhotoView, previous: QPixmap | None) -> None:
        """Open the camera for ``view``; ``previous``: its latest photo (None: the first one)."""
        self.stop()
        self.view = view
        self.title.setText(f"Take photo: {view.label}")
        self.hint.setText(view.hint)
        self.live.reset(previous)
        self.live.setAccessibleName(f"Camera picture of the {view.label.lower()}")
        self.overlay_button.setChecked(False)
        self.overlay_button.setEnabled(self.live.previous is not None)
        self.overlay_button.setText("Show previous photo" if self.live.previous is not None else "No previous photo")
        self._show(LIVE)
        self.source = self.source_factory(self)
        self.source.sink.videoFrameChanged.connect(self.live.show_frame)
        self.source.captured.connect(self._review)
        self.source.failed.connect(self.show_trouble)
        self.source.start()

    def stop(self) -> None:
        """Let the camera go (another program may use it); nothing is kept."""
        if self.source is not None:
            source, self.source = self.source, None
            source.stop()
            source.deleteLater()

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Another step, patient or the lock screen: the camera goes off (a minimised window keeps it)."""
        if not event.spontaneous():
            self.stop()
        super().hideEvent(event)

    # -- the consultant's actions -----------------------------------------------------------

    def take(self) -> None:
        if self.state == LIVE and self.source is not None and self.live.frames:  # a picture to take
            self.take_button.setEnabled(False)  # one photo per press, however long the camera takes
            self.take_button.setText(WAITING_FOR_STILL)
            self.source.capture()

    def retake(self) -> None:
        self.live.show_still(None)
        self._show(LIVE)

    def keep(self) -> None:
        if self.state == REVIEW and self.live.still is not None:
            data = jpeg_bytes(self.live.still)
            self.stop()
            self.kept.emit(data)

    def cancel(self) -> None:
        self.stop()
        self.cancelled.emit()

    def show_trouble(self, words: str) -> None:
        """The camera failed (or went away): say why, offer the import."""
        self.stop()
        self.trouble_line.setText(words)
        self._show(TROUBLE)

    def _review(self, image: QImage) -> None:
        if self.state == LIVE:
            self.live.show_still(image)
            self._show(REVIEW)

    def _import_instead(self) -> None:
        self.cancel()
        self.import_requested.emit()

    def _show(self, state: str) -> None:
        self.state = state
        self.take_button.setText("Take photo")
        self.take_button.setEnabled(True)
        self.take_button.setVisible(state == LIVE)
        self.overlay_button.setVisible(state != TROUBLE)
        self.live.setVisible(state != TROUBLE)
        self._layout.setStretch(self._layout.count() - 1, 1 if state == TROUBLE else 0)
        for shown, widget in ((REVIEW, self.retake_button), (REVIEW, self.keep_button),
                              (TROUBLE, self.import_button), (TROUBLE, self.trouble_line)):
            widget.setVisible(state == shown)
        (self.keep_button if state == REVIEW else self.import_button if state == TROUBLE else self.live).setFocus()

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override): keys a focused button leaves alone
        key = event.key()
        if key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.state == LIVE:
            self.take()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.state == REVIEW:
            self.keep()
        elif key == Qt.Key.Key_Escape:
            self.retake() if self.state == REVIEW else self.cancel()
        else:
            super().keyPressEvent(event)
