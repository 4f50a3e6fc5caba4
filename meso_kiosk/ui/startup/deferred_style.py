"""Build the window first, style it once: the app's stylesheet is set after construction.

With an application stylesheet in force, every widget added to a parent is styled again
with the whole subtree it joins, so building the window bottom-up styles most widgets
many times over: the pages built under the stylesheet take about twice as long as built
without it and styled once. The result is the same window: setting the stylesheet
re-polishes every widget and recomputes their sizes before anything is shown. The app's
font and Fusion style stay set throughout, so sizes measured while building (font
metrics) are the same as before.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from PySide6.QtWidgets import QApplication

from ..theme import apply_stylesheet


@contextmanager
def stylesheet_after(app: QApplication) -> Iterator[None]:
    """Inside: no application stylesheet; on leaving (even by an error): the theme's again, at
    the text size set meanwhile (the installation's, read with the store: ``theme.set_text_scale``)."""
    sheet = app.styleSheet()
    if sheet:
        app.setStyleSheet("")
    try:
        yield
    finally:
        if sheet:
            apply_stylesheet(app)
