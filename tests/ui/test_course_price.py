"""The clinic's price on the Course step: shown for the protocol on screen, read afresh at each
refresh, and nothing at all (no 0, no empty line) when the clinic set none."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from meso_kiosk.ui.pages.course import CoursePage
from meso_kiosk.ui.theme import apply_theme

ACTOR = "consultant:test"
MODERATE_PRICE = "Price: 95.00 EUR per session · 760.00 EUR for the 8 sessions of this course"


def _settle(qtbot) -> None:
    QApplication.processEvents()
    qtbot.wait(20)


@pytest.fixture
def page(qtbot, qapp, kiosk) -> CoursePage:
    """The Course step alone, on a landscape tablet."""
    apply_theme(qapp)
    built = CoursePage(kiosk.course, kiosk.clock, kiosk.paths.exports, lambda: ACTOR)
    qtbot.addWidget(built)
    built.setMinimumSize(640, 480)
    built.resize(1280, 800)
    built.show()
    qtbot.waitExposed(built)
    return built


@pytest.fixture
def moderate_patient(kiosk, register):
    """A patient whose stored course follows the moderate protocol (8 sessions)."""
    patient = register("Marcus", "Whitfield", "1979-09-30", sex_at_birth="male")
    kiosk.course.start_course(patient.id, start="2026-10-12", protocol_id="moderate",
                              reason="Shedding has been heavy since the summer.", actor=ACTOR)
    return patient


def _shown(page, patient, qtbot) -> CoursePage:
    page.show_patient(patient)
    _settle(qtbot)
    return page


def _all_words(page) -> str:
    return "\n".join(found.text() for found in page.findChildren(QLabel))


@pytest.mark.parametrize("changes", [
    {},                                                    # a new clinic: nothing set
    {"currency": "EUR"},                                   # a currency, no price
    {"currency": "EUR", "prices": {"severe": "120"}},      # only another protocol's price
])
def test_no_price_shows_nothing_at_all(page, kiosk, moderate_patient, qtbot, changes):
    if changes:
        kiosk.clinic.update(changes, "test")
    _shown(page, moderate_patient, qtbot)
    words = _all_words(page)
    assert "EUR" not in words and "0.00" not in words and "Price" not in words
    assert page.price.isHidden()  # takes no room


def test_the_price_of_the_protocol_shown_with_the_course_total(page, kiosk, moderate_patient, qtbot):
    kiosk.clinic.update({"currency": "EUR", "prices": {"moderate": "95", "severe": "120"}}, "test")
    _shown(page, moderate_patient, qtbot)
    assert page.price.isVisible()
    assert page.price.text() == MODERATE_PRICE
    assert _all_words(page).count("EUR") == 2  # once per session, once for the course: nowhere else


def test_a_price_changed_meanwhile_shows_at_the_next_refresh(page, kiosk, moderate_patient, qtbot):
    _shown(page, moderate_patient, qtbot)
    assert page.price.isHidden()
    kiosk.clinic.update({"currency": "EUR", "prices": {"moderate": "95"}}, "test")
    page.refresh()
    assert page.price.isVisible() and page.price.text() == MODERATE_PRICE
    kiosk.clinic.update({"currency": "GBP", "prices": {"moderate": "80.5"}}, "test")
    page.refresh()
    assert page.price.text() == "Price: 80.50 GBP per session · 644.00 GBP for the 8 sessions of this course"
    kiosk.clinic.update({"prices": {"moderate": ""}}, "test")  # the admin clears it
    page.refresh()
    assert page.price.isHidden() and "GBP" not in _all_words(page)


def test_a_refresh_while_a_reason_is_typed_still_updates_the_price(page, kiosk, moderate_patient, qtbot, type_text):
    _shown(page, moderate_patient, qtbot)
    page.protocol.setCurrentIndex(page.protocol.findData("severe"))  # not the suggestion: a reason waits
    page.reason.clear()
    type_text(page.reason, "Patient prefers a longer course")
    kiosk.clinic.update({"currency": "EUR", "prices": {"moderate": "95"}}, "test")
    page.refresh()
    assert page.reason.text() == "Patient prefers a longer course"  # kept
    assert page.price.text() == MODERATE_PRICE


def test_a_proposal_shows_the_price_of_the_protocol_chosen(page, kiosk, register, qtbot):
    """Before a course is stored, choosing another protocol previews its plan and its price."""
    kiosk.clinic.update({"currency": "EUR", "prices": {"severe": "99999.99"}}, "test")
    patient = register("Zoë", "Ngũgĩ", "1990-02-03")
    _shown(page, patient, qtbot)
    assert page.shown_course.protocol.id == "mild" and page.price.isHidden()
    page.protocol.setCurrentIndex(page.protocol.findData("severe"))
    _settle(qtbot)
    assert page.price.text() == ("Price: 99,999.99 EUR per session · 1,199,999.88 EUR "
                                 "for the 12 sessions of this course")
    for width, height in ((1280, 800), (800, 1280)):
        page.resize(width, height)
        _settle(qtbot)
        assert page.price.width() <= page.price.parentWidget().width()  # wraps, never cut
        assert page.price.heightForWidth(page.price.width()) <= page.price.height()


@pytest.mark.screens
def test_course_page_with_a_price_renders_in_both_orientations(page, kiosk, moderate_patient, qtbot, shots):
    kiosk.clinic.update({"currency": "EUR", "prices": {"moderate": "1250"}}, "test")
    _shown(page, moderate_patient, qtbot)
    for width, height in ((1280, 800), (800, 1280)):
        page.resize(width, height)
        _settle(qtbot)
        page.grab().save(str(shots / f"course-price-{width}x{height}.png"))
        assert page.price.isVisible()
