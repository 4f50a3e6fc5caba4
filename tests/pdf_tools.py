"""Helpers for tests that read PDFs the way others would: pypdf, poppler's pdfsig and pdftoppm."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

needs_pdfsig = pytest.mark.skipif(
    not (shutil.which("pdfsig") and shutil.which("certutil")),
    reason="poppler-utils and libnss3-tools (installed by .ci/run) are needed",
)
needs_pdftoppm = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils is needed")


def extracted_text(pdf: bytes) -> str:
    """All pages' text as pypdf extracts it, NFKC-folded.

    NFKC turns the Arabic contextual forms the PDF is drawn with back into the letters
    that were typed, as any search box does.
    """
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in reader.pages))


def page_texts(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [unicodedata.normalize("NFKC", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def pdfsig(pdf_path: Path, trusted_pem: Path, workdir: Path) -> subprocess.CompletedProcess:
    """Run pdfsig with an NSS database that trusts ``trusted_pem`` as a CA."""
    nss = workdir / "nssdb"
    if not nss.exists():
        nss.mkdir(parents=True)
        subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
        subprocess.run(["certutil", "-d", f"sql:{nss}", "-A", "-t", "CT,C,C", "-n", "seal", "-i", str(trusted_pem)],
                       check=True, capture_output=True)
    return subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(pdf_path)], capture_output=True, text=True,
                          timeout=60)


def flip_byte(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1:]


def to_pngs(pdf_path: Path, folder: Path, resolution: int = 60) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", str(resolution), str(pdf_path), str(folder / "page")], check=True,
                   timeout=120)
    return sorted(folder.glob("page-*.png"))


needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is needed")


def poppler_text(pdf: bytes) -> str:
    """All pages' text as poppler's ``pdftotext`` gives it (what a reader copies), NFC.

    Unlike pypdf it reads the ``ActualText`` of shaped words (Indic, Thai, emoji sequences:
    ``reports.shaped``), so conjuncts and reordered vowel signs come back as typed.
    """
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True,
                            timeout=60)
    return unicodedata.normalize("NFC", result.stdout.decode("utf-8"))
