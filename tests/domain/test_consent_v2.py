"""Consent version 2 (issue 23, point 1): what the review found missing is said, in plain words,
filled with the clinic's facts, and still checkable against its file.

The text measured and searched is the whole signed text as a patient sees it: the shipped
template, its checklist words from side_effects.toml, filled with the demo clinic's facts.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import pytest
import textstat

from meso_kiosk.domain.consent_clinic import ClinicFacts
from meso_kiosk.domain.consent_template import BlockKind, is_text_of, render_text, text_blocks
from meso_kiosk.services.clinic_data import ClinicData, ClinicDataError
from tests.resource_copies import copy, edit  # noqa: F401 (copy is a fixture)

DATA = ClinicData()
SETTINGS = DATA.demo_clinic_settings()
# The demo clinic as a first-time patient on the moderate protocol reads it, treated by its dermatologist,
# after the consultant went ahead despite a blood thinner and a stop the template does not word.
DEMO = ClinicFacts(
    price=SETTINGS.price_per_session("moderate"), currency=SETTINGS.currency, sessions=8,
    practitioner="Dr Amélie Laurent", profession="Dermatologist", registration="RPPS 10001234567",
    phone=SETTINGS.phone, cooling_off_hours=SETTINGS.cooling_off_hours,
    overridden_stops=("anticoagulants", "a_rule_added_later"),
)
PHONE = "+33\u00a01\u00a099\u00a000\u00a042\u00a017"  # the demo's "+33 1 99 00 42 17", kept on one line


def v2(language: str):
    return DATA.consent_template(language, 2)


def shown(language: str, facts: ClinicFacts | None = DEMO) -> str:
    return render_text(v2(language).with_clinic(facts))


def test_version_2_is_signed_today_and_version_1_is_unchanged():
    assert DATA.consent_versions() == {"en": 2, "fr": 2}
    # v1 as patients signed it (the texts the v1 tests and stored records hash)
    for language in ("en", "fr"):
        text = render_text(DATA.consent_template(language, 1))
        assert "between 4 and 10 sessions" in text or "entre 4 et 10 séances" in text
        assert "What we know" not in text and "Ce que l'on sait" not in text


def test_english_reads_at_grade_8_or_below():
    text = shown("en")
    textstat.set_lang("en")
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= 8, grade
    # each section on its own too: no hard part hides behind easy ones
    for section in v2("en").sections:
        words = " ".join(b.text for b in text_blocks(v2("en").with_clinic(DEMO)) if b.section_id == section.id)
        assert textstat.flesch_kincaid_grade(words) <= 8, section.id


def test_french_reads_as_easily():
    textstat.set_lang("fr")
    try:
        ease = textstat.flesch_reading_ease(shown("fr"))
    finally:
        textstat.set_lang("en")
    assert ease >= 60, ease  # Kandel–Moles: 60 and above is plain French


@pytest.mark.parametrize(("language", "needed"), [
    ("en", [
        "not been enough research", "does not cure",                              # limited evidence, no cure
        "minoxidil", "finasteride", "buflomedil", "A doctor must prescribe", "their own risks",
        "dizzy", "germs", "allergic", "keloid",                                   # the risks of any injection
        "6, 8 or 12 sessions", "once a week", "top-up sessions", "every 3 to 6 months",
        "180.00\u00a0EUR", "1,440.00\u00a0EUR",                                   # the price, the course's total
        "Dr Amélie Laurent, Dermatologist, registration RPPS 10001234567",        # who treats, their profession
        f"call us at {PHONE}", "fever, spreading redness",                         # urgent contact
        "We will wait at least 24 hours before your first session",              # time to think
        "you take a medicine that thins the blood and one of your answers about your health",
        "What the treatment is", "Other choices", "You can change your mind", "We cannot promise any result",
        "already bald", "No treatment at all", "at any time",
    ]),
    ("fr", [
        "pas été assez étudié", "ne guérit pas",
        "minoxidil", "finastéride", "buflomédil", "ordonnance", "leurs propres risques",
        "vertiges", "microbes", "allergique", "chéloïde",
        "6, 8 ou 12 séances", "une fois par semaine", "séances d'entretien", "tous les 3 à 6 mois",
        "180,00\u00a0EUR", "1\u00a0440,00\u00a0EUR",
        "Dr Amélie Laurent, Dermatologist, numéro d'inscription RPPS 10001234567",
        f"appelez-nous tout de suite au {PHONE}", "fièvre, une rougeur qui s'étend",
        "Nous attendrons au moins 24 heures avant votre première séance",
        "vous prenez un médicament qui fluidifie le sang et une de vos réponses sur votre santé",
        "En quoi consiste le traitement", "Les autres possibilités", "Vous pouvez changer d'avis",
        "Nous ne pouvons promettre aucun résultat", "déjà chauve", "Aucun traitement", "à tout moment",
    ]),
])
def test_every_point_of_the_review_is_in_the_filled_text(language, needed):
    text = shown(language)
    missing = [words for words in needed if words not in text]
    assert not missing


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_course_length_or_result_that_the_protocols_and_sources_do_not_support(language):
    text = shown(language).lower()
    for wrong in ("4 to 10", "4 and 10", "4 et 10", "usually takes", "demande en général", "guarantee", "garanti",
                  "%"):
        assert wrong not in text, wrong
    # the course lengths said are the protocols' own
    counts = sorted(protocol.sessions for protocol in DATA.protocols().values())
    assert counts == [6, 8, 12] and "6, 8" in text and "12" in text


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("facts", [
    None, ClinicFacts(), DEMO,
    replace(DEMO, price=None, phone=None, cooling_off_hours=None, overridden_stops=()),
    replace(DEMO, practitioner=None, profession=None, registration=None, cooling_off_hours=0),
    replace(DEMO, phone="  ", cooling_off_hours=1, overridden_stops=("pregnant_or_breastfeeding",)),
    replace(DEMO, cooling_off_hours=72),
], ids=["no facts", "empty facts", "demo", "no price/phone/wait", "no one named, no wait", "blank phone, 1 h",
        "3 days"])
def test_every_placeholder_is_filled_and_the_text_checks_out(language, facts):
    text = shown(language, facts)
    assert not re.search(r"\{[a-z_]+\}", text), text
    assert is_text_of(v2(language), text)
    # anything else is not the file's text
    assert not is_text_of(v2(language), text.replace("\n\n", "\n\nAnd we promise results.\n\n", 1))


@pytest.mark.parametrize(("facts", "en", "fr"), [
    (replace(DEMO, phone=None), "call the clinic straight away", "appelez la clinique tout de suite"),
    (replace(DEMO, cooling_off_hours=0), "If you are sure, you may have your first session today.",
     "Si votre choix est fait, votre première séance peut avoir lieu aujourd'hui."),
    (replace(DEMO, cooling_off_hours=1), "at least 1 hour before", "au moins 1 heure avant"),
    (replace(DEMO, cooling_off_hours=48), "at least 2 days before", "au moins 2 jours avant"),
    (replace(DEMO, cooling_off_hours=36), "at least 36 hours before", "au moins 36 heures avant"),
    (replace(DEMO, overridden_stops=("pregnant_or_breastfeeding",)),
     "talked this through with you: you are pregnant or breastfeeding. You agreed to go ahead.",
     "parlé avec vous : vous êtes enceinte ou vous allaitez. Vous avez choisi de continuer."),
    (replace(DEMO, overridden_stops=("anticoagulants", "bleeding_disorder", "x", "y")),
     "thins the blood, you have a problem with bleeding or blood clotting and one of your answers",
     "fluidifie le sang, vous avez un problème de saignement ou de coagulation et une de vos réponses"),
])
def test_each_fact_picks_its_own_words(facts, en, fr):
    assert en in shown("en", facts) and fr in shown("fr", facts)


def test_without_facts_nothing_personal_is_said_but_urgent_help_still_is():
    text = shown("en", None)
    assert "call the clinic straight away" in text
    for absent in ("EUR", "session costs", "We will wait", "decide today", "talked this through", "registration"):
        assert absent not in text, absent


def test_the_new_sentences_sit_in_their_sections():
    blocks = text_blocks(v2("en").with_clinic(DEMO))
    where = {b.text.split(":")[0].split(",")[0]: b.section_id for b in blocks if b.kind is BlockKind.PARAGRAPH}
    assert where["Your consultant has talked this through with you"] == "before"
    assert where["If you have a fever"] == "aftercare"
    assert where["You do not have to decide today. We will wait at least 24 hours before your first session"] \
        == "alternatives"
    headings = [b.text for b in blocks if b.kind is BlockKind.HEADING]
    assert headings.index("What it costs, and who treats you") == headings.index("What a course looks like") + 1


def test_hostile_facts_are_printed_as_typed_on_one_line():
    facts = replace(DEMO, phone="{phone}\n+33 1", practitioner="Dr {name} (.*)")
    text = shown("en", facts)
    assert "call us at {phone}\u00a0+33\u00a01 straight away" in text and "Dr {name} (.*)," in text
    assert is_text_of(v2("en"), text)


# ------------------------------------------------------------------ start-up checks of the new words


@pytest.mark.parametrize(("name", "old", "new", "key"), [
    ("consent/en/v2.toml", "call us at {phone} straight", "call us straight", "clinic.urgent"),
    ("consent/fr/v2.toml", "au moins {cooling_off} avant", "au moins {hours} avant", "clinic.cooling_off"),
    ("consent/en/v2.toml", 'hours = "{count} hours"\n', "", "clinic.hours"),
    ("consent/en/v2.toml", 'and = "and"\n', 'and = ""\n', "clinic.and"),
    ("consent/en/v2.toml", 'anticoagulants = "you take', 'Anti-Coagulants = "you take',
     "clinic.stops.Anti-Coagulants"),
    ("consent/en/v2.toml", 'anticoagulants = "you take a medicine that thins the blood"',
     'anticoagulants = "you take {stops}"', "clinic.stops.anticoagulants"),
    ("consent/en/v2.toml", 'other_stop = "one of your answers about your health"\n', "", "clinic.other_stop"),
])
def test_a_broken_new_sentence_is_named_by_file_and_key(copy, name, old, new, key):
    edit(copy, name, old, new)
    problems = ClinicData(root=copy).check_all()
    assert any(p.startswith(f"{name}: {key}: ") for p in problems), problems


def test_the_version_signed_today_must_say_all_three(copy):
    """A clinic cannot publish a v3 without the urgent contact, time to think or overridden stops."""
    text = (copy / "consent/en/v2.toml").read_text(encoding="utf-8")
    start = text.index("overridden_stops = ")
    end = text.index("[clinic.stops]")
    kept = text[:start] + "\n".join(line for line in text[start:end].splitlines()
                                    if not line.startswith(("urgent", "overridden_stops", "other_stop", "and ")))
    (copy / "consent/en/v2.toml").write_text(kept + "\n", encoding="utf-8")
    problems = ClinicData(root=copy).check_all()
    assert any(p.startswith("consent/en/v2.toml: clinic.") for p in problems), problems
    with pytest.raises(ClinicDataError):
        ClinicData(root=copy).consent_template("en", 2)


def test_an_old_version_may_lack_them_and_a_side_effect_it_never_listed():
    """v1 has neither the new [clinic] sentences nor the three new risks: it still reads as signed."""
    problems = DATA.check_all()
    assert not [p for p in problems if p.startswith("consent/")], problems
    assert len(DATA.consent_template("en", 1).checklist) == 10


def test_a_price_of_zero_or_no_currency_says_no_price():
    for facts in (replace(DEMO, price=Decimal("0")), replace(DEMO, currency=None)):
        assert "session costs" not in shown("en", facts) and "What it costs" in shown("en", facts)
