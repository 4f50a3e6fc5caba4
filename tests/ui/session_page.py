"""The scalp-map page on its own: built with its services over the test's temp database."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QPointF, Qt

from meso_kiosk.domain.polygon import interior_point
from meso_kiosk.ui.pages.scalp_map import ScalpMapPage
from meso_kiosk.ui.theme import apply_theme
from meso_kiosk.ui.widgets.scalp_map_view import ScalpMapView
from tests.consultation import signed_earlier


def build_scalp_page(qtbot, qapp, kiosk, size: tuple[int, int] = (1280, 800)) -> ScalpMapPage:
    apply_theme(qapp)
    page = ScalpMapPage(kiosk.sessions, kiosk.clock, lambda: "consultant:test")
    qtbot.addWidget(page)
    page.setMinimumSize(760, 560)  # a fixed floor, as the main window has (offscreen warns otherwise)
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    return page


def open_patient(page: ScalpMapPage, patient, qtbot) -> ScalpMapPage:
    page.show_patient(patient)
    qtbot.wait(10)
    return page


def click_zone(qtbot, view: ScalpMapView, zone_id: str) -> None:
    x, y = interior_point(view.geometry_model.zone(zone_id).polygon)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(QPointF(x, y)))


def consented_earlier(kiosk, register_consented, delta: timedelta = timedelta(days=60)):
    """``register_consented`` with its intake and consent ``delta`` earlier: sessions dated weeks
    ago are then recorded after the consent they rely on (the treatment gate)."""

    def _register(*args, **extra):
        with signed_earlier(kiosk, delta):
            return register_consented(*args, **extra)

    return _register
