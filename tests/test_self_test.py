"""``meso-kiosk self-test``: a whole consultation end to end, one line per step, exit 0 only if all pass."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from meso_kiosk.services.self_test import (
    CLINIC_SETTINGS,
    HEADLESS_STEPS,
    MARKER,
    SelfTestError,
    SelfTestRun,
    Step,
    run_self_test,
)

STEP_LINE = re.compile(r"^(ok  |FAIL)  (?P<name>.+?)\s+(?P<ms>\d+) ms  (?P<note>.*)$")


def _run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """The command as a clinic runs it: a new process, from a folder outside the repo."""
    outside = tmp_path / "elsewhere"
    outside.mkdir(exist_ok=True)
    (tmp_path / "tmp").mkdir(exist_ok=True)
    env = os.environ | {
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path / "home"),
        "MESO_KIOSK_HOME": str(tmp_path / "clinic-data"),  # must never be touched
        "TMPDIR": str(tmp_path / "tmp"),
    }
    return subprocess.run([sys.executable, "-m", "meso_kiosk", "self-test", *args], cwd=outside, env=env,
                          capture_output=True, text=True, timeout=240)


@pytest.mark.slow
def test_self_test_passes_in_a_temporary_folder_and_removes_it(tmp_path):
    done = _run_cli(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-1].startswith("self-test passed: ")
    steps = [STEP_LINE.match(line) for line in lines[:-1]]
    assert all(steps), lines
    names = [m["name"] for m in steps]
    assert all(m.group(1) == "ok  " for m in steps)
    for expected in ("clinic data files", "clinic settings", "seed patient", "complete intake", "plan course", "sign consent", "record session",
                     "export signed PDF", "verify PDF", "audit-verify", "window opens locked, sign in",
                     "page: intake", "page: course", "page: consent", "page: treatment", "page: summary",
                     "camera stand-in: decode a video"):
        assert expected in names
    assert "2 zones" in done.stdout and "seal valid" in done.stdout
    assert not (tmp_path / "clinic-data").exists()
    assert list((tmp_path / "tmp").iterdir()) == []  # the temporary data folder is gone


@pytest.mark.slow
def test_a_given_folder_is_kept_with_the_screens_and_can_be_used_again(tmp_path):
    folder = tmp_path / "self-test-data"
    first = _run_cli(tmp_path, "--data-dir", str(folder))
    assert first.returncode == 0, first.stdout + first.stderr
    assert (folder / MARKER).is_file() and (folder / "meso.db").is_file()
    screens = sorted(p.name for p in (folder / "self-test-screens").iterdir())
    assert "00-lock-screen.png" in screens and any("workspace-course" in s for s in screens)
    assert len(list((folder / "exports").glob("*.pdf"))) == 1
    # An earlier self-test's folder may be used again (a second patient is added).
    again = _run_cli(tmp_path, "--data-dir", str(folder))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "patient #2" in again.stdout


@pytest.mark.slow
def test_a_broken_database_fails_with_one_clear_line_and_exit_1(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / MARKER).write_text("earlier self-test\n")
    (folder / "meso.db").write_bytes(b"this is not a database" * 100)
    done = _run_cli(tmp_path, "--data-dir", str(folder))
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("FAIL  open data folder")
    assert lines[-1].startswith("self-test FAILED at 'open data folder': ")
    assert len(lines) == 2  # nothing runs after the failing step


def test_a_foreign_folder_is_refused_and_left_alone(tmp_path):
    clinic = tmp_path / "clinic"
    clinic.mkdir()
    (clinic / "meso.db").write_bytes(b"precious")
    done = _run_cli(tmp_path, "--data-dir", str(clinic))
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "never writes into clinic data" in done.stderr
    assert sorted(p.name for p in clinic.iterdir()) == ["meso.db"]
    assert (clinic / "meso.db").read_bytes() == b"precious"
    file = tmp_path / "a-file"
    file.write_text("x")
    assert _run_cli(tmp_path, "--data-dir", str(file)).returncode == 1


def test_a_failing_step_stops_the_run_and_keeps_the_folder(tmp_path):
    def boom(run):
        raise SelfTestError("the printer caught fire")

    lines: list[str] = []
    folder = tmp_path / "kept"
    code = run_self_test(folder, [Step("extra check", boom), Step("never runs", lambda run: "")],
                         out=lines.append)
    assert code == 1
    assert lines[-2].startswith("FAIL  extra check") and lines[-2].endswith("the printer caught fire")
    assert "never runs" not in "\n".join(lines)
    assert lines[-1] == f"self-test FAILED at 'extra check': the printer caught fire (data kept in {folder})"
    assert len(lines) == len(HEADLESS_STEPS) + 2 and all(line.startswith("ok  ") for line in lines[:-2])


def test_a_tampered_audit_log_is_caught_by_the_audit_step(tmp_path):
    folder = tmp_path / "data"
    assert run_self_test(folder, out=lambda line: None) == 0
    db = sqlite3.connect(folder / "meso.db")
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_log'").fetchall()
    for name, _ in triggers:
        db.execute(f"DROP TRIGGER {name}")
    db.execute("UPDATE audit_log SET entity_id = '999' WHERE id = 3")
    db.commit()
    lines: list[str] = []
    assert run_self_test(folder, out=lines.append) == 1  # triggers gone: the open refuses the file
    assert lines[-1].startswith("self-test FAILED at 'open data folder'")
    assert "trigger audit_log_no_delete is missing" in lines[-1]
    for _, sql in triggers:  # put back as they were: now the chain itself must tell
        db.execute(sql)
    db.commit()
    db.close()
    lines.clear()
    assert run_self_test(folder, out=lines.append) == 1
    assert lines[-1].startswith("self-test FAILED at 'audit-verify': audit log broken at row 3")


def test_unexpected_errors_are_one_line_with_their_kind(tmp_path):
    def bug(run):
        raise KeyError("missing\nthing")

    lines: list[str] = []
    assert run_self_test(tmp_path / "d", [Step("buggy", bug)], out=lines.append) == 1
    assert "KeyError" in lines[-2] and "\n" not in lines[-2]


def _clinic_step() -> Step:
    return next(step for step in HEADLESS_STEPS if step.name == "clinic settings")


def test_the_clinic_settings_step_comes_early_and_reads_back_what_it_set(kiosk, tmp_path):
    names = [step.name for step in HEADLESS_STEPS]
    assert names.index("clinic settings") == names.index("clinic data files") + 1 < names.index("seed patient")
    note = _clinic_step().run(SelfTestRun(tmp_path, kiosk=kiosk))
    assert "read back" in note and "CHF" in note
    settings = kiosk.clinic.settings()
    assert settings.name == CLINIC_SETTINGS["name"] and settings.address.count("\n") == 2
    assert settings.timezone == "Europe/Paris" and kiosk.clock.tz.key == "Europe/Paris"
    actors = {row[0] for row in kiosk.store.conn.execute("SELECT actor FROM audit_log WHERE action = 'settings.update'")}
    assert actors == {"self-test"}


def test_the_clinic_settings_step_fails_loudly_when_a_value_read_back_differs(kiosk, tmp_path):
    """Something between the service and the database changes a value: the step names it."""
    def meddle(settings, changed, actor):
        kiosk.clinic.update({"minimum_age": 21, "email": ""}, "meddler")

    kiosk.clinic.add_listener(meddle)
    with pytest.raises(SelfTestError) as failed:
        _clinic_step().run(SelfTestRun(tmp_path, kiosk=kiosk))
    assert "minimum_age is 21, not 18" in str(failed.value) and "email is None" in str(failed.value)


def _camera_step(tmp_path):
    from meso_kiosk.ui import self_test as ui_self_test

    state = ui_self_test._Window()
    return lambda: ui_self_test._camera_stand_in(SelfTestRun(tmp_path), state)


def test_the_camera_stand_in_step_decodes_a_generated_video_through_the_ffmpeg_plugin(qapp, tmp_path):
    note = _camera_step(tmp_path)()
    assert note.startswith("FFmpeg plugin decoded a 320×240 frame of a generated video in ")
    assert not (tmp_path / "self-test-camera.avi").exists()  # the video is gone again


def test_the_camera_stand_in_step_fails_in_words_when_the_video_cannot_be_decoded(qapp, tmp_path, monkeypatch):
    from meso_kiosk.ui import generated_video

    def broken(path, **_video):  # what a missing or broken FFmpeg plugin makes of any video
        path.write_bytes(b"RIFF" + b"\0" * 64)
        return path

    monkeypatch.setattr(generated_video, "write_video", broken)
    with pytest.raises(SelfTestError) as failed:
        _camera_step(tmp_path)()
    assert str(failed.value).startswith("The video cannot be played")
