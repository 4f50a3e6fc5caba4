"""The Photos step in the window: the no-consent notice, the view tiles, importing (the only way
without a camera), and comparing two dates side by side or with the slider. No camera is needed."""

from __future__ import annotations

from PySide6.QtCore import Qt

from meso_kiosk.ui.pages.photos import NO_CAMERA, NO_CONSENT_TITLE
from meso_kiosk.ui.widgets.photo_compare import SIDE_BY_SIDE, SLIDER
from tests.photo_files import consenting_patient, jpeg


def open_photos(window, kiosk, patient_id: int):
    window.open_patient(kiosk.patients.get(patient_id))
    window.workspace.go_to_step("photos")
    page = window.workspace.pages["photos"]
    assert window.workspace.stack.currentWidget() is page
    return page


def import_file(qtbot, page, path) -> None:
    page.file_chooser = lambda _parent: str(path)
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)


def test_without_photo_consent_the_step_says_so_and_shows_nothing_else(qtbot, window, kiosk, register):
    patient_id, _ = consenting_patient(kiosk, register, photos=False)
    page = open_photos(window, kiosk, patient_id)
    assert page.stack.currentWidget() is page.notice
    assert page.notice.isVisible() and not page.tiles_page.isVisible() and not page.view_page.isVisible()
    words = [child.text() for child in page.notice.findChildren(type(page.notice_reason))]
    assert NO_CONSENT_TITLE in words
    assert "says no to photos" in page.notice_reason.text()
    assert any("new consent that says yes to photos" in text for text in words)
    # Declined photos: the step is done, and going on to the treatment is the main action.
    assert window.workspace.step_bar.buttons[3].text().endswith("✓")
    assert window.workspace.continue_button.isVisible()
    assert window.workspace.continue_button.text() == "Continue to Treatment ›"


def test_views_as_tiles_import_and_compare_without_a_camera(qtbot, window, kiosk, register, tmp_path):
    patient_id, _ = consenting_patient(kiosk, register)
    page = open_photos(window, kiosk, patient_id)
    views = kiosk.photos.views()
    assert page.stack.currentWidget() is page.tiles_page
    assert list(page.tiles) == [view.id for view in views]
    assert all(tile.last.text() == "No photo yet" and tile.height() >= 44 for tile in page.tiles.values())
    assert window.workspace.continue_button.isVisible()  # optional: Continue to the treatment is always there
    assert not window.workspace.step_bar.buttons[3].text().endswith("✓")

    vertex = views[0]
    qtbot.mouseClick(page.tiles[vertex.id], Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is page.view_page and page.view_title.text() == vertex.label
    assert not page.take_button.isVisible() and page.camera_line.text() == NO_CAMERA
    assert page.photos_line.text() == "No photo of this view yet." and not page.compare.isVisible()

    first, second = tmp_path / "march.jpg", tmp_path / "june.png"
    first.write_bytes(jpeg(400, 300, "sienna"))
    second.write_bytes(jpeg(400, 300, "khaki"))
    import_file(qtbot, page, first)
    stored = kiosk.photos.photos(patient_id, vertex.id)
    assert [(photo.source, photo.consultant_id is not None) for photo in stored] == [("import", True)]
    assert page.photos_line.text().startswith("One photo so far") and not page.compare.isVisible()
    import_file(qtbot, page, second)
    assert len(kiosk.photos.photos(patient_id, vertex.id)) == 2
    assert page.compare.isVisible() and page.compare.earlier_box.count() == 2
    date = f"{kiosk.clock.local(stored[0].taken_at):%d %b %Y}"
    assert page.compare.earlier_box.currentText() == f"{date} · no session"
    canvas = page.compare.canvas
    assert canvas.mode == SIDE_BY_SIDE and canvas.earlier is not None and canvas.later is not None

    qtbot.mouseClick(page.compare.slider_button, Qt.MouseButton.LeftButton)
    assert canvas.mode == SLIDER and canvas.divider == 0.5
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    assert abs(canvas.divider - 0.55) < 1e-9 and "55 %" in canvas.accessibleName()
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.rect().center() / 2)
    assert abs(canvas.divider - (canvas.width() // 4) / canvas.width()) < 0.02

    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is page.tiles_page
    assert page.tiles[vertex.id].last.text() == f"Latest: {date}"
    assert not page.tiles[vertex.id].thumbnail.pixmap().isNull()


def test_a_file_that_is_no_picture_is_refused_beside_the_buttons_and_nothing_is_stored(qtbot, window, kiosk,
                                                                                         register, tmp_path):
    patient_id, _ = consenting_patient(kiosk, register)
    page = open_photos(window, kiosk, patient_id)
    qtbot.mouseClick(page.tiles["vertex"], Qt.MouseButton.LeftButton)
    bad = tmp_path / "notes.jpg"
    bad.write_bytes(b"SELECT * FROM photos; -- not a picture")
    import_file(qtbot, page, bad)
    assert page.error_line.text() and "Traceback" not in page.error_line.text()
    assert kiosk.photos.photos(patient_id) == []
    import_file(qtbot, page, tmp_path / "gone.jpg")
    assert "gone.jpg cannot be read" in page.error_line.text()
    import_file(qtbot, page, "/dev/zero")  # endless, like a film renamed .jpg is long: read no further than 80 MB
    assert "too large for a photo (more than 80 MB)" in page.error_line.text()


def test_every_view_taken_today_ticks_the_step(qtbot, window, kiosk, register, tmp_path):
    patient_id, _ = consenting_patient(kiosk, register)
    page = open_photos(window, kiosk, patient_id)
    picture = tmp_path / "view.jpg"
    picture.write_bytes(jpeg())
    for view in kiosk.photos.views():
        qtbot.mouseClick(page.tiles[view.id], Qt.MouseButton.LeftButton)
        import_file(qtbot, page, picture)
    assert window.workspace.step_bar.buttons[3].text().endswith("✓")
