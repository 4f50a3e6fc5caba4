"""Re-consent: when the clinic's current consent text is newer than the one the patient signed, the
service says so; sessions wait for a new signature when the clinic's setting asks for it."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from meso_kiosk.resources import resource_path
from meso_kiosk.services.demo.signature import synthetic_signature
from meso_kiosk.services.clinic_data import ClinicData
from meso_kiosk.services.sessions import ConsentRequiredError
from tests.consultation import COUNTERSIGN_PIN, complete_intake, ensure_consultant, sign, signed_earlier


@pytest.fixture
def resources(tmp_path: Path) -> Path:
    """The shipped resources with one English text more: a copy of the current one, numbered next."""
    copy = tmp_path / "resources"
    shutil.copytree(resource_path("consent").parent, copy)
    index = copy / "consent" / "index.toml"
    old = tomllib.loads(index.read_text(encoding="utf-8"))["current"]["en"]
    text = (copy / "consent" / "en" / f"v{old}.toml").read_text(encoding="utf-8")
    assert f"\nversion = {old}\n" in text
    (copy / "consent" / "en" / f"v{old + 1}.toml").write_text(
        text.replace(f"\nversion = {old}\n", f"\nversion = {old + 1}\n", 1), encoding="utf-8")
    index.write_text(index.read_text(encoding="utf-8").replace(f"en = {old}", f"en = {old + 1}", 1),
                     encoding="utf-8")
    return copy


@pytest.fixture
def versions(resources: Path) -> tuple[int, int]:
    """(the English version patients signed until now, the new one)."""
    new = tomllib.loads((resources / "consent" / "index.toml").read_text(encoding="utf-8"))["current"]["en"]
    return new - 1, new


@pytest.fixture
def kiosk(kiosk, resources):  # the conftest's kiosk, its consents reading the resources above
    kiosk.clinic_data = ClinicData(resources)
    return kiosk


def sign_old(kiosk, patient_id: int, version: int, consultant_id: int) -> None:
    """The patient signed the older English text two days ago (it was the current one then)."""
    template = kiosk.consents.template("en", version)
    with signed_earlier(kiosk):
        kiosk.consents.sign(
            patient_id, language="en", version=version, shown_text_sha256=template.text_sha256,
            checklist={item.id: True for item in template.checklist}, photo_consent=False,
            signature=synthetic_signature(str(patient_id)).to_data(), consultant_id=consultant_id,
            consultant_pin=COUNTERSIGN_PIN)


@pytest.fixture
def patient(kiosk, register, versions):
    consultant_id, _ = ensure_consultant(kiosk)
    patient = register()
    complete_intake(kiosk, patient.id)
    sign_old(kiosk, patient.id, versions[0], consultant_id)
    return patient


def test_sessions_wait_for_the_new_text_when_the_clinic_asks(kiosk, patient, versions):
    old, new = versions
    assert kiosk.consents.newer_text(patient.id) == (old, new)
    refusal = kiosk.sessions.consent_refusal(patient.id)
    assert refusal == (f"The patient signed version {old} of the consent; the clinic now uses version {new} and asks "
                       "for a new signature before any further session. Hand the tablet to the patient to read and "
                       "sign the new text.")
    with pytest.raises(ConsentRequiredError, match=f"now uses version {new}"):
        kiosk.sessions.start(patient.id, "c")
    sign(kiosk, patient.id, ensure_consultant(kiosk)[0])  # today's text, signed now
    assert kiosk.consents.current(patient.id).template_version == new
    assert kiosk.consents.newer_text(patient.id) is None
    # The first consent was two days ago: its cooling-off has passed, the re-consent starts none.
    assert kiosk.sessions.consent_refusal(patient.id) is None
    assert kiosk.sessions.start(patient.id, "c").session_id


def test_only_a_notice_when_the_clinic_does_not_ask(kiosk, patient, versions):
    kiosk.clinic.update({"reconsent_on_new_text": False}, "test")
    assert kiosk.consents.newer_text(patient.id) == versions
    assert kiosk.sessions.consent_refusal(patient.id) is None
    assert kiosk.sessions.start(patient.id, "c").session_id


def test_only_the_language_with_a_newer_text_is_asked_again(kiosk, register):
    consultant_id, _ = ensure_consultant(kiosk)
    french = register("Claire", "Dubois", "1986-04-12")
    with signed_earlier(kiosk):
        sign(kiosk, french.id, consultant_id, language="fr")
    assert kiosk.consents.newer_text(french.id) is None
    assert kiosk.sessions.consent_refusal(french.id) is None


def test_a_withdrawn_or_unsigned_patient_is_asked_to_sign_not_to_re_sign(kiosk, patient, register):
    consultant_id, _ = ensure_consultant(kiosk)
    kiosk.consents.withdraw(patient.id, channel="phone", consultant_id=consultant_id, consultant_pin=COUNTERSIGN_PIN)
    assert kiosk.consents.newer_text(patient.id) is None
    assert "withdrew" in kiosk.sessions.consent_refusal(patient.id)
    unsigned = register("Nadia", "Haddad", "1990-02-03")
    assert kiosk.consents.newer_text(unsigned.id) is None
    assert "No signed consent" in kiosk.sessions.consent_refusal(unsigned.id)
