"""One side-effect catalogue (issue 23, point 2): the consent's checklist and the session page's list
both come from resources/side_effects.toml, so they cannot drift apart.

Through the kiosk's own services, as the hand-off and the session page read them.
"""

from __future__ import annotations


import pytest

from meso_kiosk.domain.consent_template import BlockKind, is_text_of, text_blocks
from meso_kiosk.domain.session_settings import parse_side_effects
from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.services.clinic_data import ClinicData
from meso_kiosk.services.demo.signature import synthetic_signature
from tests.conftest import COUNTERSIGN_PIN
from tests.resource_copies import copy, edit  # noqa: F401 (copy is a fixture)

NEW_RISKS = ["infection", "allergic_reaction", "keloid_scarring"]


@pytest.fixture
def doctor(kiosk):
    return kiosk.accounts.create_first_admin("Dr Amélie Laurent", COUNTERSIGN_PIN)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_consent_checklist_and_the_session_list_are_the_same_ids_in_the_same_order(kiosk, register, language):
    patient = register("Claire", "Dubois")
    template = kiosk.consents.template_for(language, patient_id=patient.id)
    session_list = [effect.id for effect in kiosk.sessions.side_effects]
    assert [item.id for item in template.checklist] == session_list
    # what the hand-off draws, tick by tick
    ticks = [b.item_id for b in text_blocks(template) if b.kind is BlockKind.CHECKLIST_ITEM]
    assert ticks == session_list and set(NEW_RISKS) <= set(ticks)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_patient_reads_the_catalogues_words_in_their_language(kiosk, language):
    template = kiosk.consents.template_for(language)
    words = {effect.id: effect.wording(language) for effect in kiosk.clinic_data.side_effects()}
    assert {item.id: item.text for item in template.checklist} == words
    assert all(words.values())
    rare = [item.id for item in template.checklist if item.rare]
    assert rare == ["patchy_hair_loss", *NEW_RISKS]


def test_every_item_has_a_label_and_english_and_french_words():
    for effect in ClinicData().side_effects():
        assert effect.label and effect.wording("en") == effect.patient_wording and effect.wording("fr")
        assert effect.wording("fr") != effect.wording("en")
        assert effect.wording("de") is None


def test_a_signed_version_2_consent_verifies_and_old_version_1_records_still_do(kiosk, register, doctor):
    patient = register("Claire", "Dubois")
    for version in (1, 2):
        template = kiosk.consents.template("en", version)
        record = kiosk.consents.sign(
            patient.id, language="en", version=version, shown_text_sha256=template.text_sha256,
            checklist={item.id: True for item in template.checklist}, photo_consent=False,
            signature=synthetic_signature(str(patient.id)).to_data(), consultant_id=doctor.id,
            consultant_pin=COUNTERSIGN_PIN)
        assert record.template_version == version and kiosk.consents.verify(record) == []
        assert len(record.answers.acknowledged) == (10 if version == 1 else 13)


def test_rewording_an_item_changes_what_later_patients_read_but_not_what_was_signed(kiosk, register, doctor, copy):
    patient = register("Claire", "Dubois")
    template = kiosk.consents.template_for("en", patient_id=patient.id, treated_by=doctor.id)
    record = kiosk.consents.sign(
        patient.id, language="en", version=2, shown_text_sha256=template.text_sha256,
        checklist={item.id: True for item in template.checklist}, photo_consent=False,
        signature=synthetic_signature(str(patient.id)).to_data(), consultant_id=doctor.id,
        consultant_pin=COUNTERSIGN_PIN, treated_by=doctor.id)
    edit(copy, "side_effects.toml", "They usually fade within about a week.", "They fade within a week or two.")
    reworded = ClinicData(root=copy)
    assert not [p for p in reworded.check_all() if p.startswith(("consent/", "side_effects"))]
    later = reworded.consent_template("en", 2)
    assert "They fade within a week or two." in later.section("side_effects").items[1].text
    # the record keeps its words, and still reads as this file's text
    assert "They usually fade within about a week." in record.text
    assert is_text_of(later, record.text)
    # but not with a checklist line added or taken away
    assert not is_text_of(later, record.text.replace("[ ] ", "[ ] Extra.\n[ ] ", 1))


def test_a_new_side_effect_must_be_in_the_version_signed_today(copy):
    text = (copy / "side_effects.toml").read_text(encoding="utf-8")
    (copy / "side_effects.toml").write_text(text + '''
[[side_effect]]
id = "headache"
label = "Headache"
patient_wording.en = "You may have a headache after the session."
patient_wording.fr = "Vous pouvez avoir mal à la tête après la séance."
rare = false
''', encoding="utf-8")
    problems = ClinicData(root=copy).check_all()
    assert any(p.startswith("consent/en/v2.toml: ") and "'headache' is missing" in p for p in problems), problems
    assert not any(p.startswith("consent/en/v1.toml") for p in problems), problems  # v1 keeps its list


@pytest.mark.parametrize(("old", "new", "where"), [
    ('patient_wording.fr = "Des plaques rouges', 'patient_wording.de = "Des plaques rouges',
     "consent/fr/v2.toml: section 'side_effects': side effect 'rash' has no patient wording"),
    ('patient_wording.en = "A rash can appear', 'patient_wording.xx_yy = "A rash can appear',
     "side_effects.toml: side_effect[6].patient_wording.xx_yy: "),
    ('patient_wording.en = "A rash can appear', 'patient_wording.fr_ = "A rash can appear',
     "side_effects.toml: side_effect[6].patient_wording"),
    ('patient_wording.en = "A rash can appear on the treated skin. Tell us if it does not go away."',
     'patient_wording.en = """A rash\ncan appear."""', "side_effects.toml: side_effect[6].patient_wording.en: "),
    ('items = [\n  "pain_pricking",', 'items = [\n  "pain_pricking", "sunburn",',
     "consent/en/v2.toml: section 'side_effects': 'sunburn' in 'items' is not in the side-effect list"),
    ('items = [\n  "pain_pricking",', 'items = [\n  "pain_pricking", "pain_pricking",',
     "consent/en/v2.toml: section 'side_effects': the id 'pain_pricking' appears twice"),
    ('items = [\n  "pain_pricking",', 'items = [\n  3,', "consent/en/v2.toml: section 'side_effects': 'items' must"),
])
def test_a_broken_catalogue_or_checklist_is_named_at_start_up(copy, old, new, where):
    name = "consent/en/v2.toml" if "items" in old else "side_effects.toml"
    edit(copy, name, old, new)
    problems = ClinicData(root=copy).check_all()
    assert any(p.startswith(where) for p in problems), problems


def test_the_old_one_line_form_is_english_only():
    [effect] = parse_side_effects({"side_effect": [{"id": "rash", "label": "Rash", "patient_wording": " A rash. "}]})
    assert effect.patient_wording == "A rash." and effect.wording("en") == "A rash." and effect.wording("fr") is None
    with pytest.raises(ValidationError) as raised:
        parse_side_effects({"side_effect": [{"id": "rash", "label": "Rash",
                                             "patient_wording": {"fr": "Des boutons."}}]})
    assert "side_effect[0].patient_wording.en" in raised.value.errors
