"""The summary's last part, "Technical details for verification": what a checker needs, not a reader.

The patient's pages say what happened in words; the digests (of the consent text, of each
signature), the tablet each signature was drawn on, the audit-chain head the document was
made against and how the seal is checked are gathered here, at the end, under a heading
that says what they are for.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, HRFlowable, Spacer

from .summary_style import RULE


def technical_details(b) -> list[Flowable]:
    summary, w, s = b.summary, b.w, b.styles
    rows = [(w("document_label"), summary.document_id),
            (w("made_label"), b.when(summary.generated_at)),
            (w("audit_head_label"), summary.audit_head)]
    digests = [w("audit_head_label")]
    consent = summary.consent
    if consent is not None:
        label = w("text_sha256_of", language=consent.language, version=consent.version)
        rows.append((label, consent.text_sha256))
        digests.append(label)
    flowables: list[Flowable] = [
        CondPageBreak(60 * mm), Spacer(1, 6 * mm), HRFlowable(width="100%", thickness=0.6, color=RULE, spaceAfter=1 * mm),
        b.p(w("technical_details"), s.heading, bold=True), b.p(w("technical_intro"), s.small), Spacer(1, 2 * mm),
        b.facts(rows, digests=tuple(digests), label_width=52 * mm),
    ]
    for block in summary.signatures:
        sign_rows = [(block.role, block.printed_name)]
        if block.device:
            sign_rows.append((w("device"), block.device))
        if block.strokes_sha256:
            sign_rows.append((block.digest_label, block.strokes_sha256))
        flowables += [Spacer(1, 2 * mm), b.facts(sign_rows, digests=(block.digest_label,), label_width=52 * mm)]
    flowables += [Spacer(1, 3 * mm), b.p(w("sealed"), s.small)]
    return flowables
