"""The PDF names the patient as they write their name (issue 24): family first for 王小明 and for a
Vietnamese patient who chose it, as pdftotext reads it back."""

from __future__ import annotations

from tests.pdf_tools import poppler_text


def test_the_summary_prints_names_in_their_order(kiosk, register):
    chinese = register("小明", "王", "1993-08-08")
    vietnamese = register("Thị Hương", "Nguyễn", "1992-03-03", name_order="family_first")
    for patient, printed, not_printed in ((chinese, "王小明", "小明 王"),
                                          (vietnamese, "Nguyễn Thị Hương", "Thị Hương Nguyễn")):
        text = poppler_text(kiosk.export.export_pdf(patient.id, "dr-laurent").path.read_bytes())
        assert printed in text and not_printed not in text
