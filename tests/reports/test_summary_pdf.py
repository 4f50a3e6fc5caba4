"""The summary PDF: every script comes back from text extraction, sections render, pages number."""

from __future__ import annotations

import re

import pytest

from meso_kiosk.reports.fonts import MissingGlyphError
from meso_kiosk.reports.summary_pdf import render_summary
from meso_kiosk.reports.text import ScriptParagraph
from tests.pdf_tools import extracted_text, needs_pdftoppm, page_texts, to_pngs

from meso_kiosk.domain.summary import ConsentAnswer, ProductUse, ScreeningOverride

from .conftest import full_sections, make_summary, unsigned_sections

NAMES = {
    "latin": ("Siobhán", "Ó Briain-Łukasiewicz"),
    "vietnamese": ("Thị Hương", "Nguyễn"),
    "greek": ("Ελένη", "Παπαδοπούλου"),
    "cyrillic": ("Дмитрий", "Соколов"),
    "chinese": ("小明", "王"),
    "japanese": ("さくら", "山田"),
    "korean": ("민준", "김"),
    "arabic": ("فاطمة", "الحسيني"),
    "hebrew": ("נועה", "כהן"),
}


@pytest.mark.parametrize("script", NAMES)
def test_the_patients_name_comes_back_from_text_extraction(fonts, script):
    given, family = NAMES[script]
    text = extracted_text(render_summary(make_summary(given, family), fonts))
    assert given in text and family in text


def test_markup_in_names_and_clinic_prints_literally(fonts):
    pdf = render_summary(make_summary("Claire", "<b>&amp;", clinic="Clinic <i>&amp; Co & <br/>"), fonts)
    text = extracted_text(pdf)
    assert "<b>&amp;" in text
    assert "Clinic <i>&amp; Co & <br/>" in text


def test_every_section_renders_what_it_holds(fonts):
    text = " ".join(extracted_text(render_summary(make_summary(**full_sections()), fonts)).split())
    for expected in [
        "Northgate Hair Clinic", "Consultation summary", "Claire Dubois", "12 Apr 1986 (age 40)",
        "1 stop: all overridden with a reason; 1 warning: all acknowledged", "Female pattern hair loss",
        "Ludwig", "Thyroid disorder: ask for a recent TSH result", "Acknowledged",
        "Isotretinoin in the last 6 months", "Stopped 14 months ago", "Treated zones", "Vertex (crown)",
        "Treatment sessions", "LT-2290A", "Vertex / crown: 40 inj.", "Mild redness",
        "Corrected 26 Oct 2026", "by Sam Okafor. Reason: Depth typed wrong", "Vertex / crown depth (mm): 2.5 → 2",
        "Dutasteride mesotherapy, 8 sessions", "3 of 8 sessions done", "Less shedding is usually the first sign",
        "Small bruises at injection points", "Read and ticked", "May we take photos of your scalp?",
        "No: no photos, thank you.", "Avoid aspirin", "Do not wash your hair",
        "ab" * 32, "I agree to the treatment described.", "Claire Dubois (Patient)", "Dr Amélie Laurent (Consultant)",
        "I explained the treatment and its risks.", "22 Nov 2026, 10:30 (UTC+01:00)", "cd" * 32, "ef" * 32,
        "Attestation SHA-256", "Confirmed with the consultant's personal PIN",
    ]:
        assert expected in text, expected
    assert "Not recorded yet" not in text
    assert "NOT SIGNED" not in text


def test_the_scalp_map_is_vector_with_labels_counts_and_a_legend(fonts):
    from pypdf import PdfReader
    import io

    pdf = render_summary(make_summary(**full_sections(sessions=4)), fonts)
    text = extracted_text(pdf)
    for words in ("FRONT", "BACK", "LEFT", "RIGHT", "Mid-scalp", "Occipital", "4×", "3×", "1×",
                  "Not treated", "1 session (1×)", "2 sessions (2×)", "3 or more (3+×)"):
        assert words in text, words
    # no picture anywhere: the map and the signature are drawn as vectors
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        assert not [name for name, ref in xobjects.items() if ref.get_object().get("/Subtype") == "/Image"]


def test_without_a_signed_consent_the_document_says_not_signed(fonts):
    text = extracted_text(render_summary(make_summary(**unsigned_sections()), fonts))
    assert "Consent NOT signed" in text  # the notice at the top
    assert text.count("NOT SIGNED") == 2  # each empty signature line
    assert "Not signed: no consent in force." in text and "Not countersigned." in text


MARKUP = '<b>bold</b> & <font name="x">&amp;</font> <br/> <para>'


def test_markup_in_every_kind_of_field_prints_literally(fonts):
    from dataclasses import replace

    sections = full_sections(sessions=2)
    sessions = tuple(replace(row, consultant=MARKUP, side_effects=(MARKUP,),
                             products=(ProductUse(MARKUP, "<lot>&1"),)) for row in sections["sessions"])
    intake = replace(sections["intake"], overrides=(ScreeningOverride(MARKUP, MARKUP, MARKUP),))
    consent = replace(sections["consent"], answers=(ConsentAnswer(MARKUP, "Read and ticked"),),
                      question_for_consultant=MARKUP, aftercare=(MARKUP,))
    signatures = (replace(sections["signatures"][0], printed_name=MARKUP, meaning=MARKUP),)
    summary = make_summary("<i>Claire</i>", "&amp; Dubois", clinic=MARKUP,
                           **(sections | dict(sessions=sessions, intake=intake, consent=consent, signatures=signatures)))
    text = " ".join(extracted_text(render_summary(summary, fonts)).split())
    assert "<i>Claire</i> &amp; Dubois" in text
    assert "<lot>&1" in text
    # every field (15 of them) came back, whichever way narrow columns wrapped it, and the signer's
    # name once more in the technical appendix
    assert "".join(text.split()).count("".join(MARKUP.split())) == 16


def test_a_summary_with_only_the_patient_says_what_is_not_recorded_yet(fonts):
    text = extracted_text(render_summary(make_summary(), fonts))
    assert "Not recorded yet: intake, treatment sessions, course plan, consent, signatures." in text


def test_every_page_carries_patient_document_and_page_of_and_the_audit_head_is_in_the_appendix(fonts):
    pages = page_texts(render_summary(make_summary(**full_sections(sessions=22)), fonts))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Claire Dubois · born 12 Apr 1986 · Document MK-20261122-12-0A1B2C3D" in text
    # the audit head is a checker's detail: once, under "Technical details for verification" at the end
    holding = [number for number, text in enumerate(pages) if "9f" * 32 in "".join(text.split())]
    assert holding == [len(pages) - 1]
    assert "Technical details for verification" in pages[-1]
    # the session table's header row repeats on each page it continues on
    assert sum("Products and lots" in " ".join(text.split()) for text in pages) >= 2
    # a section heading is never left alone at the bottom of a page
    for text in pages:
        last_body_line = [line for line in text.splitlines() if line.strip()][-3]  # 2 footer lines below it
        assert last_body_line.strip() not in {"Signatures", "Consent", "Course", "Treatment sessions"}


def test_all_sessions_are_listed_once(fonts):
    text = extracted_text(render_summary(make_summary(**full_sections(sessions=22)), fonts))
    lots = re.findall(r"LT-(\d{4})A", text)
    assert sorted(set(lots)) == [str(2290 + n) for n in range(22)]


def test_text_no_font_can_print_stops_the_document_and_names_it(fonts):
    with pytest.raises(MissingGlyphError, match=r"U\+0F56"):
        render_summary(make_summary("བསྟན་འཛིན", "Dorje"), fonts)  # Tibetan: no shipped font has it


def test_a_long_right_to_left_paragraph_breaks_in_reading_order(fonts):
    from reportlab.lib.styles import ParagraphStyle

    words = ["שלום", "עולם", "זהו", "טקסט", "ארוך", "מאוד"] * 6
    paragraph = ScriptParagraph(" ".join(words), ParagraphStyle("p", fontName=fonts.base_font(), fontSize=10), fonts)
    lines = paragraph._rtl_lines(paragraph.text, 120, "R")
    assert len(lines) > 2
    # read right to left, the first line holds the first words and the last the last ones
    assert lines[0][::-1].startswith("שלום עולם")
    assert lines[-1][::-1].endswith("מאוד")
    assert " ".join(line[::-1] for line in lines) == " ".join(words)


def test_a_long_word_without_spaces_wraps_inside_its_column(fonts):
    from pypdf import PdfReader
    import io

    pdf = render_summary(make_summary("A" * 100, "王" * 80), fonts)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "王" * 10 in extracted_text(pdf)


@needs_pdftoppm
def test_pages_convert_to_pictures(fonts, tmp_path):
    """The pictures are for a person to look at (see the report); here: one PNG per page."""
    path = tmp_path / "summary.pdf"
    summary = make_summary("فاطمة", "الحسيني", **full_sections(sessions=22))
    path.write_bytes(render_summary(summary, fonts))
    pngs = to_pngs(path, tmp_path / "png")
    assert len(pngs) == len(page_texts(path.read_bytes()))
    assert all(png.stat().st_size > 5000 for png in pngs)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("sessions", range(1, 13))
def test_short_sections_move_whole_wherever_the_page_ends(fonts, sessions):
    """Each session count moves the page ends elsewhere; none may strand part of a short block."""
    pages = [_flat(text) for text in page_texts(render_summary(make_summary(**full_sections(sessions)), fonts))]
    together = [
        ("Your course", "Less shedding is usually the first sign"),   # the course: facts, plan, milestones
        ("Before each session", "Avoid aspirin"),                      # a subheading and its first item
        ("After each session", "Do not wash your hair"),
        ("Signatures Signed by", "Claire Dubois (Patient)"),           # the heading and the first signature
    ]
    for first, second in together:
        holding = [number for number, text in enumerate(pages) if first in text]
        assert len(holding) == 1, (first, sessions)
        assert second in pages[holding[0]], (first, second, sessions)


def test_the_empty_signature_lines_stand_side_by_side(fonts):
    """Without a consent the two NOT SIGNED boxes share one row: never a lone block on a page of its own."""
    from pypdf import PdfReader
    import io

    heights: list[float] = []

    def visit(text, cm, tm, font, size):
        if "NOT SIGNED" in text:  # the text's height on the page: its matrix, then the drawing one
            heights.append(round(tm[4] * cm[1] + tm[5] * cm[3] + cm[5], 1))

    pdf = render_summary(make_summary(**unsigned_sections()), fonts)
    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    assert len(heights) == 2 and heights[0] == heights[1]
