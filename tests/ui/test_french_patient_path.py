"""A French patient's whole path, in French: the hand-off they hold (language, identity, reading,
ticks, photo answer, signature, hand back), then the PDF and the calendar file they take home.

Every text the patient can see on the way is collected (labels, buttons, placeholders, the
signature pad's words and refusals) and any English in it fails the test, found by English
words that French never uses. It caught the issue's cases: the language picker's title, the
header's "Consultant" button, "Consultant: check and countersign", the calendar file and the
PDF's headings.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from icalendar import Calendar
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit, QWidget

from tests.conftest import COUNTERSIGN_PIN
from tests.course_helpers import add_closed_session
from tests.pdf_tools import page_texts
from tests.ui.test_consent_page import type_pin
from tests.ui.test_handoff import confirm_identity, enter_handoff, scroll_to_end, tick_everything

# English words that no French sentence holds ("date", "page", "plan", "zone", "question", "photos",
# "signatures", "document" and "maintenance" are French too, so they are not here).
ENGLISH = frozenset("""
the and your you please sign signed consultant tablet back continue choose language read tick ticked
yes no thank thanks give check countersign clear undo agree here first our with this that what when
which who will would should can could not are was were has have had from into about after before each
every only also must may treatment session sessions course visits tomorrow around results vary of by
born made summary status started progress price reached ahead meaning how role name birth age text
consent intake screening treated none observed wash hair scalp side effect effects
""".split())
# Names and codes the patient may meet that happen to be spelled like an English word.
WHITELIST = frozenset({"SHA-256", "PIN", "ok", "OK", "UTC"})
WORD = re.compile(r"[A-Za-zÀ-ÿ'’]+")


def english_in(text: str) -> list[str]:
    """The English words of ``text`` (its names and codes aside)."""
    for allowed in WHITELIST:
        text = text.replace(allowed, " ")
    return sorted({word for word in WORD.findall(text) if word.lower().strip("'’") in ENGLISH})


def visible_texts(root: QWidget) -> list[str]:
    """What a person sees in ``root``: every shown label's and button's text, field contents
    and placeholders."""
    texts = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root) or not widget.isVisible():
            continue
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        elif isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        elif isinstance(widget, QPlainTextEdit):
            texts += [widget.toPlainText(), widget.placeholderText()]
    return [text for text in texts if text and text.strip()]


def assert_french(where: str, texts: list[str]) -> None:
    found = {text: english_in(text) for text in texts if english_in(text)}
    assert not found, f"English on {where}: {found}"


def test_the_stop_words_find_english_and_leave_french_alone():
    assert english_in("Consultant: check and countersign") == ["Consultant", "and", "check", "countersign"]
    assert english_in("Choose your language") == ["Choose", "language", "your"]
    assert english_in("Page 1 of 3") == ["of"]
    assert english_in("Praticien : vérifier et contresigner") == []
    assert english_in("Choisissez votre langue · Séance 2 sur 12 · Date de naissance") == []


def test_a_french_patient_meets_no_english_from_the_tablet_to_the_calendar(qtbot, window, kiosk, register,
                                                                             type_text, tmp_path):
    claire = register("Claire", "Dubois", "1986-04-12", preferred_language="fr")
    page = enter_handoff(qtbot, window, claire)
    header = page.header_title.parentWidget()
    seen: list[str] = []

    def look(where: str) -> None:
        qtbot.wait(50)
        texts = visible_texts(page.stack.currentWidget()) + visible_texts(header)
        seen.extend(texts)
        assert_french(where, texts)

    assert page.current_panel() == page.LANGUAGE
    look("the language picker")
    assert page.language_buttons["fr"].text() == "Français" and page.language_buttons["en"].text() == "English"
    seen.remove("English")  # the one English word that belongs there: English, named in itself
    qtbot.mouseClick(page.language_buttons["fr"], Qt.MouseButton.LeftButton)
    look("the identity step")
    confirm_identity(qtbot, page, "Claire Dubois", "12/04/1986", type_text)
    assert page.current_panel() == page.READ
    look("the text, before reading it")
    bar = page.read.scroll.verticalScrollBar()
    for value in range(0, bar.maximum() + 1, max(1, bar.pageStep())):  # the whole text, screen by screen
        bar.setValue(value)
        look("the consent text")
    scroll_to_end(page)
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)  # not every tick: refused
    look("the text with its ticks missing")
    tick_everything(qtbot, page, photos="yes")
    look("the text, all ticked")
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.SIGN
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)  # nothing drawn: refused, in French
    look("the signature refused")
    canvas = page.pad.canvas
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=canvas.rect().center())
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=canvas.rect().center())
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)  # a dot: too small
    look("the signature too small")
    from tests.ui.test_handoff import draw_signature

    page.pad.clear()
    draw_signature(qtbot, canvas)
    look("the signature")
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    assert page.current_panel() == page.HAND_BACK
    look("hand back")
    assert "Praticien" in page.consultant_button.text()
    qtbot.mouseClick(page.hand_back_button, Qt.MouseButton.LeftButton)  # the consultant's panels: English
    type_pin(qtbot, page.countersign.pin, COUNTERSIGN_PIN)
    assert page.current_panel() == page.DONE
    record = kiosk.consents.current(claire.id)
    assert record.language == "fr"
    assert len(seen) > 40  # the walk looked at the screens, not at nothing

    # what Claire takes home: the calendar file of her course
    kiosk.course.start_course(claire.id, start="2026-11-04", protocol_id="severe", reason="Vu ce jour.",
                              actor="consultant:test")
    session = add_closed_session(kiosk, claire.id, date(2026, 11, 4), status="open")
    with kiosk.store.write("test") as tx:  # the helper's bare row names no consultant; a real one does
        tx.execute("UPDATE treatment_sessions SET consultant_id = ?, status = 'closed', closed_at = started_at"
                   " WHERE id = ?", (record.countersignature.consultant_id, session))
        tx.audit("session.close", "session", session)
    ics = tmp_path / "plan.ics"
    kiosk.course.export_ics(claire.id, ics, actor="consultant:test")
    calendar = Calendar.from_ical(ics.read_bytes())
    texts = [str(calendar["x-wr-calname"])]
    for event in calendar.walk("VEVENT"):
        texts += [str(event["summary"]), str(event["description"])]
        texts += [str(alarm["description"]) for alarm in event.walk("VALARM")]
    assert_french("the calendar file", texts)

    # and the summary PDF; the clinic's own records stay as the clinic wrote them: the scalp zones'
    # names and compass (scalp/zones.json) and the consultants' names
    pdf = kiosk.export.render(kiosk.export.build_summary(claire.id))
    geometry = kiosk.sessions.geometry
    recorded = sorted({zone.label for zone in geometry.zones} | {cue.text for cue in geometry.labels}
                      | set(kiosk.sessions.consultant_names().values()), key=len, reverse=True)
    pages = []
    for page in page_texts(pdf):
        page = " ".join(page.split())  # a name a narrow column wrapped reads whole again
        for words in recorded:
            page = page.replace(words, " ")
        pages.append(page)
    assert_french("the summary PDF", pages)
    assert "Chute importante : 12 séances" in " ".join(pages)


@pytest.mark.screens
@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)])
def test_render_the_french_patient_screens(qtbot, window, register, type_text, shots, size):
    claire = register("Claire", "Dubois", "1986-04-12", preferred_language="fr")
    window.resize(*size)
    page = enter_handoff(qtbot, window, claire)
    tag = f"{size[0]}x{size[1]}"

    def shot(name: str) -> None:
        qtbot.wait(250)  # wrapped text settles over a few layout passes
        assert window.grab().save(str(shots / f"handoff_fr_{name}_{tag}.png"))

    shot("1_language")
    qtbot.mouseClick(page.language_buttons["fr"], Qt.MouseButton.LeftButton)
    shot("2_identity")
    confirm_identity(qtbot, page, "Claire Dubois", "12/04/1986", type_text)
    scroll_to_end(page)
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)
    shot("3_read_refused")
    tick_everything(qtbot, page, photos="yes")
    qtbot.mouseClick(page.read.continue_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    shot("4_sign_refused")
    from tests.ui.test_handoff import sign_like_a_person

    sign_like_a_person(page.pad.canvas)
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    shot("5_hand_back")
