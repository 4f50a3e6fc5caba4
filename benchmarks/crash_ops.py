"""The crash harness's child: the kiosk's real use cases in a loop, each reported as it completes.

Run by ``crash_harness.py`` (``--child``), never by hand. It opens the installation with
``open_kiosk`` and draws operations from ``MIX``: registering patients, intake answers (through
the services, and typed into the real window's intake page offscreen so the GUI's autosave
writes them), consents countersigned with a PIN, consent withdrawals, sessions (started, saved
as drafts, closed: three steps), amendments of closed sessions, exported PDFs, backups, restores
(a backup made and restored over the folder), automatic backups, consultant accounts and PINs
(added, PIN reset, PIN changed by its owner, wrong PINs, switched off and on) and settings
(clinic name, idle lock, backup schedule).

Each step prints ``start`` (with its inputs and the audit log's last row before it) and, only
once the call returned, ``ok`` with what it stored: every audit row it appended and, for each
record those rows name, the record's every row and column as read back (``snapshot``). The
checks compare the data after a kill or a power cut with these, field by field.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sys
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

HARNESS_PIN = "739184"          # the harness's admin, who countersigns
OTHER_PINS = ("582931", "604817")  # the second consultant's PINs (reset to the first, changed to the second)
WRONG_PIN = "111111"
INTAKE_TEXT_PATH = "medical.medications"
INTAKE_NUMBER_PATH = "complaint.duration_months"
# op → weight. Each op may be several steps (reported apart): "session" is start, draft, close.
MIX = {"patient": 3, "intake": 5, "gui_intake": 1, "consent": 2, "withdraw": 1, "session": 2, "amend": 1,
       "export": 1, "backup": 1, "restore": 0.4, "auto_backup": 0.6, "account": 2, "settings": 1}


def _letters(number: int) -> str:
    """A number spelled in letters (names take letters only): 0 -> "a", 27 -> "bb"."""
    word = ""
    while True:
        number, digit = divmod(number, 26)
        word = "abcdefghijklmnopqrstuvwxyz"[digit] + word
        if not number:
            return word


def say(**message: object) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=True, default=str) + "\n")
    sys.stdout.flush()


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ---------------------------------------------------------------------------- what a step stored


def _plain(value: object) -> object:
    return {"sha256": hashlib.sha256(value).hexdigest()} if isinstance(value, bytes) else value


def snapshot(conn, entity: str, record: object) -> dict | None:
    """Every row and column of one audited record (as ``store.record_content`` defines it)."""
    from meso_kiosk.store.record_content import RECORDS

    parts = RECORDS.get(entity)
    if parts is None or record is None:
        return None
    key = str(record) if entity == "setting" else int(record)
    content = {}
    for part in parts:
        cursor = conn.execute(f"SELECT * FROM {part.table} WHERE {part.record} = ? ORDER BY rowid", (key,))
        names = [column[0] for column in cursor.description]
        content[part.table] = [{name: _plain(value) for name, value in zip(names, row)} for row in cursor]
    return content


def audit_rows_after(conn, after: int) -> list[dict]:
    cursor = conn.execute("SELECT * FROM audit_log WHERE id > ? ORDER BY id", (after,))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def last_audit_id(conn) -> int:
    return conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]


class Refused(Exception):
    """A service said no (a validation error): an answer, reported as ``refused``."""


# ---------------------------------------------------------------------------- the driver


class Driver:
    def __init__(self, data_dir: Path, seed: int, broken: str | None = None):
        self.data_dir = Path(data_dir)
        self.outside = self.data_dir.parent   # backups and restores' sources go beside the data folder
        self.rng = random.Random(seed)
        self.seed = seed
        self.broken = broken
        self.counter = 0
        self.run_id = os.urandom(2).hex()  # file names stay new even if a seed comes round again
        self.kiosk = None
        self.window = None

    # -- opening
    def open(self) -> None:
        from argon2 import PasswordHasher

        from meso_kiosk.services.kiosk import open_kiosk

        self.kiosk = open_kiosk(self.data_dir,
                                pin_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        if self.broken == "no-sync":  # the deliberately broken copy: nothing is ever synced
            self.kiosk.store.conn.execute("PRAGMA synchronous = OFF")
        elif self.broken == "sync-normal":  # subtler: WAL commits synced only at checkpoints
            self.kiosk.store.conn.execute("PRAGMA synchronous = NORMAL")

    def load(self) -> None:
        conn = self.kiosk.store.conn
        self.admin = self._admin()
        self.patients = [row[0] for row in conn.execute("SELECT id FROM patients ORDER BY id")]
        self.consented = {pid for pid in self.patients if self.kiosk.consents.current(pid) is not None}
        self.closed = [row[0] for row in conn.execute(
            "SELECT id FROM treatment_sessions WHERE status = 'closed' ORDER BY id")]
        row = conn.execute("SELECT min(id) FROM consultants WHERE role = 'consultant'").fetchone()
        self.other = row[0]

    def _admin(self) -> int:
        """The harness's admin and countersigner (made with its PIN in one transaction on the first run)."""
        from meso_kiosk.store.consultants import insert_consultant

        row = self.kiosk.store.conn.execute(
            "SELECT min(id) FROM consultants WHERE pin_hash IS NOT NULL AND role = 'admin'").fetchone()
        if row[0] is not None:
            return int(row[0])
        with self.kiosk.store.write("harness") as tx:
            consultant = insert_consultant(tx, "Dr Harness Countersigner", "admin")
            self.kiosk.accounts.set_initial_pin(tx, consultant.id, HARNESS_PIN)
        return consultant.id

    # -- reporting
    @contextmanager
    def step(self, op: str, **inputs):
        """``start`` now; ``ok`` with the audit rows and records written once the body returned."""
        before = last_audit_id(self.kiosk.store.conn)
        say(event="start", op=op, audit_before=before, **inputs)
        extra: dict = {}
        try:
            yield extra
        except Refused as refused:
            say(event="refused", op=op, reason=str(refused)[:200])
            raise
        conn = self.kiosk.store.conn
        rows = audit_rows_after(conn, before)
        records = {}
        for row in rows:
            content = snapshot(conn, row["entity"], row["entity_id"])
            if content is not None:
                records[f"{row['entity']}/{row['entity_id']}"] = content
        say(event="ok", op=op, **inputs, **extra, audit=rows, records=records)

    # -- the loop
    def run_forever(self) -> None:
        self.open()
        self.load()
        say(event="ready", pid=os.getpid())
        names, weights = list(MIX), list(MIX.values())
        while True:
            self.counter += 1
            op = self.rng.choices(names, weights)[0]
            if not self.patients or (op != "patient" and self.rng.random() < 0.05):
                op = "patient"
            if op in ("session", "export", "withdraw") and not self.consented:
                op = "consent"
            if op == "amend" and not self.closed:
                op = "session"
                if not self.consented:
                    op = "consent"
            try:
                getattr(self, f"op_{op}")(f"{self.seed}-{self.counter}-{self.run_id}")
            except Refused:
                pass

    def _call(self, function, *args, **kwargs):
        from meso_kiosk.domain.errors import ValidationError

        try:
            return function(*args, **kwargs)
        except ValidationError as error:
            raise Refused(str(error)) from None

    # -- the operations
    def op_patient(self, tag: str) -> None:
        form = {"given_name": "Crash", "family_name": f"Harness {_letters(self.seed)}-{_letters(self.counter)}",
                "date_of_birth": f"19{self.rng.randint(40, 99)}-0{self.rng.randint(1, 9)}-1{self.rng.randint(0, 9)}",
                "phone": f"+33 6 {self.rng.randint(10, 99)} {self.rng.randint(10, 99)} 00 00"}
        with self.step("patient", form=form) as extra:
            patient = self._call(self.kiosk.patients.register, form, "harness")
            extra["patient"] = patient.id
        self.patients.append(patient.id)

    def op_intake(self, tag: str) -> None:
        patient_id = self.rng.choice(self.patients)
        if self.rng.random() < 0.5:
            path, value = INTAKE_TEXT_PATH, f"Medication {tag} ✓ «ok»"
        else:
            path, value = INTAKE_NUMBER_PATH, str(self.rng.randint(1, 400))
        with self.step("intake", patient=patient_id, path=path, value=value) as extra:
            record = self._call(self.kiosk.intake.save_answer, patient_id, path, value, "harness")
            extra["intake"] = record.id

    def op_gui_intake(self, tag: str) -> None:
        from crash_gui import type_intake_answer

        patient_id = self.rng.choice(self.patients)
        value = f"Typed {tag}"
        with self.step("gui_intake", patient=patient_id, path=INTAKE_TEXT_PATH, value=value):
            self.window = type_intake_answer(self, patient_id, INTAKE_TEXT_PATH, value)

    def _sign(self, patient_id: int, tag: str):
        from meso_kiosk.services.demo.signature import synthetic_signature

        template = self.kiosk.consents.template_for("en")
        return self._call(
            self.kiosk.consents.sign, patient_id, language="en", version=template.version,
            shown_text_sha256=template.text_sha256, checklist={item.id: True for item in template.checklist},
            photo_consent=self.rng.random() < 0.5, signature=synthetic_signature(tag).to_data(),
            consultant_id=self.admin, consultant_pin=HARNESS_PIN)

    def op_consent(self, tag: str) -> None:
        patient_id = self.rng.choice(self.patients)
        with self.step("consent", patient=patient_id) as extra:
            extra["consent"] = self._sign(patient_id, tag).id
        self.consented.add(patient_id)

    def op_withdraw(self, tag: str) -> None:
        patient_id = self.rng.choice(sorted(self.consented))
        reason = f"Changed their mind {tag}"
        with self.step("withdraw", patient=patient_id, reason=reason) as extra:
            record = self._call(self.kiosk.consents.withdraw, patient_id, channel="phone", consultant_id=self.admin,
                                consultant_pin=HARNESS_PIN, reason=reason)
            extra["consent"] = record.id
        self.consented.discard(patient_id)

    def _session_form(self, tag: str, started: datetime) -> dict:
        return {
            "started_at": started, "consultant_id": str(self.admin), "technique": "chemical_syringe",
            "numbing": "none",
            "zones": {"vertex": {"injections": self.rng.randint(5, 30), "depth_mm": 2.5, "volume_ml": 1.5}},
            "products": [{"name": "Peptide hair complex", "lot": f"PX-{tag}", "expiry": "2099-03"}],
            "duration_min": self.rng.randint(20, 45), "side_effects": ["redness"], "notes": f"Harness {tag}",
        }

    def op_session(self, tag: str) -> None:
        patient_id = self.rng.choice(sorted(self.consented))
        started = datetime.now(timezone.utc).replace(second=0, microsecond=0) - timedelta(minutes=40)
        form = self._session_form(tag, started)
        with self.step("session.start", patient=patient_id) as extra:
            draft = self._call(self.kiosk.sessions.start, patient_id, "harness")
            extra["session"] = draft.session_id
        form["session_id"] = draft.session_id
        with self.step("session.draft", patient=patient_id, session=draft.session_id):
            self._call(self.kiosk.sessions.save_draft, patient_id, form, "harness")
        with self.step("session.close", patient=patient_id, session=draft.session_id):
            self._call(self.kiosk.sessions.close, patient_id, form, "harness")
        self.closed.append(draft.session_id)

    def op_amend(self, tag: str) -> None:
        session_id = self.rng.choice(self.closed)
        started = self.kiosk.store.conn.execute(
            "SELECT started_at FROM treatment_sessions WHERE id = ?", (session_id,)).fetchone()[0]
        form = self._session_form(tag, datetime.fromisoformat(started))
        reason = f"Corrected the count {tag}"
        with self.step("amend", session=session_id, reason=reason) as extra:
            extra["amendment"] = self._call(self.kiosk.sessions.amend, session_id, form, reason, "harness").id

    def op_export(self, tag: str) -> None:
        patient_id = self.rng.choice(sorted(self.consented))
        with self.step("export", patient=patient_id) as extra:
            exported = self.kiosk.export.export_pdf(patient_id, "harness")
            extra.update(document=exported.record.id, path=exported.record.path, sha256=exported.sha256)

    def _backup(self, name: str, op: str) -> Path:
        from meso_kiosk.services.backup import create_backup

        out = self.outside / "harness-backups" / name
        with self.step(op, path=str(out)) as extra:
            report = create_backup(self.kiosk, out)
            extra.update(sha256=sha256_file(report.path), patients=report.patients, audit_rows=report.audit_rows)
        return out

    def op_backup(self, tag: str) -> None:
        self._backup(f"backup-{tag}.zip", "backup")

    def op_restore(self, tag: str) -> None:
        """Back up, then restore that backup over the folder (nothing is lost: nothing was written
        between), as an operator would after a scare; then the kiosk opens the restored folder."""
        from meso_kiosk.services.backup import restore_backup
        from meso_kiosk.services.files import sync_folder

        archive = self._backup(f"restore-{tag}.zip", "backup")
        self.close_window()
        before = last_audit_id(self.kiosk.store.conn)
        say(event="start", op="restore", audit_before=before, path=str(archive))
        self.kiosk.close()
        message = restore_backup(archive, self.data_dir, replace=True)
        self.open()
        for kept in self.outside.glob(f"{self.data_dir.name}.before-restore-*"):
            shutil.rmtree(kept)  # the operator clears the kept copy once the restore is done ...
        sync_folder(self.outside)  # ... for good, before the step is reported
        conn = self.kiosk.store.conn
        rows = audit_rows_after(conn, before)
        say(event="ok", op="restore", path=str(archive), message=message[:300], audit=rows,
            records={f"{r['entity']}/{r['entity_id']}": snapshot(conn, r["entity"], r["entity_id"])
                     for r in rows if snapshot(conn, r["entity"], r["entity_id"]) is not None})

    def op_auto_backup(self, tag: str) -> None:
        from meso_kiosk.services.backup import auto_backup_if_due, configure_auto_backup

        folder = self.outside / "harness-auto" / tag  # a new folder each time: "due" again today
        with self.step("settings.auto_backup", folder=str(folder)):
            self._call(configure_auto_backup, self.kiosk, "harness", daily=True, keep=2, folder=str(folder))
        with self.step("auto_backup", folder=str(folder)) as extra:
            report = auto_backup_if_due(self.kiosk)
            extra.update(path=str(report.path), sha256=sha256_file(report.path))

    def op_account(self, tag: str) -> None:
        accounts = self.kiosk.accounts
        if self.other is None or self.rng.random() < 0.15:
            name = f"Dr Second {_letters(self.counter)}"
            with self.step("account.add", name=name) as extra:
                extra["consultant"] = self._call(accounts.add_consultant, self.admin, HARNESS_PIN, name,
                                                 OTHER_PINS[0]).id
            self.other = self.other or extra["consultant"]
            return
        choice = self.rng.random()
        if choice < 0.4:
            with self.step("account.reset_pin", consultant=self.other):
                self._call(accounts.reset_pin, self.admin, HARNESS_PIN, self.other, OTHER_PINS[0])
            with self.step("account.change_pin", consultant=self.other):
                self._call(accounts.change_own_pin, self.other, OTHER_PINS[0], OTHER_PINS[1])
        elif choice < 0.7:
            with self.step("account.wrong_pin", consultant=self.other) as extra:
                extra["outcome"] = str(accounts.verify_pin(self.other, WRONG_PIN).outcome)
        else:
            active = accounts.account(self.other).active
            with self.step("account.enable" if not active else "account.disable", consultant=self.other):
                if active:
                    self._call(accounts.disable_consultant, self.admin, HARNESS_PIN, self.other)
                else:
                    self._call(accounts.enable_consultant, self.admin, HARNESS_PIN, self.other)

    def op_settings(self, tag: str) -> None:
        from meso_kiosk.services.backup import configure_auto_backup

        choice = self.rng.random()
        if choice < 0.4:
            name = f"Clinique Harness {tag}"
            with self.step("settings.clinic", name=name):
                self._call(self.kiosk.clinic.update, {"name": name}, "harness")
        elif choice < 0.7:
            seconds = self.rng.choice([60, 120, 300, 600])
            with self.step("settings.idle_lock", seconds=seconds):
                self._call(self.kiosk.accounts.set_idle_lock_seconds, self.admin, HARNESS_PIN, seconds)
        else:
            keep = self.rng.randint(1, 30)
            with self.step("settings.backup_keep", keep=keep):
                self._call(configure_auto_backup, self.kiosk, "harness", keep=keep)

    def close_window(self) -> None:
        if self.window is not None:
            from crash_gui import close_window

            close_window(self)


def child(data_dir: Path, seed: int, broken: str | None = None) -> None:
    """Drive the services forever (until killed)."""
    if broken == "no-sync":  # ... and no file is synced either
        os.fsync = os.fdatasync = lambda fd: None
    Driver(data_dir, seed, broken).run_forever()
