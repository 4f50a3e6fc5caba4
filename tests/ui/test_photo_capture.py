"""Taking a photo with the camera on the Photos step, with a generated video standing in for the
camera (``ui.generated_video`` played by ``VideoSource``): offscreen, no camera needed."""

from __future__ import annotations

import io

from PIL import Image
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtMultimedia import QCameraDevice

from meso_kiosk.ui.generated_video import BACKGROUND
from meso_kiosk.ui.pages.photos import NO_CAMERA
from meso_kiosk.ui.photo_camera import (BUSY, NO_CAMERA as CAMERA_NOT_CONNECTED, NOT_ALLOWED, UNPLUGGED,
                                        CameraSource, camera_trouble, sharpest_format)
from meso_kiosk.ui.widgets.photo_capture import LIVE, REVIEW, TROUBLE
from meso_kiosk.ui.widgets.photo_live import OVERLAY_OPACITY, fitted
from tests.photo_files import consenting_patient, jpeg
from tests.ui.test_photos_page import import_file, open_photos
from tests.ui.video_camera import live_frames, use_video_camera, wait_until

GREEN = (0x2E, 0x7D, 0x32)  # the generated video's background
SIENNA = (0xA0, 0x52, 0x2D)


def close_to(colour, expected, tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour[:3], expected))


def capture_view(qtbot, window, kiosk, register, tmp_path, view_id: str = "vertex", **video):
    """The Photos step of a consenting patient, the video as its camera, ``view_id`` open."""
    patient_id, _ = consenting_patient(kiosk, register)
    page = open_photos(window, kiosk, patient_id)
    use_video_camera(page, tmp_path, **video)
    qtbot.mouseClick(page.tiles[view_id], Qt.MouseButton.LeftButton)
    return patient_id, page


def start_capture(qtbot, page):
    assert page.take_button.isVisible() and not page.camera_line.isVisible()
    qtbot.mouseClick(page.take_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is page.capture
    live_frames(page)
    return page.capture


def test_a_photo_taken_from_the_live_picture_is_stored_as_a_camera_photo(qtbot, window, kiosk, register, tmp_path):
    patient_id, page = capture_view(qtbot, window, kiosk, register, tmp_path)
    assert BACKGROUND == "#%02X%02X%02X" % GREEN
    capture = start_capture(qtbot, page)
    vertex = kiosk.photos.view("vertex")
    assert capture.title.text() == f"Take photo: {vertex.label}" and capture.hint.text() == vertex.hint
    assert capture.state == LIVE and capture.take_button.isVisible() and not capture.keep_button.isVisible()
    live = capture.live.picture()
    assert live.width() == 320 and close_to(live.pixelColor(5, 5).getRgb(), GREEN)
    qtbot.mouseClick(capture.take_button, Qt.MouseButton.LeftButton)
    wait_until(lambda: capture.state == REVIEW, "the still to review")
    assert capture.keep_button.isVisible() and capture.retake_button.isVisible()
    assert not capture.take_button.isVisible()
    qtbot.mouseClick(capture.keep_button, Qt.MouseButton.LeftButton)

    stored = kiosk.photos.photos(patient_id, "vertex")
    assert [(photo.source, photo.consultant_id is not None) for photo in stored] == [("camera", True)]
    picture = Image.open(io.BytesIO(kiosk.photos.image(stored[0])))
    assert picture.size == (320, 240)
    assert close_to(picture.getpixel((5, 5)), GREEN)  # the video's background...
    assert not close_to(picture.getpixel((160, 120)), GREEN)  # ...and its "scalp" in the middle
    assert page.stack.currentWidget() is page.view_page and page.photos_line.text().startswith("One photo so far")
    assert capture.source is None  # the camera is let go once the photo is kept


def test_retake_discards_the_still_and_the_keys_work_without_a_mouse(qtbot, window, kiosk, register, tmp_path):
    patient_id, page = capture_view(qtbot, window, kiosk, register, tmp_path)
    capture = start_capture(qtbot, page)
    assert capture.live.hasFocus()
    qtbot.keyClick(capture.live, Qt.Key.Key_Space)
    wait_until(lambda: capture.state == REVIEW, "the still to review")
    qtbot.mouseClick(capture.retake_button, Qt.MouseButton.LeftButton)
    assert capture.state == LIVE and capture.live.still is None and capture.take_button.isEnabled()
    assert kiosk.photos.photos(patient_id) == []
    capture.live.setFocus()
    qtbot.keyClick(capture.live, Qt.Key.Key_Return)
    wait_until(lambda: capture.state == REVIEW, "the still to review")
    qtbot.keyClick(capture.keep_button, Qt.Key.Key_Escape)  # Esc under review: back to the live picture
    assert capture.state == LIVE and kiosk.photos.photos(patient_id) == []
    qtbot.keyClick(capture.live, Qt.Key.Key_Escape)  # Esc live: back to the view, nothing stored
    assert page.stack.currentWidget() is page.view_page and capture.source is None
    assert kiosk.photos.photos(patient_id) == []
    start_capture(qtbot, page)
    qtbot.keyClick(capture.live, Qt.Key.Key_Enter)
    wait_until(lambda: capture.state == REVIEW, "the still to review")
    qtbot.keyClick(capture.keep_button, Qt.Key.Key_Return)  # Enter keeps it
    assert [photo.source for photo in kiosk.photos.photos(patient_id)] == ["camera"]


def test_the_previous_photo_shows_faintly_over_the_live_picture_on_request(qtbot, window, kiosk, register, tmp_path):
    _, page = capture_view(qtbot, window, kiosk, register, tmp_path)
    capture = start_capture(qtbot, page)
    assert not capture.overlay_button.isEnabled() and capture.overlay_button.text() == "No previous photo"
    qtbot.keyClick(capture.live, Qt.Key.Key_Escape)
    previous = tmp_path / "march.jpg"
    previous.write_bytes(jpeg(320, 240, "sienna"))
    import_file(qtbot, page, previous)
    start_capture(qtbot, page)
    button = capture.overlay_button
    assert button.isEnabled() and button.text() == "Show previous photo" and button.height() >= 44
    assert button.accessibleName() and not button.isChecked()
    shown = fitted(QSize(320, 240), QRectF(capture.live.rect()))  # where the video's picture is painted
    corner = (shown.topLeft() + QPointF(shown.width() / 10, shown.height() / 10)).toPoint()  # its background

    def shown_at(point):
        return capture.live.grab().toImage().pixelColor(point).getRgb()

    assert close_to(shown_at(corner), GREEN)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert capture.live.overlay
    blend = tuple(round(g * (1 - OVERLAY_OPACITY) + s * OVERLAY_OPACITY) for g, s in zip(GREEN, SIENNA))
    assert close_to(shown_at(corner), blend, 16)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not capture.live.overlay and close_to(shown_at(corner), GREEN)


def test_without_a_camera_only_the_import_is_offered(qtbot, window, kiosk, register, tmp_path):
    _, page = capture_view(qtbot, window, kiosk, register, tmp_path)
    page.cameras = lambda: 0
    page.open_view(kiosk.photos.view("frontal_hairline"))
    assert not page.take_button.isVisible() and page.import_button.isVisible()
    assert page.camera_line.isVisible() and page.camera_line.text() == NO_CAMERA


def test_a_video_that_cannot_play_shows_why_and_offers_the_import(qtbot, window, kiosk, register, tmp_path):
    patient_id, page = capture_view(qtbot, window, kiosk, register, tmp_path)
    (tmp_path / "camera.avi").write_bytes(b"RIFF" + b"\0" * 64)  # the video broken after it was made
    qtbot.mouseClick(page.take_button, Qt.MouseButton.LeftButton)
    capture = page.capture
    wait_until(lambda: capture.state == TROUBLE, "the failure to be shown")
    assert capture.trouble_line.isVisible() and capture.trouble_line.text().startswith("The video cannot be played")
    assert not capture.live.isVisible() and not capture.take_button.isVisible() and capture.source is None
    picture = tmp_path / "from-usb.jpg"
    picture.write_bytes(jpeg())
    page.file_chooser = lambda _parent: str(picture)
    qtbot.mouseClick(capture.import_button, Qt.MouseButton.LeftButton)
    assert [photo.source for photo in kiosk.photos.photos(patient_id)] == ["import"]
    assert page.stack.currentWidget() is page.view_page


def test_a_camera_that_is_not_there_says_so_on_the_panel(qtbot, window, kiosk, register, tmp_path):
    _, page = capture_view(qtbot, window, kiosk, register, tmp_path)
    page.capture.source_factory = lambda parent: CameraSource(parent, QCameraDevice())  # the real camera path
    qtbot.mouseClick(page.take_button, Qt.MouseButton.LeftButton)
    assert page.capture.state == TROUBLE and page.capture.trouble_line.text() == CAMERA_NOT_CONNECTED
    assert page.capture.import_button.isVisible() and page.capture.import_button.height() >= 44


def test_a_camera_error_is_put_in_words_a_consultant_can_act_on():
    assert camera_trouble("Device or resource busy") == BUSY
    assert camera_trouble("Camera is in use by another application") == BUSY
    assert camera_trouble("Permission denied") == NOT_ALLOWED
    assert camera_trouble("Access denied by the system") == NOT_ALLOWED
    assert camera_trouble("No such device") == UNPLUGGED
    assert camera_trouble("Camera disconnected") == UNPLUGGED
    assert camera_trouble("Invalid argument.") == ("The camera stopped working (Invalid argument): check its cable "
                                                   "and try again, or import the photo instead.")
    assert "no reason given" in camera_trouble("  ")


def test_leaving_the_step_lets_the_camera_go(qtbot, window, kiosk, register, tmp_path):
    _, page = capture_view(qtbot, window, kiosk, register, tmp_path)
    capture = start_capture(qtbot, page)
    window.workspace.go_to_step("consent")
    assert capture.source is None
    window.workspace.go_to_step("photos")
    assert page.stack.currentWidget() is page.tiles_page  # back on the step: its views, no dead camera


class _Format:
    def __init__(self, width: int, height: int, fps: float):
        self.size, self.fps = QSize(width, height), fps

    def resolution(self) -> QSize:
        return self.size

    def maxFrameRate(self) -> float:  # noqa: N802 (QCameraFormat's name)
        return self.fps


def test_the_camera_takes_its_sharpest_format_that_still_moves_smoothly():
    vga, hd, still_only = _Format(640, 480, 30), _Format(1920, 1080, 30), _Format(4000, 3000, 2)
    assert sharpest_format([vga, still_only, hd]) is hd
    assert sharpest_format([still_only]) is still_only  # nothing smooth: the sharpest there is
    assert sharpest_format([]) is None


def test_take_waits_for_the_first_picture(qtbot, window, kiosk, register, tmp_path):
    _, page = capture_view(qtbot, window, kiosk, register, tmp_path)
    qtbot.mouseClick(page.take_button, Qt.MouseButton.LeftButton)
    capture = page.capture
    capture.live.frames = 0  # as if the camera had sent nothing yet
    capture.live.show_still(None)
    capture.take()
    assert capture.state == LIVE and capture.take_button.isEnabled()
