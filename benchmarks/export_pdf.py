"""Benchmark: export + seal of a consultation summary, beside ReportLab's own floor.

    python benchmarks/export_pdf.py [--runs 30] [--warmup 3] [--sessions 20] [--json FILE]

Measures, in a fresh temporary data folder:
- the first export of the process (imports, font registration, seal creation);
- the median / p95 of later exports (``ExportService.export_pdf``: snapshot, render,
  seal, atomic write with fsync, ``documents`` row and audit entry);
- the same with ``--sessions`` synthetic treatment sessions added to the snapshot
  (what the full consultation document will carry; the sections are rendered now);
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
from dataclasses import replace
from datetime import date, timedelta
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


def _timed(action, runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def _bare_reportlab_two_pages() -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    style = getSampleStyleSheet()["BodyText"]
    story = [Paragraph("Consultation summary", style), PageBreak(), Paragraph("Page two", style)]
    SimpleDocTemplate(io.BytesIO(), pagesize=A4).build(story)


def _with_sessions(build_summary, count: int):
    """``build_summary`` whose snapshot also carries ``count`` synthetic sessions."""
    from meso_kiosk.domain.summary import ProductUse, SessionRow, ZoneTreatment

    def build(patient_id: int, **kwargs):
        summary = build_summary(patient_id, **kwargs)
        start = summary.generated_at - timedelta(weeks=2 * count)
        sessions = tuple(
            SessionRow(start + timedelta(weeks=2 * n), "Dr Amélie Laurent",
                       (ZoneTreatment("Vertex / crown", 40, 2.0, 1.5), ZoneTreatment("Frontal hairline", 30, 1.5, 1.0)),
                       (ProductUse("Dutasteride 0.01 %", f"LT-{2290 + n}A", date(2027, 3, 1)),),
                       ("Mild redness",) if n % 3 == 0 else ())
            for n in range(count))
        return replace(summary, sessions=sessions)

    return build


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

        kiosk = open_kiosk(Path(folder) / "data")
        patient = kiosk.patients.register(
            {"given_name": "Ελένη", "family_name": "Παπαδοπούλου 王", "date_of_birth": "1980-02-03"}, "bench")
        opened = time.perf_counter() - start

        start = time.perf_counter()
        kiosk.export.export_pdf(patient.id, "bench")
        first = time.perf_counter() - start

        lite = _timed(lambda: kiosk.export.export_pdf(patient.id, "bench"), args.runs, args.warmup)
        kiosk.export.build_summary = _with_sessions(kiosk.export.build_summary, args.sessions)
        last = []
        full = _timed(lambda: last.append(kiosk.export.export_pdf(patient.id, "bench")), args.runs, args.warmup)
        report = kiosk.export.verify(last[-1].path)
        pages = _pages(last[-1].path)
        kiosk.close()

    floor = _timed(_bare_reportlab_two_pages, args.runs, args.warmup)
    results = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "open_kiosk_s": round(opened, 3),
        "first_export_ms": round(first * 1000, 1),
        "export_identity_only": _stats(lite),
        f"export_{args.sessions}_sessions": _stats(full) | {"pages": pages},
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
        ("floor: ReportLab bare 2 pages", *_row(results["floor_reportlab_bare_2_pages"])),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'median ms':>9}  {'p95 ms':>7}  {'min ms':>7}")
    for name, *figures in rows:
        print(f"{name:<{width}}  {figures[0]:>9}  {figures[1]:>7}  {figures[2]:>7}")
    print(f"{args.sessions}-session export / floor: {results['ratio_full_to_floor']}x; target median < 150 ms; "
          f"verify ok: {report.ok}; JSON: {args.json}")
    return 0


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
