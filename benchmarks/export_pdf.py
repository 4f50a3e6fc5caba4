"""Benchmark: export + seal of a consultation summary, beside ReportLab's own floor.

    python benchmarks/export_pdf.py [--runs 30] [--warmup 3] [--sessions 20] [--json FILE]

Measures, in a fresh temporary data folder:
- the first export of the process (imports, font registration, seal creation);
- the median / p95 of later exports (``ExportService.export_pdf``: snapshot, render,
  seal, atomic write with fsync, ``documents`` row and audit entry);
- the same for a patient with a whole consultation recorded through the services
  (``tests/consultation.py``: intake with an override, signed consent, course,
  ``--sessions`` closed sessions with a correction): every section, the scalp map;
- where that time goes (snapshot, render, seal, write+record), median of each;
- the floor: ReportLab building a bare two-page document with its built-in font.
Target (issue 7): median under 150 ms after the first export.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 2),
        "min_ms": round(ordered[0] * 1000, 2),
        "runs": len(ordered),
    }


def _timed(action, runs: int, warmup: int, cpu: list[float] | None = None) -> list[float]:
    """Wall-clock seconds per run; ``cpu`` collects this process's CPU seconds per run too
    (steadier than wall time when other work shares the machine's cores)."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        samples.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
    return samples


def _bare_reportlab_two_pages() -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    style = getSampleStyleSheet()["BodyText"]
    story = [Paragraph("Consultation summary", style), PageBreak(), Paragraph("Page two", style)]
    SimpleDocTemplate(io.BytesIO(), pagesize=A4).build(story)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--json", type=Path, default=Path("export_pdf.json"), help="where to write the figures")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="meso-bench-") as folder:
        start = time.perf_counter()
        from meso_kiosk.services.kiosk import open_kiosk

        from argon2 import PasswordHasher

        from tests.consultation import record_consultation

        # Cheap PIN hashing: the consent's countersignature is set-up here, not what is measured.
        kiosk = open_kiosk(Path(folder) / "data", pin_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        patient = kiosk.patients.register(
            {"given_name": "Ελένη", "family_name": "Παπαδοπούλου 王", "date_of_birth": "1980-02-03"}, "bench")
        opened = time.perf_counter() - start
        rich = kiosk.patients.register(
            {"given_name": "Claire", "family_name": "Dubois-Ελένη", "date_of_birth": "1986-04-12"}, "bench")
        record_consultation(kiosk, rich.id, sessions=args.sessions)

        start = time.perf_counter()
        kiosk.export.export_pdf(patient.id, "bench")
        first = time.perf_counter() - start

        lite = _timed(lambda: kiosk.export.export_pdf(patient.id, "bench"), args.runs, args.warmup)
        last = []
        cpu: list[float] = []
        full = _timed(lambda: last.append(kiosk.export.export_pdf(rich.id, "bench")), args.runs, args.warmup, cpu)
        report = kiosk.export.verify(last[-1].path)
        pages = _pages(last[-1].path)
        parts = _parts(kiosk, rich.id, args.runs)
        kiosk.close()

    floor = _timed(_bare_reportlab_two_pages, args.runs, args.warmup)
    results = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "load_average": _load(), "cpus": _cpus()},
        "open_kiosk_s": round(opened, 3),
        "first_export_ms": round(first * 1000, 1),
        "export_identity_only": _stats(lite),
        f"export_{args.sessions}_sessions": _stats(full) | {"pages": pages},
        f"export_{args.sessions}_sessions_cpu": _stats(cpu),
        f"parts_{args.sessions}_sessions_median_ms": parts,
        "floor_reportlab_bare_2_pages": _stats(floor),
        "ratio_full_to_floor": round(statistics.median(full) / statistics.median(floor), 1),
        "target_median_ms": 150,
        "verify_ok": report.ok,
    }
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")

    rows = [
        ("first export (imports, fonts, new seal)", f"{results['first_export_ms']:.1f}", "", ""),
        ("export + seal, identity only", *_row(results["export_identity_only"])),
        (f"export + seal, {args.sessions} sessions ({pages} pages)", *_row(results[f"export_{args.sessions}_sessions"])),
        ("  the same, CPU time of this process", *_row(results[f"export_{args.sessions}_sessions_cpu"])),
        ("floor: ReportLab bare 2 pages", *_row(results["floor_reportlab_bare_2_pages"])),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'median ms':>9}  {'p95 ms':>7}  {'min ms':>7}")
    for name, *figures in rows:
        print(f"{name:<{width}}  {figures[0]:>9}  {figures[1]:>7}  {figures[2]:>7}")
    print("  where it goes (median ms): " + ", ".join(f"{name} {ms:.1f}" for name, ms in parts.items()))
    print(f"machine load average: {', '.join(f'{x:.2f}' for x in _load())} on {_cpus()} cores")
    print(f"{args.sessions}-session export / floor: {results['ratio_full_to_floor']}x; target median < 150 ms; "
          f"verify ok: {report.ok}; JSON: {args.json}")
    return 0


def _parts(kiosk, patient_id: int, runs: int) -> dict[str, float]:
    """Median time of each step of an export: snapshot, render, seal, write and record."""
    import hashlib

    from meso_kiosk.services.files import write_atomically
    from meso_kiosk.store import documents

    samples: dict[str, list[float]] = {"snapshot": [], "render": [], "seal": [], "write+record": []}
    sealer = kiosk.export.seal.sealer("bench", "bench")
    for _ in range(runs):
        t0 = time.perf_counter()
        summary = kiosk.export.build_summary(patient_id)
        t1 = time.perf_counter()
        pdf = kiosk.export.render(summary)
        t2 = time.perf_counter()
        signed = sealer.sign(pdf, reason="bench")
        t3 = time.perf_counter()
        target = kiosk.paths.exports / f"parts-{summary.document_id}.pdf"
        write_atomically(target, signed)
        with kiosk.store.write("bench") as tx:
            documents.insert_document(tx, patient_id=patient_id, kind="bench", path=target.name,
                                      sha256=hashlib.sha256(signed).hexdigest())
        t4 = time.perf_counter()
        for name, value in zip(samples, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            samples[name].append(value)
    return {name: round(statistics.median(values) * 1000, 1) for name, values in samples.items()}


def _load() -> tuple[float, ...]:
    import os

    try:
        return os.getloadavg()
    except (AttributeError, OSError):
        return ()


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


def _row(stats: dict) -> tuple[str, str, str]:
    return f"{stats['median_ms']:.1f}", f"{stats['p95_ms']:.1f}", f"{stats['min_ms']:.1f}"


def _pages(path: Path) -> int | None:
    try:
        from pypdf import PdfReader  # a test dependency: the count is left out without it
    except ImportError:
        return None
    return len(PdfReader(str(path)).pages)


if __name__ == "__main__":
    sys.exit(main())
