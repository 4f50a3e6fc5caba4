"""Power cuts: the FUSE file system that loses what was not synced, and a few cuts of the real app.

The long run is ``python benchmarks/crash_harness.py --power-cuts 200``. Needs Linux with
/dev/fuse, fusermount3 and libfuse3 (.ci/run installs Debian's fuse3) and mfusepy (test extra).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.safety.test_crash_harness import harness_module

FS = Path(__file__).resolve().parents[2] / "benchmarks" / "power_cut_fs.py"


def _fuse_missing() -> str | None:
    if not sys.platform.startswith("linux"):
        return "FUSE power cuts run on Linux"
    if not os.path.exists("/dev/fuse") or shutil.which("fusermount3") is None:
        return "needs /dev/fuse and fusermount3 (Debian's fuse3; .ci/run installs it)"
    return None


pytestmark = pytest.mark.skipif(_fuse_missing() is not None, reason=str(_fuse_missing()))


def _mounted(tmp_path: Path, *extra: str):
    backing, mountpoint = tmp_path / "backing", tmp_path / "mnt"
    backing.mkdir(exist_ok=True)
    mountpoint.mkdir(exist_ok=True)
    fs = subprocess.Popen([sys.executable, str(FS), str(backing), str(mountpoint), *extra],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while not os.path.ismount(mountpoint):
        assert fs.poll() is None and time.monotonic() < deadline, fs.communicate()
        time.sleep(0.02)
    return fs, backing, mountpoint


def _cut(fs, mountpoint: Path) -> str:
    subprocess.run(["fusermount3", "-u", str(mountpoint)], check=True)
    out, err = fs.communicate(timeout=30)
    assert fs.returncode == 0, err
    return out


def _write(path: Path, data: bytes, *, sync: bool) -> None:
    with open(path, "wb") as stream:
        stream.write(data)
        stream.flush()
        if sync:
            os.fsync(stream.fileno())


def _sync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def test_the_file_system_keeps_what_was_synced_and_loses_the_rest(tmp_path):
    fs, backing, mnt = _mounted(tmp_path)
    try:
        (mnt / "sub").mkdir()
        _write(mnt / "kept.txt", b"synced", sync=True)              # data and name synced
        _write(mnt / "lost.txt", b"never synced", sync=False)       # created, name synced later, no data
        with open(mnt / "kept.txt", "r+b") as stream:                # an overwrite never synced
            stream.write(b"CHANGED")
        _write(mnt / "sub" / "data.tmp", b"renamed", sync=True)
        _write(mnt / "gone.txt", b"x", sync=True)
        _sync_folder(mnt)                                           # every name so far is durable
        os.replace(mnt / "sub" / "data.tmp", mnt / "sub" / "data")  # a rename never synced
        os.unlink(mnt / "gone.txt")                                 # an unlink never synced
        assert (mnt / "kept.txt").read_bytes() == b"CHANGED"        # the program sees its writes
    finally:
        _cut(fs, mnt)
    assert (backing / "kept.txt").read_bytes() == b"synced"
    assert (backing / "lost.txt").read_bytes() == b""          # its name survived, its bytes did not
    assert (backing / "sub" / "data.tmp").read_bytes() == b"renamed" and not (backing / "sub" / "data").exists()
    assert (backing / "gone.txt").read_bytes() == b"x"


def test_a_cut_at_the_kth_sync_kills_the_caller_and_keeps_nothing_after(tmp_path):
    fs, backing, mnt = _mounted(tmp_path, "--cut-at-sync", "3")
    script = ("import os, sys\n"
              "for n in range(5):\n"
              "    with open(os.path.join(sys.argv[1], f'f{n}'), 'wb') as s:\n"
              "        s.write(b'x'); s.flush(); os.fsync(s.fileno())\n"
              "    print(n, flush=True)\n")
    try:
        child = subprocess.run([sys.executable, "-c", script, str(mnt)], capture_output=True, text=True, timeout=30)
    finally:
        out = _cut(fs, mnt)
    assert child.returncode == -signal.SIGKILL and child.stdout.split() == ["0", "1"]
    assert '"cut_at_sync": 3' in out
    assert sorted(p.name for p in backing.iterdir()) == ["f0", "f1"]  # f2's name and bytes are gone


@pytest.mark.slow
@pytest.mark.timeout(120)  # about 16 s here; a hung mount must not eat CI's time
def test_a_few_power_cuts_lose_nothing_that_was_reported_saved(tmp_path):
    """Random moments and the k-th sync call in turn, on the real services (the CI slice of
    ``crash_harness.py --power-cuts 200``)."""
    harness = harness_module()
    report = harness.power_cuts(tmp_path, cuts=8, seed=11, log=lambda line: None)
    assert report.kills == 8 and report.cuts_at_sync == 4
    assert report.ok, report.problems[:10]
    assert report.operations_reported > 0 and report.operations_verified == report.operations_reported
    assert report.fields_compared > 0


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_first_start_cut_at_each_sync_point_leaves_a_folder_the_app_opens(tmp_path):
    """A new installation cut at its 1st, 2nd ... 12th sync call: the next start must open it.
    The 8th once left tables without the application id ("of another program"), the 9th the
    migrations table without its index ("changed outside Meso Kiosk"): refused at every start."""
    harness = harness_module()
    report = harness.power_cuts(tmp_path, cuts=0, seed=3, install_cuts=12, log=lambda line: None)
    assert report.kills == 12 and report.cuts_at_sync == 12
    assert report.ok, report.problems[:5]


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("broken", ["no-sync", "sync-normal"])
def test_a_copy_that_does_not_sync_fails_the_power_cuts(tmp_path, broken):
    """The harness must catch what SIGKILL cannot: the same app with PRAGMA synchronous=OFF and
    every fsync skipped, or only with synchronous=NORMAL (a WAL commit is synced at the next
    checkpoint, not before "saved"), loses reported operations at the first cuts."""
    harness = harness_module()
    report = harness.power_cuts(tmp_path, cuts=3, seed=2, cut_at="random", early=0.0, min_delay=2.0,
                                max_delay=3.0, log=lambda line: None, broken=broken)
    assert report.operations_reported > 0
    assert not report.ok and report.failures > 0, report.summary()
