"""The crash harness, bounded: a few SIGKILLs of a process driving the real services, and its checks.

The long run (``python benchmarks/crash_harness.py --kills 100``) is the same code; the power
cuts are in ``test_power_cuts.py``.
"""

from __future__ import annotations

import copy
import importlib.util
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parents[2] / "benchmarks" / "crash_harness.py"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def harness_module():
    spec = importlib.util.spec_from_file_location("crash_harness", HARNESS)
    module = importlib.util.module_from_spec(spec)
    sys.modules["crash_harness"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_a_handful_of_kills_lose_nothing_that_was_reported_saved(tmp_path):
    harness = harness_module()
    report = harness.run(tmp_path / "data", kills=5, seed=9, max_delay=3.0, log=lambda line: None)
    assert report.kills == 5
    assert report.ok, report.problems
    assert report.failures == 0 and report.child_errors == 0
    assert report.operations_reported > 0
    assert report.operations_verified == report.operations_reported
    assert report.fields_compared > 0


def _driven(tmp_path, monkeypatch):
    """The child's own operations, run in-process: (data folder, every message it printed)."""
    harness_module()
    import crash_ops

    messages: list[dict] = []
    monkeypatch.setattr(crash_ops, "say", lambda **message: messages.append(copy.deepcopy(message)))
    driver = crash_ops.Driver(tmp_path / "data", seed=5)
    driver.open()
    driver.load()
    for op in ("patient", "consent", "intake", "export", "account", "settings", "backup"):
        driver.counter += 1
        getattr(driver, f"op_{op}")(f"t-{driver.counter}")
    driver.kiosk.close()
    return driver.data_dir, [m for m in messages if m["event"] == "ok"]


def test_the_checks_catch_what_they_are_there_to_catch(tmp_path, monkeypatch):
    """A harness whose checks cannot fail proves nothing: break things and see them named."""
    harness = harness_module()
    data, good = _driven(tmp_path, monkeypatch)
    check = harness.check_data_dir
    clean = check(data, good, None)
    assert clean.problems == [] and clean.operations_verified == len(good)
    assert clean.fields_compared > 50

    # Field by field: one column of a reported record that differs is named, column and all.
    patient = next(m for m in good if m["op"] == "patient")
    changed = copy.deepcopy(patient)
    key = f"patient/{patient['patient']}"
    changed["records"][key]["patients"][0]["phone"] = "+33 6 00 00 00 00"
    problems = check(data, good + [changed], None).problems
    assert any(key in p and ".phone" in p for p in problems), problems
    # ... and so is a reported audit row that is not there, or not the same.
    lost_row = copy.deepcopy(patient)
    lost_row["audit"][0]["id"] = 10_000
    assert any("audit row 10000" in p for p in check(data, good + [lost_row], None).problems)

    # A reported operation that is not there, an answer that differs, a session never stored.
    intake = next(m for m in good if m["op"] == "intake")
    other = "Ibuprofen 7" if intake["path"] == harness.INTAKE_TEXT_PATH else str(int(intake["value"]) % 400 + 1)
    lost = good + [{"op": "patient", "patient": 99, "form": {"given_name": "Ghost", "family_name": "Ghost",
                                                             "date_of_birth": "1980-01-01"}},
                   intake | {"value": other, "audit": [], "records": {}},
                   {"op": "session.close", "patient": intake["patient"], "session": 5}]
    problems = check(data, lost, None).problems
    assert any("Ghost" in p for p in problems)
    assert any(f"intake answer {intake['path']}" in p and repr(other) in p for p in problems), problems
    assert any("'session.close'" in p or "session.close" in p for p in problems)
    # ... unless the differing answer was the one in flight when the cut came.
    in_flight = {"op": "intake", "patient": intake["patient"], "path": intake["path"], "value": intake["value"],
                 "audit_before": 10_000}
    assert check(data, good + [lost[-2]], in_flight).problems == []
    # ... or the one in flight at an earlier cut (it stays a possible outcome until overwritten).
    assert check(data, good + [lost[-2], in_flight | {"maybe": True}], None).problems == []

    # Orphan and temporary files fail the run, unless they are a leftover a cut during such a
    # step explains (LEFTOVERS says which and why).
    stray = data / "exports" / ".summary-MK-1.pdf.abcd.tmp"
    stray.write_bytes(b"%PDF-half")
    assert any("export_temp" in p for p in check(data, good, None).problems)
    assert check(data, good, None, {"export": 1}).problems == []
    (data / "notes.txt").write_text("?")
    assert any("unexpected file data/notes.txt" in p for p in check(data, good, None, {"export": 1}).problems)
    (data / "notes.txt").unlink()
    stray.unlink()

    # A reported backup that changed; a document whose file changed, or went missing.
    backup = next(m for m in good if m["op"] == "backup")
    Path(backup["path"]).write_bytes(b"PK")
    assert any("backup" in p for p in check(data, good, None).problems)
    export = next(m for m in good if m["op"] == "export")
    pdf = data / export["path"]
    pdf.write_bytes(pdf.read_bytes() + b"%tampered")
    assert any("SHA-256" in p for p in check(data, good, None).problems)
    pdf.unlink()
    assert any("missing" in p for p in check(data, good, None).problems)


@pytest.mark.slow
@pytest.mark.parametrize("call, kills", [("fdatasync", 6), ("rename", 4)])
def test_kills_at_each_sync_point_in_turn_lose_nothing(tmp_path, call, kills):
    """strace kills round k's child on entering its k-th fdatasync (or rename): the exact moments
    a commit or a file's replacement is made durable. .ci/run installs strace."""
    harness = harness_module()
    command = harness._child_command(tmp_path, 1, call, 3)
    assert command[:2] == ["strace", "-f"] and f"inject={harness.SYNC_CALLS[call]}:signal=SIGKILL:when=3" in command
    report = harness.run(tmp_path / "data", kills=kills, seed=4, at_sync=call, log=lambda line: None)
    assert report.kills == kills and report.child_errors == 0, report.problems  # each died where aimed
    assert report.ok, report.problems
    assert report.operations_verified == report.operations_reported
