"""Treatment sessions: validation, lots, closing, amendments, totals, hostile input."""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.scalp import STANDARD_ZONE_IDS, cumulative_coverage, parse_geometry
from meso_kiosk.domain.amendment import diff_sessions, make_amendment
from meso_kiosk.domain.lots import LotStatus, check_lot, lot_key
from meso_kiosk.domain.session import (
    Numbing,
    SessionStatus,
    Technique,
    TreatmentSession,
    close_session,
    session_warnings,
    treated_percent,
)
from meso_kiosk.domain.session_validation import validate_session
from meso_kiosk.domain.session_settings import SessionSettings, parse_session_settings, parse_side_effects
from meso_kiosk.domain.zone_history import zone_history, zone_sets
from meso_kiosk.resources import resource_path

NOW = datetime(2025, 6, 10, 14, 0, tzinfo=timezone.utc)
STARTED = datetime(2025, 6, 10, 13, 0, tzinfo=timezone.utc)
SESSION_DAY = date(2025, 6, 10)


def _toml(name: str) -> dict:
    with resource_path(name).open("rb") as fh:
        return tomllib.load(fh)


SETTINGS = parse_session_settings(_toml("sessions/settings.toml"))
SIDE_EFFECTS = parse_side_effects(_toml("side_effects.toml"))
SIDE_EFFECT_IDS = tuple(effect.id for effect in SIDE_EFFECTS)
GEOMETRY = parse_geometry(json.loads(resource_path("scalp/zones.json").read_text(encoding="utf-8")))


def draft(**changes) -> dict:
    base = {
        "started_at": STARTED,
        "consultant_id": "c-7",
        "technique": "chemical_syringe",
        "numbing": "topical_anaesthetic",
        "zones": {
            "vertex": {"injections": 20, "depth_mm": 2.5, "volume_ml": 1.5},
            "mid_scalp": {"injections": 15, "depth_mm": 2.0, "volume_ml": 1.0},
        },
        "products": [{"name": "Peptide hair complex", "lot": "PX-2291/B", "expiry": date(2026, 1, 31)}],
        "duration_min": 35,
        "side_effects": ["redness", "pain_pricking"],
        "side_effects_other": None,
        "shedding": 1,
        "satisfaction": 4,
        "notes": "Patient tolerated well.",
    }
    base.update(changes)
    return base


def validate(data: dict, **kwargs) -> TreatmentSession:
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("known_zone_ids", STANDARD_ZONE_IDS)
    kwargs.setdefault("side_effect_ids", SIDE_EFFECT_IDS)
    kwargs.setdefault("settings", SETTINGS)
    return validate_session(data, **kwargs)


def zone_change(zone_id: str, **fields) -> dict:
    zones = {z: dict(v) for z, v in draft()["zones"].items()}
    zones.setdefault(zone_id, {"injections": 5, "depth_mm": 2.0, "volume_ml": 0.5}).update(fields)
    return zones


def product_change(**fields) -> list:
    product = dict(draft()["products"][0])
    product.update(fields)
    return [product]


# ---------------------------------------------------------------- shipped data


def test_shipped_settings_match_the_documented_defaults():
    assert (SETTINGS.depth_min_mm, SETTINGS.depth_max_mm) == (1.0, 4.0)
    assert SETTINGS.lot_warning_days == 30
    assert SETTINGS.shedding_range == (0, 4)
    assert SETTINGS.satisfaction_range == (1, 5)
    assert SETTINGS.usual_products
    defaults = SessionSettings()
    assert replace(SETTINGS, usual_products=()) == defaults


def test_shipped_side_effects_are_the_consent_list():
    assert set(SIDE_EFFECT_IDS) == {
        "pain_pricking", "bruising", "itching", "redness", "swelling",
        "bumps", "rash", "scalp_sensitivity", "nausea", "patchy_hair_loss",
        "infection", "allergic_reaction", "keloid_scarring",
    }
    assert [effect.id for effect in SIDE_EFFECTS if effect.rare] == [
        "patchy_hair_loss", "infection", "allergic_reaction", "keloid_scarring"]
    assert all(effect.label and effect.patient_wording for effect in SIDE_EFFECTS)


# ---------------------------------------------------------------- a good session


def test_a_valid_session_is_cleaned_and_totalled():
    session = validate(draft(notes="  Patient tolerated well.  "))
    assert session.status is SessionStatus.OPEN
    assert session.technique is Technique.CHEMICAL_SYRINGE
    assert session.numbing is Numbing.TOPICAL_ANAESTHETIC
    assert session.notes == "Patient tolerated well."
    # Zones come back in map order, side effects in catalogue order.
    assert [z.zone_id for z in session.zones] == ["mid_scalp", "vertex"]
    assert session.side_effects == ("pain_pricking", "redness")
    assert session.total_injections == 35
    assert session.total_volume_ml == 2.5
    expected = 100 * (GEOMETRY.zone("vertex").area_share + GEOMETRY.zone("mid_scalp").area_share)
    assert treated_percent(session, GEOMETRY) == pytest.approx(expected)


def test_totals_do_not_show_float_noise():
    zones = {
        "vertex": {"injections": 1, "depth_mm": 2, "volume_ml": 0.1},
        "occipital": {"injections": 2, "depth_mm": 2, "volume_ml": 0.2},
    }
    session = validate(draft(zones=zones))
    assert session.total_volume_ml == 0.3
    assert session.total_injections == 3


def test_started_at_in_another_zone_is_stored_in_utc():
    local = STARTED.astimezone(ZoneInfo("Europe/Madrid"))
    session = validate(draft(started_at=local))
    assert session.started_at == STARTED
    assert session.started_at.tzinfo is timezone.utc


def test_zones_can_be_given_as_a_list():
    zones = [{"zone_id": "vertex", "injections": "12", "depth_mm": "2,5", "volume_ml": Decimal("1.2")}]
    session = validate(draft(zones=zones))
    assert session.zone("vertex").injections == 12
    assert session.zone("vertex").depth_mm == 2.5
    assert session.zone("vertex").volume_ml == pytest.approx(1.2)


def test_expiry_as_year_and_month_means_the_end_of_that_month():
    session = validate(draft(products=product_change(expiry="2026-02")))
    assert session.products[0].expiry == date(2026, 2, 28)


@pytest.mark.parametrize("text, expected", [
    ("2026-02", date(2026, 2, 28)), (" 2028-02 ", date(2028, 2, 29)), ("2027-06-30", date(2027, 6, 30)),
    ("2027-6-3", date(2027, 6, 3)), ("2027", None), ("2027-13", None), ("2027-02-30", None), ("06/2027", None),
    ("", None), ("２０２７-06", date(2027, 6, 30)), ("9999-01", None), ("-2027-01", None),
])
def test_expiry_from_text_reads_a_box_s_date_as_saving_does(text, expected):
    from meso_kiosk.domain.lots import expiry_from_text

    assert expiry_from_text(text) == expected


@pytest.mark.parametrize(
    "text",
    ["'; DROP TABLE sessions; --", "Кожа головы чувствительна", "头皮有点红", "مريض بخير", "👍 fine 🧑🏽‍⚕️"],
)
def test_notes_keep_any_language_and_harmless_sql_text_verbatim(text):
    assert validate(draft(notes=text)).notes == text


# ---------------------------------------------------------------- the validation table


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"started_at": None}, "started_at"),
        ({"started_at": "2025-06-10 13:00"}, "started_at"),
        ({"started_at": datetime(2025, 6, 10, 13, 0)}, "started_at"),  # naive
        ({"started_at": NOW + timedelta(days=2)}, "started_at"),
        ({"started_at": datetime(1999, 12, 31, tzinfo=timezone.utc)}, "started_at"),
        ({"consultant_id": ""}, "consultant_id"),
        ({"consultant_id": None}, "consultant_id"),
        ({"consultant_id": "x" * 65}, "consultant_id"),
        ({"consultant_id": "c\x00"}, "consultant_id"),
        ({"technique": "laser"}, "technique"),
        ({"technique": None}, "technique"),
        ({"numbing": "general"}, "numbing"),
        ({"zones": zone_change("vertex", depth_mm=0.5)}, "zones.vertex.depth_mm"),
        ({"zones": zone_change("vertex", depth_mm=4.01)}, "zones.vertex.depth_mm"),
        ({"zones": zone_change("vertex", depth_mm=math.nan)}, "zones.vertex.depth_mm"),
        ({"zones": zone_change("vertex", depth_mm=None)}, "zones.vertex.depth_mm"),
        ({"zones": zone_change("vertex", depth_mm="deep")}, "zones.vertex.depth_mm"),
        ({"zones": zone_change("vertex", injections=-1)}, "zones.vertex.injections"),
        ({"zones": zone_change("vertex", injections=81)}, "zones.vertex.injections"),
        ({"zones": zone_change("vertex", injections=2.5)}, "zones.vertex.injections"),
        ({"zones": zone_change("vertex", injections=True)}, "zones.vertex.injections"),
        ({"zones": zone_change("vertex", injections=10**400)}, "zones.vertex.injections"),
        ({"zones": zone_change("occipital", volume_ml=-0.1)}, "zones.occipital.volume_ml"),
        ({"zones": zone_change("occipital", volume_ml=5.5)}, "zones.occipital.volume_ml"),
        ({"zones": zone_change("occipital", volume_ml=math.inf)}, "zones.occipital.volume_ml"),
        ({"zones": {"ear": {"injections": 1, "depth_mm": 2, "volume_ml": 1}}}, "zones"),
        ({"zones": [{"zone_id": "vertex", "injections": 1, "depth_mm": 2, "volume_ml": 1}] * 2},
         "zones.vertex"),
        ({"zones": "vertex"}, "zones"),
        ({"products": product_change(name="")}, "products.0.name"),
        ({"products": product_change(lot="")}, "products.0.lot"),
        ({"products": product_change(lot="'; DROP TABLE lots; --")}, "products.0.lot"),
        ({"products": product_change(lot="LOT\x00")}, "products.0.lot"),
        ({"products": product_change(lot="L" * 41)}, "products.0.lot"),
        ({"products": product_change(expiry=None)}, "products.0.expiry"),
        ({"products": product_change(expiry="31/01/2026")}, "products.0.expiry"),
        ({"products": product_change(expiry="2026-02-30")}, "products.0.expiry"),
        ({"products": product_change(expiry="2026-13")}, "products.0.expiry"),
        ({"products": product_change(expiry=date(2200, 1, 1))}, "products.0.expiry"),
        ({"products": product_change(expiry=date(2025, 6, 9))}, "products.0.expiry"),  # expired
        ({"products": product_change() * 2}, "products.1"),
        ({"products": "PX-2291"}, "products"),
        ({"duration_min": 0}, "duration_min"),
        ({"duration_min": 181}, "duration_min"),
        ({"duration_min": "half an hour"}, "duration_min"),
        ({"side_effects": ["headache"]}, "side_effects"),
        ({"side_effects": "redness"}, "side_effects"),
        ({"side_effects": [None]}, "side_effects"),
        ({"side_effects_other": "x" * 501}, "side_effects_other"),
        ({"shedding": 5}, "shedding"),
        ({"shedding": -1}, "shedding"),
        ({"satisfaction": 0}, "satisfaction"),
        ({"satisfaction": 6}, "satisfaction"),
        ({"notes": "bad\x1b[31m"}, "notes"),
        ({"notes": "n" * 4001}, "notes"),
        ({"status": "deleted"}, "status"),
        ({"status": "closed"}, "closed_at"),
        ({"session_id": -3}, "session_id"),
        ({"session_id": "1; DROP"}, "session_id"),
    ],
)
def test_validation_names_the_faulty_field(changes, field):
    with pytest.raises(ValidationError) as caught:
        validate(draft(**changes))
    assert field in caught.value.errors, caught.value.errors
    assert all(message and "Traceback" not in message for message in caught.value.errors.values())


def test_depth_message_speaks_plainly():
    with pytest.raises(ValidationError) as caught:
        validate(draft(zones=zone_change("vertex", depth_mm=6)))
    assert caught.value.errors["zones.vertex.depth_mm"] == "Needle depth must be between 1 and 4 mm."


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValidationError) as caught:
        validate(draft(consultant_id="", duration_min=-5, zones=zone_change("vertex", depth_mm=9)))
    assert {"consultant_id", "duration_min", "zones.vertex.depth_mm"} <= set(caught.value.errors)


def test_clinic_depth_range_is_respected():
    narrow = replace(SETTINGS, depth_min_mm=2.0, depth_max_mm=3.0)
    with pytest.raises(ValidationError) as caught:
        validate(draft(zones=zone_change("vertex", depth_mm=1.5)), settings=narrow)
    assert caught.value.errors["zones.vertex.depth_mm"] == "Needle depth must be between 2 and 3 mm."
    assert validate(draft(zones=zone_change("vertex", depth_mm=1.5))).zone("vertex").depth_mm == 1.5


def test_unknown_zone_ids_are_not_echoed_back():
    hostile = "<script>alert(1)</script>"
    with pytest.raises(ValidationError) as caught:
        validate(draft(zones={hostile: {"injections": 1, "depth_mm": 2, "volume_ml": 1}}))
    assert all(hostile not in key and hostile not in msg for key, msg in caught.value.errors.items())


# ---------------------------------------------------------------- lots


@pytest.mark.parametrize(
    "expiry, status, days_left",
    [
        (date(2025, 6, 9), LotStatus.EXPIRED, -1),
        (date(2020, 1, 1), LotStatus.EXPIRED, -1987),
        (date(2025, 6, 10), LotStatus.EXPIRING_SOON, 0),
        (date(2025, 6, 11), LotStatus.EXPIRING_SOON, 1),
        (date(2025, 7, 10), LotStatus.EXPIRING_SOON, 30),
        (date(2025, 7, 11), LotStatus.OK, 31),
        (date(2030, 1, 1), LotStatus.OK, 1666),
    ],
)
def test_check_lot(expiry, status, days_left):
    check = check_lot(expiry, SESSION_DAY)
    assert check.status is status
    assert check.days_left == days_left
    assert check.refused is (status is LotStatus.EXPIRED)
    assert (check.message is None) is (status is LotStatus.OK)


def test_check_lot_warning_window_is_a_parameter():
    assert check_lot(date(2025, 6, 20), SESSION_DAY, warning_days=7).status is LotStatus.OK
    assert check_lot(date(2025, 6, 20), SESSION_DAY, warning_days=10).status is LotStatus.EXPIRING_SOON
    assert check_lot(date(2025, 6, 10), SESSION_DAY, warning_days=0).status is LotStatus.EXPIRING_SOON


def test_an_expired_lot_is_refused_with_its_date():
    with pytest.raises(ValidationError) as caught:
        validate(draft(products=product_change(expiry=date(2025, 5, 31))))
    assert caught.value.errors["products.0.expiry"] == (
        "This lot expired on 2025-05-31 and must not be used."
    )


def test_a_lot_expiring_within_30_days_warns_but_saves():
    session = validate(draft(products=product_change(expiry=date(2025, 7, 1))))
    warnings = session_warnings(session, session_date=SESSION_DAY, settings=SETTINGS)
    assert [w.field for w in warnings] == ["products.0.expiry"]
    assert "21 days" in warnings[0].message
    far = validate(draft())
    assert session_warnings(far, session_date=SESSION_DAY, settings=SETTINGS) == ()


def test_lots_are_checked_on_the_session_date_not_today():
    # Recorded late: the lot was valid on the day of the session.
    old_start = datetime(2024, 3, 1, 10, tzinfo=timezone.utc)
    session = validate(draft(started_at=old_start, products=product_change(expiry=date(2024, 12, 31))))
    assert session.products[0].expiry == date(2024, 12, 31)
    # The clinic's local date can be passed explicitly.
    with pytest.raises(ValidationError):
        validate(draft(products=product_change(expiry=date(2025, 6, 10))), session_date=date(2025, 6, 11))


def test_lot_key_ignores_case_and_spacing():
    assert lot_key(" px 2291/b ") == lot_key("PX2291/B") == "PX2291/B"
    assert validate(draft()).products[0].lot_key == "PX-2291/B"


# ---------------------------------------------------------------- techniques and closing


def test_mechanical_microneedling_injects_no_solution():
    zones = {"vertex": {"injections": 0, "depth_mm": 1.5, "volume_ml": 0.3}}
    with pytest.raises(ValidationError) as caught:
        validate(draft(technique="mechanical_microneedling", zones=zones))
    assert "no solution" in caught.value.errors["zones.vertex.volume_ml"]


def test_mechanical_microneedling_closes_without_products_or_counts():
    zones = {"vertex": {"injections": 0, "depth_mm": 1.5, "volume_ml": 0}}
    session = validate(draft(technique="mechanical_microneedling", zones=zones, products=[]))
    closed = close_session(session, closed_at=NOW)
    assert closed.is_closed and closed.closed_at == NOW
    assert closed.total_volume_ml == 0


def test_an_open_session_may_be_incomplete():
    session = validate(draft(zones={}, products=[], duration_min=None, shedding=None, satisfaction=""))
    assert session.zones == () and session.duration_min is None and session.satisfaction is None


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"zones": {}}, "zones"),
        ({"duration_min": None}, "duration_min"),
        ({"products": []}, "products"),
        ({"zones": zone_change("vertex", injections=0)}, "zones.vertex.injections"),
        ({"zones": zone_change("vertex", volume_ml=0)}, "zones.vertex.volume_ml"),
    ],
)
def test_closing_needs_a_complete_chemical_session(changes, field):
    session = validate(draft(**changes))
    with pytest.raises(ValidationError) as caught:
        close_session(session, closed_at=NOW)
    assert field in caught.value.errors


def test_closing_twice_or_before_the_start_is_refused():
    session = validate(draft())
    with pytest.raises(ValidationError) as caught:
        close_session(session, closed_at=STARTED - timedelta(minutes=1))
    assert "closed_at" in caught.value.errors
    with pytest.raises(ValidationError):
        close_session(session, closed_at=datetime(2025, 6, 10, 14, 0))  # naive
    closed = close_session(session, closed_at=NOW)
    with pytest.raises(ValidationError) as caught:
        close_session(closed, closed_at=NOW)
    assert "status" in caught.value.errors


def test_a_closed_draft_passes_the_closing_checks():
    closed = validate(draft(status="closed", closed_at=NOW, session_id=4))
    assert closed.is_closed and closed.session_id == 4
    with pytest.raises(ValidationError) as caught:
        validate(draft(status="closed", closed_at=NOW, products=[]))
    assert "products" in caught.value.errors


# ---------------------------------------------------------------- amendments


def _closed(**changes) -> TreatmentSession:
    return close_session(validate(draft(session_id=12, **changes)), closed_at=NOW)


def test_an_amendment_names_reason_and_changed_fields():
    original = _closed()
    corrected = validate(
        draft(
            session_id=12, status="closed", closed_at=NOW,
            zones=zone_change("vertex", depth_mm=3.0), notes="Patient tolerated well. Slight redness.",
        )
    )
    amendment = make_amendment(
        original, corrected, reason="Depth typed wrong", amended_by="c-7", amended_at=NOW + timedelta(hours=1)
    )
    assert amendment.session_id == 12
    assert amendment.changed_fields == ("notes", "zones.vertex.depth_mm")
    change = {c.field: c for c in amendment.changes}["zones.vertex.depth_mm"]
    assert (change.before, change.after) == ("2.5", "3")


def test_diff_lists_added_and_removed_zones_and_products():
    original = _closed()
    corrected = replace(original, zones=original.zones[:1], products=())
    fields = {c.field for c in diff_sessions(original, corrected)}
    assert {"zones", "zones.vertex.injections", "products.0.lot"} <= fields


@pytest.mark.parametrize(
    "reason, field", [("", "reason"), (None, "reason"), ("ok", "reason"), ("x\x00 typo", "reason")]
)
def test_an_amendment_needs_a_real_reason(reason, field):
    original = _closed()
    corrected = replace(original, duration_min=40)
    with pytest.raises(ValidationError) as caught:
        make_amendment(original, corrected, reason=reason, amended_by="c-7", amended_at=NOW)
    assert field in caught.value.errors


def test_amendments_only_for_closed_saved_sessions_with_changes():
    open_session = validate(draft(session_id=3))
    with pytest.raises(ValidationError) as caught:
        make_amendment(open_session, replace(open_session, duration_min=40),
                       reason="Wrong time", amended_by="c-7", amended_at=NOW)
    assert "status" in caught.value.errors
    original = _closed()
    with pytest.raises(ValidationError) as caught:
        make_amendment(original, original, reason="Wrong time", amended_by="c-7", amended_at=NOW)
    assert "changes" in caught.value.errors
    unsaved = replace(original, session_id=None)
    with pytest.raises(ValidationError) as caught:
        make_amendment(unsaved, replace(unsaved, duration_min=40),
                       reason="Wrong time", amended_by="c-7", amended_at=NOW)
    assert "session_id" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        make_amendment(original, replace(original, duration_min=40),
                       reason="Wrong time", amended_by="c-7", amended_at=STARTED)
    assert "amended_at" in caught.value.errors


# ---------------------------------------------------------------- history


def test_zone_history_and_cumulative_coverage_over_three_sessions():
    sessions = [
        validate(draft(started_at=STARTED - timedelta(days=14), session_id=1)),
        validate(draft(started_at=STARTED, session_id=3, zones=zone_change("occipital"))),
        validate(draft(started_at=STARTED - timedelta(days=7), session_id=2,
                       zones={"vertex": {"injections": 30, "depth_mm": 3, "volume_ml": 2}})),
    ]
    history = zone_history(sessions, "vertex")
    assert [entry.session_id for entry in history] == [1, 2, 3]
    assert history[1].injections == 30
    assert history[0].products == ("Peptide hair complex (PX-2291/B)",)
    assert zone_history(sessions, "left_temporal") == ()
    summary = cumulative_coverage(GEOMETRY, zone_sets(sessions))
    assert summary.counts["vertex"] == 3
    assert summary.counts["mid_scalp"] == 2
    assert summary.counts["occipital"] == 1


# ---------------------------------------------------------------- settings files


@pytest.mark.parametrize(
    "data, field",
    [
        ({"needle_depth": {"min_mm": 4.0, "max_mm": 1.0}}, "needle_depth.min_mm"),
        ({"needle_depth": {"max_mm": 400}}, "needle_depth.max_mm"),
        ({"needle_depth": {"min_mm": "1"}}, "needle_depth.min_mm"),
        ({"needle_depth": {"default_mm": 3.9, "max_mm": 3.0}}, "needle_depth.default_mm"),
        ({"limits": {"max_injections_per_zone": 2.5}}, "limits.max_injections_per_zone"),
        ({"limits": {"max_volume_ml_per_zone": math.nan}}, "limits.max_volume_ml_per_zone"),
        ({"limits": {"max_duration_min": True}}, "limits.max_duration_min"),
        ({"lots": {"warning_days": -1}}, "lots.warning_days"),
        ({"lots": "30"}, "lots"),
        ({"shedding": {"labels": ["only one"]}}, "shedding.labels"),
        ({"satisfaction": {"labels": "good,bad"}}, "satisfaction.labels"),
        ({"product": [{"name": ""}]}, "product[0].name"),
        ({"product": [{"name": "A"}, {"name": "a"}]}, "product[1].name"),
    ],
)
def test_broken_settings_are_refused_by_name(data, field):
    with pytest.raises(ValidationError) as caught:
        parse_session_settings(data)
    assert field in caught.value.errors


def test_empty_settings_use_the_defaults():
    assert parse_session_settings({}) == SessionSettings()


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"side_effect": []},
        {"side_effect": [{"id": "Bad Id", "label": "x", "patient_wording": "y"}]},
        {"side_effect": [{"id": "a", "label": "x", "patient_wording": "y"}] * 2},
        {"side_effect": [{"id": "a", "label": "", "patient_wording": "y"}]},
        {"side_effect": [{"id": "a", "label": "x", "patient_wording": "y", "rare": "yes"}]},
    ],
)
def test_broken_side_effect_lists_are_refused(data):
    with pytest.raises(ValidationError):
        parse_side_effects(data)


# ---------------------------------------------------------------- hostile input

hostile_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=5000),
    st.sampled_from(["", " ", "\x00", "'; DROP TABLE sessions; --", "1e999", "nan", "-0", "2,5",
                     "chemical_syringe", "vertex", "2026-02", "🧴" * 10, "\u202e"]),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.datetimes(timezones=st.one_of(st.none(), st.just(timezone.utc),
                                     st.sampled_from([ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Lima")]))),
)
hostile = st.recursive(
    hostile_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=8,
)

zone_values = st.fixed_dictionaries(
    {"injections": hostile_scalars, "depth_mm": hostile_scalars, "volume_ml": hostile_scalars}
)
hostile_drafts = st.fixed_dictionaries(
    {},
    optional={
        "started_at": hostile_scalars,
        "consultant_id": hostile_scalars,
        "technique": st.one_of(hostile_scalars, st.sampled_from(list(Technique))),
        "numbing": hostile_scalars,
        "zones": st.one_of(
            hostile,
            st.dictionaries(st.one_of(st.sampled_from(STANDARD_ZONE_IDS), st.text(max_size=8)), zone_values,
                            max_size=4),
        ),
        "products": st.one_of(
            hostile,
            st.lists(st.fixed_dictionaries({"name": hostile_scalars, "lot": hostile_scalars,
                                            "expiry": hostile_scalars}), max_size=3),
        ),
        "duration_min": hostile_scalars,
        "side_effects": st.one_of(hostile, st.lists(st.sampled_from(SIDE_EFFECT_IDS))),
        "side_effects_other": hostile_scalars,
        "shedding": hostile_scalars,
        "satisfaction": hostile_scalars,
        "notes": hostile_scalars,
        "status": hostile_scalars,
        "closed_at": hostile_scalars,
        "session_id": hostile_scalars,
    },
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_drafts)
def test_hostile_drafts_never_crash_the_validator(data):
    try:
        session = validate(data)
    except ValidationError as error:
        assert error.errors and all(isinstance(m, str) and m for m in error.errors.values())
        return
    assert session.started_at.tzinfo is timezone.utc
    assert 0.0 <= treated_percent(session, GEOMETRY) <= 100.0
    for zone in session.zones:
        assert SETTINGS.depth_min_mm <= zone.depth_mm <= SETTINGS.depth_max_mm
        assert 0 <= zone.injections <= SETTINGS.max_injections_per_zone
        assert 0 <= zone.volume_ml <= SETTINGS.max_volume_ml_per_zone


@settings(max_examples=300)
@given(st.sampled_from(["injections", "depth_mm", "volume_ml"]), hostile)
def test_hostile_zone_values_are_refused_or_in_range(key, value):
    try:
        session = validate(draft(zones=zone_change("vertex", **{key: value})))
    except ValidationError as error:
        assert error.errors
        return
    zone = session.zone("vertex")
    assert 1.0 <= zone.depth_mm <= 4.0 and 0 <= zone.injections <= 80 and 0 <= zone.volume_ml <= 5


@settings(max_examples=200)
@given(st.sampled_from(["name", "lot", "expiry"]), hostile)
def test_hostile_product_values_are_refused_or_clean(key, value):
    try:
        session = validate(draft(products=product_change(**{key: value})))
    except ValidationError as error:
        assert any(k.startswith("products") for k in error.errors)
        return
    product = session.products[0]
    assert product.expiry >= SESSION_DAY
    assert product.lot and product.name


@given(hostile)
def test_hostile_settings_never_crash(data):
    try:
        parse_session_settings(data)
    except ValidationError:
        pass


@given(hostile)
def test_hostile_side_effect_lists_never_crash(data):
    try:
        parse_side_effects({"side_effect": data})
    except ValidationError:
        pass


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
       st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
       st.integers(min_value=0, max_value=365))
def test_check_lot_is_consistent(expiry, today, warning_days):
    check = check_lot(expiry, today, warning_days)
    assert check.days_left == (expiry - today).days
    assert check.refused == (expiry < today)
    assert (check.status is LotStatus.OK) == ((expiry - today).days > warning_days)
