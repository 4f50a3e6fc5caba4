from datetime import date

import pytest

from meso_kiosk.store.errors import RecordNotFoundError
from meso_kiosk.store.patients import get_patient, list_recent, search_patients

NAMES = [
    ("José", "García Müller", "1991-01-05", "+34 612 345 678"),
    ("Ελένη", "Παπαδοπούλου", "1975-06-21", "+30 691 234 5678"),
    ("Дмитрий", "Соколов", "1988-02-14", "+7 912 345 67 89"),
    ("小明", "王", "1993-08-08", "+86 138 0013 8000"),
    ("さくら", "山田", "1990-04-01", "+81 90 1234 5678"),
    ("فاطمة", "الحسيني", "1985-12-09", "+971 50 123 4567"),
    ("נועה", "כהן", "1996-07-19", "+972 52 123 4567"),
    ("Siobhán", "O'Brien", "1983-03-17", "+353 85 123 4567"),
]


@pytest.fixture
def people(register):
    return [register(g, f, b, phone=p) for g, f, b, p in NAMES]


def test_round_trip_keeps_every_field_exactly(kiosk, register):
    stored = register("Nguyễn", "Thị Hương", "1992-03-03", sex_at_birth="female", phone="+84 91 234 56 78",
                      email="huong@example.vn", preferred_language="vi")
    again = get_patient(kiosk.store.conn, stored.id)
    assert again == stored and again.id == stored.id
    assert again.date_of_birth == date(1992, 3, 3)


def test_correcting_a_patient_updates_the_row_and_search(kiosk, register):
    stored = register("Claire", "Dubois")
    kiosk.patients.correct(stored.id, {"given_name": "Claire", "family_name": "Durand",
                                       "date_of_birth": "1986-04-12"}, "test")
    assert kiosk.patients.get(stored.id).family_name == "Durand"
    assert [p.id for p in kiosk.patients.search("durand")] == [stored.id]
    assert kiosk.patients.search("dubois") == []


def test_missing_patient_is_a_clear_error(kiosk):
    with pytest.raises(RecordNotFoundError, match="Patient 42"):
        get_patient(kiosk.store.conn, 42)


def test_recent_lists_the_last_changed_first(kiosk, register):
    first, second = register("Ana"), register("Ben")
    assert [p.id for p in list_recent(kiosk.store.conn)][:2] == [second.id, first.id]


@pytest.mark.parametrize(
    "query, expected_given",
    [
        ("jose", "José"),  # accents optional
        ("garc", "José"),  # prefix as you type
        ("MÜLLER", "José"),
        ("Παπαδ", "Ελένη"),
        ("ελενη", "Ελένη"),
        ("соколов", "Дмитрий"),
        ("王", "小明"),
        ("小明", "小明"),
        ("山田", "さくら"),
        ("الحسيني", "فاطمة"),
        ("כהן", "נועה"),
        ("o'brien", "Siobhán"),
        ("siobhan o", "Siobhán"),
    ],
)
def test_search_by_name_in_any_script(kiosk, people, query, expected_given):
    found = search_patients(kiosk.store.conn, query)
    assert [p.given_name for p in found] == [expected_given]


@pytest.mark.parametrize("query", ["1975-06-21", "21/06/1975", "21.06.1975"])
def test_search_by_date_of_birth(kiosk, people, query):
    assert [p.given_name for p in search_patients(kiosk.store.conn, query)] == ["Ελένη"]


@pytest.mark.parametrize("query, expected", [("+30 691", ["Ελένη"]), ("9725", ["נועה"]), ("97", ["فاطمة", "נועה"])])
def test_search_by_phone_prefix(kiosk, people, query, expected):
    assert sorted(p.given_name for p in search_patients(kiosk.store.conn, query)) == sorted(expected)


@pytest.mark.parametrize(
    "query",
    ['"', "*", "AND", "OR NOT", "NEAR(", "a:b", "'; DROP TABLE patients; --", "Robert'); DELETE FROM patients;--",
     "\x00", "👩‍⚕️", "x" * 10_000, "((((", "^", "-", "+"],
)
def test_hostile_queries_never_break_search(kiosk, people, query):
    search_patients(kiosk.store.conn, query)
    assert kiosk.patients.count() == len(NAMES)


def test_empty_query_lists_recent(kiosk, people):
    assert len(search_patients(kiosk.store.conn, "   ")) == len(NAMES)
