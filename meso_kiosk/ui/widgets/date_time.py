"""A touch-friendly date and time picker for when a session took place.

The date opens a large calendar; the time is typed or moved in 5-minute steps with big
buttons; "Now" puts back the present moment. Values are the clinic's wall-clock time:
the editors hold them as plain (UTC-labelled) date and time so that no system time zone
or daylight-saving jump ever shifts what the consultant picked; the session draft turns the text
into a clinic-local aware datetime (``domain.session_form.parse_local_datetime``) and stores it in UTC.
Days after today cannot be picked; the domain still checks the exact moment.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone, Signal
from PySide6.QtWidgets import QDateEdit, QGridLayout, QHBoxLayout, QTimeEdit, QWidget

from ...domain.clock import Clock
from .. import theme
from .basics import button, restyle

EARLIEST = date(2000, 1, 1)  # the domain refuses sessions before this
STEP_MINUTES = 5
TEXT_FORMAT = "%Y-%m-%d %H:%M"
_CALENDAR_QSS = f"""
QCalendarWidget QWidget#qt_calendar_navigationbar {{ background: {theme.ACCENT_SOFT}; }}
QCalendarWidget QToolButton {{ min-width: 48px; min-height: 44px; font-size: 19px; color: {theme.TEXT};
    background: transparent; }}
QCalendarWidget QAbstractItemView {{ font-size: 19px; selection-background-color: {theme.ACCENT};
    selection-color: white; }}
QCalendarWidget QSpinBox {{ min-height: 40px; font-size: 19px; }}
"""


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class SessionDateTimePicker(QWidget):
    """Date (calendar pop-up) and time (± 5 min, Now); ``changed`` after every change."""

    changed = Signal()

    def __init__(self, clock: Clock, accessible_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._clock = clock
        self.setAccessibleName(accessible_name)
        self.date_edit = QDateEdit()
        self.date_edit.setTimeZone(QTimeZone.utc())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.date_edit.setAccessibleName(f"{accessible_name}: date")
        self.date_edit.setMinimumHeight(48)
        self.date_edit.setMinimumDate(_qdate(EARLIEST))
        calendar = self.date_edit.calendarWidget()
        calendar.setAccessibleName(f"{accessible_name}: choose the date")
        calendar.setGridVisible(True)
        calendar.setMinimumSize(420, 340)
        calendar.setStyleSheet(_CALENDAR_QSS)
        self.time_edit = QTimeEdit()
        self.time_edit.setTimeZone(QTimeZone.utc())
        self.time_edit.setDisplayFormat("HH:mm")
        self.time_edit.setAccessibleName(f"{accessible_name}: time (24-hour clock)")
        self.time_edit.setMinimumHeight(48)
        self.time_edit.setMinimumWidth(110)
        self.time_edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.earlier_button = button(f"− {STEP_MINUTES} min", f"{STEP_MINUTES} minutes earlier")
        self.later_button = button(f"+ {STEP_MINUTES} min", f"{STEP_MINUTES} minutes later")
        self.now_button = button("Now", "Set the date and time to now")

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(8)
        grid.addWidget(self.date_edit, 0, 0)
        grid.addWidget(self.time_edit, 0, 1)
        steps = QHBoxLayout()
        steps.setSpacing(8)
        steps.addWidget(self.earlier_button)
        steps.addWidget(self.later_button)
        steps.addWidget(self.now_button)
        steps.addStretch(1)
        grid.addLayout(steps, 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        self.setTabOrder(self.date_edit, self.time_edit)

        self.refresh_limits()
        self.set_now()
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.date_edit.dateChanged.connect(self._on_date_edit_date_changed)
        self.time_edit.timeChanged.connect(self._on_time_edit_time_changed)
        self.earlier_button.clicked.connect(self._on_earlier_button_clicked)
        self.later_button.clicked.connect(self._on_later_button_clicked)
        self.now_button.clicked.connect(self._on_now_button_clicked)

    # -- values -------------------------------------------------------------------------

    def refresh_limits(self) -> None:
        """No day after today (clinic time); called again whenever the form is shown."""
        self.date_edit.setMaximumDate(_qdate(self._clock.today()))

    def value(self) -> datetime:
        """The picked wall-clock time (naive, clinic time)."""
        day, time = self.date_edit.date(), self.time_edit.time()
        return datetime(day.year(), day.month(), day.day(), time.hour(), time.minute())

    def local_text(self) -> str:
        return self.value().strftime(TEXT_FORMAT)

    def set_value(self, moment: datetime) -> None:
        self.refresh_limits()
        self.date_edit.setDate(QDate(moment.year, moment.month, moment.day))
        self.time_edit.setTime(QTime(moment.hour, moment.minute))

    def set_local_text(self, text: str) -> None:
        """Show ``YYYY-MM-DD HH:MM``; anything else (nothing yet) shows now."""
        try:
            self.set_value(datetime.strptime((text or "").strip(), TEXT_FORMAT))
        except ValueError:
            self.set_now()

    def set_now(self) -> None:
        now = self._clock.local(self._clock.now_utc())
        self.set_value(now.replace(second=0, microsecond=0, tzinfo=None))

    def set_invalid(self, invalid: bool) -> None:
        for editor in (self.date_edit, self.time_edit):
            editor.setProperty("invalid", invalid)
            restyle(editor)

    def focus(self) -> None:
        self.date_edit.setFocus()

    # -- handlers -----------------------------------------------------------------------

    def _step(self, minutes: int) -> None:
        current = QDateTime(self.date_edit.date(), self.time_edit.time(), QTimeZone.utc()).addSecs(minutes * 60)
        if current.date() > self.date_edit.maximumDate():
            return  # never into tomorrow
        self.date_edit.setDate(current.date())
        self.time_edit.setTime(current.time())

    def _on_date_edit_date_changed(self, _day) -> None:
        self.changed.emit()

    def _on_time_edit_time_changed(self, _time) -> None:
        self.changed.emit()

    def _on_earlier_button_clicked(self) -> None:
        self._step(-STEP_MINUTES)

    def _on_later_button_clicked(self) -> None:
        self._step(STEP_MINUTES)

    def _on_now_button_clicked(self) -> None:
        self.set_now()
