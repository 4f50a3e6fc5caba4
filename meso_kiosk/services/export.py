"""Export a signed consultation summary, and verify one.

Export: snapshot (``ConsultationSummary``) → PDF bytes (``reports.summary_pdf``) →
clinic seal (``reports.pades``) → atomic write into ``exports/`` (or a chosen file) →
``documents`` row with the SHA-256 and an audit entry, in one transaction.

Verify: the seal (intact, valid, trusted, whole file, signer, time) and whether the
file's SHA-256 is that of a document this installation issued.

ReportLab and pyHanko are imported on the first export, not when the app starts; the
fonts are registered and the seal key loaded once, then kept for later exports.
"""

from __future__ import annotations

import errno
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import DataPaths
from ..domain.clock import Clock
from ..domain.summary import ConsultationSummary
from ..store import audit as audit_rows
from ..store import documents as document_rows
from ..store.record_content import patient_records
from ..store.db import Store
from ..store.documents import DocumentRecord
from .checked_file import open_checked
from .clinic import ClinicService
from .errors import WordedError
from .files import OutputRefused, guard_output, write_atomically
from .hand_over import HandedOver, copy_document
from .seal import MakeSeal, SealService
from .summary import SummaryBuilder, SummarySources

if TYPE_CHECKING:
    from ..reports.fonts import FontChain
    from ..reports.preview import PageImage

SUMMARY_KIND = "consultation-summary"


class ExportError(WordedError):
    """The document cannot be exported; the message says why in plain words."""


STALE_TEMP_SECONDS = 3600


def _sweep_stale_temp_files(folder: Path) -> None:
    """Remove half-written exports a crash left behind (``.name.xxxx.tmp``, never a document).

    Only those older than an hour: a second process (the command line) may be writing one now.
    """
    for path in folder.glob(".*.tmp"):
        try:
            if time.time() - path.stat().st_mtime > STALE_TEMP_SECONDS:
                path.unlink()
        except OSError:
            pass  # gone already, or not ours to remove: harmless either way


def _disk_words(error: OSError, what: str) -> str:
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"{what}: the disk is full. Free some space, then try again; nothing was changed."
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{what}: the folder cannot be written to ({error.strerror}). Nothing was changed."
    return f"{what}: {error.strerror or error}. Nothing was changed."


@dataclass(frozen=True)
class ExportedDocument:
    document_id: str
    path: Path
    sha256: str
    record: DocumentRecord


@dataclass(frozen=True)
class VerifyReport:
    path: Path
    sha256: str
    signed: bool
    intact: bool
    signature_valid: bool
    trusted: bool
    whole_file: bool
    signer: str | None
    signing_time: datetime | None
    timestamp: datetime | None
    issued: DocumentRecord | None        # the documents row whose SHA-256 matches, if any
    head_row: int | None                 # the audit row of the head the document prints, still in the log
    problem: str | None                  # the first check that does not hold

    @property
    def ok(self) -> bool:
        return self.problem is None

    def lines(self, clock: Clock) -> list[str]:
        """The report in plain words, one fact a line."""
        when = clock.format_local(self.signing_time, with_offset=True) if self.signing_time else "unknown time"
        lines = [
            f"signature: {'valid' if self.signature_valid else 'NOT valid'}, sealed by {self.signer or 'unknown'} at {when}",
            f"trusted: {'yes, a seal of this installation' if self.trusted else 'no'}",
            f"file intact: {'yes, the seal covers the whole file' if self.intact and self.whole_file else 'NO'}",
            f"sha256: {self.sha256}",
        ]
        if self.timestamp:
            lines.append(f"timestamp: {clock.format_local(self.timestamp, with_offset=True)}")
        if self.issued:
            lines.append(f"issued here: document {self.issued.id} for patient {self.issued.patient_id}, "
                         f"{clock.format_local(self.issued.created_at, with_offset=True)} by {self.issued.created_by}")
            if self.head_row is not None:
                lines.append(f"audit head printed: still in the audit log (row {self.head_row})")
        else:
            lines.append("issued here: NO (no document of this installation has this SHA-256)")
        return lines


def pdf_fonts() -> "FontChain":
    """The PDF's font chain: the shipped fonts first, the system's as a last resort (read and
    registered once per process)."""
    from ..reports.fonts import SYSTEM_FONT_DIRS, font_chain
    from ..resources import MissingResourceError, resource_path

    try:
        shipped: tuple[Path, ...] = (resource_path("fonts"),)
    except MissingResourceError:
        shipped = ()
    return font_chain((*shipped, *SYSTEM_FONT_DIRS))


class ExportService:
    def __init__(self, store: Store, clock: Clock, paths: DataPaths, clinic: ClinicService,
                 sources: SummarySources, *, make_seal: "MakeSeal | None" = None, seal: SealService | None = None):
        """``sources``: the services the summary reads the consultation through; ``make_seal``
        lets tests use a cheap seal (see ``SealService``); ``seal``: the installation's, shared
        with whoever else renews it (the clinic's rename)."""
        self._store = store
        self._clock = clock
        self._paths = paths
        self._clinic = clinic
        self.seal = seal or SealService(store, paths.seal, make_seal=make_seal)
        self._summaries = SummaryBuilder(store, clock, clinic, sources)
        self._fonts: "FontChain | None" = None
        self._render_lock = threading.RLock()

    # -- building -------------------------------------------------------------
    def fonts(self) -> "FontChain":
        """The font chain: shipped fonts first, the system's as a last resort (registered once)."""
        with self._render_lock:
            return self._font_chain()

    def _font_chain(self) -> "FontChain":
        if self._fonts is None:
            self._fonts = pdf_fonts()
        return self._fonts

    def build_summary(self, patient_id: int, *, document_id: str | None = None) -> ConsultationSummary:
        """Everything the PDF shows, read now: the whole consultation, the clinic and the audit head."""
        return self._summaries.build(patient_id, document_id or self._new_document_id(patient_id))

    def render(self, summary: ConsultationSummary) -> bytes:
        """Unsigned PDF bytes (also what a preview shows). Safe to call from a worker thread:
        ReportLab's font registry is shared, so one document is typeset at a time."""
        from ..reports.summary_pdf import render_summary

        with self._render_lock:
            return render_summary(summary, self.fonts())

    def preview(self, summary: ConsultationSummary, width_px: int) -> list["PageImage"]:
        """The pages of the unsigned document as pixels (for a screen); any thread."""
        from ..reports.preview import page_images

        return page_images(self.render(summary), width_px)

    # -- exporting ------------------------------------------------------------
    def export_pdf(self, patient_id: int, actor: str, out: Path | None = None, *,
                   force: bool = False) -> ExportedDocument:
        """Render, seal, write atomically and record one summary; returns where it went.

        Raises ``ExportError`` (text that cannot be printed, a seal key that is missing
        or damaged, a timestamp server that does not answer, an ``out`` that must not be
        written: see ``guard_output``; ``force`` replaces an existing file that is not an
        issued document) with nothing written.
        """
        from ..reports.fonts import FontError
        from ..reports.pades import SealError

        document_id = self._new_document_id(patient_id)
        target = self._target(document_id, out, force)
        summary = self.build_summary(patient_id, document_id=document_id)
        forged = self._unvouched(patient_id)
        if forged:  # never seal what was changed behind the app's back
            raise ExportError(f"The PDF was not exported: {forged}. Run 'meso-kiosk audit-verify', and restore "
                              "the data from a backup.")
        try:
            pdf = self.render(summary)
            sealer = self.seal.sealer(summary.clinic.name, actor)
            signed = sealer.sign(pdf, reason=f"Consultation summary {document_id}, sealed by {sealer.material.subject}",
                                 timestamp_url=self.seal.timestamp_url())
        except (FontError, SealError) as error:
            raise ExportError(str(error)) from error
        except OSError as error:  # e.g. a full disk while the seal was first stored
            raise ExportError(_disk_words(error, "The PDF was not exported")) from error
        digest = hashlib.sha256(signed).hexdigest()
        try:
            write_atomically(target, signed, replace=force)
        except FileExistsError:
            raise ExportError(f"{target} appeared while the PDF was being made; nothing was replaced. "
                              "Choose another name.") from None
        except OSError as error:
            raise ExportError(_disk_words(error, f"The PDF {target.name} was not written")) from error
        try:
            with self._store.write(actor) as tx:
                record = document_rows.insert_document(
                    tx, patient_id=patient_id, kind=SUMMARY_KIND, path=self._stored_path(target), sha256=digest,
                    audit_head=summary.audit_head)
        except BaseException:
            target.unlink(missing_ok=True)  # no file without its record
            raise
        return ExportedDocument(summary.document_id, target, digest, record)

    @property
    def data_root(self) -> Path:
        """The data folder: nothing is ever handed over into it."""
        return self._paths.root

    def hand_over(self, exported: ExportedDocument, folder: Path, actor: str) -> HandedOver:
        """Copy an exported PDF into ``folder`` (a USB drive, for the patient), audited as
        ``document.hand_over``; ``ExportError`` with nothing written when it cannot be."""
        try:
            copied = copy_document(exported.path, folder, self._paths.root, exported.sha256)
        except OutputRefused as refused:
            raise ExportError(str(refused)) from None
        except OSError as error:
            raise ExportError(_disk_words(error, f"{exported.path.name} was not saved there")) from error
        if copied.new:
            with self._store.write(actor) as tx:
                tx.audit("document.hand_over", "document", exported.record.id)
        return copied

    def _unvouched(self, patient_id: int) -> str | None:
        """The first record of the patient's that no longer matches its audit entry, read in one
        snapshot (another copy of the app may be writing meanwhile)."""
        conn = self._store.conn
        conn.execute("BEGIN")
        try:
            return audit_rows.unvouched_record(conn, patient_records(conn, patient_id))
        finally:
            conn.execute("COMMIT")

    def _new_document_id(self, patient_id: int) -> str:
        return f"MK-{self._clock.today():%Y%m%d}-{patient_id}-{secrets.token_hex(4).upper()}"

    def _target(self, document_id: str, out: Path | None, force: bool) -> Path:
        if out is None:
            self._paths.exports.mkdir(mode=0o700, parents=True, exist_ok=True)
            _sweep_stale_temp_files(self._paths.exports)
            return self._paths.exports / f"summary-{document_id}.pdf"
        out = Path(out).expanduser()
        try:
            str(out).encode("utf-8")  # the documents table keeps the path as text
        except UnicodeError:
            raise ExportError(f"The file name {str(out)!r} is not valid text; choose another name.") from None
        if out.is_dir() and not out.is_symlink():
            raise ExportError(f"{out} is a folder; give a file name ending in .pdf.")
        if out.suffix.lower() != ".pdf":
            raise ExportError(f"The file name {out.name} must end in .pdf.")
        try:
            return guard_output(out, self._paths.root, force=force, issued=self.is_issued)
        except OutputRefused as refused:
            raise ExportError(str(refused)) from None
        except OSError as error:  # a device or other special file
            raise ExportError(f"{out} is not a regular file ({error.strerror}); give a file name ending in .pdf.") from None

    def is_issued(self, path: Path) -> bool:
        """Whether ``path`` is a document this installation issued: recorded at that path, or a
        file whose SHA-256 a documents row holds."""
        if document_rows.find_by_path(self._store.conn, self._stored_path(path)) is not None:
            return True
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return False
        return document_rows.find_by_sha256(self._store.conn, digest) is not None

    def _stored_path(self, target: Path) -> str:
        try:
            return target.relative_to(self._paths.root.resolve()).as_posix()
        except ValueError:
            return str(target)

    # -- verifying ------------------------------------------------------------
    def verify(self, path: Path) -> VerifyReport:
        """Check a PDF's seal and whether this installation issued it. Creates nothing."""
        from ..reports.pades import check_seal

        with open_checked(Path(path)) as checked:  # a bounded, regular file, hashed as it is read
            check = check_seal(checked.stream, self.seal.trusted_certificates())
        digest = checked.sha256
        issued = document_rows.find_by_sha256(self._store.conn, digest)
        problem = check.problem
        if problem is None and issued is None:
            problem = "its SHA-256 matches no document this installation issued"
        head_row = audit_rows.head_row(self._store.conn, issued.audit_head) if issued and issued.audit_head else None
        if problem is None and issued and issued.audit_head and head_row is None:
            problem = (f"the audit head it prints ({issued.audit_head[:16]}…) is no longer in this installation's "
                       "audit log: the log was cut short or rewritten")
        return VerifyReport(
            path=Path(path), sha256=digest, signed=check.signed, intact=check.intact,
            signature_valid=check.intact and check.valid, trusted=check.trusted, whole_file=check.whole_file,
            signer=check.signer, signing_time=check.signing_time, timestamp=check.timestamp, issued=issued,
            head_row=head_row, problem=problem,
        )
