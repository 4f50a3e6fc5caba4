"""The Summary step: what is ready or missing, a preview of the pages, and the signed export."""

from __future__ import annotations

import time

import pytest

from meso_kiosk.ui.pages.summary import SummaryPage
from tests.consultation import record_consultation
from tests.pdf_tools import extracted_text


@pytest.fixture
def page(qtbot, qapp, kiosk):
    from meso_kiosk.ui.theme import apply_theme

    apply_theme(qapp)
    built = SummaryPage(kiosk.export, kiosk.clock, lambda: "consultant:1")
    qtbot.addWidget(built)
    built.resize(1280, 700)
    yield built
    built.wait_for_preview()


def documents(kiosk) -> list[tuple]:
    return kiosk.store.conn.execute("SELECT patient_id, kind, path, sha256, created_by FROM documents").fetchall()


def show(qtbot, page, patient) -> None:
    page.show_patient(patient)
    page.show()
    qtbot.waitExposed(page)
    page.refresh()  # as the workspace does when it shows the step
    qtbot.waitUntil(lambda: bool(page.page_labels), timeout=30000)


def test_the_preview_shows_every_page_then_export_writes_records_and_verifies(qtbot, page, kiosk, register):
    patient = register("Ελένη", "Παπαδοπούλου")
    record_consultation(kiosk, patient.id, sessions=6)
    show(qtbot, page, patient)
    pdf = kiosk.export.render(kiosk.export.build_summary(patient.id))
    from pypdf import PdfReader
    import io

    assert len(page.page_labels) == len(PdfReader(io.BytesIO(pdf)).pages) >= 3
    assert all(not label.pixmap().isNull() for label in page.page_labels)
    assert "as they will be exported" in page.preview_status.text()
    rows = [page.ready_box.itemAt(i).widget() for i in range(page.ready_box.count())]
    assert [row.property("role") for row in rows] == ["ready-row"] * 4
    assert page.export_button.text() == "Export signed PDF"

    with qtbot.waitSignal(page.exported, timeout=30000) as caught:
        page.export_button.click()
    exported = caught.args[0]
    assert exported.path.parent == kiosk.paths.exports and exported.path.is_file()
    assert documents(kiosk) == [(patient.id, "consultation-summary", f"exports/{exported.path.name}",
                                 exported.sha256, "consultant:1")]
    assert page.last_report.ok
    assert page.result.isVisible() and page.result_title.text() == "✓ Exported and verified"
    assert str(exported.path) in page.result_path.text().replace("\u200b", "")
    assert exported.sha256 in page.result_hash.text().replace(" ", "")
    assert "Seal valid" in page.result_check.text()
    assert "Ελένη Παπαδοπούλου" in extracted_text(exported.path.read_bytes())


def test_without_a_signed_consent_export_is_allowed_and_the_pdf_says_not_signed(qtbot, page, kiosk, register):
    patient = register("Jürgen", "Schäfer")
    show(qtbot, page, patient)
    rows = [page.ready_box.itemAt(i).widget() for i in range(page.ready_box.count())]
    consent = rows[-1]
    assert consent.property("role") == "missing-row"
    assert "NOT signed" in consent.detail.text() and "You can still export" in consent.detail.text()
    assert "consent NOT signed" in page.export_button.text()
    with qtbot.waitSignal(page.exported, timeout=30000) as caught:
        page.export_button.click()
    text = extracted_text(caught.args[0].path.read_bytes())
    assert "Consent NOT signed" in text and "NOT SIGNED" in text
    assert page.last_report.ok


def test_an_export_that_fails_says_why_next_to_the_button_and_writes_nothing(qtbot, page, kiosk):
    # Registration refuses a name the PDF cannot print (Tibetan: no font has it); one stored
    # before it did is what can still fail an export.
    from datetime import date

    from meso_kiosk.domain.patient import Patient
    from meso_kiosk.store.patients import insert_patient

    with kiosk.store.write("test") as tx:
        patient = insert_patient(tx, Patient("བསྟན", "Dorje", date(1990, 1, 1)))
    page.show_patient(patient)
    page.show()
    page.refresh()  # as the workspace does when it shows the step
    qtbot.waitUntil(lambda: "could not be made" in page.preview_status.text(), timeout=30000)
    page.export_button.click()
    assert page.error.isVisible() and "U+0F56" in page.error.text()
    assert not page.result.isVisible()
    assert documents(kiosk) == []


def test_the_preview_does_not_freeze_the_screen(qtbot, page, kiosk, register):
    patient = register()
    record_consultation(kiosk, patient.id, sessions=12)
    kiosk.export.render(kiosk.export.build_summary(patient.id))  # imports and fonts, as after the first preview
    page.show()
    qtbot.waitExposed(page)
    start = time.perf_counter()
    page.show_patient(patient)  # reads the records, lists them, and hands the typesetting to a worker
    returned = time.perf_counter() - start
    qtbot.waitUntil(lambda: bool(page.page_labels), timeout=30000)
    assert returned < 0.25, returned


@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)])
def test_the_summary_step_in_the_window_at_both_tablet_sizes(qtbot, window, kiosk, register, shots, size):
    patient = register("Claire", "Dubois")
    record_consultation(kiosk, patient.id, sessions=4)
    window.resize(*size)
    window.open_patient(patient)
    steps = [step.id for step in window.workspace._steps]
    window.workspace.go_to_step(steps.index("summary"))
    summary = window.workspace.pages["summary"]
    qtbot.waitUntil(lambda: bool(summary.page_labels), timeout=30000)
    qtbot.wait(50)
    assert summary.scroll.horizontalScrollBar().maximum() == 0  # nothing sideways
    path = shots / f"summary-{size[0]}x{size[1]}.png"
    window.grab().save(str(path))
    with qtbot.waitSignal(summary.exported, timeout=30000):
        summary.export_button.click()
    qtbot.wait(50)
    # The confirmation comes into view by itself (in portrait it lies below the ready list), Print focused.
    viewport = summary.scroll.viewport()
    title = summary.result_title
    top_left = title.mapTo(viewport, title.rect().topLeft())
    assert viewport.rect().contains(top_left) and top_left.y() + title.height() <= viewport.height()
    assert summary.print_button.hasFocus()
    window.grab().save(str(shots / f"summary-exported-{size[0]}x{size[1]}.png"))
    summary.wait_for_preview()
