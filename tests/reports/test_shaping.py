"""Scripts that need shaping (Indic, Thai, Khmer, Myanmar…) and emoji: each in its Noto face,
shaped by HarfBuzz, and given back as typed by text extraction (poppler reads the ActualText
of each shaped word)."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Table

from meso_kiosk.reports.shaped import shaped
from meso_kiosk.reports.summary_pdf import render_summary
from tests.pdf_tools import needs_pdftoppm, needs_pdftotext, poppler_text, to_pngs

from .conftest import full_sections, make_summary

NAMES = {
    "latin": ("Siobhán", "Ó Briain-Łukasiewicz"),
    "vietnamese": ("Thị Hương", "Nguyễn"),
    "greek": ("Ελένη", "Παπαδοπούλου"),
    "cyrillic": ("Дмитрий", "Соколов"),
    "arabic": ("فاطمة", "الحسيني"),
    "hebrew": ("נועה", "כהן"),
    "chinese": ("小明", "王"),
    "japanese": ("さくら", "山田"),
    "korean": ("민준", "김"),
    "devanagari": ("प्रिया", "क्षत्रिय"),
    "bengali": ("সৌমিত্র", "চট্টোপাধ্যায়"),
    "gurmukhi": ("ਹਰਪ੍ਰੀਤ", "ਸਿੰਘ"),
    "gujarati": ("ધ્રુવ", "પટેલ"),
    "oriya": ("ସ୍ମିତା", "ମହାପାତ୍ର"),
    "tamil": ("கார்த்திக்", "சுப்பிரமணியன்"),
    "telugu": ("శ్రీనివాస్", "రెడ్డి"),
    "kannada": ("ಪ್ರಕಾಶ್", "ಶೆಟ್ಟಿ"),
    "malayalam": ("ലക്ഷ്മി", "നായർ"),
    "sinhala": ("ශ්\u200dරියානි", "පෙරේරා"),
    "thai": ("สมชาย", "ใจดี"),
    "lao": ("ສົມພອນ", "ວົງສາ"),
    "khmer": ("សុភ័ក្ត្រ", "ចាន់"),
    "myanmar": ("အောင်", "ကျော်"),
    "georgian": ("ნინო", "ბერიძე"),
    "armenian": ("Անահիտ", "Պետրոսյան"),
    "ethiopic": ("ሰላም", "ተስፋዬ"),
}
QUESTION = "Will it hurt? 😬🙏 क्या दर्द होगा? เจ็บไหม"


def _face(fonts, text: str) -> str:
    (name, _), = fonts.runs(text)
    return name


@needs_pdftotext
@pytest.mark.parametrize("script", NAMES)
def test_a_name_in_every_script_comes_back_as_typed(fonts, script):
    given, family = NAMES[script]
    text = poppler_text(render_summary(make_summary(given, family), fonts))
    if script == "arabic":  # drawn in its joined forms (arabic_reshaper), which NFKC folds back
        text = unicodedata.normalize("NFKC", text)
    assert given in text and family in text


@needs_pdftotext
def test_the_consent_question_with_emoji_and_shaped_scripts_comes_back_as_typed(fonts):
    sections = full_sections(sessions=2)
    sections["consent"] = replace(sections["consent"], question_for_consultant=QUESTION)
    pdf = render_summary(make_summary("प्रिया", "क्षत्रिय", **sections), fonts)
    assert QUESTION in poppler_text(pdf)


def test_harfbuzz_reorders_and_joins(fonts):
    devanagari = _face(fonts, "कि")
    assert str(shaped(devanagari, "कि"))[1] == "क"  # the vowel sign i is drawn before its consonant
    assert len(shaped(devanagari, "क्ष")) == 1  # ka + virama + ssa: one conjunct glyph
    emoji = _face(fonts, "👨\u200d👩\u200d👧")
    assert len(shaped(emoji, "👨\u200d👩\u200d👧")) == 1  # a joined family is one glyph
    assert str(shaped(emoji, "👍🏽")) == "👍"  # no swatch beside the hand in a monochrome font


def test_each_script_is_one_run_in_its_own_face(fonts):
    assert "NotoSansThai" in _face(fonts, "กิ่งแก้ว")  # DejaVu has two Thai letters: never used
    assert "NotoSansDevanagari" in _face(fonts, "प्रिया क्षत्रिय, शर्मा")  # space and comma stay
    assert "NotoEmoji" in _face(fonts, "👨\u200d👩\u200d👧")  # the joiners stay inside the run
    for typed_as_emoji in ("❤️", "1️⃣", "☺️"):  # emoji presentation takes the emoji face
        assert "NotoEmoji" in _face(fonts, typed_as_emoji), typed_as_emoji
    assert "DejaVu" in _face(fonts, "♥ ☺")  # text symbols stay in the text face
    assert "DejaVu" in _face(fonts, "🂡")  # in the emoji blocks, but not in Noto Emoji: a face claims what it has
    assert "NotoSansDevanagari-Bold" in fonts.runs("प्रिया", bold=True)[0][0]


@needs_pdftotext
def test_a_long_shaped_word_wraps_between_clusters_inside_its_column(fonts):
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate
    import io

    from meso_kiosk.reports.text import ScriptParagraph

    word = "क्षत्रिय" * 30
    style = ParagraphStyle("cell", fontName=fonts.base_font(), fontSize=9, leading=12)
    cell = ScriptParagraph(f"{word} 😬 end", style, fonts)
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build([Table([[cell, "next column"]], colWidths=[120, 120])])
    text = poppler_text(buffer.getvalue())
    lines = [line for line in text.splitlines() if "क्ष" in line or "त्रिय" in line]
    assert len(lines) >= 5  # broken into lines that fit the 120 pt column
    assert "".join(line.replace("next column", "").strip() for line in lines).startswith(word)
    assert all(not line.startswith(("्", "ि")) for line in lines)  # never cut inside a cluster


@needs_pdftoppm
def test_pages_with_shaped_text_convert_to_pictures(fonts, tmp_path):
    sections = full_sections(sessions=2)
    sections["consent"] = replace(sections["consent"], question_for_consultant=QUESTION)
    path = tmp_path / "shaped.pdf"
    path.write_bytes(render_summary(make_summary("สมชาย", "ใจดี", **sections), fonts))
    assert to_pngs(path, tmp_path / "pages")


@needs_pdftotext
def test_the_take_home_consents_mark_and_footer_print_a_name_in_any_script(fonts):
    from meso_kiosk.domain.consent_template import BlockKind, TextBlock
    from meso_kiosk.reports.consent_text_pdf import render_consent_text

    footer = "王小明 · प्रिया क्षत्रिय · สมชาย 😬 · 22 Nov 2026"
    pdf = render_consent_text([TextBlock(BlockKind.PARAGRAPH, "Le texte que vous avez signé.")], mark="COPIE ✓",
                              fonts=fonts, title="Consent", footer=footer)
    text = poppler_text(pdf)
    assert footer in text and "COPIE ✓ · 1" in text
