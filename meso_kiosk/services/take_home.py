"""'Take it home and decide later': the unsigned consent text, filled for this patient, as a PDF.

Written into the data folder's ``exports/`` as ``consent-to-read-<patient>-<date>.pdf`` (a
number added, never over an earlier file), in the patient's language, with the clinic's block
for them; audited ``consent.take_home`` in the same transaction (nothing is kept if it fails).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.clock import Clock
from ..domain.consent_template import text_blocks
from ..store import patients as patient_rows
from ..store.db import Store
from .files import write_atomically

if TYPE_CHECKING:
    from .consent import ConsentService

_MAX_SAME_DAY = 99


@dataclass(frozen=True)
class TakeHomeCopy:
    path: Path
    language: str
    version: int


class TakeHomeService:
    def __init__(self, store: Store, clock: Clock, exports: Path, consents: ConsentService):
        self._store = store
        self._clock = clock
        self._exports = exports
        self._consents = consents

    def export(self, patient_id: int, language: str, actor: str, *, treated_by: int | None = None) -> TakeHomeCopy:
        """Write the text today's hand-off shows (``template_for``) to a new file; ``ValidationError``
        for a language without a consent, ``OSError`` when the folder cannot be written."""
        from .export import pdf_fonts
        from ..reports.consent_text_pdf import render_consent_text

        patient = patient_rows.get_patient(self._store.conn, patient_id)
        template = self._consents.template_for(language, patient_id=patient_id, treated_by=treated_by)
        day = self._clock.today().isoformat()
        data = render_consent_text(text_blocks(template), mark=template.label("take_home_mark"), fonts=pdf_fonts(),
                                   title=template.title, footer=f"{patient.display_name} · {day}")
        self._exports.mkdir(parents=True, exist_ok=True, mode=0o700)
        path: Path | None = None
        try:
            with self._store.write(actor) as tx:
                tx.audit("consent.take_home", "patient", patient_id)
                path = self._place(data, f"consent-to-read-{patient_id}-{day}")
        except BaseException:
            if path is not None:  # written but not audited: not kept
                path.unlink(missing_ok=True)
            raise
        return TakeHomeCopy(path, template.language, template.version)

    def _place(self, data: bytes, stem: str) -> Path:
        """The first free name of ``stem``, ``stem-2``, …: an earlier copy is never replaced."""
        for number in range(1, _MAX_SAME_DAY + 1):
            path = self._exports / (f"{stem}.pdf" if number == 1 else f"{stem}-{number}.pdf")
            try:
                write_atomically(path, data, replace=False)
            except FileExistsError:
                continue
            return path
        raise OSError(f"{_MAX_SAME_DAY} copies of this text were made today already in {self._exports}")
