"""A wheel passing over a pick list scrolls the page and never changes the value (issue 22:
the preferred language and the intake's answers changed under a passing wheel and autosaved)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from meso_kiosk.ui.wheel_guard import install_wheel_guard

from .test_intake_page import _page

NOTCH = 120  # one click of a mouse wheel


def roll_wheel(widget: QWidget, notches: int = -3) -> None:
    """Roll the wheel over ``widget``'s middle as a mouse does: the event reaches the window,
    which hands it to the widget under the pointer (negative: towards the user, page down)."""
    window = widget.window()
    where = widget.mapTo(window, widget.rect().center())
    global_where = QPointF(widget.mapToGlobal(widget.rect().center()))
    event = QWheelEvent(QPointF(where), global_where, QPoint(), QPoint(0, notches * NOTCH),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(window.windowHandle(), event)


def _combo_in_view(page, combo: QComboBox) -> None:
    page.scroll.ensureWidgetVisible(combo, 0, 0)
    QApplication.processEvents()
    assert page.scroll.viewport().rect().contains(combo.mapTo(page.scroll.viewport(), combo.rect().center()))


def test_a_wheel_over_the_preferred_language_scrolls_the_intake_and_changes_nothing(
        kiosk, register, qtbot, qapp):
    install_wheel_guard(qapp)
    patient = register(preferred_language="fr")
    page = _page(kiosk, qtbot)
    page.show_patient(patient)
    language = page.details.form.preferred_language
    assert language.focusPolicy() == Qt.FocusPolicy.StrongFocus
    _combo_in_view(page, language)
    top = page.scroll.verticalScrollBar().value()
    picked = language.currentIndex()

    roll_wheel(language)

    assert language.currentIndex() == picked
    assert not page.details.dirty  # nothing to save, nothing saved
    assert page.scroll.verticalScrollBar().value() > top, "the page scrolled instead"
    assert kiosk.patients.get(patient.id).preferred_language == "fr"


def test_a_wheel_over_an_intake_pick_list_does_not_autosave_a_new_answer(kiosk, register, qtbot, qapp):
    install_wheel_guard(qapp)
    patient = register()
    page = _page(kiosk, qtbot, size=(800, 1280))
    page.show_patient(patient)
    hair_type = page.fields["complaint.hair_loss_type"].editor
    _combo_in_view(page, hair_type)
    top = page.scroll.verticalScrollBar().value()

    roll_wheel(hair_type)
    qtbot.wait(50)

    assert hair_type.currentData() is None
    assert page.scroll.verticalScrollBar().value() > top
    intake = kiosk.intake.latest_intake(patient.id)
    assert intake is None or intake.answer("complaint.hair_loss_type") is None


def test_the_wheel_still_picks_in_a_list_the_consultant_has_chosen(kiosk, register, qtbot, qapp):
    install_wheel_guard(qapp)
    page = _page(kiosk, qtbot)
    page.show_patient(register())
    hair_type = page.fields["complaint.hair_loss_type"].editor
    _combo_in_view(page, hair_type)
    hair_type.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(hair_type.hasFocus)

    roll_wheel(hair_type)

    assert hair_type.currentIndex() > 0  # a focused list is the consultant's to scroll through


def test_the_main_window_installs_the_guard_once(window, qapp):
    from meso_kiosk.ui.wheel_guard import WheelGuard

    assert len(qapp.findChildren(WheelGuard)) == 1
    assert install_wheel_guard(qapp) is qapp.findChild(WheelGuard)
