"""The installation's text size: Standard, Large or Largest, for every screen at once.

A display preference of the kiosk (not of a patient or a consultant), stored as the audited
setting ``display.text_size``; whoever draws text listens (``add_listener``), so a change
shows without a restart.
"""

from __future__ import annotations

from typing import Callable

from ..domain.errors import ValidationError
from ..store.db import Store
from ..store.settings import get_setting, put_setting

TEXT_SIZE_KEY = "display.text_size"
# Each size's name as the settings page says it, and its scale of the theme's font sizes.
TEXT_SIZES: dict[str, tuple[str, float]] = {
    "standard": ("Standard", 1.0),
    "large": ("Large", 1.15),
    "largest": ("Largest", 1.3),
}
STANDARD = "standard"

# Told after a change: the new size's id and its scale.
TextSizeListener = Callable[[str, float], None]


def scale_of(size: str) -> float:
    """The scale of ``size``; an unknown stored value reads as the standard size."""
    return TEXT_SIZES.get(size, TEXT_SIZES[STANDARD])[1]


class TextSizeService:
    def __init__(self, store: Store):
        self._store = store
        self._listeners: list[TextSizeListener] = []

    def add_listener(self, listener: TextSizeListener) -> None:
        self._listeners.append(listener)

    def current(self) -> str:
        size = get_setting(self._store.conn, TEXT_SIZE_KEY, STANDARD)
        return size if size in TEXT_SIZES else STANDARD

    def scale(self) -> float:
        return scale_of(self.current())

    def set(self, size: str, actor: str) -> None:
        """Show every screen at ``size`` (one of ``TEXT_SIZES``) from now on, audited."""
        if size not in TEXT_SIZES:
            raise ValidationError({"text_size": f"Choose one of: {', '.join(name for name, _ in TEXT_SIZES.values())}."})
        if size == self.current():
            return
        with self._store.write(actor) as tx:
            put_setting(tx, TEXT_SIZE_KEY, size)
        for listener in self._listeners:
            listener(size, scale_of(size))
