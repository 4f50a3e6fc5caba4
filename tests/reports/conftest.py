from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from meso_kiosk.domain.patient import Patient
from meso_kiosk.domain.summary import (
    ConsentAnswer, ConsentSection, ConsultationSummary, CourseSection, IntakeSection, Milestone, PlannedVisit,
    ProductUse, ScreeningOverride, SessionRow, SignatureBlock, SummaryClinic, ZoneTreatment,
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
        patient=patient, audit_head="9f" * 32, **sections,
    )


def full_sections(sessions: int = 3) -> dict:
    """Every optional section filled, with ``sessions`` treatment sessions."""
    start = MADE_AT - timedelta(weeks=2 * sessions)
    return dict(
        intake=IntakeSection(
            "Warnings acknowledged", "Ludwig", "II", ("Thyroid disorder: ask for a recent TSH result",),
            (ScreeningOverride("Isotretinoin in the last 6 months", "Stopped 14 months ago; letter seen",
                               "Dr Amélie Laurent"),),
            MADE_AT - timedelta(days=1), "Dr Amélie Laurent"),
        sessions=tuple(
            SessionRow(start + timedelta(weeks=2 * n), "Dr Amélie Laurent",
                       (ZoneTreatment("Vertex / crown", 40, 2.0, 1.5), ZoneTreatment("Frontal hairline", 30, 1.5, 1.0)),
                       (ProductUse("Dutasteride 0.01 %", f"LT-{2290 + n}A", date(2027, 3, 1)),),
                       ("Mild redness",) if n % 3 == 0 else ())
            for n in range(sessions)),
        course=CourseSection("Dutasteride mesotherapy, 8 sessions", date(2026, 10, 1),
                             tuple(PlannedVisit(n, date(2026, 10, 1) + timedelta(weeks=2 * n), "done" if n < 4 else "planned")
                                   for n in range(1, 9)),
                             (Milestone("After 3 months", "Less shedding is usually the first sign"),)),
        consent=ConsentSection("en", "1", "ab" * 32,
                               (ConsentAnswer("Pain or discomfort during the injections", "Explained and understood"),
                                ConsentAnswer("Small bruises at injection points", "Explained and understood")),
                               ("Avoid aspirin for 3 days before the session",),
                               ("Do not wash your hair for 24 hours",)),
        signatures=(SignatureBlock("Patient", "Claire Dubois", MADE_AT, "I agree to the treatment described.",
                                   "cd" * 32, (((0.05, 0.7), (0.2, 0.2), (0.4, 0.8), (0.7, 0.3), (0.95, 0.5)),)),
                    SignatureBlock("Consultant", "Dr Amélie Laurent", MADE_AT, "I explained the treatment and its risks.",
                                   "ef" * 32, (((0.1, 0.5), (0.5, 0.4), (0.9, 0.6)),))),
    )
