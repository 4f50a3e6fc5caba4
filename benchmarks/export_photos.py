"""What progress photos cost the summary PDF: six views x two camera photos (4096 px, grain).

    python benchmarks/export_photos.py [--runs 5] [--json FILE]

In a temporary installation, a patient with two closed sessions and, at each, a photo of each of
the clinic's six views, stored through ``PhotoService.add`` (4096x3072 with a camera's grain:
``tests/reports/test_summary_photos.camera_photo``, ~5 MB each as stored). Measures the first export (each photo scaled to ``PRINT_SIDE`` for the
PDF), later exports (the scaled copies kept), the render alone, and the PDF's size beside what the
photos weigh as stored. Targets: the PDF under 5 MB; a later export under 1.5 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    from argon2 import PasswordHasher

    from meso_kiosk.reports.summary_photos import PRINT_SIDE
    from meso_kiosk.services.kiosk import open_kiosk
    from tests.consultation import record_consultation
    from tests.reports.test_summary_photos import camera_photo

    with tempfile.TemporaryDirectory(prefix="meso-bench-") as folder:
        kiosk = open_kiosk(Path(folder) / "data", pin_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        patient_id = kiosk.patients.register(
            {"given_name": "Claire", "family_name": "Dubois", "date_of_birth": "1986-04-12"}, "bench").id
        consultation = record_consultation(kiosk, patient_id, sessions=2)
        for number, view in enumerate(kiosk.photos.views()):
            for index, session_id in enumerate(consultation.session_ids):
                kiosk.photos.add(patient_id, view.id, camera_photo(2 * number + index), consultation.consultant_id,
                                 session_id=session_id)
        stored = sum(len(kiosk.photos.image(photo)) for photo in kiosk.photos.photos(patient_id))
        kiosk.export.export_pdf(patient_id, "bench")  # the seal is made here, not measured
        from meso_kiosk.reports import summary_photos

        summary_photos._SCALED.clear()  # the first export of these photos scales each one
        started = time.perf_counter()
        document = kiosk.export.export_pdf(patient_id, "bench")
        first = time.perf_counter() - started
        later, render = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            document = kiosk.export.export_pdf(patient_id, "bench")
            later.append(time.perf_counter() - started)
            summary = kiosk.export.build_summary(patient_id)
            started = time.perf_counter()
            kiosk.export.render(summary)
            render.append(time.perf_counter() - started)
        size = document.path.stat().st_size
        ok = kiosk.export.verify(document.path).ok
        kiosk.close()

    results = {
        "photos": 12, "stored_mb": round(stored / 1e6, 1), "pdf_mb": round(size / 1e6, 2),
        "print_side_px": PRINT_SIDE, "first_export_s": round(first, 2),
        "later_export_median_s": round(statistics.median(later), 2),
        "render_median_s": round(statistics.median(render), 2), "verify_ok": ok,
        "targets": {"pdf_mb": 5, "later_export_s": 1.5},
    }
    print(f"12 photos, {results['stored_mb']} MB as stored -> PDF {results['pdf_mb']} MB "
          f"(longest side {PRINT_SIDE} px); first export {results['first_export_s']} s, later "
          f"{results['later_export_median_s']} s (render {results['render_median_s']} s); verify ok: {ok}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
