"""One standard view as a large tile on the Photos step: its name, how to position the patient,
and the latest photo's thumbnail and date, so the consultant sees at a glance what is done today."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ...domain.photo import PhotoView
from .basics import label

THUMBNAIL = 120  # px, the longer side


def pixmap_from_jpeg(data: bytes) -> QPixmap:
    picture = QPixmap()
    picture.loadFromData(data, "JPEG")
    return picture


class PhotoTile(QPushButton):
    """A tile is one big button (the whole card opens the view); its texts let clicks through."""

    def __init__(self, view: PhotoView, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = view
        self.setProperty("role", "tile")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumHeight(THUMBNAIL + 24)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)  # the hint wraps: as tall as it needs at the tile's width
        self.setSizePolicy(policy)
        self.thumbnail = label("", "muted", align=Qt.AlignmentFlag.AlignCenter, parent=self)
        self.thumbnail.setFixedSize(THUMBNAIL, THUMBNAIL)
        self.title = label(view.label, "subheading", parent=self)
        self.hint = label(view.hint, "muted", parent=self)
        self.last = label("", parent=self)
        texts = QVBoxLayout()
        texts.setSpacing(4)
        for part in (self.title, self.hint, self.last):
            texts.addWidget(part)
        texts.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 12, 12, 12)
        row.setSpacing(12)
        row.addWidget(self.thumbnail, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(texts, 1)
        for child in (self.thumbnail, self.title, self.hint, self.last):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.show_latest(None, "")

    def show_latest(self, picture: QPixmap | None, when: str) -> None:
        """The latest photo of this view (None: none yet) and its date in words ("7 Dec 2026")."""
        if picture is None or picture.isNull():
            self.thumbnail.setPixmap(QPixmap())
            self.thumbnail.setText("No photo")
            self.last.setText("No photo yet")
        else:
            self.thumbnail.setPixmap(picture.scaled(THUMBNAIL, THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio,
                                                    Qt.TransformationMode.SmoothTransformation))
            self.last.setText(f"Latest: {when}")
        self.setAccessibleName(f"{self.view.label}: {self.last.text()}. Open this view")

    def sizeHint(self):  # noqa: N802 (Qt override): as tall as its texts need at its width
        return self.layout().sizeHint()  # (QPushButton's own hint sizes its text, which a tile has none of)

    def minimumSizeHint(self):  # noqa: N802 (Qt override)
        return self.layout().minimumSize()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt override)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt override)
        return max(self.minimumHeight(), self.layout().totalHeightForWidth(width))
