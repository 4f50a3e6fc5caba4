"""Backup and restore of a whole installation: database, audit key, exports, seal and photos.

A backup is one zip file: ``meso.db`` (an online-backup snapshot), ``audit.key``,
``exports/…``, ``seal/…`` and ``photos/…``. It is verified (integrity, foreign keys, audit chain,
each photo file against the SHA-256 its row holds) before it is reported as done, and again
before a restore puts anything in place.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
import sqlite3
import stat
import tempfile
import zipfile
import zlib
from contextlib import ExitStack, suppress
from dataclasses import dataclass
import time
from datetime import datetime, timezone
from pathlib import Path

from .. import __version__
from ..config import DataPaths, tighten
from ..domain.clock import Clock
from ..domain.errors import ValidationError
from ..store.anchor import AuditAnchorError, current_head, reaches, read_anchor, write_anchor
from ..store.audit import Head, load_or_create_key
from ..store.backup import DatabaseCheck, check_copy, snapshot
from ..store.db import APPLICATION_ID, Store, storage_error
from ..store.errors import AuditKeyError, StoreError
from ..store.instance_lock import InstanceLock
from ..store.photos import PHOTOS_FOLDER, file_problems as photo_file_problems, stored_files as stored_photos
from ..store.restores import record_restore
from ..store.schema import check_schema
from ..store.settings import get_setting, put_setting
from .errors import WordedError
from .files import OutputRefused, guard_output, place_new, refuse_inside, refuse_link, sync_folder
from .kiosk import Kiosk

MANIFEST = "meso-kiosk-backup.json"
BACKUP_WORK_PREFIX = ".meso-backup-"
# A work folder this old belongs to no backup or restore still running: one a power cut left.
STALE_WORK_SECONDS = 12 * 3600
# A random name for this installation: its automatic backups carry it, so two kiosks sharing a
# backup folder each count and prune only their own.
INSTALLATION_SETTING = "installation.id"
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


def _sync_tree(root: Path) -> None:
    """Make every file and folder under ``root`` durable: unpacking a zip writes without syncing,
    and a power cut after the swap left the restored folder with an empty audit key (the crash
    harness's power cuts found it)."""
    for folder, _, files in os.walk(root):
        for name in files:
            _fsync_file(Path(folder) / name)
        sync_folder(Path(folder))


def sweep_stale_work(folder: Path, prefix: str) -> list[Path]:
    """Remove the work folders a power cut left behind in ``folder`` (each may hold a copy of the
    database, so none may linger): those named ``prefix*`` and untouched for half a day. The
    removal is synced, so a later cut cannot bring them back."""
    removed = []
    cutoff = time.time() - STALE_WORK_SECONDS
    try:
        candidates = [entry for entry in folder.iterdir() if entry.name.startswith(prefix)]
    except OSError:
        return removed
    for entry in candidates:
        try:
            if entry.is_dir() and not entry.is_symlink() and entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry)
                removed.append(entry)
        except OSError:
            continue  # someone else's, or going away on its own: left as it is
    if removed:
        sync_folder(folder)
    return removed


def _describe(check: DatabaseCheck) -> str:
    if check.integrity != "ok":
        return f"the database copy is damaged ({check.integrity})"
    if check.foreign_key_problems:
        return f"the database copy has {check.foreign_key_problems} broken references"
    return f"the audit log in the copy fails its check: {check.audit.problem()}"


def _extra_files(paths: DataPaths, db_copy: Path) -> list[tuple[Path, str]]:
    files = [(paths.audit_key, "audit.key")]
    for folder in (paths.exports, paths.seal):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.endswith(".tmp"):
                    files.append((path, path.relative_to(paths.root).as_posix()))
    return files + _photo_files(paths.root / PHOTOS_FOLDER, db_copy)


def _photo_files(folder: Path, database: Path) -> list[tuple[Path, str]]:
    """The photo files the snapshot's rows name (not one deleted on request, nor one whose row came
    after the snapshot), each checked against the SHA-256 its row holds."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        problems = photo_file_problems(conn, folder)
        if problems:
            raise BackupError(f"backup not written: {'; '.join(problems[:3])}. Run 'meso-kiosk audit-verify'.")
        return [(folder / name, f"{PHOTOS_FOLDER}/{name}") for _, name, _ in stored_photos(conn)]
    finally:
        conn.close()


def create_backup(kiosk: Kiosk, out: Path, *, force: bool = False) -> BackupReport:
    """Snapshot, verify, then write ``out`` (a file the user named) atomically: never inside the
    data folder, through a link, or over an existing file unless ``force`` (see ``guard_output``)."""
    out = out.expanduser()
    if out.is_dir() and not out.is_symlink():
        raise BackupError(f"{out} is a folder; give the backup a file name such as meso-backup.zip")
    try:
        refuse_link(out)
        refuse_inside(out, kiosk.paths.root)  # before any folder is made for it
        out.parent.mkdir(parents=True, exist_ok=True)
        out = guard_output(out, kiosk.paths.root, force=force, issued=kiosk.export.is_issued)
    except OutputRefused as refused:
        raise BackupError(f"Backup not written: {refused}") from None
    except OSError as error:
        if error.errno == errno.EINVAL:  # a device such as /dev/null is never renamed over
            raise BackupError(f"{out} is not a regular file; give the backup a file name such as "
                              "meso-backup.zip") from None
        raise _fault(error, "Backup not written", out.parent) from error
    return _backup_to(kiosk, out, replace=force)


def _backup_to(kiosk: Kiosk, out: Path, *, replace: bool) -> BackupReport:
    key = load_or_create_key(kiosk.paths.audit_key)
    try:
        return _write_backup(kiosk, out, key, replace)
    except FileExistsError:
        raise BackupError(f"Backup not written: {out} appeared meanwhile; nothing was replaced.") from None
    except (OSError, sqlite3.Error) as error:
        raise _fault(error, "Backup not written", out.parent) from error


def _write_backup(kiosk: Kiosk, out: Path, key: bytes, replace: bool) -> BackupReport:
    sweep_stale_work(out.parent, BACKUP_WORK_PREFIX)
    with tempfile.TemporaryDirectory(prefix=BACKUP_WORK_PREFIX, dir=out.parent) as work:
        db_copy = Path(work) / "meso.db"
        snapshot(kiosk.store.conn, db_copy)
        # The chain, not every record's content: a daily backup of a large clinic must not take
        # half a minute. audit-verify and restore check the content (a restore refuses a forged copy).
        check = check_copy(db_copy, key, contents=False)
        if not check.ok:
            raise BackupError(f"backup not written: {_describe(check)}")
        files = _extra_files(kiosk.paths, db_copy)
        manifest = {
            "format": 1, "app_version": __version__, "created_at": kiosk.clock.now_iso(),
            "installation_id": get_setting(kiosk.store.conn, INSTALLATION_SETTING),
            "patients": check.patients, "audit_rows": check.audit.rows_checked,
            "audit_head": check.audit.head_hash, "files": [name for _, name in files],
        }
        partial = Path(work) / "backup.zip"
        # Private from its first byte: it holds the database, the audit key and the seal.
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as stream, \
                zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
            archive.write(db_copy, "meso.db")
            for path, name in files:
                archive.write(path, name)
        _fsync_file(partial)
        if replace:
            os.replace(partial, out)
        else:
            place_new(partial, out)
        sync_folder(out.parent)
    sync_folder(out.parent)  # the work folder's removal too: it holds a copy of the database
    return BackupReport(out, check.patients, check.audit.rows_checked, len(files) + 1, out.stat().st_size)


def _data_dir_is_empty(root: Path) -> bool:
    return not root.exists() or not any(root.iterdir())


def restore_backup(archive_path: Path, data_dir: Path, *, replace: bool = False, allow_older: bool = False) -> str:
    """Unpack and verify in a sibling folder, then swap it in; the old folder is kept aside.

    ``allow_older``: restore even though the backup's audit log does not reach the head of the
    data it replaces (it is older, or another branch): that data's newer records are lost.
    """
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
            return _restore_into(archive_path, data_dir, allow_older)
    except (OSError, sqlite3.Error) as error:
        raise _fault(error, "Backup not restored", data_dir) from error


def _known_member(name: str) -> bool:
    """A file a backup writes: the manifest, the database, the audit key, exports and seal files."""
    if name in (MANIFEST, "meso.db", "audit.key"):
        return True
    parts = name.split("/")
    return (len(parts) >= 2 and parts[0] in ("exports", "seal", PHOTOS_FOLDER) and all(parts[1:])
            and not any(part in (".", "..") for part in parts))


def _unpack(archive_path: Path, staging: Path) -> dict:
    """The backup's files into ``staging``, and its manifest; refuses anything a backup does not hold."""
    try:
        with zipfile.ZipFile(archive_path) as archive:
            members = archive.infolist()
            names = [member.filename for member in members]
            if MANIFEST not in names or "meso.db" not in names or "audit.key" not in names:
                raise BackupError(f"{archive_path} is not a Meso Kiosk backup")
            for member in members:
                is_link = stat.S_ISLNK(member.external_attr >> 16)
                if not _known_member(member.filename) or member.is_dir() or is_link:
                    raise BackupError(f"backup not restored: {archive_path.name} holds {member.filename!r}, "
                                      "which no Meso Kiosk backup holds; nothing was changed")
            if len(set(names)) != len(names):
                raise BackupError(f"backup not restored: {archive_path.name} names a file twice; nothing was changed")
            manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
            if not isinstance(manifest, dict):
                raise ValueError("the manifest is not a record")
            listed = manifest.get("files")
            if (not isinstance(listed, list) or not all(isinstance(name, str) for name in listed)
                    or set(listed) != set(names) - {MANIFEST, "meso.db"}):
                raise BackupError(f"backup not restored: the files in {archive_path.name} are not those its "
                                  "manifest lists; nothing was changed")
            for member in members:
                if member.filename != MANIFEST:
                    archive.extract(member, staging)
    # A damaged member surfaces as a CRC, zlib or EOF error only when it is read.
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as error:
        raise BackupError(f"{archive_path} is damaged or not a backup ({error})") from error
    return manifest


@dataclass(frozen=True)
class _Folder:
    """What the data folder being restored into already has."""

    key: bytes | None
    head: Head | None


def _folder_now(data_dir: Path) -> _Folder:
    """The installation's audit key, and the head its data has reached: the anchor's, else the
    database's own (either may be what is damaged and being restored)."""
    paths = DataPaths(data_dir)
    if not paths.audit_key.exists():
        return _Folder(None, None)
    try:
        key = load_or_create_key(paths.audit_key, create=False)
    except AuditKeyError as error:
        raise BackupError(f"backup not restored: {error} Move the folder aside to restore into a new one.") from error
    try:
        head = read_anchor(paths.audit_anchor, key)
    except AuditAnchorError:
        head = None
    if head is None and paths.database.exists():
        try:
            conn = sqlite3.connect(f"file:{paths.database}?mode=ro", uri=True)
            try:
                head = current_head(conn)
            finally:
                conn.close()
        except sqlite3.Error:
            head = None
    return _Folder(key, head)


def _check_restored(database: Path, key: bytes, manifest: dict, archive_name: str) -> tuple[DatabaseCheck, Head]:
    """The unpacked database: ours, its schema the app's at its version, whole, its chain and every
    record's content vouched for with ``key``, and ending where the manifest says."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise BackupError(f"backup not restored: the database in {archive_name} is not a Meso Kiosk database")
        try:
            check_schema(conn, f"in {archive_name}")
        except StoreError as error:
            raise BackupError(f"backup not restored: {error}") from error
        head = current_head(conn)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"backup not restored: the database in {archive_name} is damaged ({error})") from error
    finally:
        conn.close()
    check = check_copy(database, key)
    if not check.ok:
        raise BackupError(f"backup not restored: {_describe(check)}")
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        problems = photo_file_problems(conn, database.parent / PHOTOS_FOLDER)
    finally:
        conn.close()
    if problems:
        raise BackupError(f"backup not restored: in {archive_name}, {'; '.join(problems[:3])}")
    if (manifest.get("audit_rows"), manifest.get("audit_head")) != (head.rows, head.hash):
        raise BackupError(f"backup not restored: the audit log in {archive_name} does not end where its "
                          "manifest says (rows removed or added after the backup was made)")
    return check, head


def _restore_into(archive_path: Path, data_dir: Path, allow_older: bool) -> str:
    sweep_stale_work(data_dir.parent, f".{data_dir.name}.restore-")
    staging = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}.restore-", dir=data_dir.parent))
    try:
        manifest = _unpack(archive_path, staging)
        now = _folder_now(data_dir)
        try:
            key = load_or_create_key(staging / "audit.key", create=False)
        except AuditKeyError as error:
            raise BackupError(f"backup not restored: the audit key in {archive_path.name} is damaged") from error
        if now.key is not None and now.key != key:  # the installation's own key judges, never the zip's
            raise BackupError(
                f"backup not restored: {archive_path.name} is a backup of another installation (its audit key is "
                f"not the one of {data_dir}); nothing was changed. Restore it into a new folder, or move this one aside")
        check, head = _check_restored(staging / "meso.db", key, manifest, archive_path.name)
        older = now.head is not None and not _log_reaches(staging / "meso.db", now.head)
        if older and not allow_older:
            raise BackupError(
                f"backup not restored: {archive_path.name} is older than the data in {data_dir} (its audit log "
                f"ends at row {head.rows} and does not reach row {now.head.rows} of the current data), so newer "
                "records would be lost; nothing was changed. Pass --allow-older to restore it anyway (recorded)")
        _record_restore(staging, key, head, archive_path.name, manifest, now, older)
        tighten(DataPaths(staging))  # zip members come out with the default modes: private again
        _private_photos(staging / PHOTOS_FOLDER)
        _sync_tree(staging)  # all of it on disk before it takes the data folder's place
        kept = None
        if data_dir.exists():
            kept = data_dir.with_name(f"{data_dir.name}.before-restore-{datetime.now():%Y%m%d-%H%M%S}")
            os.replace(data_dir, kept)
        os.replace(staging, data_dir)
        sync_folder(data_dir.parent)  # the swap itself survives a power cut
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        with suppress(OSError):  # the restore's own error is the one to tell
            sync_folder(data_dir.parent)
        raise
    aside = f"; the previous data is in {kept}" if kept else ""
    whose_key = ("checked with this installation's audit key" if now.key is not None
                 else "checked with the backup's own audit key (a new folder has none to compare with)")
    return (f"restored {archive_path.name} into {data_dir}: {check.patients} patients, "
            f"{check.audit.rows_checked} audit rows verified, {whose_key} "
            f"(backup of {manifest.get('created_at', '?')}){' over newer data' if older else ''}{aside}")


def _private_photos(folder: Path) -> None:
    """Photo folders 0700 and files 0600, as the app writes them (zip members come out readable)."""
    if os.name != "posix" or not folder.is_dir():
        return
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, 0o700 if path.is_dir() else 0o600)


def _log_reaches(database: Path, head: Head) -> bool:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return reaches(conn, head) is None
    finally:
        conn.close()


def _record_restore(staging: Path, key: bytes, head: Head, archive_name: str, manifest: dict,
                    now: _Folder, older: bool) -> None:
    """Anchor the restored log, then write the restore into it as its own audited record; the
    folder is swapped in only after this (an older schema is migrated here too)."""
    paths = DataPaths(staging)
    write_anchor(paths.audit_anchor, key, head, only_forward=False)
    store = Store.open(paths.database, paths.audit_key, Clock(timezone.utc).now_iso)
    try:
        created = manifest.get("created_at")
        with store.write("restore") as tx:
            record_restore(tx, backup_name=archive_name[:200], backup_created_at=str(created) if created else None,
                           backup_head=head, replaced_head=now.head, older=older,
                           key_source="installation" if now.key is not None else "backup")
    finally:
        store.close()


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


def installation_id(kiosk: Kiosk) -> str:
    """This installation's id, made (and recorded, audited) the first time it is asked for."""
    known = get_setting(kiosk.store.conn, INSTALLATION_SETTING)
    if isinstance(known, str) and known.isalnum():
        return known
    made = secrets.token_hex(4)
    with kiosk.store.write("kiosk") as tx:
        put_setting(tx, INSTALLATION_SETTING, made)
    return made


def auto_backup_if_due(kiosk: Kiosk) -> BackupReport | None:
    """The daily automatic backup, keeping this installation's newest N (settings
    ``backup.auto_daily``, ``backup.keep``); another installation's zips in a shared folder are
    neither counted nor removed."""
    schedule = auto_backup_settings(kiosk)
    if not schedule.daily:
        return None
    folder, keep = schedule.folder, schedule.keep
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"the backup folder {folder} cannot be created: {error.strerror or error}") from error
    prefix = f"auto-{installation_id(kiosk)}-"
    today = kiosk.clock.today().strftime("%Y%m%d")
    if any(folder.glob(f"{prefix}{today}-*.zip")):
        return None
    stamp = kiosk.clock.local(kiosk.clock.now_utc()).strftime("%Y%m%d-%H%M%S")
    report = _backup_to(kiosk, folder / f"{prefix}{stamp}.zip", replace=False)
    for old in sorted(folder.glob(f"{prefix}*.zip"))[:-keep]:
        old.unlink()
    return report
