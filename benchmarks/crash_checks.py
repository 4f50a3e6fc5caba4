"""The crash harness's checks: the data folder after a kill or a power cut, against what the child said.

``check_data_dir(data_dir, reported, in_flight)`` reads the folder as it was left (a raw SQLite
connection first, before the app opens it and perhaps writes), then opens it with the app:

- ``PRAGMA integrity_check`` is ``ok``, ``PRAGMA foreign_key_check`` is empty, and
  ``audit-verify`` (the CLI, in-process) passes: chain, anchor, and every record's content
  against its latest audit entry — so no record was written, changed or removed without its
  audit entry, nor an entry without its record (half an operation);
- **field by field**: every audit row a step reported is there with every column equal, and
  every record a step reported (``crash_ops.snapshot``: all its rows and columns) is as reported,
  unless a later entry in the log shows a later write (a step in flight at a cut, since resolved);
- **by its inputs**: a patient's every typed field, the latest intake answer of each field (one
  of the values still possible when a step that set it was in flight), sessions closed, backups
  present with their SHA-256, a readable manifest and a whole database;
- **all or nothing** for the step in flight at this cut: it wrote every audit row of its
  transaction and the record they vouch for in full (``_in_flight``), or nothing at all;
- every consent verifies (and has its signatures), every ``documents`` row names its intact file;
- **no orphan or temporary file** anywhere under the folders the child writes, except the
  leftovers ``LEFTOVERS`` names (each with why), and only as many as cuts came during such a step.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from crash_ops import snapshot

# What a kill or a cut may leave behind by design, with why; (glob relative to the folder beside
# the data folder, steps during which a cut may leave it). Anything else unexpected fails the run.
LEFTOVERS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "export_orphan": ("data/exports/summary-*.pdf", ("export",),
                      "an export cut after its PDF was renamed into place, before its documents row "
                      "committed: never presented as issued (no row names it), never sealed twice"),
    "export_temp": ("data/exports/.summary-*.tmp", ("export",),
                    "write_atomically's temporary file of an export cut mid-write; the next export "
                    "sweeps those older than an hour (_sweep_stale_temp_files)"),
    "anchor_temp": ("data/.audit.head.*.tmp", ("*",),
                    "write_anchor's temporary file cut mid-write; read by nothing (the anchor is audit.head)"),
    "key_temp": ("data/.audit.key.*.tmp", ("*",), "the audit key's temporary file cut mid-write, before the rename"),
    "seal_temp": ("data/seal/.*.tmp", ("export",), "the seal's temporary file cut mid-write (first export)"),
    "backup_work": ("harness-*/.meso-backup-*", ("round:backups",),
                    "create_backup's work folder (a TemporaryDirectory) cut before its removal was synced; "
                    "never taken for a backup (not a .zip), and swept by a later backup once half a day old "
                    "(backup.sweep_stale_work)"),
    "restore_staging": (".data.restore-*", ("restore",),
                        "restore_backup's staging folder cut before the swap; the data folder is untouched; "
                        "swept by a later restore once half a day old (backup.sweep_stale_work)"),
    "restore_kept": ("data.before-restore-*", ("restore",),
                     "the folder a restore replaced, kept by design (README); the harness's operator "
                     "removes it once the restore is confirmed, which a cut may undo"),
    "auto_pruned": ("harness-auto/*/auto-*.zip", ("auto_backup",),
                    "an automatic backup whose step was cut: a whole, verified zip or nothing"),
    "backup_partial": ("harness-backups/*.zip", ("backup", "restore"),
                       "a backup whose step was cut: a whole, verified zip (checked) or nothing"),
}
# "round:NAME" in LEFTOVERS counts the cuts of rounds in which one of these steps ran (finished or not):
# a clean-up that was done but not yet durable comes back at a cut during a later step.
ROUND_GROUPS = {"round:backups": ("backup", "auto_backup", "restore")}
# Files that are the installation itself (relative to the data folder).
EXPECTED = ("meso.db", "meso.db-wal", "meso.db-shm", "audit.key", "audit.head", "meso-kiosk.lock", "seal/*",
            "exports/summary-*.pdf", "backups/*")


@dataclass
class CheckResult:
    operations_verified: int = 0
    fields_compared: int = 0
    records_superseded: int = 0     # a later write (a step in flight at a cut) changed them since
    in_flight: str = ""             # "all", "nothing", or "" when none was
    problems: list[str] = field(default_factory=list)
    leftovers: dict[str, int] = field(default_factory=dict)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _diff(expected, actual, where: str, result: CheckResult) -> None:
    """Compare two snapshots field by field; each difference named."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                result.problems.append(f"{where}.{key}: missing (reported {expected[key]!r:.80})")
            elif key not in expected:
                result.problems.append(f"{where}.{key}: not reported, found {actual[key]!r:.80}")
            else:
                _diff(expected[key], actual[key], f"{where}.{key}", result)
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            result.problems.append(f"{where}: {len(actual)} rows, reported {len(expected)}")
        for number, (one, other) in enumerate(zip(expected, actual)):
            _diff(one, other, f"{where}[{number}]", result)
    else:
        result.fields_compared += 1
        if expected != actual:
            result.problems.append(f"{where}: {actual!r:.80} where {expected!r:.80} was reported")


def _backup_problem(path: Path, sha256: str | None) -> str | None:
    """None if ``path`` is a whole backup (and the reported one, when ``sha256`` is given)."""
    if not path.is_file():
        return f"backup {path.name} is missing"
    if sha256 is not None and _sha256(path) != sha256:
        return f"backup {path.name} does not match its SHA-256"
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            manifest = json.loads(archive.read("meso-kiosk-backup.json"))
            database = archive.read("meso.db")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        return f"backup {path.name} is not a whole backup: {error}"
    if bad is not None or not manifest.get("audit_head"):
        return f"backup {path.name} is damaged ({bad or 'no manifest head'})"
    with tempfile.TemporaryDirectory(prefix="meso-crash-check-") as folder:
        scratch = Path(folder) / "meso.db"
        scratch.write_bytes(database)
        conn = sqlite3.connect(str(scratch))
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                return f"backup {path.name}: its database fails integrity_check"
        finally:
            conn.close()
    return None


def check_data_dir(data_dir: Path, reported: list[dict], in_flight: dict | None,
                   cuts_during: dict[str, int] | None = None) -> CheckResult:
    """Check ``data_dir`` after a kill or cut. ``reported``: every ``ok`` message so far, in order
    (those of steps in flight at earlier cuts marked ``maybe``); ``in_flight``: the ``start`` of
    the step cut now; ``cuts_during``: op → how many cuts came during it (leftovers allowed)."""
    result = CheckResult()
    database = data_dir / "meso.db"
    if not database.exists():
        if reported:
            result.problems.append("the database is gone but operations were reported")
        return result
    try:
        _check_open(data_dir, database, reported, in_flight, cuts_during or {}, result)
    except Exception as error:  # a folder the app cannot even open is the worst outcome: a finding
        result.problems.append(f"the data folder cannot be opened: {type(error).__name__}: {error}")
    return result


def _check_open(data_dir: Path, database: Path, reported: list[dict], in_flight: dict | None,
                cuts_during: dict[str, int], result: CheckResult) -> None:
    raw = sqlite3.connect(str(database))
    try:
        integrity = [row[0] for row in raw.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            result.problems.append(f"integrity_check: {integrity[:3]}")
        foreign = raw.execute("PRAGMA foreign_key_check").fetchall()
        if foreign:
            result.problems.append(f"foreign_key_check: {foreign[:3]}")
        has_log = raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'audit_log'").fetchone() is not None
        if has_log:
            has_log = raw.execute("SELECT EXISTS (SELECT 1 FROM audit_log)").fetchone()[0]
            _check_fields(raw, reported, result)
            if in_flight is not None:
                _in_flight(raw, data_dir, in_flight, result)
        elif any(not entry.get("maybe") for entry in reported):
            result.problems.append("the database has no audit log but operations were reported")
    finally:
        raw.close()
    if has_log:  # a database cut before its first audit entry (nothing reported yet): nothing to verify
        _audit_verify(data_dir, result)
    from argon2 import PasswordHasher

    from meso_kiosk.services.kiosk import open_kiosk

    kiosk = open_kiosk(data_dir, pin_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    try:
        _check_inputs(kiosk, data_dir, reported, in_flight, result)
        named = _check_consents_and_documents(kiosk, data_dir, result)
    finally:
        kiosk.close()
    _check_files(data_dir, named, reported, in_flight, cuts_during, result)


def _audit_verify(data_dir: Path, result: CheckResult) -> None:
    """``meso-kiosk audit-verify`` as an operator would run it (in-process, its output captured)."""
    import contextlib
    import io

    from meso_kiosk.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["audit-verify", "--data-dir", str(data_dir)])
    if code != 0:
        result.problems.append(f"audit-verify exit {code}: {(err.getvalue() or out.getvalue()).strip()[:300]}")


def _check_fields(conn: sqlite3.Connection, reported: list[dict], result: CheckResult) -> None:
    """Every reported audit row and record, field by field (a record a later entry rewrote: skipped)."""
    cursor = conn.execute("SELECT * FROM audit_log ORDER BY id")
    names = [column[0] for column in cursor.description]
    log = {row[0]: dict(zip(names, row)) for row in cursor}
    last_entry: dict[str, int] = {}
    for entry_id, row in log.items():
        last_entry[f"{row['entity']}/{row['entity_id']}"] = entry_id
    latest: dict[str, tuple[dict, int, str]] = {}
    for message in reported:
        if message.get("maybe"):
            continue
        for row in message.get("audit", ()):
            if row["id"] not in log:
                result.problems.append(f"{message['op']} audit row {row['id']} ({row['action']}) is missing")
            else:
                _diff(row, log[row["id"]], f"{message['op']} audit row {row['id']}", result)
        top = max((row["id"] for row in message.get("audit", ())), default=0)
        for key, content in message.get("records", {}).items():
            latest[key] = (content, top, message["op"])
    for key, (content, top, op) in latest.items():
        if last_entry.get(key, 0) > top:
            result.records_superseded += 1  # audit-verify vouches for the later write
            continue
        entity, record = key.split("/", 1)
        _diff(content, snapshot(conn, entity, record), f"{op} {key}", result)


def _in_flight(conn: sqlite3.Connection, data_dir: Path, start: dict, result: CheckResult) -> None:
    """The step cut now: all of it or none of it."""
    op = start["op"]
    rows = conn.execute("SELECT id, entity, entity_id, action FROM audit_log WHERE id > ? ORDER BY id",
                        (start["audit_before"],)).fetchall()
    result.in_flight = "all" if rows else "nothing"
    if op == "patient":
        form = start["form"]
        found = conn.execute("SELECT given_name, family_name, date_of_birth, phone FROM patients "
                             "WHERE family_name = ?", (form["family_name"],)).fetchall()
        if bool(found) != bool(rows) or len(found) > 1:
            result.problems.append(f"patient in flight: {len(found)} rows for {len(rows)} audit entries")
        elif found and list(found[0][:3]) != [form["given_name"], form["family_name"], form["date_of_birth"]]:
            result.problems.append(f"patient in flight half-written: {found[0]} for {form}")
    elif op in ("backup", "auto_backup") or (op == "restore" and "path" in start):
        path = Path(start["path"]) if op != "auto_backup" else None
        for zip_path in ([path] if path else Path(start["folder"]).glob("auto-*.zip")):
            if zip_path.exists():
                problem = _backup_problem(zip_path, None)
                if problem:
                    result.problems.append(f"{op} in flight left half a backup: {problem}")
    for _, entity, entity_id, _ in rows:
        if entity == "consent":
            roles = {r[0] for r in conn.execute("SELECT role FROM signatures WHERE consent_id = ?", (entity_id,))}
            kind = conn.execute("SELECT kind FROM consents WHERE id = ?", (entity_id,)).fetchone()
            if kind is None or (kind[0] == "consent" and not {"patient", "consultant"} <= roles):
                result.problems.append(f"{op} in flight: consent {entity_id} without its rows ({kind}, {roles})")
        if entity == "document":
            row = conn.execute("SELECT path, sha256 FROM documents WHERE id = ?", (entity_id,)).fetchone()
            if row is None or not (data_dir / row[0]).is_file() or _sha256(data_dir / row[0]) != row[1]:
                result.problems.append(f"export in flight: document {entity_id} without its whole file")


def _check_inputs(kiosk, data_dir: Path, reported: list[dict], in_flight: dict | None, result: CheckResult) -> None:
    """What the child typed is what is stored; files the steps made are there and whole."""
    conn = kiosk.store.conn
    last_answer: dict[tuple[int, str], set] = {}
    # Typing in the window (gui_intake) cut before "saved": the page may have autosaved the field
    # emptied, or a prefix of the text (a pause between keys), as it does for a consultant.
    typed: dict[tuple[int, str], set] = {}
    for entry in reported + ([in_flight | {"maybe": True}] if in_flight else []):
        op = entry["op"]
        if entry.get("maybe"):  # in flight at this or an earlier cut: either outcome stays possible
            if op in ("intake", "gui_intake"):
                key = (entry["patient"], entry["path"])
                last_answer.setdefault(key, {None}).add(entry["value"])
                if op == "gui_intake":
                    typed.setdefault(key, set()).add(entry["value"])
            continue
        ok = True
        if op == "patient":
            row = conn.execute("SELECT given_name, family_name, date_of_birth FROM patients WHERE id = ?",
                               (entry["patient"],)).fetchone()
            form = entry["form"]
            ok = row is not None and list(row) == [form["given_name"], form["family_name"], form["date_of_birth"]]
        elif op in ("intake", "gui_intake"):
            last_answer[(entry["patient"], entry["path"])] = {entry["value"]}
            typed.pop((entry["patient"], entry["path"]), None)
        elif op == "session.close":
            row = conn.execute("SELECT patient_id, status FROM treatment_sessions WHERE id = ?",
                               (entry["session"],)).fetchone()
            ok = row is not None and tuple(row) == (entry["patient"], "closed")
        elif op == "export":
            row = conn.execute("SELECT path, sha256 FROM documents WHERE id = ?", (entry["document"],)).fetchone()
            ok = row is not None and tuple(row) == (entry["path"], entry["sha256"])
        elif op in ("backup", "auto_backup"):  # in full the first time, then its SHA-256
            problem = (_backup_problem(Path(entry["path"]), entry["sha256"]) if not entry.get("checked") else
                       None if Path(entry["path"]).is_file() and _sha256(Path(entry["path"])) == entry["sha256"]
                       else f"backup {entry['path']} is missing or changed")
            if problem:
                result.problems.append(f"reported {op}: {problem}")
                ok = False
        if ok:
            result.operations_verified += 1
        else:
            result.problems.append(f"reported {op} is missing or different: {json.dumps(entry)[:300]}")
    for (patient_id, path), values in last_answer.items():
        intake = kiosk.intake.latest_intake(patient_id)
        stored = None if intake is None else intake.answer(path)
        expected = {str(None if v is None else kiosk.intake.validate(path, v)) for v in values}
        partial = any(value.startswith(stored or "") for value in typed.get((patient_id, path), ()))
        if str(stored) not in expected and not (partial and (stored is None or isinstance(stored, str))):
            result.problems.append(f"intake answer {path} of patient {patient_id} is {stored!r}, "
                                   f"reported {sorted(values, key=str)!r}")


def _check_consents_and_documents(kiosk, data_dir: Path, result: CheckResult) -> set[Path]:
    conn = kiosk.store.conn
    for consent_id, kind in conn.execute("SELECT id, kind FROM consents ORDER BY id").fetchall():
        roles = {row[0] for row in conn.execute("SELECT role FROM signatures WHERE consent_id = ?", (consent_id,))}
        if kind == "consent" and not {"patient", "consultant"} <= roles:
            result.problems.append(f"consent {consent_id} lacks signatures (has {sorted(roles)})")
            continue
        problems = kiosk.consents.verify(kiosk.consents.get(consent_id))
        if problems:
            result.problems.append(f"{kind} {consent_id} does not verify: {problems}")
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
    return named


def _check_files(data_dir: Path, named: set[Path], reported: list[dict], in_flight: dict | None,
                 cuts_during: dict[str, int], result: CheckResult) -> None:
    """Every file under the folder beside the data folder is the installation's, a reported
    backup, or a documented leftover (no more of each kind than cuts came during such steps)."""
    outside = data_dir.parent
    known = {Path(entry["path"]).resolve() for entry in reported if entry["op"] in ("backup", "auto_backup")
             and not entry.get("maybe")}
    counts: dict[str, int] = {}
    for path in sorted(outside.rglob("*")):
        if path.is_dir() and not any(fnmatch.fnmatch(path.relative_to(outside).as_posix(), LEFTOVERS[kind][0])
                                     for kind in ("backup_work", "restore_staging", "restore_kept")):
            continue
        relative = path.relative_to(outside).as_posix()
        if any(parent.name.startswith((".meso-backup-", ".data.restore-")) or ".before-restore-" in parent.name
               for parent in path.parents):
            continue  # inside a leftover folder, counted once
        inside = relative[len("data/"):] if relative.startswith("data/") else None
        if path.resolve() in named or path.resolve() in known:
            continue
        if inside is not None and any(fnmatch.fnmatch(inside, pattern) for pattern in EXPECTED) \
                and not inside.startswith("exports/"):
            continue
        kind = next((kind for kind, (pattern, _, _) in LEFTOVERS.items() if fnmatch.fnmatch(relative, pattern)), None)
        if kind is None:
            result.problems.append(f"unexpected file {relative} (not the installation's, not reported, "
                                   "not a documented leftover)")
            continue
        counts[kind] = counts.get(kind, 0) + 1
    for kind, count in counts.items():
        _, during, why = LEFTOVERS[kind]
        allowed = (sum(n for op, n in cuts_during.items() if ":" not in op) if "*" in during
                   else sum(cuts_during.get(op, 0) for op in during))
        if count > allowed:
            result.problems.append(f"{count} {kind} leftovers ({LEFTOVERS[kind][0]}) but only {allowed} cuts "
                                   f"came during {'/'.join(during)}: {why}")
    result.leftovers = counts
