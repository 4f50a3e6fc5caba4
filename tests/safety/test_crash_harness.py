"""The crash harness, bounded: a few SIGKILLs of a process driving the real services.

The long run (``python benchmarks/crash_harness.py --kills 100``) is the same code.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.conftest import CHEAP_PIN_HASHER, cheap_seal

HARNESS = Path(__file__).resolve().parents[2] / "benchmarks" / "crash_harness.py"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def _harness():
    spec = importlib.util.spec_from_file_location("crash_harness", HARNESS)
    module = importlib.util.module_from_spec(spec)
    sys.modules["crash_harness"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_a_handful_of_kills_lose_nothing_that_was_reported_saved(tmp_path):
    harness = _harness()
    report = harness.run(tmp_path / "data", kills=5, seed=9, max_delay=3.0, log=lambda line: None)
    assert report.kills == 5
    assert report.ok, report.problems
    assert report.failures == 0 and report.child_errors == 0
    assert report.operations_reported > 0
    assert report.operations_verified == report.operations_reported
    assert report.temp_files == 0


def test_the_checks_catch_what_they_are_there_to_catch(tmp_path):
    """A harness whose checks cannot fail proves nothing: break things and see them named."""
    from meso_kiosk.services.demo_consents import synthetic_signature
    from meso_kiosk.services.kiosk import open_kiosk

    harness = _harness()
    data = tmp_path / "data"
    kiosk = open_kiosk(data, pin_hasher=CHEAP_PIN_HASHER, make_seal=cheap_seal)
    consultant = harness._consultant(kiosk)
    patient = kiosk.patients.register({"given_name": "Ana", "family_name": "Lima",
                                       "date_of_birth": "1980-01-01"}, "t")
    template = kiosk.consents.template_for("en")
    consent = kiosk.consents.sign(
        patient.id, language="en", version=template.version, shown_text_sha256=template.text_sha256,
        checklist={item.id: True for item in template.checklist}, photo_consent=False,
        signature=synthetic_signature("x").to_data(), consultant_id=consultant,
        consultant_pin=harness.HARNESS_PIN)
    exported = kiosk.export.export_pdf(patient.id, "t")
    kiosk.intake.save_answer(patient.id, harness.INTAKE_TEXT_PATH, "Aspirin", "t")
    kiosk.close()
    good = [
        {"op": "patient", "patient": patient.id, "family": "Lima"},
        {"op": "consent", "patient": patient.id, "consent": consent.id},
        {"op": "export", "patient": patient.id, "document": exported.record.id,
         "path": exported.record.path, "sha256": exported.sha256},
        {"op": "intake", "patient": patient.id, "path": harness.INTAKE_TEXT_PATH, "value": "Aspirin",
         "intake": 1},
    ]
    clean = harness.check_data_dir(data, good, None)
    assert clean.problems == [] and clean.operations_verified == 4

    # A reported operation that is not there, an answer that differs, a session never stored.
    lost = good + [{"op": "patient", "patient": 99, "family": "Ghost"},
                   {"op": "intake", "patient": patient.id, "path": harness.INTAKE_TEXT_PATH,
                    "value": "Ibuprofen", "intake": 1},
                   {"op": "session", "patient": patient.id, "session": 5}]
    problems = harness.check_data_dir(data, lost, None).problems
    assert any("Ghost" in p for p in problems)
    assert any("Ibuprofen" in p for p in problems)
    assert any("'session'" in p for p in problems)
    # ... unless the differing answer was the one in flight when the kill came.
    in_flight = {"op": "intake", "patient": patient.id, "path": harness.INTAKE_TEXT_PATH, "value": "Aspirin"}
    assert harness.check_data_dir(data, good + [lost[-2]], in_flight).problems == []
    # ... or the one in flight at an earlier kill (it stays a possible outcome until overwritten).
    assert harness.check_data_dir(data, good + [lost[-2], in_flight | {"maybe": True}], None).problems == []
    # A first answer in flight at an earlier kill may never have been saved: unset is right too,
    # but once an answer is reported saved, unset is a loss.
    first = {"op": "intake", "patient": patient.id, "path": harness.INTAKE_NUMBER_PATH, "value": "382"}
    assert harness.check_data_dir(data, good + [first | {"maybe": True}], None).problems == []
    lost_first = harness.check_data_dir(data, good + [first | {"maybe": True}, first | {"intake": 1}], None)
    assert any("382" in p for p in lost_first.problems)

    # A document whose file changed, or went missing.
    exported.path.write_bytes(exported.path.read_bytes() + b"%tampered")
    assert any("SHA-256" in p for p in harness.check_data_dir(data, good, None).problems)
    exported.path.unlink()
    assert any("missing" in p for p in harness.check_data_dir(data, good, None).problems)


@pytest.mark.slow
@pytest.mark.parametrize("call, kills", [("fdatasync", 6), ("rename", 4)])
def test_kills_at_each_sync_point_in_turn_lose_nothing(tmp_path, call, kills):
    """strace kills round k's child on entering its k-th fdatasync (or rename): the exact moments
    a commit or a file's replacement is made durable. .ci/run installs strace."""
    harness = _harness()
    command = harness._child_command(tmp_path, 1, call, 3)
    assert command[:2] == ["strace", "-f"] and f"inject={harness.SYNC_CALLS[call]}:signal=SIGKILL:when=3" in command
    report = harness.run(tmp_path / "data", kills=kills, seed=4, at_sync=call, log=lambda line: None)
    assert report.kills == kills and report.child_errors == 0, report.problems  # each died where aimed
    assert report.ok, report.problems
    assert report.operations_verified == report.operations_reported
