"""The signature pad: mouse, finger and stylus; smoothing, pressure, undo/clear, refusals, PNG."""

from __future__ import annotations

import statistics
import time

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from meso_kiosk.domain.signature import SignatureStrokes, parse_signature
from meso_kiosk.ui.theme import TOUCH_TARGET, apply_theme
from meso_kiosk.ui.widgets.signature_pad import SignaturePad, SignatureView, pen_width, signature_png


class FakeClock:
    """Milliseconds that advance 8 ms per reading, like a 120 Hz digitiser."""

    def __init__(self):
        self.now = 1_000

    def __call__(self) -> int:
        self.now += 8
        return self.now


@pytest.fixture
def pad(qtbot, qapp):
    apply_theme(qapp)
    widget = SignaturePad("Patient signature", clock_ms=FakeClock())
    qtbot.addWidget(widget)
    widget.setMinimumSize(300, 300)  # a fixed minimum: the offscreen platform warns when a layout sets it
    widget.resize(640, 320)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def wave(x0: int, y0: int, length: int = 300, steps: int = 30) -> list[QPoint]:
    return [QPoint(x0 + length * i // steps, y0 + (20 if i % 4 < 2 else -20)) for i in range(steps + 1)]


def mouse_drag(qtbot, canvas, points: list[QPoint]) -> None:
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        QTest.mouseMove(canvas, point)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=points[-1])


def touch_drag(canvas, device, points: list[QPoint], touch_id: int = 0) -> None:
    QTest.touchEvent(canvas, device).press(touch_id, points[0], canvas)
    for point in points[1:]:
        QTest.touchEvent(canvas, device).move(touch_id, point, canvas)
    QTest.touchEvent(canvas, device).release(touch_id, points[-1], canvas)


_STYLUS: list[QPointingDevice] = []


def stylus() -> QPointingDevice:
    """One pen device for the whole run (Qt keeps devices for the process's lifetime)."""
    if not _STYLUS:
        caps = QInputDevice.Capability.Position | QInputDevice.Capability.Pressure
        _STYLUS.append(QPointingDevice("test stylus", 4242, QInputDevice.DeviceType.Stylus,
                                       QPointingDevice.PointerType.Pen, caps, 1, 2))
    return _STYLUS[0]


def tablet_drag(canvas, device, points: list[QPoint], pressure: float) -> None:
    kinds = [QEvent.Type.TabletPress] + [QEvent.Type.TabletMove] * (len(points) - 2) + [QEvent.Type.TabletRelease]
    for kind, point in zip(kinds, points):
        held = Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease else Qt.MouseButton.LeftButton
        event = QTabletEvent(kind, device, QPointF(point), QPointF(canvas.mapToGlobal(point)), pressure,
                             0.0, 0.0, 0.0, 0.0, 0.0, Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton,
                             held)
        QApplication.sendEvent(canvas, event)


def darkness(png: bytes) -> float:
    image = QImage.fromData(png)
    small = image.convertToFormat(QImage.Format.Format_Grayscale8)
    total = 0
    for y in range(small.height()):
        row = small.constScanLine(y).tobytes()[: small.width()]
        total += sum(255 - b for b in row)
    return total / 255


# ---------------------------------------------------------------- capture


def test_mouse_drag_records_one_stroke_with_time_and_pressure(pad, qtbot):
    points = wave(60, 120)
    mouse_drag(qtbot, pad.canvas, points)
    strokes = pad.strokes()
    assert isinstance(strokes, SignatureStrokes)
    assert len(strokes.strokes) == 1
    recorded = strokes.strokes[0]
    assert len(recorded) == len(points)
    assert (recorded[0].x, recorded[0].y) == (60, 140)
    assert [p.t_ms for p in recorded] == sorted(p.t_ms for p in recorded)
    assert recorded[-1].t_ms > recorded[0].t_ms
    assert {p.pressure for p in recorded} == {0.5}  # a mouse has no pressure: the domain's default
    assert (strokes.width, strokes.height) == (pad.canvas.width(), pad.canvas.height())
    assert pad.accepted_strokes() is not None


def test_touch_drag_records_strokes_and_no_doubled_mouse_lines(pad, qtbot):
    device = QTest.createTouchDevice()
    touch_drag(pad.canvas, device, wave(60, 100))
    touch_drag(pad.canvas, device, wave(80, 180, 250), touch_id=1)
    strokes = pad.strokes()
    assert len(strokes.strokes) == 2  # the synthesised mouse events did not add copies
    assert len(strokes.strokes[0]) == 31
    assert strokes.strokes[1][0].t_ms >= strokes.strokes[0][-1].t_ms
    assert parse_signature(strokes.to_data()) == strokes
    assert not pad.is_empty()


def test_a_second_finger_or_palm_is_ignored(pad):
    device = QTest.createTouchDevice()
    canvas = pad.canvas
    QTest.touchEvent(canvas, device).press(0, QPoint(50, 100), canvas)
    QTest.touchEvent(canvas, device).move(0, QPoint(150, 120), canvas).press(1, QPoint(400, 280), canvas)
    QTest.touchEvent(canvas, device).move(0, QPoint(250, 100), canvas).move(1, QPoint(420, 290), canvas)
    QTest.touchEvent(canvas, device).release(0, QPoint(300, 110), canvas).release(1, QPoint(420, 290), canvas)
    strokes = pad.strokes().strokes
    assert len(strokes) == 1
    assert all(p.x < 350 for p in strokes[0])


def test_stylus_pressure_is_recorded_and_changes_line_width(pad):
    device = stylus()
    tablet_drag(pad.canvas, device, wave(40, 80, 500), pressure=0.1)
    light = pad.strokes()
    assert {p.pressure for p in light.strokes[0]} == {0.1}
    light_ink = darkness(pad.render_png())
    pad.clear()
    tablet_drag(pad.canvas, device, wave(40, 80, 500), pressure=0.95)
    firm = pad.strokes()
    assert {p.pressure for p in firm.strokes[0]} == {0.95}
    firm_ink = darkness(pad.render_png())
    assert firm_ink > 2.2 * light_ink  # the same line, drawn firmly, is much thicker
    assert pen_width(0.95) > 3 * pen_width(0.1)


def test_points_outside_the_box_are_kept_on_its_edge(pad, qtbot):
    mouse_drag(qtbot, pad.canvas, [QPoint(100, 100), QPoint(300, 150), QPoint(2000, 5000)])
    last = pad.strokes().strokes[0][-1]
    assert (last.x, last.y) == (pad.canvas.width(), pad.canvas.height())


# ---------------------------------------------------------------- undo, clear, refusals


def test_undo_removes_the_last_line_and_clear_removes_all(pad, qtbot):
    changes = []
    pad.changed.connect(lambda: changes.append(1))
    assert not pad.undo_button.isEnabled() and not pad.clear_button.isEnabled()
    mouse_drag(qtbot, pad.canvas, wave(40, 100))
    mouse_drag(qtbot, pad.canvas, wave(60, 200))
    first = pad.strokes().strokes[0]
    assert pad.undo_button.isEnabled()
    qtbot.mouseClick(pad.undo_button, Qt.MouseButton.LeftButton)
    assert pad.strokes().strokes == (first,)
    qtbot.mouseClick(pad.clear_button, Qt.MouseButton.LeftButton)
    assert pad.is_empty() and pad.strokes().strokes == ()
    assert not pad.undo_button.isEnabled()
    assert len(changes) == 4
    # the ink is gone from the picture too
    assert darkness(pad.render_png()) == 0


def test_empty_signature_is_refused_with_a_friendly_message(pad):
    assert pad.accepted_strokes() is None
    assert pad.message.isVisibleTo(pad)
    assert pad.message.text() == "Please sign in the box first."


def test_tiny_signature_and_a_dot_are_refused(pad, qtbot):
    pad.set_words({"signature_too_small": "Trop petit : signez plus grand."})
    mouse_drag(qtbot, pad.canvas, [QPoint(100 + i, 100 + (i % 2)) for i in range(12)])
    assert pad.accepted_strokes() is None
    assert pad.message.text() == "Trop petit : signez plus grand."
    pad.clear()
    assert not pad.message.isVisibleTo(pad)
    qtbot.mouseClick(pad.canvas, Qt.MouseButton.LeftButton, pos=QPoint(200, 150))
    assert len(pad.strokes().strokes) == 1
    assert pad.accepted_strokes() is None
    # a new line hides the old refusal; a real signature is then accepted
    mouse_drag(qtbot, pad.canvas, wave(60, 120))
    assert not pad.message.isVisibleTo(pad)
    assert pad.accepted_strokes() is not None


def test_buttons_are_touch_sized_and_named(pad):
    for widget in (pad.clear_button, pad.undo_button):
        assert widget.height() >= TOUCH_TARGET
        assert widget.accessibleName()
    assert pad.canvas.accessibleName() == "Patient signature"


# ---------------------------------------------------------------- picture and speed


def test_png_is_drawn_from_the_strokes(pad, qtbot):
    mouse_drag(qtbot, pad.canvas, wave(60, 120))
    png = pad.render_png()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = QImage.fromData(png)
    assert (image.width(), image.height()) == (pad.canvas.width(), pad.canvas.height())
    assert darkness(png) > 100
    assert signature_png(pad.strokes()) == png


def test_resizing_keeps_the_signature_and_its_coordinates(pad, qtbot):
    mouse_drag(qtbot, pad.canvas, wave(60, 120))
    before = pad.strokes()
    pad.resize(400, 500)  # the tablet turned
    qtbot.wait(10)
    assert pad.strokes() == before
    mouse_drag(qtbot, pad.canvas, wave(20, 100, 200))
    after = pad.strokes()
    assert (after.width, after.height) == (before.width, before.height)
    assert max(p.x for p in after.strokes[1]) <= before.width


def test_a_move_costs_far_less_than_a_frame_even_late_in_a_long_signature(pad, qtbot):
    canvas = pad.canvas
    for row in range(12):  # a long signature first: the cost must not grow with it
        mouse_drag(qtbot, canvas, wave(20, 40 + row * 20, 560, 120))
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(20, 150))
    costs = []
    for i in range(150):
        start = time.perf_counter()
        QTest.mouseMove(canvas, QPoint(20 + i * 3, 150 + (i % 7) * 4))
        canvas.repaint()  # paint now, as the next frame would
        costs.append(time.perf_counter() - start)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(470, 150))
    assert statistics.median(costs) < 0.004  # a 60 Hz frame is 16.7 ms


@pytest.mark.screens
def test_render_the_pad_with_a_signature(pad, qtbot, shots):
    from meso_kiosk.services.demo.signature import synthetic_signature

    pad.resize(720, 330)
    qtbot.wait(10)
    width, height = pad.canvas.width(), pad.canvas.height()
    demo = synthetic_signature("Claire Dubois", width, height)
    device = stylus()
    for stroke in demo.strokes:  # replay a hand-like signature through the stylus events
        points = [QPoint(round(p.x), round(p.y)) for p in stroke]
        for kind, point, p in zip(
            [QEvent.Type.TabletPress] + [QEvent.Type.TabletMove] * (len(points) - 2) + [QEvent.Type.TabletRelease],
            points, stroke,
        ):
            held = Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease else Qt.MouseButton.LeftButton
            QApplication.sendEvent(pad.canvas, QTabletEvent(
                kind, device, QPointF(point), QPointF(point), p.pressure, 0.0, 0.0, 0.0, 0.0, 0.0,
                Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton, held))
    assert len(pad.strokes().strokes) == len(demo.strokes)
    assert pad.grab().save(str(shots / "signature_pad.png"))
    (shots / "signature_pad_record.png").write_bytes(pad.render_png())
    view = SignatureView(pad.strokes())
    qtbot.addWidget(view)
    view.setMinimumSize(260, 90)
    view.resize(260, 90)
    assert view.grab().save(str(shots / "signature_view.png"))
