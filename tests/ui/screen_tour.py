"""Every screen a patient's visit shows, one after the other, in the real window.

``tour(window, kiosk)`` puts the window in each state in turn and yields its name and the
languages to see it in: the patient list, a new patient, the patient's details, each step
of the workspace in its main states (a session open on the treatment step, a step blocked
for a patient with no intake), and every hand-off screen the patient holds, once in each
language (the patient's own words). The patients are a demo-like pair: one with an intake
(a stop overridden, a warning acknowledged), a course, a signed consent and three closed
sessions; one registered and nothing more.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.consultation import record_consultation

HANDOFF_LANGUAGES = ("en", "fr")


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def demo_patients(kiosk):
    """The patient seen today (everything recorded, French preferred) and a new one (nothing yet)."""
    seen = kiosk.patients.register({"given_name": "Marie-Hélène", "family_name": "Lefèvre-Dubois",
                                    "date_of_birth": "1979-03-08", "preferred_language": "fr",
                                    "phone": "+33 6 12 34 56 78", "email": "mh.lefevre@example.fr"}, "test")
    record_consultation(kiosk, seen.id, sessions=3)
    new = kiosk.patients.register({"given_name": "Rahul", "family_name": "Mehta", "date_of_birth": "1990-11-02"},
                                  "test")
    return kiosk.patients.get(seen.id), kiosk.patients.get(new.id)


def tour(window, kiosk) -> Iterator[tuple[str, tuple[str, ...]]]:
    seen, new = demo_patients(kiosk)
    window.show_patients()
    window.patients_page.search.setText("Lef")  # a search typed: its clear button shows
    settle()
    yield "patient list", ("en",)
    window.patients_page.search.clear()
    window.patients_page.new_requested.emit()
    settle()
    yield "new patient", ("en",)
    window.show_patients()
    yield from _workspace(window, seen, new, kiosk.paths.root.parent)  # (the test's tmp_path: the video goes there)
    yield from _handoff(window, seen)


def _go(window, step_id: str) -> None:
    window.workspace.go_to_step(window.workspace.step_index(step_id))
    settle()


def _workspace(window, seen, new, folder: Path) -> Iterator[tuple[str, tuple[str, ...]]]:
    window.open_patient(seen)
    settle()
    for step_id in [step_id for step_id in window.workspace.pages if step_id != "scalp_map"]:  # every step the clinic has
        _go(window, step_id)
        yield f"step: {step_id}", ("en",)
    yield from _photos(window, seen, folder)
    _go(window, "scalp_map")
    yield "step: treatment, no session open", ("en",)
    scalp = window.workspace.pages["scalp_map"]
    if scalp.start_button.isVisible() and scalp.start_button.isEnabled():
        scalp.start_button.click()
        settle()
    yield "step: treatment, a session open", ("en",)
    _go(window, "intake")
    intake = window.workspace.pages["intake"]
    if not intake.details.isVisible():  # open the details card (closed once an intake exists)
        intake.details_toggle.click()
        settle()
    intake.scroll.ensureWidgetVisible(intake.details)
    yield "patient details", ("en",)
    window.show_patients()
    window.open_patient(new)
    _go(window, "scalp_map")
    yield "step: treatment, blocked (no intake)", ("en",)
    _go(window, "photos")
    yield "step: photos, no photo consent", ("en",)
    window.show_patients()


def _photos(window, seen, folder: Path) -> Iterator[tuple[str, tuple[str, ...]]]:
    """A view with two dates (generated pictures), compared side by side and with the slider."""
    from tests.photo_files import jpeg

    page = window.workspace.pages["photos"]
    photos = page._photos
    for colour in ("sienna", "khaki"):
        photos.add(seen.id, "vertex", jpeg(640, 480, colour), None)
    _go(window, "photos")
    page.open_view(photos.view("vertex"))
    settle()
    yield "step: photos, compared side by side", ("en",)
    page.compare.slider_button.click()
    settle()
    yield "step: photos, compared with the slider", ("en",)
    yield from _capture(page, photos.view("vertex"), folder)
    page.show_tiles()
    page.withdraw_button.click()
    page.withdraw.choice_buttons["keep"].click()
    settle()
    yield "step: photos, the patient withdraws photo consent", ("en",)
    page.withdraw.cancel_button.click()


def _capture(page, vertex, folder: Path) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Taking a photo, the generated video as the camera: live with the previous photo over it, the
    still under review, and a camera that is not there."""
    from PySide6.QtMultimedia import QCameraDevice

    from meso_kiosk.ui.photo_camera import CameraSource
    from meso_kiosk.ui.widgets.photo_capture import REVIEW
    from tests.ui.video_camera import live_frames, use_video_camera, wait_until

    use_video_camera(page, folder)
    page.open_view(vertex)
    page.take_button.click()
    live_frames(page)
    page.capture.overlay_button.click()
    settle()
    yield "step: photos, camera live, previous photo over it", ("en",)
    page.capture.take_button.click()
    wait_until(lambda: page.capture.state == REVIEW, "the still to review")
    settle()
    yield "step: photos, photo to keep or retake", ("en",)
    page.capture.retake_button.click()
    page.capture.source_factory = lambda parent: CameraSource(parent, QCameraDevice())  # no camera there
    page.capture.cancel()
    page.take_button.click()
    settle()
    yield "step: photos, camera not found", ("en",)
    page.capture.cancel()


def _handoff(window, seen) -> Iterator[tuple[str, tuple[str, ...]]]:
    for language in HANDOFF_LANGUAGES:
        window.open_patient(seen)
        _go(window, "consent")
        consent = window.workspace.pages["consent"]
        consent.handoff_button.click()
        settle()
        handoff = window.stack.currentWidget()
        yield "hand-off: choose the language", (language,)
        handoff.choose_language(language)
        settle()
        yield "hand-off: who you are", (language,)
        handoff.name_field.setText(seen.display_name)
        handoff.dob_field.setText(seen.date_of_birth.strftime("%d/%m/%Y"))
        handoff.identity_button.click()
        settle()
        yield "hand-off: read and tick", (language,)
        _tick_everything(handoff)
        yield "hand-off: read, all ticked, at the end", (language,)
        handoff.take_home.button.click()  # the text exported; the patient is told to give the tablet back
        settle()
        yield "hand-off: take it home and decide later", (language,)
        handoff.read.continue_button.click()
        settle()
        yield "hand-off: sign", (language,)
        _draw(handoff.pad.canvas)
        handoff.sign_button.click()
        settle()
        yield "hand-off: thank you, hand back", (language,)
        for panel, name in ((handoff.GUARDIAN, "guardian signs"), (handoff.PARTIES, "witness and interpreter")):
            handoff.go_to(panel)
            settle()
            yield f"hand-off: {name}", (language,)
        handoff.go_to(handoff.HAND_BACK)
        handoff.hand_back_button.click()
        settle()
        yield "hand-off: countersign", (language,)
        handoff.go_to(handoff.EXIT)
        settle()
        yield "hand-off: consultant takes the tablet back", (language,)
        handoff.exit_confirmed.emit()
        settle()


def _tick_everything(handoff) -> None:
    read = handoff.read
    bar = read.scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    for row in read.rows.values():
        row.checkbox.setChecked(True)
    read.photo_buttons["yes"].setChecked(True)
    settle()
    bar.setValue(bar.maximum())
    settle()


def _draw(canvas) -> None:
    left = Qt.MouseButton.LeftButton
    points = [QPoint(40 + 12 * i, 120 + (30 if i % 4 < 2 else -30)) for i in range(40)]
    QTest.mousePress(canvas, left, Qt.KeyboardModifier.NoModifier, points[0])
    for point in points[1:]:
        QTest.mouseMove(canvas, point)
    QTest.mouseRelease(canvas, left, Qt.KeyboardModifier.NoModifier, points[-1])
