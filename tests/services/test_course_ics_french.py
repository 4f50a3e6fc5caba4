"""The calendar file in the patient's language: words, milestones and aftercare in French for a
French patient, English for anyone else, and a words file that cannot leave a line out."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from icalendar import Calendar

from meso_kiosk.resources import resources_root
from meso_kiosk.services.clinic_data import ClinicData
from tests.course_helpers import add_closed_session

ACTOR = "consultant:test"
ENGLISH_WORDS = ("session", "your", "the ", "please", "tomorrow", "around this", "results vary", "after each")


def _export(kiosk, register, tmp_path, language: str | None):
    extra = {"preferred_language": language} if language else {}
    patient = register(**extra)
    kiosk.course.start_course(patient.id, start="2026-11-04", protocol_id="severe", reason="As seen today.",
                              actor=ACTOR)
    add_closed_session(kiosk, patient.id, date(2026, 11, 4))
    target = tmp_path / f"plan-{language}.ics"
    kiosk.course.export_ics(patient.id, target, actor=ACTOR)
    return Calendar.from_ical(target.read_bytes())


def _texts(calendar: Calendar) -> list[str]:
    texts = [str(calendar["x-wr-calname"])]
    for event in calendar.walk("VEVENT"):
        texts += [str(event["summary"]), str(event["description"])]
        texts += [str(alarm["description"]) for alarm in event.walk("VALARM")]
    return texts


def test_a_french_patient_gets_the_whole_calendar_in_french(kiosk, register, tmp_path):
    calendar = _export(kiosk, register, tmp_path, "fr")
    events = list(calendar.walk("VEVENT"))
    assert str(events[0]["summary"]).startswith("Séance de mésothérapie 2 sur 12")
    assert "vos séances de traitement" in str(calendar["x-wr-calname"])
    aftercare = kiosk.course.aftercare("fr")
    assert aftercare.language == "fr"
    description = str(events[0]["description"])
    assert aftercare.title in description and aftercare.steps[1] in description
    milestone = kiosk.course.protocol("severe").milestones[0]  # around session 5
    fifth = next(event for event in events if "5 sur 12" in str(event["summary"]))
    assert milestone.text_in("fr") in str(fifth["description"]) and milestone.text not in str(fifth["description"])
    assert "Demain" in str(fifth.walk("VALARM")[0]["description"])
    for text in _texts(calendar):
        lowered = text.lower()
        assert not [word for word in ENGLISH_WORDS if word in lowered], text


@pytest.mark.parametrize("language", [None, "en", "de", "xx-YY"])
def test_other_patients_get_english(kiosk, register, tmp_path, language):
    calendar = _export(kiosk, register, tmp_path, language)
    first = next(iter(calendar.walk("VEVENT")))
    assert str(first["summary"]).startswith("Mesotherapy session 2 of 12")
    assert kiosk.course.aftercare("en").title in str(first["description"])


def test_a_regional_french_gets_french(kiosk, register, tmp_path):
    calendar = _export(kiosk, register, tmp_path, "fr-CA")
    assert str(next(iter(calendar.walk("VEVENT")))["summary"]).startswith("Séance de mésothérapie")


def test_french_aftercare_gives_the_same_advice_as_the_english(kiosk):
    english, french = kiosk.course.aftercare("en"), kiosk.course.aftercare("fr")
    assert french.language == "fr" and len(french.steps) == len(english.steps)
    assert "{clinic}" in french.contact and "Clinique" in french.contact_for("Clinique Nord")
    assert "24 à 48 heures" in french.steps[1]  # the same numbers as "24 to 48 hours"


def test_every_milestone_has_french_words():
    for protocol in ClinicData().protocols().values():
        for milestone in protocol.milestones:
            assert milestone.text_in("fr") != milestone.text, (protocol.id, milestone.at)


@pytest.mark.parametrize(("old", "new", "words"), [
    ('reminder = "Demain : séance de mésothérapie chez {clinic}"\n', "", "calendar/fr.toml: reminder: "),
    ("chez {clinic}\"\n", "\"\n", "calendar/fr.toml: reminder: must hold {clinic}"),
    ('overdue = "', 'overdue = "{number} ', "calendar/fr.toml: overdue: must hold no {placeholder}"),
    ('language = "fr"', "language = 3", "calendar/fr.toml: language: "),
    ('overdue = "', 'ovredue = "', "calendar/fr.toml: ovredue: a line the kiosk does not know"),
])
def test_a_broken_calendar_words_file_is_named_by_file_and_key(tmp_path, old, new, words):
    root = tmp_path / "resources"
    shutil.copytree(resources_root(), root)
    path = root / "calendar" / "fr.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1) if old != "chez {clinic}\"\n" else
                    text.replace('chez {clinic}"\n', '"\n', 1), encoding="utf-8")
    problems = [line for line in ClinicData(root).check_all() if line.startswith("calendar/")]
    assert len(problems) == 1 and problems[0].startswith(words), problems


@pytest.mark.parametrize(("milestone", "words"), [
    ({"anchor": "session", "at": 2, "text": "Shedding slows.", "text_fr": ""}, "milestones[1].text_fr"),
    ({"anchor": "session", "at": 2, "text": "Shedding slows.", "text_fr": 3}, "milestones[1].text_fr"),
    ({"anchor": "session", "at": 2, "text": "Shedding slows.", "text_../x": "y"}, "does not know"),
])
def test_bad_milestone_translations_are_refused(milestone, words):
    from meso_kiosk.domain.errors import ValidationError
    from meso_kiosk.domain.protocol import parse_protocols

    body = {"label": "T", "sessions": 2, "phases": [{"sessions": 2, "interval_days": 7}], "milestones": [milestone]}
    with pytest.raises(ValidationError) as caught:
        parse_protocols({"protocols": {"t": body}})
    assert words in str(caught.value.errors)


def test_a_milestone_without_the_language_the_others_have_is_refused():
    from meso_kiosk.domain.errors import ValidationError
    from meso_kiosk.domain.protocol import parse_protocols

    body = {"label": "T", "sessions": 2, "phases": [{"sessions": 2, "interval_days": 7}], "milestones": [
        {"anchor": "session", "at": 1, "text": "A.", "text_fr": "A."},
        {"anchor": "months", "at": 6, "text": "B."}]}
    with pytest.raises(ValidationError) as caught:
        parse_protocols({"protocols": {"t": body}})
    assert "protocols.t.milestones[2].text_fr" in caught.value.errors
