"""Smoke test of the whole consultation through the window (issue 26): every action of the
benchmark's walk (``tests/ui/action_walk.py``) is taken on a small clinic, twice (the
second patient after a lock), and each one must show its result and store its record;
a page that stops answering fails here. The time of each action is the benchmark's
(``benchmarks/run.py --only actions``), not this test's."""

from __future__ import annotations

from meso_kiosk.ui.app import build_main_window
from meso_kiosk.ui.theme import apply_theme
from tests.conftest import COUNTERSIGN_PIN
from tests.ui.action_walk import Actions, WalkPatient, prepare_clinic, walk


def test_a_whole_consultation_walk_completes_every_action(qtbot, qapp, kiosk, register):
    consultant = kiosk.accounts.create_first_admin("Dr Test Consultant", COUNTERSIGN_PIN)
    prepare_clinic(kiosk)
    people = [register("Claire", "Dubois", "1986-04-12"), register("Hugo", "Martin", "1979-02-03")]
    register("Claire", "Durand", "1990-01-01")  # another match for the search to pass over
    apply_theme(qapp)
    window = build_main_window(kiosk)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    actions = Actions(window, timed=True)
    for person in people:
        born = person.date_of_birth
        walk(actions, window, kiosk, consultant.display_name, COUNTERSIGN_PIN,
             WalkPatient(person.id, person.given_name, person.family_name, born.strftime("%d/%m/%Y")))
        assert window.lock_page_shown()
        assert kiosk.consents.current(person.id) is not None
        assert len(kiosk.sessions.overview(person.id).closed) == 1
        documents = kiosk.store.conn.execute("SELECT count(*) FROM documents WHERE patient_id = ?",
                                             (person.id,)).fetchone()[0]
        assert documents == 1
    assert {"sign-in (PIN OK to a usable page)", "back to the patient list", "tap a zone", "export from the summary page", "lock",
            "countersign (PIN OK, consent stored)"} <= set(actions.samples)
