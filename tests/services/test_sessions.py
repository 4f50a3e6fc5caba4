"""The session service: drafts, closing, amendments, the consent seam, lots, history."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.lots import LotStatus
from meso_kiosk.services.demo.seed import seed_demo
from meso_kiosk.services.sessions import ConsentRequiredError, SessionService
from meso_kiosk.store.consultants import insert_consultant
from meso_kiosk.store.errors import ImmutableRecordError, RecordNotFoundError
from tests.consultation import complete_intake

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)  # the kiosk fixture's clock


@pytest.fixture
def register(register_consented):
    # Sessions need a signed consent (the kiosk's consent gate).
    return register_consented


@pytest.fixture
def consultant(kiosk):
    with kiosk.store.write("test") as tx:
        return insert_consultant(tx, "Dr Test")


def form(consultant, **changes) -> dict:
    base = {
        "started_at": NOW - timedelta(minutes=40),
        "consultant_id": str(consultant.id),
        "technique": "chemical_syringe",
        "numbing": "none",
        "zones": {"vertex": {"injections": 20, "depth_mm": 2.5, "volume_ml": 1.5},
                  "mid_scalp": {"injections": 15, "depth_mm": "2,0", "volume_ml": "1"}},
        "products": [{"name": "Peptide hair complex", "lot": "PX-2291/B", "expiry": "2027-03"}],
        "duration_min": 35,
        "side_effects": ["redness"],
        "shedding": 2,
        "satisfaction": 4,
        "notes": "Fine.",
    }
    return base | changes


def test_the_kiosk_gates_sessions_on_a_signed_consent(kiosk, consultant, sign_consent):
    assert isinstance(kiosk.sessions, SessionService)
    unsigned = kiosk.patients.register({"given_name": "Nadia", "family_name": "Haddad",
                                        "date_of_birth": "1990-02-03"}, "test")
    complete_intake(kiosk, unsigned.id)
    with pytest.raises(ConsentRequiredError) as refused:
        kiosk.sessions.start(unsigned.id, "c")
    assert "No signed consent" in str(refused.value)
    sign_consent(unsigned.id)
    assert kiosk.sessions.consent_refusal(unsigned.id) is None
    assert kiosk.sessions.start(unsigned.id, "c").session_id


def test_the_kiosk_has_the_clinic_settings_and_catalogues(kiosk):
    assert kiosk.sessions.geometry.zone_ids[0] == "frontal_hairline"
    assert kiosk.sessions.settings.lot_warning_days == 30
    assert kiosk.sessions.side_effects[0].id == "pain_pricking"


def test_start_save_and_close_a_session(kiosk, register, consultant):
    patient = register()
    started = kiosk.sessions.start(patient.id, "c")
    assert started.session_id and started.consultant_id == str(consultant.id) and not started.zones
    assert kiosk.sessions.start(patient.id, "c") == started  # one open session at a time
    saved = kiosk.sessions.save_draft(patient.id, form(consultant, session_id=started.session_id), "c")
    assert saved.session.session_id == started.session_id
    assert kiosk.sessions.draft(patient.id).total_injections == 35
    closed = kiosk.sessions.close(patient.id, form(consultant, session_id=started.session_id), "c")
    assert closed.session.is_closed and closed.session.closed_at == NOW
    assert kiosk.sessions.draft(patient.id) is None
    actions = [r[0] for r in kiosk.store.conn.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions[-3:] == ["session.create", "session.update", "session.close"]
    with pytest.raises(ImmutableRecordError):
        kiosk.sessions.save_draft(patient.id, form(consultant, session_id=started.session_id), "c")


def test_closing_an_incomplete_session_names_the_fields_and_writes_nothing(kiosk, register, consultant):
    patient = register()
    before = kiosk.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    with pytest.raises(ValidationError) as caught:
        kiosk.sessions.close(patient.id, form(consultant, zones={}, duration_min=None), "c")
    assert {"zones", "duration_min"} <= set(caught.value.errors)
    assert kiosk.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before


def test_an_expired_lot_is_refused_and_a_lot_expiring_soon_warns(kiosk, register, consultant):
    patient = register()
    expired = form(consultant, products=[{"name": "Peptide hair complex", "lot": "OLD-1", "expiry": "2026-11-21"}])
    with pytest.raises(ValidationError) as caught:
        kiosk.sessions.save_draft(patient.id, expired, "c")
    assert caught.value.errors["products.0.expiry"] == "This lot expired on 2026-11-21 and must not be used."
    assert kiosk.sessions.draft(patient.id) is None
    soon = form(consultant, products=[{"name": "Peptide hair complex", "lot": "NEW-1", "expiry": date(2026, 12, 10)}])
    result = kiosk.sessions.save_draft(patient.id, soon, "c")
    assert [w.field for w in result.warnings] == ["products.0.expiry"]
    assert "18 days" in result.warnings[0].message
    assert kiosk.sessions.lot_check(date(2026, 12, 10)).status is LotStatus.EXPIRING_SOON
    assert kiosk.sessions.lot_check(date(2026, 11, 1)).refused


def test_the_consultant_must_be_one_of_the_clinic(kiosk, register, consultant):
    with pytest.raises(ValidationError) as caught:
        kiosk.sessions.save_draft(register().id, form(consultant, consultant_id="999"), "c")
    assert "consultant_id" in caught.value.errors


def test_without_consultants_a_session_cannot_start(kiosk, register):
    # (A consent is countersigned by a consultant: the one who countersigned has left since.)
    patient = register()
    with kiosk.store.write("test") as tx:
        for (consultant_id,) in tx.execute("SELECT id FROM consultants").fetchall():
            tx.execute("UPDATE consultants SET active = 0 WHERE id = ?", (consultant_id,))
            tx.audit("consultant.update", "consultant", consultant_id)
    with pytest.raises(ValidationError) as caught:
        kiosk.sessions.start(patient.id, "c")
    assert "No consultant" in caught.value.errors["consultant_id"]


def test_the_consent_gate_can_refuse_a_session(kiosk, register, consultant):
    refusing = SessionService(kiosk.store, kiosk.clock, lambda patient_id: "No signed consent on file.", kiosk.clinic_data)
    patient = register()
    with pytest.raises(ConsentRequiredError) as caught:
        refusing.start(patient.id, "c")
    assert caught.value.errors == {"consent": "No signed consent on file."}
    with pytest.raises(ConsentRequiredError):
        refusing.close(patient.id, form(consultant), "c")
    assert refusing.consent_refusal(patient.id) == "No signed consent on file."
    assert kiosk.sessions.draft(patient.id) is None


def test_a_session_of_another_patient_is_not_touched(kiosk, register, consultant):
    claire, marcus = register("Claire", "Dubois"), register("Marcus", "Whitfield")
    started = kiosk.sessions.start(claire.id, "c")
    with pytest.raises(RecordNotFoundError):
        kiosk.sessions.save_draft(marcus.id, form(consultant, session_id=started.session_id), "c")


def test_amend_a_closed_session_and_see_both(kiosk, register, consultant):
    patient = register()
    closed = kiosk.sessions.close(patient.id, form(consultant), "c").session
    with pytest.raises(ValidationError) as caught:
        kiosk.sessions.amend(closed.session_id, form(consultant, duration_min=45), "", "c")
    assert "reason" in caught.value.errors
    stored = kiosk.sessions.amend(closed.session_id, form(consultant, duration_min=45), "Length typed wrong", "c")
    assert stored.amendment.changed_fields == ("duration_min",)
    overview = kiosk.sessions.overview(patient.id)
    [record] = overview.records
    assert record.original.duration_min == 35 and record.effective.duration_min == 45
    # A second correction compares with the first.
    again = kiosk.sessions.amend(closed.session_id, form(consultant, duration_min=45, notes="Fine, calm."),
                                 "Added a note", "c")
    assert again.amendment.changed_fields == ("notes",)


def test_history_counts_and_coverage_from_closed_sessions(kiosk, register, consultant):
    patient = register()  # signed two days ago (tests.consultation.THINKING_TIME): sessions since
    kiosk.sessions.close(patient.id, form(consultant, started_at=NOW - timedelta(days=1, hours=12)), "c")
    kiosk.sessions.close(patient.id, form(consultant, started_at=NOW - timedelta(days=1), zones={
        "vertex": {"injections": 30, "depth_mm": 3, "volume_ml": 2}}), "c")
    kiosk.sessions.save_draft(patient.id, form(consultant, zones={
        "occipital": {"injections": 30, "depth_mm": 3, "volume_ml": 2}}), "c")
    counts = kiosk.sessions.history_counts(patient.id)
    assert counts["vertex"] == 2 and counts["mid_scalp"] == 1 and counts["occipital"] == 0
    history = kiosk.sessions.zone_history(patient.id, "vertex")
    assert [entry.injections for entry in history] == [20, 30]
    overview = kiosk.sessions.overview(patient.id)
    this, cumulative = kiosk.sessions.coverage({"occipital"}, overview.history)
    geometry = kiosk.sessions.geometry
    assert this == pytest.approx(100 * geometry.zone("occipital").area_share)
    expected = 100 * sum(geometry.zone(z).area_share for z in ("occipital", "vertex", "mid_scalp"))
    assert cumulative == pytest.approx(expected)
    assert 0 <= cumulative <= 100


def test_hostile_form_values_are_refused_by_field(kiosk, register, consultant):
    patient = register()
    hostile = form(consultant, zones={"vertex": {"injections": -3, "depth_mm": "9", "volume_ml": "nan"}},
                   duration_min="'; DROP TABLE x", notes="\x00", started_at=NOW + timedelta(days=3))
    with pytest.raises(ValidationError) as caught:
        kiosk.sessions.save_draft(patient.id, hostile, "c")
    assert {"zones.vertex.injections", "zones.vertex.depth_mm", "zones.vertex.volume_ml", "duration_min",
            "notes", "started_at"} <= set(caught.value.errors)
    assert kiosk.store.conn.execute("SELECT count(*) FROM treatment_sessions").fetchone()[0] == 0


def test_demo_sessions_are_seeded_with_shared_lots_and_an_amendment(kiosk):
    assert seed_demo(kiosk).seeded
    recall = kiosk.sessions.lot_recall("px-2291/b")
    assert len({row.patient_id for row in recall}) >= 3
    conn = kiosk.store.conn
    assert conn.execute("SELECT count(*) FROM session_amendments").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM treatment_sessions WHERE status = 'open'").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM treatment_sessions WHERE status = 'closed'").fetchone()[0] >= 8
    assert kiosk.store.verify_audit().ok
