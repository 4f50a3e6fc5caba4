import os
import sqlite3
import stat

import pytest

from meso_kiosk.store import audit
from meso_kiosk.store.errors import AuditKeyError


def test_every_change_leaves_a_chained_audit_row(kiosk, register):
    patient = register()
    kiosk.patients.correct(patient.id, {"given_name": "Claire-Marie", "family_name": "Dubois",
                                        "date_of_birth": "1986-04-12"}, "consultant:1")
    rows = kiosk.store.conn.execute(
        "SELECT id, actor, action, entity, entity_id, prev_hash, hash FROM audit_log ORDER BY id"
    ).fetchall()
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [
        ("test", "patient.create", "patient", str(patient.id)),
        ("consultant:1", "patient.update", "patient", str(patient.id)),
    ]
    assert rows[0][5] == audit.GENESIS_HASH and rows[1][5] == rows[0][6]
    report = kiosk.store.verify_audit()
    assert report.ok and report.rows_checked == 2 and report.head_hash == rows[1][6]


def test_audit_rows_hold_no_clinical_text(kiosk, register):
    register("Zéphyrine", "Quatremain")
    dump = " ".join(str(v) for row in kiosk.store.conn.execute("SELECT * FROM audit_log") for v in row)
    assert "Zéphyrine" not in dump and "Quatremain" not in dump


def test_audit_log_is_append_only(kiosk, register):
    register()
    conn = kiosk.store.conn
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit_log SET actor = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit_log")
    conn.rollback()
    assert kiosk.store.verify_audit().ok


def _tamper(conn, sql: str) -> None:
    """What an attacker with the sqlite3 shell could do: drop the guard, edit, restore it."""
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute(sql)
    conn.commit()


@pytest.mark.parametrize(
    "sql, broken_row",
    [
        ("UPDATE audit_log SET actor = 'intruder' WHERE id = 2", 2),
        ("UPDATE audit_log SET at = '2020-01-01T00:00:00+00:00' WHERE id = 1", 1),
        ("DELETE FROM audit_log WHERE id = 2", 3),
        ("UPDATE audit_log SET entity_id = '999' WHERE id = 3", 3),
    ],
)
def test_tampering_is_detected_at_the_first_broken_row(kiosk, register, sql, broken_row):
    for name in ("Ana", "Ben", "Chloé", "Dinh"):
        register(given=name)
    _tamper(kiosk.store.conn, sql)
    report = kiosk.store.verify_audit()
    assert not report.ok
    assert report.first_broken_id == broken_row


def test_a_rehashed_row_without_the_key_is_detected(kiosk, register):
    register()
    register(given="Bo")
    conn = kiosk.store.conn
    forged = audit.row_hash(b"\x00" * 32, id=2, at="x", actor="intruder", action="patient.create",
                            entity="patient", entity_id="2", prev_hash=conn.execute(
                                "SELECT hash FROM audit_log WHERE id = 1").fetchone()[0])
    _tamper(conn, f"UPDATE audit_log SET actor = 'intruder', at = 'x', hash = '{forged}' WHERE id = 2")
    assert kiosk.store.verify_audit().first_broken_id == 2


def test_a_write_without_an_audit_entry_is_rolled_back(kiosk):
    with pytest.raises(RuntimeError, match="audit"):
        with kiosk.store.write("test") as tx:
            tx.execute("INSERT INTO settings (key, value) VALUES ('sneaky', '1')")
    assert kiosk.store.conn.execute("SELECT count(*) FROM settings WHERE key = 'sneaky'").fetchone()[0] == 0


def test_a_failing_change_leaves_neither_data_nor_audit(kiosk):
    with pytest.raises(ZeroDivisionError):
        with kiosk.store.write("test") as tx:
            tx.execute("INSERT INTO settings (key, value) VALUES ('half', '1')")
            tx.audit("settings.update", "setting", "half")
            1 / 0
    conn = kiosk.store.conn
    assert conn.execute("SELECT count(*) FROM settings").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 0


def test_key_file_is_private_and_stable(kiosk, tmp_path):
    key_path = kiosk.paths.audit_key
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    assert audit.load_or_create_key(key_path) == audit.load_or_create_key(key_path)


def test_a_damaged_key_is_reported_clearly(tmp_path):
    key_path = tmp_path / "audit.key"
    key_path.write_text("not hex at all")
    with pytest.raises(AuditKeyError, match="damaged"):
        audit.load_or_create_key(key_path)
