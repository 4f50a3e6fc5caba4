"""The session's date and time: picked by touch (calendar, 5-minute steps, Now), clinic time on
screen, UTC in the database, and still checked (no future moment, nothing absurdly old)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QDate, QTime, Qt

from meso_kiosk.store.consultants import insert_consultant
from meso_kiosk.ui.theme import apply_theme
from meso_kiosk.ui.widgets.date_time import SessionDateTimePicker

from ..conftest import FIXED_NOW
from .session_page import build_scalp_page


@pytest.fixture
def picker(qtbot, qapp, kiosk):
    apply_theme(qapp)
    shown = SessionDateTimePicker(kiosk.clock, "Session date and time")
    qtbot.addWidget(shown)
    shown.setMinimumSize(560, 140)  # a fixed floor (offscreen warns when a top level's hint moves)
    shown.resize(560, 140)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def _local_now(kiosk) -> datetime:
    return kiosk.clock.local(FIXED_NOW).replace(tzinfo=None)


def test_touch_sized_named_calendar_picker_starting_now(picker, kiosk):
    assert picker.date_edit.calendarPopup()
    for control in (picker.date_edit, picker.time_edit, picker.earlier_button, picker.later_button,
                    picker.now_button):
        assert control.accessibleName(), control
        assert control.height() >= 48 or control.sizeHint().height() >= 44, control.accessibleName()
    calendar = picker.date_edit.calendarWidget()
    assert calendar.minimumWidth() >= 400 and calendar.accessibleName()
    assert picker.local_text() == _local_now(kiosk).strftime("%Y-%m-%d %H:%M")
    today = kiosk.clock.today()
    assert picker.date_edit.maximumDate() == QDate(today.year, today.month, today.day)  # no later day
    assert picker.date_edit.minimumDate() == QDate(2000, 1, 1)


def test_five_minute_steps_now_and_no_step_into_tomorrow(picker, qtbot, kiosk):
    start = _local_now(kiosk)
    qtbot.mouseClick(picker.earlier_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(picker.earlier_button, Qt.MouseButton.LeftButton)
    assert picker.value() == start - timedelta(minutes=10)
    qtbot.mouseClick(picker.later_button, Qt.MouseButton.LeftButton)
    assert picker.value() == start - timedelta(minutes=5)
    # Just after midnight, a step back moves to the day before.
    picker.set_local_text(start.strftime("%Y-%m-%d") + " 00:02")
    qtbot.mouseClick(picker.earlier_button, Qt.MouseButton.LeftButton)
    assert picker.value() == datetime.combine(start.date(), datetime.min.time()) - timedelta(minutes=3)
    # Late today: "+ 5 min" never crosses into tomorrow.
    picker.set_local_text(start.strftime("%Y-%m-%d") + " 23:58")
    qtbot.mouseClick(picker.later_button, Qt.MouseButton.LeftButton)
    assert picker.local_text() == start.strftime("%Y-%m-%d") + " 23:58"
    # A date after today cannot be set, even directly.
    picker.date_edit.setDate(QDate(2030, 1, 1))
    assert picker.value().date() == start.date()
    qtbot.mouseClick(picker.now_button, Qt.MouseButton.LeftButton)
    assert picker.value() == start
    for junk in ("", "yesterday", "2026-13-40 25:99", "'; DROP TABLE x;--", "٢٠٢٦-١١-٢٢ ١٠:٣٠"):
        picker.set_local_text(junk)
        assert picker.value() == start  # nothing understood: now, never a crash


def test_changes_are_announced_once_per_change(picker, qtbot):
    seen = []
    picker.changed.connect(lambda: seen.append(picker.local_text()))
    picker.time_edit.setTime(QTime(8, 15))
    qtbot.mouseClick(picker.later_button, Qt.MouseButton.LeftButton)
    assert seen[-1].endswith("08:20") and len(seen) == 2


@pytest.fixture
def consultant(kiosk):
    with kiosk.store.write("test") as tx:
        return insert_consultant(tx, "Dr Amélie Laurent")


def test_the_page_stores_the_picked_clinic_time_in_utc_and_refuses_the_future(
        qapp, kiosk, register_consented, consultant, qtbot, shots):
    patient = register_consented()
    page = build_scalp_page(qtbot, qapp, kiosk)
    page.show_patient(patient)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    picker = page.form.started_at
    assert isinstance(picker, SessionDateTimePicker) and picker.isVisible()
    assert picker.value() == _local_now(kiosk)

    # Yesterday at 16:45, clinic time: stored as that moment in UTC.
    yesterday = kiosk.clock.today() - timedelta(days=1)
    picker.date_edit.setDate(QDate(yesterday.year, yesterday.month, yesterday.day))
    picker.time_edit.setTime(QTime(16, 45))
    assert page.flush()
    stored = kiosk.sessions.draft(patient.id).started_at
    expected = datetime(yesterday.year, yesterday.month, yesterday.day, 16, 45, tzinfo=kiosk.clock.tz)
    assert stored == expected.astimezone(timezone.utc) and stored.tzinfo is not None

    # Later today than now: refused next to the field, the pick kept, the stored value unchanged.
    local_now = _local_now(kiosk)
    later = local_now + timedelta(hours=2)
    if later.date() != local_now.date():
        pytest.skip("the clinic's 'now' is too close to midnight for a later time today")
    picker.set_value(later)
    assert not page.flush()
    message = page.form.fields["started_at"].message
    assert message.isVisible() and "future" in message.text()
    assert picker.date_edit.property("invalid") is True
    assert picker.value() == later.replace(second=0, microsecond=0)
    assert kiosk.sessions.draft(patient.id).started_at == stored
    page.form_scroll.ensureWidgetVisible(picker)
    qtbot.wait(20)
    page.grab().save(str(shots / "session_time_error.png"))
    qtbot.mouseClick(picker.now_button, Qt.MouseButton.LeftButton)
    assert page.flush() and not message.isVisible()
    assert picker.date_edit.property("invalid") is False
