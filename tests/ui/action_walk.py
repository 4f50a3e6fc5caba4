"""One whole consultation driven through the real window, tap by tap: shared by the smoke
test (``tests/ui/test_action_walk.py``) and the benchmark (``benchmarks/actions.py``).

Every person-sized action goes in as a synthetic input event on the real widget (``QTest``
mouse clicks, key clicks, mouse moves; text outside ASCII as an input-method commit, as an
on-screen keyboard delivers it), through ``Actions.act``, which then runs the event loop
until the action's result is on screen (see ``Actions.settle``). The smoke test asserts
each action's result; the benchmark times each one.

The walk, for one patient (``walk``): the lock screen's tile and PIN digits, OK (sign-in to
the patient list); the patient's name typed into the search, their row tapped, Open; each
step of the workspace; intake answers (taps, and a number typed then left, which saves it; the
other answers came from reception, ``answered_before_the_visit``), marked complete;
the hand-off (language, identity, ticks, photo answer, a drawn signature, sign, hand back,
the countersigning PIN, back to the consultation); the scalp map (start a session, tap
zones, fill a zone, add a product, close and confirm); the summary (its preview) and the
export; Lock.

Cooling-off: the consent is signed in the walk and the session is started right after it,
so the clinic's time to think before a first session is set to 0 h for the walk's
installation (``prepare_clinic``): a throw-away copy of the data, never a clinic's own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from meso_kiosk.domain.polygon import interior_point

LEFT = Qt.MouseButton.LeftButton
WALK_ZONES = ("vertex", "mid_scalp", "frontal_hairline")
NO_ANSWERS = ("medical.bleeding_disorder", "medical.scalp_infection", "medical.keloid_tendency",
              "medical.diabetes", "medical.fainting")


class _Painted(QObject):
    """Counts the window's repaints: the widget repaint manager delivers an UpdateRequest to
    the top-level window and, while handling it, paints every dirty widget and flushes the
    window's backing store. So once an UpdateRequest has reached the window and the call
    that delivered it has returned, that frame is painted."""

    def __init__(self, window: QWidget):
        super().__init__()
        self.count = 0
        self._window = window
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self._window and event.type() in (QEvent.Type.UpdateRequest, QEvent.Type.Paint):
            self.count += 1
        return False


@dataclass
class Actions:
    """Runs the walk's actions; with ``timed``, keeps each one's time (``samples``)."""

    window: QWidget
    timed: bool = False
    samples: dict[str, list[float]] = field(default_factory=dict)
    deadline_s: float = 10.0

    def __post_init__(self) -> None:
        self._painted = _Painted(self.window)
        # The window active, as the tablet's only window is: else leaving a field by Tab
        # moves no focus, and what leaving does (saving at once) never happens.
        self.window.activateWindow()
        assert QTest.qWaitForWindowActive(self.window), "the window could not be activated"

    def settle(self, done: Callable[[], bool] | None = None, name: str = "") -> float | None:
        """Run the event loop until the action's result is painted and nothing more is asked.

        "End of paint", as measured: events are processed (``processEvents``) pass after pass;
        the moment after the last pass in which the window was repainted is the end, once
        ``done()`` holds (when given: e.g. a preview made on a worker thread has arrived) and
        two passes in a row then find nothing to repaint (the event loop idle for the window:
        zero-time timers and posted events that ask for another paint are inside the figure).
        Returns that moment (``perf_counter``), or None when nothing was repainted.
        """
        end, quiet, started = None, 0, time.perf_counter()
        while True:
            before = self._painted.count
            QApplication.sendPostedEvents()
            QApplication.processEvents()
            if self._painted.count != before:
                end, quiet = time.perf_counter(), 0
                continue
            if done is not None and not done():
                if time.perf_counter() - started > self.deadline_s:
                    raise TimeoutError(f"{name}: the result did not come ({self.describe()})")
                time.sleep(0.0005)  # a worker thread is busy: let it run
                continue
            quiet += 1
            if quiet >= 2:
                return end

    def describe(self) -> str:
        """Where the window stands (for a failure's message)."""
        window = self.window
        shown = window.stack.currentWidget()
        inner = getattr(getattr(window, "workspace", None), "stack", None)
        errors = [w.text() for w in shown.findChildren(QLabel) if w.isVisible()
                  and (w.property("role") or "").startswith(("banner-error", "error"))]
        return f"window shows {type(shown).__name__}" + (
            f", workspace shows {type(inner.currentWidget()).__name__}" if shown is window.workspace else "") + (
            f", errors shown: {errors}" if errors else "")

    def act(self, name: str, event: Callable[[], object], done: Callable[[], bool] | None = None) -> None:
        """Send ``event`` (a person's input), then ``settle``; ``done`` must hold at the end."""
        self.settle()  # nothing of the previous action is left to paint
        t0 = time.perf_counter()
        event()
        end = self.settle(done, name)
        if done is not None:
            assert done(), f"{name}: the result did not show"
        # A widget shown as a window of its own (a label shown before it had a parent) takes
        # the focus: on the tablet the idle lock then locks the kiosk.
        assert self.window.isActiveWindow(), f"{name}: the kiosk's window lost the focus"
        if self.timed:
            self.samples.setdefault(name, []).append((end or time.perf_counter()) - t0)

    # ------------------------------------------------------------------ input, as a person gives it

    def tap(self, name: str, widget: QWidget, done: Callable[[], bool] | None = None, *,
            pos: QPoint | None = None) -> None:
        assert widget.isVisible() and widget.isEnabled(), f"{name}: {widget.accessibleName()!r} cannot be tapped"
        self.act(name, lambda: QTest.mouseClick(widget, LEFT, Qt.KeyboardModifier.NoModifier,
                                                pos if pos is not None else QPoint()), done)

    def type(self, name: str, widget: QWidget, text: str) -> None:
        """Each character a keystroke of its own (``name`` per key), over what the field held
        (a form may offer the last session's values)."""
        widget.setFocus()
        if hasattr(widget, "selectAll"):
            widget.selectAll()
        elif hasattr(widget, "lineEdit") and widget.lineEdit() is not None:
            widget.lineEdit().selectAll()
        for char in text:
            if char.isascii() and char.isprintable():
                self.act(name, lambda c=char: QTest.keyClicks(widget, c))
            else:
                def commit(c=char):
                    event = QInputMethodEvent("", [])
                    event.setCommitString(c)
                    QApplication.sendEvent(widget, event)
                self.act(name, commit)

    def key(self, name: str, widget: QWidget, key: Qt.Key, done: Callable[[], bool] | None = None) -> None:
        self.act(name, lambda: QTest.keyClick(widget, key), done)

    def pin(self, name: str, entry, pin: str, done: Callable[[], bool]) -> None:
        for digit in pin:
            self.tap("PIN digit", entry.digit_keys[digit])
        self.tap(name, entry.ok_key, done)


@dataclass(frozen=True)
class WalkPatient:
    id: int
    given: str
    family: str
    born: str  # dd/mm/yyyy, as the patient types it


def prepare_clinic(kiosk) -> None:
    """The walk's installation: no time to think before a first session (see the docstring)."""
    kiosk.clinic.update({"cooling_off_hours": 0}, "walk")


def walk_patients(kiosk, count: int, seed: int = 7) -> list[WalkPatient]:
    """``count`` new patients (no intake, no consent, no open session), names in ASCII letters (typed
    by key clicks; the search also meets other scripts in the search benchmark), spread over
    the whole list."""
    rows = kiosk.store.conn.execute(
        "SELECT p.id, p.given_name, p.family_name, p.date_of_birth FROM patients p"
        " WHERE NOT EXISTS (SELECT 1 FROM consents c WHERE c.patient_id = p.id)"
        " AND NOT EXISTS (SELECT 1 FROM intakes i WHERE i.patient_id = p.id)"
        " AND NOT EXISTS (SELECT 1 FROM treatment_sessions s WHERE s.patient_id = p.id AND s.status = 'open')"
        " ORDER BY (p.id * 2654435761 + ?) % 1000003", (seed,)).fetchall()
    chosen = []
    for pid, given, family, born in rows:
        if not (given + family).replace(" ", "").replace("-", "").replace("'", "").isascii():
            continue
        if not (given + family).replace(" ", "").replace("-", "").replace("'", "").isalpha():
            continue
        year, month, day = born.split("-")
        chosen.append(WalkPatient(pid, given, family, f"{day}/{month}/{year}"))
        if len(chosen) == count:
            break
    return chosen


def _zone_point(view, zone_id: str) -> QPoint:
    x, y = interior_point(view.geometry_model.zone(zone_id).polygon)
    return view.mapFromScene(QPointF(x, y))


def preview_ready(summary) -> bool:
    """The summary's preview of what is recorded now: its pages shown, no typesetting under way."""
    return (bool(summary.page_labels) and "as they will be exported" in summary.preview_status.text()
            and summary.wait_for_preview(0))


def answered_before_the_visit(kiosk, patient_id: int) -> None:
    """The intake's other answers, from the form the patient filled in at reception (through the
    service, untimed): the walk taps the rest (``NO_ANSWERS``, the duration) and marks it complete."""
    from tests.consultation import CLEAR_INTAKE

    for path, value in CLEAR_INTAKE.items():
        if path not in NO_ANSWERS and path != "complaint.duration_months":
            kiosk.intake.save_answer(patient_id, path, value, "reception")


def _answer(kiosk, patient_id: int, path: str) -> object:
    """The stored answer (the intake as in the database, not as on screen)."""
    intake = kiosk.intake.latest_intake(patient_id)
    return None if intake is None else intake.answer(path)


def walk(actions: Actions, window, kiosk, consultant_name: str, pin: str, patient: WalkPatient,
         *, sign_in: bool = True, before_lock: Callable[[], object] | None = None) -> None:
    """One consultation for ``patient``, from the lock screen back to the lock screen."""
    answered_before_the_visit(kiosk, patient.id)
    a = actions
    lock = window.lock_page
    if sign_in:
        tile = next(t for t in lock.tiles if t.account.display_name == consultant_name)
        a.tap("lock screen: tap your name", tile, lambda: lock.pin_entry.isVisible())
        # After a lock, a sign-in resumes the page the lock covered (the last patient's step).
        a.pin("sign-in (PIN OK to a usable page)", lock.pin_entry, pin,
              lambda: window.stack.currentWidget() in (window.patients_page, window.workspace))
    if window.stack.currentWidget() is window.workspace:
        a.tap("back to the patient list", window.workspace.back_button,
              lambda: window.stack.currentWidget() is window.patients_page)

    # ---- find and open the patient
    patients = window.patients_page
    a.type("search keystroke", patients.search, f"{patient.family} {patient.given}")
    row = next(i for i in range(patients.results.count())
               if patients.results.item(i).data(Qt.ItemDataRole.UserRole).id == patient.id)
    item = patients.results.item(row)
    patients.results.scrollToItem(item)
    a.tap("tap a patient in the list", patients.results.viewport(), lambda: patients.results.currentRow() == row,
          pos=patients.results.visualItemRect(item).center())
    workspace = window.workspace
    a.tap("open the patient", patients.open_button,
          lambda: window.stack.currentWidget() is workspace and workspace.patient.id == patient.id)

    steps = [step.id for step in kiosk.clinic_data.app_info().steps]  # the step bar's order
    bar = workspace.step_bar.buttons

    def go(step_id: str) -> None:
        page = workspace.pages[step_id]
        a.tap(f"step switch: {step_id}", bar[steps.index(step_id)],
              lambda: workspace.stack.currentWidget() in (page, workspace.blocked) and bar[steps.index(step_id)].isChecked())

    for step_id in steps[1:]:  # every step once, then back to the intake
        go(step_id)
    go("intake")

    # ---- intake: taps save at once; a typed number saves when the field is left
    intake = workspace.pages["intake"]
    for path in NO_ANSWERS:
        answer = intake.fields[path]
        intake.scroll.ensureWidgetVisible(answer)
        a.settle()
        a.tap("intake: tap an answer", answer.no,
              lambda p=path: _answer(kiosk, patient.id, p) is False)
    months = intake.fields["complaint.duration_months"]
    intake.scroll.ensureWidgetVisible(months)
    a.settle()
    a.type("intake: keystroke", months.editor, "18")
    a.key("intake: leave the field (autosave)", months.editor, Qt.Key.Key_Tab,
          lambda: str(_answer(kiosk, patient.id, "complaint.duration_months")) == "18")
    # Screening before treatment: no session starts until the intake is marked complete.
    intake.scroll.ensureWidgetVisible(intake.complete_button)
    a.settle()
    a.tap("intake: mark complete: ask", intake.complete_button, lambda: intake.confirm_complete.isVisible())
    a.tap("intake: mark complete: confirm (stored)", intake.confirm_complete,
          lambda: kiosk.intake.current(patient.id).is_complete)

    # ---- consent: the hand-off
    go("consent")
    consent = workspace.pages["consent"]
    a.tap("hand the tablet over", consent.handoff_button, lambda: window.in_handoff)
    handoff = window.stack.currentWidget()
    a.tap("hand-off: choose the language", handoff.language_buttons["en"],
          lambda: handoff.current_panel() == handoff.IDENTITY)
    a.type("hand-off: keystroke", handoff.name_field, f"{patient.given} {patient.family}")
    a.type("hand-off: keystroke", handoff.dob_field, patient.born)
    a.tap("hand-off: confirm identity", handoff.identity_button, lambda: handoff.current_panel() == handoff.READ)
    bar_ = handoff.read.scroll.verticalScrollBar()
    a.act("hand-off: scroll to the end", lambda: bar_.setValue(bar_.maximum()))
    for row_ in handoff.read.rows.values():
        handoff.read.scroll.ensureWidgetVisible(row_)
        a.settle()
        a.tap("hand-off: tick", row_, row_.is_checked, pos=QPoint(row_.width() - 20, row_.height() // 2))
    handoff.read.scroll.ensureWidgetVisible(handoff.read.photo_buttons["no"])
    a.settle()
    a.tap("hand-off: tick", handoff.read.photo_buttons["no"])
    a.tap("hand-off: continue to sign", handoff.read.continue_button,
          lambda: handoff.current_panel() == handoff.SIGN)
    canvas = handoff.pad.canvas
    points = [QPoint(40 + 12 * i, 120 + (30 if i % 4 < 2 else -30)) for i in range(40)]
    a.act("signature: pen down", lambda: QTest.mousePress(canvas, LEFT, Qt.KeyboardModifier.NoModifier, points[0]))
    for point in points[1:]:
        a.act("signature: pen move", lambda p=point: QTest.mouseMove(canvas, p))
    a.act("signature: pen up", lambda: QTest.mouseRelease(canvas, LEFT, Qt.KeyboardModifier.NoModifier, points[-1]))
    a.tap("hand-off: sign", handoff.sign_button, lambda: handoff.current_panel() == handoff.HAND_BACK)
    a.tap("hand-off: hand back", handoff.hand_back_button, lambda: handoff.current_panel() == handoff.COUNTERSIGN)
    a.pin("countersign (PIN OK, consent stored)", handoff.countersign.pin.pin_entry, pin,
          lambda: handoff.current_panel() == handoff.DONE and kiosk.consents.current(patient.id) is not None)
    a.tap("hand-off: back to the consultation", handoff.done_button,
          lambda: not window.in_handoff and workspace.stack.currentWidget() is consent)

    # ---- scalp map: a session
    go("scalp_map")
    scalp = workspace.pages["scalp_map"]
    a.tap("start a session", scalp.start_button,
          lambda: scalp.form.isVisible() and kiosk.sessions.draft(patient.id) is not None)
    for zone in WALK_ZONES:
        a.tap("tap a zone", scalp.map.viewport(), lambda z=zone: z in scalp.map.selected(),
              pos=_zone_point(scalp.map, zone))
        a.tap("tap a zone", scalp.map.viewport(), lambda z=zone: z not in scalp.map.selected(),
              pos=_zone_point(scalp.map, zone))
        a.tap("tap a zone", scalp.map.viewport(), lambda z=zone: z in scalp.map.selected(),
              pos=_zone_point(scalp.map, zone))
    for zone in WALK_ZONES:
        row = scalp.form.zone_rows[zone]
        scalp.form_scroll.ensureWidgetVisible(row.injections)
        a.settle()
        a.type("zone: keystroke", row.injections, "20")
        a.type("zone: keystroke", row.volume, "1.5")
    scalp.form_scroll.ensureWidgetVisible(scalp.form.add_product_button)
    a.settle()
    a.tap("add a product", scalp.form.add_product_button, lambda: len(scalp.form.product_rows) == 1)
    product = scalp.form.product_rows[0]
    product.name.setFocus()
    product.name.setCurrentText("")
    scalp.form_scroll.ensureWidgetVisible(product.lot)
    a.settle()
    a.type("product: keystroke", product.name, "Peptide hair complex")
    a.type("product: keystroke", product.lot, "PX-2291/B")
    a.type("product: keystroke", product.expiry, "2028-06-30")
    scalp.form_scroll.ensureWidgetVisible(scalp.form.duration)
    a.settle()
    a.type("zone: keystroke", scalp.form.duration, "35")
    scalp.form_scroll.ensureWidgetVisible(scalp.form.close_button)
    a.settle()
    a.tap("close the session: ask", scalp.form.close_button, scalp.form.confirm_panel.isVisible)
    a.tap("close the session: confirm (stored)", scalp.form.confirm_panel.confirm,
          lambda: kiosk.sessions.draft(patient.id) is None and scalp.start_button.isVisible())

    # ---- summary: its preview, then the export
    summary = workspace.pages["summary"]
    a.tap("step switch: summary, with its preview", bar[steps.index("summary")],
          lambda: workspace.stack.currentWidget() is summary and preview_ready(summary))
    exported = []
    summary.exported.connect(exported.append)
    a.tap("export from the summary page", summary.export_button,
          lambda: bool(exported) and summary.result.isVisible())
    summary.exported.disconnect(exported.append)
    assert exported[0].path.is_file()

    # ---- lock
    if before_lock is not None:
        before_lock()
    a.tap("lock", workspace.lock_button, lambda: window.lock_page_shown())
