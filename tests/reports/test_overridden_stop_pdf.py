"""The exported PDF states an overridden stop plainly: what it was, the reason, who and when;
a stop that cannot be overridden is said to be so, never shown as overridden."""

from __future__ import annotations

from tests.consultation import OVERRIDE_REASON, ensure_consultant
from tests.pdf_tools import extracted_text
from tests.services.test_intake import CLEAR_MEDICAL, REQUIRED_HISTORY


def _squashed(text: str) -> str:
    return " ".join(text.split())


def _pdf_text(kiosk, patient_id: int) -> tuple[str, bytes]:
    data = kiosk.export.export_pdf(patient_id, "test").path.read_bytes()
    return _squashed(extracted_text(data)), data


def test_an_overridden_blood_thinner_stop_is_stated_with_reason_who_and_when(kiosk, register, tmp_path):
    consultant_id, name = ensure_consultant(kiosk, "Dr Amélie Laurent")
    actor = f"consultant:{consultant_id}"
    patient = register("Jürgen", "Schäfer", sex_at_birth="male")
    for path, value in (REQUIRED_HISTORY | CLEAR_MEDICAL | {"medical.anticoagulants": True}).items():
        kiosk.intake.save_answer(patient.id, path, value, actor)
    kiosk.intake.override(patient.id, "anticoagulants", OVERRIDE_REASON, actor)
    kiosk.intake.complete(patient.id, actor)
    (stop,) = kiosk.intake.overridden_stops(patient.id)
    when = kiosk.clock.local(stop.at)

    text, data = _pdf_text(kiosk, patient.id)
    sentence = _squashed(
        f"Stop overridden: Takes a blood thinner (anticoagulant). — Reason for going ahead: “{OVERRIDE_REASON}”"
        f" — Decided by: {name}, "
    )
    assert sentence in text
    after = text[text.index(sentence) + len(sentence):].lstrip()  # then the day and time of the override
    assert after.startswith(f"{when.day} ") and str(when.year) in after[:20] and when.strftime("%H:%M") in after[:40]
    assert "Overridden (see below)" in text
    (tmp_path / "overridden.pdf").write_bytes(data)


def test_a_stop_that_cannot_be_overridden_is_never_printed_as_overridden(kiosk, register):
    patient = register("Amara", "Nwosu", sex_at_birth="female")
    for path, value in {"medical.pregnancy": "breastfeeding", "medical.anticoagulants": True}.items():
        kiosk.intake.save_answer(patient.id, path, value, "consultant:1")
    kiosk.intake.override(patient.id, "anticoagulants", "Letter on file", "consultant:1")
    text, _ = _pdf_text(kiosk, patient.id)
    assert "Cannot be overridden: no treatment" in text
    assert text.count("Stop overridden:") == 1 and "Stop overridden: Takes a blood thinner" in text
    assert "Stop overridden: Pregnant" not in text
