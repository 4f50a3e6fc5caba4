"""The Course step: timeline, progress, edits that re-plan and persist, calendar file."""

from __future__ import annotations

from datetime import date

import pytest
from icalendar import Calendar
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from meso_kiosk.domain.course import SessionStatus, project
from meso_kiosk.ui.pages.course import CoursePage
from meso_kiosk.ui.theme import apply_theme
from meso_kiosk.ui.widgets.timeline import DONE, MILESTONE, NEXT, OVERDUE, PLANNED, TODAY, day_text, timeline_rows
from tests.course_helpers import add_closed_session

ACTOR = "consultant:test"


def _settle(qtbot) -> None:
    QApplication.processEvents()
    qtbot.wait(20)
    QApplication.processEvents()


@pytest.fixture
def course_page(qtbot, qapp, kiosk) -> CoursePage:
    """The Course step alone, as the workspace shows it, on a landscape tablet."""
    apply_theme(qapp)
    page = CoursePage(kiosk.course, kiosk.clock, kiosk.paths.exports, lambda: ACTOR)
    qtbot.addWidget(page)
    page.setMinimumSize(640, 480)  # a top level's own minimum: layouts do not push theirs up (offscreen warns)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def _open_course(page: CoursePage, qtbot, patient) -> CoursePage:
    page.show_patient(patient)
    _settle(qtbot)
    return page


def _audit(kiosk) -> list[str]:
    return [row[0] for row in kiosk.store.conn.execute("SELECT action FROM audit_log ORDER BY id")]


@pytest.fixture
def mid_course(kiosk, register):
    """Moderate course from 12 Oct: sessions 1-4 done weekly (the last on 2 Nov), session 5 overdue."""
    patient = register("Marcus", "Whitfield", "1979-09-30", sex_at_birth="male")
    kiosk.course.start_course(patient.id, start="2026-10-12", protocol_id="moderate",
                              reason="Shedding has been heavy since the summer.", actor=ACTOR)
    for day in (date(2026, 10, 12), date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 2)):
        add_closed_session(kiosk, patient.id, day)
    return patient


def _press_enter(qtbot, widget) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def _retype(qtbot, widget, text: str, type_text=None) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    if type_text is None:
        qtbot.keyClicks(widget, text)
    else:
        type_text(widget, text)


def test_mid_course_page_shows_progress_and_timeline(course_page, kiosk, qtbot, mid_course, shots):
    page = _open_course(course_page, qtbot, mid_course)
    assert page.progress_heading.text() == "Session 5 of 8"
    assert "4 done" in page.progress_detail.text() and "overdue since" in page.progress_detail.text()
    kinds = [row.row.kind for row in page.timeline.rows]
    assert kinds[:4] == [DONE] * 4
    assert TODAY in kinds and OVERDUE in kinds and MILESTONE in kinds and PLANNED in kinds
    overdue = next(r for r in page.timeline.rows if r.row.kind == OVERDUE)
    assert "was due Mon 16 Nov 2026" in overdue.row.detail  # 2 Nov + 14 days, in the clinic's words
    assert kinds.index(TODAY) < kinds.index(OVERDUE)
    milestones = [r.row for r in page.timeline.rows if r.row.kind == MILESTONE]
    assert all("usually" in m.detail.lower() or "often" in m.detail.lower() for m in milestones)
    assert "not guaranteed" in page.timeline_note.text()
    editable = [r for r in page.timeline.rows if r.row.editable]
    assert [r.row.number for r in editable] == [5, 6, 7, 8]
    assert all(r.height() >= 44 and r.accessibleName() for r in editable)

    for width, height in ((1280, 800), (800, 1280)):
        page.resize(width, height)
        _settle(qtbot)
        assert page.scroll.horizontalScrollBar().maximum() == 0  # never sideways
        body = page.scroll.widget()
        assert body.width() <= page.scroll.viewport().width()
        name = f"course_{width}x{height}"
        page.grab().save(str(shots / f"{name}.png"))
        body.grab().save(str(shots / f"{name}_full.png"))
    assert page._portrait  # 800 wide: one column


def test_editing_the_start_date_re_plans_and_persists(course_page, kiosk, qtbot, register):
    patient = register()
    page = _open_course(course_page, qtbot, patient)
    assert page.title.text().startswith("Proposed course")
    assert kiosk.course.active(patient.id) is None
    assert not page.ics_button.isEnabled()

    _retype(qtbot, page.start, "2026-11-30")
    _press_enter(qtbot, page.start)
    assert page.shown_course.start == date(2026, 11, 30)  # the proposal re-plans live
    assert kiosk.course.active(patient.id) is None  # nothing stored before "Start this course"
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    stored = kiosk.course.active(patient.id)
    assert stored is not None and stored.start == date(2026, 11, 30)
    assert _audit(kiosk)[-1] == "course.create"
    assert page.title.text() == "Course plan" and not page.start_button.isVisible()

    _retype(qtbot, page.start, "07/12/2026")
    _press_enter(qtbot, page.start)
    assert kiosk.course.active(patient.id).start == date(2026, 12, 7)
    assert _audit(kiosk)[-1] == "course.update"
    assert page.shown_course.sessions[0].date == date(2026, 12, 7)
    assert page.timeline.rows[1].row.title == f"Session 1 · {day_text(date(2026, 12, 7))}"
    assert page.start_shown.text() == "Mon 7 Dec 2026"
    assert page.status.text().startswith("Saved at")


@pytest.mark.parametrize("typed", ["31/02/2026", "'; DROP TABLE courses;--", "🦄 tomorrow", "2031-01-01", ""])
def test_hostile_start_dates_show_a_message_and_keep_the_text(course_page, kiosk, qtbot, mid_course, type_text, typed):
    page = _open_course(course_page, qtbot, mid_course)
    before = _audit(kiosk)
    _retype(qtbot, page.start, typed, type_text)
    _press_enter(qtbot, page.start)
    assert page.error_text("start")
    assert page.start_error.isVisible()
    assert page.start.text() == typed
    assert page.start.property("invalid") == "true"
    assert _audit(kiosk) == before
    assert kiosk.course.active(mid_course.id).start == date(2026, 10, 12)


def test_start_after_a_session_done_is_refused_next_to_the_field(course_page, kiosk, qtbot, mid_course):
    page = _open_course(course_page, qtbot, mid_course)
    _retype(qtbot, page.start, "2026-11-01")
    _press_enter(qtbot, page.start)
    assert "first session done" in page.error_text("start")


def test_override_of_the_suggestion_needs_a_reason_inline(course_page, kiosk, qtbot, register, type_text):
    patient = register("Priya", "Raghunathan", "1982-10-25", sex_at_birth="female")
    kiosk.intake.save_answer(patient.id, "complaint.hair_loss_type", "androgenetic", ACTOR)
    kiosk.intake.save_answer(patient.id, "classification.sinclair", "3", ACTOR)
    page = _open_course(course_page, qtbot, patient)
    assert "Moderate" in page.suggestion.text() and "Sinclair 3 or above" in page.suggestion_basis.text()
    assert page.protocol.currentData() == "moderate"
    assert not page.reason_box.isVisible()

    page.protocol.setCurrentIndex(page.protocol.findData("severe"))
    assert page.reason_box.isVisible()
    assert page.shown_course.total == 12  # the proposal follows the choice
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    assert "Please say why" in page.error_text("reason")
    assert kiosk.course.active(patient.id) is None

    type_text(page.reason, "Rapid loss over 3 months — 急速")
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    stored = kiosk.course.active(patient.id)
    assert stored.protocol_id == "severe" and stored.choice.reason == "Rapid loss over 3 months — 急速"
    assert stored.choice.suggested == "moderate"
    assert "because: Rapid loss" in page.suggestion_basis.text()

    # Stored course: back to the suggestion saves at once, no reason asked.
    page.protocol.setCurrentIndex(page.protocol.findData("moderate"))
    assert kiosk.course.active(patient.id).protocol_id == "moderate"
    assert not page.reason_box.isVisible()
    # Another override waits for its reason; the button saves it.
    page.protocol.setCurrentIndex(page.protocol.findData("mild"))
    assert page.reason_box.isVisible() and page.use_protocol_button.isVisible()
    assert kiosk.course.active(patient.id).protocol_id == "moderate"
    page.reason.clear()
    qtbot.mouseClick(page.use_protocol_button, Qt.MouseButton.LeftButton)
    assert "Please say why" in page.error_text("reason")
    qtbot.keyClicks(page.reason, "Prefers a short course first.")
    qtbot.mouseClick(page.use_protocol_button, Qt.MouseButton.LeftButton)
    assert kiosk.course.active(patient.id).protocol_id == "mild"
    assert page.shown_course.total == 6


def test_interval_below_the_protocol_minimum_is_refused_next_to_it(course_page, kiosk, qtbot, mid_course):
    page = _open_course(course_page, qtbot, mid_course)
    row = page.timeline.row_for(6)
    qtbot.mouseClick(row, Qt.MouseButton.LeftButton)
    editor = page.interval_editor
    assert editor.isVisible() and page.timeline.editor_session == 6
    assert editor.days.value() == 14 and "at least" not in editor.hint.text().lower() or "10 days" in editor.hint.text()
    before = _audit(kiosk)

    editor.days.setValue(8)  # phase 2: at least 10 days
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert "at least 10 days" in page.error_text("interval")
    assert editor.error.isVisible() and editor.days.value() == 8  # what was chosen is kept
    assert _audit(kiosk) == before
    assert dict(kiosk.course.active(mid_course.id).course.interval_overrides) == {}

    qtbot.mouseClick(editor.plus, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.plus, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.plus, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.plus, Qt.MouseButton.LeftButton)
    assert editor.days.value() == 12
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert page.error_text("interval") == ""
    assert dict(kiosk.course.active(mid_course.id).course.interval_overrides) == {6: 12}
    assert _audit(kiosk)[-1] == "course.update"
    session6 = page.shown_course.sessions[5]
    assert session6.gap_days == 12 and (session6.date - page.shown_course.sessions[4].date).days >= 12
    assert "(set by hand)" in page.timeline.row_for(6).row.detail
    assert page.timeline.editor_session == 6  # the editor stays under its row after re-planning

    qtbot.mouseClick(editor.reset_button, Qt.MouseButton.LeftButton)
    assert dict(kiosk.course.active(mid_course.id).course.interval_overrides) == {}
    qtbot.mouseClick(editor.close_button, Qt.MouseButton.LeftButton)
    assert not editor.isVisible()


def test_keyboard_opens_the_interval_editor(course_page, kiosk, qtbot, mid_course):
    page = _open_course(course_page, qtbot, mid_course)
    row = page.timeline.row_for(7)
    row.setFocus()
    qtbot.keyClick(row, Qt.Key.Key_Return)
    assert page.timeline.editor_session == 7
    assert page.timeline.row_for(2) is not None and not page.timeline.row_for(2).row.editable  # done: history


def test_calendar_button_writes_into_exports_and_says_where(course_page, kiosk, qtbot, mid_course):
    page = _open_course(course_page, qtbot, mid_course)
    assert page.ics_button.isEnabled()
    qtbot.mouseClick(page.ics_button, Qt.MouseButton.LeftButton)
    target = kiosk.paths.exports / kiosk.course.ics_file_name(mid_course.id)
    assert target.is_file()
    assert str(target) in page.ics_status.text() and "Saved 4 sessions" in page.ics_status.text()
    events = list(Calendar.from_ical(target.read_bytes()).walk("VEVENT"))
    assert len(events) == 4
    assert [f.name for f in target.parent.iterdir() if f.name.endswith(".tmp")] == []


def test_a_problem_with_the_stored_course_is_shown_not_crashed(course_page, kiosk, qtbot, register):
    patient = register()
    kiosk.course.start_course(patient.id, start="2026-09-01", protocol_id="mild", actor=ACTOR)
    for week in range(7):  # one more than the mild protocol has
        add_closed_session(kiosk, patient.id, date(2026, 9, 1 + 7 * week) if week < 4 else
                           date(2026, 10, 1 + 7 * (week - 4)))
    page = _open_course(course_page, qtbot, patient)
    assert page.banner.isVisible() and "longer protocol" in page.banner.text()
    assert page.shown_course is None and not page.ics_button.isEnabled()
    page.protocol.setCurrentIndex(page.protocol.findData("moderate"))
    qtbot.keyClicks(page.reason, "More sessions were needed.")
    qtbot.mouseClick(page.use_protocol_button, Qt.MouseButton.LeftButton)
    assert kiosk.course.active(patient.id).protocol_id == "moderate"
    assert page.shown_course is not None and page.shown_course.done_count == 7


def test_timeline_rows_are_pure_and_in_date_order(kiosk, register):
    patient = register()
    kiosk.course.start_course(patient.id, start="2026-11-02", protocol_id="severe", reason="x", actor=ACTOR)
    add_closed_session(kiosk, patient.id, date(2026, 11, 2))
    course = kiosk.course.plan(patient.id)
    rows = timeline_rows(course, kiosk.course.calendar)
    dates = [row.date for row in rows]
    assert dates == sorted(dates)
    assert [r.kind for r in rows].count(TODAY) == 1
    assert [r.kind for r in rows if r.number == 2] == [OVERDUE]
    assert course.sessions[1].status is SessionStatus.OVERDUE
    assert NEXT not in [r.kind for r in rows]  # the next one is overdue, not "next"
    readonly = timeline_rows(course, kiosk.course.calendar, editable=False)
    assert not any(r.editable for r in readonly)


def test_a_session_moved_by_a_closure_says_why(kiosk):
    # Weekly from Fri 4 Dec: the 4th session would fall on 25 Dec, inside the Christmas closure.
    course = project(date(2026, 12, 4), kiosk.course.protocols["mild"], [], kiosk.course.calendar, date(2026, 11, 22))
    rows = timeline_rows(course, kiosk.course.calendar)
    fourth = next(r for r in rows if r.number == 4 and r.kind == PLANNED)
    assert fourth.date == date(2027, 1, 2)
    assert "Moved: clinic closed (Christmas and New Year)" in fourth.detail
    assert rows[0].kind == TODAY and rows[1].kind == NEXT and rows[1].number == 1
