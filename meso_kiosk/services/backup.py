"""Backup and restore of a whole installation: database, audit key, exports and seal.

A backup is one zip file: ``meso.db`` (an online-backup snapshot), ``audit.key``,
``exports/…`` and ``seal/…``. It is verified (integrity, foreign keys, audit chain)
before it is reported as done, and again before a restore puts anything in place.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .. import __version__
from ..config import DataPaths
from ..store.audit import load_or_create_key
from ..store.backup import DatabaseCheck, check_copy, snapshot, use_wal
from ..store.db import storage_error
from ..store.errors import AuditKeyError
from ..store.instance_lock import InstanceLock
from ..store.settings import get_setting
from .errors import WordedError
from .kiosk import Kiosk

MANIFEST = "meso-kiosk-backup.json"
DEFAULT_KEEP = 7
MAX_KEEP = 366


class BackupError(WordedError):
    """A backup or restore could not be completed; nothing was changed."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    patients: int
    audit_rows: int
    files: int
    size_bytes: int

    def summary(self) -> str:
        return (f"backup written and verified: {self.path} ({self.patients} patients, "
                f"{self.audit_rows} audit rows, {self.files} files, {self.size_bytes // 1024} KiB)")


def _fault(error: OSError | sqlite3.Error, what: str, place: Path) -> BackupError:
    """A full disk, a read-only folder or a failing disk, in words; nothing was changed."""
    if isinstance(error, sqlite3.Error):
        fault = storage_error(error, what)
        reason = str(fault).rstrip(".") if fault else f"{what}: {error}"
        return BackupError(f"{reason} ({place}). Nothing was changed.")
    if error.errno == errno.ENOSPC:
        reason = "the disk is full. Free some space, then try again"
    elif error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        reason = "the folder cannot be written to (read-only or no permission). Choose another folder"
    else:
        reason = error.strerror or str(error)
    return BackupError(f"{what}: {reason} ({place}). Nothing was changed.")


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _describe(check: DatabaseCheck) -> str:
    if check.integrity != "ok":
        return f"the database copy is damaged ({check.integrity})"
    if check.foreign_key_problems:
        return f"the database copy has {check.foreign_key_problems} broken references"
    return f"the audit log in the copy is broken at row {check.audit.first_broken_id} ({check.audit.reason})"


def _extra_files(paths: DataPaths) -> list[tuple[Path, str]]:
    files = [(paths.audit_key, "audit.key")]
    for folder in (paths.exports, paths.seal):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.endswith(".tmp"):
                    files.append((path, path.relative_to(paths.root).as_posix()))
    return files


def create_backup(kiosk: Kiosk, out: Path) -> BackupReport:
    """Snapshot, verify, then write ``out`` atomically; an existing ``out`` is never half-replaced."""
    out = out.expanduser().resolve()
    if out.is_dir():
        raise BackupError(f"{out} is a folder; give the backup a file name such as meso-backup.zip")
    if out.exists() and not out.is_file():  # a device such as /dev/null is never renamed over
        raise BackupError(f"{out} is not a regular file; give the backup a file name such as meso-backup.zip")
    key = load_or_create_key(kiosk.paths.audit_key)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        return _write_backup(kiosk, out, key)
    except (OSError, sqlite3.Error) as error:
        raise _fault(error, "Backup not written", out.parent) from error


def _write_backup(kiosk: Kiosk, out: Path, key: bytes) -> BackupReport:
    with tempfile.TemporaryDirectory(prefix=".meso-backup-", dir=out.parent) as work:
        db_copy = Path(work) / "meso.db"
        snapshot(kiosk.store.conn, db_copy)
        check = check_copy(db_copy, key)
        if not check.ok:
            raise BackupError(f"backup not written: {_describe(check)}")
        files = _extra_files(kiosk.paths)
        manifest = {
            "format": 1, "app_version": __version__, "created_at": kiosk.clock.now_iso(),
            "patients": check.patients, "audit_rows": check.audit.rows_checked,
            "audit_head": check.audit.head_hash, "files": [name for _, name in files],
        }
        partial = Path(work) / "backup.zip"
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
            archive.write(db_copy, "meso.db")
            for path, name in files:
                archive.write(path, name)
        _fsync_file(partial)
        os.replace(partial, out)
    return BackupReport(out, check.patients, check.audit.rows_checked, len(files) + 1, out.stat().st_size)


def _data_dir_is_empty(root: Path) -> bool:
    return not root.exists() or not any(root.iterdir())


def restore_backup(archive_path: Path, data_dir: Path, *, replace: bool = False) -> str:
    """Unpack and verify in a sibling folder, then swap it in; the old folder is kept aside."""
    archive_path = archive_path.expanduser().resolve()
    if not archive_path.is_file():
        raise BackupError(f"no backup file at {archive_path}")
    if data_dir.exists() and not data_dir.is_dir():
        raise BackupError(f"{data_dir} is a file, not a data folder; nothing was changed.")
    if not _data_dir_is_empty(data_dir) and not replace:
        raise BackupError(
            f"{data_dir} already holds data; nothing was changed. "
            "Pass --replace to restore over it (the current folder is kept beside it)."
        )
    try:
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        with ExitStack() as held:
            if data_dir.is_dir():
                # Refuses (InstanceLockedError) while the app runs on this folder, and keeps it out meanwhile.
                held.enter_context(InstanceLock(data_dir))
            return _restore_into(archive_path, data_dir)
    except (OSError, sqlite3.Error) as error:
        raise _fault(error, "Backup not restored", data_dir) from error


def _restore_into(archive_path: Path, data_dir: Path) -> str:
    staging = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}.restore-", dir=data_dir.parent))
    try:
        try:
            with zipfile.ZipFile(archive_path) as archive:
                names = archive.namelist()
                if MANIFEST not in names or "meso.db" not in names or "audit.key" not in names:
                    raise BackupError(f"{archive_path} is not a Meso Kiosk backup")
                for name in names:
                    if name.startswith("/") or ".." in Path(name).parts:
                        raise BackupError(f"{archive_path} contains an unsafe path: {name!r}")
                archive.extractall(staging)
            manifest = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
            if not isinstance(manifest, dict):
                raise ValueError("the manifest is not a record")
        # A damaged member surfaces as a CRC, zlib or EOF error only when it is read.
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as error:
            raise BackupError(f"{archive_path} is damaged or not a backup ({error})") from error
        (staging / MANIFEST).unlink()
        try:
            key = load_or_create_key(staging / "audit.key", create=False)
        except AuditKeyError as error:
            raise BackupError(f"backup not restored: the audit key in {archive_path.name} is damaged") from error
        check = check_copy(staging / "meso.db", key)
        if not check.ok:
            raise BackupError(f"backup not restored: {_describe(check)}")
        use_wal(staging / "meso.db")
        os.chmod(staging, 0o700)
        kept = None
        if data_dir.exists():
            kept = data_dir.with_name(f"{data_dir.name}.before-restore-{datetime.now():%Y%m%d-%H%M%S}")
            os.replace(data_dir, kept)
        os.replace(staging, data_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    aside = f"; the previous data is in {kept}" if kept else ""
    return (f"restored {archive_path.name} into {data_dir}: {check.patients} patients, "
            f"{check.audit.rows_checked} audit rows verified (backup of {manifest.get('created_at', '?')}){aside}")


@dataclass(frozen=True)
class AutoBackupSettings:
    daily: bool
    keep: int
    folder: Path

    def summary(self) -> str:
        if not self.daily:
            return "automatic backup: off"
        return f"automatic backup: daily, keeping the newest {self.keep}, in {self.folder}"


def auto_backup_settings(kiosk: Kiosk) -> AutoBackupSettings:
    """The schedule as set (settings ``backup.auto_daily``, ``backup.keep``, ``backup.directory``).

    A value that makes no sense falls back to the default rather than deleting backups.
    """
    conn = kiosk.store.conn
    daily = get_setting(conn, "backup.auto_daily", True)
    keep = get_setting(conn, "backup.keep", DEFAULT_KEEP)
    if isinstance(keep, bool) or not isinstance(keep, int) or not 1 <= keep <= MAX_KEEP:
        keep = DEFAULT_KEEP
    folder = get_setting(conn, "backup.directory", "")
    return AutoBackupSettings(daily is not False, keep,
                              Path(folder) if isinstance(folder, str) and folder else kiosk.paths.backups)


def configure_auto_backup(kiosk: Kiosk, actor: str, *, daily: bool | None = None, keep: object = None,
                          folder: object = None) -> AutoBackupSettings:
    """Change the schedule (audited ``settings.update``); ``ValidationError`` names a bad value."""
    from ..domain.errors import ValidationError
    from ..store.settings import put_setting

    changes: dict[str, object] = {}
    if daily is not None:
        changes["backup.auto_daily"] = bool(daily)
    if keep is not None:
        try:
            number = int(str(keep).strip())
        except ValueError:
            number = 0
        if not 1 <= number <= MAX_KEEP:
            raise ValidationError.single("keep", f"Keep between 1 and {MAX_KEEP} backups.")
        changes["backup.keep"] = number
    if folder is not None:
        text = str(folder).strip()
        if text and ("\x00" in text or not Path(text).expanduser().is_absolute()):
            raise ValidationError.single("folder", "Give the backup folder as a full path (or empty for the default).")
        changes["backup.directory"] = str(Path(text).expanduser()) if text else ""
    if changes:
        with kiosk.store.write(actor) as tx:
            for key, value in changes.items():
                put_setting(tx, key, value)
    return auto_backup_settings(kiosk)


def auto_backup_if_due(kiosk: Kiosk) -> BackupReport | None:
    """The daily automatic backup, keeping the newest N (settings ``backup.auto_daily``, ``backup.keep``)."""
    schedule = auto_backup_settings(kiosk)
    if not schedule.daily:
        return None
    folder, keep = schedule.folder, schedule.keep
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"the backup folder {folder} cannot be created: {error.strerror or error}") from error
    existing = sorted(folder.glob("auto-*.zip"))
    today = kiosk.clock.today().strftime("%Y%m%d")
    if existing and existing[-1].name.startswith(f"auto-{today}"):
        return None
    stamp = kiosk.clock.local(kiosk.clock.now_utc()).strftime("%Y%m%d-%H%M%S")
    report = create_backup(kiosk, folder / f"auto-{stamp}.zip")
    for old in sorted(folder.glob("auto-*.zip"))[:-keep]:
        old.unlink()
    return report
