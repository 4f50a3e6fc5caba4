"""Handing a sealed PDF over: a copy of the exported file in a folder the consultant chose (a
USB drive for the patient, usually). The copy is written whole or not at all, never inside
the data folder (the database and keys live there), never through a link, never over a file
that is there already: a file of the same name gets a numbered name beside it, unless it is
this very document (the same bytes), which is then left as it is."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .files import OutputRefused, refuse_inside, write_atomically

# "summary-….pdf", then "summary-… (2).pdf" … up to this many; past it the folder is crowded enough.
MAX_NUMBERED = 99


@dataclass(frozen=True)
class HandedOver:
    path: Path
    new: bool  # False: the same document was there already, and was left as it is


def copy_document(source: Path, folder: Path, data_root: Path, sha256: str) -> HandedOver:
    """Copy ``source`` (whose SHA-256 must still be ``sha256``: it is what was sealed) into
    ``folder``. ``OutputRefused`` for a folder that must not or cannot take it; ``OSError``
    for a write that failed (a full or pulled-out drive), nothing left behind."""
    folder = Path(folder).expanduser()
    try:
        resolved = folder.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise OutputRefused(f"The folder {folder} is not there (was the drive taken out?).") from None
    if not resolved.is_dir():
        raise OutputRefused(f"{folder} is not a folder.")
    refuse_inside(resolved, data_root)
    data = Path(source).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise OutputRefused(f"{source.name} changed since it was exported; export it again, then save the new one.")
    for number in range(1, MAX_NUMBERED + 1):
        target = resolved / (source.name if number == 1 else f"{source.stem} ({number}){source.suffix}")
        if os.path.lexists(target):
            if _same_file_content(target, data):
                return HandedOver(target, new=False)
            continue
        try:
            write_atomically(target, data, replace=False)
        except FileExistsError:  # appeared meanwhile: the next name
            continue
        return HandedOver(target, new=True)
    raise OutputRefused(f"{resolved} already holds {MAX_NUMBERED} files named like {source.name}; "
                        "choose another folder.")


def _same_file_content(path: Path, data: bytes) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False
