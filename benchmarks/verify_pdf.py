"""What ``meso-kiosk verify`` costs on a large file: wall time and peak memory of the command.

    python benchmarks/verify_pdf.py [--runs 5] [--json FILE]

Files (made in a temporary installation with one sealed export):
- ``issued``: the summary as exported (a few hundred kB);
- ``20 MB revision``: the same summary after an incremental update carrying a 20 MB stream,
  as a PDF editor would append (verify reads it and says "a later revision was added");
- ``60 MB``: a file over the 50 MB limit, refused before it is read.
Each is checked by ``meso-kiosk verify`` in a child process (median wall time of ``--runs``,
peak RSS of the child from ``wait4``), beside poppler's ``pdfsig`` on the same file when it is
installed (the floor: a C validator). The child's start (Python, imports) is included in both.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def _measure(command: list[str], runs: int) -> dict:
    times, last = [], None
    for _ in range(runs):
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = child.communicate(timeout=600)
        times.append(time.perf_counter() - started)
        last = (child.returncode, (out + err).decode(errors="replace").strip().splitlines()[-1:])
    return {"median_s": round(statistics.median(times), 3), "exit": last[0], "said": last[1]}


# A child forked from this process would start with its high-water mark (Linux keeps it across
# exec), so a small launcher, started fresh, runs the command and reports its child's peak.
_LAUNCHER = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
             "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def _peak_rss_mib(command: list[str]) -> float:
    """Peak resident memory of one run of ``command`` (kB from getrusage on Linux)."""
    launched = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, *command], capture_output=True, text=True,
                              timeout=600, check=True)
    return round(int(launched.stdout.split()[-1]) / 1024, 1)


def _files(folder: Path) -> dict[str, Path]:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from meso_kiosk.services.kiosk import open_kiosk
    from tests.conftest import CHEAP_PIN_HASHER, cheap_seal

    kiosk = open_kiosk(folder / "data", pin_hasher=CHEAP_PIN_HASHER, make_seal=cheap_seal)
    try:
        patient = kiosk.patients.register({"given_name": "Ana", "family_name": "Silva",
                                           "date_of_birth": "1980-01-02"}, "benchmark")
        issued = kiosk.export.export_pdf(patient.id, "benchmark").path
    finally:
        kiosk.close()
    writer = IncrementalPdfFileWriter(io.BytesIO(issued.read_bytes()))
    writer.root["/MKExtra"] = writer.add_object(generic.StreamObject(stream_data=os.urandom(20 * 1024 * 1024)))
    writer.update_root()
    revised = folder / "revised-20mb.pdf"
    with revised.open("wb") as out:
        writer.write(out)
    over = folder / "over-limit-60mb.pdf"
    with over.open("wb") as sparse:
        sparse.write(issued.read_bytes())
        sparse.truncate(60 * 1024 * 1024)
    return {"issued": issued, "20 MB revision": revised, "60 MB (over the limit)": over}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=HERE / "verify_pdf.json")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        pdfsig = shutil.which("pdfsig")
        for name, path in _files(folder).items():
            app = [sys.executable, "-m", "meso_kiosk", "verify", str(path), "--data-dir", str(folder / "data")]
            row = {"bytes": path.stat().st_size, "app": _measure(app, args.runs), "app_peak_mib": _peak_rss_mib(app)}
            if pdfsig:
                row["pdfsig"] = _measure([pdfsig, str(path)], args.runs)
                row["pdfsig_peak_mib"] = _peak_rss_mib([pdfsig, str(path)])
            results[name] = row
    print(f"{'file':<24} {'size':>9} {'verify':>9} {'peak':>9} {'pdfsig':>9} {'peak':>9}  verify said")
    for name, row in results.items():
        floor = row.get("pdfsig", {})
        print(f"{name:<24} {row['bytes'] / 1048576:>7.1f}MB {row['app']['median_s']:>8.2f}s {row['app_peak_mib']:>6.0f}MiB "
              f"{floor.get('median_s', float('nan')):>8.2f}s {row.get('pdfsig_peak_mib', float('nan')):>6.0f}MiB  "
              f"exit {row['app']['exit']}: {' '.join(row['app']['said'])[:90]}")
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
