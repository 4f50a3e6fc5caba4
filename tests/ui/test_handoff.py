"""Patient hand-off: the patient holds the tablet, reads, ticks, signs; nothing else is reachable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt, QTimer
from PySide6.QtGui import QInputDevice, QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from meso_kiosk.domain.consent_clinic import ClinicFacts
from meso_kiosk.domain.consent_template import blocks_to_text, render_text, sha256_text
from meso_kiosk.services.consent import ConsentFormError
from meso_kiosk.ui.pages.handoff import HandoffPage
from meso_kiosk.ui.theme import TOUCH_TARGET, apply_theme
from tests.conftest import COUNTERSIGN_PIN
from tests.consultation import complete_intake
from tests.ui.conftest import signed_in_consultant
from tests.ui.test_consent_page import WRONG_PIN, open_consent, step_index, type_pin
from tests.ui.test_main_window import press_quit


def handoff_of(window) -> HandoffPage:
    page = window.stack.currentWidget()
    assert isinstance(page, HandoffPage)
    return page


def enter_handoff(qtbot, window, patient) -> HandoffPage:
    consent = open_consent(window, patient)
    qtbot.mouseClick(consent.handoff_button, Qt.MouseButton.LeftButton)
    assert window.in_handoff
    return handoff_of(window)


def confirm_identity(qtbot, page, name: str, born: str, type_text) -> None:
    type_text(page.name_field, name)
    type_text(page.dob_field, born)
    qtbot.mouseClick(page.identity_button, Qt.MouseButton.LeftButton)


def scroll_to_end(page) -> None:
    bar = page.read.scroll.verticalScrollBar()
    bar.setValue(bar.maximum())


def tick_everything(qtbot, page, photos: str = "no") -> None:
    for row in page.read.rows.values():
        if row.is_checked():
            continue
        page.read.scroll.ensureWidgetVisible(row)
        qtbot.mouseClick(row, Qt.MouseButton.LeftButton, pos=QPoint(row.width() - 20, row.height() // 2))
    qtbot.mouseClick(page.read.photo_buttons[photos], Qt.MouseButton.LeftButton)


def read_and_tick(qtbot, page, type_text, language: str = "en", photos: str = "no") -> None:
    """Language, identity, the text read to the end and every item ticked: the Sign panel is next."""
    qtbot.mouseClick(page.language_buttons[language], Qt.MouseButton.LeftButton)
    confirm_identity(qtbot, page, "Claire Dubois", "12/04/1986", type_text)
    scroll_to_end(page)
    tick_everything(qtbot, page, photos=photos)


def draw_signature(qtbot, canvas) -> list[QPoint]:
    points = [QPoint(40 + 12 * i, 120 + (30 if i % 4 < 2 else -30)) for i in range(40)]
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        QTest.mouseMove(canvas, point)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=points[-1])
    return points


def sign_like_a_person(canvas) -> None:
    """A hand-like signature (the demo's), replayed through a finger on the touch screen."""
    from meso_kiosk.services.demo.signature import synthetic_signature

    finger = QTest.createTouchDevice(QInputDevice.DeviceType.TouchScreen)
    for stroke in synthetic_signature("Claire Dubois", canvas.width(), canvas.height()).strokes:
        points = [QPoint(round(p.x), round(p.y)) for p in stroke]
        QTest.touchEvent(canvas, finger).press(0, points[0], canvas)
        for point in points[1:]:
            QTest.touchEvent(canvas, finger).move(0, point, canvas)
        QTest.touchEvent(canvas, finger).release(0, points[-1], canvas)


@pytest.fixture(autouse=True)
def leave_handoff_at_teardown(request):
    """A window left in hand-off refuses to close: it would outlive its test."""
    window = request.getfixturevalue("window") if "window" in request.fixturenames else None
    yield
    if window is not None:
        window.exit_handoff()


@pytest.fixture
def handoff_page(qtbot, qapp, kiosk) -> HandoffPage:
    """The hand-off screen alone, countersigned by the signed-in admin (the window's lockdown
    around it is tested with the window)."""
    apply_theme(qapp)
    consultant = signed_in_consultant(kiosk)
    page = HandoffPage(kiosk.consents, kiosk.accounts, kiosk.clock, lambda: consultant)
    qtbot.addWidget(page)
    page.setMinimumSize(640, 480)  # a top level's own minimum (the offscreen plugin warns otherwise)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def start(page: HandoffPage, patient) -> HandoffPage:
    page.start(patient)
    return page


@pytest.fixture
def claire(register):
    return register("Claire", "Dubois", "1986-04-12", preferred_language="fr")


# ---------------------------------------------------------------- the whole flow


def test_full_handoff_stores_the_signed_consent_and_opens_the_session_gate(qtbot, window, kiosk, claire,
                                                                          type_text):
    complete_intake(kiosk, claire.id)  # screened first: the consent is what holds the session then
    assert kiosk.consents.consent_gate(claire.id) is not None
    page = enter_handoff(qtbot, window, claire)
    assert page.current_panel() == page.LANGUAGE
    assert list(page.language_buttons) == ["fr", "en"]  # the patient's preferred language first
    assert page.header_title.text() == "Formulaire de consentement de Claire Dubois"
    qtbot.mouseClick(page.language_buttons["en"], Qt.MouseButton.LeftButton)
    assert page.header_title.text() == "Consent form for Claire Dubois"

    confirm_identity(qtbot, page, "claire dubois", "12/04/1986", type_text)
    assert page.current_panel() == page.READ
    scroll_to_end(page)
    tick_everything(qtbot, page, photos="yes")
    type_text(page.read.question, "Can I wash my hair the next day? 🙂")
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.SIGN
    assert page.pad.canvas.caption == "Claire Dubois"  # the printed name under the signing line
    drawn = draw_signature(qtbot, page.pad.canvas)
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.HAND_BACK
    assert page.thank_you.text() == "Thank you. Please give the tablet back to your consultant."

    qtbot.mouseClick(page.hand_back_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.COUNTERSIGN
    assert page.countersign.pin.who.text() == window.sign_in.consultant.display_name
    for widget in page.findChildren(QPushButton):
        if widget.isVisible():
            assert widget.height() >= TOUCH_TARGET, widget.accessibleName()
    type_pin(qtbot, page.countersign.pin, COUNTERSIGN_PIN)
    assert page.current_panel() == page.DONE

    record = kiosk.consents.current(claire.id)
    template = kiosk.consents.template_for("en")
    assert record is not None and record.language == "en" and record.template_version == template.version
    # the strokes stored are the ones drawn, point for point
    stored = record.patient_signature
    assert stored == page.pad.strokes()
    assert [(p.x, p.y) for p in stored.strokes[0]] == [(q.x(), q.y()) for q in drawn]
    assert record.patient_signature_sha256 == stored.sha256
    assert record.patient_signature_png.startswith(b"\x89PNG")
    # the text stored is exactly the text drawn on the screen
    assert record.text == blocks_to_text(page.read.blocks)
    assert record.text_sha256 == sha256_text(record.text)
    # the file's text with the facts of that moment: a first consent gives the time to think
    assert record.text == render_text(template.with_clinic(ClinicFacts(cooling_off_hours=24)))
    assert record.answers.acknowledged == tuple(item.id for item in template.checklist)
    assert record.answers.photo_consent is True
    assert record.answers.question_for_consultant == "Can I wash my hair the next day? 🙂"
    assert record.countersignature.consultant_id == window.sign_in.consultant.id
    assert kiosk.consents.verify(record) == []
    # the gate is open once the clinic's time to think after this first consent has passed (24 h)
    assert "cooling-off period of 24 hours ends tomorrow" in kiosk.consents.consent_gate(claire.id)
    signed_now = kiosk.clock.now
    kiosk.clock.now = lambda: signed_now() + timedelta(hours=24)
    assert kiosk.consents.consent_gate(claire.id) is None
    assert kiosk.sessions.consent_refusal(claire.id) is None
    kiosk.clock.now = signed_now

    qtbot.mouseClick(page.done_button, Qt.MouseButton.LeftButton)  # the consultant just typed their PIN
    assert not window.in_handoff
    assert window.stack.currentWidget() is window.workspace
    consent = window.workspace.pages["consent"]
    assert window.workspace.stack.currentWidget() is consent
    assert consent.status_title.text().startswith("✓ Signed consent in force")
    window.workspace.go_to_step(step_index("scalp_map"))
    scalp = window.workspace.pages["scalp_map"]
    assert not scalp.start_button.isEnabled() and "cooling-off period" in scalp.status.text()
    assert scalp.cooling_off_panel.open_button.isVisible()  # the signed-in admin may start it anyway


def test_french_handoff_uses_french_words_everywhere(qtbot, handoff_page, kiosk, claire, type_text):
    page = start(handoff_page, claire)
    qtbot.mouseClick(page.language_buttons["fr"], Qt.MouseButton.LeftButton)
    template = kiosk.consents.template_for("fr")
    assert page.identity_title.text() == template.label("identity_title")
    confirm_identity(qtbot, page, "Dubois Claire", "1986-04-12", type_text)
    assert page.read.continue_button.text() == template.label("identity_button")
    assert page.read.status.text() == template.label("read_hint")
    assert page.pad.undo_button.text() == template.label("undo")


# ---------------------------------------------------------------- reading, ticking, signing


def test_cannot_go_on_to_sign_before_reaching_the_end_of_the_text(qtbot, handoff_page, claire, type_text):
    page = start(handoff_page, claire)
    qtbot.mouseClick(page.language_buttons["en"], Qt.MouseButton.LeftButton)
    confirm_identity(qtbot, page, "Claire Dubois", "12/04/1986", type_text)
    qtbot.wait(20)
    read = page.read
    bar = read.scroll.verticalScrollBar()
    assert bar.maximum() > 0  # the text is longer than the screen
    tick_everything(qtbot, page)  # ticking alone is not reading to the end
    bar.setValue(0)
    bar.setValue(bar.maximum() // 2)
    assert not read.reached_end
    assert not read.continue_button.isEnabled()
    assert read.status.text() == "Please read to the end. The next step opens when you reach the bottom."
    qtbot.mouseClick(read.continue_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.READ
    scroll_to_end(page)
    assert read.reached_end and read.continue_button.isEnabled()
    bar.setValue(0)  # scrolling back up does not close it again
    assert read.continue_button.isEnabled()


def test_each_side_effect_is_ticked_separately_and_missing_ones_are_marked(qtbot, handoff_page, kiosk, claire,
                                                                         type_text):
    page = start(handoff_page, claire)
    qtbot.mouseClick(page.language_buttons["en"], Qt.MouseButton.LeftButton)
    confirm_identity(qtbot, page, "Claire Dubois", "12/04/1986", type_text)
    scroll_to_end(page)
    rows = list(page.read.rows.values())
    assert [row_id for row_id in page.read.rows] == [effect.id for effect in kiosk.clinic_data.side_effects()]
    for row in rows[:-1]:
        qtbot.mouseClick(row, Qt.MouseButton.LeftButton, pos=QPoint(row.width() - 10, 10))  # anywhere on the row
    assert all(row.is_checked() for row in rows[:-1]) and not rows[-1].is_checked()
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.READ
    assert rows[-1].error.text() == "Tick each side effect to show you have read it."
    assert page.read.photo_error.text() == "Please choose yes or no."
    assert not rows[0].error.isVisible()
    qtbot.mouseClick(rows[-1], Qt.MouseButton.LeftButton)
    assert rows[-1].error.isHidden()
    qtbot.mouseClick(rows[0], Qt.MouseButton.LeftButton)  # untick one again
    assert not rows[0].is_checked()
    rows[0].checkbox.setFocus()
    QTest.keyClick(rows[0].checkbox, Qt.Key.Key_Space)  # the keyboard works too
    assert rows[0].is_checked()
    for row in rows:
        assert row.minimumHeight() >= 48 and row.checkbox.accessibleName()


def test_empty_and_tiny_signatures_are_refused_in_the_patients_language(qtbot, handoff_page, claire, type_text):
    page = start(handoff_page, claire)
    qtbot.mouseClick(page.language_buttons["fr"], Qt.MouseButton.LeftButton)
    confirm_identity(qtbot, page, "Claire Dubois", "12/04/1986", type_text)
    scroll_to_end(page)
    tick_everything(qtbot, page)
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.SIGN
    french = page.template
    assert page.pad.message.text() == french.label("signature_empty")
    qtbot.mouseClick(page.pad.canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))  # a dot
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.SIGN
    assert page.pad.message.text() == french.label("signature_too_small")


# ---------------------------------------------------------------- identity


def test_a_date_of_birth_mismatch_pauses_until_a_consultant_pin(qtbot, handoff_page, kiosk, claire, type_text):
    page = start(handoff_page, claire)
    exits = []
    page.exit_confirmed.connect(lambda: exits.append(True))
    qtbot.mouseClick(page.language_buttons["en"], Qt.MouseButton.LeftButton)
    assert not page.identity_button.isEnabled()  # both fields first
    confirm_identity(qtbot, page, "Claire Dubois", "13/04/1986", type_text)
    assert page.current_panel() == page.PAUSED
    assert page.paused_text.text() == (
        "These details do not match our records. Please give the tablet back to your consultant.")
    audit = kiosk.store.conn.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'handoff.identity_mismatch'").fetchone()[0]
    assert audit == 1
    type_pin(qtbot, page.paused_pin, WRONG_PIN)
    assert page.current_panel() == page.PAUSED
    assert page.paused_pin.pin_entry.error.isVisibleTo(page)
    assert page.paused_choice.isHidden()
    type_pin(qtbot, page.paused_pin, COUNTERSIGN_PIN)
    assert page.paused_choice.isVisibleTo(page)
    qtbot.mouseClick(page.retry_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.IDENTITY
    assert page.name_field.text() == "" and page.dob_field.text() == ""
    confirm_identity(qtbot, page, "Claire Dubois", "12/04/1986", type_text)
    assert page.current_panel() == page.READ
    assert exits == []  # the hand-off goes on (the window leaves it only on exit_confirmed)


@pytest.mark.parametrize("name, born", [
    ("'; DROP TABLE patients;--", "12/04/1986"),
    ("Claire Dubois", "12/04/2086"),          # a future date
    ("🦄 " * 80, "🦄"),
    ("Claire Dubois", "-12/04/1986"),
    ("Claire  Dubois" + "x" * 500, "12/04/1986"),  # longer than the field takes
])
def test_hostile_identity_input_pauses_quietly(qtbot, handoff_page, kiosk, claire, type_text, name, born):
    page = start(handoff_page, claire)
    qtbot.mouseClick(page.language_buttons["en"], Qt.MouseButton.LeftButton)
    page.name_field.setText(name)
    page.dob_field.setText(born)
    qtbot.mouseClick(page.identity_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.PAUSED
    assert kiosk.patients.count() == 1


def test_after_a_mismatch_the_consultant_may_end_the_handoff(qtbot, handoff_page, claire, type_text):
    page = start(handoff_page, claire)
    qtbot.mouseClick(page.language_buttons["en"], Qt.MouseButton.LeftButton)
    confirm_identity(qtbot, page, "Someone Else", "12/04/1986", type_text)
    assert page.current_panel() == page.PAUSED
    type_pin(qtbot, page.paused_pin, COUNTERSIGN_PIN)
    with qtbot.waitSignal(page.exit_confirmed, timeout=1000):  # the window leaves the hand-off on it
        qtbot.mouseClick(page.paused_exit_button, Qt.MouseButton.LeftButton)


# ---------------------------------------------------------------- countersigning


def test_wrong_countersign_pin_stays_and_service_errors_go_back_to_the_patient(qtbot, handoff_page, kiosk, claire,
                                                                             type_text, monkeypatch):
    page = start(handoff_page, claire)
    qtbot.mouseClick(page.language_buttons["en"], Qt.MouseButton.LeftButton)
    confirm_identity(qtbot, page, "Claire Dubois", "12/04/1986", type_text)
    scroll_to_end(page)
    tick_everything(qtbot, page)
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)
    draw_signature(qtbot, page.pad.canvas)
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.hand_back_button, Qt.MouseButton.LeftButton)
    type_pin(qtbot, page.countersign.pin, WRONG_PIN)
    assert page.current_panel() == page.COUNTERSIGN
    assert "wrong" in page.countersign.pin.pin_entry.error.text().lower()
    assert kiosk.consents.current(claire.id) is None

    real_sign = kiosk.consents.sign

    def refuse(*args, **kwargs):
        raise ConsentFormError({"checklist.bruising": "Tick this item to show it has been read and understood.",
                                "signature": "Too small."}, "too_small")

    monkeypatch.setattr(kiosk.consents, "sign", refuse)
    type_pin(qtbot, page.countersign.pin, COUNTERSIGN_PIN)
    assert page.current_panel() == page.COUNTERSIGN
    assert page.countersign.error.text().startswith("Not stored:")
    assert page.countersign.back_to_patient_button.isVisibleTo(page)
    qtbot.mouseClick(page.countersign.back_to_patient_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.READ
    assert page.read.rows["bruising"].error.text() == "Tick each side effect to show you have read it."
    assert page.pad.message.text() == page.template.label("signature_too_small")

    monkeypatch.setattr(kiosk.consents, "sign", real_sign)
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.hand_back_button, Qt.MouseButton.LeftButton)
    type_pin(qtbot, page.countersign.pin, COUNTERSIGN_PIN)
    assert page.current_panel() == page.DONE
    assert kiosk.consents.current(claire.id) is not None


# ---------------------------------------------------------------- lockdown


def test_lockdown_nothing_else_is_reachable(qtbot, window, claire, register):
    other = register("Marcus", "Whitfield", "1979-02-03")
    page = enter_handoff(qtbot, window, claire)
    assert not window.workspace.back_button.isVisible()
    assert not window.workspace.step_bar.isVisible()
    assert not window.workspace.isEnabled()
    assert not window.patients_page.isEnabled()
    assert not window.workspace.back_button.isEnabled()
    window.show_patients()  # e.g. a lock/unlock or a timer asking for the list
    window.open_patient(other)
    assert window.stack.currentWidget() is page
    assert window.workspace.patient.id == claire.id
    # only the hand-off page and its own widgets are visible
    visible_outside = [w for w in window.findChildren(QWidget) if w.isVisible() and w is not page
                       and not page.isAncestorOf(w) and not w.isAncestorOf(page)]
    assert visible_outside == []


def test_close_and_escape_are_ignored_during_handoff(qtbot, window, claire):
    page = enter_handoff(qtbot, window, claire)
    assert window.close() is False
    assert window.isVisible() and window.in_handoff
    press_quit(qtbot, window)  # the quit shortcut asks the same closeEvent
    assert window.isVisible() and window.in_handoff
    page.name_field.setFocus()
    QTest.keyClick(page.name_field, Qt.Key.Key_Escape)
    escape = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, escape)
    assert window.in_handoff and window.stack.currentWidget() is page
    assert window._escape_filter.eventFilter(window, escape) is True


def test_leaving_needs_the_right_consultant_pin(qtbot, window, claire):
    page = enter_handoff(qtbot, window, claire)
    qtbot.mouseClick(page.language_buttons["en"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.consultant_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.EXIT
    type_pin(qtbot, page.exit_pin, WRONG_PIN)
    assert window.in_handoff and page.current_panel() == page.EXIT
    assert page.exit_pin.pin_entry.error.isVisibleTo(page)
    qtbot.mouseClick(page.exit_cancel_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.IDENTITY  # back where the patient was
    qtbot.mouseClick(page.consultant_button, Qt.MouseButton.LeftButton)
    type_pin(qtbot, page.exit_pin, COUNTERSIGN_PIN)
    assert not window.in_handoff
    assert window.workspace.back_button.isVisible() and window.workspace.isEnabled()
    assert window.patients_page.isEnabled()
    assert window.stack.currentWidget() is window.workspace
    assert window.workspace.stack.currentWidget() is window.workspace.pages["consent"]
    assert window.close() is True  # closing works again


def test_a_new_handoff_starts_fresh(qtbot, window, claire, register, type_text):
    page = enter_handoff(qtbot, window, claire)
    qtbot.mouseClick(page.language_buttons["en"], Qt.MouseButton.LeftButton)
    confirm_identity(qtbot, page, "Claire Dubois", "12/04/1986", type_text)
    scroll_to_end(page)
    tick_everything(qtbot, page)
    qtbot.mouseClick(page.consultant_button, Qt.MouseButton.LeftButton)
    type_pin(qtbot, page.exit_pin, COUNTERSIGN_PIN)
    other = register("Marcus", "Whitfield", "1979-02-03")
    page = enter_handoff(qtbot, window, other)
    assert page.header_title.text() == "Consent form for Marcus Whitfield"
    qtbot.mouseClick(page.language_buttons["en"], Qt.MouseButton.LeftButton)
    assert page.name_field.text() == ""
    assert not any(row.is_checked() for row in page.read.rows.values())
    assert not page.read.reached_end


# ---------------------------------------------------------------- a finger, a witness, the kiosk window


def test_a_patient_signs_with_a_finger_through_touch_events(qtbot, handoff_page, kiosk, claire, type_text):
    page = start(handoff_page, claire)
    read_and_tick(qtbot, page, type_text)
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.SIGN
    finger = QTest.createTouchDevice(QInputDevice.DeviceType.TouchScreen)
    assert finger.type() == QInputDevice.DeviceType.TouchScreen
    canvas = page.pad.canvas
    points = [QPoint(40 + 12 * i, 120 + (30 if i % 4 < 2 else -30)) for i in range(40)]
    QTest.touchEvent(canvas, finger).press(0, points[0], canvas)
    for point in points[1:]:
        QTest.touchEvent(canvas, finger).move(0, point, canvas)
    QTest.touchEvent(canvas, finger).release(0, points[-1], canvas)
    assert len(page.pad.strokes().strokes) == 1  # no second, mouse-synthesised copy of the line
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.HAND_BACK
    qtbot.mouseClick(page.hand_back_button, Qt.MouseButton.LeftButton)
    type_pin(qtbot, page.countersign.pin, COUNTERSIGN_PIN)
    assert page.current_panel() == page.DONE
    record = kiosk.consents.current(claire.id)
    assert [(p.x, p.y) for p in record.patient_signature.strokes[0]] == [(q.x(), q.y()) for q in points]
    assert {p.pressure for p in record.patient_signature.strokes[0]} == {0.5}  # a finger: no pressure
    assert record.witness_name is None  # no witness: still a complete record
    assert record.device_id


def test_an_optional_witness_is_stored_and_a_bad_name_costs_no_pin_try(qtbot, window, kiosk, claire, type_text):
    page = enter_handoff(qtbot, window, claire)
    read_and_tick(qtbot, page, type_text)
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)
    draw_signature(qtbot, page.pad.canvas)
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.hand_back_button, Qt.MouseButton.LeftButton)
    assert page.countersign.witness_field.isVisibleTo(page) and page.countersign.witness_field.text() == ""
    assert page.countersign.witness_field.accessibleName() == "Witness's name (optional)"
    page.countersign.witness_field.setText("Léa\x1b Martin")  # pasted with an escape code
    type_pin(qtbot, page.countersign.pin, WRONG_PIN)  # the witness is checked first: this PIN is not tried
    assert page.current_panel() == page.COUNTERSIGN
    assert "control character" in page.countersign.witness_error.text()
    assert kiosk.consents.current(claire.id) is None
    failures = kiosk.store.conn.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'consultant.pin_failed'").fetchone()[0]
    assert failures == 0
    page.countersign.witness_field.clear()
    type_text(page.countersign.witness_field, "Léa Martin")
    type_pin(qtbot, page.countersign.pin, COUNTERSIGN_PIN)
    assert page.current_panel() == page.DONE
    record = kiosk.consents.current(claire.id)
    assert record.witness_name == "Léa Martin"
    assert "witnessed by Léa Martin" in page.done_text.text()
    qtbot.mouseClick(page.done_button, Qt.MouseButton.LeftButton)
    assert "witness: Léa Martin" in window.workspace.pages["consent"].status_detail.text()


def test_handoff_keeps_a_kiosk_window_full_screen_and_frameless(qtbot, window, claire):
    window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)  # as run_gui does for --kiosk
    window.showFullScreen()
    qtbot.waitExposed(window)
    page = enter_handoff(qtbot, window, claire)
    assert window.isFullScreen() and window.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert window.close() is False
    qtbot.mouseClick(page.consultant_button, Qt.MouseButton.LeftButton)
    type_pin(qtbot, page.exit_pin, COUNTERSIGN_PIN)
    assert not window.in_handoff
    assert window.isFullScreen() and window.windowFlags() & Qt.WindowType.FramelessWindowHint


def test_kiosk_flag_opens_the_window_full_screen_and_frameless(qapp, tmp_path, monkeypatch):
    """``meso-kiosk --kiosk``: run_gui shows the window full-screen without a frame (no title bar,
    so no close button for a patient to find)."""
    from meso_kiosk.ui import idle_lock, startup
    from meso_kiosk.ui.startup import launch

    seen: list[tuple[bool, bool]] = []
    real_install = idle_lock.install_idle_lock

    def install(window, *args, **kwargs):  # called once the window is shown
        seen.append((window.isFullScreen(), bool(window.windowFlags() & Qt.WindowType.FramelessWindowHint)))
        return real_install(window, *args, **kwargs)

    monkeypatch.setattr(idle_lock, "install_idle_lock", install)  # run_gui imports it after the first frame
    monkeypatch.setenv(launch.EXIT_AFTER_FIRST_PAINT_ENV, "1")
    dialogs: list[tuple[str, str]] = []
    try:
        code = startup.run_gui(tmp_path / "kiosk-data", kiosk_mode=True,
                               show_error=lambda title, message: dialogs.append((title, message)))
    finally:
        # run_gui is normally the process's only event loop: one empty turn clears Qt's quit flag.
        QTimer.singleShot(0, qapp.quit)
        qapp.exec()
    assert dialogs == [] and code == 0
    assert seen == [(True, True)]


# ---------------------------------------------------------------- looking at it


@pytest.mark.screens
@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)])
def test_render_the_handoff_screens(qtbot, window, claire, type_text, shots, size):
    window.resize(*size)
    page = enter_handoff(qtbot, window, claire)
    tag = f"{size[0]}x{size[1]}"

    def shot(name: str) -> None:
        qtbot.wait(250)  # wrapped text settles over a few layout passes
        assert window.grab().save(str(shots / f"handoff_{name}_{tag}.png"))

    shot("1_language")
    qtbot.mouseClick(page.language_buttons["en"], Qt.MouseButton.LeftButton)
    shot("2_identity")
    confirm_identity(qtbot, page, "Claire Dubois", "01/01/1990", type_text)
    shot("3_paused")
    type_pin(qtbot, page.paused_pin, COUNTERSIGN_PIN)
    qtbot.mouseClick(page.retry_button, Qt.MouseButton.LeftButton)
    confirm_identity(qtbot, page, "Claire Dubois", "12/04/1986", type_text)
    shot("4_read_top")
    bar = page.read.scroll.verticalScrollBar()
    first = next(iter(page.read.rows.values()))
    page.read.scroll.ensureWidgetVisible(first, 0, 200)
    for row in list(page.read.rows.values())[:4]:
        qtbot.mouseClick(row, Qt.MouseButton.LeftButton)
    shot("5_read_ticks")
    scroll_to_end(page)
    tick_everything(qtbot, page)
    type_text(page.read.question, "Can I wash my hair the next day?")
    bar.setValue(bar.maximum())
    shot("6_read_end")
    assert page.read.continue_button.isEnabled()
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)
    shot("7a_sign_empty")
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    shot("7b_sign_refused")
    sign_like_a_person(page.pad.canvas)
    shot("7_sign")
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    shot("8_hand_back")
    qtbot.mouseClick(page.hand_back_button, Qt.MouseButton.LeftButton)
    page.countersign.witness_field.setText("Léa Martin")
    shot("9_countersign")
    for widget in page.findChildren(QPushButton):
        if widget.isVisible():
            assert widget.height() >= TOUCH_TARGET, widget.accessibleName()
    type_pin(qtbot, page.countersign.pin, COUNTERSIGN_PIN)
    shot("10_done")
    assert page.current_panel() == page.DONE
