"""The font chain: each run of text in a face that has it, a clear error when none has."""

from __future__ import annotations

import pytest

from meso_kiosk.reports.fonts import (
    SYSTEM_FONT_DIRS, FontsMissingError, MissingGlyphError, font_chain, printable, shape_rtl, visual_order,
)


def family_of(fonts, name: str) -> str:
    return "wqy" if "wqy" in name else "dejavu"


@pytest.mark.parametrize(("text", "family"), [
    ("Željko Łukasz Nguyễn Thị Hương", "dejavu"),
    ("Ελένη Παπαδοπούλου", "dejavu"),
    ("Дмитрий Соколов", "dejavu"),
    ("فاطمة الحسيني", "dejavu"),
    ("נועה כהן", "dejavu"),
    ("王 小明", "wqy"),
    ("山田 さくら", "wqy"),
    ("김 민준", "wqy"),
])
def test_each_script_is_one_run_in_a_face_that_has_it(fonts, text, family):
    runs = fonts.runs(text)
    assert len(runs) == 1, runs  # the space stays in the run it is in
    assert family_of(fonts, runs[0][0]) == family
    assert runs[0][1] == text


def test_mixed_text_switches_face_per_run(fonts):
    runs = fonts.runs("Patient 王小明 (Wang)")
    assert [family_of(fonts, name) for name, _ in runs] == ["dejavu", "wqy", "dejavu"]
    assert "".join(text for _, text in runs) == "Patient 王小明 (Wang)"


def test_markup_characters_are_escaped_never_interpreted(fonts):
    markup = fonts.markup("<b>&amp; <font name='x'>")
    assert "<b>" not in markup and "<font name='x'>" not in markup
    assert "&lt;b&gt;&amp;amp;" in markup


def test_a_character_no_font_has_is_named_in_the_error(fonts):
    with pytest.raises(MissingGlyphError) as raised:
        fonts.runs("Tenzin བསྟན་འཛིན")  # Tibetan: no shipped font has it
    message = str(raised.value)
    assert "U+0F56" in message and "TIBETAN LETTER BA" in message and "Tenzin བསྟན་འཛིན" in message
    assert raised.value.char == "བ"


def test_invisible_characters_are_dropped_not_boxed(fonts):
    # left-to-right mark, a NUL and a soft hyphen print nothing; the joiners are kept for
    # HarfBuzz (they choose a conjunct's form, join an emoji sequence)
    assert printable("Ab\u200dc\u200ed\x00e\u00adf\u200cg") == "Ab\u200dcdef\u200cg"
    assert "".join(t for _, t in fonts.runs("Ab\u200ec")) == "Abc"


def test_right_to_left_text_is_shaped_and_put_in_visual_order():
    assert visual_order("שרה") == "הרש"
    shaped = shape_rtl("فاطمة")
    assert shaped != "فاطمة" and all(0xFE70 <= ord(ch) <= 0xFEFF for ch in shaped)  # joined forms
    assert visual_order("Name: שרה", "L") == "Name: הרש"


def test_missing_font_files_are_named(tmp_path):
    with pytest.raises(FontsMissingError, match="DejaVuSans.ttf"):
        font_chain((tmp_path,))


@pytest.mark.skipif(not (SYSTEM_FONT_DIRS[0] / "DejaVuSans.ttf").exists() or
                    not (SYSTEM_FONT_DIRS[1] / "wqy-microhei.ttc").exists(),
                    reason="Debian's fonts-dejavu-core and fonts-wqy-microhei are not installed")
def test_system_fonts_are_the_last_resort(tmp_path):
    import shutil

    from meso_kiosk.resources import resource_path

    for font in resource_path("fonts").glob("Noto*.ttf"):  # DejaVu and WenQuanYi gone
        shutil.copy(font, tmp_path)
    chain = font_chain((tmp_path, *SYSTEM_FONT_DIRS))
    assert chain.families[:2] == ("DejaVu Sans", "WenQuanYi Micro Hei")
    assert len(chain.runs("Ελένη 王小明")) == 2


def test_fonts_are_registered_once_per_process(fonts):
    from meso_kiosk.resources import resource_path

    assert font_chain((resource_path("fonts"),)) is fonts
