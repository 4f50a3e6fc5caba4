import copy
import json
import math
import tomllib
from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meso_kiosk.domain.consent import (
    ConsentKind,
    Countersignature,
    RecordStatus,
    identity_matches,
    integrity_problems,
    make_consent,
    make_withdrawal,
    record_status,
    validate_answers,
)
from meso_kiosk.domain.consent_template import (
    REQUIRED_SECTIONS,
    SCREEN_KEYS,
    BlockKind,
    TemplateError,
    check_checklist_ids,
    parse_consent_template,
    render_text,
    render_withdrawal_text,
    sha256_text,
    text_blocks,
)
from meso_kiosk.domain.signature import SignatureError, SignatureStrokes, parse_signature
from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.patient import Patient
from meso_kiosk.resources import resource_path

T0 = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)
SIDE_EFFECT_IDS = [
    "pain_pricking", "bruising", "itching", "redness", "swelling", "bumps", "rash", "scalp_sensitivity", "nausea",
    "patchy_hair_loss",
]


def raw_template(language="en"):
    return tomllib.loads(resource_path(f"consent/{language}/v1.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def en():
    return parse_consent_template(raw_template("en"))


@pytest.fixture(scope="module")
def fr():
    return parse_consent_template(raw_template("fr"))


def scribble(width=600.0, height=200.0, points=40, span=300.0):
    """A simple valid signature: one wavy line across the pad."""
    stroke = [[40 + span * i / (points - 1), 100 + 30 * math.sin(i / 3), i * 8, 0.6] for i in range(points)]
    return {"width": width, "height": height, "strokes": [stroke]}


# ------------------------------------------------------------------ templates


@pytest.mark.parametrize("language", ["en", "fr"])
def test_shipped_templates_parse_with_every_required_section(language):
    template = parse_consent_template(raw_template(language))
    assert template.language == language and template.version == 1
    assert set(REQUIRED_SECTIONS) <= {s.id for s in template.sections}
    assert [item.id for item in template.checklist] == SIDE_EFFECT_IDS
    assert [item.id for item in template.checklist if item.rare] == ["patchy_hair_loss"]
    assert all(template.label(key) for key in SCREEN_KEYS)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_shipped_checklists_match_the_side_effect_catalogue(language):
    catalogue = tomllib.loads(resource_path("side_effects.toml").read_text(encoding="utf-8"))["side_effect"]
    template = parse_consent_template(raw_template(language))
    # v1 is no longer signed today: it keeps the list its patients signed (v2 adds three risks)
    assert check_checklist_ids(template, [(e["id"], e["rare"]) for e in catalogue], current=False) == []


def test_english_text_says_what_the_issue_requires(en):
    text = render_text(en)
    for words in ["I consent to a course of scalp mesotherapy.", "ibuprofen", "one week", "asking your doctor",
                  "Minoxidil", "Finasteride", "PRP", "hair transplant", "No treatment", "at any time",
                  "photos", "cannot promise", "already bald"]:
        assert words in text, words
    assert "%" not in text and "guarantee" not in text.lower()  # no success rates, no guarantees


def test_french_text_has_its_own_meaning_and_no_promises(fr):
    text = render_text(fr)
    assert "Je consens à une cure de mésothérapie du cuir chevelu." in text
    assert "Nous ne pouvons promettre aucun résultat." in text
    assert "ibuprofène" in text and "Aucun traitement." in text
    assert "%" not in text and "garanti" not in text.lower()


def test_render_text_is_deterministic_and_hash_is_over_utf8(en, fr):
    for template in (en, fr):
        text = render_text(template)
        again = render_text(parse_consent_template(raw_template(template.language)))
        assert text == again and text.endswith("\n") and not text.endswith("\n\n")
        assert template.text_sha256 == sha256_text(text) == __import__("hashlib").sha256(text.encode()).hexdigest()
    assert en.text_sha256 != fr.text_sha256


def test_rewrapping_the_file_does_not_change_the_text(en):
    raw = raw_template("en")
    section = next(s for s in raw["section"] if s["id"] == "treatment")
    section["body"] = section["body"].replace(" ", "\n", 5)
    assert render_text(parse_consent_template(raw)) == render_text(en)


def test_any_wording_change_changes_the_hash(en):
    raw = raw_template("en")
    raw["section"][0]["body"] = raw["section"][0]["body"].replace("thinning hair", "thin hair")
    assert parse_consent_template(raw).text_sha256 != en.text_sha256


def test_blocks_give_every_checklist_item_and_the_photo_choices(en):
    blocks = text_blocks(en)
    assert blocks[0].kind is BlockKind.TITLE
    items = [b.item_id for b in blocks if b.kind is BlockKind.CHECKLIST_ITEM]
    assert items == SIDE_EFFECT_IDS
    assert [b.item_id for b in blocks if b.kind is BlockKind.CHOICE] == ["yes", "no"]
    assert blocks[-1].kind is BlockKind.MEANING and blocks[-1].text == en.meaning
    # Every block's words are in the hashed text.
    text = render_text(en)
    assert all(b.text in text for b in blocks)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda r: r.pop("language"), "language"),
        (lambda r: r.update(version="1"), "version"),
        (lambda r: r.update(version=True), "version"),
        (lambda r: r.update(meaning="   "), "meaning"),
        (lambda r: r.update(section=[s for s in r["section"] if s["id"] != "alternatives"]), "alternatives"),
        (lambda r: r["section"].append(copy.deepcopy(r["section"][0])), "twice"),
        (lambda r: r["section"][2]["item"].append(dict(r["section"][2]["item"][0])), "twice"),
        (lambda r: r["section"][2]["item"][0].update(id="Pain Pricking"), "id"),
        (lambda r: r["section"][2]["item"][0].update(rare="no"), "rare"),
        (lambda r: r["section"][2].pop("item"), "item"),
        (lambda r: next(s for s in r["section"] if s["id"] == "photos").pop("question"), "question"),
        (lambda r: r["screen"].pop("sign_button"), "sign_button"),
        (lambda r: r.pop("withdrawal"), "withdrawal"),
        (lambda r: r.update(title="Consent\x00"), "control"),
    ],
)
def test_broken_templates_are_refused_naming_the_field(change, words):
    raw = raw_template("en")
    change(raw)
    with pytest.raises(TemplateError, match=words):
        parse_consent_template(raw)


def test_checklist_catalogue_mismatch_is_reported(en):
    catalogue = [(i, i == "patchy_hair_loss") for i in SIDE_EFFECT_IDS if i != "rash"] + [("headache", False)]
    problems = check_checklist_ids(en, catalogue)
    assert any("'rash'" in p for p in problems) and any("headache" in p for p in problems)
    wrong_rarity = [(i, False) for i in SIDE_EFFECT_IDS]
    assert check_checklist_ids(en, wrong_rarity) == [
        "checklist item 'patchy_hair_loss' is rare here but not in the side-effect list"]


# ------------------------------------------------------------------ answers


def all_ticked():
    return {item_id: True for item_id in SIDE_EFFECT_IDS}


def test_answers_with_every_item_ticked_are_accepted(en):
    answers = validate_answers(en, all_ticked(), False, "  Can I swim?  ")
    assert answers.acknowledged == tuple(SIDE_EFFECT_IDS)
    assert answers.photo_consent is False and answers.question_for_consultant == "Can I swim?"
    assert json.loads(answers.checklist_json()) == {"checklist": all_ticked(), "reached_end": True}


@pytest.mark.parametrize("missing", SIDE_EFFECT_IDS)
def test_each_item_must_be_acknowledged_on_its_own(en, missing):
    ticks = all_ticked()
    del ticks[missing]
    with pytest.raises(ValidationError) as caught:
        validate_answers(en, ticks, True)
    assert list(caught.value.errors) == [f"checklist.{missing}"]


@pytest.mark.parametrize("value", [False, None, "yes", 1, "true", [True]])
def test_only_true_counts_as_acknowledged(en, value):
    ticks = all_ticked() | {"nausea": value}
    with pytest.raises(ValidationError) as caught:
        validate_answers(en, ticks, True)
    assert "checklist.nausea" in caught.value.errors


@pytest.mark.parametrize("photo", [None, "yes", 1, 0, ""])
def test_photo_answer_must_be_an_explicit_yes_or_no(en, photo):
    with pytest.raises(ValidationError) as caught:
        validate_answers(en, all_ticked(), photo)
    assert list(caught.value.errors) == ["photo_consent"]


def test_all_problems_are_reported_at_once(en):
    with pytest.raises(ValidationError) as caught:
        validate_answers(en, {"made_up": True}, None, "x" * 1001, reached_end=False)
    errors = caught.value.errors
    assert {"photo_consent", "question", "reached_end", "checklist"} <= set(errors)
    assert sum(key.startswith("checklist.") for key in errors) == len(SIDE_EFFECT_IDS)


def test_hostile_answer_input_never_crashes(en):
    for checklist in (None, [], "all", {1: True}, {"💥": True}):
        with pytest.raises(ValidationError):
            validate_answers(en, checklist, True)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        validate_answers(en, all_ticked(), True, "bad\x1b[31m")


# ------------------------------------------------------------------ signature


def test_a_normal_signature_is_accepted_and_hashed_stably():
    signature = parse_signature(scribble())
    assert signature.point_count == 40 and len(signature.strokes) == 1
    again = SignatureStrokes.from_json(signature.canonical_json())
    assert again == signature and again.sha256 == signature.sha256
    assert parse_signature(json.dumps(scribble())).sha256 == signature.sha256
    assert len(signature.sha256) == 64


def test_canonical_json_is_compact_sorted_and_keeps_pressure_and_time():
    data = json.loads(parse_signature(scribble()).canonical_json())
    assert set(data) == {"format", "width", "height", "strokes"}
    first = data["strokes"][0][0]
    assert first == [40.0, 100.0, 0, 0.6]


def test_missing_pressure_is_stored_as_a_half_and_outside_points_go_to_the_edge():
    raw = scribble()
    raw["strokes"][0][0] = [-15, 250, 0]
    raw["strokes"][0][1] = [45, 101, 8, None]
    signature = parse_signature(raw)
    assert signature.strokes[0][0].x == 0.0 and signature.strokes[0][0].y == 200.0
    assert signature.strokes[0][0].pressure == 0.5 and signature.strokes[0][1].pressure == 0.5


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({"width": 600, "height": 200, "strokes": []}, "empty"),
        ({"width": 600, "height": 200}, "empty"),
        ({"width": 600, "height": 200, "strokes": [[]]}, "empty"),
        ({"width": 600, "height": 200, "strokes": [[[100, 100, 0, 0.5]]]}, "too_small"),  # a tap
        (scribble(points=8), "too_small"),        # too few points
        ({"width": 600, "height": 200,                # a tiny squiggle: lots of ink in 20 px
          "strokes": [[[100 + i * 0.5, 100 + (i % 2) * 3, i * 8, 0.5] for i in range(40)]]}, "too_small"),
        ({"width": 600, "height": 200, "strokes": [[[100, 100, i, 0.5] for i in range(50)]]}, "too_small"),
        ({"width": 600, "height": 200, "strokes": [[[1, 1, 0]] for _ in range(101)]}, "too_big"),
        ({"width": 600, "height": 200, "strokes": [[[i % 600, 50, i, 0.5] for i in range(20_001)]]}, "too_big"),
        ({"width": 0, "height": 200, "strokes": []}, "invalid"),
        ({"width": 600, "height": float("nan"), "strokes": []}, "invalid"),
        ({"width": 600, "height": 200, "strokes": [[[1, float("inf"), 0, 0.5]]]}, "invalid"),
        ({"width": 600, "height": 200, "strokes": [[[1, 1, -5, 0.5]]]}, "invalid"),
        ({"width": 600, "height": 200, "strokes": [[[1, 1, 10, 0.5], [2, 2, 5, 0.5]]]}, "invalid"),
        ({"width": 600, "height": 200, "strokes": "lines"}, "invalid"),
        ({"width": 600, "height": 200, "strokes": [[["1", 1, 0, 0.5]]]}, "invalid"),
        ({"width": 600, "height": 200, "strokes": [[[True, 1, 0, 0.5]]]}, "invalid"),
        ("{not json", "invalid"),
        (None, "invalid"),
        ("[" * 5000, "invalid"),
    ],
)
def test_bad_signatures_are_refused_with_a_code_and_a_friendly_message(raw, code):
    with pytest.raises(SignatureError) as caught:
        parse_signature(raw)
    assert caught.value.code == code
    assert caught.value.field == "signature"
    assert "Traceback" not in caught.value.errors["signature"]


_coordinate = st.floats(min_value=-50, max_value=700, allow_nan=False)
_stroke = st.lists(st.tuples(_coordinate, _coordinate, st.floats(0, 1)), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.lists(_stroke, min_size=1, max_size=6))
def test_any_signature_that_is_accepted_round_trips_to_the_same_hash(strokes):
    raw = {"width": 600, "height": 200,
           "strokes": [[[x, y, 10 * (s * 100 + i), p] for i, (x, y, p) in enumerate(stroke)]
                       for s, stroke in enumerate(strokes)]}
    try:
        signature = parse_signature(raw)
    except SignatureError as error:
        assert error.code in ("too_small", "empty")
        return
    again = SignatureStrokes.from_json(signature.canonical_json())
    assert again.canonical_json() == signature.canonical_json()
    box = signature.bounding_box()
    assert 0 <= box[0] <= box[2] <= 600 and 0 <= box[1] <= box[3] <= 200


# ------------------------------------------------------------------ records


def countersignature():
    return Countersignature(2, "Sam Okafor", T0)


def test_a_consent_record_carries_the_exact_text_and_both_hashes(en):
    answers = validate_answers(en, all_ticked(), True)
    signature = parse_signature(scribble())
    record = make_consent(en, answers, patient_id=7, printed_name="  Claire   Dubois ", signature=signature,
                          countersignature=countersignature(), signed_at=T0, device_id="tablet-1")
    assert record.kind is ConsentKind.CONSENT and record.text == render_text(en)
    assert record.text_sha256 == en.text_sha256 and record.meaning == en.meaning
    assert record.printed_name == "Claire Dubois" and record.patient_signature_sha256 == signature.sha256
    assert record.photo_consent is True
    assert integrity_problems(record) == []
    from dataclasses import replace
    assert integrity_problems(replace(record, text=record.text + " ")) == [
        "the consent text does not match its SHA-256"]
    with pytest.raises(ValueError):
        make_consent(en, answers, patient_id=7, printed_name="C", signature=signature,
                     countersignature=countersignature(), signed_at=datetime(2026, 1, 1), device_id="t")


def test_a_withdrawal_by_phone_needs_no_signature_but_in_person_does(en):
    record = make_withdrawal(en, patient_id=7, printed_name="Claire Dubois", withdraws_id=3, channel="phone",
                             countersignature=countersignature(), signed_at=T0, device_id="t", reason="Moving away.")
    assert record.kind is ConsentKind.WITHDRAWAL and record.supersedes_id == 3
    assert record.text == render_withdrawal_text(en) and record.meaning == en.withdrawal.meaning
    assert record.withdrawal_reason == "Moving away." and integrity_problems(record) == []
    with pytest.raises(SignatureError):
        make_withdrawal(en, patient_id=7, printed_name="C D", withdraws_id=3, channel="in_person",
                        countersignature=countersignature(), signed_at=T0, device_id="t")
    with pytest.raises(ValidationError, match="channel"):
        make_withdrawal(en, patient_id=7, printed_name="C D", withdraws_id=3, channel="pigeon",
                        countersignature=countersignature(), signed_at=T0, device_id="t")


def test_record_status_follows_the_chain(en):
    answers = validate_answers(en, all_ticked(), True)
    consent = make_consent(en, answers, patient_id=7, printed_name="C D", signature=parse_signature(scribble()),
                           countersignature=countersignature(), signed_at=T0, device_id="t")
    withdrawal = make_withdrawal(en, patient_id=7, printed_name="C D", withdraws_id=1, channel="phone",
                                 countersignature=countersignature(), signed_at=T0, device_id="t")
    assert record_status(consent, None) is RecordStatus.CURRENT
    assert record_status(consent, consent) is RecordStatus.SUPERSEDED
    assert record_status(consent, withdrawal) is RecordStatus.WITHDRAWN
    assert record_status(withdrawal, None) is RecordStatus.WITHDRAWAL
    assert record_status(withdrawal, consent) is RecordStatus.WITHDRAWAL_ENDED


# ------------------------------------------------------------------ hand-off identity


@pytest.mark.parametrize(
    ("given_name", "family", "born", "typed", "dob"),
    [
        ("Claire", "Dubois", "1986-04-12", "claire dubois", "1986-04-12"),
        ("Claire", "Dubois", "1986-04-12", "  DUBOIS   Claire ", "12/04/1986"),
        ("José", "García Müller", "1991-01-05", "jose garcia muller", "05.01.1991"),
        ("Siobhán", "O'Brien", "1983-03-17", "Siobhan OBrien", date(1983, 3, 17)),
        ("Anne-Marie", "Lefèvre", "1958-12-24", "anne marie lefevre", "1958-12-24"),
        ("Ελένη", "Παπαδοπούλου", "1975-06-21", "ελενη παπαδοπουλου", "1975-06-21"),
        ("Дмитрий", "Соколов", "1988-02-14", "СОКОЛОВ ДМИТРИЙ", "14/02/1988"),
        ("小明", "王", "1993-08-08", "王小明", "1993-08-08"),
        ("さくら", "山田", "1990-04-01", "山田 さくら", "1990-04-01"),
        ("فاطمة", "الحسيني", "1985-12-09", "فاطمة الحسيني", "1985-12-09"),
        ("נועה", "כהן", "1996-07-19", "נועה כהן", "1996-07-19"),
        ("Nguyễn", "Thị Hương", "1992-03-03", "nguyen thi huong", "1992-03-03"),
        ("Łukasz", "Wróblewski", "1977-01-28", "łukasz wroblewski", "1977-01-28"),
    ],
)
def test_identity_matches_in_many_scripts(given_name, family, born, typed, dob):
    patient = Patient(given_name, family, date.fromisoformat(born))
    assert identity_matches(patient, typed, dob)


@pytest.mark.parametrize(
    ("typed", "dob"),
    [
        ("Claire Dubois", "1986-04-13"),       # one day off
        ("Claire Dubois", "04/12/1986"),       # month-first is another day
        ("Claire Duboiss", "1986-04-12"),
        ("Claire", "1986-04-12"),
        ("", "1986-04-12"),
        ("   ", "1986-04-12"),
        (None, "1986-04-12"),
        ("Claire Dubois", None),
        ("Claire Dubois", ""),
        ("Claire Dubois", "not a date"),
        ("Claire Dubois", datetime(1986, 4, 12, 0, 0)),
        ("Claire Dubois' OR 1=1 --", "1986-04-12"),
        ("Claire Dubois" * 100, "1986-04-12"),
        ("Claire Dubois", "1986-04-12" * 10),
    ],
)
def test_identity_mismatches(typed, dob):
    patient = Patient("Claire", "Dubois", date(1986, 4, 12))
    assert not identity_matches(patient, typed, dob)


@given(st.text(max_size=60), st.one_of(st.none(), st.text(max_size=20), st.dates()))
def test_identity_check_never_crashes(typed, dob):
    patient = Patient("Ελένη", "Παπαδοπούλου", date(1975, 6, 21))
    assert identity_matches(patient, typed, dob) in (True, False)
