"""``verify`` is bounded and quiet: it reads only regular files up to a stated size, hashes them as it
reads, never hangs on a pipe, never prints a traceback, and says what an incremental update is."""

from __future__ import annotations

import hashlib
import io
import os
import threading
from pathlib import Path

import pytest

from meso_kiosk.cli import main
from meso_kiosk.services import checked_file
from meso_kiosk.services.checked_file import MAX_BYTES, FileNotCheckable, open_checked

pytestmark = pytest.mark.timeout(60)  # a verify that waits on a pipe fails here instead of hanging CI


@pytest.fixture
def exported(kiosk, register) -> Path:
    patient = register("Ana", "Silva")
    return kiosk.export.export_pdf(patient.id, "test").path


@pytest.fixture
def verify(data_dir, capsys):
    """``meso-kiosk verify FILE``: (exit code, stdout, stderr), the error asserted to be one line."""

    def _run(path: Path) -> tuple[int, str, str]:
        code = main(["verify", str(path), "--data-dir", str(data_dir)])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        assert len(err.strip().splitlines()) == (0 if code == 0 else 1), err
        return code, out, err.strip()

    return _run


def incremental_update(sealed: bytes, *, extra_bytes: int = 0) -> bytes:
    """What a PDF editor saves after an annotation: the sealed file, then a revision appended to it."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    writer.root["/Lang"] = generic.TextStringObject("fr")
    if extra_bytes:
        writer.root["/MKExtra"] = writer.add_object(generic.StreamObject(stream_data=os.urandom(extra_bytes)))
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_issued_pdf_still_verifies_and_its_hash_is_of_the_whole_file(kiosk, exported, verify):
    code, out, _ = verify(exported)
    assert code == 0
    assert f"sha256: {hashlib.sha256(exported.read_bytes()).hexdigest()}" in out


def test_an_incremental_update_is_explained_in_one_line(kiosk, exported, verify, tmp_path):
    edited = tmp_path / "annotated.pdf"
    edited.write_bytes(incremental_update(exported.read_bytes()))
    code, _, err = verify(edited)
    assert code == 1
    assert "changed after sealing: a later revision was added" in err
    report = kiosk.export.verify(edited)
    assert report.intact and not report.whole_file  # the sealed revision itself is untouched


def test_a_20_mb_appended_revision_is_read_and_explained(kiosk, exported, verify, tmp_path):
    big = tmp_path / "big.pdf"
    big.write_bytes(incremental_update(exported.read_bytes(), extra_bytes=20 * 1024 * 1024))
    code, _, err = verify(big)
    assert code == 1 and "a later revision was added" in err


@pytest.mark.parametrize("make", ["folder", "device", "empty", "too_big", "fifo", "link_to_fifo"])
def test_what_is_not_a_regular_pdf_is_refused_before_reading(kiosk, verify, tmp_path, make):
    target = tmp_path / "thing.pdf"
    expected = {"folder": "is a folder", "device": "is a device", "empty": "is empty",
                "too_big": "verify reads files up to 50 MB", "fifo": "is a named pipe",
                "link_to_fifo": "is a named pipe"}[make]
    if make == "folder":
        target.mkdir()
    elif make == "device":
        target = Path(os.devnull)
    elif make == "empty":
        target.touch()
    elif make == "too_big":
        with target.open("wb") as sparse:  # 60 MB on paper, nothing on disk
            sparse.truncate(60 * 1024 * 1024)
    else:
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)  # (Linux CI; a FIFO would block an ordinary open for ever)
        if make == "fifo":
            target = fifo
        else:
            target.symlink_to(fifo)
    code, _, err = verify(target)
    assert code == 1 and expected in err, err


def test_a_file_at_the_limit_is_read_and_one_byte_over_is_not(tmp_path):
    at_limit = tmp_path / "limit.bin"
    with at_limit.open("wb") as sparse:
        sparse.truncate(MAX_BYTES)
    with open_checked(at_limit) as checked:
        assert checked.size == MAX_BYTES
    with at_limit.open("ab") as grow:
        grow.write(b"x")
    with pytest.raises(FileNotCheckable, match="up to 50 MB"):
        with open_checked(at_limit):
            pass


def test_the_hash_is_streamed_in_chunks(tmp_path, monkeypatch):
    """Never the whole file in one read: the digest is fed chunk by chunk."""
    monkeypatch.setattr(checked_file, "_CHUNK", 4096)
    data = os.urandom(50_000)
    path = tmp_path / "data.pdf"
    path.write_bytes(data)
    with open_checked(path) as checked:
        assert checked.sha256 == hashlib.sha256(data).hexdigest()
        assert checked.stream.read() == data  # the reader gets the same bytes from the start


def test_a_file_changed_while_it_is_checked_is_refused(kiosk, exported, tmp_path, monkeypatch, verify):
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(exported.read_bytes())
    from meso_kiosk.reports import pades

    real_check = pades.check_seal

    def check_while_someone_appends(stream, trusted):
        with copy.open("ab") as writer:
            writer.write(b"%% appended meanwhile\n")
        return real_check(stream, trusted)

    monkeypatch.setattr(pades, "check_seal", check_while_someone_appends)
    code, _, err = verify(copy)
    assert code == 1 and "changed while it was being checked" in err


def test_a_fifo_with_a_writer_waiting_does_not_hang_verify(kiosk, verify, tmp_path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: Path(fifo).write_bytes(b"%PDF-1.7\n"), daemon=True)
    writer.start()
    code, _, err = verify(fifo)
    assert code == 1 and "named pipe" in err
    os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # let the writer go


@pytest.mark.parametrize("damage", ["truncated", "garbage", "rewritten", "no_startxref", "seal_zeroed"])
def test_damaged_or_foreign_pdfs_give_one_line_and_exit_1(kiosk, exported, verify, tmp_path, damage):
    data = exported.read_bytes()
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = b"%PDF-1.7\n" + bytes(range(256)) * 100
    elif damage == "rewritten":  # opened and saved whole by another tool
        from pypdf import PdfReader, PdfWriter

        out = io.BytesIO()
        PdfWriter(clone_from=PdfReader(io.BytesIO(data))).write(out)
        data = out.getvalue()
    elif damage == "no_startxref":
        data = data.replace(b"startxref", b"startxrfe")
    else:
        data = data.replace(b"/Contents <3082", b"/Contents <0000")
        assert data != exported.read_bytes()
    bad = tmp_path / f"{damage}.pdf"
    bad.write_bytes(data)
    code, _, err = verify(bad)
    assert code == 1 and err.startswith("meso-kiosk: ")
