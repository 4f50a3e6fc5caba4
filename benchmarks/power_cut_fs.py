"""A FUSE file system that loses what was not synced: power cuts for the crash harness.

    python benchmarks/power_cut_fs.py BACKING MOUNTPOINT [--cut-at-sync K] [--ignore-pid PID]

It passes every call through to the folder BACKING, so the program under test sees an ordinary
file system, and keeps what it needs to take back every change that was not made durable yet.
When it is unmounted (``fusermount3 -u MOUNTPOINT``, after the program was killed) it *cuts the
power*: it takes all of them back, and BACKING is left holding exactly the durable state, which
the harness then checks (the approach of LazyFS and of SQLite's crash tests, as an undo log).

The durability model (documented here, and nowhere looser than POSIX promises):

- **File data** — bytes written (``write``, ``truncate``) become durable only at an
  ``fsync``/``fdatasync`` of *that* file (any descriptor of the same inode). Everything else
  written since its last sync is lost at the cut, page by page back to the durable bytes and
  size. No file system flushes another file's data for you here (ext4's data=ordered may; we
  do not count on it).
- **Names** (create, mkdir, unlink, rmdir, rename, link, symlink, chmod) are an ordered journal,
  like ext4's: an entry becomes durable when the folder it changed is synced — an ``fsync`` of
  the folder itself, or of a file in it (a journal commit) — and a commit makes every earlier
  entry durable too (the journal is written in order). Entries after the last commit are undone
  at the cut, newest first. So a rename that nothing synced afterwards is lost, and a file
  renamed into place before its data was synced comes back empty or half-written, as on a disk.
- SQLite's ``-shm`` index is never synced (it need not be): it comes back stale, as after a reboot.

Cuts: unmounting always cuts. ``--cut-at-sync K`` also aims one: the K-th sync call (``fsync``,
``fdatasync`` or a folder's ``fsync``) is not performed; the calling process is killed with
SIGKILL on the spot and nothing is made durable after it. Calls from ``--ignore-pid`` (the
harness itself) are not counted. On exit it prints one JSON line of figures.
"""

from __future__ import annotations

import argparse
import errno
import itertools
import json
import os
import resource
import shutil
import signal
import sys
from dataclasses import dataclass, field

import mfusepy
from mfusepy import FuseOSError, Operations

PAGE = 4096


@dataclass
class _DataUndo:
    """How to take one inode's unsynced writes back: its durable size and the durable bytes of
    every page changed since its last sync (saved just before the first change)."""
    fd: int
    size: int
    pages: dict[int, bytes] = field(default_factory=dict)


@dataclass
class _NameEntry:
    """One journal entry: the folders it changed and how to take it back (or finish it)."""
    folders: frozenset[str]
    undo: list[tuple]            # steps, run in reverse order at a cut
    on_commit: list[str]         # graveyard paths to delete once durable


class PowerCutFS(Operations):
    def __init__(self, backing: str, graveyard: str, *, cut_at_sync: int = 0, ignore_pids=()):
        self.root = os.path.realpath(backing)
        self.graveyard = graveyard
        self.cut_at_sync = cut_at_sync
        self.ignore_pids = set(ignore_pids)
        self.data: dict[tuple[int, int], _DataUndo] = {}
        self.journal: list[_NameEntry] = []
        self.graves = itertools.count(1)
        self.cut = False   # the power is off: nothing more becomes durable
        self.figures = {"syncs": 0, "counted_syncs": 0, "writes": 0, "bytes_written": 0, "cut_at_sync": None}

    # ---------------------------------------------------------------- helpers
    def _real(self, path: str) -> str:
        return os.path.join(self.root, path.lstrip("/"))

    @staticmethod
    def _folder(path: str) -> str:
        return os.path.dirname(path.rstrip("/")) or "/"

    def _bury(self, real: str) -> str:
        grave = os.path.join(self.graveyard, str(next(self.graves)))
        os.rename(real, grave)
        return grave

    def _log(self, folders, undo, on_commit=()):
        self.journal.append(_NameEntry(frozenset(folders), list(undo), list(on_commit)))

    def _remember(self, fd: int, *, start: int, end: int | None, new: bool = False) -> None:
        """Save the durable bytes of the pages in [start, end) (end None: to the durable end)."""
        st = os.fstat(fd)
        key = (st.st_dev, st.st_ino)
        undo = self.data.get(key)
        if undo is None:
            undo = self.data[key] = _DataUndo(os.dup(fd), 0 if new else st.st_size)
        stop = undo.size if end is None else min(end, undo.size)
        for page in range(start // PAGE, (stop + PAGE - 1) // PAGE):
            if page not in undo.pages:
                undo.pages[page] = os.pread(undo.fd, PAGE, page * PAGE)

    def _commit_folder(self, folder: str) -> None:
        """A sync of ``folder`` (or of a file in it): its journal entries, and all before them, are durable."""
        last = max((i for i, entry in enumerate(self.journal) if folder in entry.folders), default=-1)
        for entry in self.journal[:last + 1]:
            for grave in entry.on_commit:
                if os.path.isdir(grave) and not os.path.islink(grave):
                    shutil.rmtree(grave, ignore_errors=True)
                elif os.path.lexists(grave):
                    os.unlink(grave)
        del self.journal[:last + 1]

    def _sync_point(self) -> bool:
        """Count a sync; False when it must not be performed (the power is cut, now or before)."""
        self.figures["syncs"] += 1
        if self.cut:
            return False
        pid = mfusepy.fuse_get_context()[2]
        if _thread_group(pid) in self.ignore_pids:
            return True
        self.figures["counted_syncs"] += 1
        if self.cut_at_sync and self.figures["counted_syncs"] == self.cut_at_sync:
            self.cut = True
            self.figures["cut_at_sync"] = self.cut_at_sync
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            return False
        return True

    # ---------------------------------------------------------------- the power cut
    def power_cut(self) -> dict:
        """Take back every unsynced change: file data first (by inode), then names, newest first."""
        restored_pages = 0
        for undo in self.data.values():
            for page, durable in undo.pages.items():
                os.pwrite(undo.fd, durable, page * PAGE)
                restored_pages += 1
            os.ftruncate(undo.fd, undo.size)
            os.close(undo.fd)
        self.data.clear()
        undone = 0
        for entry in reversed(self.journal):
            for step in reversed(entry.undo):
                undone += 1
                kind, *args = step
                if kind == "remove":
                    target = args[0]
                    if os.path.isdir(target) and not os.path.islink(target):
                        shutil.rmtree(target)
                    elif os.path.lexists(target):
                        os.unlink(target)
                elif kind == "move":
                    os.rename(args[0], args[1])
                elif kind == "chmod":
                    os.chmod(args[0], args[1])
        self.journal.clear()
        shutil.rmtree(self.graveyard, ignore_errors=True)
        return self.figures | {"pages_taken_back": restored_pages, "name_changes_taken_back": undone}

    # ---------------------------------------------------------------- reading
    use_ns = True  # times in nanoseconds, as the backing folder has them

    def getattr(self, path, fh=None):
        st = os.fstat(fh) if fh is not None else os.lstat(self._real(path))
        return {"st_mode": st.st_mode, "st_nlink": st.st_nlink, "st_uid": st.st_uid, "st_gid": st.st_gid,
                "st_size": st.st_size, "st_atime": st.st_atime_ns, "st_mtime": st.st_mtime_ns,
                "st_ctime": st.st_ctime_ns}

    def readdir(self, path, fh):
        return [".", "..", *os.listdir(self._real(path))]

    def readlink(self, path):
        return os.readlink(self._real(path))

    def statfs(self, path):
        st = os.statvfs(self._real(path))
        return {key: getattr(st, key) for key in (
            "f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files", "f_flag",
            "f_frsize", "f_namemax")}

    def access(self, path, amode):
        if not os.access(self._real(path), amode):
            raise FuseOSError(errno.EACCES)
        return 0

    def open(self, path, flags):
        # O_APPEND: the kernel already gives each write its offset (pwrite on an O_APPEND
        # descriptor would ignore it); O_TRUNC is a change like any other, taken back at a cut.
        fd = os.open(self._real(path), flags & ~(os.O_CREAT | os.O_EXCL | os.O_TRUNC | os.O_APPEND))
        if flags & os.O_TRUNC:
            self._remember(fd, start=0, end=None)
            os.ftruncate(fd, 0)
        return fd

    def read(self, path, size, offset, fh):
        return os.pread(fh, size, offset)

    def release(self, path, fh):
        os.close(fh)
        return 0

    def flush(self, path, fh):
        return 0

    # ---------------------------------------------------------------- file data
    def write(self, path, data, offset, fh):
        self._remember(fh, start=offset, end=offset + len(data))
        self.figures["writes"] += 1
        self.figures["bytes_written"] += len(data)
        return os.pwrite(fh, data, offset)

    def truncate(self, path, length, fh=None):
        fd = fh if fh is not None else os.open(self._real(path), os.O_RDWR)
        try:
            self._remember(fd, start=length, end=None)
            os.ftruncate(fd, length)
        finally:
            if fh is None:
                os.close(fd)
        return 0

    def fsync(self, path, datasync, fh):
        if not self._sync_point():
            raise FuseOSError(errno.EIO)
        st = os.fstat(fh)
        undo = self.data.pop((st.st_dev, st.st_ino), None)
        if undo is not None:
            os.close(undo.fd)
        if path:
            self._commit_folder(self._folder(path))
        return 0

    def fsyncdir(self, path, datasync, fh):
        if not self._sync_point():
            raise FuseOSError(errno.EIO)
        self._commit_folder(path.rstrip("/") or "/")
        return 0

    # ---------------------------------------------------------------- names (the journal)
    def create(self, path, mode, fi=None):
        real = self._real(path)
        fd = os.open(real, os.O_RDWR | os.O_CREAT | os.O_EXCL, mode)
        self._remember(fd, start=0, end=0, new=True)
        self._log([self._folder(path)], [("remove", real)])
        return fd

    def mkdir(self, path, mode):
        real = self._real(path)
        os.mkdir(real, mode)
        self._log([self._folder(path)], [("remove", real)])
        return 0

    def unlink(self, path):
        real = self._real(path)
        grave = self._bury(real)
        self._log([self._folder(path)], [("move", grave, real)], [grave])
        return 0

    def rmdir(self, path):
        real = self._real(path)
        if os.listdir(real):
            raise FuseOSError(errno.ENOTEMPTY)
        grave = self._bury(real)
        self._log([self._folder(path)], [("move", grave, real)], [grave])
        return 0

    def rename(self, old, new, flags=0):
        source, target = self._real(old), self._real(new)
        undo, graves = [], []
        if os.path.lexists(target):
            if flags & 1:  # RENAME_NOREPLACE
                raise FuseOSError(errno.EEXIST)
            if os.path.isdir(target) and not os.path.islink(target) and os.listdir(target):
                raise FuseOSError(errno.ENOTEMPTY)
            grave = self._bury(target)
            undo.append(("move", grave, target))
            graves.append(grave)
        os.rename(source, target)
        undo.append(("move", target, source))
        self._log([self._folder(old), self._folder(new)], undo, graves)
        return 0

    def link(self, target, source):
        real = self._real(target)
        os.link(self._real(source), real)
        self._log([self._folder(target)], [("remove", real)])
        return 0

    def symlink(self, target, source):
        real = self._real(target)
        os.symlink(source, real)
        self._log([self._folder(target)], [("remove", real)])
        return 0

    def chmod(self, path, mode):
        real = self._real(path)
        before = os.lstat(real).st_mode & 0o7777
        os.chmod(real, mode)
        self._log([self._folder(path)], [("chmod", real, before)])
        return 0

    def chown(self, path, uid, gid):
        os.lchown(self._real(path), uid, gid)
        return 0

    def utimens(self, path, times=None):
        os.utime(self._real(path), ns=times, follow_symlinks=False) if times else os.utime(self._real(path))
        return 0


def _thread_group(tid: int) -> int:
    """FUSE names the calling thread; the process it belongs to (``Tgid``)."""
    try:
        with open(f"/proc/{tid}/status") as status:
            for line in status:
                if line.startswith("Tgid:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return tid


def _wrap_errors(cls):
    """Every OSError from the backing folder goes back to the caller as its errno."""
    for name, method in list(vars(cls).items()):
        if callable(method) and not name.startswith("_") and name != "power_cut":
            def wrapped(self, *args, _method=method, **kwargs):
                try:
                    return _method(self, *args, **kwargs)
                except FuseOSError:
                    raise
                except OSError as error:
                    raise FuseOSError(error.errno or errno.EIO) from None
            wrapped.__name__ = name
            setattr(cls, name, wrapped)
    return cls


_wrap_errors(PowerCutFS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("backing")
    parser.add_argument("mountpoint")
    parser.add_argument("--cut-at-sync", type=int, default=0, help="cut the power at the K-th sync call")
    parser.add_argument("--ignore-pid", type=int, action="append", default=[],
                        help="a process whose sync calls are not counted (the harness)")
    args = parser.parse_args(argv)
    # One descriptor is kept per file with unsynced data (a restore unpacks every export at once).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    backing = os.path.realpath(args.backing)
    graveyard = backing.rstrip("/") + ".power-cut-graveyard"
    shutil.rmtree(graveyard, ignore_errors=True)
    os.makedirs(graveyard)
    fs = PowerCutFS(backing, graveyard, cut_at_sync=args.cut_at_sync, ignore_pids=args.ignore_pid)
    # hard_remove: an open file that is unlinked goes (no ".fuse_hidden" files in the folder);
    # default_permissions: the kernel checks modes, as on a disk.
    mfusepy.FUSE(fs, args.mountpoint, foreground=True, nothreads=True, hard_remove=True,
                 default_permissions=True, fsname="power-cut-fs")
    print(json.dumps(fs.power_cut()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
