"""The workspace talks to its steps through one declared contract, and nothing in ui/ guesses."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import meso_kiosk.ui
from meso_kiosk.ui.pages.coming_next import ComingNextPage
from meso_kiosk.ui.pages.consent import ConsentPage
from meso_kiosk.ui.pages.course import CoursePage
from meso_kiosk.ui.pages.intake import IntakePage
from meso_kiosk.ui.pages.photos import PhotosPage
from meso_kiosk.ui.pages.scalp_map import ScalpMapPage
from meso_kiosk.ui.pages.step import ConsultationStep, StepHold, held_by_intake_stops
from meso_kiosk.ui.pages.summary import SummaryPage
from meso_kiosk.ui.pages.workspace import WorkspacePage

UI = Path(meso_kiosk.ui.__file__).parent
STEP_PAGES = {"intake": IntakePage, "scalp_map": ScalpMapPage, "course": CoursePage, "consent": ConsentPage,
              "photos": PhotosPage, "summary": SummaryPage}


def test_every_step_page_of_the_workspace_is_a_consultation_step(window):
    pages = window.workspace.pages
    assert {step_id: type(page) for step_id, page in pages.items()} == STEP_PAGES
    for page in pages.values():
        assert isinstance(page, ConsultationStep)


def test_a_page_that_breaks_the_contract_is_refused_when_the_workspace_is_built(kiosk, qtbot):
    from PySide6.QtWidgets import QWidget

    from meso_kiosk.services.clinic_data import app_info

    steps = app_info().steps
    pages = {step.id: ComingNextPage(step) for step in steps}
    pages[steps[-1].id] = QWidget()  # no show_patient, flush, refresh, blocked_reason, show_progress
    with pytest.raises(TypeError, match=steps[-1].id):
        WorkspacePage(steps, pages, kiosk.clock)


def test_a_step_says_why_an_intake_stop_holds_it_back(kiosk, register, qtbot):
    from meso_kiosk.services.clinic_data import app_info

    step = next(s for s in app_info().steps if s.id == "consent")
    page = ComingNextPage(step, guard=held_by_intake_stops(lambda _id: {"consent": "Anticoagulants."}, "consent"))
    qtbot.addWidget(page)
    assert page.blocked_reason() is None  # no patient yet
    page.show_patient(register())
    assert page.blocked_reason() == StepHold("Anticoagulants.", "intake")


def _calls_named(tree: ast.AST, names: set[str]) -> list[int]:
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names]


@pytest.mark.parametrize("path", sorted(UI.rglob("*.py")), ids=lambda p: str(p.relative_to(UI)))
def test_no_ui_module_guesses_what_a_page_or_the_window_has(path):
    """No getattr/hasattr (nor a __getattr__ that makes attributes appear): pages and the window
    declare what they have, and callers use the declaration."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert _calls_named(tree, {"getattr", "hasattr"}) == []
    assert [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name == "__getattr__"] == []


def test_the_window_declares_every_attribute_set_on_it(kiosk, qtbot):
    """Whatever ui/ sets on ``window`` (the composition root, the navigator, the idle lock)
    is declared by ``MainWindow`` itself, so none appears later by surprise."""
    from meso_kiosk.ui.main_window import MainWindow

    window = MainWindow(title="test")
    qtbot.addWidget(window)
    declared = set(vars(window))
    set_on_window = set()
    for path in UI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for item in ast.walk(target):
                        if (isinstance(item, ast.Attribute) and isinstance(item.value, ast.Name)
                                and item.value.id == "window"):
                            set_on_window.add(item.attr)
    assert set_on_window, "the scan found no assignment at all"
    assert set_on_window <= declared


def test_the_workspace_tells_a_step_to_refresh_when_it_comes_on_screen(kiosk, register, qtbot):
    """Steps do not watch their own show events: the workspace calls ``refresh`` when it shows
    a step, and again when it is itself shown again (after the lock screen or a hand-off)."""
    from meso_kiosk.services.clinic_data import app_info

    steps = app_info().steps

    class Recorded(ComingNextPage):
        def __init__(self, step):
            super().__init__(step)
            self.refreshed = 0

        def refresh(self) -> None:
            self.refreshed += 1

    pages = {step.id: Recorded(step) for step in steps}
    workspace = WorkspacePage(steps, pages, kiosk.clock)
    qtbot.addWidget(workspace)
    first, second = pages[steps[0].id], pages[steps[1].id]
    workspace.show_patient(register())
    assert first.refreshed == 0  # each step has just read the patient
    workspace.go_to_step(1)
    assert (first.refreshed, second.refreshed) == (0, 1)
    workspace.go_to_step(1)  # already on screen: as the consultant left it
    assert second.refreshed == 1
    workspace.refresh_current()  # the window shows the workspace again
    assert second.refreshed == 2
    workspace.go_to_step(0)
    assert (first.refreshed, second.refreshed) == (1, 2)
