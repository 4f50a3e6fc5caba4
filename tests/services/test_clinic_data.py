"""One loader for the clinic's data files: each read once, every fault named by file and key,
every file checked at start-up and by self-test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from meso_kiosk.resources import resources_root
from meso_kiosk.services.clinic_data import ClinicData, ClinicDataError, check_clinic_data
from meso_kiosk.services.errors import WordedError
from meso_kiosk.services.self_test import HEADLESS_STEPS, run_self_test

SHIPPED = resources_root()
CLINIC_FILES = sorted(
    path.relative_to(SHIPPED).as_posix() for path in SHIPPED.rglob("*")
    if path.suffix in (".toml", ".json") and path.is_file()
)

# (file, text in the shipped file, its broken replacement, words the message must hold after the file name)
WRONG_TYPES = [
    ("app.toml", 'title = "Meso Kiosk"', "title = 3", "title: "),
    ("languages.toml", 'name = "Français"', "name = 4", "languages[1].name: "),
    ("intake/options.toml", 'label = "Alopecia areata (patches)"', "label = 5", "hair_loss_type 'alopecia_areata'"),
    ("screening/rules.toml", 'level = "stop"', "level = 7", "'anticoagulants' (rule 2): 'level'"),
    ("sessions/settings.toml", "warning_days = 30", 'warning_days = "30"', "lots.warning_days: "),
    ("side_effects.toml", 'label = "Bruising"', "label = 3", "side_effect[1].label: "),
    ("protocols/protocols.toml", "interval_days = 14", 'interval_days = "x"', "protocols.mild.phases[2].interval_days: "),
    ("protocols/clinic_calendar.toml", "last_day = 2027-01-01", "last_day = 5", "closures[1].last_day: "),
    ("aftercare/en.toml", 'language = "en"', "language = 3", "language: "),
    ("consent/index.toml", "en = 2", 'en = "2"', "current.en: "),
    ("consent/en/v1.toml", 'id = "course"', "id = 9", "section 2: 'id'"),
    ("consent/fr/v1.toml", "version = 1", 'version = "1"', "'version'"),
    ("scalp/zones.json", '"area_share": 0.0918', '"area_share": "big"', "frontal_hairline"),
]
MISSING_KEYS = [
    ("app.toml", 'label = "Treatment"', 'lable = "Treatment"', "steps[4].label: "),
    ("languages.toml", ', english = "French"', "", "languages[1].english: "),
    ("languages.toml", ', french = "chinois"', "", "languages[15].french: "),
    ("intake/options.toml", 'id = "alopecia_areata"\n', "", "hair_loss_type 2"),
    ("screening/rules.toml", 'field = "medical.anticoagulants"\n', "", "(rule 2): 'field'"),
    ("side_effects.toml", 'id = "bruising"\n', "", "side_effect[1].id: "),
    ("protocols/protocols.toml", 'label = "Mild thinning: 6 sessions"\n', "", "protocols.mild.label: "),
    ("protocols/clinic_calendar.toml", "first_day = 2026-12-24\n", "", "closures[1].first_day: "),
    ("aftercare/en.toml", 'intro = "After each session:"\n', "", "intro: "),
    ("consent/index.toml", "[current]", "[kurrent]", "current: "),
    ("consent/en/v1.toml", 'heading = "What usually happens during a course"\n', "", "section 'course': 'heading'"),
    ("scalp/zones.json", '"label": "Mid-scalp",', "", "mid_scalp"),
    ("demo/clinic.toml", "[clinic]", "[klinik]", "clinic: missing"),
    ("demo/intakes.toml", "\n[all_clear]", "\n[all_clean]", "all_clear: missing"),
]


@pytest.fixture
def resources(tmp_path: Path) -> Path:
    """A copy of the shipped resources, to break."""
    copy = tmp_path / "resources"
    shutil.copytree(SHIPPED, copy)
    return copy


def _replace(root: Path, name: str, old: str, new: str) -> None:
    text = (root / name).read_text(encoding="utf-8")
    assert old in text, f"{name} no longer holds {old!r}: update this test"
    (root / name).write_text(text.replace(old, new, 1), encoding="utf-8")


def _only_problem(root: Path) -> str:
    problems = ClinicData(root).check_all()
    assert len(problems) == 1, problems
    return problems[0]


def test_the_shipped_clinic_data_has_no_problem_and_every_file_is_read():
    data = ClinicData()
    assert data.check_all() == []
    assert data.files_read() == len(CLINIC_FILES)


def test_each_file_is_read_once_however_many_services_ask(kiosk, monkeypatch):
    reads: list[str] = []
    read_text = kiosk.clinic_data._read_text
    monkeypatch.setattr(kiosk.clinic_data, "_read_text", lambda name: reads.append(name) or read_text(name))
    assert kiosk.clinic_data.check_all() == []
    # The services built after the check take what it read; side_effects.toml and
    # intake/options.toml each feed two of them.
    kiosk.intake, kiosk.course, kiosk.sessions, kiosk.consents
    kiosk.consents.template_for("fr"), kiosk.course.aftercare("en"), kiosk.sessions.side_effects
    assert sorted(reads) == CLINIC_FILES


@pytest.mark.parametrize("name", CLINIC_FILES)
def test_a_syntax_error_names_the_file_line_and_column(resources, name):
    with (resources / name).open("a", encoding="utf-8") as handle:
        handle.write("\n}\n" if name.endswith(".json") else "\n= broken\n")
    problem = _only_problem(resources)
    assert problem.startswith(f"{name}: ") and "line" in problem and "column" in problem, problem


# One file per language: without a language's file its patients get the English one.
PER_LANGUAGE = tuple(name for name in CLINIC_FILES if name.split("/")[0] in ("aftercare", "calendar", "pdf")
                     and not name.endswith("/en.toml"))


@pytest.mark.parametrize("name", CLINIC_FILES)
def test_a_missing_file_is_named(resources, name):
    (resources / name).unlink()
    problems = ClinicData(resources).check_all()
    if name in PER_LANGUAGE:
        assert problems == [] and ClinicData(resources).patient_words("pdf", "fr").language in ("en", "fr")
        return
    assert problems and problems[0].startswith(f"{name}: the file is missing"), problems


@pytest.mark.parametrize(("name", "old", "new", "words"), WRONG_TYPES + MISSING_KEYS,
                         ids=[f"{m[0]}:{m[1].strip()[:20]}" for m in WRONG_TYPES + MISSING_KEYS])
def test_a_wrong_or_missing_value_names_the_file_and_the_key(resources, name, old, new, words):
    _replace(resources, name, old, new)
    problem = _only_problem(resources)
    assert problem.startswith(f"{name}: ") and words in problem, problem


def test_the_error_is_one_class_raised_by_the_service_that_needs_the_file(kiosk, resources):
    _replace(resources, "side_effects.toml", 'label = "Bruising"', "label = 3")
    kiosk.clinic_data = ClinicData(resources)
    with pytest.raises(ClinicDataError) as caught:
        kiosk.sessions.side_effects
    assert isinstance(caught.value, WordedError)  # the CLI and the window print it as one line
    assert (caught.value.name, caught.value.key) == ("side_effects.toml", "side_effect[1].label")
    with pytest.raises(ClinicDataError, match="^side_effects.toml: "):
        kiosk.consents.template_for("en")  # the consent checklist is checked against the catalogue


def test_a_consent_template_must_match_its_name_and_the_side_effects(resources):
    _replace(resources, "consent/fr/v1.toml", 'language = "fr"', 'language = "en"')
    assert "must match its name" in _only_problem(resources)
    _replace(resources, "consent/fr/v1.toml", 'language = "en"', 'language = "fr"')
    _replace(resources, "side_effects.toml", 'id = "bruising"', 'id = "bruises"')
    problems = ClinicData(resources).check_all()
    assert any(p.startswith("consent/en/v1.toml: ") and "side_effects.toml" in p for p in problems), problems


def test_every_consent_language_is_named_in_languages_toml(resources):
    _replace(resources, "languages.toml", '{ code = "fr", name = "Français", english = "French", french = "français" },\n',
             "")
    assert _only_problem(resources) == "consent/index.toml: current.fr: 'fr' is not in languages.toml"


def test_a_missing_aftercare_language_falls_back_to_english(kiosk):
    assert kiosk.course.aftercare("de").language == "en"
    assert kiosk.course.aftercare("fr").language == "fr"
    assert kiosk.clinic_data.aftercare("../etc") is None


def test_check_clinic_data_raises_the_first_problem_and_counts_the_rest(resources):
    _replace(resources, "app.toml", 'title = "Meso Kiosk"', "title = 3")
    (resources / "demo" / "sessions.toml").unlink()
    with pytest.raises(ClinicDataError, match=r"^app\.toml: title: .*\(and 1 more problem in the clinic data"):
        check_clinic_data(ClinicData(resources))
    check_clinic_data(ClinicData())  # the shipped data: no problem


def test_self_test_stops_at_a_broken_clinic_file(tmp_path, resources, monkeypatch):
    _replace(resources, "screening/rules.toml", 'level = "stop"', "level = 7")
    monkeypatch.setenv("MESO_KIOSK_RESOURCES", str(resources))
    resources_root.cache_clear()
    try:
        lines: list[str] = []
        code = run_self_test(tmp_path / "self-test", HEADLESS_STEPS[:2], out=lines.append)
    finally:
        monkeypatch.delenv("MESO_KIOSK_RESOURCES")
        resources_root.cache_clear()
    assert code == 1
    assert lines[1].startswith("FAIL  clinic data files") and "screening/rules.toml: " in lines[1], lines
    assert lines[-1].startswith("self-test FAILED at 'clinic data files': screening/rules.toml: ")


@pytest.mark.slow
def test_the_app_refuses_to_start_on_a_broken_clinic_file(tmp_path, resources):
    """The real start: one line naming the file and key on stderr, exit 1, after the first frame."""
    _replace(resources, "protocols/protocols.toml", "interval_days = 14", 'interval_days = "x"')
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "MESO_KIOSK_RESOURCES": str(resources),
                        "MESO_KIOSK_EXIT_AFTER_FIRST_PAINT": "1", "HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-m", "meso_kiosk", "--data-dir", str(tmp_path / "data")], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.startswith("meso-kiosk: ")]
    assert line.startswith("meso-kiosk: protocols/protocols.toml: protocols.mild.phases[2].interval_days: ")


def test_the_summary_pdf_says_what_the_screens_say(kiosk):
    """One vocabulary: the PDF's technique and correction words are the scalp-map step's, and a
    consent's language is named from languages.toml as the consent page names it."""
    from meso_kiosk.services.demo.seed import seed_demo

    seed_demo(kiosk)
    claire = kiosk.store.conn.execute("SELECT min(id) FROM patients").fetchone()[0]
    summary = kiosk.export.build_summary(claire)
    assert {row.technique for row in summary.sessions} == {"Chemical — syringe", "Chemical — injector gun"}
    [corrected] = [row for row in summary.sessions if row.corrections]
    assert corrected.corrections[0].changes == ("Session length (minutes): 40 → 45",)
    assert summary.consent.language == "Français (fr)"  # Claire's PDF is in French: the language in itself
    assert kiosk.consents.language_name("fr") == "French"
    assert kiosk.consents.language_name("es") == "Spanish"  # the PDF's own list stopped at French
