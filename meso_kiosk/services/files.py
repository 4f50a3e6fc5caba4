"""Writing a file so that a crash leaves either the old file or the whole new one."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from contextlib import suppress
from pathlib import Path


def write_atomically(target: Path, data: bytes, *, mode: int | None = None) -> None:
    """Temp file in the same folder, fsync, ``os.replace``, then fsync the folder.

    ``mode`` (e.g. 0o600 for a key) is set on the temp file before any byte is written,
    so the secret is never readable by others, not even for a moment.
    A device or other special file is never replaced (renaming over /dev/null as root
    would swap the device for a plain file).
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
        os.replace(temporary, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


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
