"""Names as people write them: which part comes first, by script unless chosen; CJK without a space."""

from __future__ import annotations

from datetime import date

import pytest

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.patient import Patient, validate_patient
from meso_kiosk.domain.person_name import FAMILY_FIRST, GIVEN_FIRST, default_order, display_name

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(("given", "family", "order"), [
    ("小明", "王", FAMILY_FIRST), ("さくら", "山田", FAMILY_FIRST), ("지민", "김", FAMILY_FIRST),
    ("サクラ", "ヤマダ", FAMILY_FIRST), ("Claire", "Dubois", GIVEN_FIRST), ("Thị Hương", "Nguyễn", GIVEN_FIRST),
    ("فاطمة", "الحسيني", GIVEN_FIRST), ("सुनीता", "शर्मा", GIVEN_FIRST), ("Ana", "王", FAMILY_FIRST),
])
def test_the_default_order_comes_from_the_script(given, family, order):
    assert default_order(given, family) == order


@pytest.mark.parametrize(("given", "family", "order", "shown"), [
    ("小明", "王", None, "王小明"),
    ("さくら", "山田", None, "山田さくら"),
    ("지민", "김", None, "김지민"),
    ("小明", "王", GIVEN_FIRST, "小明王"),
    ("Thị Hương", "Nguyễn", FAMILY_FIRST, "Nguyễn Thị Hương"),
    ("Eszter", "Nagy", FAMILY_FIRST, "Nagy Eszter"),
    ("Claire", "Dubois", None, "Claire Dubois"),
    ("Claire", "Dubois", FAMILY_FIRST, "Dubois Claire"),
    ("Wei", "王", None, "王 Wei"),  # mixed scripts keep their space
])
def test_display_name_joins_east_asian_names_without_a_space(given, family, order, shown):
    assert display_name(given, family, order) == shown


def test_a_patient_prints_in_their_order_and_the_form_defaults_it_by_script():
    chinese = validate_patient({"given_name": "小明", "family_name": "王", "date_of_birth": "1993-08-08"}, today=TODAY)
    assert (chinese.name_order, chinese.display_name) == (FAMILY_FIRST, "王小明")
    vietnamese = validate_patient({"given_name": "Thị Hương", "family_name": "Nguyễn", "date_of_birth": "1992-03-03",
                                   "name_order": "family_first"}, today=TODAY)
    assert vietnamese.display_name == "Nguyễn Thị Hương"
    # One registered before the order was asked has none stored: it follows the script.
    assert Patient("さくら", "山田", date(1990, 4, 1)).display_name == "山田さくら"


@pytest.mark.parametrize("bad", ["sideways", 3, "FAMILY_FIRST"])
def test_an_unknown_order_is_refused_beside_its_field(bad):
    with pytest.raises(ValidationError) as error:
        validate_patient({"given_name": "A", "family_name": "B", "date_of_birth": "1990-01-01", "name_order": bad},
                         today=TODAY)
    assert set(error.value.errors) == {"name_order"}
