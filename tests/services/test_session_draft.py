"""The scalp-map step's editing state without a widget: dirty tracking, each patient's
unsaved typing, corrections of closed sessions, the clinic-time parser and the captions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from meso_kiosk.domain.clock import Clock
from meso_kiosk.domain.lots import LotStatus
from meso_kiosk.domain.actor import actor_name
from meso_kiosk.domain.session_captions import field_caption, times, zone_history_caption
from meso_kiosk.domain.session_form import (
    format_local_input,
    parse_local_datetime,
    service_form,
    totals_caption,
    zone_totals,
)
from meso_kiosk.domain.zone_history import ZoneHistoryEntry
from meso_kiosk.services.session_draft import SessionDraft
from meso_kiosk.store.consultants import insert_consultant
from meso_kiosk.store.errors import StoreError
from tests.consultation import complete_intake

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)  # the kiosk fixture's clock
PARIS = Clock(ZoneInfo("Europe/Paris"), now=lambda: NOW)


@pytest.fixture
def consultant(kiosk):
    with kiosk.store.write("test") as tx:
        return insert_consultant(tx, "Dr Amélie Laurent")


@pytest.fixture
def draft(kiosk, consultant) -> SessionDraft:
    return SessionDraft(kiosk.sessions, kiosk.clock, lambda: f"consultant:{consultant.id}")


def typed(draft: SessionDraft, consultant, **changes) -> dict:
    """The form as the page reads it off its widgets: strings, as typed."""
    values = {
        "session_id": draft.form_session_id,
        "started_at": format_local_input(NOW - timedelta(minutes=40), draft._clock),
        "consultant_id": str(consultant.id),
        "technique": "chemical_syringe",
        "numbing": "none",
        "zones": {"vertex": {"injections": "20", "depth_mm": "2.5", "volume_ml": "1,5"}},
        "products": [{"name": "Peptide hair complex", "lot": "PX-2291/B", "expiry": "2027-03"}],
        "duration_min": "35",
        "side_effects": [],
        "side_effects_other": "",
        "shedding": "",
        "satisfaction": "",
        "notes": "",
        "reason": "",
    }
    return values | changes


def opened(draft: SessionDraft, patient) -> None:
    draft.show_patient(patient.id)
    assert draft.start() is None
    draft.refresh()


# ---------------------------------------------------------------- the clinic-time parser


@pytest.mark.parametrize("text, expected", [
    ("2026-11-22 10:30", (2026, 11, 22, 10, 30)),
    ("2026-11-22T10:30", (2026, 11, 22, 10, 30)),
    ("  2026-1-2   9.05 ", (2026, 1, 2, 9, 5)),
    ("2026-11-22 10h30", (2026, 11, 22, 10, 30)),
    ("2026-11-22 10:30\n", (2026, 11, 22, 10, 30)),
])
def test_clinic_time_is_read_in_the_clinic_zone(text, expected):
    moment = parse_local_datetime(text, PARIS)
    assert moment == datetime(*expected, tzinfo=PARIS.tz)
    assert moment.utcoffset() is not None


@pytest.mark.parametrize("text", [
    "", "   ", "yesterday", "now", "2026-13-40 25:99", "2026-02-30 10:00", "2026-11-22 24:00",
    "0000-01-01 00:00", "99999-01-01 10:30", "2026-11-22", "10:30", "2026/11/22 10:30",
    "٢٠٢٦-١١-٢٢ ١٠:٣٠",  # Arabic-Indic digits: the picker never writes them
    "２０２６-１１-２２ １０:３０",  # full-width digits
    "2026-11-22 10:30; DROP TABLE sessions;--", "2026-11-22\x0010:30", "\u202e2026-11-22 10:30",
])
def test_anything_else_is_not_a_clinic_time(text):
    assert parse_local_datetime(text, PARIS) is None


def test_huge_input_is_refused_quickly():
    for text in ("9" * 1_000_000, " " * 1_000_000 + "2026-11-22 10:30", "2026-11-22 " + "1" * 100_000):
        assert parse_local_datetime(text, PARIS) is None


def test_a_future_moment_parses_and_the_session_check_refuses_it(draft, kiosk, consultant, register_consented):
    future = parse_local_datetime("2099-01-01 10:30", kiosk.clock)
    assert future is not None and future > NOW
    opened(draft, register_consented())
    values = typed(draft, consultant, started_at="2099-01-01 10:30")
    assert "future" in draft.errors(values)["started_at"]


def test_the_input_format_round_trips_to_the_minute():
    moment = datetime(2026, 3, 29, 0, 45, tzinfo=timezone.utc)  # the night Paris moves its clocks
    text = format_local_input(moment, PARIS)
    assert text == "2026-03-29 01:45"
    assert parse_local_datetime(text, PARIS) == moment


def test_the_service_form_needs_a_time_and_drops_the_reason():
    with pytest.raises(Exception) as refused:
        service_form({"started_at": "soon", "reason": "x"}, PARIS)
    assert "YYYY-MM-DD HH:MM" in refused.value.errors["started_at"]
    form = service_form({"started_at": "2026-11-22 10:30", "reason": "typo", "notes": "n"}, PARIS)
    assert "reason" not in form and form["notes"] == "n" and form["started_at"].tzinfo is not None


# ---------------------------------------------------------------- totals


def test_totals_read_the_rows_as_typed_and_skip_what_is_not_a_number_yet():
    rows = [
        {"injections": "20", "volume_ml": "1,5"},
        {"injections": "", "volume_ml": ""},
        {"injections": "abc", "volume_ml": "1.0"},
        {"injections": "٣", "volume_ml": "nan"},  # int() reads Unicode digits; "nan" is no volume
        {"injections": "1", "volume_ml": "inf"},
    ]
    assert zone_totals(rows) == (24, 2.5)
    assert zone_totals([]) == (0, 0.0)
    assert totals_caption(24, 0.1 + 0.2, 1, 7.4, 12.6).startswith("Totals: 24 injections · 0.3 ml · 1 zone\n7 %")
    assert "· 2 zones\n" in totals_caption(0, 0, 2, 0, 0)


def test_the_draft_totals_add_the_earlier_sessions_coverage(draft, register_consented):
    draft.show_patient(register_consented().id)
    draft.refresh()
    text = draft.totals([{"injections": "5", "volume_ml": "0.5"}], frozenset({"vertex"}))
    assert text.startswith("Totals: 5 injections · 0.5 ml · 1 zone")


# ---------------------------------------------------------------- dirty tracking and saving


def test_edits_mark_the_form_dirty_but_loading_does_not(draft, kiosk, consultant, register_consented):
    patient = register_consented()
    draft.show_patient(patient.id)
    assert draft.refresh().values is None and not draft.editing
    assert draft.flush(typed(draft, consultant)) is None  # no session open: nothing to save
    opened(draft, patient)
    assert draft.editing and draft.autosaves and not draft.dirty
    with draft.loading_values():
        assert draft.loading and draft.edit() is False
    assert not draft.dirty and not draft.loading
    assert draft.flush(typed(draft, consultant)) is None  # nothing changed: no write
    assert draft.edit() and draft.dirty
    outcome = draft.flush(typed(draft, consultant))
    assert outcome.ok and outcome.session.zone_ids == {"vertex"} and not draft.dirty
    stored = kiosk.sessions.draft(patient.id)
    assert stored.total_volume_ml == 1.5 and stored.duration_min == 35
    assert draft.saved_caption() == "Saved at 09:30"  # clinic time, to the minute


def test_the_loading_guard_is_released_when_loading_fails(draft):
    with pytest.raises(RuntimeError):
        with draft.loading_values():
            raise RuntimeError("a widget refused the value")
    assert not draft.loading and draft.edit()


def test_a_refused_save_keeps_the_typing_and_the_stored_draft(draft, kiosk, consultant, register_consented):
    patient = register_consented()
    opened(draft, patient)
    draft.edit()
    wrong = typed(draft, consultant, zones={"occipital": {"injections": "abc", "depth_mm": "2", "volume_ml": ""}})
    outcome = draft.flush(wrong)
    assert not outcome.ok and "zones.occipital.injections" in outcome.errors
    assert draft.dirty and draft.unsaved(patient.id) == wrong
    assert kiosk.sessions.draft(patient.id).zones == ()  # the store still holds the last good save
    shown = draft.refresh()
    assert shown.kept and shown.values == wrong and draft.dirty
    assert "zones.occipital.injections" in draft.errors(shown.values)
    assert draft.unsaved(patient.id) is None  # taken back into the form


def test_switching_patients_keeps_each_patients_unsaved_typing(draft, consultant, register_consented):
    claire, marcus = register_consented("Claire", "Dubois"), register_consented("Marcus", "Whitfield")
    opened(draft, claire)
    draft.edit()
    claire_typing = typed(draft, consultant, duration_min="forty")
    assert not draft.flush(claire_typing).ok  # the page flushes before it shows the next patient
    opened(draft, marcus)
    draft.edit()
    marcus_typing = typed(draft, consultant, notes="Marcus", zones={"vertex": {"injections": "x"}})
    assert not draft.flush(marcus_typing).ok

    draft.show_patient(claire.id)
    shown = draft.refresh()
    assert shown.kept and shown.values["duration_min"] == "forty" and shown.saved_caption.startswith("Not saved")
    draft.show_patient(marcus.id)
    shown = draft.refresh()
    assert shown.kept and shown.values["notes"] == "Marcus"
    # Fixed and saved, Marcus's typing is no longer kept; Claire's still waits for her.
    outcome = draft.flush(typed(draft, consultant, notes="Marcus"))
    assert outcome.ok and draft.unsaved(marcus.id) is None and draft.unsaved(claire.id) is None
    draft.show_patient(claire.id)
    assert not draft.refresh().kept  # already taken back once, then shown: the form holds it now


def test_typing_kept_for_a_session_closed_since_is_dropped(draft, kiosk, consultant, register_consented):
    patient = register_consented()
    opened(draft, patient)
    draft.edit()
    assert not draft.flush(typed(draft, consultant, duration_min="?")).ok
    kiosk.sessions.close(patient.id, service_form(typed(draft, consultant), kiosk.clock), "elsewhere")
    shown = draft.refresh()
    assert shown.values is None and not shown.kept and draft.unsaved(patient.id) is None


def test_a_store_problem_keeps_the_typing_and_says_why(draft, kiosk, consultant, register_consented, monkeypatch):
    patient = register_consented()
    opened(draft, patient)
    draft.edit()

    def refuse(*_args, **_kwargs):
        raise StoreError("The database is read-only.")

    monkeypatch.setattr(kiosk.sessions, "save_draft", refuse)
    outcome = draft.flush(typed(draft, consultant))
    assert outcome.problem == "The database is read-only." and not outcome.errors
    assert draft.dirty and draft.unsaved(patient.id) is not None


def test_start_says_why_without_intake_then_without_consent(draft, kiosk, register):
    patient = register()
    draft.show_patient(patient.id)
    assert "Complete the intake first" in draft.start()
    assert draft.treatment_refusal().step == "intake" and not draft.editing
    complete_intake(kiosk, patient.id)
    assert "No signed consent" in draft.start()
    assert draft.treatment_refusal().step == "consent" and not draft.editing


# ---------------------------------------------------------------- closing and correcting


def test_closing_is_checked_before_the_confirmation_and_cleans_the_form(draft, kiosk, consultant,
                                                                      register_consented):
    patient = register_consented()
    opened(draft, patient)
    incomplete = typed(draft, consultant, products=[])
    assert "products" in draft.closing_errors(incomplete)
    assert kiosk.sessions.draft(patient.id) is not None  # asking changes nothing
    complete = typed(draft, consultant)
    assert draft.closing_errors(complete) == {}
    draft.edit()
    outcome = draft.close(complete)
    assert outcome.ok and outcome.session.is_closed and not draft.dirty
    assert draft.closed_caption(outcome.session) == "Session closed at 09:30. It now counts in the history."
    shown = draft.refresh()
    assert shown.values is None and len(shown.overview.closed) == 1 and not draft.editing


def test_correcting_a_closed_session(draft, kiosk, consultant, register_consented):
    patient = register_consented()
    opened(draft, patient)
    closed = draft.close(typed(draft, consultant)).session
    draft.refresh()
    opened(draft, patient)  # today's next session is open meanwhile
    values = draft.begin_amend(closed.session_id)
    assert draft.amending == closed.session_id and draft.form_session_id == closed.session_id
    assert draft.editing and not draft.autosaves
    assert values["duration_min"] == "35" and values["zones"]["vertex"]["injections"] == 20
    draft.edit()
    assert draft.flush(values) is None  # a correction never autosaves (nor into the open session)
    corrected = values | {"duration_min": "45", "session_id": closed.session_id}
    assert "reason" in draft.save_amend(corrected | {"reason": ""})
    assert draft.amending == closed.session_id  # still correcting: the reason is asked for
    assert draft.save_amend(corrected | {"reason": "Duration typed wrong."}) == {}
    assert draft.amending is None
    draft.refresh()
    [card] = draft.earlier_sessions()
    assert card.session_id == closed.session_id and "35 min" in card.summary  # the original, as recorded
    assert len(card.corrections) == 1
    assert "by Dr Amélie Laurent." in card.corrections[0] and "Reason: Duration typed wrong." in card.corrections[0]
    assert "Session length (minutes): 35 → 45" in card.corrections[0]
    assert card.correct_label.startswith("Correct the session of ")


def test_cancelling_a_correction_returns_to_the_open_session(draft, consultant, register_consented):
    patient = register_consented()
    opened(draft, patient)
    closed = draft.close(typed(draft, consultant)).session
    draft.refresh()
    draft.begin_amend(closed.session_id)
    draft.cancel_amend()
    assert draft.amending is None and draft.save_amend(typed(draft, consultant)) == {}
    draft.show_patient(patient.id)
    assert draft.amending is None and draft.last_tapped is None


# ---------------------------------------------------------------- what is shown beside the form


def test_lot_checks_read_the_box_and_the_session_date(draft, register_consented):
    draft.show_patient(register_consented().id)
    assert draft.lot_check("", "2026-11-22 10:30") is None
    assert draft.lot_check("11/2026", "2026-11-22 10:30") is None
    assert draft.lot_check("2026-10", "2026-11-22 10:30").status is LotStatus.EXPIRED
    soon = draft.lot_check("2026-11", "2026-11-22 10:30")
    assert soon.status is LotStatus.EXPIRING_SOON and "2026-11-30" in soon.message
    assert draft.lot_check("2026-11", "not a time").status is LotStatus.EXPIRING_SOON  # today, then


def test_a_zone_keeps_its_typing_while_unselected(draft):
    draft.reset_zones({"vertex": {"injections": 20}})
    assert draft.kept_zone("vertex") == {"injections": 20} and draft.kept_zone("occipital") is None
    draft.keep_zone("occipital", {"injections": "7"})
    assert draft.kept_zone("occipital") == {"injections": "7"}
    draft.reset_zones({})
    assert draft.kept_zone("vertex") is None


def test_zone_history_caption_lists_the_latest_two_newest_first():
    def entry(day: int, injections: int) -> ZoneHistoryEntry:
        return ZoneHistoryEntry(datetime(2026, 11, day, 9, tzinfo=timezone.utc), day, injections, 2.5, 1.5,
                                ("Peptide (PX-1)",))

    assert zone_history_caption("Vertex (crown)", [], PARIS) == (
        "Zone history — Vertex (crown)", "Not treated in an earlier session.")
    title, text = zone_history_caption("Vertex (crown)", [entry(1, 10), entry(8, 11), entry(15, 12)], PARIS)
    assert title == "Zone history — Vertex (crown): treated 3 times"
    assert text.splitlines() == [
        "15 Nov 2026: 12 injections, 2.5 mm, 1.5 ml · Peptide (PX-1)",
        "08 Nov 2026: 11 injections, 2.5 mm, 1.5 ml · Peptide (PX-1)",
        "… and 1 earlier (see Earlier sessions)",
    ]
    assert times(1) == "once"


def test_field_captions_and_actors_in_consultant_words(kiosk):
    geometry = kiosk.sessions.geometry
    assert field_caption("zones.vertex.depth_mm", geometry) == "Vertex (crown) depth (mm)"
    assert field_caption("zones.gone.depth_mm", geometry) == "gone depth (mm)"
    assert field_caption("products.0.lot", geometry) == "product 1 lot"
    assert field_caption("duration_min", geometry) == "Session length (minutes)"  # the form's words
    assert field_caption("shedding", geometry) == "Shedding since last session"
    assert field_caption("mystery", geometry) == "Mystery"
    names = {"3": "Dr Amélie Laurent"}
    assert actor_name("consultant:3", names) == "Dr Amélie Laurent"
    assert actor_name("consultant:9", names) == "consultant:9"
    assert actor_name("cli", names) == "cli"


def test_zone_history_for_a_tapped_zone(draft, consultant, register_consented):
    assert draft.zone_history("vertex") is None  # no patient yet
    patient = register_consented()
    opened(draft, patient)
    draft.close(typed(draft, consultant))
    title, text = draft.zone_history("vertex")
    assert title.endswith("treated once") and "20 injections" in text and "PX-2291/B" in text
