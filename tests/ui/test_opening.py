"""A cold start paints the lock screen's face from names read straight from the database file,
then opens the store and builds the lock screen behind it."""

import os
import sqlite3
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QWidget

from meso_kiosk.store.lock_roster import LockRoster, read_lock_roster
from meso_kiosk.store.migrations import SCHEMA_VERSION
from meso_kiosk.ui.app import build_main_window
from meso_kiosk.ui.startup import lock_opening
from meso_kiosk.ui.startup.icon_copies import draw, first_frame_icons
from meso_kiosk.ui.startup.lock_opening import COPY_RATIOS, icon_pixmap, png_copy
from meso_kiosk.ui.startup.window import opening_window
from meso_kiosk.ui.theme import apply_theme
from tests.ui.test_lock_screen import ADMIN_PIN, SAM_PIN, staff, unlock  # noqa: F401 (staff is a fixture)


def test_the_roster_is_whom_the_lock_screen_offers(kiosk, staff):
    admin, sam = staff
    kiosk.clinic.update({"name": "Clinique du Cuir Chevelu 🌿 عيادة", "timezone": "Europe/Paris"}, "test")
    roster = read_lock_roster(kiosk.paths.database)
    assert roster == LockRoster("Clinique du Cuir Chevelu 🌿 عيادة", kiosk.accounts.lock_accounts())
    assert [account.id for account in roster.accounts] == [admin.id, sam.id]
    kiosk.accounts.disable_consultant(admin.id, ADMIN_PIN, sam.id)  # switched off: no tile
    assert [account.display_name for account in read_lock_roster(kiosk.paths.database).accounts] == [
        "Dr Amélie Laurent"]


def _older_schema(path):
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    conn.commit()
    conn.close()


def _foreign(path):
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("how", ["missing", "no admin yet", "older schema", "garbage", "empty", "foreign", "folder"])
def test_no_roster_when_the_store_must_open_first_and_the_file_is_left_as_it_was(data_dir, how):
    """A new installation (first-run setup), a schema to migrate, a damaged or foreign file:
    the app opens the store before any window, which says what is wrong."""
    from meso_kiosk.services.kiosk import open_kiosk

    database = data_dir / "meso.db"
    if how != "missing":
        open_kiosk(data_dir).close()
    if how == "older schema":
        _older_schema(database)
    elif how == "garbage":
        database.write_bytes(b"not a database at all " * 500)
    elif how == "empty":
        database.write_bytes(b"")
    elif how == "foreign":
        _foreign(database)
    elif how == "folder":
        database.unlink()
        database.mkdir()
    def files():  # a WAL database's readers share its -wal and -shm files: not a change
        return sorted(p.name for p in data_dir.iterdir() if not p.name.endswith(("-wal", "-shm"))) \
            if data_dir.exists() else []

    before, content = files(), (database.read_bytes() if database.is_file() else None)
    assert read_lock_roster(database) is None
    assert files() == before and "meso.db-journal" not in before
    assert (database.read_bytes() if database.is_file() else None) == content


def test_qt_values_given_as_numbers_are_qts(qapp):
    """The first frame sets these through properties, so as not to load Qt's enum namespace."""
    assert lock_opening.ALIGN_CENTER == Qt.AlignmentFlag.AlignCenter.value
    assert lock_opening.PLAIN_TEXT == Qt.TextFormat.PlainText.value
    assert lock_opening.SCROLL_BAR_ALWAYS_OFF == Qt.ScrollBarPolicy.ScrollBarAlwaysOff.value
    assert lock_opening.WORD_WRAP == Qt.TextFlag.TextWordWrap.value
    title = lock_opening._label("Who is using the kiosk?", centred=True)
    assert title.alignment() == Qt.AlignmentFlag.AlignCenter and title.textFormat() == Qt.TextFormat.PlainText
    area = lock_opening._scrolling(QWidget())
    assert area.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff


@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)])
def test_the_lock_screen_looks_exactly_like_the_first_frame(qtbot, qapp, kiosk, staff, size):
    """The lock screen takes the opening over: the frame after the swap is the same, pixel for pixel."""
    apply_theme(qapp)
    opening = opening_window(kiosk.clinic.profile().name, kiosk.accounts.lock_accounts())
    locked = build_main_window(kiosk)
    for window in (opening, locked):
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
    assert locked.stack.currentWidget() is locked.lock_page and locked.lock_page.opening is not None
    first, then = opening.grab().toImage(), locked.grab().toImage()
    assert first.size() == then.size() and first == then


def test_a_tile_of_the_first_frame_unlocks_once_the_store_is_open(qtbot, qapp, kiosk, staff):
    """What ``run_gui`` does: the opening shown, then the store's lock screen behind it."""
    from meso_kiosk.ui.app import finish_window

    apply_theme(qapp)
    window = opening_window("Northgate", read_lock_roster(kiosk.paths.database).accounts)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    painted = window.opening
    first_tiles = list(painted.tiles)
    finish_window(window, kiosk)
    assert window.lock_page.opening is painted and window.lock_page.tiles == first_tiles  # nothing rebuilt
    assert window.stack.currentWidget() is window.lock_page and painted.isVisible()
    assert all(tile.cursor().shape() == Qt.CursorShape.PointingHandCursor for tile in first_tiles)  # finished
    unlock(qtbot, window, "Sam Okafor", SAM_PIN)
    assert window.stack.currentWidget() is window.patients_page


def test_run_gui_paints_before_it_opens_the_store(qapp, kiosk, staff, monkeypatch):
    """On an installation in use, the store is opened after the first frame: a window is
    already up when ``open_kiosk`` runs, and the start still ends with the pages built."""
    from meso_kiosk.services import kiosk as kiosk_module
    from meso_kiosk.ui import startup
    from meso_kiosk.ui.startup import launch

    root = kiosk.paths.root
    kiosk.close()
    real_open = kiosk_module.open_kiosk
    windows_up: list[list[str]] = []

    def open_kiosk(*args, **kwargs):
        windows_up.append([w.windowTitle() for w in QApplication.topLevelWidgets() if w.isVisible()])
        return real_open(*args, **kwargs)

    monkeypatch.setattr(kiosk_module, "open_kiosk", open_kiosk)
    monkeypatch.setenv(launch.EXIT_AFTER_FIRST_PAINT_ENV, "1")
    dialogs: list[tuple[str, str]] = []
    try:
        code = startup.run_gui(root, show_error=lambda title, message: dialogs.append((title, message)))
    finally:
        QTimer.singleShot(0, qapp.quit)  # clears Qt's quit flag for the tests after this one
        qapp.exec()
    assert dialogs == [] and code == 0
    assert windows_up == [["Meso Kiosk — Meso Kiosk clinic"]]


def test_shortened_keeps_the_longest_start_that_fits():
    from meso_kiosk.ui.startup.lock_opening import shortened

    fits = lambda text: len(text) <= 8  # noqa: E731
    assert shortened("Sam", fits) == "Sam"
    assert shortened("Dr Amélie Laurent", fits) == "Dr Amél…"
    assert shortened("Ab        Laurent", fits) == "Ab…"  # no space before the ellipsis
    assert shortened("anything", lambda text: text == "…") == "…"


def test_shortened_never_cuts_inside_what_shows_as_one_character():
    from meso_kiosk.ui.startup.lock_opening import shortened

    family = "\U0001F468\u200D\U0001F469\u200D\U0001F467"  # one emoji of three joined
    for name, keep in ((f"Ann {family}{family}", 8), ("Rene\u0301e Dupont", 4), ("Ola \U0001F44B\U0001F3FD hi", 5),
                       (f"Ann {family}", 6)):
        shown = shortened(name, lambda text, keep=keep: len(text) <= keep)
        cut = len(shown) - 1
        assert shown.endswith("…") and name.startswith(shown[:-1].rstrip()), name
        assert not shown[:-1].endswith(("\u200D", "\uFE0F")) and not (
            cut < len(name) and (name[cut] in "\u0301\u200D" or "\U0001F3FB" <= name[cut] <= "\U0001F3FF")), (name, shown)


LONG_NAMES = ["Robert'); DROP TABLE consultants;--", "Wolfeschlegelsteinhausenbergerdorff",
              "Ngozi Okonjo-Iweala Adaeze Chukwuemeka", "سارة بنت عبد الرحمن بن محمد المصري الحسيني القرشي الهاشمي",
              "🙂" * 40]


TWO_LINE_NAMES = ["Ngozi Okonjo-Iweala", "Dr Alexandra Whitfield", "Dr Alexandra Whitmore", "Maria Fernández García",
                  "سارة بنت عبد الرحمن المصري"]


def test_a_long_name_keeps_its_tile_to_two_lines_and_is_said_whole(qtbot, qapp, kiosk, staff):
    """Names that wrap onto two lines show whole (two colleagues whose names start alike keep
    different tiles); longer ones are cut with "…" and said whole to a screen reader."""
    admin, _ = staff
    for index, name in enumerate(LONG_NAMES + TWO_LINE_NAMES):
        kiosk.accounts.add_consultant(admin.id, ADMIN_PIN, name, f"5{index:02d}8461")
    apply_theme(qapp)
    window = opening_window("Northgate", kiosk.accounts.lock_accounts())
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    tiles = {tile.account.display_name: tile for tile in window.opening.tiles}
    for name in LONG_NAMES:
        tile = tiles[name]
        shown = tile.name.text()
        assert shown.endswith("…") and name.startswith(shown[:-1].rstrip()), name
        assert tile.name.heightForWidth(tile.name.width()) < 3 * tile.name.fontMetrics().lineSpacing(), name
        assert tile.accessibleName() == f"Unlock as {name}" and tile.toolTip() == name
        assert tile.name.accessibleName() == name  # a screen reader reading the label hears it whole
    for name in ("Dr Amélie Laurent", "Sam Okafor", *TWO_LINE_NAMES):
        assert tiles[name].name.text() == name and tiles[name].toolTip() == "", name
    assert tiles["Ngozi Okonjo-Iweala"].name.heightForWidth(tiles["Ngozi Okonjo-Iweala"].name.width()) > \
        tiles["Sam Okafor"].name.heightForWidth(tiles["Sam Okafor"].name.width())  # on two lines
    for tile in window.opening.tiles:  # the role's line stays inside the tile
        role = tile._parts[2]
        assert role.geometry().bottom() <= tile.height() - 4, tile.account.display_name


def _run_gui_recording(qapp, root, monkeypatch):
    """run_gui until its first frame and pages; returns (exit code, [(message, windows shown then)])."""
    from meso_kiosk.ui import startup
    from meso_kiosk.ui.startup import launch

    monkeypatch.setenv(launch.EXIT_AFTER_FIRST_PAINT_ENV, "1")
    said: list[tuple[str, list[str]]] = []

    def show_error(title, message):
        said.append((message, [w.windowTitle() for w in QApplication.topLevelWidgets() if w.isVisible()]))

    try:
        code = startup.run_gui(root, show_error=show_error)
    finally:
        QTimer.singleShot(0, qapp.quit)  # clears Qt's quit flag for the tests after this one
        qapp.exec()
    return code, said


def test_a_fault_only_the_stores_open_finds_ends_the_start_after_the_frame_window_gone(qapp, kiosk, staff,
                                                                                       monkeypatch):
    """A lost audit key passes the roster's read; the store's open after the first frame finds
    it: the same message and exit code as before any window, the window hidden first."""
    from meso_kiosk.services import kiosk as kiosk_module

    root = kiosk.paths.root
    kiosk.close()
    (root / "audit.key").unlink()
    opened: list[bool] = []
    real_open = kiosk_module.open_kiosk

    def open_kiosk(*args, **kwargs):
        opened.append(any(w.isVisible() for w in QApplication.topLevelWidgets()))
        return real_open(*args, **kwargs)

    monkeypatch.setattr(kiosk_module, "open_kiosk", open_kiosk)
    code, said = _run_gui_recording(qapp, root, monkeypatch)
    assert code == 1 and opened == [True]  # the first frame was up when the store was opened
    [(message, windows_then)] = said
    assert "audit key" in message and windows_then == []
    assert not (root / "audit.key").exists()  # never silently replaced


def test_a_fault_while_the_start_finishes_is_a_failed_start_not_a_running_app(qapp, kiosk, staff, monkeypatch):
    """Everything after the first frame (store, pages, idle lock, backup timer) fails the start
    as one: exit 1, one message, no window left."""
    from meso_kiosk.ui import app as app_module

    root = kiosk.paths.root
    kiosk.close()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device", str(root / "backups"))

    monkeypatch.setattr(app_module, "_schedule_auto_backup", broken)
    code, said = _run_gui_recording(qapp, root, monkeypatch)
    assert code == 1
    [(message, windows_then)] = said
    assert "No space left on device" in message and windows_then == []


@pytest.mark.parametrize("ratio", COPY_RATIOS)
def test_the_first_frames_icon_copies_show_what_their_svgs_draw(qapp, ratio):
    """Each PNG copy the first frame reads is its SVG as Qt draws it, at the size shown, pixel
    for pixel within rounding (run ``python -m meso_kiosk.ui.startup.icon_copies`` after an SVG changed)."""
    for svg, size in first_frame_icons():
        copy = QImage(str(png_copy(svg, size, ratio))).convertToFormat(QImage.Format.Format_ARGB32)
        drawn = draw(svg, size, ratio)
        assert not copy.isNull(), f"{png_copy(svg, size, ratio)} is missing"
        assert (copy.width(), copy.height()) == (size * ratio, size * ratio) == (drawn.width(), drawn.height())
        worst = max(abs(a - b) for a, b in zip(bytes(copy.constBits()), bytes(drawn.constBits())))
        assert worst <= 2, f"{png_copy(svg, size, ratio).name} differs from {svg.name} by {worst}"


def test_an_icon_without_a_copy_is_drawn_from_its_svg(qapp, tmp_path):
    """A copy, when there is one for the screen's ratio, is what shows; without one (an icon
    app.toml names anew, say), the SVG is drawn at the same size."""
    svg = tmp_path / "mark.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
                   '<rect width="10" height="10" fill="#1D5FA8"/></svg>', encoding="utf-8")
    drawn = icon_pixmap(svg, 30).toImage()
    assert drawn.pixelColor(15, 15).name() == "#1d5fa8"
    ratio = int(qapp.devicePixelRatio())
    copy = png_copy(svg, 30, ratio)
    copy.parent.mkdir()
    red = QImage(30 * ratio, 30 * ratio, QImage.Format.Format_ARGB32)
    red.fill(QColor("#A61B1B"))
    assert red.save(str(copy))
    shown = icon_pixmap(svg, 30)
    assert shown.toImage().pixelColor(15, 15).name() == "#a61b1b"
    assert (shown.width(), shown.height(), shown.devicePixelRatio()) == (30 * ratio, 30 * ratio, ratio)
    copy.write_bytes(b"\x89PNG but not really" * 10)  # a damaged copy: the SVG again, not a blank
    assert icon_pixmap(svg, 30).toImage().pixelColor(15, 15).name() == "#1d5fa8"


SWAP_PROBE = r"""
import sys
from meso_kiosk.cli import main
from meso_kiosk.ui import idle_lock
from meso_kiosk.ui.startup import launch
from PySide6.QtCore import QEvent, QObject, QTimer

frames = {}

class FirstFrame(QObject):
    done = False
    def eventFilter(self, obj, event):
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            QTimer.singleShot(0, lambda: frames.setdefault("first", obj.grab().toImage()))
        return False

start = launch.start_window
def start_and_watch(*args, **kwargs):
    window = start(*args, **kwargs)
    window._probe = FirstFrame()
    window.installEventFilter(window._probe)
    return window
launch.start_window = start_and_watch

show = launch.show_window
def show_at_size(window, *args):  # the size asked for, not the one that fits the offscreen screen
    show(window, *args)
    window.resize(int(sys.argv[2]), int(sys.argv[3]))
launch.show_window = show_at_size

install = idle_lock.install_idle_lock
def started(window, *args):  # the store open, the lock screen over the opening, the pages built
    from PySide6.QtWidgets import QApplication
    QApplication.processEvents()  # what the next frame paints: the layouts settled, stylesheet back
    frames["started"] = window.grab().toImage()
    return install(window, *args)
idle_lock.install_idle_lock = started
code = main(["--data-dir", sys.argv[1]])
first, then = frames["first"], frames["started"]
print("SAME" if first.size() == then.size() and first == then else f"DIFFERENT {first.size()} {then.size()}")
sys.exit(code)
"""


@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)])
def test_a_real_start_shows_the_same_frame_before_and_after_the_store_opens(kiosk, staff, size):
    """``meso-kiosk`` in a real process: its first frame (the opening) and the window once the
    store is open, the lock screen over the opening and the pages built (without the
    stylesheet, styled once), are the same picture."""
    root = kiosk.paths.root
    kiosk.close()
    done = subprocess.run([sys.executable, "-c", SWAP_PROBE, str(root), *map(str, size)], capture_output=True,
                          text=True, timeout=120, env=os.environ | {"QT_QPA_PLATFORM": "offscreen",
                                                                  "MESO_KIOSK_EXIT_AFTER_FIRST_PAINT": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["SAME"]


GC_PROBE = r"""
import gc, sys
from meso_kiosk.cli import main
from meso_kiosk.ui.startup import launch
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

def started():  # the pages built: the start is done
    if not window.pages_built:
        QTimer.singleShot(5, started)
        return
    print("STARTED", gc.isenabled(), flush=True)
    QApplication.instance().quit()

start = launch.start_window
def start_and_watch(*args, **kwargs):
    global window
    print("STARTING", gc.isenabled(), flush=True)
    window = start(*args, **kwargs)
    QTimer.singleShot(0, started)
    return window
launch.start_window = start_and_watch
code = main(["--data-dir", sys.argv[1]])
print("ENDED", gc.isenabled(), code, flush=True)
"""


def test_the_garbage_collector_rests_while_the_window_starts_and_runs_after(kiosk, staff):
    """``meso-kiosk`` turns Python's cyclic garbage collector off while it starts (its passes would
    walk the objects Qt's import and the first frame make, none of them garbage) and on again
    once the pages are built, for the hours the app then runs."""
    root = kiosk.paths.root
    kiosk.close()
    done = subprocess.run([sys.executable, "-c", GC_PROBE, str(root)], capture_output=True, text=True,
                          timeout=120, env=os.environ | {"QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["STARTING False", "STARTED True", "ENDED True 0"]


def test_a_failed_window_start_leaves_the_garbage_collector_on(tmp_path, capsys):
    import gc

    from meso_kiosk.cli import main

    (tmp_path / "meso.db").write_bytes(b"not a database" * 100)
    assert main(["--data-dir", str(tmp_path)]) == 1
    assert gc.isenabled() and "meso-kiosk:" in capsys.readouterr().err
