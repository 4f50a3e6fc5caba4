"""Overrides through the service: refused for a stop that cannot be overridden (pregnancy),
recorded for one that can (blood thinners), read back for the consent and the PDF; intakes
stored before rules had a source still load; age rules see the patient's age."""

from __future__ import annotations

import json
from datetime import date

import pytest

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.screening import Level

from .test_intake import CLEAR_MEDICAL, REQUIRED_HISTORY

ACTOR = "consultant:test"
REASON = "prescriber's letter of 12 May on file"


def _fill(kiosk, patient_id, answers):
    for path, value in answers.items():
        kiosk.intake.save_answer(patient_id, path, value, ACTOR)


def _audit_count(kiosk) -> int:
    return kiosk.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]


def _born_years_ago(kiosk, years: int, days_later: int = 0) -> str:
    today = kiosk.clock.today()
    born = date(today.year - years, today.month, min(today.day, 28))
    return date.fromordinal(born.toordinal() + days_later).isoformat()


@pytest.mark.parametrize("status", ["pregnant", "breastfeeding"])
def test_override_is_refused_for_pregnancy_and_nothing_is_written(kiosk, register, status):
    patient = register("Amara", "Nwosu", sex_at_birth="female")
    _fill(kiosk, patient.id, {"medical.pregnancy": status})
    before = _audit_count(kiosk)
    with pytest.raises(ValidationError) as caught:
        kiosk.intake.override(patient.id, "pregnant_or_breastfeeding", REASON, ACTOR)
    assert caught.value.field == "override.reason"
    assert str(caught.value.errors["override.reason"]) == (
        "Pregnant or breastfeeding: this stop cannot be overridden; no treatment while it applies."
    )
    assert _audit_count(kiosk) == before
    assert kiosk.intake.current(patient.id).overrides == {}
    assert kiosk.intake.blocked_steps(patient.id)
    assert kiosk.intake.overridden_stops(patient.id) == []


def test_override_is_recorded_for_a_blood_thinner_and_read_back_with_who_and_when(kiosk, register):
    from tests.consultation import ensure_consultant

    consultant_id, name = ensure_consultant(kiosk, "Dr Amélie Laurent")
    actor = f"consultant:{consultant_id}"
    patient = register("Jürgen", "Schäfer", sex_at_birth="male")
    _fill(kiosk, patient.id, {"medical.anticoagulants": True, "medical.antiplatelets": True})
    for rule_id in ("anticoagulants", "antiplatelets"):
        assert kiosk.intake.current(patient.id).outcome.stops  # both stops, both overridable
        kiosk.intake.override(patient.id, rule_id, REASON, actor)
    assert kiosk.intake.blocked_steps(patient.id) == {}
    stops = kiosk.intake.overridden_stops(patient.id)
    assert [s.finding.rule_id for s in stops] == ["anticoagulants", "antiplatelets"]
    first = stops[0]
    assert first.finding.level is Level.STOP and first.finding.message.startswith("Takes a blood thinner")
    assert first.override.reason == REASON and first.by == name
    assert first.at.startswith(kiosk.clock.now_utc().date().isoformat())
    # An answer changed back: the stop no longer applies, so it is no longer "overridden".
    _fill(kiosk, patient.id, {"medical.antiplatelets": False})
    assert [s.finding.rule_id for s in kiosk.intake.overridden_stops(patient.id)] == ["anticoagulants"]


def test_no_intake_means_no_overridden_stops(kiosk, register):
    assert kiosk.intake.overridden_stops(register().id) == []


def _rewrite_as_before_provenance(kiosk, intake_id: int, *, complete: bool) -> None:
    """The row as the kiosk wrote it before rules had a source: bare findings, pregnancy overridden."""
    old = {
        "version": 1,
        "outcome": {"findings": [{"rule_id": "pregnant_or_breastfeeding", "level": "stop",
                                  "message": "Pregnant or breastfeeding. Not given in pregnancy.",
                                  "field": "medical.pregnancy"}]},
        "overrides": {"pregnant_or_breastfeeding": {"reason": "Patient insisted", "consultant": ACTOR,
                                                    "at": "2025-01-10T10:00:00Z"}},
        "acknowledged": [],
    }
    with kiosk.store.write(ACTOR) as tx:
        if complete:
            tx.execute("UPDATE intakes SET screening = ?, status = 'complete', completed_at = updated_at"
                       " WHERE id = ?", (json.dumps(old), intake_id))
            tx.audit("intake.complete", "intake", intake_id)
        else:
            tx.execute("UPDATE intakes SET screening = ? WHERE id = ?", (json.dumps(old), intake_id))
            tx.audit("intake.override", "intake", intake_id)


def test_an_intake_completed_before_provenance_still_loads_as_it_was(kiosk, register):
    patient = register("Old", "Record", sex_at_birth="female")
    _fill(kiosk, patient.id, REQUIRED_HISTORY | CLEAR_MEDICAL | {"medical.pregnancy": "pregnant"})
    record = kiosk.intake.current(patient.id)
    _rewrite_as_before_provenance(kiosk, record.id, complete=True)
    loaded = kiosk.intake.get(record.id)
    assert loaded.is_complete and kiosk.intake.history(patient.id)[0].id == record.id
    (finding,) = loaded.outcome.findings
    assert (finding.source, finding.citation, finding.rationale, finding.overridable) == ("", "", "", True)
    # What was done then is reported as it was done: the PDF and consent still see it.
    (stop,) = kiosk.intake.overridden_stops(patient.id)
    assert stop.override.reason == "Patient insisted" and stop.at == "2025-01-10T10:00:00Z"


def test_a_draft_overridden_before_pregnancy_became_final_is_blocked_again(kiosk, register):
    patient = register("Draft", "Record", sex_at_birth="female")
    _fill(kiosk, patient.id, {"medical.pregnancy": "breastfeeding"})
    _rewrite_as_before_provenance(kiosk, kiosk.intake.current(patient.id).id, complete=False)
    record = kiosk.intake.current(patient.id)  # re-screened with today's rules
    assert "pregnant_or_breastfeeding" in record.overrides
    assert record.outcome.stops[0].overridable is False
    assert kiosk.intake.blocked_steps(patient.id)
    assert kiosk.intake.overridden_stops(patient.id) == []
    assert any("cannot be overridden" in reason for reason in kiosk.intake.reasons_not_complete(record))


@pytest.mark.parametrize(
    ("years", "days_later", "young", "older"),
    [(16, 0, True, False), (17, 0, True, False), (18, 1, True, False),  # 18 tomorrow: still 17
     (18, 0, False, False), (69, 0, False, False), (70, 0, False, True), (95, 0, False, True)],
)
def test_age_rules_see_the_patients_age_today(kiosk, register, years, days_later, young, older):
    patient = register("Age", "Test", born=_born_years_ago(kiosk, years, days_later))
    _fill(kiosk, patient.id, {"medical.nsaids": False})
    found = {f.rule_id for f in kiosk.intake.current(patient.id).outcome.findings}
    assert ("young_patient" in found) is young
    assert ("older_patient" in found) is older


def test_a_young_patients_intake_completes_only_with_the_age_warning_acknowledged(kiosk, register):
    patient = register("Young", "Patient", born=_born_years_ago(kiosk, 16), sex_at_birth="male")
    _fill(kiosk, patient.id, REQUIRED_HISTORY | CLEAR_MEDICAL)
    with pytest.raises(ValidationError, match="under 18"):
        kiosk.intake.complete(patient.id, ACTOR)
    kiosk.intake.acknowledge(patient.id, "young_patient", ACTOR)
    done = kiosk.intake.complete(patient.id, ACTOR)
    assert [f.rule_id for f in done.outcome.warnings] == ["young_patient"]
    assert done.outcome.warnings[0].source == "gmc_cosmetic"
    stored = kiosk.intake.get(done.id).outcome.warnings[0]
    assert stored.rationale and stored.citation.startswith("General Medical Council")
