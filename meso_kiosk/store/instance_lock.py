"""One running kiosk per data folder: an OS file lock, released by the OS if the app dies."""

from __future__ import annotations

import os
import sys
from pathlib import Path

LOCK_NAME = "meso-kiosk.lock"


class InstanceLockedError(Exception):
    """Another copy of Meso Kiosk holds this data folder."""


class InstanceLock:
    def __init__(self, root: Path):
        self.path = root / LOCK_NAME
        self._handle = None

    def acquire(self) -> "InstanceLock":
        handle = open(self.path, "a+b")
        try:
            if sys.platform == "win32":
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            handle.close()
            raise InstanceLockedError(
                f"Meso Kiosk is already running on {self.path.parent}. "
                "Use the open window, or close it first."
            ) from error
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()).encode())
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the descriptor drops the lock
            self._handle = None

    def __enter__(self) -> "InstanceLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
