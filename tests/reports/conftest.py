from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from meso_kiosk.domain.patient import Patient
from meso_kiosk.domain.summary import (
    ConsentAnswer, ConsentSection, ConsultationSummary, CourseSection, IntakeSection, Milestone, Notice, NoticeLevel,
    PlannedVisit, ProductUse, ScalpSection, ScreeningItem, ScreeningOverride, SessionCorrection, SessionRow,
    SignatureBlock, SummaryClinic, UnsignedBlock, ZoneCount, ZoneTreatment,
)
from meso_kiosk.resources import resource_path

MADE_AT = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="session")
def fonts():
    from meso_kiosk.reports.fonts import font_chain

    return font_chain((resource_path("fonts"),))


def make_summary(given: str = "Claire", family: str = "Dubois", *, clinic: str = "Northgate Hair Clinic",
                 **sections) -> ConsultationSummary:
    patient = Patient(given, family, date(1986, 4, 12), "female", preferred_language="fr", id=12)
    return ConsultationSummary(
        document_id="MK-20261122-12-0A1B2C3D", generated_at=MADE_AT, clinic=SummaryClinic(clinic, PARIS),
        patient=patient, audit_head="9f" * 32, **({"words": pdf_words("en")} | sections),
    )


def pdf_words(language: str):
    """The PDF's words in ``language`` as the shipped resources/pdf/ has them."""
    from meso_kiosk.services.clinic_data import ClinicData

    return ClinicData().patient_words("pdf", language)


def geometry():
    from meso_kiosk.services.clinic_data import ClinicData

    return ClinicData().geometry()


def full_sections(sessions: int = 3) -> dict:
    """Every optional section filled, with ``sessions`` treatment sessions."""
    start = MADE_AT - timedelta(weeks=2 * sessions)
    scalp_geometry = geometry()
    counts = {"vertex": sessions, "mid_scalp": max(sessions - 1, 0), "frontal_hairline": 1}
    return dict(
        intake=IntakeSection(
            "Complete", "1 stop: all overridden with a reason; 1 warning: all acknowledged",
            "Female pattern hair loss", (("Ludwig", "II"),),
            (ScreeningItem("Warning", "Thyroid disorder: ask for a recent TSH result", "Acknowledged"),
             ScreeningItem("Stop", "Isotretinoin in the last 6 months.", "Overridden (see below)")),
            (ScreeningOverride("Isotretinoin in the last 6 months", "Stopped 14 months ago; letter seen",
                               "Dr Amélie Laurent", MADE_AT - timedelta(days=1)),),
            MADE_AT - timedelta(days=1), "Dr Amélie Laurent"),
        scalp=ScalpSection(scalp_geometry, tuple(
            ZoneCount(z.id, z.label, counts.get(z.id, 0), 40 * counts.get(z.id, 0),
                      (MADE_AT - timedelta(days=3)).date() if counts.get(z.id) else None)
            for z in scalp_geometry.zones)),
        sessions=tuple(
            SessionRow(start + timedelta(weeks=2 * n), "Dr Amélie Laurent",
                       (ZoneTreatment("Vertex / crown", 40, 2.0, 1.5), ZoneTreatment("Frontal hairline", 30, 1.5, 1.0)),
                       (ProductUse("Dutasteride 0.01 %", f"LT-{2290 + n}A", date(2027, 3, 1)),),
                       ("Mild redness",) if n % 3 == 0 else (), number=n + 1, technique="Injections by syringe",
                       corrections=(SessionCorrection(start + timedelta(weeks=2 * n, days=1), "Sam Okafor",
                                                      "Depth typed wrong", ("Vertex / crown depth (mm): 2.5 → 2",)),)
                       if n == 1 else ())
            for n in range(sessions)),
        course=CourseSection("Dutasteride mesotherapy, 8 sessions", date(2026, 10, 1),
                             tuple(PlannedVisit(n, date(2026, 10, 1) + timedelta(weeks=2 * n), "Done" if n < 4 else "Planned")
                                   for n in range(1, 9)),
                             (Milestone(date(2027, 1, 1), "Less shedding is usually the first sign"),)),
        consent=ConsentSection("English (en)", "1", "ab" * 32, "In force",
                               (ConsentAnswer("Pain or discomfort during the injections", "Read and ticked"),
                                ConsentAnswer("Small bruises at injection points", "Read and ticked")),
                               "May we take photos of your scalp?", "No: no photos, thank you.", None,
                               ("Avoid aspirin for 3 days before the session",),
                               ("Do not wash your hair for 24 hours",)),
        signatures=(SignatureBlock("Patient", "Claire Dubois", MADE_AT, "I agree to the treatment described.",
                                   "cd" * 32, (((0.05, 0.7), (0.2, 0.2), (0.4, 0.8), (0.7, 0.3), (0.95, 0.5)),)),
                    SignatureBlock("Consultant", "Dr Amélie Laurent", MADE_AT, "I explained the treatment and its risks.",
                                   "ef" * 32, method="Confirmed with the consultant's personal PIN",
                                   digest_label="Attestation SHA-256")),
    )


def unsigned_sections() -> dict:
    """What a patient without a signed consent gets: a notice and empty signature lines."""
    return dict(
        notices=(Notice(NoticeLevel.WARNING, "Consent NOT signed", "The patient has not signed a consent yet."),),
        unsigned=(UnsignedBlock("Patient", "Claire Dubois", "Not signed: no consent in force."),
                  UnsignedBlock("Consultant", "", "Not countersigned.")),
    )


def body_text(pdf: bytes) -> str:
    """The document's text without its footers, whitespace folded: a paragraph that runs on
    to the next page reads whole (each page's extracted text ends with its one footer line)."""
    from tests.pdf_tools import page_texts

    return " ".join(" ".join(text.rstrip().rsplit("\n", 1)[0] for text in page_texts(pdf)).split())
