"""Step 5 — Summary: what the signed PDF will carry, a preview of its pages, and the export.

The checklist says what is ready and what is missing. Exporting is never refused: a
consultation without a signed consent can still be documented, and the PDF then says
on its first page, and on each empty signature line, that it is NOT signed. The
preview is typeset and rasterised on a worker thread (ReportLab + pypdfium2), so the
step opens at once; the export itself (seal, write, record) runs on the UI thread —
it takes well under a second once the seal key is loaded — and ends by verifying the
file it wrote, as ``meso-kiosk verify`` would.
"""

from __future__ import annotations

import os
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QHideEvent, QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (QBoxLayout, QDialog, QFrame, QHBoxLayout, QLabel, QLayout, QSizePolicy, QVBoxLayout,
                               QWidget)

from ...domain.clock import Clock
from ...domain.patient import Patient
from ...domain.summary import ReadyItem, readiness
from ...services.export import ExportedDocument, ExportError, ExportService, VerifyReport
from ..widgets.basics import button, discard, label, restyle, scrolling
from ..widgets.field_errors import reveal
from .step import StepGuard, StepHold, never_blocked

ZERO_WIDTH_SPACE = "\u200b"
PREVIEW_WIDTH_PX = 640       # pixels a page is rendered at, then scaled to the column
PORTRAIT_BELOW_PX = 1000     # narrower than this, the preview goes under the checklist


class _PreviewSignals(QObject):
    done = Signal(int, object)      # generation, list[PageImage]
    failed = Signal(int, str)       # generation, message


class _PreviewJob(QRunnable):
    def __init__(self, generation: int, work: Callable[[], object], signals: _PreviewSignals):
        super().__init__()
        self._generation, self._work, self._signals = generation, work, signals

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as error:  # noqa: BLE001 - shown next to the preview, never lost
            self._signals.failed.emit(self._generation, str(error))
        else:
            self._signals.done.emit(self._generation, result)


class _ReadyRow(QFrame):
    def __init__(self, item: ReadyItem, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "ready-row" if item.ready else "missing-row")
        self.setMinimumHeight(48)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(12)
        mark = label("✓ Ready" if item.ready else "! Missing", "ready-mark" if item.ready else "missing-mark",
                     wrap=False)
        mark.setMinimumWidth(104)
        mark.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        text = QVBoxLayout()
        text.setSpacing(0)
        text.addWidget(label(item.name, "subheading-small"))
        self.detail = label(item.text, "muted")
        text.addWidget(self.detail)
        layout.addWidget(mark)
        layout.addLayout(text, 1)
        self.setAccessibleName(f"{item.name}: {'ready' if item.ready else 'missing'}. {item.text}")


class SummaryPage(QWidget):
    """Shows one patient's summary; ``exported`` carries the ``ExportedDocument`` written."""

    exported = Signal(object)

    def __init__(self, export: ExportService, clock: Clock, actor: Callable[[], str], parent: QWidget | None = None,
                 *, guard: StepGuard = never_blocked):
        super().__init__(parent)
        self._guard = guard
        self._export = export
        self._clock = clock
        self._actor = actor
        self.patient: Patient | None = None
        self._stale = True
        self._generation = 0
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._signals = _PreviewSignals(self)
        self._images: list[QImage] = []
        self.last_export: ExportedDocument | None = None
        self.last_report: VerifyReport | None = None
        self.save_dialog: QWidget | None = None  # "Save to a USB drive", while it is open

        body = QWidget()
        self._columns = QBoxLayout(QBoxLayout.Direction.LeftToRight, body)
        self._columns.setContentsMargins(32, 16, 32, 24)
        self._columns.setSpacing(32)
        left = self._build_export_column()
        right = self._build_preview_column()
        self._left, self._right = left, right
        for column in (left, right):  # the columns share the width 2 : 3, whatever they hold
            column.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._columns.addWidget(left, 2)
        self._columns.addWidget(right, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)  # it scrolls: no minimum size to impose
        self.scroll = scrolling(body)
        layout.addWidget(self.scroll)
        self._connect_signals()

    def _build_export_column(self) -> QWidget:
        """What the PDF will show, the export button, and what the export wrote."""
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(12)
        left_layout.addWidget(label("What the signed PDF will show", "subheading"))
        left_layout.addWidget(label(
            "The clinic's copy and the patient's: the whole consultation, sealed with the clinic's digital "
            "signature so any change to the file is detected.", "muted"))
        self.ready_box = QVBoxLayout()
        self.ready_box.setSpacing(8)
        left_layout.addLayout(self.ready_box)
        left_layout.addSpacing(8)
        self.export_button = button("Export signed PDF", "Export the signed PDF summary", primary=True)
        self.export_button.setMinimumHeight(64)
        self.export_button.setProperty("size", "big")
        left_layout.addWidget(self.export_button)
        self.status = label("", "muted")
        left_layout.addWidget(self.status)
        self.error = label("", "banner-error")
        self.error.hide()
        left_layout.addWidget(self.error)
        left_layout.addWidget(self._build_result())
        left_layout.addStretch(1)
        return left

    def _build_result(self) -> QFrame:
        """Where the signed PDF went, its fingerprint and the check of its signature."""
        self.result = QFrame()
        self.result.setProperty("role", "export-result")
        result_layout = QVBoxLayout(self.result)
        result_layout.setContentsMargins(16, 12, 16, 12)
        result_layout.setSpacing(6)
        self.result_title = label("", "subheading-small")
        self.result_path = label("", None)
        self.result_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_hash = label("", "digest")
        self.result_hash.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_check = label("", None)
        for widget in (self.result_title, self.result_path, self.result_hash, self.result_check):
            result_layout.addWidget(widget)
        # Handing the PDF over: on paper, or on the patient's USB drive.
        self.print_button = button("Print…", "Print the signed PDF")
        self.save_to_drive_button = button("Save to a USB drive…", "Save the signed PDF to a USB drive")
        result_layout.addSpacing(6)
        for widget in (self.print_button, self.save_to_drive_button):  # one above the other: the column is narrow
            widget.setMinimumHeight(48)
            result_layout.addWidget(widget)
        self.hand_over_status = label("", None)
        self.hand_over_status.hide()
        result_layout.addWidget(self.hand_over_status)
        self.result.hide()
        return self.result

    def _build_preview_column(self) -> QWidget:
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(12)
        right_layout.addWidget(label("Preview", "subheading"))
        self.preview_status = label("", "muted")
        right_layout.addWidget(self.preview_status)
        self.pages_box = QVBoxLayout()
        self.pages_box.setSpacing(16)
        right_layout.addLayout(self.pages_box)
        right_layout.addStretch(1)
        self.page_labels: list[QLabel] = []
        return right

    def _connect_signals(self) -> None:
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.save_to_drive_button.clicked.connect(self._on_save_to_drive_button_clicked)
        self._signals.done.connect(self._on_preview_done)
        self._signals.failed.connect(self._on_preview_failed)

    # -- the patient ----------------------------------------------------------
    def show_patient(self, patient: Patient) -> None:
        self.patient = patient
        self._stale = True
        self.result.hide()
        self.error.hide()
        self.status.setText("")
        self._clear_pages()
        # Once the workspace has put its step on screen (a consultation may open on the summary).
        QTimer.singleShot(0, self._rebuild_if_stale)

    def flush(self) -> None:
        """Nothing is typed here."""

    def blocked_reason(self) -> StepHold | None:
        return self._guard(self.patient) if self.patient is not None else None

    def show_progress(self, done: bool) -> None:
        """The last step: exporting (again) stays its main action."""

    def refresh(self) -> None:
        """Shown (again): read the patient once the step has appeared; what other steps or a
        hand-off recorded since the last look (a consent signed, a session closed) is in it."""
        self._stale = True
        if self.patient is not None:
            QTimer.singleShot(0, self._rebuild_if_stale)  # the step appears first, then fills in

    def _rebuild_if_stale(self) -> None:
        if self._stale and self.isVisible():
            self._rebuild()

    def _rebuild(self) -> None:
        """Read the consultation now, list what is ready, and typeset the preview in the background."""
        if self.patient is None:
            return
        self._stale = False
        summary = self._export.build_summary(self.patient.id)
        while self.ready_box.count():
            item = self.ready_box.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for entry in readiness(summary):
            self.ready_box.addWidget(_ReadyRow(entry))
        self.export_button.setText("Export signed PDF" if summary.is_signed else "Export signed PDF (consent NOT signed)")
        self._generation += 1
        self.preview_status.setText("Preparing the preview…")
        export = self._export
        self._pool.start(_PreviewJob(self._generation, lambda: export.preview(summary, PREVIEW_WIDTH_PX),
                                     self._signals))

    def wait_for_preview(self, msecs: int = 30000) -> bool:
        """Block until the background preview is finished (tests and shutdown)."""
        return self._pool.waitForDone(msecs)

    # -- preview --------------------------------------------------------------
    def _clear_pages(self) -> None:
        discard(self.page_labels)
        self.page_labels = []
        self._images = []

    def _on_preview_done(self, generation: int, pages: object) -> None:
        if generation != self._generation:
            return  # a newer preview is on its way
        self._clear_pages()
        for image in pages:  # type: ignore[attr-defined]
            picture = QImage(image.rgb, image.width, image.height, image.stride, QImage.Format.Format_RGB888).copy()
            self._images.append(picture)
            page = QLabel()
            page.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            page.setProperty("role", "preview-page")
            page.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            number = len(self._images)
            page.setAccessibleName(f"Preview of page {number} of {len(pages)}")  # type: ignore[arg-type]
            self.pages_box.addWidget(page)
            self.page_labels.append(page)
        count = len(self.page_labels)
        self.preview_status.setText(
            f"{count} page{'s' if count != 1 else ''} as they will be exported; the exported copy gets its own "
            "document number and the clinic's seal.")
        self._fit_pages()

    def _on_preview_failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self.preview_status.setText(f"The preview could not be made: {message}")

    def _fit_pages(self) -> None:
        width = max(200, min(self._right.width(), self.scroll.viewport().width() - 64) - 4)
        ratio = self.devicePixelRatioF() or 1.0
        for page, image in zip(self.page_labels, self._images):
            pixmap = QPixmap.fromImage(image.scaledToWidth(int(width * ratio),
                                                           Qt.TransformationMode.SmoothTransformation))
            pixmap.setDevicePixelRatio(ratio)
            page.setPixmap(pixmap)
            page.setFixedHeight(int(pixmap.height() / ratio) + 2)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        portrait = event.size().width() < PORTRAIT_BELOW_PX
        direction = QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        if self._columns.direction() != direction:
            self._columns.setDirection(direction)
        self._fit_pages()

    # -- export ---------------------------------------------------------------
    def _on_export_button_clicked(self) -> None:
        if self.patient is None:
            return
        self.error.hide()
        self.result.hide()
        self.status.setText("Sealing and saving the PDF…")
        self.export_button.setEnabled(False)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.wait_for_preview()  # one document typeset at a time
            exported = self._export.export_pdf(self.patient.id, self._actor())
            report = self._export.verify(exported.path)
        except (ExportError, OSError) as error:
            self.status.setText("")
            self.error.setText(f"The PDF was not exported: {error}")
            self.error.show()
            reveal(self.error, self.export_button)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
            self.export_button.setEnabled(True)
        self.last_export, self.last_report = exported, report
        self.status.setText("")
        self._show_result(exported, report)
        self.exported.emit(exported)

    def _show_result(self, exported: ExportedDocument, report: VerifyReport) -> None:
        self.result.setProperty("ok", "true" if report.ok else "false")
        restyle(self.result)
        self.result_title.setText("✓ Exported and verified" if report.ok else "! Exported, but the check failed")
        # Break opportunities after each folder and between hash groups: long values wrap, never widen the page.
        self.result_path.setText(f"Saved to {str(exported.path).replace(os.sep, os.sep + ZERO_WIDTH_SPACE)}")
        groups = " ".join(exported.sha256[i:i + 8] for i in range(0, len(exported.sha256), 8))
        self.result_hash.setText(f"SHA-256: {groups}")
        if report.ok:
            when = self._clock.format_local(report.signing_time, with_offset=True) if report.signing_time else ""
            self.result_check.setText(
                f"Seal valid, by {report.signer}, {when}. The file is intact and recorded as document "
                f"{report.issued.id if report.issued else '?'} of this clinic.")
        else:
            self.result_check.setText(f"Problem: {report.problem}.")
        self.hand_over_status.hide()
        self.result.show()
        # The confirmation is brought into view (in portrait it lies below the ready list), with the
        # keyboard on Print, the next thing a consultant does with it.
        reveal(self.result, self.print_button)

    # -- handing it over --------------------------------------------------------
    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt override)
        """The step went out of sight (the app locked, another step): its hand-over dialogs close
        with it, so nobody saves or prints a patient's PDF from behind the lock screen."""
        super().hideEvent(event)
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()

    def _on_print_button_clicked(self) -> None:
        if self.last_export is None:
            return
        from ..widgets.print_pdf import print_with_dialog  # QtPrintSupport: only when printing

        words = print_with_dialog(self, self.last_export.path)
        if words is not None:
            self.hand_over_status.setText(words)
            self.hand_over_status.show()

    def _on_save_to_drive_button_clicked(self) -> None:
        if self.last_export is None:
            return
        from ..widgets.save_to_drive import SaveToDrive

        exported = self.last_export
        self.save_dialog = SaveToDrive(exported.path.name,
                                       lambda folder: self._export.hand_over(exported, folder, self._actor()),
                                       self._export.data_root, self)
        self.save_dialog.open()
