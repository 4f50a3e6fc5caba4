"""app.toml for the first frame (its title and icon; the pages' steps after it), read without
the clinic data loader, which imports every domain parser of every clinic file.

The file is parsed by the same function as the loader's (``reference.parse_app_info``). A file
this read cannot take is read again through the loader, whose error names the file and the key
at fault, as any start would have said.
"""

from __future__ import annotations

import tomllib

from ...resources import resource_path
from ...services.reference import AppInfo, parse_app_info

APP_FILE = "app.toml"  # the loader's ``clinic_data.APP_FILE``


def app_info() -> AppInfo:
    try:
        return parse_app_info(tomllib.loads(resource_path(APP_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        from ...services.clinic_data import app_info as loaded  # to say what is wrong, as the loader says it

        return loaded()
