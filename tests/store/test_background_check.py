"""The open-time quick_check may run beside the GUI's cold start, but nothing is written before it passed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from meso_kiosk.services.kiosk import open_kiosk
from meso_kiosk.store.errors import DatabaseDamagedError
from tests.conftest import CHEAP_PIN_HASHER, FIXED_NOW


def _installation(root: Path) -> None:
    kiosk = open_kiosk(root, now=lambda: FIXED_NOW, pin_hasher=CHEAP_PIN_HASHER)
    kiosk.accounts.create_first_admin("Dr Amélie Laurent", "482619")
    for n in range(300):  # enough rows that the damage below lands in table pages
        with kiosk.store.write("test") as tx:
            cursor = tx.execute("INSERT INTO consultants (display_name, created_at) VALUES (?, ?)",
                                (f"Consultant {n:03d} " + "x" * 200, "2026-01-01T08:00:00Z"))
            tx.audit("consultant.created", "consultant", cursor.lastrowid)
    kiosk.close()


def _files(root: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.iterdir()) if p.is_file()}


def test_a_healthy_database_is_checked_beside_the_start_and_then_written(tmp_path):
    root = tmp_path / "data"
    _installation(root)
    kiosk = open_kiosk(root, now=lambda: FIXED_NOW, pin_hasher=CHEAP_PIN_HASHER, check_in_background=True)
    try:
        assert kiosk.store.integrity is not None  # WAL and current: opened without a write
        admin = next(account for account in kiosk.accounts.accounts() if account.has_pin)
        assert kiosk.accounts.verify_pin(admin.id, "482619", _unlock()).ok  # a write: waits, then passes
        assert kiosk.store.integrity.done
    finally:
        kiosk.close()


def test_damaged_pages_found_by_the_background_check_refuse_every_write(tmp_path):
    root = tmp_path / "data"
    _installation(root)
    database = root / "meso.db"
    data = bytearray(database.read_bytes())
    for offset in range(len(data) - 4096 * 3, len(data) - 4096):  # the header and schema stay readable
        data[offset] = (offset * 7919) % 256
    database.write_bytes(bytes(data))
    before = _files(root)
    try:
        kiosk = open_kiosk(root, now=lambda: FIXED_NOW, pin_hasher=CHEAP_PIN_HASHER, check_in_background=True)
    except DatabaseDamagedError:  # the damage was met while opening: refused there, as before
        assert _files(root) == before
        return
    try:
        assert kiosk.store.integrity is not None
        for _ in range(2):  # refused every time, not only the first
            with pytest.raises(DatabaseDamagedError, match="damaged"):
                with kiosk.store.write("test") as tx:
                    tx.audit("test.write", "test", 1)
    finally:
        kiosk.close()
    assert _files(root) == before


def _unlock():
    from meso_kiosk.services.accounts import PinPurpose

    return PinPurpose.UNLOCK
