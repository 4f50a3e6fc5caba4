"""Where the appendix with the signed text starts: on the page the signatures end on when its heading
and a few lines fit there, never a page of its own after a half-empty one, never a heading left alone."""

from __future__ import annotations

from dataclasses import replace

import pytest
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from meso_kiosk.reports import summary_pdf
from meso_kiosk.reports.signed_text import APPENDIX_ROOM
from tests.pdf_tools import page_texts

from .conftest import full_sections, make_summary

LONG_TEXT = "\n".join(f"Paragraph {n}: " + "the patient read this sentence before signing. " * 6 for n in range(40))
HEADING = "Appendix: the text the patient signed"


class Probe(Flowable):
    """Records the room left on the page where it stands (and the page's number)."""

    def __init__(self, seen: dict):
        super().__init__()
        self.seen = seen

    def wrap(self, availWidth, availHeight):  # noqa: N802, N803
        self.seen["left"] = availHeight
        return 0, 0

    def draw(self):
        self.seen["page"] = self.canv.getPageNumber()


def render_leaving(fonts, monkeypatch, left: float | None) -> tuple[bytes, dict]:
    """The summary with a long signed text, padded after the signatures so ``left`` points remain
    on their page when the appendix comes (None: unpadded)."""
    sections = full_sections()
    summary = make_summary(**sections | {"consent": replace(sections["consent"], signed_text=LONG_TEXT)})
    seen: dict = {}
    probe = Probe(seen)
    monkeypatch.setattr(summary_pdf._Builder, "not_yet", lambda self: [probe])  # between signatures and appendix
    pdf = summary_pdf.render_summary(summary, fonts)
    if left is None:
        return pdf, seen
    room = seen["left"]
    if room < left:
        pytest.fail(f"the signatures leave only {room / mm:.0f} mm on their page; the test needs {left / mm:.0f}")
    padded: dict = {}
    monkeypatch.setattr(summary_pdf._Builder, "not_yet", lambda self: [Spacer(1, room - left), Probe(padded)])
    pdf = summary_pdf.render_summary(summary, fonts)
    assert padded["page"] == seen["page"] and abs(padded["left"] - left) < 0.5
    return pdf, padded


def appendix_page(pdf: bytes) -> int:
    return next(number for number, text in enumerate(page_texts(pdf), start=1) if HEADING in text)


@pytest.mark.parametrize("left", [60 * mm, 45 * mm, APPENDIX_ROOM + 1], ids=["60 mm", "45 mm", "just enough"])
def test_the_appendix_starts_on_the_signatures_page_when_a_few_lines_fit(fonts, monkeypatch, left):
    pdf, seen = render_leaving(fonts, monkeypatch, left)
    assert appendix_page(pdf) == seen["page"]
    text = page_texts(pdf)[seen["page"] - 1]
    assert "Paragraph 0: the patient read this sentence" in text  # its heading has text under it


def test_with_less_room_the_appendix_starts_the_next_page_heading_and_all(fonts, monkeypatch):
    pdf, seen = render_leaving(fonts, monkeypatch, APPENDIX_ROOM - 2 * mm)
    assert appendix_page(pdf) == seen["page"] + 1
    assert "Paragraph 0" not in page_texts(pdf)[seen["page"] - 1]
