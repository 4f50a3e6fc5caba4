"""What a screen shows, checked as a person with a finger, large text and tired eyes meets it.

``fit_findings(window)``: text a control cannot show whole. For every visible QLabel,
button, check box, radio button and dropdown the text's needed size (font metrics at the
widget's own font, word-wrapped to the label's width when it wraps) is compared with the
room the widget gives it (its contents rect, less the stylesheet's border and padding, as
the style measures them); and every control is followed up its parents: one that a parent
or a scroll viewport cuts sideways is a finding (a viewport may cut it top or bottom: that
is scrolling).

``access_findings(window)``: the window's ``QAccessible`` tree, walked from the window's
interface down. Every interactive control (button, check box, radio, dropdown, line and
text edit, spin box, slider, list, and any widget taking Tab focus such as the signature
pad and the scalp map) must have a name; be at least 44 x 44 px (a dropdown's popup rows
too: the row height its view would give); be reachable by Tab (follows the focus chain from
the screen's first focusable widget and compares with the interactive set); and its text,
like every label's, must stand out from what is behind it by 4.5:1, or 3:1 for large text
(>= 24 px, or >= 18.66 px bold).

Contrast method: the window is rendered once (``grab``); behind a widget's text is the
colour covering most of the widget's text rectangle in that picture (the page, a card, a
button's fill: whatever is really painted there, stylesheet or not), and the text's
colour is the widget's palette text colour for its state (QStyleSheetStyle writes a rule's
``color`` into the palette) unless the picture shows no pixel near it, in which case (a
checked or hovered state's colour, which the palette does not hold) the colour in the
text rectangle farthest from the background that covers a few pixels. Disabled controls
are not held to it (WCAG leaves inactive controls out); neither are scroll bars to the
target size (a page is also moved by a flick).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAccessible, QColor, QFontMetrics, QImage, QPalette, QTextDocument
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractScrollArea, QAbstractSlider,
                               QAbstractSpinBox, QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QRadioButton, QScrollBar, QStyle, QStyleOptionButton,
                               QStyleOptionComboBox, QTextEdit, QWidget)

MIN_TARGET = 44
TOLERANCE = 1  # px: rounding between font metrics and the layout's sizes


@dataclass(frozen=True)
class Finding:
    kind: str  # "cut", "name", "target", "contrast", "tab"
    widget: str
    detail: str
    screen: str = ""
    size: str = ""
    language: str = ""

    def __str__(self) -> str:
        where = " · ".join(part for part in (self.screen, self.size, self.language) if part)
        return f"[{self.kind}] {where}: {self.widget!r}: {self.detail}"


def describe(widget: QWidget) -> str:
    text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
    if isinstance(widget, QComboBox):
        text = widget.currentText()
    name = widget.accessibleName()
    words = " / ".join(part for part in (name, text) if part)
    return f"{type(widget).__name__} {words[:70] or widget.objectName() or '(unnamed)'}"


def shown(window: QWidget) -> Iterator[QWidget]:
    """Every widget of ``window`` a person can see now (not on a hidden page, not zero-sized)."""
    for widget in window.findChildren(QWidget):
        if widget.isVisible() and widget.width() > 0 and widget.height() > 0 and widget.window() is window:
            yield widget


def is_inner_editor(widget: QWidget) -> bool:
    """A dropdown's or spin box's own line edit: named and reached through its owner."""
    return isinstance(widget.parent(), (QComboBox, QAbstractSpinBox))


# ---------------------------------------------------------------- fit


def fit_findings(window: QWidget) -> list[Finding]:
    found: list[Finding] = []
    for widget in shown(window):
        if isinstance(widget, QLabel):
            problem = _label_fit(widget)
        elif isinstance(widget, (QPushButton, QCheckBox, QRadioButton)):
            problem = _button_fit(widget)
        elif isinstance(widget, QComboBox):
            problem = _combo_fit(widget)
        else:
            problem = None
        if problem is None and isinstance(widget, (QLabel, QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit)) \
                and not is_inner_editor(widget):
            problem = _cut_by_parent(widget, window)
        if problem:
            found.append(Finding("cut", describe(widget), problem))
    return found


def _lines_size(metrics: QFontMetrics, text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return max(metrics.horizontalAdvance(line) for line in lines), metrics.lineSpacing() * len(lines)


def _label_fit(label: QLabel) -> str | None:
    text = label.text()
    if not text or (label.pixmap() is not None and not label.pixmap().isNull()):
        return None
    room = label.contentsRect().adjusted(label.margin(), label.margin(), -label.margin(), -label.margin())
    if label.indent() > 0:
        room.setLeft(room.left() + label.indent())
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and Qt.mightBeRichText(text))
    if rich:
        document = QTextDocument()
        document.setDefaultFont(label.font())
        document.setDocumentMargin(0)
        document.setHtml(text)
        if label.wordWrap():
            document.setTextWidth(room.width())
        need_w, need_h = int(document.idealWidth()), int(document.size().height())
    elif label.wordWrap():
        bound = label.fontMetrics().boundingRect(QRect(0, 0, max(room.width(), 1), 100_000),
                                                 int(Qt.TextFlag.TextWordWrap | label.alignment()), text)
        need_w, need_h = bound.width(), bound.height()
    else:
        need_w, need_h = _lines_size(label.fontMetrics(), text)
    return _compare(need_w, need_h, room.width(), room.height())


def _compare(need_w: int, need_h: int, room_w: int, room_h: int) -> str | None:
    if need_w > room_w + TOLERANCE or need_h > room_h + TOLERANCE:
        return f"needs {need_w}x{need_h} px, given {room_w}x{room_h}"
    return None


def _button_fit(button: QAbstractButton) -> str | None:
    text = button.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    if not text:
        return None
    option = QStyleOptionButton()
    option.initFrom(button)
    option.text = button.text()
    option.icon = button.icon()
    option.iconSize = button.iconSize()
    room = button.style().subElementRect(_contents_element(button), option, button)
    # A button's text is measured as Qt sizes it (each line's bounding rectangle: its ink, where the
    # advance also counts the last letter's side bearing, 2 px of "‹ Patients" in DejaVu Sans Bold
    # that nothing is drawn in): a button squeezed below that is cut, one at it is whole.
    metrics = button.fontMetrics()
    lines = text.split("\n")
    need_w = max(metrics.boundingRect(line).width() for line in lines)
    need_h = metrics.lineSpacing() * len(lines)
    if not button.icon().isNull():
        need_w += button.iconSize().width() + 4
    return _compare(need_w, need_h, room.width(), room.height())


def _contents_element(button: QAbstractButton) -> QStyle.SubElement:
    if isinstance(button, QCheckBox):
        return QStyle.SubElement.SE_CheckBoxContents
    if isinstance(button, QRadioButton):
        return QStyle.SubElement.SE_RadioButtonContents
    return QStyle.SubElement.SE_PushButtonContents


def _combo_fit(combo: QComboBox) -> str | None:
    if combo.isEditable() or not combo.currentText():
        return None
    option = QStyleOptionComboBox()
    option.initFrom(combo)
    option.currentText = combo.currentText()
    option.editable = False
    room = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo)
    need_w, need_h = _lines_size(combo.fontMetrics(), combo.currentText())
    return _compare(need_w, need_h, room.width(), room.height())


def shown_part(widget: QWidget, window: QWidget) -> QRect:
    """The part of ``widget`` its parents (and scroll viewports) leave in sight, in the window's coordinates."""
    part = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        part = part.intersected(QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()))
        parent = parent.parentWidget()
    return part.intersected(window.rect())


def _cut_by_parent(widget: QWidget, window: QWidget) -> str | None:
    """A parent (or a scroll viewport, sideways) that hides part of ``widget``."""
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    child, parent = widget, widget.parentWidget()
    while parent is not None:
        area = QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()) if parent is not window else window.rect()
        scrolls = isinstance(parent.parentWidget(), QAbstractScrollArea) and parent is parent.parentWidget().viewport()
        if rect.left() < area.left() - TOLERANCE or rect.right() > area.right() + TOLERANCE:
            return (f"cut sideways by {type(parent).__name__} {parent.objectName() or ''}: spans "
                    f"{rect.left()}..{rect.right()}, shown {area.left()}..{area.right()}")
        if not scrolls and (rect.top() < area.top() - TOLERANCE or rect.bottom() > area.bottom() + TOLERANCE):
            return (f"cut top or bottom by {type(parent).__name__}: spans {rect.top()}..{rect.bottom()}, "
                    f"shown {area.top()}..{area.bottom()}")
        if scrolls:
            return None  # what a viewport holds is cut as it scrolls: the viewport's own place is checked
        child, parent = parent, parent.parentWidget()
    return None


# ---------------------------------------------------------------- accessibility


def accessible_tree(window: QWidget) -> Iterator[QAccessible]:
    """Every interface under the window's, depth first."""
    root = QAccessible.queryAccessibleInterface(window)
    stack = [root] if root is not None else []
    while stack:
        interface = stack.pop()
        yield interface
        for index in range(interface.childCount() - 1, -1, -1):
            child = interface.child(index)
            if child is not None and child.isValid():
                stack.append(child)


INTERACTIVE = (QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QAbstractSpinBox,
               QAbstractSlider, QAbstractItemView)


def is_interactive(widget: QWidget) -> bool:
    if isinstance(widget, QScrollBar) or is_inner_editor(widget) or not widget.isEnabled():
        return False
    if isinstance(widget, QLabel):  # a label with links is a control too
        return "<a " in widget.text() and widget.textFormat() != Qt.TextFormat.PlainText
    if isinstance(widget, QAbstractScrollArea) and not isinstance(widget, (QAbstractItemView, QPlainTextEdit,
                                                                           QTextEdit)):
        return bool(widget.property("interactive"))  # a plain scroll area is a container
    if isinstance(widget, (QTextEdit, QPlainTextEdit)) and widget.isReadOnly():
        return False
    return isinstance(widget, INTERACTIVE) or bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)


def access_findings(window: QWidget) -> list[Finding]:
    picture = window.grab().toImage()
    ratio = picture.devicePixelRatio()
    found: list[Finding] = []
    seen: set[int] = set()
    for interface in accessible_tree(window):
        widget = interface.object()
        if not isinstance(widget, QWidget) or id(widget) in seen:
            continue
        seen.add(id(widget))
        if not widget.isVisible() or widget.window() is not window or widget.width() == 0:
            continue
        if is_interactive(widget):
            found += _control_findings(widget, interface)
        if widget.isEnabled():
            problem = _contrast(widget, window, picture, ratio)
            if problem:
                found.append(Finding("contrast", describe(widget), problem))
    found += tab_findings(window)
    return found


def _control_findings(widget: QWidget, interface) -> list[Finding]:
    found = []
    if not interface.text(QAccessible.Text.Name).strip():
        found.append(Finding("name", describe(widget), "an interactive control without an accessible name"))
    if widget.width() < MIN_TARGET or widget.height() < MIN_TARGET:
        found.append(Finding("target", describe(widget), f"{widget.width()}x{widget.height()} px < 44x44"))
    if isinstance(widget, QComboBox) and widget.count():
        row = widget.view().sizeHintForRow(0)
        if row < MIN_TARGET:
            found.append(Finding("target", describe(widget), f"its list's rows are {row} px high < 44"))
    return found


def on_screen_keyboard(widget: QWidget) -> bool:
    """A key of the PIN pad: it types into the PIN field, which Tab reaches and a keyboard types
    into itself (taking the focus from the field would lose the keyboard's digits)."""
    return widget.property("role") == "pin-key" or bool(widget.property("pin_ok"))


def tab_findings(window: QWidget) -> list[Finding]:
    """Controls Tab never stops at: the focus chain from the screen's first focusable widget."""
    controls = [w for w in shown(window) if is_interactive(w) and not on_screen_keyboard(w)]
    if not controls:
        return []
    reachable, start = set(), controls[0]
    widget = start.nextInFocusChain()
    for _ in range(20_000):
        if _takes_tab(widget):
            reachable.add(id(widget))
        if widget is start:
            break
        widget = widget.nextInFocusChain()
    return [Finding("tab", describe(w), "Tab never reaches it (focus policy "
                    f"{w.focusPolicy().name})") for w in controls if id(w) not in reachable]


def _takes_tab(widget: QWidget) -> bool:
    # Not through focusProxy(): in PySide6 6.11 the proxy it returns (a scroll area, for its
    # viewport) is deleted with that Python wrapper when the garbage collector takes it, and with
    # it everything on the page (the hand-off's name field, seen by the next hand-off). A widget
    # and the proxy Tab gives its focus to are both in the focus chain, each with its own policy.
    return (bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.isEnabled()
            and widget.isVisible())


def luminance(colour: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(colour.red()) + 0.7152 * channel(colour.green()) + 0.0722 * channel(colour.blue())


def contrast_ratio(a: QColor, b: QColor) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def is_large(widget: QWidget) -> bool:
    font = widget.font()
    px = font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * 96 / 72
    return px >= 24 or (px >= 18.66 and font.weight() >= 600)


def _text_rect(widget: QWidget) -> QRect | None:
    """Where ``widget`` paints its text (None: it shows none)."""
    if isinstance(widget, QLabel):
        if not widget.text() or (widget.pixmap() is not None and not widget.pixmap().isNull()):
            return None
        return widget.contentsRect()
    if isinstance(widget, (QPushButton, QCheckBox, QRadioButton)) and widget.text():
        option = QStyleOptionButton()
        option.initFrom(widget)
        option.text = widget.text()
        return widget.style().subElementRect(_contents_element(widget), option, widget)
    if isinstance(widget, QComboBox) and widget.currentText() and not widget.isEditable():
        option = QStyleOptionComboBox()
        option.initFrom(widget)
        return widget.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                             QStyle.SubControl.SC_ComboBoxEditField, widget)
    return None


def _colours(picture: QImage, rect: QRect, ratio: float) -> dict[int, int]:
    counts: dict[int, int] = {}
    step = max(1, int(ratio))
    for y in range(int(rect.top() * ratio), int((rect.bottom() + 1) * ratio), step):
        for x in range(int(rect.left() * ratio), int((rect.right() + 1) * ratio), step):
            if 0 <= x < picture.width() and 0 <= y < picture.height():
                rgb = picture.pixel(x, y) & 0xFFFFFF
                counts[rgb] = counts.get(rgb, 0) + 1
    return counts


def _contrast(widget: QWidget, window: QWidget, picture: QImage, ratio: float) -> str | None:
    rect = _text_rect(widget)
    if rect is None or rect.isEmpty():
        return None
    placed = QRect(widget.mapTo(window, rect.topLeft()), rect.size())
    if shown_part(widget, window).intersected(placed) != placed:
        return None  # scrolled partly out of sight: measured where it is shown whole
    counts = _colours(picture, placed, ratio)
    if not counts:
        return None
    background = QColor.fromRgb(max(counts, key=counts.get))
    text = widget.palette().color(QPalette.ColorGroup.Active, widget.foregroundRole())
    if contrast_ratio(text, background) < 1.1 or not _near_any(text, counts):
        others = [QColor.fromRgb(rgb) for rgb, n in counts.items() if n >= 3]
        if not others:
            return None
        text = max(others, key=lambda colour: contrast_ratio(colour, background))
    needed = 3.0 if is_large(widget) else 4.5
    measured = contrast_ratio(text, background)
    if measured < needed:
        return f"text {text.name()} on {background.name()}: {measured:.2f}:1 < {needed}:1"
    return None


def _near_any(colour: QColor, counts: dict[int, int]) -> bool:
    r, g, b = colour.red(), colour.green(), colour.blue()
    return any(abs(((rgb >> 16) & 255) - r) + abs(((rgb >> 8) & 255) - g) + abs((rgb & 255) - b) <= 12
               for rgb in counts)


def with_place(findings: Iterable[Finding], screen: str, size: str, language: str) -> list[Finding]:
    return [Finding(f.kind, f.widget, f.detail, screen, size, language) for f in findings]
