"""First run: the first administrator, then "Your clinic" (name, contact, time zone, logo), then the kiosk."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from meso_kiosk.domain.actor import consultant_actor
from meso_kiosk.ui.widgets.clinic_form import machine_timezone
from tests.conftest import COUNTERSIGN_PIN
from tests.ui.test_clinic_settings import POPUP_WARNINGS, SVG, png_file
from tests.ui.test_lock_screen import build, tile_for, type_pin  # noqa: F401 (build is a fixture)

ADMIN_PIN = "482619"


def create_first_admin(qtbot, window, type_text, name="Dr Amélie Laurent"):
    panel = window.lock_page.setup_panel
    type_text(panel.name, name)
    qtbot.keyClicks(panel.pin, ADMIN_PIN)
    qtbot.keyClicks(panel.pin_again, ADMIN_PIN)
    qtbot.mouseClick(panel.create_button, Qt.MouseButton.LeftButton)


@POPUP_WARNINGS
def test_first_run_goes_admin_then_clinic_then_unlocked(kiosk, build, qtbot, type_text, tmp_path):
    window = build(kiosk)
    page = window.lock_page
    create_first_admin(qtbot, window, type_text)
    [admin] = kiosk.accounts.accounts()
    assert page.is_clinic_setup() and window.stack.currentWidget() is page  # not unlocked yet
    assert window.sign_in.consultant is None
    form = page.clinic_panel.form
    assert form.name.text() == "" and window.focusWidget() is form.name
    assert form.timezone.zone() == machine_timezone()  # the machine's zone, preselected

    qtbot.mouseClick(page.clinic_panel.save_button, Qt.MouseButton.LeftButton)  # a name is needed
    assert "clinic's name" in form.errors["name"].text() and page.is_clinic_setup()
    assert not kiosk.clinic.settings().named

    type_text(form.name, "Clinique du Parc")
    type_text(form.address, "12 rue des Lilas\n75011 Paris")
    type_text(form.phone, "+33 1 23 45 67 89")
    type_text(form.email, "not an address")
    form.timezone.lineEdit().clear()
    type_text(form.timezone.lineEdit(), "Paris")
    qtbot.mouseClick(page.clinic_panel.save_button, Qt.MouseButton.LeftButton)
    assert "e-mail" in form.errors["email"].text() and not kiosk.clinic.settings().named  # all or nothing
    form.email.clear()
    type_text(form.email, "contact@parc.fr")
    (tmp_path / "logo.svg").write_text(SVG, encoding="utf-8")
    assert form.logo.choose_file(tmp_path / "logo.svg")
    qtbot.keyClick(form.name, Qt.Key.Key_Return)

    stored = kiosk.clinic.settings()
    assert (stored.name, stored.address, stored.phone, stored.email, stored.timezone) == (
        "Clinique du Parc", "12 rue des Lilas\n75011 Paris", "+33 1 23 45 67 89", "contact@parc.fr", "Europe/Paris")
    assert kiosk.clinic.logo() is not None
    actors = {row[0] for row in kiosk.store.conn.execute(
        "SELECT actor FROM audit_log WHERE action = 'settings.update'")}
    assert actors == {consultant_actor(admin.id)}
    assert window.stack.currentWidget() is window.patients_page and window.sign_in.consultant.id == admin.id
    assert page.clinic_label.text() == "Clinique du Parc"
    assert window.windowTitle().endswith("— Clinique du Parc")
    assert not window.patients_page.clinic_unnamed.isVisible()
    window.screen_lock.lock()  # next lock: the tiles, no more set-up
    assert not page.is_setup() and not page.is_clinic_setup()


def test_a_clinic_named_already_is_not_asked_again(kiosk, build, qtbot, type_text):
    kiosk.clinic.update({"name": "Clinique du Parc"}, "cli")
    window = build(kiosk)
    create_first_admin(qtbot, window, type_text)
    assert window.stack.currentWidget() is window.patients_page


def test_hostile_clinic_details_are_named_and_the_kiosk_stays_locked(kiosk, build, qtbot, type_text, tmp_path):
    window = build(kiosk)
    create_first_admin(qtbot, window, type_text)
    panel = window.lock_page.clinic_panel
    type_text(panel.form.name, "Clinic\u200b")
    type_text(panel.form.phone, "📞📞📞")
    (tmp_path / "notes.png").write_text("not a picture", encoding="utf-8")
    assert not panel.form.logo.choose_file(tmp_path / "notes.png")
    assert panel.form.logo.error.isVisible()
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert "invisible" in panel.form.errors["name"].text()
    assert panel.form.errors["phone"].isVisible()
    assert window.sign_in.consultant is None and not kiosk.clinic.settings().named
    panel.form.name.clear()
    panel.form.phone.clear()
    type_text(panel.form.name, "Клиника «Парк» 诊所 عيادة 🙂")
    assert panel.form.logo.choose_file(png_file(tmp_path / "logo.png"))
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert kiosk.clinic.settings().name == "Клиника «Парк» 诊所 عيادة 🙂"
    assert window.stack.currentWidget() is window.patients_page


def test_an_installation_without_a_clinic_name_asks_its_admin_after_sign_in(kiosk, build, qtbot):
    """An admin who set up before the clinic card existed: the patient list asks to name it."""
    admin = kiosk.accounts.create_first_admin("Dr Amélie Laurent", COUNTERSIGN_PIN)
    sam = kiosk.accounts.add_consultant(admin.id, COUNTERSIGN_PIN, "Sam Okafor", "739154")
    window = build(kiosk)
    assert not window.lock_page.is_clinic_setup()  # the tiles: someone signs in first
    qtbot.mouseClick(tile_for(window, "Sam Okafor"), Qt.MouseButton.LeftButton)
    type_pin(qtbot, window.lock_page.pin_entry, "739154")
    assert window.sign_in.consultant.id == sam.id
    assert not window.patients_page.clinic_unnamed.isVisible()  # a consultant cannot name it
    window.screen_lock.lock()
    qtbot.mouseClick(tile_for(window, "Dr Amélie Laurent"), Qt.MouseButton.LeftButton)
    type_pin(qtbot, window.lock_page.pin_entry, COUNTERSIGN_PIN)
    patients = window.patients_page
    assert patients.clinic_unnamed.isVisible()
    qtbot.mouseClick(patients.clinic_setup_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.clinic_page and window.clinic_page.unnamed.isVisible()


@pytest.mark.screens
def test_the_clinic_card_renders_in_both_orientations(kiosk, build, qtbot, type_text, shots, tmp_path):
    window = build(kiosk)
    create_first_admin(qtbot, window, type_text)
    form = window.lock_page.clinic_panel.form
    for width, height in ((1280, 800), (800, 1280)):
        window.resize(width, height)
        qtbot.wait(20)
        window.grab().save(str(shots / f"first-run-clinic-{width}x{height}.png"))
        assert window.lock_page.clinic_panel.save_button.isVisibleTo(window)
    type_text(form.email, "nobody")
    (tmp_path / "logo.svg").write_text(SVG, encoding="utf-8")
    form.logo.choose_file(tmp_path / "logo.svg")
    qtbot.mouseClick(window.lock_page.clinic_panel.save_button, Qt.MouseButton.LeftButton)
    for width, height in ((1280, 800), (800, 1280)):
        window.resize(width, height)
        qtbot.wait(20)
        window.grab().save(str(shots / f"first-run-clinic-errors-{width}x{height}.png"))
