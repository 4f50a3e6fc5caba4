"""Save the sealed PDF to a USB drive: the drives plugged in, as big buttons, and "Choose another
folder…"; the copy itself is the export service's (``ExportService.hand_over``: whole or not
at all, never over a file, never into the data folder). What happened is said in the dialog,
where the consultant is looking.

Which volumes are offered (``hand_over_drives``): mounted, ready, writable by this user, a
real file system (not /proc, a tmpfs, a snap's squashfs…), and not the one holding the data
folder (the tablet's own disk: a copy there is not a hand-over, and the data stays private).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStorageInfo
from PySide6.QtWidgets import QDialog, QFileDialog, QVBoxLayout, QWidget

from ...services.export import ExportError
from ...services.hand_over import HandedOver
from .basics import button, discard, label

# File systems that are not a drive someone can take away.
PSEUDO_FILE_SYSTEMS = frozenset({
    "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs", "devpts", "devtmpfs", "efivarfs",
    "fusectl", "fuse.gvfsd-fuse", "fuse.portal", "hugetlbfs", "mqueue", "nsfs", "overlay", "proc", "pstore",
    "ramfs", "securityfs", "squashfs", "sysfs", "tmpfs", "tracefs",
})


@dataclass(frozen=True)
class Volume:
    """What the dialog needs of a mounted volume (``QStorageInfo``'s answers, read once)."""

    root: str
    name: str
    file_system: str
    usable: bool        # valid and ready
    read_only: bool
    free_bytes: int


def mounted_volumes() -> list[Volume]:
    """The volumes mounted now (the one thing a test replaces)."""
    return [volume_of(info) for info in QStorageInfo.mountedVolumes()]


def volume_of(info: QStorageInfo) -> Volume:
    return Volume(info.rootPath(), info.displayName(), bytes(info.fileSystemType()).decode(errors="replace"),
                  info.isValid() and info.isReady(), info.isReadOnly(), info.bytesAvailable())


def hand_over_drives(volumes: Iterable[Volume], data_root: Path) -> list[Volume]:
    """The volumes a PDF may be handed over on (see the module's note)."""
    data_volume = QStorageInfo(str(data_root)).rootPath()
    return [volume for volume in volumes
            if volume.usable and not volume.read_only and volume.file_system.lower() not in PSEUDO_FILE_SYSTEMS
            and volume.root != data_volume and os.access(volume.root, os.W_OK)]


def drive_words(volume: Volume) -> str:
    """A drive as its button says it: its label (or folder name) and the room left on it."""
    name = volume.name if volume.name and volume.name != volume.root else Path(volume.root).name or volume.root
    return f"{name}: {volume.free_bytes / 1e9:.1f} GB free"


def breakable(path: Path) -> str:
    """A path that wraps after any folder, never widening the dialog."""
    return str(path).replace(os.sep, os.sep + "\u200b")


class SaveToDrive(QDialog):
    """``hand_over(folder)`` copies the PDF there (``ExportError`` when it cannot)."""

    def __init__(self, file_name: str, hand_over: Callable[[Path], HandedOver], data_root: Path,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._hand_over = hand_over
        self._data_root = data_root
        self.setWindowTitle("Save to a USB drive")
        self.setAccessibleName("Save the signed PDF to a USB drive")
        self.setMinimumSize(600, 480)
        self.result_text = label("", "notice")
        self.result_text.setAccessibleName("What was saved")
        self.result_text.hide()
        self.error = label("", "banner-error")
        self.error.hide()
        self.drive_box = QVBoxLayout()
        self.drive_box.setSpacing(12)
        self.none_found = label("No USB drive found. Plug one in, then press Look again.", "muted")
        self.look_again_button = button("Look again", "Look again for USB drives")
        self.other_folder_button = button("Choose another folder…", "Choose another folder to save the PDF in")
        self.close_button = button("Done", "Close this window")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.setSpacing(14)
        layout.addWidget(label("Save to a USB drive", "heading"))
        layout.addWidget(label(f"A copy of {file_name}, sealed as exported. A file already on the drive is never "
                               "replaced.", "muted"))
        for widget in (self.result_text, self.error):
            layout.addWidget(widget)
        layout.addLayout(self.drive_box)
        for widget in (self.none_found, self.look_again_button, self.other_folder_button):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.close_button)
        self.drive_buttons: list[QWidget] = []
        self.look_again_button.clicked.connect(self.refresh)
        self.other_folder_button.clicked.connect(self._on_other_folder_button_clicked)
        self.close_button.clicked.connect(self.accept)
        self.refresh()

    def refresh(self) -> None:
        """List the drives plugged in now."""
        discard(self.drive_buttons, self.drive_box)
        self.drive_buttons = []
        for volume in hand_over_drives(mounted_volumes(), self._data_root):
            choice = button(drive_words(volume), f"Save to {drive_words(volume)}, at {volume.root}", primary=True)
            choice.setToolTip(volume.root)
            choice.setMinimumHeight(56)
            choice.clicked.connect(lambda _checked=False, root=volume.root: self.save_to(Path(root)))
            self.drive_box.addWidget(choice)
            self.drive_buttons.append(choice)
        self.none_found.setVisible(not self.drive_buttons)

    def save_to(self, folder: Path) -> HandedOver | None:
        """Copy the PDF into ``folder`` and say what happened, in the dialog."""
        self.error.hide()
        self.result_text.hide()
        try:
            copied = self._hand_over(folder)
        except ExportError as error:
            self.error.setText(f"Not saved: {error}")
            self.error.show()
            self._fit_height()
            return None
        where = breakable(copied.path)
        self.result_text.setText(f"✓ Saved: {where}" if copied.new else
                                 f"✓ Already there, unchanged: {where}")
        self.result_text.show()
        self._fit_height()
        self.close_button.setFocus()
        return copied

    def _fit_height(self) -> None:
        """Grow to show a message that wrapped (a dialog is not re-laid out to its text's height)."""
        layout = self.layout()
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else self.sizeHint().height()
        if needed > self.height():
            self.resize(self.width(), needed)

    def _on_other_folder_button_clicked(self) -> None:
        # Qt's own dialog, not the desktop's: it stays inside the app (a --kiosk window keeps it
        # in front) and offers no way out to other programs.
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder for the PDF", str(Path.home()),
                                                  QFileDialog.Option.DontUseNativeDialog
                                                  | QFileDialog.Option.ShowDirsOnly)
        if folder:
            self.save_to(Path(folder))
