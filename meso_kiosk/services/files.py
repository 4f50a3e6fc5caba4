"""Writing a file so that a crash leaves either the old file or the whole new one."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Callable


def write_atomically(target: Path, data: bytes, *, mode: int | None = None, replace: bool = True) -> None:
    """Temp file in the same folder, fsync, ``os.replace``, then fsync the folder.

    ``mode`` (e.g. 0o600 for a key) is set on the temp file before any byte is written,
    so the secret is never readable by others, not even for a moment (without it the file
    is 0600 too, as ``mkstemp`` makes it).
    A device or other special file is never replaced (renaming over /dev/null as root
    would swap the device for a plain file). ``replace=False``: ``FileExistsError`` if
    ``target`` exists, even if it appears meanwhile (see ``place_new``).
    """
    refuse_special_file(target)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        if mode is not None:
            os.chmod(temporary, mode)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if replace:
            os.replace(temporary, target)
        else:
            place_new(Path(temporary), target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    sync_folder(target.parent)


def place_new(temporary: Path, target: Path) -> None:
    """Move a finished temporary file to ``target``, which must not exist (``FileExistsError``):
    a hard link then the temporary's removal, so nothing that appears at ``target`` meanwhile is
    ever replaced. File systems without hard links (a FAT USB stick) claim the name first."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise
    except OSError:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # FileExistsError if taken
        os.replace(temporary, target)
        return
    os.unlink(temporary)


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no folder handles to sync)."""
    if hasattr(os, "O_DIRECTORY"):
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def refuse_link(target: Path) -> None:
    """``OutputRefused`` if ``target`` is a symbolic link (written through, it could aim anywhere)."""
    if Path(target).expanduser().is_symlink():
        raise OutputRefused(f"{target} is a symbolic link; give the path of a plain file.")


def refuse_inside(target: Path, data_root: Path) -> None:
    """``OutputRefused`` if ``target`` (as far as it exists, links followed) is in the data folder."""
    resolved, root = Path(target).expanduser().resolve(), data_root.resolve()
    if resolved == root or root in resolved.parents:
        raise OutputRefused(f"{resolved} is inside the data folder {root}, which holds the database and its keys; "
                            "write it somewhere else.")


class OutputRefused(ValueError):
    """A file the user named (``--out``) must not be written there; the message says why."""


def guard_output(target: Path, data_root: Path, *, force: bool, issued: Callable[[Path], bool]) -> Path:
    """Where a file the user named may be written: the path to write, or ``OutputRefused``.

    Never inside the data folder (the database, the keys and the seal live there), never
    through a symbolic link (a link planted in a shared folder would aim the write at
    anything), never over an existing file unless ``force``, and never over a document this
    installation issued (``issued(path)``), ``force`` or not.
    """
    target = Path(target).expanduser()
    refuse_link(target)
    try:
        folder = target.parent.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise OutputRefused(f"The folder {target.parent} does not exist.") from None
    resolved = folder / target.name
    refuse_inside(resolved, data_root)
    if os.path.lexists(resolved):
        refuse_special_file(resolved)
        if issued(resolved):
            raise OutputRefused(f"{resolved} is a document this installation issued; it is never replaced. "
                                "Choose another name.")
        if not force:
            raise OutputRefused(f"{resolved} already exists; choose another name, or pass --force to replace it.")
    return resolved


def refuse_special_file(target: Path) -> None:
    """``OSError`` if ``target`` exists and is not a regular file (a folder, device, pipe...)."""
    try:
        kind = os.stat(target).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(kind):
        raise IsADirectoryError(errno.EISDIR, "it is a folder, not a file", str(target))
    if not stat.S_ISREG(kind):
        raise OSError(errno.EINVAL, "it is a device or special file, not a regular file", str(target))
