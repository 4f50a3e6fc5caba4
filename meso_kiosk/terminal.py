"""What reaches the terminal: the app's own lines, not its libraries' chatter.

Others script against the command line's one-line contract (``cli``). A library's warning
(cryptography deprecating DSA, which pyHanko imports at load time, printed two lines on every
``export-pdf``) or a log record it emits with no logging set up (Python then prints WARNING
and above on stderr) would break that contract with every new release of a dependency, so
both are silenced at the entry point, whatever versions are installed.
"""

from __future__ import annotations

import logging
import sys
import warnings

PROJECT = "meso_kiosk"
# Matches a warning's module unless it is the project's own (``warnings`` matches at the start).
NOT_THE_PROJECT = rf"(?!{PROJECT}(\.|$))"


def quiet_third_parties() -> None:
    """Silence every warning raised by a module other than ours, and log records nobody handles.

    The project's own warnings keep whatever filter is in force (errors under pytest, see
    pyproject.toml). Python's ``-W`` or ``PYTHONWARNINGS`` win: whoever set them asked to see.
    Idempotent: ``main`` runs once per process, tests call it many times in one.
    """
    if not sys.warnoptions:
        warnings.filterwarnings("ignore", category=Warning, module=NOT_THE_PROJECT)
    root = logging.getLogger()
    if not any(isinstance(handler, logging.NullHandler) for handler in root.handlers):
        # A handler on the root logger stops Python's last-resort printing to stderr.
        root.addHandler(logging.NullHandler())
