"""Names found as typed, on the 100,000-patient database (issue 24 point 3): used by ``run.py``'s
``search`` group.

- ``script_queries``: names in ten scripts typed as a receptionist types them, letter by letter
  (Han, kana and Hangul names whole without a space, family first; Latin names folded, "lukasz"
  for Łukasz; Arabic with ه for ة and without ال), and misses in each script: every keystroke
  is one query through ``PatientService.search``.
- ``migration_ms``: migration 0013 on a copy of the database taken back to schema 12 (its
  derived tables and index dropped, the old index rebuilt), timed from ``apply_migrations``'s
  call to its return: the one pass that fills the search words of every patient.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

# (script, typed as people type it): names the database holds (run.py's GIVEN and FAMILY).
TYPED = [
    ("Latin", "lukas nowak"), ("Latin", "ozturk"), ("Latin", "nguyen mai"), ("Latin", "muller"),
    ("Greek", "ελενη παπαδοπουλου"), ("Greek", "γεωργιου"),
    ("Cyrillic", "анна иванова"), ("Cyrillic", "смирнов"),
    ("Arabic", "فاطمه حداد"), ("Arabic", "محمد خليل"),
    ("Hebrew", "שרה כהן"), ("Hebrew", "לוי"),
    ("Han", "王伟"), ("Han", "陳芳"), ("Han", "李娜"),
    ("Kana", "佐藤さくら"), ("Kana", "やまだ"),
    ("Hangul", "김민준"), ("Hangul", "이서연"),
    ("Devanagari", "प्रिया शर्मा"), ("Devanagari", "शर्मा"),
    ("Thai", "สมชาย ใจดี"), ("Thai", "ใจดี"),
]
MISSES = ["zyxwvut", "qqqq", "ωωωω", "щщщщ", "ضضضض", "ץץץץ", "龘龘", "ゑゑゑ", "뷁뷁", "ङङङ", "ฃฃฃ",
          "nowak zzz", '"NEAR*', "'; DROP TABLE patients; --", "😬🙏"]


def script_queries(rng: random.Random) -> list[tuple[str, str]]:
    """(group, query): every prefix of every typed name, each miss whole and by its prefixes."""
    queries = []
    for script, typed in TYPED:
        queries += [(script, typed[:n]) for n in range(1, len(typed) + 1) if not typed[:n].endswith(" ")]
    for miss in MISSES:
        queries += [("miss", miss[:n]) for n in range(2, len(miss) + 1)]
    rng.shuffle(queries)
    return queries


def _back_to_schema_12(path: Path) -> None:
    from sqlite_utils import Database

    from meso_kiosk.store import migrations

    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript("""
    DROP TABLE patient_names_fts; DROP TABLE patient_name_words; DROP TABLE patient_name_orders;
    DELETE FROM _sqlite_migrations WHERE name = '0013_names_as_written';
    """)
    migrations._step_0008_patient_search_prefixes(Database(conn))  # the index 0013 replaces, rebuilt
    conn.execute("PRAGMA user_version = 12")
    conn.close()


def migration_ms(folder: Path) -> dict:
    """Migration 0013 on a copy of the benchmark database at schema 12."""
    from meso_kiosk.store.migrations import apply_migrations

    with tempfile.TemporaryDirectory(prefix="meso-bench-0013-") as scratch:
        copy = Path(scratch) / "meso.db"
        shutil.copyfile(folder / "meso.db", copy)
        _back_to_schema_12(copy)
        conn = sqlite3.connect(copy)
        patients = conn.execute("SELECT count(*) FROM patients").fetchone()[0]
        started = time.perf_counter()
        applied = apply_migrations(conn)
        elapsed = time.perf_counter() - started
        words = conn.execute("SELECT count(*) FROM patient_name_words").fetchone()[0]
        conn.close()
    return {"patients": patients, "applied": applied, "filled": words, "ms": round(elapsed * 1000, 1)}
