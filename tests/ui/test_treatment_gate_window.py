"""The treatment gate through the real window: a patient without an intake cannot have a session
started from the treatment step, and a session dated before the consent is refused beside its date."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from tests.ui.session_page import click_zone


def visible_text(root: QWidget) -> str:
    return "\n".join(w.text() for w in root.findChildren(QLabel) if w.isVisible() and w.text())


def open_treatment(window, patient):
    window.open_patient(patient)
    window.workspace.go_to_step("scalp_map")
    return window.workspace.pages["scalp_map"]


def save(qtbot, window, shots: Path, name: str, keep_in_view: QWidget | None = None) -> None:
    """The window at both tablet sizes, laid out (``keep_in_view``: scrolled to it)."""
    for size in ((1280, 800), (800, 1280)):
        window.resize(*size)
        qtbot.wait(150)
        if keep_in_view is not None:
            scroll = window.workspace.pages["scalp_map"].form_scroll
            scroll.ensureWidgetVisible(keep_in_view)
            qtbot.wait(50)
        window.grab().save(str(shots / f"{name}_{size[0]}x{size[1]}.png"))
    window.resize(1280, 800)
    qtbot.wait(150)


def test_a_patient_without_an_intake_cannot_have_a_session_started(qtbot, window, kiosk, register, sign_consent,
                                                                  shots):
    rahul = register("Rahul", "Mehta", "1991-08-19")
    sign_consent(rahul.id)  # a consent signed, as on the day it went wrong: still no intake
    page = open_treatment(window, rahul)
    qtbot.wait(50)
    shown = window.workspace.stack.currentWidget()
    assert "Complete the intake first" in visible_text(shown)
    save(qtbot, window, shots, "treatment_blocked_no_intake")
    # Every start the screen offers is refused: the step's buttons, and the page's own start.
    for button in shown.findChildren(QAbstractButton):
        if button.isVisible() and button.isEnabled() and "start" in button.text().lower():
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    if page.isVisible():
        assert page.start_button.isVisible() and not page.start_button.isEnabled()
        qtbot.keyClick(page.start_button, Qt.Key.Key_Space)  # a disabled button ignores the keyboard too
    page._on_start_button_clicked()  # and were it clicked anyway, the service says no
    assert kiosk.sessions.draft(rahul.id) is None
    assert kiosk.store.conn.execute("SELECT count(*) FROM treatment_sessions").fetchone()[0] == 0


def test_a_session_dated_before_the_consent_says_so_beside_the_date(qtbot, window, kiosk, register_consented,
                                                                   shots):
    claire = register_consented()  # her consent was signed two days before the fixed now (20 Nov 2026, 09:30)
    page = open_treatment(window, claire)
    assert window.workspace.stack.currentWidget() is page and page.start_button.isEnabled()
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    assert page.draft.editing
    session = kiosk.sessions.draft(claire.id)
    consultant = window.sign_in.consultant
    assert session.consultant_id == str(consultant.id)  # the consultant signed in, not the first listed
    assert page.form.consultant.currentData() == str(consultant.id)
    click_zone(qtbot, page.map, "vertex")
    page.form.started_at.date_edit.setDate(QDate(2026, 3, 3))  # picked in the calendar
    qtbot.mouseClick(page.form.close_button, Qt.MouseButton.LeftButton)
    date_field = page.form.fields["started_at"]
    assert date_field.message.isVisible()
    assert "before the consent was signed on 20 Nov 2026, 09:30" in date_field.message.text()
    assert date_field.message.text().startswith("The session is dated 03 Mar 2026")
    assert not page.form.confirm_panel.isVisible()  # no confirmation for a session that cannot close
    assert kiosk.sessions.draft(claire.id).started_at == session.started_at  # the stored draft kept its date
    save(qtbot, window, shots, "session_dated_before_consent", keep_in_view=date_field)
    # Back to a date after the signature, the zone filled in: saved, the message gone.
    page.form.started_at.now_button.click()
    row = page.form.zone_rows["vertex"]
    for edit, text in ((row.injections, "20"), (row.depth, "2"), (row.volume, "1")):
        edit.setText(text)
    assert page.flush() and not date_field.message.isVisible()
    assert kiosk.sessions.draft(claire.id).zones
