"""Registering a likely duplicate warns first (same birth date, close name); a new patient is never held."""

from __future__ import annotations

from datetime import date

import pytest

from meso_kiosk.services.patients import LikelyDuplicate


def _form(given, family, born="1986-04-12", **extra):
    return {"given_name": given, "family_name": family, "date_of_birth": born} | extra


@pytest.mark.parametrize(("given", "family"), [
    ("Claire", "Dubois"), ("CLAIRE", "dubois"), ("Dubois", "Claire"), ("Clare", "Dubios"), ("Cláire", "Dubóis"),
])
def test_a_close_name_with_the_same_birth_date_is_a_likely_duplicate(kiosk, register, given, family):
    existing = register("Claire", "Dubois", "1986-04-12")
    assert [p.id for p in kiosk.patients.likely_duplicates(given, family, date(1986, 4, 12))] == [existing.id]
    with pytest.raises(LikelyDuplicate) as warned:
        kiosk.patients.register(_form(given, family), "test", warn_of_duplicates=True)
    assert [p.id for p in warned.value.patients] == [existing.id]
    assert kiosk.patients.count() == 1  # nothing stored on the warning
    kiosk.patients.register(_form(given, family), "test", warn_of_duplicates=False)  # registered anyway
    assert kiosk.patients.count() == 2


@pytest.mark.parametrize(("given", "family", "born"), [
    ("Claire", "Dubois", "1986-04-13"),  # another birth date
    ("Marie", "Dubois", "1986-04-12"),  # her sister, a twin
    ("Clémentine", "Durand", "1986-04-12"),
])
def test_a_genuinely_new_patient_is_registered_without_a_warning(kiosk, register, given, family, born):
    register("Claire", "Dubois", "1986-04-12")
    kiosk.patients.register(_form(given, family, born), "test", warn_of_duplicates=True)
    assert kiosk.patients.count() == 2


def test_scripts_and_orders_meet(kiosk, register):
    wang = register("小明", "王", "1993-08-08")
    nguyen = register("Thị Hương", "Nguyễn", "1992-03-03", name_order="family_first")
    fatima = register("فاطمة", "الحسيني", "1985-12-09")
    assert kiosk.patients.likely_duplicates("小明", "王", date(1993, 8, 8)) == [wang]
    assert kiosk.patients.likely_duplicates("王", "小明", date(1993, 8, 8)) == [wang]  # typed into swapped fields
    assert kiosk.patients.likely_duplicates("小明", "李", date(1993, 8, 8)) == []
    assert kiosk.patients.likely_duplicates("Huong Thi", "Nguyen", date(1992, 3, 3)) == [nguyen]
    assert kiosk.patients.likely_duplicates("فاطمه", "الحسيني", date(1985, 12, 9)) == [fatima]


def test_an_invalid_form_is_refused_before_any_duplicate_question(kiosk, register):
    from meso_kiosk.domain.errors import ValidationError

    register("Claire", "Dubois")
    with pytest.raises(ValidationError):
        kiosk.patients.register(_form("Claire", "Dubois", "not a date"), "test", warn_of_duplicates=True)


@pytest.mark.parametrize("name", ["ᚠᛁᚾᚾ", "𓀀𓁐"])  # letters the validators accept, no font of the PDF has
def test_a_name_that_cannot_print_is_refused_at_input_beside_its_field(kiosk, register, name):
    from meso_kiosk.domain.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        kiosk.patients.register(_form(name, "Dubois"), "test")
    assert set(refused.value.errors) == {"given_name"} and "cannot print" in refused.value.errors["given_name"]
    patient = register("Claire", "Dubois")
    with pytest.raises(ValidationError) as refused:
        kiosk.patients.correct(patient.id, _form("Claire", name), "test")
    assert set(refused.value.errors) == {"family_name"}
    assert kiosk.patients.get(patient.id).family_name == "Dubois" and kiosk.patients.count() == 1


def test_names_in_the_shipped_scripts_print(kiosk, register):
    for given, family in [("小明", "王"), ("지민", "김"), ("สมชาย", "ใจดี"), ("सुनीता", "शर्मा"), ("فاطمة", "الحسيني")]:
        register(given, family)
    assert kiosk.patients.count() == 5
