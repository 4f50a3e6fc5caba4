"""Crash harness: SIGKILL a process driving the real services at random moments, then check.

    python benchmarks/crash_harness.py [--kills 100] [--seed 1] [--at-sync fdatasync|fsync|rename]
                                       [--data-dir DIR] [--json FILE]

A child process opens the installation with ``open_kiosk`` and loops over the kiosk's
real use cases — registering patients, autosaving intake answers, signing consents
(countersigned with a consultant's PIN), recording and closing treatment sessions and
exporting sealed PDFs. It prints ``start`` before each operation and ``ok`` with what
was stored only after the call returned (flushed), as a user would see "saved".
The parent kills it with SIGKILL at a random moment (seeded), reopens the data folder
and checks:

- ``PRAGMA integrity_check`` is ``ok`` and ``PRAGMA foreign_key_check`` is empty;
- every operation reported ``ok`` is in the database as reported (an answer may only
  have been replaced by the operation in flight when the kill came);
- the HMAC-chained audit log verifies;
- every consent has the patient's and the consultant's signature rows and verifies;
- every ``documents`` row names an existing file whose SHA-256 matches, and no row
  names a temporary file.

Then it starts the child again on the same folder, so damage would accumulate.

With ``--at-sync CALL`` the kills are targeted instead: the k-th child runs under strace, which
kills it on entering its k-th ``fdatasync`` (or ``fsync``, or ``rename``), so the kills walk
through the sync points of a run in turn (SIGKILL leaves the page cache: this finds ordering
mistakes, such as a record committed before the rows it needs, not lost fsyncs).
Exit status 0 when every check held after every kill; the figures are printed (and
written as JSON with ``--json``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HARNESS_PIN = "739184"
INTAKE_TEXT_PATH = "medical.medications"
INTAKE_NUMBER_PATH = "complaint.duration_months"
OPERATIONS = ("patient", "intake", "consent", "session", "export")
WEIGHTS = (3, 6, 2, 2, 2)


# ---------------------------------------------------------------------------- the child


def _letters(number: int) -> str:
    """A number spelled in letters (names take letters only): 0 -> "a", 27 -> "bb"."""
    word = ""
    while True:
        number, digit = divmod(number, 26)
        word = "abcdefghijklmnopqrstuvwxyz"[digit] + word
        if not number:
            return word


def _say(**message: object) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=True) + "\n")
    sys.stdout.flush()


def _consultant(kiosk) -> int:
    """The countersigning consultant (created with its PIN in one transaction on the first run)."""
    from meso_kiosk.store.consultants import insert_consultant

    row = kiosk.store.conn.execute(
        "SELECT min(id) FROM consultants WHERE pin_hash IS NOT NULL").fetchone()
    if row[0] is not None:
        return int(row[0])
    with kiosk.store.write("harness") as tx:
        consultant = insert_consultant(tx, "Dr Harness Countersigner")
        kiosk.accounts.set_initial_pin(tx, consultant.id, HARNESS_PIN)
    return consultant.id


def child(data_dir: Path, seed: int) -> None:
    """Drive the services forever (until killed)."""
    from argon2 import PasswordHasher

    from meso_kiosk.domain.errors import ValidationError
    from meso_kiosk.services.demo_consents import synthetic_signature
    from meso_kiosk.services.kiosk import open_kiosk

    rng = random.Random(seed)
    kiosk = open_kiosk(data_dir, pin_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    consultant_id = _consultant(kiosk)
    conn = kiosk.store.conn
    patients = [row[0] for row in conn.execute("SELECT id FROM patients ORDER BY id")]
    consented = {pid for pid in patients if kiosk.consents.current(pid) is not None}
    _say(event="ready", pid=os.getpid())
    counter = 0
    while True:
        counter += 1
        tag = f"{seed}-{counter}"
        op = rng.choices(OPERATIONS, WEIGHTS)[0]
        if not patients or (op != "patient" and rng.random() < 0.1):
            op = "patient"
        if op in ("session", "export") and not consented:
            op = "consent"
        if op == "patient":
            given, family = "Crash", f"Harness {_letters(seed)}-{_letters(counter)}"
            _say(event="start", op=op, family=family)
            patient = kiosk.patients.register(
                {"given_name": given, "family_name": family, "date_of_birth": "1985-06-15"}, "harness")
            patients.append(patient.id)
            _say(event="ok", op=op, patient=patient.id, family=family)
        elif op == "intake":
            patient_id = rng.choice(patients)
            if rng.random() < 0.5:
                path, value = INTAKE_TEXT_PATH, f"Medication {tag} ✓ «ok»"
            else:
                path, value = INTAKE_NUMBER_PATH, str(rng.randint(1, 400))
            _say(event="start", op=op, patient=patient_id, path=path, value=value)
            record = kiosk.intake.save_answer(patient_id, path, value, "harness")
            _say(event="ok", op=op, patient=patient_id, path=path, value=value, intake=record.id)
        elif op == "consent":
            patient_id = rng.choice(patients)
            template = kiosk.consents.template_for("en")
            _say(event="start", op=op, patient=patient_id)
            record = kiosk.consents.sign(
                patient_id, language="en", version=template.version, shown_text_sha256=template.text_sha256,
                checklist={item.id: True for item in template.checklist}, photo_consent=False,
                signature=synthetic_signature(tag).to_data(),
                consultant_id=consultant_id, consultant_pin=HARNESS_PIN,
            )
            consented.add(patient_id)
            _say(event="ok", op=op, patient=patient_id, consent=record.id)
        elif op == "session":
            patient_id = rng.choice(sorted(consented))
            started = datetime.now(timezone.utc).replace(second=0, microsecond=0) - timedelta(minutes=40)
            form = {
                "started_at": started, "consultant_id": str(consultant_id), "technique": "chemical_syringe",
                "numbing": "none",
                "zones": {"vertex": {"injections": rng.randint(5, 30), "depth_mm": 2.5, "volume_ml": 1.5}},
                "products": [{"name": "Peptide hair complex", "lot": f"PX-{counter}", "expiry": "2099-03"}],
                "duration_min": 30, "side_effects": ["redness"], "notes": f"Harness {tag}",
            }
            _say(event="start", op=op, patient=patient_id)
            try:
                draft = kiosk.sessions.start(patient_id, "harness")
                kiosk.sessions.save_draft(patient_id, form | {"session_id": draft.session_id}, "harness")
                closed = kiosk.sessions.close(patient_id, form | {"session_id": draft.session_id}, "harness")
            except ValidationError as error:  # a refusal is an answer, not a crash: report it
                _say(event="refused", op=op, patient=patient_id, reason=str(error)[:200])
                continue
            _say(event="ok", op=op, patient=patient_id, session=closed.session.session_id)
        elif op == "export":
            patient_id = rng.choice(sorted(consented))
            _say(event="start", op=op, patient=patient_id)
            exported = kiosk.export.export_pdf(patient_id, "harness")
            _say(event="ok", op=op, patient=patient_id, document=exported.record.id,
                 path=exported.record.path, sha256=exported.sha256)


# ---------------------------------------------------------------------------- the checks


@dataclass
class CheckResult:
    operations_verified: int = 0
    problems: list[str] = field(default_factory=list)
    orphan_files: int = 0      # finished files in exports/ no documents row names (harmless, reported)
    temp_files: int = 0        # leftover *.tmp files (never presented as documents)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_data_dir(data_dir: Path, reported: list[dict], in_flight: dict | None) -> CheckResult:
    """Reopen ``data_dir`` after a kill and check everything the module docstring lists."""
    from argon2 import PasswordHasher

    from meso_kiosk.services.kiosk import open_kiosk

    result = CheckResult()
    database = data_dir / "meso.db"
    if not database.exists():
        if reported:
            result.problems.append("the database is gone but operations were reported")
        return result
    raw = sqlite3.connect(str(database))
    try:
        integrity = [row[0] for row in raw.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            result.problems.append(f"integrity_check: {integrity[:3]}")
        foreign = raw.execute("PRAGMA foreign_key_check").fetchall()
        if foreign:
            result.problems.append(f"foreign_key_check: {foreign[:3]}")
    finally:
        raw.close()
    kiosk = open_kiosk(data_dir, pin_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    try:
        conn = kiosk.store.conn
        audit = kiosk.store.verify_audit()
        if not audit.ok:
            result.problems.append(f"audit chain broken at row {audit.first_broken_id}: {audit.reason}")
        _check_reported(kiosk, reported, in_flight, result)
        # No consent without its signatures, and every stored record verifies.
        for (consent_id,) in conn.execute("SELECT id FROM consents ORDER BY id").fetchall():
            roles = {row[0] for row in conn.execute("SELECT role FROM signatures WHERE consent_id = ?", (consent_id,))}
            if not {"patient", "consultant"} <= roles:
                result.problems.append(f"consent {consent_id} lacks signatures (has {sorted(roles)})")
                continue
            problems = kiosk.consents.verify(kiosk.consents.get(consent_id))
            if problems:
                result.problems.append(f"consent {consent_id} does not verify: {problems}")
        # No document row without its intact file; no temp file presented as a document.
        named = set()
        for doc_id, path, sha in conn.execute("SELECT id, path, sha256 FROM documents ORDER BY id").fetchall():
            file = Path(path) if Path(path).is_absolute() else data_dir / path
            named.add(file.resolve())
            if file.name.endswith(".tmp") or file.name.startswith("."):
                result.problems.append(f"document {doc_id} names a temporary file {path}")
            if not file.is_file():
                result.problems.append(f"document {doc_id}: file {path} is missing")
            elif _sha256(file) != sha:
                result.problems.append(f"document {doc_id}: file {path} does not match its SHA-256")
        exports = data_dir / "exports"
        for file in exports.iterdir() if exports.is_dir() else ():
            if file.name.endswith(".tmp"):
                result.temp_files += 1
            elif file.resolve() not in named:
                result.orphan_files += 1
    finally:
        kiosk.close()
    return result


def _check_reported(kiosk, reported: list[dict], in_flight: dict | None, result: CheckResult) -> None:
    conn = kiosk.store.conn
    last_answer: dict[tuple[int, str], set[str]] = {}
    for entry in reported:
        op = entry["op"]
        if entry.get("maybe"):  # in flight at an earlier kill: it may or may not have been saved
            if op == "intake":  # ... so the answer before it (None when it was the first) still counts
                last_answer.setdefault((entry["patient"], entry["path"]), {None}).add(entry["value"])
            continue
        ok = True
        if op == "patient":
            row = conn.execute("SELECT family_name FROM patients WHERE id = ?", (entry["patient"],)).fetchone()
            ok = row is not None and row[0] == entry["family"]
        elif op == "intake":
            last_answer[(entry["patient"], entry["path"])] = {entry["value"]}
            ok = conn.execute("SELECT 1 FROM intakes WHERE id = ?", (entry["intake"],)).fetchone() is not None
        elif op == "consent":
            row = conn.execute("SELECT patient_id FROM consents WHERE id = ?", (entry["consent"],)).fetchone()
            ok = row is not None and row[0] == entry["patient"]
        elif op == "session":
            row = conn.execute("SELECT patient_id, status FROM treatment_sessions WHERE id = ?",
                               (entry["session"],)).fetchone()
            ok = row is not None and tuple(row) == (entry["patient"], "closed")
        elif op == "export":
            row = conn.execute("SELECT path, sha256 FROM documents WHERE id = ?", (entry["document"],)).fetchone()
            ok = row is not None and tuple(row) == (entry["path"], entry["sha256"])
        if ok:
            result.operations_verified += 1
        else:
            result.problems.append(f"reported {op} is missing or different: {entry}")
    for (patient_id, path), values in last_answer.items():
        intake = kiosk.intake.latest_intake(patient_id)
        stored = None if intake is None else intake.answer(path)
        allowed = set(values)
        if in_flight and in_flight.get("op") == "intake" and (in_flight["patient"], in_flight["path"]) == (patient_id, path):
            allowed.add(in_flight["value"])
        # Compare as the service cleans them (numbers are stored as numbers).
        expected = {str(None if v is None else kiosk.intake.validate(path, v)) for v in allowed}
        if str(stored) not in expected:
            result.problems.append(f"intake answer {path} of patient {patient_id} is {stored!r}, "
                                   f"reported {sorted(values, key=str)!r}")


# ---------------------------------------------------------------------------- the parent


@dataclass
class HarnessReport:
    kills: int = 0
    kills_before_ready: int = 0
    operations_reported: int = 0
    operations_verified: int = 0
    refusals: int = 0
    failures: int = 0
    child_errors: int = 0
    orphan_files: int = 0
    temp_files: int = 0
    operations_by_kind: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failures == 0 and self.child_errors == 0

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.operations_by_kind.items()))
        return (f"crash harness: {self.kills} kills ({self.kills_before_ready} during start-up), "
                f"{self.operations_reported} operations reported ({kinds}), {self.operations_verified} verified "
                f"after the kills, {self.refusals} refusals, {self.failures} failed checks, "
                f"{self.child_errors} child errors; left behind: {self.orphan_files} unrecorded export files, "
                f"{self.temp_files} temp files; {self.seconds:.0f} s")


def _reader(stream, lines: list[str]) -> None:
    for line in stream:
        lines.append(line)


# Where a targeted kill may land (``--at-sync``): strace counts each system call apart.
SYNC_CALLS = {"fdatasync": "fdatasync", "fsync": "fsync", "rename": "rename,renameat,renameat2"}
# A child that never reaches its Nth such call (it waits on nothing) is stopped after this.
TARGETED_TIMEOUT_S = 90


def _child_command(data_dir: Path, child_seed: int, at_sync: str | None, nth: int) -> list[str]:
    """The child's command line; with ``at_sync``, under strace, which kills it with SIGKILL on
    entering its ``nth`` call of that system call (before the call does anything)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--data-dir", str(data_dir),
               "--seed", str(child_seed)]
    if at_sync is None:
        return command
    calls = SYNC_CALLS[at_sync]
    return ["strace", "-f", "-qq", "-o", os.devnull, "-e", f"trace={calls}",
            "-e", f"inject={calls}:signal=SIGKILL:when={nth}", *command]


def run(data_dir: Path, *, kills: int, seed: int, max_delay: float = 5.0, at_sync: str | None = None,
        log=print) -> HarnessReport:
    """Kill the child ``kills`` times; check the folder after each kill.

    ``at_sync`` (``fdatasync``, ``fsync`` or ``rename``): instead of at a random moment, kill
    round k's child at its k-th such call, so every sync point of a run is hit in turn."""
    rng = random.Random(seed)
    report = HarnessReport()
    reported: list[dict] = []
    began = time.monotonic()
    env = os.environ | {"PYTHONUNBUFFERED": "1", "QT_QPA_PLATFORM": "offscreen"}
    for round_number in range(kills):
        child_seed = rng.randrange(1 << 30)
        lines: list[str] = []
        process = subprocess.Popen(
            _child_command(data_dir, child_seed, at_sync, round_number + 1),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env,
        )
        errors: list[str] = []
        threads = [threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True),
                   threading.Thread(target=_reader, args=(process.stderr, errors), daemon=True)]
        for thread in threads:
            thread.start()
        early = rng.random() < 0.15
        if at_sync is not None:  # strace kills it at the chosen call
            try:
                process.wait(timeout=TARGETED_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                pass
        elif early:  # during start-up: imports, migrations, opening the database
            time.sleep(rng.uniform(0.0, 1.5))
        else:
            deadline = time.monotonic() + 60
            while not any('"ready"' in line for line in list(lines)) and process.poll() is None:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, max_delay))
        exited = process.poll()
        if at_sync is not None and exited == -signal.SIGKILL:
            exited = None  # killed where it was meant to be
        if exited is None and process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait()
        for thread in threads:
            thread.join(5)
        report.kills += 1
        messages = []
        for line in lines:
            try:
                messages.append(json.loads(line))
            except json.JSONDecodeError:
                pass  # a line cut by the kill was never reported
        if not any(m.get("event") == "ready" for m in messages):
            report.kills_before_ready += 1
        if exited is not None:
            report.child_errors += 1
            report.problems.append(f"kill {round_number}: the child stopped by itself ({exited}): "
                                   + "".join(errors)[-2000:])
        in_flight = None
        for message in messages:
            if message.get("event") == "start":
                in_flight = message
            elif message.get("event") == "ok":
                in_flight = None
                reported.append(message)
                report.operations_reported += 1
                report.operations_by_kind[message["op"]] = report.operations_by_kind.get(message["op"], 0) + 1
            elif message.get("event") == "refused":
                in_flight = None
                report.refusals += 1
        check = check_data_dir(data_dir, reported, in_flight)
        if in_flight is not None:  # from now on, either outcome of it is right
            reported.append(in_flight | {"maybe": True})
        report.operations_verified = check.operations_verified
        report.orphan_files, report.temp_files = check.orphan_files, check.temp_files
        if check.problems:
            report.failures += len(check.problems)
            report.problems.extend(f"kill {round_number}: {p}" for p in check.problems)
        log(f"kill {round_number + 1}/{kills}: {report.operations_reported} operations reported so far, "
            f"{check.operations_verified} verified, {len(check.problems)} problems"
            + (f" — {check.problems[:2]}" if check.problems else ""))
    report.seconds = time.monotonic() - began
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=5.0, help="longest wait before a kill, in seconds")
    parser.add_argument("--data-dir", type=Path, help="the folder to use (default: a new temporary one)")
    parser.add_argument("--at-sync", choices=sorted(SYNC_CALLS),
                        help="kill round k's child at its k-th call of this (strace), not at a random moment")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.data_dir, args.seed)
        return 0
    with tempfile.TemporaryDirectory(prefix="meso-crash-") as scratch:
        data_dir = args.data_dir or Path(scratch) / "data"
        report = run(data_dir, kills=args.kills, seed=args.seed, max_delay=args.max_delay, at_sync=args.at_sync)
    print(report.summary())
    for problem in report.problems[:20]:
        print("  " + problem)
    if args.json:
        args.json.write_text(json.dumps(asdict(report) | {"ok": report.ok}, indent=2))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
