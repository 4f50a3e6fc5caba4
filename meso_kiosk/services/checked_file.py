"""Opening a file someone hands to ``verify``: a regular file of a bounded size, hashed as it is read.

A summary this installation issues is a few hundred kilobytes; anything over ``MAX_BYTES`` is not
one of them, and reading it whole would let a stray disk image exhaust the machine. A FIFO, a
device or a folder is refused before a byte is read (opening a FIFO to read would wait forever
for a writer, so it is opened non-blocking and looked at first).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import WordedError

MAX_BYTES = 50 * 1024 * 1024
_CHUNK = 1024 * 1024


class FileNotCheckable(WordedError):
    """The file is not one ``verify`` reads: the message says why, in one line."""


@dataclass(frozen=True)
class CheckedFile:
    stream: BinaryIO  # positioned at the start, open for the ``with`` block only
    sha256: str
    size: int


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"


@contextmanager
def open_checked(path: Path, *, max_bytes: int = MAX_BYTES) -> Iterator[CheckedFile]:
    """The file at ``path``, hashed in chunks, for reading inside the ``with`` block.

    ``FileNotCheckable`` for anything but a regular, non-empty file of at most ``max_bytes``, and
    when the file changes while it is read (its size or modification time moved), so the hash and
    what the caller reads after it are of the same bytes."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except IsADirectoryError:  # (Windows; on POSIX a folder opens and fstat says what it is)
        raise FileNotCheckable(f"{path}: it is a folder, not a PDF file") from None
    before = os.fstat(descriptor)
    if not stat.S_ISREG(before.st_mode):
        os.close(descriptor)
        raise FileNotCheckable(f"{path}: it is {_kind(before.st_mode)}, not a PDF file")
    with os.fdopen(descriptor, "rb") as stream:
        if before.st_size == 0:
            raise FileNotCheckable(f"{path}: it is empty, not a PDF file")
        if before.st_size > max_bytes:
            raise FileNotCheckable(
                f"{path}: it is {_megabytes(before.st_size)}; verify reads files up to {_megabytes(max_bytes)} "
                "(a summary this installation issues is well under 1 MB)")
        digest, size = hashlib.sha256(), 0
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                break
            digest.update(chunk)
        stream.seek(0)
        checked = CheckedFile(stream=stream, sha256=digest.hexdigest(), size=size)
        yield checked
        after = os.fstat(stream.fileno())
        if (size, after.st_size, after.st_mtime_ns) != (before.st_size, before.st_size, before.st_mtime_ns):
            raise FileNotCheckable(f"{path}: it changed while it was being checked; check it again when nothing "
                                   "is writing to it")
