"""One intake question each: caption, the input that fits its kind, help and the error line.

Every field is built from a domain ``FieldSpec`` and speaks in raw values: what the
consultant typed or picked, unvalidated. ``edited`` fires while typing (the page debounces
it), ``committed`` when the answer is final for now (a pick, a tap, leaving the field).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...domain.intake_form import TREATMENTS_PREFIX, FieldKind, FieldSpec
from ...domain.intake_options import Choice
from .basics import button, label
from .field_errors import error_line, mark_invalid

_PLACEHOLDERS = {
    FieldKind.DATE: "YYYY-MM-DD",
    FieldKind.INT: "a whole number",
    FieldKind.PERCENT: "0 to 100",
}


def format_answer(kind: FieldKind, value: object) -> str:
    """How a stored answer is written back into a text box."""
    if value is None:
        return ""
    if kind is FieldKind.PERCENT and isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class IntakeField(QWidget):
    """Base: caption above the input, help and error beneath it.

    A refusal found while the consultant is still typing in the field (the autosave's pause)
    waits until they leave it; one for a pick or a tap shows at once. The error line keeps
    its room while empty, so a message coming or going moves nothing below it.
    """

    edited = Signal(str)  # field path: typing in progress
    committed = Signal(str)  # field path: save this answer now
    ERROR_LINES = 1  # room kept for the message under the field
    WAITS_WHILE_TYPING = False  # a refusal found mid-typing waits until the field is left

    def __init__(self, spec: FieldSpec, caption: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.path = spec.path
        self._loading = False
        self.caption = label(caption or spec.label)
        self.help = label(spec.help, "muted")
        self.help.setVisible(bool(spec.help))
        self.error = error_line(self.ERROR_LINES, f"{spec.label}: error")
        self._waiting_error: str | None = None

    def raw_value(self) -> object:
        raise NotImplementedError

    def set_value(self, value: object) -> None:
        """Show a stored answer without announcing an edit."""
        self._loading = True
        try:
            self._show(value)
        finally:
            self._loading = False

    def _show(self, value: object) -> None:
        raise NotImplementedError

    def set_read_only(self, read_only: bool) -> None:
        raise NotImplementedError

    def set_error(self, message: str | None) -> None:
        """Show ``message`` (None: the answer is fine now, and any message goes at once)."""
        typing = self.WAITS_WHILE_TYPING and any(editor.hasFocus() for editor in self.editors())
        if message and typing and self.error.isHidden():
            self._waiting_error = message  # shown when the field is left
            return
        self._show_error(message)

    def _show_error(self, message: str | None) -> None:
        self._waiting_error = None
        self.error.show_text(message)
        mark_invalid(self.editors(), bool(message))

    def error_text(self) -> str:
        return self.error.text() if not self.error.isHidden() else ""

    def editors(self) -> list[QWidget]:
        return []

    def _emit_edited(self) -> None:
        if not self._loading:
            self.edited.emit(self.path)

    def _emit_committed(self) -> None:
        if self._waiting_error is not None:
            self._show_error(self._waiting_error)  # the field is left: say what is wrong with it
        if not self._loading:
            self.committed.emit(self.path)

    def _stack(self, editor: QWidget) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # the error line's kept room is the gap below
        layout.setSpacing(4)
        self.caption.setBuddy(editor)
        layout.addWidget(self.caption)
        layout.addWidget(editor)
        layout.addWidget(self.help)
        layout.addWidget(self.error)


class LineField(IntakeField):
    """Dates, numbers, percents and short text: a line edit saved after a pause or on leaving."""

    WAITS_WHILE_TYPING = True

    def __init__(self, spec: FieldSpec, caption: str | None = None, parent: QWidget | None = None):
        super().__init__(spec, caption, parent)
        self.editor = QLineEdit()
        self.editor.setAccessibleName(spec.label)
        self.editor.setPlaceholderText(_PLACEHOLDERS.get(spec.kind, ""))
        if spec.kind in (FieldKind.INT, FieldKind.PERCENT):
            self.editor.setInputMethodHints(Qt.InputMethodHint.ImhFormattedNumbersOnly)
        self.editor.textEdited.connect(self._emit_edited)
        self.editor.editingFinished.connect(self._emit_committed)
        self._stack(self.editor)

    def raw_value(self) -> object:
        text = self.editor.text()
        if self.spec.kind is FieldKind.PERCENT:
            text = text.replace(",", ".")  # 12,5 is how much of Europe writes it
        return text

    def _show(self, value: object) -> None:
        self.editor.setText(format_answer(self.spec.kind, value))

    def set_read_only(self, read_only: bool) -> None:
        self.editor.setReadOnly(read_only)
        # A read-only empty answer says so, rather than inviting typing with "YYYY-MM-DD".
        self.editor.setPlaceholderText("Not answered" if read_only else _PLACEHOLDERS.get(self.spec.kind, ""))

    def editors(self) -> list[QWidget]:
        return [self.editor]


class _FocusOut(QObject):
    """Calls back when the watched widget loses focus."""

    def __init__(self, callback, parent: QObject):
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self._callback()
        return False


class TextAreaField(IntakeField):
    """Lists and notes: a few lines of text; Tab moves on rather than typing a tab."""

    WAITS_WHILE_TYPING = True

    def __init__(self, spec: FieldSpec, caption: str | None = None, parent: QWidget | None = None):
        super().__init__(spec, caption, parent)
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName(spec.label)
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(96)
        self.editor.setMaximumHeight(140)
        self.editor.textChanged.connect(self._emit_edited)
        self._focus_out = _FocusOut(self._emit_committed, self)
        self.editor.installEventFilter(self._focus_out)
        self._stack(self.editor)

    def raw_value(self) -> object:
        return self.editor.toPlainText()

    def _show(self, value: object) -> None:
        self.editor.setPlainText(format_answer(self.spec.kind, value))

    def set_read_only(self, read_only: bool) -> None:
        self.editor.setReadOnly(read_only)

    def editors(self) -> list[QWidget]:
        return [self.editor]


class ChoiceField(IntakeField):
    """A pick list; picking saves at once."""

    def __init__(self, spec: FieldSpec, choices: tuple[Choice, ...], empty: str = "Not answered",
                 caption: str | None = None, parent: QWidget | None = None):
        super().__init__(spec, caption, parent)
        self.editor = QComboBox()
        self.editor.setAccessibleName(spec.label)
        self.editor.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.editor.setMinimumContentsLength(8)
        self.editor.addItem(empty, None)
        for choice in choices:
            self.editor.addItem(choice.label, choice.id)
        self.editor.currentIndexChanged.connect(self._emit_committed)
        self._stack(self.editor)

    def raw_value(self) -> object:
        return self.editor.currentData()

    def _show(self, value: object) -> None:
        index = self.editor.findData(value)
        if index < 0 and value is not None:
            # An answer whose option was removed from the options file since: keep showing it.
            self.editor.addItem(f"{value} (no longer offered)", value)
            index = self.editor.count() - 1
        self.editor.setCurrentIndex(max(0, index))

    def set_read_only(self, read_only: bool) -> None:
        self.editor.setEnabled(not read_only)

    def editors(self) -> list[QWidget]:
        return [self.editor]


class YesNoField(IntakeField):
    """A screening question as one wide row with large Yes and No buttons.

    Unanswered is not "no": a required question stays open until one is tapped. Tapping
    the chosen answer again clears it.
    """

    ERROR_LINES = 0  # a tap is never refused: no room kept under every row

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None):
        super().__init__(spec, None, parent)
        self._value: bool | None = None
        row = QFrame()
        row.setProperty("role", "yes-no-row")
        row.setMinimumHeight(56)
        self.yes = button("Yes", f"{spec.label}: yes", role="answer")
        self.no = button("No", f"{spec.label}: no", role="answer")
        for choice in (self.yes, self.no):
            choice.setCheckable(True)
            choice.setMinimumWidth(88)
        group = QButtonGroup(self)
        group.setExclusive(False)
        group.addButton(self.yes)
        group.addButton(self.no)
        self.caption.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        line = QHBoxLayout(row)
        line.setContentsMargins(12, 4, 8, 4)
        line.setSpacing(8)
        line.addWidget(self.caption, 1)
        line.addWidget(self.yes)
        line.addWidget(self.no)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(2)
        layout.addWidget(row)
        layout.addWidget(self.help)
        layout.addWidget(self.error)
        self.yes.clicked.connect(self._on_yes_clicked)
        self.no.clicked.connect(self._on_no_clicked)

    def _on_yes_clicked(self) -> None:
        self._pick(True)

    def _on_no_clicked(self) -> None:
        self._pick(False)

    def _pick(self, answer: bool) -> None:
        self._show(None if self._value is answer else answer)
        self._emit_committed()

    def raw_value(self) -> object:
        return self._value

    def _show(self, value: object) -> None:
        self._value = value if isinstance(value, bool) else None
        self.yes.setChecked(self._value is True)
        self.no.setChecked(self._value is False)

    def set_read_only(self, read_only: bool) -> None:
        self.yes.setEnabled(not read_only)
        self.no.setEnabled(not read_only)

    def editors(self) -> list[QWidget]:
        return [self.yes, self.no]


def make_field(spec: FieldSpec, choices: tuple[Choice, ...] = ()) -> IntakeField:
    """The widget that fits the question's kind."""
    if spec.kind is FieldKind.BOOL:
        return YesNoField(spec)
    if spec.kind is FieldKind.CHOICE:
        empty = "Not tried" if spec.path.startswith(TREATMENTS_PREFIX) else "Not answered"
        return ChoiceField(spec, choices, empty)
    if spec.kind is FieldKind.MULTILINE:
        return TextAreaField(spec)
    return LineField(spec)


LONG_CHOICE_CHARS = 30


def is_short(spec: FieldSpec, choices: tuple[Choice, ...] = ()) -> bool:
    """Short answers share a row on a wide screen; yes/no rows, notes and pick lists with long
    labels (which would be cut off at half width) take the full width."""
    if spec.kind in (FieldKind.BOOL, FieldKind.MULTILINE):
        return False
    return all(len(choice.label) <= LONG_CHOICE_CHARS for choice in choices)


class ReflowGrid(QWidget):
    """Short fields two per row on a landscape tablet, one per row in portrait.

    Items are shown and hidden through ``set_shown`` so the grid can close the gaps.
    """

    TWO_COLUMNS_FROM_PX = 720

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.items: list[QWidget] = []
        self._shown: dict[int, bool] = {}
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(24)
        self._grid.setVerticalSpacing(4)
        self._columns = 1

    def add(self, widget: QWidget) -> None:
        widget.setParent(self)
        self.items.append(widget)
        self._shown[id(widget)] = True
        self.arrange()

    def set_shown(self, widget: QWidget, shown: bool) -> None:
        self._shown[id(widget)] = shown

    def is_shown(self, widget: QWidget) -> bool:
        return self._shown.get(id(widget), False)

    def arrange(self, columns: int | None = None) -> None:
        """Place the shown items in reading order (call after ``set_shown``)."""
        if columns is not None:
            self._columns = columns
        for widget in self.items:
            self._grid.removeWidget(widget)
        shown = [w for w in self.items if self._shown[id(w)]]
        for index, widget in enumerate(shown):
            self._grid.addWidget(widget, index // self._columns, index % self._columns, Qt.AlignmentFlag.AlignTop)
        for widget in self.items:
            widget.setVisible(self._shown[id(widget)])
        for column in range(2):
            self._grid.setColumnStretch(column, 1 if column < self._columns else 0)
        self.setVisible(bool(shown))

    def resizeEvent(self, event) -> None:
        columns = 2 if event.size().width() >= self.TWO_COLUMNS_FROM_PX else 1
        if columns != self._columns:
            self.arrange(columns)
        super().resizeEvent(event)
