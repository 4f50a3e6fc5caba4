"""Where the kiosk keeps its data, decided once at start-up."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple

APP_NAME = "MesoKiosk"
APP_AUTHOR = "MesoKiosk"
HOME_ENV = "MESO_KIOSK_HOME"


class DataDirError(OSError):
    """The data directory cannot be created or used."""


# A NamedTuple, not a dataclass: built on the cold start's path to the first frame (see ui/startup).
class DataPaths(NamedTuple):
    """Every file the kiosk writes lives below ``root``."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "meso.db"

    @property
    def audit_key(self) -> Path:
        # Kept outside the database so a copy of meso.db alone cannot re-forge the chain.
        return self.root / "audit.key"

    @property
    def audit_anchor(self) -> Path:
        # The chain's head, HMAC'd with the key: a log cut short shows (store/anchor.py).
        return self.root / "audit.head"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def seal(self) -> Path:
        return self.root / "seal"


def default_data_dir() -> Path:
    import platformdirs  # a slow import, needed only when no folder was given

    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR, roaming=False))


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` wins, then ``$MESO_KIOSK_HOME``, then the platform's user data dir."""
    value = cli_value or os.environ.get(HOME_ENV)
    if not value:
        return default_data_dir()
    try:
        return Path(value).expanduser().resolve()
    except (ValueError, OSError) as error:
        raise DataDirError(f"The data folder name {str(value)!r} cannot be used: {error}.") from error


def prepare_data_dir(root: Path) -> DataPaths:
    """Create the data directory (private to this user) and its sub-folders."""
    paths = DataPaths(root)
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        paths.exports.mkdir(exist_ok=True, mode=0o700)
    except OSError as error:
        raise DataDirError(
            f"Cannot create the data folder {root}: {error.strerror or error}. "
            "Choose another folder with --data-dir or fix its permissions."
        ) from error
    if not os.access(root, os.W_OK):
        raise DataDirError(
            f"The data folder {root} is read-only. "
            "Choose another folder with --data-dir or fix its permissions."
        )
    return paths


def tighten(paths: DataPaths) -> list[str]:
    """Make the data folder and its secrets private to this user (folders 0700, keys 0600) where
    they are not; returns what was changed, for a one-time note (a folder made by hand, a copy
    restored by another tool, an older version that left backups readable)."""
    if os.name != "posix":
        return []  # Windows keeps access in ACLs, not mode bits
    changed = []
    wanted = [(paths.root, 0o700), (paths.exports, 0o700), (paths.backups, 0o700), (paths.seal, 0o700),
              (paths.audit_key, 0o600), (paths.audit_anchor, 0o600),
              (paths.seal / "seal.p12", 0o600), (paths.seal / "passphrase", 0o600)]
    for path, mode in wanted:
        try:
            current = path.lstat().st_mode
        except OSError:
            continue
        if current & 0o077 and not stat.S_ISLNK(current):
            try:
                os.chmod(path, mode)
            except OSError:
                continue  # not ours to change (another owner): the open goes on as before
            changed.append(path.name if path != paths.root else str(path))
    return changed
