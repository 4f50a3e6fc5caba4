"""Who performs the treatment: each consultant's profession and registration number on the admin
page, recorded by an admin with their PIN, refused next to the field when it cannot be kept."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget

from meso_kiosk.store.credentials import Credentials
from meso_kiosk.ui.pages.consultants_admin import ConsultantsAdminPage
from meso_kiosk.ui.theme import TOUCH_TARGET
from meso_kiosk.ui.widgets.consultant_credentials import credentials_words
from tests.ui.conftest import account_page_alone
from tests.ui.test_consultants_admin import ADMIN_PIN, SAM_PIN, admin, confirm, page, sam  # noqa: F401 (fixtures)



def edit(qtbot, page, account, profession, registration, type_text):
    """Open the row's form, type both fields afresh, tap Save."""
    row = page.rows[account.id]
    qtbot.mouseClick(row.credentials_button, Qt.MouseButton.LeftButton)
    editor = row.credentials_editor
    assert editor.isVisible()
    for field, text in ((editor.profession, profession), (editor.registration, registration)):
        field.clear()
        type_text(field, text)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    return editor


def credential_rows(kiosk) -> int:
    return kiosk.store.conn.execute("SELECT count(*) FROM consultant_credentials").fetchone()[0]


def test_words_for_what_is_recorded():
    assert credentials_words(None) is None
    assert credentials_words(Credentials(None, None)) is None
    assert credentials_words(Credentials("Dermatologist", "RPPS 10001234567")) == "Dermatologist · RPPS 10001234567"
    assert credentials_words(Credentials("Registered nurse", None)) == "Registered nurse · no registration number"
    assert credentials_words(Credentials(None, "GMC 7654321")) == "Profession not recorded · GMC 7654321"


def test_each_row_says_what_is_recorded(page, kiosk, admin, sam):
    assert page.rows[sam.id].credentials.text() == "Profession not recorded"
    assert page.rows[sam.id].credentials.property("role") == "muted"
    kiosk.accounts.set_credentials(admin.id, ADMIN_PIN, sam.id, "Dermatologist", "RPPS 10001234567")
    page.refresh()
    assert page.rows[sam.id].credentials.text() == "Dermatologist · RPPS 10001234567"
    assert page.rows[admin.id].credentials.text() == "Profession not recorded"


def test_an_admin_records_a_profession_with_their_pin(page, kiosk, sam, qtbot, type_text):
    edit(qtbot, page, sam, "  Dermatologist ", "RPPS 10001234567", type_text)
    assert page.confirm_what.text() == "Record the profession of Sam Okafor"
    confirm(qtbot, page, "918273")  # a wrong PIN: nothing is stored, the pad says so
    assert "Wrong PIN" in page.confirm_pin.error.text()
    assert kiosk.accounts.credentials() == {} and credential_rows(kiosk) == 0
    confirm(qtbot, page)
    assert page.views.currentWidget() is page.body_view
    assert kiosk.accounts.credentials()[sam.id] == Credentials("Dermatologist", "RPPS 10001234567")
    assert page.rows[sam.id].credentials.text() == "Dermatologist · RPPS 10001234567"
    assert "Sam Okafor: Dermatologist · RPPS 10001234567." in page.notice.text()
    assert not page.rows[sam.id].credentials_editor.isVisible()
    audited = kiosk.store.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'consultant.credentials'")
    assert audited.fetchone()[0] == 1


def test_the_form_opens_with_what_is_recorded_and_cancel_keeps_it(page, kiosk, admin, sam, qtbot):
    kiosk.accounts.set_credentials(admin.id, ADMIN_PIN, sam.id, "Registered nurse", "NMC 12A3456B")
    page.refresh()
    row = page.rows[sam.id]
    qtbot.mouseClick(row.credentials_button, Qt.MouseButton.LeftButton)
    assert row.credentials_editor.profession.text() == "Registered nurse"
    assert row.credentials_editor.registration.text() == "NMC 12A3456B"
    row.credentials_editor.profession.setText("Something else")
    qtbot.mouseClick(row.credentials_editor.cancel_button, Qt.MouseButton.LeftButton)
    assert not row.credentials_editor.isVisible()
    assert kiosk.accounts.credentials()[sam.id] == Credentials("Registered nurse", "NMC 12A3456B")


def test_emptied_fields_clear_what_was_recorded(page, kiosk, admin, sam, qtbot, type_text):
    kiosk.accounts.set_credentials(admin.id, ADMIN_PIN, sam.id, "Registered nurse", "NMC 12A3456B")
    page.refresh()
    edit(qtbot, page, sam, "", "", type_text)
    confirm(qtbot, page)
    assert kiosk.accounts.credentials()[sam.id] == Credentials(None, None)
    assert page.rows[sam.id].credentials.text() == "Profession not recorded"
    assert "no profession recorded" in page.notice.text()


@pytest.mark.parametrize("profession, registration, field, words", [
    ("D" * 81, "RPPS 1", "profession", "at most 80 characters"),
    ("Dermatologist", "9" * 41, "registration", "at most 40 characters"),
    ("Derma\u202etologist", "RPPS 1", "profession", "invisible control character"),
    ("Dermatologist", "RPPS\x1b[31m 1", "registration", "invisible control character"),
])
def test_refused_text_is_said_next_to_its_field_before_any_pin(page, kiosk, sam, qtbot, type_text,
                                                               profession, registration, field, words):
    editor = edit(qtbot, page, sam, profession, registration, type_text)
    assert page.views.currentWidget() is page.body_view  # no PIN asked for what cannot be kept
    assert words in editor.errors[field].text() and editor.errors[field].isVisible()
    other = "registration" if field == "profession" else "profession"
    assert editor.errors[other].isHidden()
    assert editor.profession.text() == profession  # what was typed is kept
    assert credential_rows(kiosk) == 0


@pytest.mark.parametrize("profession, registration", [
    ("Robert'); DROP TABLE consultant_credentials;--", "1 OR 1=1"),
    ("Dermatologue 🩺", "RPPS 10001234567"),
    ("طبيب جلدية", "SCFHS ١٢٣٤٥"),
    ("皮肤科医生", "执业 110000"),
    ("Дерматолог", "№ 77-01"),
])
def test_text_in_any_script_is_kept_exactly(page, kiosk, sam, qtbot, type_text, profession, registration):
    edit(qtbot, page, sam, profession, registration, type_text)
    confirm(qtbot, page)
    assert kiosk.accounts.credentials()[sam.id] == Credentials(profession, registration)
    assert page.rows[sam.id].credentials.text() == f"{profession} · {registration}"


def test_a_refusal_from_the_service_comes_back_next_to_the_field(page, kiosk, sam, qtbot, type_text, monkeypatch):
    """Should the service refuse after the PIN (its rules are the last word), the form reopens
    with the message beside the field and what was typed."""
    from meso_kiosk.domain.errors import ValidationError

    def refuse(*_args):
        raise ValidationError.single("registration", "That register is not known.")

    monkeypatch.setattr(kiosk.accounts, "set_credentials", refuse)
    editor = edit(qtbot, page, sam, "Dermatologist", "XYZ 1", type_text)
    confirm(qtbot, page)
    editor = page.rows[sam.id].credentials_editor
    assert editor.isVisible() and editor.registration.text() == "XYZ 1"
    assert editor.errors["registration"].text() == "That register is not known."


def test_a_consultant_who_is_not_admin_cannot(qtbot, qapp, kiosk, admin, sam):
    page = account_page_alone(qtbot, qapp, ConsultantsAdminPage, kiosk, admin)
    page._sign_in.sign_in(kiosk.accounts.account(sam.id))  # the admin walked away, Sam took over
    with qtbot.waitSignal(page.back_requested):
        page._on_row_credentials_requested(sam, "Dermatologist", "RPPS 1")
    assert page.views.currentWidget() is page.body_view
    from meso_kiosk.domain.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        kiosk.accounts.set_credentials(sam.id, SAM_PIN, sam.id, "Dermatologist", "RPPS 1")
    assert "Only an admin" in refused.value.errors["admin_pin"]
    assert credential_rows(kiosk) == 0


def test_add_a_consultant_with_their_profession(page, kiosk, qtbot, type_text):
    type_text(page.add_name, "Dr Zoë Ng")
    type_text(page.add_profession, "Dermatologist")
    type_text(page.add_registration, "RPPS 10009876543")
    qtbot.keyClicks(page.add_pin, "560912")
    qtbot.keyClicks(page.add_pin_again, "560912")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    confirm(qtbot, page)
    zoe = next(a for a in kiosk.accounts.accounts() if a.display_name == "Dr Zoë Ng")
    assert kiosk.accounts.credentials()[zoe.id] == Credentials("Dermatologist", "RPPS 10009876543")
    assert page.rows[zoe.id].credentials.text() == "Dermatologist · RPPS 10009876543"
    assert page.add_profession.text() == "" and page.add_registration.text() == ""


def test_add_form_refuses_a_bad_profession_before_any_pin(page, kiosk, qtbot, type_text):
    type_text(page.add_name, "Dr Zoë Ng")
    type_text(page.add_profession, "P" * 81)
    qtbot.keyClicks(page.add_pin, "560912")
    qtbot.keyClicks(page.add_pin_again, "560912")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert page.views.currentWidget() is page.body_view
    assert "at most 80 characters" in page.add_errors["profession"].text()
    assert len(kiosk.accounts.accounts()) == 2 and credential_rows(kiosk) == 0


def test_new_controls_are_named_and_touch_sized(page, sam, qtbot):
    qtbot.mouseClick(page.rows[sam.id].credentials_button, Qt.MouseButton.LeftButton)
    checked = 0
    for control in page.findChildren(QWidget):
        if not control.isVisibleTo(page) or not isinstance(control, (QAbstractButton, QLineEdit)):
            continue
        if control.parent() is not None and control.parent().inherits("QAbstractSpinBox"):
            continue
        assert control.accessibleName(), type(control).__name__
        assert max(control.sizeHint().height(), control.height()) >= TOUCH_TARGET, control.accessibleName()
        checked += 1
    editor = page.rows[sam.id].credentials_editor
    assert {editor.profession, editor.registration, editor.save_button} <= set(page.findChildren(QWidget))
    assert checked > 10


@pytest.mark.screens
def test_consultants_page_with_professions_renders_in_both_orientations(page, kiosk, admin, sam, qtbot, shots):
    kiosk.accounts.set_credentials(admin.id, ADMIN_PIN, admin.id, "Consultant dermatologist and hair specialist",
                                   "RPPS 10001234567")
    page.refresh()
    qtbot.mouseClick(page.rows[sam.id].credentials_button, Qt.MouseButton.LeftButton)
    page.rows[sam.id].credentials_editor.profession.setText("D" * 81)
    qtbot.mouseClick(page.rows[sam.id].credentials_editor.save_button, Qt.MouseButton.LeftButton)
    for width, height in ((1280, 800), (800, 1280)):
        page.resize(width, height)
        qtbot.wait(20)
        page.grab().save(str(shots / f"admin-professions-{width}x{height}.png"))
        assert page.body_view.widget().width() <= page.body_view.viewport().width()  # no sideways scrolling
