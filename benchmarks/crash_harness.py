"""Crash harness: kill, or cut the power under, a process driving the real services; then check.

    python benchmarks/crash_harness.py [--kills 100] [--seed 1] [--at-sync fdatasync|fsync|rename]
    python benchmarks/crash_harness.py --power-cuts 200 [--seed 1] [--cut-at random|sync|both] [--install-cuts 10]
    options: [--data-dir DIR] [--json FILE] [--max-delay S] [--broken no-sync]

A child process (``crash_ops.py``) opens the installation with ``open_kiosk`` and loops over
the kiosk's real use cases — patients, intake answers (also typed into the real window's intake
page offscreen, saved by its autosave), consents and withdrawals, sessions and amendments,
exported PDFs, backups, restores, automatic backups, accounts and PINs, settings. It prints
``start`` before each step and ``ok`` with everything it stored only after the call returned.

**Kills** (``--kills N``): SIGKILL at a random moment (seeded), or with ``--at-sync CALL`` under
strace, which kills round k's child on entering its k-th ``fdatasync`` (or ``fsync``, or
``rename``). SIGKILL leaves the page cache: this finds ordering mistakes, not lost fsyncs.

**Power cuts** (``--power-cuts N``): the child runs on ``power_cut_fs.py``, a FUSE file system
over a backing folder that takes back, at the cut, everything not yet made durable by an
``fsync`` (see its docstring for the model). Round k cuts at a random moment (after the child
is ready, or during its start-up), or — alternately, ``--cut-at both`` — at the child's k-th
sync call, so the rounds walk through the sync points in turn; first, ``--install-cuts M`` new
installations are cut at their 1st..M-th sync call (a first start's own sync points). The checks
then read the backing folder: the durable state only. Needs Linux, /dev/fuse, ``fusermount3``
(Debian's fuse3) and mfusepy.

After each kill or cut ``crash_checks.check_data_dir`` checks the folder (its docstring lists
every check: integrity, audit-verify, every reported row field by field, the step in flight all
or nothing, no orphan or temporary file but the documented leftovers), then the child starts
again on the same folder, so damage would accumulate. ``--broken no-sync`` runs a deliberately
broken child (``PRAGMA synchronous=OFF`` and no ``fsync`` at all): power cuts must catch it.
Exit status 0 when every check held; the figures are printed (and written as JSON with ``--json``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from crash_checks import LEFTOVERS, ROUND_GROUPS, CheckResult, check_data_dir  # noqa: E402
from crash_ops import HARNESS_PIN, INTAKE_NUMBER_PATH, INTAKE_TEXT_PATH, child  # noqa: E402

__all__ = ["HARNESS_PIN", "INTAKE_NUMBER_PATH", "INTAKE_TEXT_PATH", "LEFTOVERS", "CheckResult", "check_data_dir",
           "run", "power_cuts", "main"]

POWER_CUT_FS = Path(__file__).resolve().parent / "power_cut_fs.py"


@dataclass
class HarnessReport:
    kills: int = 0                 # kills or power cuts
    kills_before_ready: int = 0
    cuts_at_sync: int = 0          # power cuts aimed at a sync call (the rest at random moments)
    operations_reported: int = 0
    operations_verified: int = 0   # checked by their inputs after the last kill
    fields_compared: int = 0       # audit rows' and records' columns compared after the last kill
    operations_checked_total: int = 0  # summed over every check (each check re-reads them all)
    fields_compared_total: int = 0
    in_flight_all: int = 0         # steps in flight at a cut that were found whole ...
    in_flight_nothing: int = 0     # ... or absent (never half)
    refusals: int = 0
    failures: int = 0
    child_errors: int = 0
    leftovers: dict[str, int] = field(default_factory=dict)
    operations_by_kind: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    check_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failures == 0 and self.child_errors == 0

    def summary(self, what: str = "kills") -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.operations_by_kind.items()))
        left = ", ".join(f"{k} {v}" for k, v in sorted(self.leftovers.items())) or "none"
        per = self.seconds / self.kills if self.kills else 0.0
        return (f"crash harness: {self.kills} {what} ({self.kills_before_ready} during start-up, "
                f"{self.cuts_at_sync} at a sync call), {self.operations_reported} operations reported ({kinds}); "
                f"after the last: {self.operations_verified} checked by their inputs, {self.fields_compared} "
                f"fields compared ({self.operations_checked_total} operations and {self.fields_compared_total} "
                f"fields over all checks); steps in flight: {self.in_flight_all} whole, {self.in_flight_nothing} absent; "
                f"{self.refusals} refusals, {self.failures} failed checks, {self.child_errors} child errors; "
                f"documented leftovers: {left}; {self.seconds:.0f} s ({per:.1f} s a round, "
                f"{self.check_seconds:.0f} s checking)")


def _reader(stream, lines: list[str]) -> None:
    for line in stream:
        lines.append(line)


# Where a targeted kill may land (``--at-sync``): strace counts each system call apart.
SYNC_CALLS = {"fdatasync": "fdatasync", "fsync": "fsync", "rename": "rename,renameat,renameat2"}
# A child that never reaches its Nth such call (it waits on nothing) is stopped after this.
TARGETED_TIMEOUT_S = 90


def _child_command(data_dir: Path, child_seed: int, at_sync: str | None, nth: int,
                   broken: str | None = None) -> list[str]:
    """The child's command line; with ``at_sync``, under strace, which kills it with SIGKILL on
    entering its ``nth`` call of that system call (before the call does anything)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--data-dir", str(data_dir),
               "--seed", str(child_seed)] + (["--broken", broken] if broken else [])
    if at_sync is None:
        return command
    calls = SYNC_CALLS[at_sync]
    return ["strace", "-f", "-qq", "-o", os.devnull, "-e", f"trace={calls}",
            "-e", f"inject={calls}:signal=SIGKILL:when={nth}", *command]


class _Rounds:
    """What the rounds share: every ``ok`` so far (in-flight steps of earlier cuts as ``maybe``)."""

    def __init__(self, report: HarnessReport, log, seen_as: tuple[str, str] | None = None,
                 keep_logs: Path | None = None):
        self.report, self.log = report, log
        self.keep_logs = keep_logs  # each round's child output is kept here (to see what a failure did)
        self.seen_as = seen_as  # (the mount point, the backing folder): the checks read the latter
        self.reported: list[dict] = []
        self.cuts_during: dict[str, int] = {}

    def start_child(self, command: list[str]):
        env = os.environ | {"PYTHONUNBUFFERED": "1", "QT_QPA_PLATFORM": "offscreen"}
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   encoding="utf-8", env=env)
        lines: list[str] = []
        errors: list[str] = []
        threads = [threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True),
                   threading.Thread(target=_reader, args=(process.stderr, errors), daemon=True)]
        for thread in threads:
            thread.start()
        return process, lines, errors, threads

    @staticmethod
    def wait_ready(process, lines: list[str], delay: float) -> None:
        deadline = time.monotonic() + 60
        while not any('"ready"' in line for line in list(lines)) and process.poll() is None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.005)
        time.sleep(delay)

    def settle(self, number: int, what: str, data_dir: Path, lines: list[str], errors: list[str],
               exited: int | None) -> None:
        """Read the child's messages, check the folder, and log the round."""
        report = self.report
        report.kills += 1
        if self.keep_logs is not None:
            self.keep_logs.mkdir(parents=True, exist_ok=True)
            (self.keep_logs / f"{number:04d}.out").write_text("".join(lines) + "".join(errors)[-5000:])
        messages = []
        for line in lines:
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut by the kill was never reported
            for key in ("path", "folder"):
                if self.seen_as and str(message.get(key, "")).startswith(self.seen_as[0]):
                    message[key] = self.seen_as[1] + message[key][len(self.seen_as[0]):]
            messages.append(message)
        if not any(m.get("event") == "ready" for m in messages):
            report.kills_before_ready += 1
        if exited is not None:
            report.child_errors += 1
            report.problems.append(f"{what} {number}: the child stopped by itself ({exited}): "
                                   + "".join(errors)[-2000:])
        in_flight = None
        for message in messages:
            if message.get("event") == "start":
                in_flight = message
            elif message.get("event") == "ok":
                in_flight = None
                self.reported.append(message)
                report.operations_reported += 1
                report.operations_by_kind[message["op"]] = report.operations_by_kind.get(message["op"], 0) + 1
            elif message.get("event") == "refused":
                in_flight = None
                report.refusals += 1
        if in_flight is not None:
            op = in_flight["op"].split(".")[0]
            self.cuts_during[op] = self.cuts_during.get(op, 0) + 1
        else:
            self.cuts_during["between"] = self.cuts_during.get("between", 0) + 1
        ran = {m["op"] for m in messages if m.get("event") == "start"}
        for group, ops in ROUND_GROUPS.items():
            if ran & set(ops):
                self.cuts_during[group] = self.cuts_during.get(group, 0) + 1
        began = time.monotonic()
        check = check_data_dir(data_dir, self.reported, in_flight, self.cuts_during)
        report.check_seconds += time.monotonic() - began
        for entry in self.reported:
            entry["checked"] = True
        if in_flight is not None:  # from now on, either outcome of it is right
            self.reported.append(in_flight | {"maybe": True})
            if check.in_flight == "all":
                report.in_flight_all += 1
            else:
                report.in_flight_nothing += 1
        report.operations_verified = check.operations_verified
        report.fields_compared = check.fields_compared
        report.operations_checked_total += check.operations_verified
        report.fields_compared_total += check.fields_compared
        report.leftovers = check.leftovers
        if check.problems:
            report.failures += len(check.problems)
            report.problems.extend(f"{what} {number}: {p}" for p in check.problems)
        self.log(f"{what} {number}: {report.operations_reported} operations reported so far, "
                 f"{check.operations_verified} checked, {check.fields_compared} fields, "
                 f"in flight: {in_flight['op'] if in_flight else '-'} ({check.in_flight or '-'}), "
                 f"{len(check.problems)} problems" + (f" — {check.problems[:2]}" if check.problems else ""))


def _stop(process, threads) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait()
    for thread in threads:
        thread.join(5)


def run(data_dir: Path, *, kills: int, seed: int, max_delay: float = 5.0, at_sync: str | None = None,
        log=print, broken: str | None = None) -> HarnessReport:
    """Kill the child ``kills`` times; check the folder after each kill.

    ``at_sync`` (``fdatasync``, ``fsync`` or ``rename``): instead of at a random moment, kill
    round k's child at its k-th such call, so every sync point of a run is hit in turn."""
    rng = random.Random(seed)
    report = HarnessReport()
    rounds = _Rounds(report, log)
    began = time.monotonic()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    for number in range(kills):
        child_seed = rng.randrange(1 << 30)
        process, lines, errors, threads = rounds.start_child(
            _child_command(data_dir, child_seed, at_sync, number + 1, broken))
        early = rng.random() < 0.15
        if at_sync is not None:  # strace kills it at the chosen call
            try:
                process.wait(timeout=TARGETED_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                pass
        elif early:  # during start-up: imports, migrations, opening the database
            time.sleep(rng.uniform(0.0, 1.5))
        else:
            rounds.wait_ready(process, lines, rng.uniform(0.0, max_delay))
        exited = process.poll()
        if at_sync is not None and exited == -signal.SIGKILL:
            exited = None  # killed where it was meant to be
        _stop(process, threads)
        rounds.settle(number + 1, "kill", data_dir, lines, errors, exited)
    report.seconds = time.monotonic() - began
    return report


# ---------------------------------------------------------------------------- power cuts


def _mount(backing: Path, mountpoint: Path, cut_at_sync: int):
    command = [sys.executable, str(POWER_CUT_FS), str(backing), str(mountpoint),
               "--ignore-pid", str(os.getpid())] + (["--cut-at-sync", str(cut_at_sync)] if cut_at_sync else [])
    fs = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not os.path.ismount(mountpoint):
        if fs.poll() is not None or time.monotonic() > deadline:
            out, err = fs.communicate(timeout=5) if fs.poll() is not None else ("", "")
            raise RuntimeError(f"power_cut_fs did not mount {mountpoint}: {err.strip()[-500:]}")
        time.sleep(0.02)
    return fs


def _unmount(fs, mountpoint: Path) -> dict:
    """Unmount (the cut: the file system takes back what was not synced as it exits)."""
    for _ in range(100):
        done = subprocess.run(["fusermount3", "-u", str(mountpoint)], capture_output=True, text=True)
        if done.returncode == 0:
            break
        time.sleep(0.05)
    else:
        subprocess.run(["fusermount3", "-u", "-z", str(mountpoint)], capture_output=True)
    out, err = fs.communicate(timeout=60)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if fs.returncode != 0 or not lines:
        raise RuntimeError(f"power_cut_fs failed ({fs.returncode}): {err.strip()[-1000:]}")
    return json.loads(lines[-1])


def _one_cut(rounds: _Rounds, backing: Path, mountpoint: Path, number: int, what: str, *, child_seed: int,
             sync_call: int, wait: float | None, broken: str | None) -> None:
    """Mount, run the child, cut (at its ``sync_call``-th sync, else after ``wait`` s, or once it is
    ready when ``wait`` is negative: ``-wait`` s later), then check the durable state."""
    fs = _mount(backing, mountpoint, sync_call)
    exited, lines, errors = None, [], []
    try:
        process, lines, errors, threads = rounds.start_child(
            _child_command(mountpoint / "data", child_seed, None, 0, broken))
        if sync_call:  # the file system kills it at the chosen sync call
            try:
                process.wait(timeout=TARGETED_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                pass
        elif wait is not None and wait >= 0:  # during start-up
            time.sleep(wait)
        else:
            rounds.wait_ready(process, lines, -(wait or 0.0))
        exited = process.poll()
        if exited == -signal.SIGKILL and sync_call:
            exited = None
        _stop(process, threads)
    finally:
        figures = _unmount(fs, mountpoint)
    if sync_call:
        rounds.report.cuts_at_sync += 1
        if figures.get("cut_at_sync") is None and exited is None:
            rounds.report.problems.append(f"{what} {number}: sync call {sync_call} was never reached")
            rounds.report.failures += 1
    rounds.settle(number, what, backing / "data", lines, errors, exited)


def power_cuts(scratch: Path, *, cuts: int, seed: int, cut_at: str = "both", max_delay: float = 4.0,
               log=print, broken: str | None = None, early: float = 0.15, min_delay: float = 0.0,
               install_cuts: int = 0) -> HarnessReport:
    """Run the child on ``power_cut_fs`` and cut the power ``cuts`` times; check after each cut.

    ``cut_at``: ``random`` (a random moment ``min_delay``..``max_delay`` s after the child is ready,
    or, for a share ``early`` of them, during its start-up), ``sync`` (round k at the child's k-th
    sync call), or ``both`` (alternately). Opening an existing folder syncs nothing, so the first
    start's sync points (key, database, schema, anchor) get ``install_cuts`` rounds of their own:
    round k on a new folder, cut at its k-th sync call, then checked (the app must open it)."""
    rng = random.Random(seed)
    report = HarnessReport()
    began = time.monotonic()
    for k in range(1, install_cuts + 1):
        fresh = scratch / f"install-{k}"
        (fresh / "backing").mkdir(parents=True, exist_ok=True)
        (fresh / "mnt").mkdir(exist_ok=True)
        rounds = _Rounds(report, log, (str(fresh / "mnt"), str(fresh / "backing")))
        _one_cut(rounds, fresh / "backing", fresh / "mnt", k, "install cut", child_seed=rng.randrange(1 << 30),
                 sync_call=k, wait=None, broken=broken)
        shutil.rmtree(fresh, ignore_errors=True)
    backing, mountpoint = scratch / "backing", scratch / "mnt"
    rounds = _Rounds(report, log, (str(mountpoint), str(backing)), keep_logs=scratch / "child-logs")
    backing.mkdir(parents=True, exist_ok=True)
    mountpoint.mkdir(parents=True, exist_ok=True)
    sync_round = 0
    for number in range(cuts):
        child_seed = rng.randrange(1 << 30)
        at_sync = cut_at == "sync" or (cut_at == "both" and number % 2 == 1)
        sync_round += at_sync
        wait = None
        if not at_sync:  # during start-up (it takes about half a second), or so long after "ready"
            wait = rng.uniform(0.0, 0.6) if rng.random() < early else -rng.uniform(min_delay, max_delay)
        _one_cut(rounds, backing, mountpoint, number + 1, "cut", child_seed=child_seed,
                 sync_call=sync_round if at_sync else 0, wait=wait, broken=broken)
    report.seconds = time.monotonic() - began
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--power-cuts", type=int, default=0, metavar="N",
                        help="cut the power N times (FUSE) instead of killing")
    parser.add_argument("--cut-at", choices=("random", "sync", "both"), default="both",
                        help="power cuts: at random moments, at the k-th sync call, or alternately")
    parser.add_argument("--install-cuts", type=int, default=10, metavar="M",
                        help="power cuts: first, M new installations cut at their 1st..M-th sync call")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=5.0, help="longest wait before a kill, in seconds")
    parser.add_argument("--data-dir", type=Path, help="the folder to use (default: a new temporary one); "
                        "with --power-cuts, the scratch folder for the backing folder and the mount point")
    parser.add_argument("--at-sync", choices=sorted(SYNC_CALLS),
                        help="kill round k's child at its k-th call of this (strace), not at a random moment")
    parser.add_argument("--broken", choices=("no-sync", "sync-normal"),
                        help="run a deliberately broken child: no fsync and synchronous=OFF, or "
                             "synchronous=NORMAL (a WAL commit is not synced until a checkpoint)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.data_dir, args.seed, args.broken)
        return 0
    with tempfile.TemporaryDirectory(prefix="meso-crash-") as scratch:
        if args.power_cuts:
            folder = args.data_dir or Path(scratch)
            report = power_cuts(folder, cuts=args.power_cuts, seed=args.seed, cut_at=args.cut_at,
                                max_delay=min(args.max_delay, 4.0), broken=args.broken,
                                install_cuts=args.install_cuts)
            what = "power cuts"
        else:
            data_dir = args.data_dir or Path(scratch) / "data"
            report = run(data_dir, kills=args.kills, seed=args.seed, max_delay=args.max_delay,
                         at_sync=args.at_sync, broken=args.broken)
            what = "kills"
        if args.power_cuts and not args.data_dir:
            shutil.rmtree(Path(scratch) / "backing", ignore_errors=True)
    print(report.summary(what))
    for problem in report.problems[:20]:
        print("  " + problem)
    if args.json:
        args.json.write_text(json.dumps(asdict(report) | {"ok": report.ok}, indent=2))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
