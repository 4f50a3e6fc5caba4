"""A staff member with the data folder in hand tries to change records unseen; each attempt shows.

Every attack goes straight at the files with sqlite3 (or the zip), as someone bypassing the
app would, then the app's own doors are tried: opening it, ``audit-verify``, exporting a
PDF, ``verify FILE``, ``restore``.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meso_kiosk.cli import main
from meso_kiosk.services.backup import BackupError, create_backup, restore_backup
from meso_kiosk.services.export import ExportError
from meso_kiosk.store.audit import row_hash
from meso_kiosk.store.errors import StoreError
from meso_kiosk.store.migrations import STEPS, apply_migrations
from tests.consultation import COUNTERSIGN_PIN, ensure_consultant, record_consultation
from tests.safety.conftest import one_line, reopen
from tests.conftest import cheap_seal


@pytest.fixture
def clinic(kiosk, register) -> tuple[Path, int]:
    """A folder with a whole consultation (intake, consent, course, closed and amended sessions) and a PDF."""
    patient = register()
    record_consultation(kiosk, patient.id, sessions=3)
    kiosk.export.export_pdf(patient.id, "test")
    kiosk.close()
    return kiosk.paths.root, patient.id


def behind_the_app(root: Path, *statements: str, keep_triggers_dropped: bool = False) -> None:
    """Run SQL on meso.db with every trigger dropped, then put the triggers back as they were
    (unless ``keep_triggers_dropped``): the schema looks untouched afterwards."""
    db = sqlite3.connect(root / "meso.db")
    try:
        triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for name, _ in triggers:
            db.execute(f"DROP TRIGGER {name}")
        for statement in statements:
            db.execute(statement)
        if not keep_triggers_dropped:
            for _, sql in triggers:
                db.execute(sql)
        db.commit()
    finally:
        db.close()


def audit_verify(root: Path, capsys) -> tuple[int, str]:
    code = main(["audit-verify", "--data-dir", str(root)])
    out, err = capsys.readouterr()
    return code, one_line(err or out)


# ------------------------------------------------------------ records edited behind the app

EDITS = {
    "a signed consent's photo answer": ("UPDATE consents SET photo_consent = 1 - photo_consent", "consent"),
    "a ticked side effect": ("UPDATE consents SET answers = replace(answers, 'true', 'false')", "consent"),
    "a signer's name": ("UPDATE signatures SET signer_name = 'Someone Else' WHERE role = 'patient'", "consent"),
    "a closed session's duration": ("UPDATE treatment_sessions SET duration_min = 5 WHERE status = 'closed'", "session"),
    "a zone of a closed session": ("UPDATE session_zones SET injections = injections + 40", "session"),
    "an amendment's reason": ("UPDATE session_amendments SET reason = 'no reason'", "session"),
    "a completed intake": ("UPDATE intakes SET answers = '{}' WHERE status = 'complete'", "intake"),
    "a patient's birth date": ("UPDATE patients SET date_of_birth = '1999-01-01'", "patient"),
    "an issued document's hash": ("UPDATE documents SET sha256 = lower(hex(randomblob(32)))", "document"),
    "a consultant's PIN hash": ("UPDATE consultants SET pin_hash = 'x', role = 'admin'", "consultant"),
    "a product row slipped into a closed session": (
        "INSERT INTO session_products (session_id, product, lot_number, lot_key, expiry_date)"
        " SELECT id, 'Other', 'L1', 'l1', '2030-01' FROM treatment_sessions LIMIT 1", "session"),
    "a consent row forged whole": (
        "INSERT INTO consents (patient_id, kind, template_language, template_version, text_sha256, answers,"
        " printed_name, meaning, signed_at, consultant_id, consultant_name, text, photo_consent, created_at)"
        " SELECT patient_id, kind, template_language, template_version, text_sha256, answers, printed_name, meaning,"
        " signed_at, consultant_id, consultant_name, text, photo_consent, created_at FROM consents LIMIT 1", "consent"),
}


@pytest.mark.parametrize("what", EDITS)
def test_an_edit_with_the_triggers_dropped_and_put_back_is_named_by_audit_verify(clinic, capsys, what):
    root, patient_id = clinic
    statement, entity = EDITS[what]
    assert audit_verify(root, capsys)[0] == 0
    behind_the_app(root, statement)
    code, line = audit_verify(root, capsys)
    assert code == 1
    assert f"{entity} " in line and "behind the app's back" in line, line


@pytest.mark.parametrize("what", ["a signed consent's photo answer", "a signer's name", "a closed session's duration"])
def test_a_forged_record_is_never_sealed_into_a_pdf(clinic, what):
    root, patient_id = clinic
    behind_the_app(root, EDITS[what][0])
    kiosk = reopen(root)
    try:
        documents = kiosk.store.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        with pytest.raises(ExportError, match="behind the app's back"):
            kiosk.export.export_pdf(patient_id, "test")
        assert kiosk.store.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == documents
    finally:
        kiosk.close()


def test_a_dropped_trigger_stops_the_app_and_audit_verify_names_it_and_the_edit(clinic, capsys):
    root, _ = clinic
    behind_the_app(root, EDITS["a closed session's duration"][0], keep_triggers_dropped=True)
    with pytest.raises(StoreError, match="changed outside Meso Kiosk: trigger .* is missing"):
        reopen(root)
    code, line = audit_verify(root, capsys)
    assert code == 1 and "session " in line and "trigger" in line and "is missing" in line, line
    assert main(["export-pdf", "--patient", "1", "--data-dir", str(root)]) == 1
    assert "changed outside Meso Kiosk" in one_line(capsys.readouterr().err)


def test_a_trigger_added_behind_the_app_stops_it(clinic):
    root, _ = clinic
    db = sqlite3.connect(root / "meso.db")
    db.execute("CREATE TRIGGER sneaky AFTER INSERT ON consents BEGIN UPDATE consents SET photo_consent = 1; END")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="trigger sneaky is not one of the app's"):
        reopen(root)


# ------------------------------------------------------------ the log cut short, wiped, re-keyed

def _cut_tail(root: Path) -> None:
    behind_the_app(root, "DELETE FROM audit_log WHERE id > (SELECT max(id) - 3 FROM audit_log)")


def _cut_tail_and_anchor(root: Path) -> None:
    _cut_tail(root)
    (root / "audit.head").unlink()


def _swap_key(root: Path) -> None:
    (root / "audit.key").write_text(secrets.token_hex(32) + "\n", encoding="ascii")


LOG_ATTACKS = {  # attack → (what the open says, words audit-verify's line holds)
    "the tail cut": (_cut_tail, "rows were removed behind the app's back", ("rows were removed",)),
    "the tail and the anchor": (_cut_tail_and_anchor, "audit anchor .* is missing", ("anchor", "missing")),
    "a swapped key": (_swap_key, "not written with this installation's audit key", ("row 1",)),
}


@pytest.mark.parametrize("attack", LOG_ATTACKS)
def test_the_log_cut_short_or_re_keyed_stops_the_app_and_fails_audit_verify(clinic, capsys, attack):
    root, _ = clinic
    do, refusal, words = LOG_ATTACKS[attack]
    do(root)
    with pytest.raises(StoreError, match=refusal):
        reopen(root)
    code, line = audit_verify(root, capsys)
    assert code == 1 and all(word in line for word in words), line


def test_a_wiped_log_never_gets_a_new_key(clinic, capsys):
    root, _ = clinic
    behind_the_app(root, "DELETE FROM audit_log")
    for name in ("audit.key", "audit.head"):
        (root / name).unlink()
    code, line = audit_verify(root, capsys)
    assert code == 1 and "audit key" in line and "missing" in line, line
    with pytest.raises(StoreError, match="audit log is empty: the log was wiped"):
        reopen(root)
    assert not (root / "audit.key").exists()  # nothing made a new key to bless the wiped log


def test_verify_checks_the_head_printed_in_the_pdf_is_still_in_the_log(clinic, capsys):
    root, _ = clinic
    [pdf] = (root / "exports").glob("summary-*.pdf")
    assert main(["verify", str(pdf), "--data-dir", str(root)]) == 0
    assert "audit head printed: still in the audit log" in capsys.readouterr().out
    head = sqlite3.connect(root / "meso.db").execute("SELECT audit_head FROM documents").fetchone()[0]
    # The log rewritten from that head on, and re-anchored by someone holding the key (the worst case).
    row = sqlite3.connect(root / "meso.db").execute("SELECT id FROM audit_log WHERE hash = ?", (head,)).fetchone()[0]
    behind_the_app(root, f"UPDATE audit_log SET hash = 'x' || substr(hash, 2) WHERE id = {row}")
    kiosk_key = bytes.fromhex((root / "audit.key").read_text().strip())
    from meso_kiosk.store.anchor import current_head, write_anchor
    conn = sqlite3.connect(root / "meso.db")
    write_anchor(root / "audit.head", kiosk_key, current_head(conn), only_forward=False)
    conn.close()
    assert main(["verify", str(pdf), "--data-dir", str(root)]) == 1
    assert "no longer in this installation's audit log" in one_line(capsys.readouterr().err)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_column_of_any_immutable_row_edited_is_found(clinic, capsys, data):
    root, _ = clinic
    conn = sqlite3.connect(root / "meso.db")
    tables = ["consents", "signatures", "treatment_sessions", "session_zones", "session_products",
              "session_amendments", "amendment_lots", "documents", "intakes", "seal_certificates"]
    table = data.draw(st.sampled_from(tables), label="table")
    rows = conn.execute(f"SELECT rowid FROM {table}").fetchall()
    columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})") if c[1] != "id"]
    conn.close()
    if not rows:
        return
    rowid = data.draw(st.sampled_from(rows), label="row")[0]
    column = data.draw(st.sampled_from(columns), label="column")
    text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8)
    value = data.draw(st.one_of(st.integers(-5, 5), text, st.none()), label="value")
    assert not (root / "meso.db-wal").exists()  # the whole database is in the one file copied back
    snapshot = (root / "meso.db").read_bytes()

    def stored() -> str:  # the value as SQLite keeps it (its type too): '1' into an INTEGER column is 1
        db = sqlite3.connect(root / "meso.db")
        try:
            return db.execute(f"SELECT quote({column}) FROM {table} WHERE rowid = ?", (rowid,)).fetchone()[0]
        finally:
            db.close()

    try:
        before = stored()
        try:
            behind_the_app(root, f"UPDATE {table} SET {column} = {_literal(value)} WHERE rowid = {rowid}")
        except sqlite3.IntegrityError:
            return  # a CHECK or NOT NULL constraint refused the edit on its own
        if stored() == before:
            return  # no edit after all
        code, line = audit_verify(root, capsys)
        assert code == 1 and "behind the app's back" in line, (table, column, value, line)
    finally:
        for leftover in ("meso.db-wal", "meso.db-shm"):
            (root / leftover).unlink(missing_ok=True)
        (root / "meso.db").write_bytes(snapshot)


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


# ------------------------------------------------------------ backups crafted or out of date

def _craft(backup: Path, out: Path, *, database: Path | None = None, extra: dict[str, bytes] | None = None,
           manifest_changes: dict | None = None) -> Path:
    with zipfile.ZipFile(backup) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "meso.db" and database is not None:
                data = database.read_bytes()
            if item.filename == "meso-kiosk-backup.json":
                manifest = json.loads(data)
                manifest.update(manifest_changes or {})
                manifest["files"] = manifest["files"] + list(extra or {})
                data = json.dumps(manifest).encode()
            target.writestr(item.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out


def _edited_copy(backup: Path, tmp_path: Path, *statements: str) -> Path:
    copy = tmp_path / "crafted.db"
    with zipfile.ZipFile(backup) as archive:
        copy.write_bytes(archive.read("meso.db"))
    db = sqlite3.connect(copy)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()
    return copy


@pytest.fixture
def backup(clinic, tmp_path) -> Path:
    root, _ = clinic
    kiosk = reopen(root)
    try:
        return create_backup(kiosk, tmp_path / "b.zip").path
    finally:
        kiosk.close()


def test_a_backup_whose_trigger_rewrites_new_consents_is_refused(backup, tmp_path):
    db = _edited_copy(backup, tmp_path, "CREATE TRIGGER rewrite AFTER INSERT ON consents BEGIN "
                                        "UPDATE consents SET photo_consent = 1 WHERE id = new.id; END")
    crafted = _craft(backup, tmp_path / "crafted.zip", database=db)
    with pytest.raises(BackupError, match="trigger rewrite is not one of the app's"):
        restore_backup(crafted, tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_a_backup_missing_a_trigger_is_refused(backup, tmp_path):
    db = _edited_copy(backup, tmp_path, "DROP TRIGGER consents_immutable_update")
    crafted = _craft(backup, tmp_path / "crafted.zip", database=db)
    with pytest.raises(BackupError, match="trigger consents_immutable_update is missing"):
        restore_backup(crafted, tmp_path / "new")


@pytest.mark.parametrize("member", ["audit.head", "exports/../../evil.sh", "run-me.sh", "seal/", "meso.db-wal"])
def test_a_backup_with_a_member_no_backup_holds_is_refused(backup, tmp_path, member):
    crafted = _craft(backup, tmp_path / "crafted.zip", extra={member: b"#!/bin/sh\n"})
    with pytest.raises(BackupError):
        restore_backup(crafted, tmp_path / "new")
    assert not (tmp_path / "new").exists() and not (tmp_path / "evil.sh").exists()


def test_a_backup_whose_log_was_cut_after_it_was_made_is_refused(backup, tmp_path):
    db = _edited_copy(backup, tmp_path, "DROP TRIGGER audit_log_no_delete",
                      "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)",
                      "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log\n"
                      "    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
    crafted = _craft(backup, tmp_path / "crafted.zip", database=db)
    # (the last entry vouched for the PDF's document: that record now has none)
    with pytest.raises(BackupError, match="document 1 has no audit entry"):
        restore_backup(crafted, tmp_path / "new")


def test_a_backup_whose_manifest_names_another_head_is_refused(backup, tmp_path):
    crafted = _craft(backup, tmp_path / "crafted.zip", manifest_changes={"audit_head": "0" * 64})
    with pytest.raises(BackupError, match="does not end where its manifest says"):
        restore_backup(crafted, tmp_path / "new")


def test_a_backup_of_application_id_zero_is_refused(backup, tmp_path):
    db = _edited_copy(backup, tmp_path, "PRAGMA application_id = 0")
    with pytest.raises(BackupError, match="not a Meso Kiosk database"):
        restore_backup(_craft(backup, tmp_path / "crafted.zip", database=db), tmp_path / "new")


def test_an_older_backup_needs_a_flag_and_every_restore_is_recorded(clinic, backup, tmp_path, capsys):
    root, patient_id = clinic
    kiosk = reopen(root)
    try:  # after the backup: the consent is withdrawn
        consultant_id, _ = ensure_consultant(kiosk)
        kiosk.consents.withdraw(patient_id, channel="phone", consultant_id=consultant_id,
                                consultant_pin=COUNTERSIGN_PIN, reason="Changed her mind.")
        replaced = kiosk.store.head()
    finally:
        kiosk.close()
    assert main(["restore", str(backup), "--replace", "--data-dir", str(root)]) == 1
    line = one_line(capsys.readouterr().err)
    assert "older than the data" in line and "--allow-older" in line, line
    assert not list(root.parent.glob(f"{root.name}.before-restore-*"))  # nothing was moved
    assert main(["restore", str(backup), "--replace", "--allow-older", "--data-dir", str(root)]) == 0
    assert "over newer data" in capsys.readouterr().out
    kiosk = reopen(root)
    try:
        row = kiosk.store.conn.execute("SELECT backup_name, backup_rows, replaced_rows, replaced_head, older,"
                                       " key_source FROM restores").fetchone()
        assert row == ("b.zip", row[1], replaced.rows, replaced.hash, 1, "installation")
        assert kiosk.store.conn.execute(
            "SELECT action, actor FROM audit_log ORDER BY id DESC LIMIT 1").fetchone() == ("backup.restore", "restore")
        assert kiosk.store.verify_audit().ok
    finally:
        kiosk.close()
    assert audit_verify(root, capsys)[0] == 0


def test_restoring_into_a_new_folder_says_whose_key_checked_it(backup, tmp_path):
    message = restore_backup(backup, tmp_path / "new")
    assert "checked with the backup's own audit key" in message
    assert (tmp_path / "new" / "audit.head").exists()
    assert oct((tmp_path / "new" / "audit.key").stat().st_mode & 0o777) == "0o600"


# ------------------------------------------------------------ an installation from before content hashes

def test_a_database_from_before_content_hashes_gets_a_baseline_and_then_checks_out(tmp_path, capsys):
    root = _database_from_before_content_hashes(tmp_path)
    assert "0009_audit_content" in dict(STEPS)
    code, line = audit_verify(root, capsys)  # not opened by this version yet: no anchor expected
    assert code == 0, line
    kiosk = reopen(root)
    try:
        assert kiosk.store.conn.execute(
            "SELECT action, entity, entity_id, actor FROM audit_log WHERE id = 2").fetchone() == (
            "audit.baseline", "patient", "1", "migration")
        assert kiosk.store.verify_audit().ok
    finally:
        kiosk.close()
    assert audit_verify(root, capsys)[0] == 0
    behind_the_app(root, "UPDATE patients SET family_name = 'Forged'")
    assert audit_verify(root, capsys)[0] == 1


# ------------------------------------------------------------ a lost seal

def test_a_lost_seal_folder_stops_export_until_a_new_seal_is_asked_for(clinic, capsys):
    import shutil

    root, patient_id = clinic
    [old_pdf] = (root / "exports").glob("summary-*.pdf")
    shutil.rmtree(root / "seal")
    assert main(["export-pdf", "--patient", str(patient_id), "--data-dir", str(root)]) == 1
    line = one_line(capsys.readouterr().err)
    assert "seal" in line and "Restore the seal folder from a backup" in line and "new-seal" in line, line
    assert not (root / "seal" / "seal.p12").exists()  # no seal made silently
    assert main(["verify", str(old_pdf), "--data-dir", str(root)]) == 0  # its certificate is kept in the database
    capsys.readouterr()

    assert main(["new-seal", "--data-dir", str(root)]) == 0
    assert "new seal made" in capsys.readouterr().out
    assert main(["new-seal", "--data-dir", str(root)]) == 1  # only when it is lost
    assert "has a seal" in one_line(capsys.readouterr().err)
    assert main(["export-pdf", "--patient", str(patient_id), "--data-dir", str(root)]) == 0
    new_pdf = capsys.readouterr().out.split()[1]
    for pdf in (old_pdf, new_pdf):
        assert main(["verify", str(pdf), "--data-dir", str(root)]) == 0, pdf
    capsys.readouterr()
    kiosk = reopen(root)
    try:
        actions = [row[0] for row in kiosk.store.conn.execute("SELECT action FROM audit_log WHERE entity = 'seal' ORDER BY id")]
        assert actions == ["seal.create", "seal.renew"]
        assert kiosk.store.verify_audit().ok
    finally:
        kiosk.close()


def test_a_temporary_anchor_left_by_a_killed_process_is_swept(clinic):
    import os
    import time

    root, _ = clinic
    stale, fresh = root / ".audit.head.99999.tmp", root / ".audit.head.99998.tmp"
    for leftover in (stale, fresh):
        leftover.write_text("{}")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    reopen(root).close()
    assert not stale.exists() and fresh.exists()  # a fresh one may be another process's, mid-write


def test_a_record_s_content_hash_is_the_same_read_alone_or_with_its_whole_table(clinic):
    from meso_kiosk.store.record_content import RECORDS, all_content_hashes, content_hash

    root, _ = clinic
    conn = sqlite3.connect(root / "meso.db")
    try:
        for entity in RECORDS:
            for record, digest in all_content_hashes(conn, entity).items():
                assert content_hash(conn, entity, record) == digest, (entity, record)
        assert len(all_content_hashes(conn, "session")) == 3 and len(all_content_hashes(conn, "consent")) == 1
    finally:
        conn.close()


# ------------------------------------------------------------ found by review: no laundering, no false alarms

def test_a_row_slipped_into_audit_baseline_due_blesses_nothing(clinic, capsys):
    root, _ = clinic
    behind_the_app(root, "UPDATE patients SET date_of_birth = '1999-01-01'",
                   "INSERT INTO audit_baseline_due VALUES (1)")
    code, line = audit_verify(root, capsys)
    assert code == 1 and "patient " in line, line
    reopen(root).close()  # the next start writes no baseline for records whose entries vouch for content
    code, line = audit_verify(root, capsys)
    assert code == 1 and "patient " in line, line


def test_the_next_ordinary_write_never_vouches_for_a_forged_record(clinic, capsys):
    from argon2 import PasswordHasher

    from meso_kiosk.store.errors import RecordForgedError

    root, patient_id = clinic
    planted = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("111111")
    behind_the_app(root, f"UPDATE consultants SET role = 'admin', pin_hash = '{planted}'",
                   "UPDATE patients SET date_of_birth = '1999-01-01'")
    kiosk = reopen(root)
    try:
        consultant_id = kiosk.store.conn.execute("SELECT id FROM consultants").fetchone()[0]
        with pytest.raises(RecordForgedError, match="consultant .* behind the app's back"):
            kiosk.accounts.verify_pin(consultant_id, "111111")  # the forger's sign-in is not saved
        with pytest.raises(RecordForgedError, match="patient .* behind the app's back"):
            kiosk.patients.correct(patient_id, {"given_name": "Claire", "family_name": "Dubois",
                                                "date_of_birth": "1999-01-01", "phone": "0600000000"}, "reception")
    finally:
        kiosk.close()
    code, line = audit_verify(root, capsys)
    assert code == 1 and "behind the app's back" in line, line


def test_a_crash_before_the_first_anchor_write_does_not_lock_the_clinic_out(tmp_path, monkeypatch, capsys):
    from meso_kiosk.services.kiosk import open_kiosk
    from meso_kiosk.store import anchor

    root = tmp_path / "new"
    kiosk = open_kiosk(root, make_seal=cheap_seal)
    assert (root / "audit.head").exists()  # anchored at the open, before any write
    monkeypatch.setattr(anchor, "write_anchor", lambda *args, **kwargs: (_ for _ in ()).throw(OSError(28, "cut")))
    kiosk.patients.register({"given_name": "Ana", "family_name": "Lee", "date_of_birth": "1990-01-01"}, "gui")
    kiosk.close()
    monkeypatch.undo()
    reopen(root).close()  # the anchor is one write behind: allowed
    assert audit_verify(root, capsys)[0] == 0


def test_a_crash_right_after_the_baseline_commit_does_not_lock_the_clinic_out(tmp_path, monkeypatch, capsys):
    from meso_kiosk.store import anchor

    root = _database_from_before_content_hashes(tmp_path)
    real = anchor.write_anchor
    calls = []

    def crash_on_the_second(*args, **kwargs):  # the first anchors the old log, the second follows the baseline
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(anchor, "write_anchor", crash_on_the_second)
    with pytest.raises(OSError):
        reopen(root)
    monkeypatch.undo()
    reopen(root).close()
    assert audit_verify(root, capsys)[0] == 0


def test_audit_verify_beside_the_app_writing_sees_one_snapshot(clinic, capsys, monkeypatch):
    from meso_kiosk.store import record_content

    root, _ = clinic
    app = reopen(root)
    real = record_content.all_content_hashes
    written = []

    def app_writes_meanwhile(conn, entity):
        if not written:
            written.append(app.patients.register({"given_name": "Ana", "family_name": "Lee",
                                                  "date_of_birth": "1990-01-01"}, "gui"))
        return real(conn, entity)

    monkeypatch.setattr(record_content, "all_content_hashes", app_writes_meanwhile)
    try:
        code, line = audit_verify(root, capsys)
    finally:
        app.close()
    assert written and code == 0, line


def test_a_manifest_whose_file_list_is_not_names_is_refused_in_words(backup, tmp_path):
    crafted = _craft(backup, tmp_path / "crafted.zip", manifest_changes={"files": [["audit.key"]]})
    with zipfile.ZipFile(crafted) as archive:  # _craft appended nothing: the list is as crafted
        assert json.loads(archive.read("meso-kiosk-backup.json"))["files"] == [["audit.key"]]
    with pytest.raises(BackupError, match="not those its manifest lists"):
        restore_backup(crafted, tmp_path / "new")


def test_a_refused_backup_inside_the_data_folder_leaves_no_folder_there(clinic, capsys):
    root, _ = clinic
    assert main(["backup", "--out", str(root / "sub" / "x.zip"), "--data-dir", str(root)]) == 1
    assert "inside the data folder" in one_line(capsys.readouterr().err)
    assert not (root / "sub").exists()


def _database_from_before_content_hashes(tmp_path: Path) -> Path:
    root = tmp_path / "old"
    root.mkdir()
    key = secrets.token_bytes(32)
    (root / "audit.key").write_text(key.hex() + "\n", encoding="ascii")
    db = sqlite3.connect(root / "meso.db")
    apply_migrations(db, stop_before="0009_audit_content")
    db.execute("PRAGMA application_id = 1296388943")
    db.execute("PRAGMA journal_mode = WAL")
    at = "2025-03-01T10:00:00.000000+00:00"
    db.execute("INSERT INTO patients (given_name, family_name, date_of_birth, created_at, updated_at)"
               " VALUES ('Old', 'Record', '1970-01-01', ?, ?)", (at, at))
    digest = row_hash(key, id=1, at=at, actor="test", action="patient.create", entity="patient", entity_id="1",
                      prev_hash="0" * 64, legacy=True)
    db.execute("INSERT INTO audit_log (id, at, actor, action, entity, entity_id, prev_hash, hash)"
               " VALUES (1, ?, 'test', 'patient.create', 'patient', '1', ?, ?)", (at, "0" * 64, digest))
    db.commit()
    db.close()
    return root
