"""Where live pictures come from on the Photos step: the clinic's camera, or a video standing in for it.

A frame source has ``start()``/``stop()``, a ``sink`` (a ``QVideoSink``) that live frames arrive in,
and ``capture()``, answered by ``captured(QImage)`` with a still; ``failed(words)`` says in words a
consultant can act on why there is no picture (camera busy, unplugged, not allowed).
``CameraSource`` takes the still with ``QImageCapture`` (the camera's full resolution, not the
preview frame); ``VideoSource`` plays a video file (``ui.generated_video`` in the tests and the
self-test) and its still is the frame on screen.

This module loads QtMultimedia: it is imported only when a photo view opens or a capture starts,
never on the way to the first frame.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLoggingCategory, QObject, QSize, QUrl, Signal, qInstallMessageHandler
from PySide6.QtGui import QImage

# Qt's multimedia library looks for optional system libraries (PipeWire, VA-API) as it loads and
# warns for each one missing; the camera works without them, and every test fails on a Qt warning.
# A file that cannot be opened is warned about too, and comes to the player's errorOccurred anyway.
QUIET_CATEGORIES = "qt.multimedia.symbolsresolver.warning=false\nqt.multimedia.ffmpeg.mediadataholder.warning=false"
QLoggingCategory.setFilterRules(QUIET_CATEGORIES)  # before the import below loads the library

from PySide6.QtMultimedia import (QCamera, QCameraDevice, QImageCapture, QMediaCaptureSession,  # noqa: E402
                                  QMediaDevices, QMediaPlayer, QVideoFrame, QVideoFrameFormat, QVideoSink)

CPU_CONVERSION = "No RHI backend. Using CPU conversion."
AV_LOG_FATAL = 8
SMOOTH_FPS = 15  # below this the live picture lags the patient's head
AVUTIL = ("libavutil.so.59", "avutil-59.dll", "libavutil.59.dylib")  # FFmpeg 7.1, as Qt 6.11 ships it

NO_CAMERA = "No camera is connected: plug the camera in and open the view again, or import the photo instead."
UNPLUGGED = "The camera was unplugged: plug it in again and open the view again, or import the photo instead."
BUSY = ("The camera is in use by another program (a video call or the camera app): close that program and "
        "try again, or import the photo instead.")
NOT_ALLOWED = ("The system does not let this app use the camera: allow camera access for Meso Kiosk in the "
               "system's privacy settings, or import the photo instead.")
STOPPED = "The camera stopped working ({detail}): check its cable and try again, or import the photo instead."
NO_STILL = "The camera could not take the photo ({detail}): try again, or import the photo instead."
NO_VIDEO = "The video cannot be played ({detail})."

_loaded = False


def camera_trouble(detail: str) -> str:
    """Words for a camera error Qt reports in its own (the driver's) words."""
    text = detail.lower()
    if any(word in text for word in ("busy", "in use", "resource temporarily", "already")):
        return BUSY
    if any(word in text for word in ("permission", "denied", "not permitted", "access")):
        return NOT_ALLOWED
    if any(word in text for word in ("no such device", "not found", "disconnected", "unplugged", "removed")):
        return UNPLUGGED
    return STOPPED.format(detail=detail.strip().rstrip(".") or "no reason given")


def sharpest_format(formats):
    """The camera format with the most pixels among those that still move smoothly (any, if none
    does): the still is taken at the format's resolution, and a webcam's default is often 640x480."""
    smooth = [each for each in formats if each.maxFrameRate() >= SMOOTH_FPS] or list(formats)
    return max(smooth, key=lambda each: (each.resolution().width() * each.resolution().height(),
                                         each.maxFrameRate()), default=None)


def load_multimedia() -> None:
    """Ready QtMultimedia once, before its first use: FFmpeg's own log lines on stderr silenced, and a
    first frame converted so that Qt's one-off note that this machine converts frames without the GPU
    comes now, where it is expected."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    QMediaDevices.videoInputs()  # loads the backend (the FFmpeg plugin)
    _quiet_ffmpeg()
    _convert_first_frame()


def _quiet_ffmpeg() -> None:
    """FFmpeg prints to stderr itself (hardware decoders it tries and cannot use, pixel-format notes);
    Qt reports what matters through its own signals. Only fatal lines are left."""
    for name in AVUTIL:  # already loaded by Qt's plugin: the loader hands back that library
        try:
            ctypes.CDLL(name).av_log_set_level(AV_LOG_FATAL)
            return
        except (OSError, AttributeError):
            continue


def _convert_first_frame() -> None:
    """Qt warns once per thread, with no category to filter, when it converts video frames without
    a GPU (offscreen, a virtual machine). That one message is expected; any other passes on."""
    previous = None

    def handler(kind, context, message) -> None:
        if CPU_CONVERSION not in message and callable(previous):
            previous(kind, context, message)

    previous = qInstallMessageHandler(handler)
    try:
        QVideoFrame(QVideoFrameFormat(QSize(2, 2), QVideoFrameFormat.PixelFormat.Format_YUV420P)).toImage()
    finally:
        qInstallMessageHandler(previous)


def camera_count() -> int:
    """How many cameras are connected now."""
    load_multimedia()
    return len(QMediaDevices.videoInputs())


class FrameSource(QObject):
    """What the capture panel needs from a camera or its stand-in (see the module's docstring)."""

    captured = Signal(QImage)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        load_multimedia()
        super().__init__(parent)
        self.sink = QVideoSink(self)
        self.trouble = ""  # the last failure's words

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def capture(self) -> None:
        raise NotImplementedError

    def _fail(self, words: str) -> None:
        self.trouble = words
        self.failed.emit(words)

    def _current_still(self) -> None:
        image = self.sink.videoFrame().toImage()
        if image.isNull():
            self._fail(NO_STILL.format(detail="no picture yet"))
        else:
            self.captured.emit(image)


class CameraSource(FrameSource):
    """The clinic's camera (``device``: the system's default one unless given)."""

    def __init__(self, parent: QObject | None = None, device: QCameraDevice | None = None):
        super().__init__(parent)
        self.device = QMediaDevices.defaultVideoInput() if device is None else device
        self.camera = QCamera(self.device, self)
        best = sharpest_format(self.device.videoFormats())
        if best is not None:
            self.camera.setCameraFormat(best)
        self._pending = False  # Take was pressed before the camera was ready
        self.still = QImageCapture(self)
        self.session = QMediaCaptureSession(self)
        self.session.setCamera(self.camera)
        self.session.setImageCapture(self.still)
        self.session.setVideoSink(self.sink)
        self.camera.errorOccurred.connect(lambda _error, detail: self._fail(camera_trouble(detail)))
        self.still.imageCaptured.connect(lambda _id, image: self.captured.emit(image))
        self.still.errorOccurred.connect(lambda _id, _error, detail: self._fail(NO_STILL.format(detail=detail)))
        self.still.readyForCaptureChanged.connect(self._capture_when_ready)
        self._devices = QMediaDevices(self)
        self._devices.videoInputsChanged.connect(self._check_still_there)

    def start(self) -> None:
        if self.device.isNull():
            self._fail(NO_CAMERA)
        elif not self._allowed():
            self._fail(NOT_ALLOWED)
        else:
            self.camera.start()

    def stop(self) -> None:
        self.camera.stop()

    def capture(self) -> None:
        if self.still.isReadyForCapture():
            self.still.capture()
        else:
            self._pending = True

    def _capture_when_ready(self, ready: bool) -> None:
        if ready and self._pending:
            self._pending = False
            self.still.capture()

    def _allowed(self) -> bool:
        from PySide6.QtCore import QCameraPermission, Qt

        app = QCoreApplication.instance()
        return app is None or app.checkPermission(QCameraPermission()) != Qt.PermissionStatus.Denied

    def _check_still_there(self) -> None:
        if self.camera.isActive() and self.device.id() not in {each.id() for each in QMediaDevices.videoInputs()}:
            self.camera.stop()
            self._fail(UNPLUGGED)


class VideoSource(FrameSource):
    """A video file playing over and over, standing in for a camera; its still is the frame on screen."""

    def __init__(self, path: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.player = QMediaPlayer(self)
        self.player.setVideoOutput(self.sink)
        self.player.setLoops(QMediaPlayer.Loops.Infinite)
        self.player.errorOccurred.connect(lambda _error, detail: self._fail(NO_VIDEO.format(detail=detail)))

    def start(self) -> None:
        self.player.setSource(QUrl.fromLocalFile(str(self.path)))
        self.player.play()

    def stop(self) -> None:
        self.player.stop()

    def capture(self) -> None:
        self._current_still()
