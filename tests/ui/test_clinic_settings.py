"""The Clinic settings page (admins only): the clinic's identity and policies, saved with the admin's PIN."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QWidget

from meso_kiosk.ui.pages.clinic_settings import ClinicSettingsPage
from tests.conftest import COUNTERSIGN_PIN
from tests.ui.conftest import account_page_alone, signed_in_consultant
from tests.ui.test_lock_screen import type_pin

SAM_PIN = "739154"
# Typing in the time zone field pops its search list up, a window of its own, which the
# offscreen platform (no window manager) cannot raise nor give the keyboard to.
POPUP_WARNINGS = pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")


def settings_page(qtbot, qapp, kiosk, account) -> ClinicSettingsPage:
    """The page alone, opened by ``account``."""
    protocols = kiosk.clinic_data.protocols()
    return account_page_alone(qtbot, qapp, lambda accounts, sign_in: ClinicSettingsPage(
        kiosk.clinic, accounts, sign_in, protocols), kiosk, account)


@pytest.fixture
def admin(kiosk):
    return signed_in_consultant(kiosk)


@pytest.fixture
def page(qtbot, qapp, kiosk, admin):
    return settings_page(qtbot, qapp, kiosk, admin)


def audited(kiosk) -> list[str]:
    return [row[0] for row in kiosk.store.conn.execute(
        "SELECT entity_id FROM audit_log WHERE action = 'settings.update' ORDER BY id")]


def save(qtbot, page, pin=COUNTERSIGN_PIN) -> None:
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    if page.views.currentWidget() is page.confirm_view:
        type_pin(qtbot, page.confirm_pin, pin)


def png_file(path, size=(200, 100)):
    image = QImage(*size, QImage.Format.Format_ARGB32)
    image.fill(QColor("#1D5FA8"))
    image.save(str(path), "PNG")
    return path


SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" viewBox="0 0 120 60">'
       '<rect x="4" y="4" width="112" height="52" rx="10" fill="#1D5FA8"/>'
       '<circle cx="30" cy="30" r="14" fill="white"/></svg>')


# ------------------------------------------------------------------ loading and saving


def test_the_page_shows_what_is_stored(kiosk, qtbot, qapp, admin):
    first = next(iter(kiosk.clinic_data.protocols()))
    kiosk.clinic.update({"name": "Clinique du Parc", "address": "12 rue des Lilas\n75011 Paris",
                         "phone": "+33 1 23 45 67 89", "email": "contact@parc.fr", "timezone": "Europe/Paris",
                         "currency": "EUR", "prices": {first: "95"}, "cooling_off_hours": "0",
                         "minimum_age": "16", "treats_minors": True, "reconsent_on_new_text": False}, "test")
    page = settings_page(qtbot, qapp, kiosk, admin)
    form, policies = page.identity, page.policies
    assert form.name.text() == "Clinique du Parc"
    assert form.address.toPlainText() == "12 rue des Lilas\n75011 Paris"
    assert (form.phone.text(), form.email.text(), form.timezone.zone()) == (
        "+33 1 23 45 67 89", "contact@parc.fr", "Europe/Paris")
    assert policies.currency.text() == "EUR" and policies.prices[first].text() == "95.00"
    assert (policies.cooling_off_hours.value(), policies.minimum_age.value()) == (0, 16)
    assert policies.treats_minors.value() and not policies.reconsent_on_new_text.value()
    assert page.unnamed.isHidden()
    for protocol_id, protocol in kiosk.clinic_data.protocols().items():
        assert policies.prices[protocol_id].accessibleName() == f"Price per session: {protocol.label}"


def test_an_unnamed_clinic_is_asked_for_its_name(page):
    assert not page.unnamed.isHidden() and "set the clinic's name" in page.unnamed.text()
    assert page.identity.name.text() == ""  # the default name is not the clinic's


def test_every_field_is_saved_with_the_admin_pin_and_audited(kiosk, page, qtbot, type_text, admin):
    protocols = list(kiosk.clinic_data.protocols())
    form, policies = page.identity, page.policies
    type_text(form.name, "Clinique du Parc — 诊所 عيادة")
    type_text(form.address, "12 rue des Lilas\n75011 Paris")
    type_text(form.phone, "+33 1 23 45 67 89")
    type_text(form.email, "contact@parc.fr")
    form.timezone.set_zone("Europe/Paris")
    type_text(policies.currency, "eur")
    type_text(policies.prices[protocols[0]], "95,5")
    policies.cooling_off_hours.setValue(0)
    policies.minimum_age.setValue(21)
    qtbot.mouseClick(policies.treats_minors.yes, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(policies.reconsent_on_new_text.no, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.views.currentWidget() is page.confirm_view and audited(kiosk) == []  # nothing before the PIN
    type_pin(qtbot, page.confirm_pin, COUNTERSIGN_PIN)

    stored = kiosk.clinic.settings()
    assert (stored.name, stored.address, stored.phone, stored.email, stored.timezone) == (
        "Clinique du Parc — 诊所 عيادة", "12 rue des Lilas\n75011 Paris", "+33 1 23 45 67 89", "contact@parc.fr",
        "Europe/Paris")
    assert stored.currency == "EUR" and stored.prices == {protocols[0]: Decimal("95.50")}
    assert (stored.cooling_off_hours, stored.minimum_age, stored.treats_minors, stored.reconsent_on_new_text) == (
        0, 21, True, False)
    assert set(audited(kiosk)) == {"clinic.name", "clinic.address", "clinic.phone", "clinic.email",
                                   "clinic.timezone", "policy.currency", "policy.prices",
                                   "policy.cooling_off_hours", "policy.minimum_age", "policy.treats_minors",
                                   "policy.reconsent_on_new_text"}
    actors = {row[0] for row in kiosk.store.conn.execute(
        "SELECT actor FROM audit_log WHERE action = 'settings.update'")}
    assert actors == {f"consultant:{admin.id}"}
    # the confirmation is where the admin looks: by the Save button, on screen
    assert page.views.currentWidget() is page.body_view
    assert page.notice.isVisible() and page.notice.text().startswith("✓ Saved: name, address")
    assert page.unnamed.isHidden()
    assert str(kiosk.clock.tz) == "Europe/Paris"  # the clock moved at once

    qtbot.mouseClick(page.policies.prices[protocols[0]], Qt.MouseButton.LeftButton)
    page.policies.prices[protocols[0]].clear()  # an emptied price is cleared, never 0
    save(qtbot, page)
    assert kiosk.clinic.settings().prices == {} and "prices" in page.notice.text()
    save(qtbot, page)
    assert page.notice.text() == "✓ Nothing had changed."


def test_a_wrong_pin_stores_nothing(kiosk, page, qtbot, type_text):
    type_text(page.identity.name, "Clinique du Parc")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    type_pin(qtbot, page.confirm_pin, "918273")
    assert page.views.currentWidget() is page.confirm_view
    assert page.confirm_pin.error.isVisible() and page.confirm_pin.error.text()
    assert not kiosk.clinic.settings().named and audited(kiosk) == []
    qtbot.mouseClick(page.cancel_confirm_button, Qt.MouseButton.LeftButton)
    assert page.views.currentWidget() is page.body_view
    assert page.identity.name.text() == "Clinique du Parc"  # what was typed is kept
    assert audited(kiosk) == []


@POPUP_WARNINGS
@pytest.mark.parametrize(("field", "typed", "key", "words"), [
    ("name", "", "name", "clinic's name"),
    ("name", "Clinic\u200b", "name", "invisible"),
    ("name", "x" * 200, "name", "too long"),
    ("phone", "'; DROP TABLE settings;--", "phone", "phone"),
    ("email", "not-an-email 🙂", "email", "e-mail"),
    ("currency", "€€€", "currency", "three-letter"),
    ("price", "-5", "price", "negative"),
    ("price", "1e9", "price", "number"),
    ("price", "100001", "price", "at most"),
    ("timezone", "Atlantis/Lost City", "timezone", "not a time zone"),
])
def test_hostile_values_are_named_next_to_their_field_and_nothing_is_stored(
        kiosk, page, qtbot, type_text, field, typed, key, words):
    protocol = next(iter(kiosk.clinic_data.protocols()))
    if field != "name":
        type_text(page.identity.name, "Clinique du Parc")
    if field == "price":
        type_text(page.policies.currency, "EUR")
        target, key = page.policies.prices[protocol], f"price.{protocol}"
        error = page.policies.errors[key]
    elif field == "currency":
        target, error = page.policies.currency, page.policies.errors["currency"]
        type_text(page.policies.prices[protocol], "95")
    elif field == "timezone":
        target, error = page.identity.timezone.lineEdit(), page.identity.errors["timezone"]
        target.clear()
    else:
        target, error = page.identity.fields[field], page.identity.errors[field]
    type_text(target, typed)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.views.currentWidget() is page.body_view  # no PIN asked for a value that cannot be stored
    assert error.isVisible() and words in error.text().lower(), error.text()
    assert target.hasFocus() or target.property("invalid")
    assert page.problems.isVisible()
    assert audited(kiosk) == [] and not kiosk.clinic.settings().named


def test_an_address_of_many_lines_is_refused(kiosk, page, qtbot, type_text):
    type_text(page.identity.name, "Clinique du Parc")
    page.identity.address.setPlainText("\n".join(f"line {n}" for n in range(9)))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "at most 6 lines" in page.identity.errors["address"].text()
    assert audited(kiosk) == []


def test_sql_looking_and_emoji_names_are_stored_as_typed(kiosk, page, qtbot, type_text):
    type_text(page.identity.name, "Robert'); DROP TABLE settings;-- 🙂")
    save(qtbot, page)
    assert kiosk.clinic.settings().name == "Robert'); DROP TABLE settings;-- 🙂"
    assert "clinic.name" in audited(kiosk)


# ------------------------------------------------------------------ who may open it


def test_a_consultant_who_is_no_admin_cannot_open_it(kiosk, qtbot, qapp, admin):
    sam = kiosk.accounts.add_consultant(admin.id, COUNTERSIGN_PIN, "Sam Okafor", SAM_PIN)
    protocols = kiosk.clinic_data.protocols()
    with pytest.raises(AssertionError):  # account_page_alone asserts start() agreed
        account_page_alone(qtbot, qapp, lambda accounts, sign_in: ClinicSettingsPage(
            kiosk.clinic, accounts, sign_in, protocols), kiosk, sam)


def test_the_button_shows_for_admins_only_and_a_rename_shows_at_once(kiosk, window, qtbot, type_text):
    patients = window.patients_page
    assert patients.clinic_button.isVisible()
    assert patients.clinic_unnamed.isVisible()  # an admin, and the clinic has no name yet
    qtbot.mouseClick(patients.clinic_button, Qt.MouseButton.LeftButton)
    page = window.clinic_page
    assert window.stack.currentWidget() is page
    type_text(page.identity.name, "Clinique du Parc")
    save(qtbot, page)
    # without a restart: the lock screen's header and the window's title
    assert window.lock_page.clinic_label.text() == "Clinique du Parc"
    assert window.windowTitle().endswith("— Clinique du Parc")
    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is patients and not patients.clinic_unnamed.isVisible()

    admin = window.sign_in.consultant
    sam = kiosk.accounts.add_consultant(admin.id, COUNTERSIGN_PIN, "Sam Okafor", SAM_PIN)
    window.screen_lock.lock()
    window.sign_in.sign_in(sam)
    assert not patients.clinic_button.isVisible()
    patients.clinic_settings_requested.emit()  # even if asked, a consultant does not get there
    assert window.stack.currentWidget() is not page


def test_the_page_is_not_shown_again_to_a_consultant_after_the_lock(kiosk, window, qtbot):
    qtbot.mouseClick(window.patients_page.clinic_button, Qt.MouseButton.LeftButton)
    admin = window.sign_in.consultant
    sam = kiosk.accounts.add_consultant(admin.id, COUNTERSIGN_PIN, "Sam Okafor", SAM_PIN)
    window.screen_lock.lock()
    window.sign_in.sign_in(sam)
    assert window.stack.currentWidget() is window.patients_page


# ------------------------------------------------------------------ time zone and logo


@POPUP_WARNINGS
def test_the_time_zone_search_finds_paris(page, kiosk, qtbot, type_text):
    zones = page.identity.timezone
    assert "Europe/Paris" in zones.matches("Paris")
    assert "America/New_York" in zones.matches("york")  # any part, any case
    type_text(page.identity.name, "Clinique du Parc")
    page.identity.timezone.lineEdit().clear()
    type_text(page.identity.timezone.lineEdit(), "paris")
    assert zones.zone() == "Europe/Paris"
    save(qtbot, page)
    assert kiosk.clinic.settings().timezone == "Europe/Paris"


def test_a_png_and_an_svg_logo_are_accepted_and_previewed(page, kiosk, qtbot, type_text, tmp_path):
    logo = page.identity.logo
    assert logo.preview.isHidden() and not logo.remove_button.isEnabled()
    assert logo.choose_file(png_file(tmp_path / "logo.png"))
    assert logo.preview.isVisible() and not logo.preview.pixmap().isNull()
    assert logo.preview.pixmap().width() == logo.printed_width_px()  # at its printed size (about 4 cm)
    (tmp_path / "logo.svg").write_text(SVG, encoding="utf-8")
    assert logo.choose_file(tmp_path / "logo.svg")
    picture = QImage.fromData(logo.png)
    assert (picture.width(), picture.height()) == (512, 256) and picture.hasAlphaChannel()
    type_text(page.identity.name, "Clinique du Parc")
    save(qtbot, page)
    stored = kiosk.clinic.logo()
    assert stored is not None and (stored.width, stored.height) == (512, 256)
    assert "clinic.logo" in audited(kiosk) and "logo" in page.notice.text()

    assert page.identity.logo.preview.isVisible()  # reloaded from the store
    qtbot.mouseClick(page.identity.logo.remove_button, Qt.MouseButton.LeftButton)
    save(qtbot, page)
    assert kiosk.clinic.logo() is None and kiosk.clinic.settings().logo is None


@pytest.mark.parametrize(("name", "content", "words"), [
    ("notes.png", b"this is a text file, not a picture", "not a picture"),
    ("broken.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><rect", "cannot be drawn"),
    ("empty.png", b"", "empty"),
])
def test_a_file_that_is_no_picture_is_refused_next_to_the_logo(page, kiosk, tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    logo = page.identity.logo
    assert not logo.choose_file(path)
    assert logo.error.isVisible() and words in logo.error.text()
    assert not logo.changed and logo.preview.isHidden()


def test_the_logo_button_opens_a_file_chooser(kiosk, qtbot, qapp, admin, tmp_path):
    from meso_kiosk.ui.widgets.clinic_form import LogoChooser

    chosen = png_file(tmp_path / "logo.png")
    chooser = LogoChooser(pick_file=lambda _parent: str(chosen))
    qtbot.addWidget(chooser)
    qtbot.mouseClick(chooser.choose_button, Qt.MouseButton.LeftButton)
    assert chooser.changed and chooser.png is not None
    cancelled = LogoChooser(pick_file=lambda _parent: "")
    qtbot.addWidget(cancelled)
    qtbot.mouseClick(cancelled.choose_button, Qt.MouseButton.LeftButton)
    assert not cancelled.changed


# ------------------------------------------------------------------ touch and looks


def test_every_control_is_named_and_touch_sized(page):
    for control in page.findChildren(QWidget):
        if not control.isVisibleTo(page) or not isinstance(control, (QAbstractButton, QLineEdit)):
            continue
        assert control.accessibleName(), type(control).__name__
        target = control.parentWidget() if isinstance(control.parentWidget(), (QComboBox, QAbstractSpinBox)) else control
        assert target.sizeHint().height() >= 44 or target.height() >= 44, control.accessibleName()


@pytest.mark.screens
def test_the_settings_page_renders_in_both_orientations(kiosk, page, qtbot, shots, type_text, tmp_path):
    (tmp_path / "logo.svg").write_text(SVG, encoding="utf-8")
    page.identity.logo.choose_file(tmp_path / "logo.svg")
    for width, height in ((1280, 800), (800, 1280)):
        page.resize(width, height)
        qtbot.wait(20)
        page.grab().save(str(shots / f"clinic-settings-{width}x{height}.png"))
        page.body_view.verticalScrollBar().setValue(page.body_view.verticalScrollBar().maximum())
        qtbot.wait(20)
        page.grab().save(str(shots / f"clinic-settings-end-{width}x{height}.png"))
        page.body_view.verticalScrollBar().setValue(0)
    type_text(page.policies.currency, "€€")
    type_text(page.identity.email, "nobody")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    for width, height in ((1280, 800), (800, 1280)):
        page.resize(width, height)
        qtbot.wait(20)
        page.grab().save(str(shots / f"clinic-settings-errors-{width}x{height}.png"))
    page.identity.email.clear()
    page.policies.currency.clear()
    type_text(page.identity.name, "Clinique du Parc")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    page.grab().save(str(shots / "clinic-settings-pin-800x1280.png"))
    type_pin(qtbot, page.confirm_pin, COUNTERSIGN_PIN)
    for width, height in ((1280, 800), (800, 1280)):
        page.resize(width, height)
        qtbot.wait(20)
        page.body_view.ensureWidgetVisible(page.notice)
        page.grab().save(str(shots / f"clinic-settings-saved-{width}x{height}.png"))
        assert page.notice.visibleRegion().boundingRect().height() > 0


@pytest.mark.screens
def test_the_patient_list_asks_an_admin_to_name_the_clinic(window, qtbot, shots):
    for width, height in ((1280, 800), (800, 1280)):
        window.resize(width, height)
        qtbot.wait(20)
        window.grab().save(str(shots / f"patients-clinic-unnamed-{width}x{height}.png"))
        patients = window.patients_page
        for control in (patients.clinic_button, patients.clinic_setup_button, patients.open_button):
            assert control.isVisible() and control.geometry().right() <= control.parentWidget().width()


def test_the_lock_screen_shows_the_clinic_s_logo_from_when_it_is_set(kiosk, window, qtbot, shots):
    """The header carries the app's icon until the clinic has a logo; a logo set (here wide, 4:1)
    shows at once, as high as the icon, and removing it brings the icon back."""
    import io

    from PIL import Image

    header = window.lock_page.opening.header
    icon_key = header.logo.pixmap().cacheKey()
    picture = io.BytesIO()
    Image.new("RGB", (400, 100), (30, 110, 100)).save(picture, format="PNG")
    kiosk.clinic.set_logo(picture.getvalue(), "test")
    assert header.logo.pixmap().cacheKey() != icon_key
    assert (header.logo.width(), header.logo.height()) == (176, 44)
    window.screen_lock.lock()
    window.grab().save(str(shots / "lock-with-clinic-logo-1280x800.png"))
    kiosk.clinic.set_logo(None, "test")
    assert header.logo.pixmap().cacheKey() == icon_key and header.logo.width() == 44
