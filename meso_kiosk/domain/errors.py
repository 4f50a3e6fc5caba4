"""Errors the domain raises when a value cannot be accepted."""

from __future__ import annotations


class ValidationError(ValueError):
    """One or more fields hold a value the clinic cannot accept.

    ``errors`` maps a field name to a message written for a consultant, so the
    UI can show each message next to its field.
    """

    def __init__(self, errors: dict[str, str]):
        if not errors:
            raise ValueError("ValidationError needs at least one field error")
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))

    @classmethod
    def single(cls, field: str, message: str) -> "ValidationError":
        return cls({field: message})

    @property
    def field(self) -> str:
        """The first field at fault (where the UI puts the focus)."""
        return next(iter(self.errors))
