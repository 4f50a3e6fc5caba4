"""Handing the signed PDF over from the Summary step: printed (QtPrintSupport, pages rasterised
at print resolution) and saved to a USB drive chosen in a dialog (only the list of mounted
volumes is made up here: the copy, the refusals and the audit are the real ones)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from pypdf import PdfReader

from meso_kiosk.services.export import ExportError
from meso_kiosk.ui.widgets import save_to_drive
from meso_kiosk.ui.widgets.print_pdf import PRINT_DPI, print_pdf
from meso_kiosk.ui.widgets.save_to_drive import SaveToDrive, Volume, hand_over_drives
from tests.consultation import record_consultation
from tests.ui.test_summary_page import page, show  # noqa: F401 (page is a fixture)

SIZES = [(1280, 800), (800, 1280)]


def drive(folder: Path, name: str = "USB DISK", **overrides) -> Volume:
    values = dict(root=str(folder), name=name, file_system="vfat", usable=True, read_only=False,
                  free_bytes=7_800_000_000) | overrides
    return Volume(**values)


@pytest.fixture
def exported(qtbot, page, kiosk, register):
    """The Summary step of a patient with six sessions, after its export."""
    patient = register("Ελένη", "Παπαδοπούλου")
    record_consultation(kiosk, patient.id, sessions=6)
    show(qtbot, page, patient)
    with qtbot.waitSignal(page.exported, timeout=30000) as caught:
        page.export_button.click()
    return caught.args[0]


@pytest.fixture
def usb(tmp_path, monkeypatch):
    """A folder standing in for a USB stick, listed with the data folder's volume and a /proc."""
    stick = tmp_path / "usb-stick"
    stick.mkdir()
    volumes = [drive(stick), drive(Path("/proc"), "proc", file_system="proc"),
               drive(tmp_path / "cdrom", "CD", read_only=True)]
    monkeypatch.setattr(save_to_drive, "mounted_volumes", lambda: volumes)
    return stick


def hand_over_audits(kiosk) -> list[tuple]:
    return kiosk.store.conn.execute(
        "SELECT actor, entity_id FROM audit_log WHERE action = 'document.hand_over' ORDER BY id").fetchall()


def test_printing_to_a_pdf_file_prints_every_page_at_print_resolution(qtbot, page, exported, tmp_path):
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    sealed = exported.path.read_bytes()
    assert print_pdf(sealed, printer) == len(PdfReader(io.BytesIO(sealed)).pages) >= 3
    printed = PdfReader(tmp_path / "printed.pdf")
    assert len(printed.pages) == len(PdfReader(io.BytesIO(sealed)).pages)
    image = next(iter(printed.pages[0].images))  # the page as pixels: at least 200 dpi across A4
    assert image.image.width >= 8.2 * PRINT_DPI >= 8.2 * 200


def test_a_page_range_prints_only_those_pages(exported, tmp_path):
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "two.pdf"))
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    assert print_pdf(exported.path.read_bytes(), printer) == 2
    assert len(PdfReader(tmp_path / "two.pdf").pages) == 2


def test_only_real_writable_drives_other_than_the_data_folders_are_offered(kiosk, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    volumes = [drive(stick), drive(Path("/proc"), "proc", file_system="proc"),
               drive(tmp_path, "CD", read_only=True), drive(tmp_path, "gone", usable=False),
               drive(Path(save_to_drive.QStorageInfo(str(kiosk.paths.root)).rootPath()), "This tablet")]
    assert [volume.root for volume in hand_over_drives(volumes, kiosk.paths.root)] == [str(stick)]


def test_the_dialog_saves_a_copy_on_the_drive_and_says_so(qtbot, page, kiosk, exported, usb):
    qtbot.mouseClick(page.save_to_drive_button, Qt.MouseButton.LeftButton)
    dialog = page.save_dialog
    qtbot.waitExposed(dialog)
    assert [button.text().split()[0] for button in dialog.drive_buttons] == ["USB"]  # not /proc, not the CD
    qtbot.mouseClick(dialog.drive_buttons[0], Qt.MouseButton.LeftButton)
    copy = usb / exported.path.name
    assert copy.read_bytes() == exported.path.read_bytes()
    assert dialog.result_text.isVisible() and str(copy) in dialog.result_text.text().replace("\u200b", "")
    assert not [name for name in os.listdir(usb) if name.endswith(".tmp")]
    assert hand_over_audits(kiosk) == [("consultant:1", str(exported.record.id))]
    qtbot.mouseClick(dialog.drive_buttons[0], Qt.MouseButton.LeftButton)  # again: the same document is there
    assert "Already there" in dialog.result_text.text() and os.listdir(usb) == [exported.path.name]
    assert len(hand_over_audits(kiosk)) == 1
    dialog.accept()


def test_an_existing_file_on_the_drive_is_never_overwritten(qtbot, page, exported, usb):
    theirs = usb / exported.path.name
    theirs.write_bytes(b"the patient's own file of that name")
    qtbot.mouseClick(page.save_to_drive_button, Qt.MouseButton.LeftButton)
    dialog = page.save_dialog
    copied = dialog.save_to(usb)
    assert theirs.read_bytes() == b"the patient's own file of that name"
    assert copied.path == usb / f"{exported.path.stem} (2).pdf"
    assert copied.path.read_bytes() == exported.path.read_bytes()
    dialog.accept()


def test_the_data_folder_is_refused(qtbot, page, kiosk, exported, usb):
    qtbot.mouseClick(page.save_to_drive_button, Qt.MouseButton.LeftButton)
    dialog = page.save_dialog
    before = sorted(path.name for path in kiosk.paths.exports.iterdir())
    for folder in (kiosk.paths.root, kiosk.paths.exports):
        assert dialog.save_to(folder) is None
        assert dialog.error.isVisible() and "inside the data folder" in dialog.error.text()
    assert sorted(path.name for path in kiosk.paths.exports.iterdir()) == before
    assert dialog.save_to(usb / "unplugged") is None and "taken out" in dialog.error.text()
    assert hand_over_audits(kiosk) == []
    dialog.accept()


def test_a_pdf_changed_since_its_export_is_not_handed_over(kiosk, exported, usb):
    exported.path.write_bytes(exported.path.read_bytes() + b"%tampered\n")
    with pytest.raises(ExportError, match="changed since it was exported"):
        kiosk.export.hand_over(exported, usb, "consultant:1")
    assert os.listdir(usb) == []


@pytest.mark.screens
@pytest.mark.parametrize("size", SIZES)
def test_render_the_summary_after_export_and_the_save_dialog(qtbot, page, exported, usb, shots, size):
    page.resize(*size)
    tag = f"{size[0]}x{size[1]}"
    page.scroll.ensureWidgetVisible(page.result)
    qtbot.wait(250)
    assert page.print_button.isVisible() and page.save_to_drive_button.isVisible()
    assert page.grab().save(str(shots / f"summary_exported_{tag}.png"))
    qtbot.mouseClick(page.save_to_drive_button, Qt.MouseButton.LeftButton)
    dialog = page.save_dialog
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.drive_buttons[0], Qt.MouseButton.LeftButton)
    qtbot.wait(100)
    assert dialog.grab().save(str(shots / f"save_to_drive_{tag}.png"))
    dialog.accept()


def test_the_save_dialog_closes_when_the_app_locks(qtbot, window, kiosk, register):
    patient = register()
    record_consultation(kiosk, patient.id, sessions=2)
    window.open_patient(patient)
    window.workspace.go_to_step("summary")
    summary = window.workspace.pages["summary"]
    qtbot.waitUntil(lambda: bool(summary.page_labels), timeout=30000)
    with qtbot.waitSignal(summary.exported, timeout=30000):
        summary.export_button.click()
    qtbot.mouseClick(summary.save_to_drive_button, Qt.MouseButton.LeftButton)
    qtbot.waitExposed(summary.save_dialog)
    window.sign_in.lock()  # the idle lock or the Lock button
    assert window.lock_page_shown()
    assert not summary.save_dialog.isVisible()
    summary.wait_for_preview()


def test_the_real_volume_list_never_offers_the_data_folders_own(kiosk):
    volumes = save_to_drive.mounted_volumes()  # this machine's, unmocked
    assert volumes and all(isinstance(volume, Volume) and volume.root for volume in volumes)
    data_volume = save_to_drive.QStorageInfo(str(kiosk.paths.root)).rootPath()
    assert data_volume in [volume.root for volume in volumes]
    assert data_volume not in [volume.root for volume in hand_over_drives(volumes, kiosk.paths.root)]
