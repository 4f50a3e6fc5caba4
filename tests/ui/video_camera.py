"""A generated video standing in for the clinic's camera on the Photos step (tests and screen tour)."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

from meso_kiosk.ui.generated_video import write_video


def video_camera(folder: Path, **video):
    """A frame-source factory for ``PhotoCapture``: each capture plays the generated video
    (``ui.generated_video``; ``video``: its frames, size, background)."""
    from meso_kiosk.ui.photo_camera import VideoSource

    path = write_video(folder / "camera.avi", **video)
    return lambda parent: VideoSource(path, parent)


def use_video_camera(page, folder: Path, **video) -> None:
    """The Photos step sees one camera, and it is the generated video."""
    page.cameras = lambda: 1
    page.capture.source_factory = video_camera(folder, **video)


def wait_until(condition, what: str, timeout: float = 10.0) -> None:
    """Run Qt's events until ``condition()`` holds; fail (never skip) after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)


def live_frames(page, count: int = 3) -> None:
    """Wait until ``count`` live frames of the video have reached the capture panel."""
    wait_until(lambda: page.capture.live.frames >= count, f"{count} frames of the generated video")
