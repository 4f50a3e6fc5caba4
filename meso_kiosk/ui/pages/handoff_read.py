"""The hand-off's reading panel: the whole consent text, a tick row per checklist item,
the photo question and an optional question for the consultant.

"Continue" opens only once the text has been read to its end and every item is ticked.
Also the column and button helpers every hand-off panel is laid out with.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from ...domain.consent_template import (
    BlockKind,
    ConsentTemplate,
    TextBlock,
    blocks_to_text,
    sha256_text,
    text_blocks,
)
from ..theme import TOUCH_TARGET
from ..widgets.basics import button, discard, label, restyle, scrolling

COLUMN_WIDTH = 880        # px: about 70 characters of patient text a line
WIDE_COLUMN_WIDTH = 1160  # px: the consultant's countersign panel, words and PIN pad side by side
SIDE_BY_SIDE_FROM = 1000  # px of page width from which that panel goes side by side
END_TOLERANCE = 8         # px from the bottom that count as "read to the end"
MAX_QUESTION_CHARS = 1000  # the domain's limit, also stopped at the keyboard


def panel_column(*widgets: QWidget, spacing: int = 20) -> tuple[QWidget, QVBoxLayout]:
    """A centred column of readable width, for one panel."""
    body = QWidget()
    body.setObjectName("page")
    outer = QHBoxLayout(body)
    outer.setContentsMargins(24, 24, 24, 24)
    inner_widget = QWidget()
    inner_widget.setMaximumWidth(COLUMN_WIDTH)
    inner = QVBoxLayout(inner_widget)
    inner.setContentsMargins(0, 0, 0, 0)
    inner.setSpacing(spacing)
    for widget in widgets:
        inner.addWidget(widget)
    outer.addStretch(1)
    outer.addWidget(inner_widget, 100)
    outer.addStretch(1)
    return body, inner


def say(widget, text: str) -> None:
    widget.setText(text)
    widget.setVisible(bool(text))


def big_button(text: str, accessible_name: str) -> QPushButton:
    widget = button(text, accessible_name, primary=True)
    widget.setProperty("role", "patient-primary")
    return widget


class TickRow(QFrame):
    """One side effect: the whole row toggles its tick (a finger need not find the box)."""

    toggled = Signal(str, bool)

    def __init__(self, item_id: str, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.item_id = item_id
        self.setProperty("role", "tick-row")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.checkbox = QCheckBox()
        self.checkbox.setProperty("role", "tick")
        self.checkbox.setAccessibleName(text)
        self.checkbox.setMinimumSize(TOUCH_TARGET, TOUCH_TARGET)  # the box alone is a target too (Tab, a finger)
        self.text = label(text, "patient-text")
        self.text.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.error = label("", "patient-error")
        self.error.hide()
        self.error.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        words = QVBoxLayout()
        words.setSpacing(4)
        words.addWidget(self.text)
        words.addWidget(self.error)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(16)
        layout.addWidget(self.checkbox, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(words, 1)
        self.setMinimumHeight(64)
        self.checkbox.toggled.connect(self._on_checkbox_toggled)

    def is_checked(self) -> bool:
        return self.checkbox.isChecked()

    def show_error(self, text: str) -> None:
        say(self.error, text)
        self.setProperty("invalid", bool(text))
        restyle(self)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.checkbox.toggle()
            self.checkbox.setFocus(Qt.FocusReason.MouseFocusReason)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        event.accept()

    def _on_checkbox_toggled(self, checked: bool) -> None:
        self.setProperty("checked", checked)
        if checked:
            self.show_error("")
        restyle(self)
        self.toggled.emit(self.item_id, checked)


class ReadPanel(QWidget):
    """The whole consent text, its ticks and photo question in place, then the optional question."""

    changed = Signal()
    continue_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.template: ConsentTemplate | None = None
        self.blocks: tuple[TextBlock, ...] = ()
        self.reached_end = False
        self.rows: dict[str, TickRow] = {}
        self.photo_buttons: dict[str, QPushButton] = {}
        self.photo_group = QButtonGroup(self)
        self.photo_group.setExclusive(True)
        self.photo_error = label("", "patient-error")
        self.question_label = label("", "patient-heading")
        self.question = QPlainTextEdit()
        self.question.setProperty("role", "patient-field")
        self.question.setMinimumHeight(120)
        self.question_error = label("", "patient-error")
        self.text_error = label("", "banner-error")
        self.body_host = QVBoxLayout()
        self.body_host.setSpacing(14)
        self._body_widgets: list[QWidget] = []

        body, column = panel_column(self.text_error, spacing=14)
        column.addLayout(self.body_host)
        column.addWidget(self.question_label)
        column.addWidget(self.question)
        column.addWidget(self.question_error)
        column.addSpacing(24)
        self.scroll = scrolling(body)
        self.scroll.setAccessibleName("Consent text")
        # a finger drag scrolls the text (taps still tick the rows)
        QScroller.grabGesture(self.scroll.viewport(), QScroller.ScrollerGestureType.TouchGesture)

        self.status = label("", "patient-hint")
        self.status.setAccessibleName("What to do next")
        self.continue_button = big_button("", "Continue to signing")
        footer = QFrame()
        footer.setProperty("role", "handoff-footer")
        footer_layout = QHBoxLayout(footer)
        footer_layout.setContentsMargins(24, 12, 24, 12)
        footer_layout.setSpacing(16)
        footer_layout.addWidget(self.status, 1)
        footer_layout.addWidget(self.continue_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(footer)
        self._connect_signals()

    def _connect_signals(self) -> None:
        bar = self.scroll.verticalScrollBar()
        bar.valueChanged.connect(self._on_scroll_changed)
        bar.rangeChanged.connect(self._on_scroll_changed)
        self.continue_button.clicked.connect(self.continue_requested)
        self.question.textChanged.connect(self._on_question_text_changed)
        self.photo_group.idToggled.connect(self._on_photo_group_id_toggled)

    # ------------------------------------------------------------ content

    def load(self, template: ConsentTemplate) -> None:
        self.template = template
        self.blocks = text_blocks(template)
        discard(self._body_widgets, self.body_host)
        self._body_widgets.clear()
        self.rows.clear()
        for button_widget in list(self.photo_group.buttons()):
            self.photo_group.removeButton(button_widget)
        self.photo_buttons.clear()
        self.body_host.removeWidget(self.photo_error)
        choices: QVBoxLayout | None = None
        for block in self.blocks:
            widget = self._block_widget(block)
            if block.kind is BlockKind.CHOICE:
                if choices is None:  # one above the other: side by side, French answers were cut in portrait
                    holder = QWidget()
                    choices = QVBoxLayout(holder)
                    choices.setContentsMargins(0, 0, 0, 0)
                    choices.setSpacing(12)
                    self._add(holder)
                choices.addWidget(widget)
                continue
            if choices is not None:  # the photo question's error sits right under its answers
                self.body_host.addWidget(self.photo_error)
            choices = None
            if block.kind is BlockKind.HEADING:
                spacer = QWidget()
                spacer.setFixedHeight(12)
                self._add(spacer)
            self._add(widget)
        if choices is not None:
            self.body_host.addWidget(self.photo_error)
        self.text_error.hide()
        self.photo_error.hide()
        self.question_error.hide()
        self.question.clear()
        self.question_label.setText(template.label("question_label"))
        self.question.setAccessibleName(template.label("question_label"))
        self.continue_button.setText(template.label("identity_button"))
        self.continue_button.setAccessibleName(template.label("identity_button"))
        self.reached_end = False
        self.scroll.verticalScrollBar().setValue(0)
        self._update_state()

    def _add(self, widget: QWidget) -> None:
        self.body_host.addWidget(widget)
        self._body_widgets.append(widget)

    def _block_widget(self, block: TextBlock) -> QWidget:
        kind = block.kind
        if kind is BlockKind.CHECKLIST_ITEM:
            row = TickRow(block.item_id or "", block.text)
            row.toggled.connect(self._on_row_toggled)
            self.rows[row.item_id] = row
            return row
        if kind is BlockKind.CHOICE:
            choice = QPushButton(block.text)
            choice.setCheckable(True)
            choice.setProperty("role", "patient-choice")
            choice.setAccessibleName(block.text)
            choice.setCursor(Qt.CursorShape.PointingHandCursor)
            choice.setAutoDefault(False)
            self.photo_group.addButton(choice, 1 if block.item_id == "yes" else 0)
            self.photo_buttons[block.item_id or ""] = choice
            return choice
        role = {
            BlockKind.TITLE: "patient-title",
            BlockKind.HEADING: "patient-heading",
            BlockKind.SUBHEADING: "patient-subheading",
            BlockKind.QUESTION: "patient-question",
            BlockKind.MEANING: "patient-meaning",
        }.get(kind, "patient-text")
        text = "•  " + block.text if kind is BlockKind.BULLET else block.text
        widget = label(text, role)
        if kind is BlockKind.BULLET:
            widget.setIndent(16)
        return widget

    # ------------------------------------------------------------ answers

    def checklist(self) -> dict[str, bool]:
        return {item_id: True for item_id, row in self.rows.items() if row.is_checked()}

    def photo_consent(self) -> bool | None:
        checked = self.photo_group.checkedId()
        return None if checked < 0 else bool(checked)

    def question_text(self) -> str | None:
        text = self.question.toPlainText().strip()
        return text or None

    def shown_text_sha256(self) -> str:
        """The hash of exactly the blocks drawn on this panel."""
        return sha256_text(blocks_to_text(self.blocks))

    def treated_by(self) -> int | None:
        """The consultant the text shown names as giving the treatment (None: nobody named)."""
        facts = self.template.facts if self.template is not None else None
        return None if facts is None else facts.practitioner_id

    def all_ticked(self) -> bool:
        return bool(self.rows) and all(row.is_checked() for row in self.rows.values())

    def show_errors(self, errors: dict[str, str]) -> QWidget | None:
        """Errors next to their part, in the patient's words; returns the first to scroll to."""
        assert self.template is not None
        first: QWidget | None = None
        for item_id, row in self.rows.items():
            if f"checklist.{item_id}" in errors:
                row.show_error(self.template.label("tick_hint"))
                first = first or row
        if "photo_consent" in errors:
            say(self.photo_error, self.template.label("photo_hint"))
            first = first or self.photo_error
        else:
            say(self.photo_error, "")
        if "question" in errors:
            say(self.question_error, self.template.label("question_invalid"))
            first = first or self.question
        for key, words in (("text", "read_hint"), ("checklist", "tick_hint")):  # the domain's words are English
            if key in errors:
                say(self.text_error, self.template.label(words))
                first = first or self.text_error
        if first is not None:
            self.scroll.ensureWidgetVisible(first, 0, 80)
        return first

    # ------------------------------------------------------------ state

    def _update_state(self) -> None:
        if self.template is None:
            return
        self.continue_button.setEnabled(self.reached_end)
        if not self.reached_end:
            self.status.setText(self.template.label("read_hint"))
        elif not self.all_ticked():
            self.status.setText(self.template.label("tick_hint"))
        elif self.photo_consent() is None:
            self.status.setText(self.template.label("photo_hint"))
        else:
            self.status.setText(self.template.label("ticked_all"))

    def _on_scroll_changed(self, *_args) -> None:
        bar = self.scroll.verticalScrollBar()
        if self.reached_end or not self.scroll.isVisible() or self.template is None:
            return
        content = self.scroll.widget()
        fits = bar.maximum() == 0 and content.height() <= self.scroll.viewport().height()
        if fits or (bar.maximum() > 0 and bar.value() >= bar.maximum() - END_TOLERANCE):
            self.reached_end = True
            self._update_state()
            self.changed.emit()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        QTimer.singleShot(0, self, self._on_scroll_changed)  # a text short enough to fit is read at once

    def _on_row_toggled(self, _item_id: str, _checked: bool) -> None:
        self._update_state()
        self.changed.emit()

    def _on_photo_group_id_toggled(self, _id: int, checked: bool) -> None:
        if checked:
            say(self.photo_error, "")
        self._update_state()
        self.changed.emit()

    def _on_question_text_changed(self) -> None:
        text = self.question.toPlainText()
        if len(text) > MAX_QUESTION_CHARS:
            cursor = self.question.textCursor()
            self.question.setPlainText(text[:MAX_QUESTION_CHARS])
            cursor.setPosition(MAX_QUESTION_CHARS)
            self.question.setTextCursor(cursor)
        if self.question_error.isVisible():
            say(self.question_error, "")
