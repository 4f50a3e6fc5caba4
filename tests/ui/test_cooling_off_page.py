"""The scalp-map step while a first session waits for the cooling-off period: the wait in words, and
"Start now anyway…" for an admin (a reason and their PIN, each refusal under its field)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from meso_kiosk.store.consultants import insert_consultant
from meso_kiosk.ui.pages.scalp_map import ScalpMapPage
from meso_kiosk.ui.theme import apply_theme
from tests.conftest import FIXED_NOW
from tests.consultation import COUNTERSIGN_PIN, complete_intake, sign

REASON = "Flew in from Lisbon for this visit; consent discussed by phone last month."


@pytest.fixture
def admin(kiosk):
    return kiosk.accounts.create_first_admin("Dr Amélie Laurent", COUNTERSIGN_PIN)


@pytest.fixture
def claire(kiosk, register, admin):
    patient = register()
    complete_intake(kiosk, patient.id)  # screened: what holds the first session back is the wait
    sign(kiosk, patient.id, admin.id)  # now: the 24 h cooling-off has just begun
    return patient


def build(qtbot, qapp, kiosk, consultant, size=(1280, 800)) -> ScalpMapPage:
    apply_theme(qapp)
    page = ScalpMapPage(kiosk.sessions, kiosk.clock, lambda: f"consultant:{consultant.id}",
                        cooling_off=kiosk.consents.cooling_off, consultant=lambda: consultant)
    qtbot.addWidget(page)
    page.setMinimumSize(760, 560)
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_the_page_says_until_when_and_an_admin_starts_it_with_a_reason(qtbot, qapp, kiosk, claire, admin, shots,
                                                                     type_text):
    page = build(qtbot, qapp, kiosk, admin)
    page.show_patient(claire)
    qtbot.wait(300)
    panel = page.cooling_off_panel
    assert not page.start_button.isEnabled()
    assert "cooling-off period of 24 hours ends tomorrow at" in page.status.text()
    assert panel.isVisible() and panel.open_button.isVisible() and not panel.form.isVisible()
    page.grab().save(str(shots / "cooling_off_held_1280x800.png"))
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    assert panel.form.isVisible() and not panel.open_button.isVisible()
    for widget in (panel.open_button, panel.reason, panel.pin, panel.confirm_button, panel.cancel_button):
        assert widget.accessibleName()
    for widget in (panel.confirm_button, panel.cancel_button, panel.pin):
        assert widget.height() >= 44, widget.accessibleName()
    # No reason: the message under the reason, the PIN never tried.
    type_text(panel.pin, "000000")
    qtbot.mouseClick(panel.confirm_button, Qt.MouseButton.LeftButton)
    assert panel.reason_error.isVisible() and "reason" in panel.reason_error.text()
    assert kiosk.accounts.account(admin.id).failed_pin_count == 0
    # A reason and a wrong PIN: the message under the PIN.
    type_text(panel.reason, REASON)
    type_text(panel.pin, "000000")
    qtbot.mouseClick(panel.confirm_button, Qt.MouseButton.LeftButton)
    assert not panel.reason_error.isVisible() and panel.pin_error.isVisible()
    page.grab().save(str(shots / "cooling_off_waiver_refused_1280x800.png"))
    assert kiosk.consents.cooling_off.waiver(claire.id) is None
    # The right PIN: the waiver is kept and the session starts at once.
    type_text(panel.pin, COUNTERSIGN_PIN)
    qtbot.mouseClick(panel.confirm_button, Qt.MouseButton.LeftButton)
    waiver = kiosk.consents.cooling_off.waiver(claire.id)
    assert waiver is not None and waiver.reason == REASON and waiver.admin_id == admin.id
    assert page.draft.editing and not panel.isVisible()
    assert kiosk.sessions.draft(claire.id) is not None


def test_a_consultant_who_is_not_an_admin_reads_the_wait_only(qtbot, qapp, kiosk, claire, shots):
    with kiosk.store.write("test") as tx:
        nurse = insert_consultant(tx, "Sam Okafor")
    page = build(qtbot, qapp, kiosk, kiosk.accounts.account(nurse.id), size=(800, 1280))
    page.show_patient(claire)
    qtbot.wait(300)  # the portrait reflow settles
    assert "An admin can let it start earlier" in page.status.text()
    assert not page.cooling_off_panel.isVisible() and not page.start_button.isEnabled()
    page.grab().save(str(shots / "cooling_off_held_800x1280.png"))


def test_after_the_period_nothing_is_held(qtbot, qapp, kiosk, claire, admin):
    kiosk.clock.now = lambda: FIXED_NOW + timedelta(hours=24)
    page = build(qtbot, qapp, kiosk, admin)
    page.show_patient(claire)
    assert page.start_button.isEnabled() and not page.cooling_off_panel.isVisible()
