"""What the PDF cannot print is refused where it is typed, next to its field, and nothing is
stored; every script the PDF has a font for, and emoji, are taken as typed (issue 24)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.services.printable import check_printable, unprintable
from tests.consultation import (
    CLEAR_INTAKE, INTAKE, complete_intake, ensure_consultant, session_form, sign, signed_earlier,
)
from tests.pdf_tools import needs_pdftotext, poppler_text

TIBETAN = "Tenzin བསྟན"  # no font of the PDF has Tibetan
ACCEPTED = ("Will it hurt? 😬🙏", "प्रिया क्षत्रिय", "สมชาย ใจดี", "王小明", "Nguyễn Thị Hương", "فاطمة", "ሰላም",
            "கார்த்திக்", "សុភ័ក្ត្រ", "👍🏽 👨\u200d👩\u200d👧 ❤️ 1️⃣")


def test_unprintable_names_the_character_it_cannot_print():
    assert [unprintable(text) for text in ACCEPTED] == [None] * len(ACCEPTED)
    assert unprintable(None) is None and unprintable(42) is None and unprintable("line\nbreak") is None
    message = unprintable(TIBETAN)
    assert "“བ”" in message and "Tibetan Letter Ba" in message and "U+0F56" in message
    assert "private-use character U+E000" in unprintable("a\ue000b")
    assert "U+0378, which is not a character" in unprintable("Ελένη\u0378")  # unassigned
    with pytest.raises(ValidationError) as error:
        check_printable({"a": "fine", "b": TIBETAN, "c": "ᏣᎳᎩ"})  # Cherokee: no font either
    assert set(error.value.errors) == {"b", "c"}


def test_the_consent_question_is_refused_as_typed_and_emoji_are_kept(kiosk, register):
    patient = register()
    consultant_id, _ = ensure_consultant(kiosk)
    with signed_earlier(kiosk), pytest.raises(ValidationError) as error:
        sign(kiosk, patient.id, consultant_id, question=f"Is it safe? {TIBETAN}")
    assert "U+0F56" in error.value.errors["question"]
    assert kiosk.consents.history(patient.id) == []
    with signed_earlier(kiosk):
        signed = sign(kiosk, patient.id, consultant_id, question="Will it hurt? 😬🙏 क्या दर्द होगा?")
    assert signed.answers.question_for_consultant == "Will it hurt? 😬🙏 क्या दर्द होगा?"


def test_a_withdrawals_reason_is_refused_as_typed(kiosk, register):
    from tests.conftest import COUNTERSIGN_PIN

    patient = register()
    consultant_id, _ = ensure_consultant(kiosk)
    with signed_earlier(kiosk):
        sign(kiosk, patient.id, consultant_id)
    with pytest.raises(ValidationError) as error:
        kiosk.consents.withdraw(patient.id, channel="phone", consultant_id=consultant_id,
                                consultant_pin=COUNTERSIGN_PIN, reason=f"Moving to {TIBETAN}")
    assert "U+0F56" in error.value.errors["reason"]
    assert kiosk.consents.current(patient.id) is not None  # still in force: nothing stored
    withdrawal = kiosk.consents.withdraw(patient.id, channel="phone", consultant_id=consultant_id,
                                         consultant_pin=COUNTERSIGN_PIN, reason="ต้องการคิดดูก่อน 🙏")
    assert withdrawal.withdrawal_reason == "ต้องการคิดดูก่อน 🙏"


def test_session_notes_and_product_names_are_refused_as_typed(kiosk, register_consented):
    patient = register_consented()
    consultant_id, _ = ensure_consultant(kiosk)
    started = kiosk.sessions.start(patient.id, "test")
    form = session_form(consultant_id, kiosk.clock.now_utc() - timedelta(minutes=40), 1) | {
        "session_id": started.session_id}
    bad = form | {"notes": f"Asked for {TIBETAN}", "side_effects_other": "ᏣᎳᎩ",
                  "products": [{"name": "Peptide \U000E0100x", "lot": "PX-1", "expiry": "2030-01"},
                               {"name": "Biotin ཀ", "lot": "PX-2", "expiry": "2030-01"}]}
    with pytest.raises(ValidationError) as error:
        kiosk.sessions.save_draft(patient.id, bad, "test")
    assert set(error.value.errors) == {"notes", "side_effects_other", "products.1.name"}
    assert "U+0F40" in error.value.errors["products.1.name"]  # (a variation selector alone prints nothing)
    assert kiosk.sessions.draft(patient.id).notes is None
    saved = kiosk.sessions.save_draft(patient.id, form | {"notes": "Fine 👍🏽 — ठीक है, สบายดี"}, "test")
    assert saved.session.notes == "Fine 👍🏽 — ठीक है, สบายดี"


def test_intake_free_text_and_an_overrides_reason_are_refused_as_typed(kiosk, register):
    patient = register()
    with pytest.raises(ValidationError) as error:
        kiosk.intake.save_answer(patient.id, "medical.medications", f"Finasteride for {TIBETAN}", "test")
    assert "U+0F56" in error.value.errors["medical.medications"]
    assert kiosk.intake.current(patient.id) is None
    record = kiosk.intake.save_answer(patient.id, "medical.medications", "फ़िनास्टेराइड 1 mg 💊", "test")
    assert record.intake.answer("medical.medications") == "फ़िनास्टेराइड 1 mg 💊"
    with pytest.raises(ValidationError) as error:
        complete_intake(kiosk, patient.id, answers=INTAKE, override={"anticoagulants": f"Letter from {TIBETAN}"})
    assert "U+0F56" in error.value.errors["override.reason"]
    assert kiosk.intake.overridden_stops(patient.id) == []


@needs_pdftotext
def test_an_export_of_everything_accepted_succeeds_and_reads_back_as_typed(kiosk, register):
    """Name, consent question and session notes in the scripts that need shaping, with emoji:
    the sealed export is made, verifies, and its text is what was typed."""
    patient = register("प्रिया", "क्षत्रिय")
    consultant_id, _ = ensure_consultant(kiosk)
    complete_intake(kiosk, patient.id, f"consultant:{consultant_id}", answers=CLEAR_INTAKE)
    with signed_earlier(kiosk):
        sign(kiosk, patient.id, consultant_id, question=ACCEPTED[0])
    kiosk.sessions.start(patient.id, f"consultant:{consultant_id}")
    notes = "\n".join(ACCEPTED[1:])
    form = session_form(consultant_id, kiosk.clock.now_utc() - timedelta(minutes=40), 1) | {"notes": notes}
    kiosk.sessions.close(patient.id, form, f"consultant:{consultant_id}")
    exported = kiosk.export.export_pdf(patient.id, "test")
    assert kiosk.export.verify(exported.path).ok
    text = poppler_text(exported.path.read_bytes())
    assert "प्रिया" in text and "क्षत्रिय" in text and ACCEPTED[0] in text
    for line in ACCEPTED[1:]:
        if line != "فاطمة":  # drawn in its joined forms: the same letters once NFKC-folded
            assert line in text, line
