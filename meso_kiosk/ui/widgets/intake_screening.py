"""The screening outcome at the end of the intake: stops, warnings and notes, each with its icon.

Each finding shows, under its message and smaller, why the rule exists and where it comes
from (the rule's rationale and source, as they were when the finding was made).
A stop (red, ⛔) offers "Override…", which opens an inline box for the consultant's reason,
unless the clinic made it one that cannot be overridden (pregnancy): then it says so instead;
a warning (amber, ⚠) has a whole-row "acknowledged" tick; a note (ℹ) needs nothing. The
panel only shows and asks: it sends ``override_requested(rule_id, reason)`` and
``acknowledgement_toggled(rule_id, ticked)`` to the page, which calls the service.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ...domain.screening import Finding, Level, Override, ScreeningOutcome
from ...resources import resource_path
from .basics import button, label

ICONS = {Level.STOP: "⛔", Level.WARN: "⚠", Level.INFO: "ℹ"}  # for screen readers and plain text
ICON_FILES = {Level.STOP: "icons/stop.svg", Level.WARN: "icons/warning.svg", Level.INFO: "icons/info.svg"}
WORDS = {Level.STOP: "Stop", Level.WARN: "Warning", Level.INFO: "Note"}
ICON_PX = 24


def level_icon(level: Level) -> QLabel:
    """The level's picture (drawn from an SVG, so it shows whatever fonts the tablet has)."""
    icon = QLabel()
    icon.setPixmap(QIcon(str(resource_path(ICON_FILES[level]))).pixmap(ICON_PX, ICON_PX))
    icon.setFixedSize(ICON_PX, ICON_PX)
    icon.setAccessibleName(ICONS[level])
    return icon


def level_title(level: Level, text: str) -> tuple[QHBoxLayout, QLabel]:
    """Icon and words side by side: colour is never the only signal."""
    row = QHBoxLayout()
    row.setSpacing(10)
    row.addWidget(level_icon(level), 0, Qt.AlignmentFlag.AlignTop)
    title = label(text, f"finding-{level.value}-title")
    title.setAccessibleName(f"{ICONS[level]} {text}")
    row.addWidget(title, 1)
    return row, title


def outcome_summary(outcome: ScreeningOutcome, overrides: Mapping[str, Override],
                    acknowledged: Collection[str]) -> str:
    """One line over the panel: what is found and what is still to do."""
    if not outcome.findings:
        return "✓ Nothing in the answers so far needs attention."
    parts = []
    for count, one, many in (
        (len(outcome.stops), "stop", "stops"),
        (len(outcome.warnings), "warning", "warnings"),
        (len(outcome.infos), "note", "notes"),
    ):
        if count:
            parts.append(f"{count} {one if count == 1 else many}")
    todo = len(outcome.unhandled_stops(overrides)) + len(outcome.unacknowledged_warnings(acknowledged))
    tail = f" · {todo} still to handle" if todo else " · all handled"
    return " · ".join(parts) + tail


class FindingRow(QFrame):
    """One finding, coloured by level and always named by icon and word too."""

    override_requested = Signal(str, str)  # rule id, reason
    acknowledgement_toggled = Signal(str, bool)

    def __init__(self, finding: Finding, *, override: Override | None, override_time: str,
                 acknowledged: bool, read_only: bool, reason_draft: str = "", override_by: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.finding = finding
        self.setProperty("role", f"finding-{finding.level.value}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        title_row, self.title = level_title(finding.level, WORDS[finding.level])
        layout.addLayout(title_row)
        self.message = label(finding.message)
        layout.addWidget(self.message)
        self.rationale = self.source = None
        if finding.rationale:
            self.rationale = label(f"Why: {finding.rationale}", "muted")
            layout.addWidget(self.rationale)
        if finding.citation or finding.source:
            self.source = label(f"Source: {finding.citation or finding.source}", "muted")
            layout.addWidget(self.source)
        self.override_button = None
        self.not_overridable = None
        self.reason_box = None
        self.ack = None
        if finding.level is Level.STOP:
            self._build_stop(layout, override, override_time, override_by, read_only, reason_draft)
        elif finding.level is Level.WARN:
            self.ack = QCheckBox("Acknowledged: discussed with the patient")
            self.ack.setProperty("role", "ack")
            self.ack.setAccessibleName(f"Acknowledge warning: {finding.message[:80]}")
            self.ack.setMinimumHeight(48)
            self.ack.setChecked(acknowledged)
            self.ack.setEnabled(not read_only)
            self.ack.toggled.connect(self._on_ack_toggled)
            layout.addWidget(self.ack)

    def _build_stop(self, layout: QVBoxLayout, override: Override | None, override_time: str,
                    override_by: str, read_only: bool, reason_draft: str) -> None:
        if not self.finding.overridable:  # a stored override of it would not count either
            what = self.finding.message.split(". ", 1)[0].rstrip(".")
            what = what[:1].lower() + what[1:]
            self.not_overridable = label(
                f"This cannot be overridden: no treatment while this applies ({what}). The scalp map and the"
                " consent stay blocked; change the answer only if it was recorded wrongly.", "error",
            )
            self.not_overridable.setAccessibleName(f"Cannot be overridden: {self.finding.message[:80]}")
            layout.addWidget(self.not_overridable)
            return
        if override is not None and override.is_valid:
            when = f" on {override_time}" if override_time else ""
            who = override_by or override.consultant
            self.override_note = label(f"✓ Override recorded{when} by {who}", "override-note")
            self.override_reason = label(f"Reason: {override.reason}")
            layout.addWidget(self.override_note)
            layout.addWidget(self.override_reason)
            return
        if read_only:
            return
        self.override_button = button("Override…", f"Override stop: {self.finding.message[:80]}")
        actions = QHBoxLayout()
        actions.addWidget(label("Not handled yet: the scalp map and the consent stay blocked.", "error"), 1)
        actions.addWidget(self.override_button)
        layout.addLayout(actions)
        self.reason_box = QWidget()
        box = QVBoxLayout(self.reason_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Reason for going ahead despite the stop")
        self.reason.setPlaceholderText("For example: prescriber's written agreement dated 12 May, on file.")
        self.reason.setTabChangesFocus(True)
        self.reason.setMinimumHeight(80)
        self.reason.setMaximumHeight(120)
        self.reason.setPlainText(reason_draft)
        self.reason_error = label("", "error")
        self.reason_error.hide()
        self.record_button = button("Record override", "Record the override with this reason", primary=True)
        self.cancel_button = button("Cancel", "Cancel the override")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.record_button)
        box.addWidget(label("Reason for going ahead (kept with the intake):"))
        box.addWidget(self.reason)
        box.addWidget(self.reason_error)
        box.addLayout(buttons)
        self.reason_box.setVisible(bool(reason_draft))
        layout.addWidget(self.reason_box)
        self.override_button.clicked.connect(self._on_override_button_clicked)
        self.record_button.clicked.connect(self._on_record_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)

    def reason_draft(self) -> str:
        if self.reason_box is None or self.reason_box.isHidden():
            return ""
        return self.reason.toPlainText()

    def show_reason_error(self, message: str) -> None:
        if self.reason_box is None:
            return
        self.reason_box.show()
        self.reason_error.setText(message)
        self.reason_error.setVisible(bool(message))

    def _on_override_button_clicked(self) -> None:
        self.reason_box.show()
        self.reason.setFocus()

    def _on_record_button_clicked(self) -> None:
        self.override_requested.emit(self.finding.rule_id, self.reason.toPlainText())

    def _on_cancel_button_clicked(self) -> None:
        self.reason.clear()
        self.reason_error.hide()
        self.reason_box.hide()

    def _on_ack_toggled(self, ticked: bool) -> None:
        self.acknowledgement_toggled.emit(self.finding.rule_id, ticked)


class ScreeningPanel(QWidget):
    """Every finding, stops first; rebuilt only when what it shows has changed."""

    override_requested = Signal(str, str)
    acknowledgement_toggled = Signal(str, bool)

    def __init__(self, format_time: Callable[[str], str], actor_label: Callable[[str], str] = str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._format_time = format_time
        self._actor_label = actor_label  # "consultant:3" -> the consultant's name
        self._key: object = None
        self.rows: dict[str, FindingRow] = {}
        self.summary = label("", "muted")
        self._rows_box = QVBoxLayout()
        self._rows_box.setSpacing(12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.summary)
        layout.addLayout(self._rows_box)

    def show_outcome(self, outcome: ScreeningOutcome, overrides: Mapping[str, Override],
                     override_times: Mapping[str, str], acknowledged: Collection[str], read_only: bool) -> None:
        self.summary.setText(outcome_summary(outcome, overrides, acknowledged))
        key = (outcome, tuple(sorted(overrides.items())), frozenset(acknowledged), read_only)
        if key == self._key:
            return
        self._key = key
        drafts = {rule_id: row.reason_draft() for rule_id, row in self.rows.items()}
        for row in self.rows.values():
            self._rows_box.removeWidget(row)
            row.hide()  # gone now, not when the deferred delete runs
            row.deleteLater()
        self.rows = {}
        for finding in outcome.stops + outcome.warnings + outcome.infos:
            time = override_times.get(finding.rule_id, "")
            override = overrides.get(finding.rule_id)
            row = FindingRow(
                finding,
                override=override,
                override_time=self._format_time(time) if time else "",
                override_by=self._actor_label(override.consultant) if override is not None else "",
                acknowledged=finding.rule_id in acknowledged,
                read_only=read_only,
                reason_draft=drafts.get(finding.rule_id, ""),
            )
            row.override_requested.connect(self.override_requested)
            row.acknowledgement_toggled.connect(self.acknowledgement_toggled)
            self._rows_box.addWidget(row)
            row.show()  # now, not when the event loop next runs (the page may be hidden by then)
            self.rows[finding.rule_id] = row

    def show_reason_error(self, rule_id: str, message: str) -> None:
        row = self.rows.get(rule_id)
        if row is not None:
            row.show_reason_error(message)
