"""Cold start: the window opens on the lock screen alone; its pages are built right after (or on first use)."""

from meso_kiosk.ui.app import build_main_window
from meso_kiosk.ui.theme import apply_theme
from tests.ui.test_lock_screen import ADMIN_PIN, staff, unlock  # noqa: F401 (staff is a fixture)


def _locked_window(qtbot, qapp, kiosk):
    apply_theme(qapp)
    window = build_main_window(kiosk, defer_pages=True)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_first_frame_is_the_lock_screen_alone(qtbot, qapp, kiosk, staff):
    window = _locked_window(qtbot, qapp, kiosk)
    assert not window.pages_built and window.workspace is None and window.patients_page is None
    assert window.stack.currentWidget() is window.lock_page
    assert [tile.account.display_name for tile in window.lock_page.tiles] == ["Dr Amélie Laurent", "Sam Okafor"]

    window.ensure_pages()  # what run_gui does right after the first frame
    assert window.pages_built and set(window.workspace.pages) >= {"intake", "scalp_map", "course", "consent"}
    assert window.stack.currentWidget() is window.lock_page  # still locked
    assert not window.patients_page.admin_button.isVisible()

    unlock(qtbot, window, "Dr Amélie Laurent", ADMIN_PIN)
    assert window.stack.currentWidget() is window.patients_page
    assert window.patients_page.admin_button.isVisible()  # the admin page is wired as in a full build


def test_a_pin_typed_before_the_pages_exist_builds_them_and_opens_the_patient_list(qtbot, qapp, kiosk, staff):
    window = _locked_window(qtbot, qapp, kiosk)
    unlock(qtbot, window, "Dr Amélie Laurent", ADMIN_PIN)
    assert window.pages_built
    assert window.stack.currentWidget() is window.patients_page
    window.patients_page.lock_button.click()  # the pages' Lock buttons work
    assert window.stack.currentWidget() is window.lock_page
