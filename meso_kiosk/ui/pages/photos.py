"""The Photos step: progress photos in the clinic's standard views, under the patient's photo consent.

Optional and between the consent and the treatment: it never holds the treatment back. Without a
current photo consent it shows only why and how that changes (nothing of the photos taken). With
it, one large tile per view (its latest photo and date); a tile opens the view: take a photo with
the camera, import one from a folder or USB drive (always possible, and the only way when no
camera is found), and compare any two dates side by side or with a slider.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QGridLayout, QHBoxLayout, QStackedWidget, QVBoxLayout,
                               QWidget)

from ...domain.clock import Clock
from ...domain.errors import ValidationError
from ...domain.patient import Patient
from ...domain.photo import Photo, PhotoView
from ...services.errors import WordedError
from ...services.photo_image import read_photo_file
from ..widgets.basics import button, label, scrolling
from ..widgets.photo_compare import ComparedPhoto, PhotoCompare
from ..widgets.photo_tile import PhotoTile, pixmap_from_jpeg
from ..widgets.photo_withdraw import PhotoWithdrawPanel
from .step import StepGuard, StepHold, never_blocked

NO_CONSENT_TITLE = "The patient has not agreed to photos"
HOW_TO_CHANGE = ("To take photos, the patient signs a new consent that says yes to photos (Consent step). "
                 "Photos are optional: the treatment does not wait for them.")
NO_CAMERA = "No camera found: import photos taken with another camera from a folder or USB drive."
FILE_FILTER = "Photos (*.jpg *.jpeg *.png *.heic *.heif *.JPG *.JPEG *.PNG *.HEIC *.HEIF)"
TILE_COLUMNS = 2  # six views in three rows, landscape or portrait


def choose_photo_file(parent: QWidget) -> str | None:
    """Qt's own file dialog, not the desktop's: in kiosk mode it stays in front of the window."""
    path, _ = QFileDialog.getOpenFileName(parent, "Import a photo", str(Path.home()), FILE_FILTER,
                                          options=QFileDialog.Option.DontUseNativeDialog)
    return path or None


class PhotosPage(QWidget):
    taken = Signal()  # a photo was stored (the step may be done now)
    consent_withdrawn = Signal()  # no photos from now on (the step is done: the patient declined them)

    def __init__(self, photos, sessions, clock: Clock, consultant: Callable[[], object], parent: QWidget | None = None,
                 *, guard: StepGuard = never_blocked, cameras: Callable[[], int] = lambda: 0, capture=None,
                 withdraw: PhotoWithdrawPanel | None = None):
        """``photos``: PhotoService; ``sessions``: SessionService (session numbers); ``consultant``: who is
        signed in; ``cameras``: how many cameras there are (asked when a view opens: it loads QtMultimedia);
        ``capture``: the live camera panel (``ui.widgets.photo_capture``), None without one; ``withdraw``:
        the panel recording a withdrawal of the photo consent, None without one."""
        super().__init__(parent)
        self._photos, self._sessions, self._clock, self._consultant = photos, sessions, clock, consultant
        self._guard = guard
        self.cameras, self.capture = cameras, capture  # tests put stand-ins here (a video for the camera)
        self.file_chooser: Callable[[QWidget], str | None] = choose_photo_file  # tests put a path here
        self.patient: Patient | None = None
        self.view: PhotoView | None = None
        self.stack = QStackedWidget()
        self.notice = self._build_notice()
        self.tiles_page, self.tiles = self._build_tiles()
        self.view_page = self._build_view_page()
        for page in (self.notice, self.tiles_page, self.view_page):
            self.stack.addWidget(page)
        if capture is not None:
            self.stack.addWidget(capture)
            capture.kept.connect(self._store_capture)
            capture.cancelled.connect(lambda: self.open_view(self.view))
            capture.import_requested.connect(self.import_photo)
        self.withdraw = withdraw
        self.withdraw_button.setVisible(withdraw is not None)
        if withdraw is not None:
            self.withdraw_area = scrolling(withdraw)
            self.stack.addWidget(self.withdraw_area)
            withdraw.cancelled.connect(self.show_tiles)
            withdraw.withdrawn.connect(self._on_withdrawn)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 8, 24, 16)
        layout.addWidget(self.stack)

    # -- building --------------------------------------------------------------------------

    def _build_notice(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 24, 0, 0)
        layout.addWidget(label(NO_CONSENT_TITLE, "subheading"))
        self.notice_reason = label("")
        layout.addWidget(self.notice_reason)
        layout.addWidget(label(HOW_TO_CHANGE, "muted"))
        layout.addStretch(1)
        return page

    def _build_tiles(self) -> tuple[QWidget, dict[str, PhotoTile]]:
        body = QWidget()
        self.grid = QGridLayout(body)
        self.grid.setSpacing(12)
        self.grid.setContentsMargins(0, 0, 0, 0)
        tiles = {}
        for index, view in enumerate(self._photos.views()):
            tile = PhotoTile(view, body)  # owned by the grid's page from the start (not by Python)
            tile.clicked.connect(lambda _=False, chosen=view: self.open_view(chosen))
            tiles[view.id] = tile
            self.grid.addWidget(tile, index // TILE_COLUMNS, index % TILE_COLUMNS)
        # After the views, where it is found but not pressed by mistake on the way to a view.
        self.withdraw_button = button("The patient withdraws photo consent…",
                                      "Record that the patient withdraws their photo consent", parent=body)
        self.withdraw_button.clicked.connect(self.start_withdrawal)
        self.grid.addWidget(self.withdraw_button, self.grid.rowCount(), 0, 1, TILE_COLUMNS,
                            Qt.AlignmentFlag.AlignLeft)
        self.grid.setRowStretch(self.grid.rowCount(), 1)
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label("Take each view the same way every time: the same distance, light and angle. "
                               "Tap a view to take, import or compare its photos.", "muted"))
        # Held here as well as by the layout: the cyclic GC deleted a scroll area only Qt referred to.
        self.tiles_area = scrolling(body)
        layout.addWidget(self.tiles_area, 1)
        return page, tiles

    def _build_view_page(self) -> QWidget:
        body = QWidget()
        self.back_button = button("‹ All views", "Back to all photo views")
        self.back_button.clicked.connect(self.show_tiles)
        self.view_title = label("", "subheading")
        self.view_hint = label("", "muted")
        self.take_button = button("Take photo", "Take a photo with the camera")
        self.take_button.clicked.connect(self.start_capture)
        self.import_button = button("Import from a folder or USB drive…", "Import a photo from a folder or USB drive")
        self.import_button.clicked.connect(self.import_photo)
        self.camera_line = label(NO_CAMERA, "muted")
        self.error_line = label("", "error")
        self.photos_line = label("")
        self.compare = PhotoCompare()
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.view_title, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.take_button)
        actions.addWidget(self.import_button)
        actions.addStretch(1)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        for part in (self.view_hint, self.camera_line):
            layout.addWidget(part)
        layout.addLayout(actions)
        layout.addWidget(self.error_line)
        layout.addWidget(self.photos_line)
        layout.addWidget(self.compare, 1)
        layout.addStretch(0)  # takes the comparison's room while there is none (fewer than two photos)
        self._view_layout = layout
        self.view_area = scrolling(body)  # at the largest text on a landscape tablet the comparison scrolls
        return self.view_area

    # -- the step contract -----------------------------------------------------------------

    def show_patient(self, patient: Patient) -> None:
        self.patient = patient
        self.view = None
        self.refresh()

    def flush(self) -> None:
        """Nothing is typed here: a photo is stored when it is kept."""

    def refresh(self) -> None:
        if self.patient is None:
            return
        why_not = self._photos.may_take(self.patient.id)
        if why_not:
            self.notice_reason.setText(why_not)
            self.stack.setCurrentWidget(self.notice)
        elif self.view is not None and self.stack.currentWidget() is self.view_page:
            self.open_view(self.view)
        else:
            self.show_tiles()

    def blocked_reason(self) -> StepHold | None:
        return self._guard(self.patient) if self.patient is not None else None

    def show_progress(self, done: bool) -> None:
        """The workspace's "Continue to treatment" is always the main action here (photos are optional)."""

    # -- tiles and views -----------------------------------------------------------------------

    def show_tiles(self) -> None:
        self.view = None
        for view_id, tile in self.tiles.items():
            latest = self._view_photos(view_id)[-1:]
            picture = self._picture(latest[0]) if latest else None
            tile.show_latest(picture, self._date(latest[0]) if latest else "")
        self.stack.setCurrentWidget(self.tiles_page)

    def open_view(self, view: PhotoView | None) -> None:
        if view is None or self.patient is None:
            self.show_tiles()
            return
        self.view = view
        self.view_title.setText(view.label)
        self.view_hint.setText(view.hint)
        camera = self.capture is not None and self.cameras() > 0
        self.take_button.setVisible(camera)
        self.camera_line.setVisible(not camera)
        self.error_line.setText("")
        # Each photo is read, checked and decoded once (a camera's 4096 px JPEG takes ~0.1 s).
        pictures = [(photo, self._picture(photo)) for photo in self._view_photos(view.id)]
        pictures = [(photo, picture) for photo, picture in pictures if picture is not None]
        shown = [photo for photo, _ in pictures]
        numbers = self._session_numbers()
        self.compare.show_photos([ComparedPhoto(picture, self._caption(photo, numbers))
                                  for photo, picture in pictures])
        self.compare.setVisible(len(shown) >= 2)
        self._view_layout.setStretch(self._view_layout.count() - 1, 0 if len(shown) >= 2 else 1)
        self.photos_line.setText(
            "No photo of this view yet." if not shown else
            f"One photo so far, {self._caption(shown[0], numbers)}: a second one can be compared with it."
            if len(shown) == 1 else f"{len(shown)} photos: pick any two dates to compare.")
        self.stack.setCurrentWidget(self.view_page)

    def _view_photos(self, view_id: str) -> list[Photo]:
        return self._photos.photos(self.patient.id, view_id) if self.patient is not None else []

    def _picture(self, photo: Photo):
        try:
            return pixmap_from_jpeg(self._photos.image(photo))
        except WordedError:
            return None  # a missing or changed file: the service says why where it is asked for

    def _date(self, photo: Photo) -> str:
        return f"{self._clock.local(photo.taken_at):%d %b %Y}"

    def _session_numbers(self) -> dict[int, int]:
        """The numbers the PDF gives the closed sessions; the session in progress is the next one."""
        overview = self._sessions.overview(self.patient.id)
        numbers = overview.numbers
        if overview.draft is not None and overview.draft.session_id is not None:
            numbers[overview.draft.session_id] = len(numbers) + 1
        return numbers

    def _caption(self, photo: Photo, numbers: dict[int, int]) -> str:
        number = numbers.get(photo.session_id) if photo.session_id is not None else None
        return f"{self._date(photo)} · " + (f"session {number}" if number else "no session")

    # -- withdrawing the photo consent ------------------------------------------------------

    def start_withdrawal(self) -> None:
        if self.withdraw is None or self.patient is None:
            return
        self.withdraw.start(self.patient)
        self.stack.setCurrentWidget(self.withdraw_area)
        self.withdraw_area.verticalScrollBar().setValue(0)

    def _on_withdrawn(self, _record, words: str) -> None:
        """The notice says what happened to the photos already taken (kept or deleted), this once."""
        self.refresh()
        self.notice_reason.setText(f"{self.notice_reason.text()} {words}")
        self.consent_withdrawn.emit()

    # -- taking and importing --------------------------------------------------------------------

    def _session_id(self) -> int | None:
        draft = self._sessions.draft(self.patient.id)
        return None if draft is None else draft.session_id

    def _store(self, data: bytes, source: str) -> bool:
        account = self._consultant()
        consultant_id = None if account is None else account.id
        try:
            self._photos.add(self.patient.id, self.view.id, data, consultant_id, source=source,
                             session_id=self._session_id())
        except (ValidationError, WordedError) as error:
            self.open_view(self.view)
            words = " ".join(error.errors.values()) if isinstance(error, ValidationError) else str(error)
            self.error_line.setText(words)
            return False
        self.open_view(self.view)
        self.taken.emit()
        return True

    def import_photo(self) -> None:
        path = self.file_chooser(self)
        if not path:
            return
        try:
            data = read_photo_file(path)  # a film renamed .jpg is refused as too large, not loaded whole
        except OSError as error:
            self.error_line.setText(f"{Path(path).name} cannot be read ({error.strerror}).")
            return
        self._store(data, "import")

    def start_capture(self) -> None:
        if self.capture is None or self.view is None:
            return
        self.stack.setCurrentWidget(self.capture)
        self.capture.start(self.view, self._latest_picture())

    def _latest_picture(self):
        latest = self._view_photos(self.view.id)[-1:]
        return self._picture(latest[0]) if latest else None

    def _store_capture(self, data: bytes) -> None:
        self._store(data, "camera")
