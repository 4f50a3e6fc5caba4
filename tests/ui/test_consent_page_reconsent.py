"""The Consent step says when the patient's signed text is older than the clinic's (and whether sessions
wait for a new signature), and when the first session waits for the time to think."""

from __future__ import annotations

from datetime import timedelta

import pytest

from meso_kiosk.services.clinic_data import ClinicData
from meso_kiosk.ui.pages.consent import ConsentPage
from meso_kiosk.ui.theme import apply_theme
from tests.conftest import FIXED_NOW
from tests.consultation import sign
from tests.services.test_reconsent import resources, sign_old, versions  # noqa: F401 (fixtures)
from tests.ui.conftest import signed_in_consultant


@pytest.fixture
def page(qtbot, qapp, kiosk, resources):  # noqa: F811
    kiosk.clinic_data = ClinicData(resources)  # one English text newer than the one signed below
    apply_theme(qapp)
    consultant = signed_in_consultant(kiosk)
    built = ConsentPage(kiosk.consents, kiosk.accounts, kiosk.clock, lambda: consultant)
    built.consultant = consultant
    qtbot.addWidget(built)
    built.setMinimumSize(640, 480)
    built.resize(1280, 800)
    built.show()
    qtbot.waitExposed(built)
    return built


def show(page, qtbot, patient, size, shots, name):
    page.resize(*size)
    page.show_patient(patient)
    qtbot.wait(200)
    page.grab().save(str(shots / name))


def test_an_older_text_asks_for_a_new_signature(page, kiosk, register, versions, qtbot, shots):  # noqa: F811
    old, new = versions
    patient = register()
    sign_old(kiosk, patient.id, old, page.consultant.id)
    show(page, qtbot, patient, (1280, 800), shots, "consent_newer_text_held_1280x800.png")
    assert page.status_title.text() == "⚠ Consent signed on an older text: sessions wait for a new signature"
    assert page.status_note.text().startswith(f"⚠ A newer consent text (version {new}) is in use; please ask the "
                                              "patient to read and sign it.")
    assert page.status_note.isVisible()
    kiosk.clinic.update({"reconsent_on_new_text": False}, "test")
    show(page, qtbot, patient, (800, 1280), shots, "consent_newer_text_notice_800x1280.png")
    assert page.status_title.text().startswith("✓ Signed consent in force: sessions can be recorded")
    assert f"version {new}) is in use" in page.status_note.text()
    assert f"signed version {old} stays valid" in page.status_note.text()


def test_the_time_to_think_is_said_after_a_first_consent(page, kiosk, register, qtbot, shots):
    patient = register()
    sign(kiosk, patient.id, page.consultant.id)  # now: the current text, the 24 h begin
    show(page, qtbot, patient, (1280, 800), shots, "consent_cooling_off_1280x800.png")
    assert page.status_title.text() == "✓ Signed consent in force: the first session waits for the time to think"
    assert "cooling-off period of 24 hours ends tomorrow" in page.status_note.text()
    assert kiosk.consents.newer_text(patient.id) is None
    kiosk.clock.now = lambda: FIXED_NOW + timedelta(hours=24)
    page.refresh()
    assert page.status_title.text().startswith("✓ Signed consent in force: sessions can be recorded")
    assert not page.status_note.isVisible()
