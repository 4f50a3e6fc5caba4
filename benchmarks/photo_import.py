"""What storing a progress photo costs: ``PhotoService.add`` on camera-sized pictures.

    python benchmarks/photo_import.py [--runs 5] [--json FILE]

Pictures (made with Pillow: noise, the hardest case for JPEG; EXIF with GPS, a serial and a
sideways orientation): 12 MP (4000x3000, a phone) and 24 MP (6000x4000, a camera, scaled to
4096 on its long side when stored) as JPEG, and a phone's 12 MP HEIC (4032x3024, coarser noise
as x265 would take 40 s to encode full-resolution noise; ~4.6 MB, the size of an iPhone's).
Each is stored through ``kiosk.photos.add`` in a temporary installation (decode, turn upright,
re-encode without metadata, SHA-256, atomic 0600 write, row and audit entry in one transaction),
median of ``--runs``, beside the floor: Pillow alone decoding and re-encoding the same bytes at the
same quality (no turn, no scaling, nothing written).
Target: <= 2x the floor, and under half a second for a phone's 12 MP photo (JPEG or HEIC).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

PICTURES = {"12 MP": ("JPEG", (4000, 3000)), "24 MP": ("JPEG", (6000, 4000)), "12 MP HEIC": ("HEIF", (4032, 3024))}


def _picture(kind: str, size: tuple[int, int]) -> bytes:
    from PIL import Image

    from tests.photo_files import revealing_exif

    out = io.BytesIO()
    if kind == "HEIF":
        import pillow_heif

        noise = Image.merge("RGB", [Image.effect_noise((size[0] // 8, size[1] // 8), 60) for _ in range(3)])
        picture = pillow_heif.from_pillow(noise.resize(size, Image.Resampling.BICUBIC))
        picture.save(out, quality=80, exif=revealing_exif(orientation=6).tobytes(), enc_params={"preset": "ultrafast"})
    else:
        Image.effect_noise(size, 60).convert("RGB").save(out, kind, quality=90, exif=revealing_exif(orientation=6))
    return out.getvalue()


def _floor(data: bytes) -> None:
    import pillow_heif
    from PIL import Image

    from meso_kiosk.services.photo_image import JPEG_QUALITY

    pillow_heif.register_heif_opener()
    Image.open(io.BytesIO(data)).convert("RGB").save(io.BytesIO(), "JPEG", quality=JPEG_QUALITY)


def _median(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from meso_kiosk.services.kiosk import open_kiosk
    from tests.conftest import CHEAP_PIN_HASHER, cheap_seal
    from tests.consultation import ensure_consultant, sign

    results = {}
    with tempfile.TemporaryDirectory() as folder:
        kiosk = open_kiosk(Path(folder) / "data", pin_hasher=CHEAP_PIN_HASHER, make_seal=cheap_seal)
        try:
            consultant_id, _ = ensure_consultant(kiosk)
            patient = kiosk.patients.register({"given_name": "Bench", "family_name": "Mark",
                                               "date_of_birth": "1980-01-01"}, "bench")
            sign(kiosk, patient.id, consultant_id, photos=True)
            for name, (kind, size) in PICTURES.items():
                data = _picture(kind, size)
                app = _median(lambda: kiosk.photos.add(patient.id, "vertex", data, consultant_id), args.runs)
                floor = _median(lambda: _floor(data), args.runs)
                results[name] = {"input_mb": round(len(data) / 1e6, 1), "add_s": app, "pillow_floor_s": floor,
                                 "ratio": round(app / floor, 2)}
                print(f"{name}: add {app:.3f} s, Pillow alone {floor:.3f} s ({app / floor:.2f}x), "
                      f"input {len(data) / 1e6:.1f} MB")
        finally:
            kiosk.close()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
