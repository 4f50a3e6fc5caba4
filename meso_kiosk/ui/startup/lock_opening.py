"""What a cold start paints first: the lock screen's header and a name tile per consultant.

``LockOpening`` is built before the store and the services are imported (from a
``LockRoster`` read straight from the database file) and before anything touches PySide's
``Qt`` namespace, whose first use builds dozens of Python enum classes. So this module
gives Qt values as numbers through the widgets' properties (``_label``, ``_scrolling``),
and what only a mouse user notices (the pointing-hand cursor over a tile) comes with
``finish()``. The lock screen (``pages.lock_screen.LockScreenPage``) takes the opening's
header and tiles over: what the first frame showed stays on screen, nothing is built twice.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Callable, Sequence

from PySide6.QtCore import QEvent, QSize, Signal
from PySide6.QtGui import QGuiApplication, QImageReader, QPixmap, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...resources import resource_path
from ...store.consultant_accounts import ConsultantAccount
from ..theme import TILE_HEIGHT, TILE_WIDTH

TILE_SPACING = 16
MAX_COLUMNS = 4
# The body's side margins and the scroll area's frame and bar, beside the tiles.
_BODY_SIDES = 64 + 24
NAME_LINES = 2  # the room a tile has for a name under its initials and above its role

# Qt values as plain numbers, set through the widgets' properties: importing PySide's ``Qt``
# namespace would build its enum classes before the first frame (see the module's docstring).
# A test holds each to its Qt enum.
PLAIN_TEXT = 0  # Qt.TextFormat.PlainText
ALIGN_CENTER = 0x0084  # Qt.AlignmentFlag.AlignCenter
SCROLL_BAR_ALWAYS_OFF = 1  # Qt.ScrollBarPolicy.ScrollBarAlwaysOff
WORD_WRAP = 0x1000  # Qt.TextFlag.TextWordWrap


LOCK_ICON = "icons/lock.svg"
LOGO_PX, LOCK_ICON_PX = 44, 22
# Reading the first SVG loads Qt's SVG plugin and library, so the header's two icons are read
# from PNG copies drawn from their SVGs at the pixel ratios screens use most; another ratio,
# or an icon without a copy, reads the SVG. ``python -m meso_kiosk.ui.startup.icon_copies``
# draws the copies again; a test holds them to the SVGs.
COPY_RATIOS = (1, 2)


def _label(text: str, role: str | None = None, *, wrap: bool = True, centred: bool = False,
           kind: type[QLabel] = QLabel) -> QLabel:
    """``widgets.basics.label`` without the ``Qt`` namespace: plain text, a style role."""
    widget = kind(text)
    widget.setWordWrap(wrap)
    widget.setProperty("textFormat", PLAIN_TEXT)
    if centred:
        widget.setProperty("alignment", ALIGN_CENTER)
    if role:
        widget.setProperty("role", role)
    return widget


def _scrolling(body: QWidget) -> QScrollArea:
    """``widgets.basics.scrolling`` without the ``Qt`` namespace: scrolls vertically, never sideways."""
    body.setObjectName("page")
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setProperty("horizontalScrollBarPolicy", SCROLL_BAR_ALWAYS_OFF)
    area.setWidget(body)
    return area


def png_copy(svg: Path, size: int, ratio: int) -> Path:
    """Where the PNG copy of ``svg`` drawn at ``size`` px for a ``ratio``x screen lives."""
    return svg.parent / "first-frame" / f"{svg.stem}-{size}{'' if ratio == 1 else f'@{ratio}x'}.png"


def icon_pixmap(svg: Path, size: int) -> QPixmap:
    """An SVG icon drawn at ``size`` px, sharp on a high-density screen: its PNG copy for the
    screen's ratio when there is one. Read straight into a pixmap, not through QIcon or
    QImage, whose enums PySide would build for the first frame (it builds a class's enums
    when Python first meets the class)."""
    ratio = QGuiApplication.instance().devicePixelRatio() if QGuiApplication.instance() else 1.0
    copy = png_copy(svg, size, int(ratio)) if ratio in COPY_RATIOS else None
    pixmap = QPixmap.fromImageReader(QImageReader(str(copy))) if copy is not None and copy.is_file() else None
    if pixmap is None or pixmap.isNull():  # no copy, or one that cannot be read
        reader = QImageReader(str(svg))
        reader.setScaledSize(QSize(round(size * ratio), round(size * ratio)))
        pixmap = QPixmap.fromImageReader(reader)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def initials(name: str) -> str:
    """Two letters for a consultant's tile: first and last word, skipping titles like "Dr"."""
    words = [word for word in name.replace("-", " ").split() if word[:1].isalnum()]
    titles = {"dr", "dr.", "prof", "prof.", "mr", "mrs", "ms", "mx", "miss"}
    named = [word for word in words if word.lower() not in titles] or words
    if not named:
        return "?"
    letters = named[0][0] + (named[-1][0] if len(named) > 1 else "")
    return letters.upper()


_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}  # zero-width joiner, text and emoji presentation


def _splits_a_character(text: str, index: int) -> bool:
    """True when cutting ``text`` before ``index`` would part what shows as one character
    (a letter and its accents, an emoji sequence joined or with a skin tone)."""
    if index <= 0 or index >= len(text):
        return False
    after, before = text[index], text[index - 1]
    return (unicodedata.combining(after) > 0 or after in _JOINERS or before == "\u200d"
            or "\U0001F3FB" <= after <= "\U0001F3FF")


def shortened(text: str, fits: Callable[[str], bool]) -> str:
    """``text`` if it ``fits``, else its longest beginning that fits with "…" after it,
    never cut inside what shows as one character."""
    if fits(text):
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle].rstrip() + "…"):
            low = middle
        else:
            high = middle - 1
    while _splits_a_character(text, low):
        low -= 1
    return text[:low].rstrip() + "…"


def tile_columns(width: int, tiles: int) -> int:
    """How many tiles fit side by side in a lock screen ``width`` pixels wide (1 to 4)."""
    available = max(width - _BODY_SIDES, TILE_WIDTH)
    return max(1, min(MAX_COLUMNS, (available + TILE_SPACING) // (TILE_WIDTH + TILE_SPACING), tiles or 1))


def _centred(widget: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.addStretch(1)
    row.addWidget(widget)
    row.addStretch(1)
    return row


class TileName(QLabel):
    """A consultant's name on a tile: whole when it fits two lines, else its longest beginning
    that does with "…" after it (``shortened``). Fitted again whenever its width or font
    changes while it shows, not once when shown: while the start finishes, the tile is laid
    out without the stylesheet (see ``startup.deferred_style``), and a name fitted then stayed cut
    ("Dr A…") once the stylesheet was back."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(text, parent)
        self.full = text
        self.setAccessibleName(text)  # said whole, even when shown cut
        self.on_fitted: Callable[[bool], None] = lambda cut: None  # told whether the name is cut
        self._fitted_for: tuple[int, str] | None = None

    def fit(self) -> None:
        width = self.contentsRect().width()
        key = (width, self.font().key())
        if width <= 0 or key == self._fitted_for:
            return
        self._fitted_for = key
        metrics = self.fontMetrics()
        line = metrics.lineSpacing()

        def fits(text: str) -> bool:  # (a line's box is a little taller than the line spacing)
            box = metrics.boundingRect(0, 0, width, 20 * line, WORD_WRAP | ALIGN_CENTER, text)
            return box.width() <= width and box.height() < (NAME_LINES + 1) * line

        shown = shortened(self.full, fits)
        self.setText(shown)
        self.on_fitted(shown != self.full)

    # Hidden, it is not fitted: its width is not the tile's yet, and text layouts cost time.
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self.isVisible():
            self.fit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange) and self.isVisible():
            self.fit()


class ConsultantTile(QPushButton):
    """A big touch tile: initials in a circle, the name, and "Admin" for admins."""

    def __init__(self, account: ConsultantAccount, parent: QWidget | None = None):
        super().__init__(parent)
        self.account = account
        self.setProperty("role", "consultant-tile")
        self.setAccessibleName(f"Unlock as {account.display_name}")
        self.setFixedSize(TILE_WIDTH, TILE_HEIGHT)
        badge = _label(initials(account.display_name), "initials", wrap=False, centred=True)
        badge.setFixedSize(56, 56)
        # Its accessible name, its tooltip (when the tile shows it cut) and the PIN view say it whole.
        self.name: TileName = _label(account.display_name, "tile-name", centred=True, kind=TileName)
        self.name.on_fitted = lambda cut: self.setToolTip(account.display_name if cut else "")
        role = _label("Admin" if account.is_admin else "Consultant", "muted", centred=True)
        self._parts = (badge, self.name, role)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 10)
        layout.setSpacing(4)
        layout.addLayout(_centred(badge))
        layout.addWidget(self.name)
        layout.addWidget(role)

    def finish(self) -> None:
        """The pointing hand for a mouse, and every touch on the tile going to the tile."""
        from PySide6.QtCore import Qt  # after the first frame (see the module's docstring)

        self.setCursor(Qt.CursorShape.PointingHandCursor)
        for part in self._parts:
            part.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)


class LockHeader(QFrame):
    """The clinic's name and logo, the app's title, and "Locked"."""

    def __init__(self, clinic_name: str, app_title: str, logo: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "header")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(32, 16, 32, 16)
        layout.setSpacing(16)
        # The app's icon, until the lock screen puts the clinic's own logo here (after the first frame).
        self.logo = QLabel()
        self.app_icon = icon_pixmap(logo, LOGO_PX) if logo is not None else None
        if self.app_icon is not None:
            self.logo.setPixmap(self.app_icon)
            self.logo.setFixedSize(LOGO_PX, LOGO_PX)
        else:
            self.logo.hide()
        layout.addWidget(self.logo)
        names = QVBoxLayout()
        names.setSpacing(0)
        self.clinic_label = _label(clinic_name, "heading")
        names.addWidget(self.clinic_label)
        names.addWidget(_label(app_title, "muted"))
        layout.addLayout(names, 1)
        locked_icon = QLabel()
        locked_icon.setPixmap(icon_pixmap(resource_path(LOCK_ICON), LOCK_ICON_PX))
        layout.addWidget(locked_icon)
        layout.addWidget(_label("Locked", "lock-word", wrap=False))


class LockOpening(QWidget):
    """The header over the view "Who is using the kiosk?" with its name tiles.

    ``views`` holds that view (``choose_view``); the lock screen adds its PIN pad and its
    first-run setup there. A touched tile emits ``chosen`` with its account.
    """

    chosen = Signal(object)  # ConsultantAccount

    def __init__(self, clinic_name: str, app_title: str, accounts: Sequence[ConsultantAccount],
                 logo: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.tiles: list[ConsultantTile] = []
        self._columns = 0
        self._finished = False
        self.header = LockHeader(clinic_name, app_title, logo)
        self.clinic_label = self.header.clinic_label

        self.choose_view = QWidget()
        self.title = _label("Who is using the kiosk?", "lock-title", centred=True)
        self.hint = _label("Touch your name, then enter your PIN.", "muted", centred=True)
        self.empty = _label("No consultant can sign in. Ask the clinic's administrator for help.", "muted",
                            centred=True)
        self.empty.hide()
        self.tile_grid = QGridLayout()
        self.tile_grid.setSpacing(TILE_SPACING)
        tiles_row = QHBoxLayout()  # centred by stretches (an alignment would need a Qt enum)
        tiles_row.addStretch(1)
        tiles_row.addLayout(self.tile_grid)
        tiles_row.addStretch(1)
        choose_layout = QVBoxLayout(self.choose_view)
        choose_layout.setContentsMargins(0, 0, 0, 0)
        choose_layout.setSpacing(12)
        choose_layout.addWidget(self.title)
        choose_layout.addWidget(self.hint)
        choose_layout.addSpacing(16)
        choose_layout.addLayout(tiles_row)
        choose_layout.addWidget(self.empty)
        choose_layout.addStretch(1)

        self.views = QStackedWidget()
        self.views.addWidget(self.choose_view)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(32, 40, 32, 32)
        body_layout.addWidget(self.views)
        self.body: QScrollArea = _scrolling(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.body, 1)
        self.fill_tiles(accounts)

    def finish(self) -> None:
        """What the first frame could do without (``ConsultantTile.finish``), for every tile now and later."""
        self._finished = True
        for tile in self.tiles:
            tile.finish()

    def fill_tiles(self, accounts: Sequence[ConsultantAccount]) -> None:
        """One tile per account, in order; tiles already showing exactly these accounts are kept."""
        if [tile.account for tile in self.tiles] == list(accounts):
            return
        for tile in self.tiles:  # off screen now (out of the grid), deleted soon
            self.tile_grid.removeWidget(tile)
            tile.hide()
            tile.deleteLater()
        self.tiles = []
        for account in accounts:
            tile = ConsultantTile(account)
            tile.clicked.connect(lambda _checked=False, chosen=account: self.chosen.emit(chosen))
            if self._finished:
                tile.finish()
            self.tiles.append(tile)
        self.empty.setVisible(not self.tiles)
        self._columns = 0
        self.place_tiles(self.width())

    def place_tiles(self, width: int) -> None:
        """As many tiles in a row as ``width`` holds; Tab follows reading order."""
        columns = tile_columns(width, len(self.tiles))
        if columns == self._columns:
            return
        self._columns = columns
        for tile in self.tiles:
            self.tile_grid.removeWidget(tile)
        for index, tile in enumerate(self.tiles):
            self.tile_grid.addWidget(tile, index // columns, index % columns)
        for previous, tile in zip(self.tiles, self.tiles[1:]):
            QWidget.setTabOrder(previous, tile)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self.place_tiles(self.width())
