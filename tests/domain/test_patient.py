from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.patient import validate_patient

TODAY = date(2026, 11, 22)
VALID = {"given_name": "Claire", "family_name": "Dubois", "date_of_birth": "1986-04-12"}


def errors_for(**changes) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        validate_patient(VALID | changes, today=TODAY)
    return caught.value.errors


@pytest.mark.parametrize(
    "given_name, family_name",
    [("José", "García Müller"), ("Ελένη", "Παπαδοπούλου"), ("小明", "王"), ("さくら", "山田"), ("فاطمة", "الحسيني"),
     ("נועה", "כהן"), ("Siobhán", "O'Brien"), ("Anne-Marie", "Lefèvre"), ("민준", "김"), ("प्रिया", "शर्मा"),
     ("Ngũgĩ", "wa Thiong'o"), ("Kʻiliʻi", "Kahaleʻole")],
)
def test_names_in_every_script_are_accepted(given_name, family_name):
    patient = validate_patient(VALID | {"given_name": given_name, "family_name": family_name}, today=TODAY)
    assert (patient.given_name, patient.family_name) == (given_name, family_name)


def test_names_are_trimmed_and_spaces_folded():
    patient = validate_patient(VALID | {"given_name": "  Anne   Marie ", "family_name": "\tDubois "}, today=TODAY)
    assert (patient.given_name, patient.family_name) == ("Anne Marie", "Dubois")


def test_every_missing_required_field_is_named_at_once():
    errors = errors_for(given_name="", family_name="   ", date_of_birth="")
    assert set(errors) == {"given_name", "family_name", "date_of_birth"}
    assert errors["given_name"] == "Please enter the given name."


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"date_of_birth": "2027-01-01"}, "date_of_birth", "future"),
        ({"date_of_birth": "1890-01-01"}, "date_of_birth", "older than 120"),
        ({"date_of_birth": "1986-02-30"}, "date_of_birth", "real date"),
        ({"date_of_birth": "yesterday"}, "date_of_birth", "real date"),
        ({"given_name": "R2D2"}, "given_name", "letters"),
        ({"family_name": "Robert'); DROP TABLE patients;--"}, "family_name", "letters"),
        ({"given_name": "Ann\x00e"}, "given_name", "control character"),
        ({"given_name": "x" * 101}, "given_name", "too long"),
        ({"given_name": "😀"}, "given_name", "letters"),
        ({"family_name": "---"}, "family_name", "at least one letter"),
        ({"phone": "call me"}, "phone", "digits"),
        ({"phone": "+1" + "2" * 40}, "phone", "too long"),
        ({"email": "not-an-email"}, "email", "name@example.com"),
        ({"sex_at_birth": "robot"}, "sex_at_birth", "female, male or intersex"),
        ({"preferred_language": "'; --"}, "preferred_language", "from the list"),
        ({"given_name": 42}, "given_name", "must be text"),
    ],
)
def test_bad_values_are_named_with_a_plain_message(changes, field, words):
    errors = errors_for(**changes)
    assert list(errors) == [field]
    assert words in errors[field]


def test_age_limit_boundaries():
    assert validate_patient(VALID | {"date_of_birth": "1905-11-23"}, today=TODAY).age_on(TODAY) == 120
    assert "date_of_birth" in errors_for(date_of_birth="1905-11-22")
    assert validate_patient(VALID | {"date_of_birth": "2026-11-22"}, today=TODAY).age_on(TODAY) == 0


field_values = st.one_of(
    st.none(), st.text(), st.text(alphabet=st.characters(codec="utf-8"), max_size=300), st.integers(),
    st.floats(allow_nan=True), st.dates().map(str), st.binary().map(lambda b: b.decode("latin-1")),
    st.sampled_from(["'; DROP TABLE patients; --", "<b>&amp;</b>", "\u202egnp.exe", "👨‍👩‍👧", "\x00", "x" * 100_000]),
)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({name: field_values for name in (
    "given_name", "family_name", "date_of_birth", "sex_at_birth", "phone", "email", "preferred_language")}))
def test_validator_never_crashes_and_never_accepts_invalid(raw):
    try:
        patient = validate_patient(raw, today=TODAY)
    except ValidationError as error:
        assert error.errors and all(isinstance(m, str) and m for m in error.errors.values())
        return
    # Whatever it accepted is itself valid, and stable under re-validation.
    again = validate_patient({**patient.__dict__, "date_of_birth": patient.date_of_birth.isoformat()}, today=TODAY)
    assert again == patient
    assert patient.date_of_birth <= TODAY
    assert 0 < len(patient.given_name) <= 100
