"""The kiosk's speed and memory, each figure beside its floor measured in the same run.

    python benchmarks/run.py [--runs 7] [--data-dir DIR] [--json FILE] [--only NAME ...]

Figures (median of several runs; the floor is the same work done by the bare library):
- ``cold_start``: process start -> first frame of the main window painted (the lock screen,
  offscreen), the app on a demo-sized clinic and on the 100k-patient database vs a bare
  PySide6 window script; target <= 1.3x the floor. And ``--kiosk`` (full screen, frameless)
  vs a bare window shown the same way. The first paint is seen by an event
  filter on the window itself, the same in both children (see the note at ``_PRELUDE``
  for why not an application filter). Also says which heavy modules were
  imported by then, what the open-time ``PRAGMA quick_check`` costs alone (it runs beside
  the start), and when the other pages, built right after that first frame, exist. With
  valgrind installed, also the instructions each child executes up to that first paint
  (callgrind): the same count run after run, beside start times that move by +-10 % from
  run to run on a busy machine.
- ``search``: patient search as you type, every keystroke of 40 names typed letter by
  letter (plus phone and birth-date queries), through ``PatientService.search`` on
  100,000 patients and 500,000 sessions; median and p95 per keystroke, target p95 <= 5 ms.
  Floor: SQLite's FTS5 answering the same prefix query (first 50 rowids, no ranking).
  Also names in ten scripts typed as people type them, and misses (``name_search.py``),
  each script's median and p95, and migration 0013's time on the 100,000 patients.
- ``export``: export + seal of a patient with 20 closed sessions (``ExportService``), after
  warm-up, vs ReportLab building a bare two-page document; target median <= 150 ms.
- ``scalp_map``: one repaint of ``ScalpMapView`` with a full history overlay, vs a bare
  widget of the same size filling its background; target well under 16.7 ms (60 Hz).
- ``signature_pad``: one pen-move event on ``SignaturePad`` with its paint, vs a bare widget
  that calls update() for the same event; target well under 16.7 ms.
- ``actions``: every tap of a whole consultation in the real window on the 100k database
  (``benchmarks/actions.py``, the walk in ``tests/ui/action_walk.py``): median and p95 per
  action, from the input event to the end of its paint, over >= 20 walks (``--runs``, at least
  20); target p95 < 100 ms, sign-in < 300 ms, the summary's preview and the export < 500 ms,
  a zone tap's repaint < 2 ms. Printed as a second table.
- ``memory``: peak RSS of the app idle (2 s after its first frame) with the 100k-patient
  database open, vs the bare PySide6 window; target <= 150 MiB.

The database (100,000 patients, 500,000 closed sessions with zones and products) is
generated deterministically with bulk SQL into a benchmark data folder (the real schema,
migrations and triggers; one audit entry per bulk record). Pass ``--data-dir`` to keep
and reuse it. Everything runs offscreen (QT_QPA_PLATFORM=offscreen). Writes a table and
JSON (default ``benchmarks/results.json``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
import name_search  # noqa: E402 (benchmarks/ is on the path just above)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PATIENTS = 100_000
SESSIONS = 500_000
FRAME_MS = 1000 / 60
SEED = 20261122
ADMIN_PIN = "482619"

FAMILY = ["Dubois", "Martin", "Bernard", "Laurent", "Lefèvre", "Moreau", "Müller", "Schmidt", "García",
          "Fernández", "López", "Rossi", "Russo", "Costa", "Silva", "Santos", "Nowak", "Kowalski", "Novák",
          "Horváth", "Nagy", "Popescu", "Ivanova", "Petrov", "Смирнов", "Иванова", "Кузнецов", "Παπαδοπούλου",
          "Γεωργίου", "Οικονόμου", "Haddad", "Khalil", "حداد", "خليل", "Cohen", "Levi", "כהן", "לוי", "王", "李",
          "張", "陳", "Nakamura", "Tanaka", "佐藤", "鈴木", "Kim", "Park", "김", "이", "Nguyen", "Tran", "Okafor",
          "Adeyemi", "Mensah", "O'Brien", "MacDonald", "Van der Berg", "De Jong", "Jansen", "Andersson",
          "Johansson", "Nielsen", "Hansen", "Virtanen", "Korhonen", "Yılmaz", "Kaya", "Demir", "Öztürk",
          "Sharma", "Patel", "Singh", "Gupta", "शर्मा", "ใจดี", "やまだ", "Nguyễn", "Łukasiewicz", "Øster", "Da Silva", "Pereira", "Ferreira", "Oliveira", "Rodrigues",
          "Almeida", "Wright", "Walker", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green",
          "Hall", "Wood", "Harris", "Clarke", "Jackson", "Turner", "Hill", "Moore", "Clark", "Lewis", "Young"]
GIVEN = ["Claire", "Amélie", "Chloé", "Léa", "Manon", "Inès", "Sophie", "Julie", "Marie", "Camille", "Lucas",
         "Hugo", "Louis", "Jules", "Théo", "Noah", "Adam", "Mohamed", "Youssef", "Omar", "Fatima", "Aïcha",
         "Mariam", "Sara", "Lena", "Hannah", "Emma", "Mia", "Sofia", "Lukas", "Jonas", "Elias", "Paul",
         "Ελένη", "Γιώργος", "Μαρία", "Дмитрий", "Анна", "Ольга", "Сергей", "محمد", "فاطمة", "יוסף", "שרה",
         "伟", "芳", "娜", "陽菜", "翔", "민준", "서연", "Mai", "Linh", "Chinedu", "Ngozi", "Kwame", "Ama",
         "Sean", "Siobhan", "Aoife", "Liam", "Olivia", "James", "Oliver", "George", "Harry", "Jack", "Isla",
         "Ava", "Freya", "Priya", "Arjun", "Ananya", "Rohan", "João", "Beatriz", "Gonçalo", "Mateo",
         "Valentina", "Lucía", "Martina", "Giulia", "Francesco", "Alessandro", "Zeynep", "Elif", "Mehmet",
         "Emre", "Aino", "Eero", "Sanna", "Astrid", "Erik", "Ingrid", "Lars", "प्रिया", "สมชาย", "さくら", "Łukasz"]
ZONES = ["frontal_hairline", "left_temporal", "right_temporal", "mid_scalp", "vertex", "left_parietal",
         "right_parietal", "occipital"]


# ------------------------------------------------------------------ statistics


def stats_ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
        "n": len(ordered),
    }


def ratio(value: float, floor: float) -> float | None:
    return round(value / floor, 2) if floor else None


# ------------------------------------------------------------------ the 100k database


def build_database(folder: Path) -> dict:
    """100,000 patients and 500,000 closed sessions, the same every time (``SEED``)."""
    from meso_kiosk.domain.lots import lot_key
    from meso_kiosk.domain.name_folding import name_key
    from meso_kiosk.domain.patient import phone_digits, search_key
    from meso_kiosk.services.kiosk import open_kiosk

    marker = folder / "benchmark-db.json"
    if marker.is_file():
        return json.loads(marker.read_text()) | {"reused": True}
    started = time.perf_counter()
    kiosk = open_kiosk(folder)  # the real schema, migrations and triggers
    kiosk.accounts.create_first_admin("Dr Amélie Laurent", ADMIN_PIN)  # so the lock screen shows a tile
    kiosk.close()

    rng = random.Random(SEED)
    db = sqlite3.connect(folder / "meso.db", isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")  # bulk load into a throw-away benchmark folder
    db.execute("PRAGMA journal_mode = MEMORY")  # the app turns WAL on again when it opens it
    consultant_id = db.execute("SELECT min(id) FROM consultants").fetchone()[0]
    for name in ("Sam Okafor", "Dr Ines Haddad", "Dr Jonas Weber"):
        db.execute("INSERT INTO consultants (display_name, created_at) VALUES (?, ?)", (name, "2024-01-01T08:00:00Z"))
    now = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    db.execute("BEGIN")
    rows = []
    for n in range(PATIENTS):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        if rng.random() < 0.15:  # double-barrelled names
            family = f"{family}-{rng.choice(FAMILY)}"
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 66))
        phone = f"+33 6 {rng.randrange(10**8):08d}" if rng.random() < 0.8 else None
        rows.append((given, family, born.isoformat(), rng.choice(["female", "male", None]), phone,
                     None, "en", phone_digits(phone), search_key(f"{given} {family}"), stamp,
                     (now - timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ")))
    db.executemany(
        "INSERT INTO patients (given_name, family_name, date_of_birth, sex_at_birth, phone, email,"
        " preferred_language, phone_digits, name_key, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    first_patient = db.execute("SELECT min(id) FROM patients").fetchone()[0]
    db.executemany("INSERT INTO patient_name_words (patient_id, words) VALUES (?, ?)",
                   [(first_patient + n, name_key(row[0], row[1])) for n, row in enumerate(rows)])
    sessions, zones, products = [], [], []
    session_id = (db.execute("SELECT coalesce(max(id), 0) FROM treatment_sessions").fetchone()[0]) + 1
    for k in range(SESSIONS):
        patient = first_patient + rng.randrange(PATIENTS)
        started_at = now - timedelta(days=rng.randrange(3 * 365), minutes=rng.randrange(600))
        iso = started_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        sessions.append((session_id, patient, consultant_id, iso, "chemical_syringe", 30, iso, iso))
        for zone in rng.sample(ZONES, 2):
            zones.append((session_id, zone, rng.randrange(10, 40), 2.0, 1.0))
        lot = f"LT-{rng.randrange(2000, 2400)}{rng.choice('ABC')}"
        products.append((session_id, "Peptide hair complex", lot, lot_key(lot), "2027-06-30", 1.5))
        session_id += 1
    db.executemany(
        "INSERT INTO treatment_sessions (id, patient_id, consultant_id, started_at, technique, duration_min,"
        " status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)", sessions)
    db.executemany("INSERT INTO session_zones (session_id, zone_id, injections, depth_mm, volume_ml)"
                   " VALUES (?, ?, ?, ?, ?)", zones)
    db.executemany("INSERT INTO session_products (session_id, product, lot_number, lot_key, expiry_date, volume_ml)"
                   " VALUES (?, ?, ?, ?, ?, ?)", products)
    # Closing after the children are in: the real triggers refuse children of a closed session.
    db.execute("UPDATE treatment_sessions SET status = 'closed', closed_at = started_at WHERE status = 'open'")
    db.execute("COMMIT")
    _vouch_for_bulk_rows(db, folder)
    db.execute("PRAGMA optimize")
    db.execute("ANALYZE")
    db.close()
    info = {"patients": PATIENTS, "sessions": SESSIONS, "zones": len(zones),
            "build_s": round(time.perf_counter() - started, 1),
            "db_mib": round((folder / "meso.db").stat().st_size / 2**20, 1)}
    marker.write_text(json.dumps(info))
    return info | {"reused": False}


def _vouch_for_bulk_rows(db: sqlite3.Connection, folder: Path) -> None:
    """One audit entry for each bulk record, vouching for its content, as the app's own writes do
    (audit-verify then checks them all); the anchor follows."""
    from meso_kiosk.store import audit
    from meso_kiosk.store.anchor import current_head, write_anchor
    from meso_kiosk.store.record_content import RECORDS, all_content_hashes

    key = audit.load_or_create_key(folder / "audit.key", create=False)
    vouched = set(db.execute("SELECT entity, entity_id FROM audit_log").fetchall())
    db.execute("BEGIN IMMEDIATE")
    for entity in RECORDS:
        for record, content in all_content_hashes(db, entity).items():
            if (entity, record) not in vouched:
                audit.append(db, key, at="2026-11-22T09:30:00.000000+00:00", actor="benchmark",
                             action="benchmark.bulk", entity=entity, entity_id=record, content=content)
    db.execute("COMMIT")
    write_anchor(folder / "audit.head", key, current_head(db))


# ------------------------------------------------------------------ search as you type


def _typed_queries(kiosk, rng: random.Random) -> list[str]:
    conn = kiosk.store.conn
    top = conn.execute("SELECT max(id) FROM patients").fetchone()[0]
    queries = []
    for _ in range(40):
        given, family, born, phone = conn.execute(
            "SELECT given_name, family_name, date_of_birth, phone FROM patients WHERE id >= ? LIMIT 1",
            (rng.randrange(1, top),)).fetchone()
        typed = f"{family} {given}"
        queries += [typed[:n] for n in range(1, len(typed) + 1) if not typed[:n].endswith(" ")]
        if phone and rng.random() < 0.3:
            digits = phone.replace(" ", "")
            queries += [digits[:n] for n in range(2, len(digits) + 1)]
        if rng.random() < 0.2:
            day = date.fromisoformat(born).strftime("%d/%m/%Y")
            queries.append(day)
    return queries


def bench_search(folder: Path, runs: int) -> dict:
    from meso_kiosk.services.kiosk import open_kiosk
    from meso_kiosk.store.patients import _fts_query

    kiosk = open_kiosk(folder)
    queries = _typed_queries(kiosk, random.Random(SEED + 1))
    conn = kiosk.store.conn
    for query in queries[:50]:  # warm the page cache, as a running kiosk has it
        kiosk.patients.search(query)
    app, floor, short = [], [], []
    for _ in range(runs):
        for query in queries:
            t0 = time.perf_counter()
            kiosk.patients.search(query)
            elapsed = time.perf_counter() - t0
            app.append(elapsed)
            if len(query.strip()) <= 2:
                short.append(elapsed)
            fts = _fts_query(query)
            if fts and not query[:1].isdigit() and not query.startswith("+"):
                t0 = time.perf_counter()
                conn.execute("SELECT rowid FROM patient_names_fts WHERE patient_names_fts MATCH ? LIMIT 50",
                             (fts,)).fetchall()
                floor.append(time.perf_counter() - t0)
    scripts = _script_search(kiosk, runs)
    count = kiosk.patients.count()
    kiosk.close()
    result = {"patients": count, "keystrokes": len(queries), "runs": runs, "app": stats_ms(app),
              "one_or_two_letters": stats_ms(short), "floor_fts5_prefix_50": stats_ms(floor),
              "target_p95_ms": 5.0, "scripts": scripts, "migration_0013": name_search.migration_ms(folder)}
    result["ratio_median"] = ratio(result["app"]["median_ms"], result["floor_fts5_prefix_50"]["median_ms"])
    result["ratio_p95"] = ratio(result["app"]["p95_ms"], result["floor_fts5_prefix_50"]["p95_ms"])
    result["met"] = result["app"]["p95_ms"] <= 5.0 and scripts["all"]["p95_ms"] <= 5.0
    return result


def _script_search(kiosk, runs: int) -> dict:
    """Names in ten scripts typed as people type them, and misses: per script, and all together."""
    queries = name_search.script_queries(random.Random(SEED + 2))
    for _, query in queries:  # warm
        kiosk.patients.search(query)
    by_group: dict[str, list[float]] = {}
    cpu: list[float] = []  # the thread's own CPU time: what the query costs, less waiting for a busy CPU
    found = set()
    for _ in range(runs):
        for group, query in queries:
            c0, t0 = time.thread_time(), time.perf_counter()
            hits = kiosk.patients.search(query)
            by_group.setdefault(group, []).append(time.perf_counter() - t0)
            cpu.append(time.thread_time() - c0)
            if hits and group != "miss":
                found.add(query)
    whole = [typed for _, typed in name_search.TYPED]
    result = {group: stats_ms(samples) for group, samples in sorted(by_group.items())}
    result["all"] = stats_ms([s for samples in by_group.values() for s in samples])
    result["all_cpu"] = stats_ms(cpu)
    result["load_average"] = os.getloadavg()[0]
    result["whole_names_found"] = f"{sum(typed in found for typed in whole)}/{len(whole)}"
    return result


# ------------------------------------------------------------------ export + seal


def _consulted_patient(folder: Path, sessions: int):
    """A patient with an intake, a signed consent and ``sessions`` closed sessions."""
    from meso_kiosk.services.self_test import HEADLESS_STEPS, SelfTestRun, claim_data_dir

    from tests.consultation import signed_earlier

    run = SelfTestRun(claim_data_dir(folder)[0])
    steps = {step.name: step for step in HEADLESS_STEPS}
    for name in ("open data folder", "seed patient", "complete intake", "consultant and PIN"):
        steps[name].run(run)
    kiosk = run.kiosk
    now = kiosk.clock.now_utc()
    # The consent before the first session (a fortnight apart, the oldest 14 * sessions days ago):
    # a session is never dated before the consent it relies on.
    with signed_earlier(kiosk, timedelta(days=14 * sessions + 2)):
        steps["sign consent"].run(run)
    for n in range(sessions):
        started = kiosk.sessions.start(run.patient.id, "bench", consultant_id=str(run.consultant.id))
        kiosk.sessions.close(run.patient.id, {
            "session_id": started.session_id, "started_at": now - timedelta(days=14 * n, hours=2),
            "consultant_id": str(run.consultant.id), "technique": "chemical_syringe", "numbing": "none",
            "zones": {ZONES[n % 8]: {"injections": 20, "depth_mm": 2.0, "volume_ml": 1.0},
                      ZONES[(n + 3) % 8]: {"injections": 15, "depth_mm": 1.5, "volume_ml": 1.0}},
            "products": [{"name": "Peptide hair complex", "lot": f"LT-{2290 + n}A", "expiry": "2027-12"}],
            "duration_min": 30, "side_effects": ["redness"] if n % 3 == 0 else [], "shedding": 1,
            "satisfaction": 4, "notes": f"Session {n + 1}.",
        }, "bench")
    # No course: protocols have at most 12 sessions, and 20 done is past any single course.
    return kiosk, run.patient.id


def bench_export(runs: int, warmup: int) -> dict:
    from export_pdf import _bare_reportlab_two_pages  # the floor of issue 7's benchmark

    with tempfile.TemporaryDirectory(prefix="meso-bench-export-") as folder:
        kiosk, patient_id = _consulted_patient(Path(folder) / "data", 20)
        t0 = time.perf_counter()
        kiosk.export.export_pdf(patient_id, "bench")
        first = time.perf_counter() - t0
        samples, last = [], []
        for n in range(warmup + runs):
            t0 = time.perf_counter()
            last.append(kiosk.export.export_pdf(patient_id, "bench"))
            if n >= warmup:
                samples.append(time.perf_counter() - t0)
        ok = kiosk.export.verify(last[-1].path).ok
        try:  # where the time goes: snapshot, render, seal, write + record (issue 7's breakdown)
            from export_pdf import _parts

            parts = _parts(kiosk, patient_id, max(5, runs // 2))
        except Exception as error:  # noqa: BLE001 - the breakdown is a bonus, not a figure
            parts = {"unavailable": f"{type(error).__name__}: {error}"}
        size = last[-1].path.stat().st_size
        sessions = len(kiosk.sessions.overview(patient_id).closed)
        kiosk.close()
    for _ in range(warmup):
        _bare_reportlab_two_pages()
    floor = []
    for _ in range(runs):
        t0 = time.perf_counter()
        _bare_reportlab_two_pages()
        floor.append(time.perf_counter() - t0)
    result = {"sessions": sessions, "first_export_ms": round(first * 1000, 1), "app": stats_ms(samples),
              "floor_reportlab_bare_2_pages": stats_ms(floor), "parts_median_ms": parts,
              "pdf_kib": size // 1024, "verify_ok": ok,
              "target_median_ms": 150.0}
    result["ratio_median"] = ratio(result["app"]["median_ms"], result["floor_reportlab_bare_2_pages"]["median_ms"])
    result["met"] = result["app"]["median_ms"] <= 150.0 and ok
    return result


# ------------------------------------------------------------------ painting


def _qt_app():
    from PySide6.QtWidgets import QApplication

    from meso_kiosk.ui.theme import apply_theme

    app = QApplication.instance() or QApplication(["meso-bench"])
    apply_theme(app)
    return app


def _bare_widget(width: int, height: int):
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QWidget

    class Bare(QWidget):
        def paintEvent(self, event):  # noqa: N802
            painter = QPainter(self)
            painter.fillRect(event.rect(), self.palette().window())
            painter.end()

    widget = Bare()
    widget.resize(width, height)
    return widget


def _repaints(widget, runs: int, shown=None) -> list[float]:
    """Time ``widget.repaint()`` (a synchronous paint of the whole widget) once it is on screen."""
    from PySide6.QtWidgets import QApplication

    (shown or widget).show()
    QApplication.processEvents()
    if not widget.isVisible():
        raise RuntimeError(f"{type(widget).__name__} is not visible: its repaint would cost nothing")
    for _ in range(5):
        widget.repaint()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        widget.repaint()
        samples.append(time.perf_counter() - t0)
    return samples


def bench_scalp_map(folder: Path, runs: int) -> dict:
    from meso_kiosk.services.kiosk import open_kiosk
    from meso_kiosk.ui.widgets.scalp_map_view import ScalpMapView

    app = _qt_app()
    kiosk = open_kiosk(folder)
    busiest = kiosk.store.conn.execute(
        "SELECT patient_id, count(*) AS n FROM treatment_sessions GROUP BY patient_id ORDER BY n DESC LIMIT 1"
    ).fetchone()
    kiosk.sessions.history_counts(busiest[0])  # warm
    t0 = time.perf_counter()
    counts = kiosk.sessions.history_counts(busiest[0])
    history_ms = (time.perf_counter() - t0) * 1000
    view = ScalpMapView(kiosk.sessions.geometry)
    view.resize(560, 640)
    view.set_history(counts)
    view.set_history_visible(True)
    view.set_selected(list(counts)[:3])
    samples = _repaints(view.viewport(), runs, shown=view)
    # A tap changes the selection: the cached zones are drawn again once (the costly repaint).
    first_three, first_two = list(counts)[:3], list(counts)[:2]
    after_tap = []
    for n in range(runs):
        t0 = time.perf_counter()
        view.set_selected(first_two if n % 2 else first_three)
        view.viewport().repaint()
        after_tap.append(time.perf_counter() - t0)
    floor = _repaints(_bare_widget(560, 640), runs)
    view.close()
    kiosk.close()
    del app
    result = {"patient_sessions": busiest[1], "zones_with_history": len(counts),
              "history_query_ms": round(history_ms, 2), "app": stats_ms(samples),
              "after_tap": stats_ms(after_tap),
              "floor_bare_widget_repaint": stats_ms(floor), "target_ms": round(FRAME_MS, 1)}
    result["ratio_median"] = ratio(result["app"]["median_ms"], result["floor_bare_widget_repaint"]["median_ms"])
    result["ratio_after_tap"] = ratio(result["after_tap"]["median_ms"], result["floor_bare_widget_repaint"]["median_ms"])
    result["met"] = result["app"]["p95_ms"] < FRAME_MS / 2 and result["after_tap"]["p95_ms"] < FRAME_MS
    return result


def _pen_events(widget, points: int) -> list[float]:
    """Press, ``points`` moves (each followed by the paint it asks for), release; time per move."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    def send(kind, x, y, buttons):
        point = QPointF(x, y)
        event = QMouseEvent(kind, point, widget.mapToGlobal(point), Qt.MouseButton.LeftButton, buttons,
                            Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, event)

    width, height = widget.width(), widget.height()
    send(QEvent.Type.MouseButtonPress, 20, height / 2, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    samples = []
    for n in range(points):  # a looping scribble across the box, ~2 px apart like a fast pen
        x = 20 + (n * 2.3) % (width - 40)
        y = height / 2 + (height / 3) * math.sin(n / 9)
        t0 = time.perf_counter()
        send(QEvent.Type.MouseMove, x, y, Qt.MouseButton.LeftButton)
        QApplication.processEvents()  # the paint the move asked for
        samples.append(time.perf_counter() - t0)
    send(QEvent.Type.MouseButtonRelease, x, y, Qt.MouseButton.NoButton)
    QApplication.processEvents()
    return samples


def bench_signature_pad(runs: int) -> dict:
    try:
        from meso_kiosk.ui.widgets.signature_pad import SignaturePad
    except ImportError as error:
        return {"skipped": f"no SignaturePad yet ({error})"}
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication, QWidget

    app = _qt_app()
    pad = SignaturePad("Benchmark signature")
    pad.resize(900, 360)
    pad.show()
    QApplication.processEvents()
    canvas = getattr(pad, "canvas", pad)
    _pen_events(canvas, 50)  # warm-up
    samples = []
    for _ in range(runs):
        pad.clear()
        QApplication.processEvents()
        samples += _pen_events(canvas, 300)
    points = sum(len(stroke) for stroke in pad.strokes().strokes) if hasattr(pad.strokes(), "strokes") else None

    class BareTracker(QWidget):
        def event(self, event):
            if event.type() == QEvent.Type.MouseMove:
                position = event.position()
                self.update(int(position.x()) - 8, int(position.y()) - 8, 16, 16)
                return True
            return super().event(event)

    bare = _bare_widget(900, 300)
    tracker = BareTracker(bare)
    tracker.resize(900, 300)
    bare.show()
    QApplication.processEvents()
    floor = []
    for _ in range(runs):
        floor += _pen_events(tracker, 300)
    pad.close()
    bare.close()
    del app
    result = {"moves": len(samples), "points_in_last_signature": points, "app": stats_ms(samples),
              "floor_bare_widget_update": stats_ms(floor), "target_ms": round(FRAME_MS, 1)}
    result["ratio_median"] = ratio(result["app"]["median_ms"], result["floor_bare_widget_update"]["median_ms"])
    result["met"] = result["app"]["p95_ms"] < FRAME_MS / 2
    return result


# ------------------------------------------------------------------ cold start and memory (child processes)

# Both children report the same moments the same way: an event filter on the main window
# notes its first Paint (a window paints before its children, in the same pass); a
# zero-time timer after it fires once that whole first frame has been painted. The parent
# took the monotonic clock just before starting the process, so process start
# (interpreter, imports, database, building the window) is inside the figure.
#
# The filter sits on the window alone, not on the application: an application filter in
# Python is called for every event of the first show, and PySide builds a Python class
# (with all its enums) for each kind of object such an event reaches, measured at ~40 ms
# for the bare window and more for the app's, a cost of the measuring and not of either
# program. And the app child starts as ``meso-kiosk`` does: the command line is read
# first, then the window's modules are imported where ``meso-kiosk`` imports them
# (``ui.startup.run_gui``, the garbage collector off), and only then the harness's own
# PySide6 imports. Importing the app (and so PySide6) before reading the command line
# made the reading pay PySide's import hook (it reads the source of every module
# imported after it).
_PRELUDE = r"""
import os, resource, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

IDLE_MS = int(os.environ.get("BENCH_IDLE_MS", "0"))

class FirstFrame(QObject):
    def __init__(self, window):
        super().__init__()
        self.window, self.done = window, False
    def eventFilter(self, obj, event):
        if not self.done and obj is self.window and event.type() == QEvent.Type.Paint:
            self.done = True
            if os.environ.get("BENCH_EXIT_AT_PAINT"):  # counting instructions: stop at the first paint
                print("PAINTED", flush=True)
                os._exit(0)
            QTimer.singleShot(0, self.painted)
        return False
    def painted(self):
        print("FRAME", time.monotonic(), flush=True)
        heavy = [m for m in ("reportlab", "pyhanko", "cryptography", "lxml", "PIL", "icalendar") if m in sys.modules]
        print("HEAVY", ",".join(heavy) or "-", flush=True)
        self.ready()
    def ready(self):
        # The app builds its pages right after the first frame (the lock screen): "ready"
        # is when they exist and a PIN could be typed (the bare window is ready at once).
        if not getattr(self.window, "pages_built", True):
            QTimer.singleShot(5, self.ready)
            return
        print("READY", time.monotonic(), flush=True)
        QTimer.singleShot(IDLE_MS, self.idle)
    def idle(self):
        status = open("/proc/self/status").read().split("\n")
        rss = {line.split(":")[0]: int(line.split()[1]) for line in status if line.startswith(("VmHWM", "VmRSS"))}
        print("MEMORY", rss.get("VmHWM", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss), rss.get("VmRSS", 0), flush=True)
        QApplication.instance().quit()

def watch(window):
    watcher = FirstFrame(window)
    window.installEventFilter(watcher)
    window._bench_watcher = watcher
"""

CHILD_APP = r"""
import sys
from meso_kiosk import cli

class WatchTheStart:
    # Finds the window's start module for the import system and watches the window it
    # shows first, the import itself left where ``meso-kiosk`` makes it (``ui.startup``).
    def find_spec(self, name, path, target=None):
        if name != "meso_kiosk.ui.startup.launch":
            return None
        sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(name)
        run_module = spec.loader.exec_module
        def run_and_watch(module):
            run_module(module)
            exec(PRELUDE, globals())
            build = module.start_window
            def build_and_watch(*a, **k):
                window = build(*a, **k)
                watch(window)
                return window
            module.start_window = build_and_watch
        spec.loader.exec_module = run_and_watch
        return spec

sys.meta_path.insert(0, WatchTheStart())
PRELUDE = {prelude!r}
sys.exit(cli.main(["--data-dir", *sys.argv[1:]]))
""".replace("{prelude!r}", repr(_PRELUDE))

CHILD_FLOOR = _PRELUDE + r"""
from PySide6.QtWidgets import QLabel, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.setCentralWidget(QLabel("Meso Kiosk"))
watch(window)
window.resize(1280, 800)
window.show()
sys.exit(app.exec())
"""

# ``meso-kiosk --kiosk``'s floor: a bare window shown the same way, full screen without a
# frame (the frameless hint is a Qt enum, so this floor builds PySide's Qt namespace too).
CHILD_FLOOR_KIOSK = CHILD_FLOOR.replace(
    "window.resize(1280, 800)\nwindow.show()",
    "from PySide6.QtCore import Qt\nwindow.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)\n"
    "window.showFullScreen()")


def _child_command(code: str, folder: Path | None, *options: str) -> list[str]:
    return [sys.executable, "-c", code, *([str(folder)] if folder else []), *options]


def _child(code: str, folder: Path | None, idle_ms: int, *options: str) -> dict:
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "BENCH_IDLE_MS": str(idle_ms)}
    env.pop("BENCH_EXIT_AT_PAINT", None)  # (set for _instructions' children only)
    args = _child_command(code, folder, *options)
    start = time.monotonic()
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, cwd=HERE.parent)
    out = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in done.stdout.splitlines() if " " in line}
    if "FRAME" not in out:
        raise RuntimeError(f"child failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    peak, rss = (int(v) for v in out["MEMORY"].split()) if "MEMORY" in out else (0, 0)
    ready = float(out["READY"]) - start if "READY" in out else None
    return {"frame_s": float(out["FRAME"]) - start, "ready_s": ready, "heavy": out.get("HEAVY", "?"), "peak_kib": peak, "rss_kib": rss}


def _small_clinic(folder: Path) -> Path:
    """A clinic-sized data folder: the demo (two consultants, ~20 patients)."""
    from meso_kiosk.services.demo.seed import seed_demo
    from meso_kiosk.services.kiosk import open_kiosk

    small = folder.parent / "small-clinic"
    if not (small / "meso.db").exists():
        kiosk = open_kiosk(small)
        seed_demo(kiosk)
        kiosk.close()
    return small


def _quick_check_ms(folder: Path) -> float:
    """What the database's open-time integrity check (PRAGMA quick_check) costs alone."""
    samples = []
    for _ in range(3):
        db = sqlite3.connect(f"file:{folder / 'meso.db'}?mode=ro", uri=True)
        t0 = time.perf_counter()
        db.execute("PRAGMA quick_check").fetchall()
        samples.append(time.perf_counter() - t0)
        db.close()
    return round(statistics.median(samples) * 1000, 1)


COLD_START_TARGET = 1.3  # times the bare window's start


def _instructions(code: str, folder: Path | None) -> int | None:
    """Instructions a child executes up to its window's first paint, counted by callgrind
    (valgrind): the same count run after run, where this machine's start times move by
    +-10 %. None without valgrind."""
    if shutil.which("valgrind") is None:
        return None
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "BENCH_EXIT_AT_PAINT": "1", "PYTHONHASHSEED": "0"}
    args = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *_child_command(code, folder)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600, cwd=HERE.parent)
    counted = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if done.returncode != 0 or "PAINTED" not in done.stdout.split() or counted is None:
        # (callgrind counts a child that failed before its first paint too)
        raise RuntimeError(f"the child did not paint under callgrind ({done.returncode}): "
                           f"{done.stderr.strip()[-400:]}")
    return int(counted.group(1))


def _paired(app: list[dict], floor: list[dict]) -> float:
    return round(statistics.median(a["frame_s"] / f["frame_s"] for a, f in zip(app, floor, strict=True)), 2)


def bench_cold_start(folder: Path, runs: int) -> dict:
    # An installed app starts from compiled bytecode; with PYTHONDONTWRITEBYTECODE set (as on
    # some CI machines) every edited module would be compiled again at each measured start.
    import compileall

    import meso_kiosk

    compileall.compile_dir(str(Path(meso_kiosk.__file__).parent), quiet=1)
    small = _small_clinic(folder)
    _child(CHILD_FLOOR, None, 0)  # the first start of all fills the OS file cache
    _child(CHILD_APP, folder, 0)
    _child(CHILD_APP, small, 0)
    app, app_small, floor, kiosk, floor_kiosk = [], [], [], [], []
    for _ in range(runs):  # alternated, so a busy moment of the machine hits them all
        floor.append(_child(CHILD_FLOOR, None, 0))
        app_small.append(_child(CHILD_APP, small, 0))
        app.append(_child(CHILD_APP, folder, 0))
        floor_kiosk.append(_child(CHILD_FLOOR_KIOSK, None, 0))
        kiosk.append(_child(CHILD_APP, small, 0, "--kiosk"))
    result = {"app_small_clinic": stats_ms([r["frame_s"] for r in app_small]),
              "app_100k": stats_ms([r["frame_s"] for r in app]),
              "floor_bare_pyside6_window": stats_ms([r["frame_s"] for r in floor]),
              "app_small_clinic_pages_built": stats_ms([r["ready_s"] or r["frame_s"] for r in app_small]),
              "app_100k_pages_built": stats_ms([r["ready_s"] or r["frame_s"] for r in app]),
              "app_kiosk_mode_small_clinic": stats_ms([r["frame_s"] for r in kiosk]),
              "floor_bare_frameless_full_screen": stats_ms([r["frame_s"] for r in floor_kiosk]),
              "quick_check_100k_ms": _quick_check_ms(folder), "quick_check_small_ms": _quick_check_ms(small),
              "heavy_modules_before_first_frame": app_small[-1]["heavy"], "target_ratio": COLD_START_TARGET}
    floor_ms = result["floor_bare_pyside6_window"]["median_ms"]
    result["ratio_small_clinic"] = ratio(result["app_small_clinic"]["median_ms"], floor_ms)
    result["ratio_100k"] = ratio(result["app_100k"]["median_ms"], floor_ms)
    result["ratio_kiosk_mode"] = ratio(result["app_kiosk_mode_small_clinic"]["median_ms"],
                                       result["floor_bare_frameless_full_screen"]["median_ms"])
    # Each app start beside the floor's start just before it: the machine's slow drifts (a
    # busy neighbour) cancel out of these ratios, which the ratio of the medians keeps.
    result["paired_ratios_median"] = {"small_clinic": _paired(app_small, floor), "100k": _paired(app, floor),
                                      "kiosk_mode": _paired(kiosk, floor_kiosk)}
    # The verdict is the paired ratios': the ratio of two medians taken minutes apart carries
    # whatever the machine did meanwhile (issue 18 asks for the paired ratio).
    result["met"] = all((value or 99) <= COLD_START_TARGET for value in result["paired_ratios_median"].values())
    try:  # a supporting figure: its failure must not lose the figures measured above
        app_count, floor_count = _instructions(CHILD_APP, small), _instructions(CHILD_FLOOR, None)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
        result["instructions_to_first_paint"] = {"failed": str(error)[:300]}
        return result
    result["instructions_to_first_paint"] = (
        {"skipped": "valgrind is not installed"} if app_count is None else
        {"app_small_clinic": app_count, "floor_bare_pyside6_window": floor_count,
         "ratio": round(app_count / floor_count, 3)})
    return result


def bench_memory(folder: Path, runs: int) -> dict:
    app, floor = [], []
    for _ in range(runs):
        floor.append(_child(CHILD_FLOOR, None, 2000))
        app.append(_child(CHILD_APP, folder, 2000))
    mib = lambda values: round(statistics.median(values) / 1024, 1)  # noqa: E731
    result = {"app_peak_mib": mib([r["peak_kib"] for r in app]), "app_idle_rss_mib": mib([r["rss_kib"] for r in app]),
              "floor_peak_mib": mib([r["peak_kib"] for r in floor]),
              "floor_idle_rss_mib": mib([r["rss_kib"] for r in floor]), "target_mib": 150, "runs": runs}
    result["ratio_peak"] = ratio(result["app_peak_mib"], result["floor_peak_mib"])
    result["met"] = result["app_peak_mib"] <= 150
    return result


from actions import actions_table, bench_actions  # noqa: E402 (benchmarks/ is on the path above)


# ------------------------------------------------------------------ report


def table(results: dict) -> str:
    rows = [("figure", "app", "floor", "ratio", "target", "met")]

    def add(name, key, app_value, floor_value, ratio_value, target, *, ratio_at_most: float | None = None):
        """A row; its verdict is the figure's own (``ratio_at_most``) or its benchmark's, none without a target."""
        entry = results.get(key)
        if not entry or "skipped" in entry:
            rows.append((name, "skipped", "", "", target, ""))
            return
        met = entry.get("met") if ratio_at_most is None else (ratio_value(entry) or 99) <= ratio_at_most
        rows.append((name, app_value(entry), floor_value(entry), f"{ratio_value(entry)}x", target,
                     ("yes" if met else "NO") if target else ""))

    def ms(part: str, digits: int, stat: str = "median_ms"):
        return lambda entry: f"{entry[part][stat]:.{digits}f} ms"

    def mib(key: str):
        return lambda entry: f"{entry[key]:.0f} MiB"

    def given(key: str):
        return lambda entry: entry[key]

    window = ms("floor_bare_pyside6_window", 0)
    start = {"target": f"<= {COLD_START_TARGET}x", "ratio_at_most": COLD_START_TARGET}
    def paired(key):  # the ratio column: each start beside the floor's start just before it
        return lambda entry: entry["paired_ratios_median"][key]

    add("cold start, demo-sized clinic, median", "cold_start", ms("app_small_clinic", 0), window,
        paired("small_clinic"), **start)
    add("cold start, 100k patients, median", "cold_start", ms("app_100k", 0), window, paired("100k"), **start)
    add("cold start, --kiosk (full screen, frameless)", "cold_start", ms("app_kiosk_mode_small_clinic", 0),
        ms("floor_bare_frameless_full_screen", 0), paired("kiosk_mode"), **start)
    counted = results.get("cold_start", {}).get("instructions_to_first_paint", {})
    if "ratio" in counted:
        rows.append(("  (instructions to it, callgrind, demo clinic)", f"{counted['app_small_clinic'] / 1e6:.0f} M",
                     f"{counted['floor_bare_pyside6_window'] / 1e6:.0f} M", f"{counted['ratio']}x", "", ""))
    add("  (pages built after it, demo clinic)", "cold_start", ms("app_small_clinic_pages_built", 0), window,
        lambda e: ratio(e["app_small_clinic_pages_built"]["median_ms"], e["floor_bare_pyside6_window"]["median_ms"]),
        "")
    fts5 = "floor_fts5_prefix_50"
    add("search per keystroke, median", "search", ms("app", 2), ms(fts5, 2), given("ratio_median"), "")
    add("search per keystroke, p95", "search", ms("app", 2, "p95_ms"), ms(fts5, 2, "p95_ms"), given("ratio_p95"),
        "p95 <= 5 ms")
    if "scripts" in results.get("search", {}):
        scripts, migrated = results["search"]["scripts"]["all"], results["search"]["migration_0013"]
        rows.append(("  (names in ten scripts + misses, median / p95)", f"{scripts['median_ms']:.2f} ms",
                     f"{scripts['p95_ms']:.2f} ms", "", "p95 <= 5 ms", "yes" if scripts["p95_ms"] <= 5 else "NO"))
        rows.append(("  (migration 0013 on the patients)", f"{migrated['ms']:.0f} ms", "", "", "", ""))
    add("export + seal, 20 sessions, median", "export", ms("app", 1), ms("floor_reportlab_bare_2_pages", 1),
        given("ratio_median"), "<= 150 ms")
    repaint = ms("floor_bare_widget_repaint", 2)
    add("scalp map repaint, full history", "scalp_map", ms("app", 2), repaint, given("ratio_median"), "<< 16.7 ms")
    add("  (the repaint after a tap, median)", "scalp_map", ms("after_tap", 2), repaint, given("ratio_after_tap"),
        "< 16.7 ms")
    add("signature pad, per pen move", "signature_pad", ms("app", 3), ms("floor_bare_widget_update", 3),
        given("ratio_median"), "<< 16.7 ms")
    add("peak RSS, idle, 100k patients", "memory", mib("app_peak_mib"), mib("floor_peak_mib"), given("ratio_peak"),
        "<= 150 MiB")
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(cell).ljust(w) if i == 0 else str(cell).rjust(w) for i, (cell, w) in
                       enumerate(zip(row, widths))) for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


BENCHES = ("search", "export", "scalp_map", "signature_pad", "cold_start", "memory", "actions")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (child processes for start/memory)")
    parser.add_argument("--data-dir", type=Path, help="benchmark data folder to build once and reuse")
    parser.add_argument("--json", type=Path, default=HERE / "results.json")
    parser.add_argument("--only", nargs="+", choices=BENCHES, default=list(BENCHES))
    args = parser.parse_args(argv)

    temporary = None
    if args.data_dir is None:
        temporary = tempfile.TemporaryDirectory(prefix="meso-bench-")
        args.data_dir = Path(temporary.name) / "data"
    results: dict = {"machine": {"python": platform.python_version(), "platform": platform.platform(),
                                 "cpus": os.cpu_count()},
                     "when": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    print(f"database: {args.data_dir}", flush=True)
    results["database"] = build_database(args.data_dir)
    print(f"database: {results['database']}", flush=True)
    plan = {
        "search": lambda: bench_search(args.data_dir, max(3, args.runs // 2)),
        "export": lambda: bench_export(max(15, args.runs * 3), 3),
        "scalp_map": lambda: bench_scalp_map(args.data_dir, 200),
        "signature_pad": lambda: bench_signature_pad(max(3, args.runs // 2)),
        "cold_start": lambda: bench_cold_start(args.data_dir, args.runs),
        "memory": lambda: bench_memory(args.data_dir, max(3, args.runs // 2)),
        "actions": lambda: bench_actions(args.data_dir, max(20, args.runs), ADMIN_PIN),
    }
    for name in args.only:
        started = time.perf_counter()
        results[name] = plan[name]()
        results[name]["bench_s"] = round(time.perf_counter() - started, 1)
        print(f"{name}: {json.dumps(results[name])}", flush=True)
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print()
    print(table(results))
    if "actions" in results:
        print()
        print(actions_table(results["actions"]))
    print(f"\nJSON: {args.json}")
    if temporary is not None:
        temporary.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
