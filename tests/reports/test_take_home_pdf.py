"""'Take it home and decide later': the unsigned text, filled for the patient, in their language, marked
on every page, written next to the exports without replacing any, audited."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from meso_kiosk.domain.consent_template import render_text
from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.services.take_home import TakeHomeService
from tests.consultation import ensure_consultant


@pytest.fixture
def take_home(kiosk):
    return TakeHomeService(kiosk.store, kiosk.clock, kiosk.paths.exports, kiosk.consents)


def pages(path) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(path.read_bytes())).pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def actions(kiosk) -> list[tuple[str, str, str]]:
    return kiosk.store.conn.execute("SELECT action, entity, entity_id FROM audit_log ORDER BY id").fetchall()


@pytest.mark.parametrize("language, mark", [("en", "Not signed — to read at home"),
                                            ("fr", "Non signé — à lire chez vous")])
def test_the_text_shown_is_printed_whole_and_marked_on_every_page(kiosk, register, take_home, language, mark):
    patient = register("Claire", "Dubois", "1986-04-12")
    consultant_id, _ = ensure_consultant(kiosk)
    copy = take_home.export(patient.id, language, "consultant:1", treated_by=consultant_id)
    assert copy.path.parent == kiosk.paths.exports
    assert copy.path.name == f"consent-to-read-{patient.id}-2026-11-22.pdf"
    assert copy.language == language
    text = pages(copy.path)
    assert len(text) >= 2
    for number, page in enumerate(text, start=1):
        assert page.count(mark) >= 2, number  # at the top and in the foot of each page
    shown = render_text(kiosk.consents.template_for(language, patient_id=patient.id, treated_by=consultant_id))
    printed = squash("".join(text))
    for line in shown.splitlines():  # every line of the hand-off's text, in order of reading
        words = squash(re.sub(r"^(\[ \] |\( \) |- )", "", line))
        assert words in printed, line
    assert "Claire Dubois" in text[0] and "2026-11-22" in text[0]
    assert actions(kiosk)[-1] == ("consent.take_home", "patient", str(patient.id))
    assert kiosk.store.verify_audit().ok
    assert PdfReader(str(copy.path)).metadata.subject == mark  # the file itself says what it is


def test_a_second_copy_the_same_day_never_replaces_the_first(kiosk, register, take_home):
    patient = register()
    first = take_home.export(patient.id, "en", "test").path
    before = first.read_bytes()
    (kiosk.paths.exports / f"consent-to-read-{patient.id}-2026-11-22-2.pdf").write_bytes(b"issued earlier")
    third = take_home.export(patient.id, "en", "test").path
    assert third.name == f"consent-to-read-{patient.id}-2026-11-22-3.pdf"
    assert first.read_bytes() == before
    assert (kiosk.paths.exports / f"consent-to-read-{patient.id}-2026-11-22-2.pdf").read_bytes() == b"issued earlier"
    assert [a for a, _, _ in actions(kiosk)].count("consent.take_home") == 2


def test_an_unknown_language_or_patient_writes_nothing(kiosk, register, take_home):
    patient = register()
    with pytest.raises(ValidationError):
        take_home.export(patient.id, "xx", "test")
    with pytest.raises(Exception):
        take_home.export(999, "en", "test")
    assert not list(kiosk.paths.exports.glob("consent-to-read-*"))
    assert "consent.take_home" not in [a for a, _, _ in actions(kiosk)]


def test_a_hostile_name_is_printed_as_typed(kiosk, register, take_home):
    patient = register("Zoé-Łucja", "O'Brien Nguyễn", "1990-01-01")
    text = pages(take_home.export(patient.id, "fr", "test").path)
    assert squash("Zoé-Łucja O'Brien Nguyễn") in squash(text[0])
