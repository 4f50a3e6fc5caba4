"""The screen audit finds what it is meant to find: each check meets a screen built to fail it
(and a screen built right passes), so its zero findings on the real screens mean something."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QScrollArea, QVBoxLayout, QWidget

from meso_kiosk.ui.theme import apply_theme
from meso_kiosk.ui.widgets.basics import button, label
from tests.ui.screen_audit import access_findings, contrast_ratio, fit_findings


@pytest.fixture
def screen(qtbot, qapp):
    """A 600x400 window in the theme; add widgets to ``screen.column``, then ``screen.shown()``."""
    apply_theme(qapp)
    window = QWidget()
    window.setObjectName("page")
    window.setMinimumSize(600, 400)  # a top level's own minimum (the offscreen plugin warns otherwise)
    window.column = QVBoxLayout(window)
    qtbot.addWidget(window)

    def shown():
        window.resize(600, 400)
        window.show()
        qtbot.waitExposed(window)
        return window

    window.shown = shown
    return window


def kinds(findings) -> list[tuple[str, str]]:
    return [(finding.kind, finding.widget) for finding in findings]


def test_a_screen_built_right_has_no_findings(screen):
    screen.column.addWidget(label("Patients", "heading"))
    screen.column.addWidget(label("A long sentence that wraps over several lines in a narrow window. " * 3))
    field = QLineEdit()
    field.setAccessibleName("Search")
    screen.column.addWidget(field)
    screen.column.addWidget(button("Open", "Open the patient", primary=True))
    window = screen.shown()
    assert fit_findings(window) == [] and access_findings(window) == []


def test_cut_text_of_a_label_and_a_button_is_found(screen):
    squeezed = label("A label that never wraps and is far too long for its place", wrap=False)
    squeezed.setFixedWidth(200)
    short = button("Hand the tablet to the patient", "Hand over")
    short.setFixedWidth(120)
    screen.column.addWidget(squeezed)
    screen.column.addWidget(short)
    found = fit_findings(screen.shown())
    assert [kind for kind, _ in kinds(found)] == ["cut", "cut"]
    assert "needs" in found[0].detail and "given 200x" in found[0].detail


def test_a_control_a_scroll_viewport_cuts_sideways_is_found(screen):
    body = QWidget()
    wide = QLineEdit()
    wide.setAccessibleName("A field wider than the page")
    wide.setMinimumWidth(900)  # as a row of side effects two abreast at the largest text
    QVBoxLayout(body).addWidget(wide)
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(body)
    screen.column.addWidget(area)
    found = fit_findings(screen.shown())
    assert any(f.kind == "cut" and "sideways" in f.detail and "wider than the page" in f.widget for f in found)


def test_unnamed_small_and_unreachable_controls_are_found(screen):
    nameless = QPushButton()
    nameless.setMinimumSize(48, 48)
    tiny = button("x", "Close")
    tiny.setStyleSheet("min-width: 0; min-height: 0; padding: 0;")  # as a text link or an icon
    tiny.setFixedSize(30, 30)
    no_tab = button("Skip", "Skip this")
    no_tab.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    for widget in (nameless, tiny, no_tab):
        screen.column.addWidget(widget)
    found = kinds(access_findings(screen.shown()))
    assert ("name", "QPushButton (unnamed)") in found
    assert ("target", "QPushButton Close / x") in found
    assert ("tab", "QPushButton Skip this / Skip") in found


@pytest.mark.parametrize("grey, px, bold, found", [
    ("#949494", 19, False, True),   # 3.0:1: too faint for body text
    ("#949494", 24, False, False),  # large text needs 3:1 only
    ("#949494", 19, True, False),   # >= 18.66 px bold is large too
    ("#767676", 16, False, False),  # 4.5:1
])
def test_text_contrast_is_measured_on_what_is_painted(screen, grey, px, bold, found):
    words = QLabel("Some words to read")
    words.setStyleSheet(f"color: {grey}; background: white; font-size: {px}px; "
                        f"font-weight: {700 if bold else 400};")
    screen.column.addWidget(words)
    findings = [f for f in access_findings(screen.shown()) if f.kind == "contrast"]
    assert bool(findings) is found, findings


def test_contrast_ratio_is_wcag_s():
    from PySide6.QtGui import QColor

    assert contrast_ratio(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert contrast_ratio(QColor("#767676"), QColor("white")) == pytest.approx(4.54, abs=0.01)
