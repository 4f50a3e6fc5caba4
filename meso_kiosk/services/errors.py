"""The service errors whose message is already written for the clinic, in one light module:
the command line and the window recognise them without importing every service."""

from __future__ import annotations


class WordedError(Exception):
    """A service could not do what was asked; ``str(error)`` says why in plain words."""
