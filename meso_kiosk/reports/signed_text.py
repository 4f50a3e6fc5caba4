"""The whole text the patient signed, printed in the summary PDF so the document alone shows what
was agreed: in the consent section when it fits on about half a page, else in an appendix at the
end (the consent section then says where). A withdrawal's text goes the same way.

The text is the stored one (``consents.text``), exactly: one paragraph per line, its list marks,
tick boxes and blank lines kept as they are; nothing is re-worded or re-flowed from the template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

if TYPE_CHECKING:
    from ..domain.summary import ConsentSection

INLINE_UP_TO = 120 * mm  # taller than this, the text goes to the appendix
# The appendix starts on the page the signatures end on when its heading and three lines of the text fit
# there (17 mm of space and heading, 4.4 mm a line): at 60 mm, the 44 mm a signature block typically
# leaves stayed empty and the appendix began a page of its own.
APPENDIX_ROOM = 36 * mm


def _texts(consent: ConsentSection | None) -> list[tuple[str, str]]:
    """(words key of its heading, text) of each signed text there is."""
    if consent is None:
        return []
    return [(key, text) for key, text in (("signed_text", consent.signed_text),
                                          ("withdrawal_text", consent.withdrawal_text)) if text.strip()]


def text_flowables(builder, text: str) -> list[Flowable]:
    """The text as printed: a paragraph per line (read as typed: no markup), a gap per blank line."""
    flowables: list[Flowable] = []
    for line in text.rstrip("\n").split("\n"):
        if not line.strip():
            flowables.append(Spacer(1, 2.5 * mm))
        else:
            flowables.append(builder.p(line, builder.styles.signed))
    return flowables


def _height(flowables: list[Flowable], width: float) -> float:
    return sum(flowable.wrap(width, 10_000)[1] for flowable in flowables)


def in_appendix(builder, width: float) -> bool:
    """True when the texts are too long to stand in the consent section."""
    texts = _texts(builder.summary.consent)
    return bool(texts) and _height([f for _, text in texts for f in text_flowables(builder, text)], width) \
        > INLINE_UP_TO


def in_consent_section(builder, width: float) -> list[Flowable]:
    """The texts under their headings, or one line saying they are printed in the appendix."""
    texts = _texts(builder.summary.consent)
    if not texts:
        return []
    if in_appendix(builder, width):
        return [Spacer(1, 3 * mm), builder.p(builder.w("signed_text_appendix"), builder.styles.note)]
    flowables: list[Flowable] = []
    for key, text in texts:
        body = text_flowables(builder, text)
        flowables += [KeepTogether([builder.p(builder.w(key), builder.styles.subheading, bold=True), *body[:2]]),
                      *body[2:]]
    return flowables


def appendix(builder, width: float) -> list[Flowable]:
    """The appendix at the end, when the texts are too long for the section."""
    texts = _texts(builder.summary.consent)
    if not texts or not in_appendix(builder, width):
        return []
    # On the page the document ends on when a few lines of the text fit there: no half-empty page before it.
    flowables: list[Flowable] = [CondPageBreak(APPENDIX_ROOM), Spacer(1, 4 * mm),
                                 builder.p(builder.w("appendix"), builder.styles.heading, bold=True)]
    for index, (key, text) in enumerate(texts):
        if index:
            flowables += [CondPageBreak(40 * mm), builder.p(builder.w(key), builder.styles.subheading, bold=True)]
        flowables += text_flowables(builder, text)
    return flowables
