"""What the tamper evidence costs: ``audit-verify`` on the 100,000-patient database, and one write
with its content hash and anchor, beside the same write without them.

- ``audit_verify``: ``meso-kiosk audit-verify`` (schema, the whole chain, every record's content
  against its latest entry, the anchor) in a child process, on the benchmark database of
  ``run.py`` (100,000 patients, 500,000 closed sessions; their entries are the baseline a
  migrated installation gets). Wall time of the command, median of ``--runs``.
- ``write``: one audited write as the app makes them all the time (a patient's phone number
  corrected, ``PatientService.correct``): median and p95 over ``--writes``; then the same without
  the content hash, the check of the record against its last entry, and the anchor, to show what
  these add.

Writes a table and JSON (default ``benchmarks/audit_verify.json``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from run import build_database, stats_ms  # noqa: E402 (the benchmark database of run.py)


def bench_audit_verify(folder: Path, runs: int) -> dict:
    times, line = [], ""
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "meso_kiosk", "audit-verify", "--data-dir", str(folder)],
                              capture_output=True, text=True, timeout=3600)
        times.append(time.perf_counter() - started)
        if done.returncode:
            raise SystemExit(f"audit-verify failed on the benchmark database: {done.stderr.strip()}")
        line = done.stdout.strip()
    rows = _count(folder)
    return {"median_s": round(statistics.median(times), 2), "min_s": round(min(times), 2), "runs": runs,
            "audit_rows": rows, "result": line, "chain_only_s": _chain_only(folder)}


def _chain_only(folder: Path) -> float:
    """The chain without the records' content: what a backup checks of its copy."""
    import sqlite3

    from meso_kiosk.store import audit

    conn = sqlite3.connect(f"file:{folder / 'meso.db'}?mode=ro", uri=True)
    try:
        key = audit.load_or_create_key(folder / "audit.key", create=False)
        started = time.perf_counter()
        assert audit.verify(conn, key, contents=False).ok
        return round(time.perf_counter() - started, 2)
    finally:
        conn.close()


def _count(folder: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(folder / "meso.db")
    try:
        return conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    finally:
        conn.close()


def _writes(kiosk, patient_id: int, count: int) -> list[float]:
    times = []
    for n in range(count):
        form = {"given_name": "Claire", "family_name": "Dubois", "date_of_birth": "1986-04-12",
                "phone": f"+33 6 12 34 {n % 100:02d} {n // 100 % 100:02d}"}
        started = time.perf_counter()
        kiosk.patients.correct(patient_id, form, "benchmark")
        times.append(time.perf_counter() - started)
    return times


def bench_write(folder: Path, count: int) -> dict:
    from meso_kiosk.services.kiosk import open_kiosk
    from meso_kiosk.store import audit, record_content

    kiosk = open_kiosk(folder)
    try:
        patient = kiosk.patients.register({"given_name": "Claire", "family_name": "Dubois",
                                           "date_of_birth": "1986-04-12"}, "benchmark")
        _writes(kiosk, patient.id, 5)  # warm-up
        full = _writes(kiosk, patient.id, count)
        hashed, checked = record_content.content_hash, audit.unvouched_record
        anchor_path = kiosk.store.anchor_path
        record_content.content_hash = lambda conn, entity, record: None
        audit.unvouched_record = lambda *args, **kwargs: None
        kiosk.store.anchor_path = None
        try:
            bare = _writes(kiosk, patient.id, count)
        finally:
            record_content.content_hash, audit.unvouched_record = hashed, checked
            kiosk.store.anchor_path = anchor_path
        _writes(kiosk, patient.id, 1)  # the anchor catches up before the folder is used again
    finally:
        kiosk.close()
    return {"with_content_check_and_anchor": stats_ms(full), "without_them": stats_ms(bare)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="audit-verify runs")
    parser.add_argument("--writes", type=int, default=200, help="writes per variant")
    parser.add_argument("--data-dir", type=Path, help="benchmark data folder to build once and reuse")
    parser.add_argument("--json", type=Path, default=HERE / "audit_verify.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="meso-bench-") as scratch:
        folder = args.data_dir or Path(scratch) / "data"
        database = build_database(folder)
        results = {"database": database, "audit_verify": bench_audit_verify(folder, args.runs)}
        with tempfile.TemporaryDirectory(prefix="meso-bench-write-") as small:
            results["write_small_db"] = bench_write(Path(small), args.writes)
        results["write_100k_db"] = bench_write(folder, args.writes)
    verify = results["audit_verify"]
    print(f"audit-verify, 100k patients ({verify['audit_rows']:,} audit rows): median {verify['median_s']} s "
          f"(min {verify['min_s']} s, {verify['runs']} runs); the chain alone (what a backup checks) "
          f"{verify['chain_only_s']} s")
    print(f"{'one audited write (PatientService.correct)':48} {'median ms':>10} {'p95 ms':>8}")
    for where in ("write_small_db", "write_100k_db"):
        for variant, figures in results[where].items():
            label = f"{where.removeprefix('write_')}: {variant.replace('_', ' ')}"
            print(f"{label:48} {figures['median_ms']:>10.2f} {figures['p95_ms']:>8.2f}")
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
