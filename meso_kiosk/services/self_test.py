"""``meso-kiosk self-test``: a whole consultation, end to end, in a throw-away data folder.

A clinic (or CI, or the installer's smoke test) runs it on a fresh install to see that
every library, resource, font and the seal work here: it registers a patient, completes
an intake, plans a course, has a consent signed (synthetic strokes, countersigned with a
PIN checked by the real Argon2id hasher), lets the first session start without the
cooling-off wait (an admin's recorded reason), records and closes a session on two zones,
exports the sealed PDF, verifies it, turns a phone's HEIC photo into the upright JPEG without
metadata that the clinic would store, and checks the audit chain. Every clinic data file
(rules, templates, protocols, the scalp zones, demo records) is read and checked first, then
the clinic's settings (name, contact, time zone, a price, the policies) are set and read back.
The window's part ("every page builds offscreen") lives in ``meso_kiosk.ui.self_test``
and is passed in as an extra step, since only ``ui/`` may import Qt.

It never touches clinic data: without ``--data-dir`` it works in a new temporary folder
(removed when every step passed, kept for a look when one failed); a given folder must be
empty, missing, or one a previous self-test made (it carries ``MARKER``).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, TextIO

from .demo.signature import synthetic_signature
from .kiosk import Kiosk, open_kiosk

MARKER = ".meso-kiosk-self-test"
CONSULTANT_NAME = "Self-test Consultant"
CONSULTANT_PIN = "739184"   # not a run, not a repeat: accepted by the PIN rules
PATIENT = {"given_name": "Selma", "family_name": "Testová-Ødegård", "date_of_birth": "1984-03-09",
           "sex_at_birth": "female", "preferred_language": "en"}
ACTOR = "self-test"
INTAKE_ANSWERS: dict[str, object] = {
    "complaint.hair_loss_type": "androgenetic",
    "complaint.duration_months": "18",
    "classification.ludwig": "II",
    "medical.nsaids": False,
    "medical.anticoagulants": False,
    "medical.allergy_solution_ingredient": False,
    "medical.allergy_local_anaesthetic": False,
    "medical.pregnancy": "no",
    "medical.bleeding_disorder": False,
    "medical.scalp_infection": False,
    "medical.scalp_scarring": False,
    "medical.keloid_tendency": False,
    "medical.autoimmune": False,
    "medical.diabetes": False,
    "medical.cancer_treatment": False,
    "medical.antiplatelets": False,
    "medical.mesotherapy_reaction": False,
    "medical.heart_condition": False,
    "medical.fainting": False,
}
# Set and read back by the second step: every kind of setting, in more than one script.
CLINIC_SETTINGS: dict[str, object] = {
    "name": "Self-test Clinic — Clinique d'essai",
    "address": "4 rue de l'Église\n1204 Genève\nSuisse",
    "phone": "+41 22 123 45 67",
    "email": "self-test@example.org",
    "timezone": "Europe/Paris",
    "currency": "CHF",
    "cooling_off_hours": 48,
    "minimum_age": 18,
}
CLINIC_PRICE = "180.50"  # for the first protocol
WAIVER_REASON = "Self-test: the first session is recorded at once, without the cooling-off wait."
SESSION_ZONES = {"vertex": {"injections": 20, "depth_mm": 2.5, "volume_ml": 1.5},
                 "mid_scalp": {"injections": 15, "depth_mm": 2.0, "volume_ml": 1.0}}


class SelfTestError(Exception):
    """A step found something wrong; the message is the one line to print."""


class DataDirRefused(SelfTestError):
    """The given folder holds something that is not a previous self-test's."""


@dataclass
class SelfTestRun:
    """What the steps share: the open installation and what earlier steps made."""

    data_dir: Path
    kiosk: Kiosk | None = None
    patient: object = None
    consultant: object = None
    consent: object = None
    session: object = None
    exported: object = None
    notes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[SelfTestRun], str]   # returns a short note for the line ("patient #1")


@dataclass(frozen=True)
class StepResult:
    name: str
    ok: bool
    ms: float
    note: str

    def line(self, width: int) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name:<{width}} {self.ms:8.0f} ms  {self.note}".rstrip()


# ------------------------------------------------------------------ the data folder


def claim_data_dir(given: Path | None) -> tuple[Path, bool]:
    """The folder to work in and whether it is a temporary one (to remove after success)."""
    if given is None:
        return Path(tempfile.mkdtemp(prefix="meso-kiosk-self-test-")), True
    folder = Path(given).expanduser()
    if folder.exists() and not folder.is_dir():
        raise DataDirRefused(f"{folder} is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).is_file():
        raise DataDirRefused(
            f"{folder} is not empty and not a previous self-test's folder: the self-test never "
            "writes into clinic data (give an empty or new folder, or none for a temporary one)")
    folder.mkdir(parents=True, exist_ok=True)
    return folder, False


def _mark(folder: Path) -> None:
    (folder / MARKER).write_text("made by 'meso-kiosk self-test'; safe to delete\n", encoding="utf-8")


# ------------------------------------------------------------------ the steps


def _open(run: SelfTestRun) -> str:
    _mark(run.data_dir)  # before the database, so a failed run's folder can be used again
    run.kiosk = open_kiosk(run.data_dir)
    return f"data folder {run.data_dir}"


def _clinic_settings(run: SelfTestRun) -> str:
    """The clinic's identity and policies stored, then read back from the database as set."""
    from decimal import Decimal

    clinic = run.kiosk.clinic
    protocol = next(iter(run.kiosk.clinic_data.protocols()))
    clinic.update({**CLINIC_SETTINGS, "prices": {protocol: CLINIC_PRICE}}, ACTOR)
    settings = clinic.settings()
    differ = [f"{key} is {getattr(settings, key)!r}, not {value!r}" for key, value in CLINIC_SETTINGS.items()
              if getattr(settings, key) != value]
    if settings.price_per_session(protocol) != Decimal(CLINIC_PRICE):
        differ.append(f"the price of {protocol} is {settings.price_per_session(protocol)}, not {CLINIC_PRICE}")
    if clinic.profile().name != CLINIC_SETTINGS["name"]:
        differ.append(f"the header's name is {clinic.profile().name!r}")
    if differ:
        raise SelfTestError("the clinic's settings read back differ: " + "; ".join(differ))
    return f"{len(CLINIC_SETTINGS) + 1} settings set and read back ({settings.price_text(Decimal(CLINIC_PRICE))})"


def _clinic_data(run: SelfTestRun) -> str:
    data = run.kiosk.clinic_data
    problems = data.check_all()
    if problems:
        raise SelfTestError("; ".join(problems))
    return f"{data.files_read()} files read, each checked"


def _seed_patient(run: SelfTestRun) -> str:
    run.patient = run.kiosk.patients.register(dict(PATIENT), ACTOR)
    found = run.kiosk.patients.search(PATIENT["family_name"][:5])
    if not any(p.id == run.patient.id for p in found):
        raise SelfTestError("the new patient is not found by searching their name")
    return f"patient #{run.patient.id}"


def _intake(run: SelfTestRun) -> str:
    intake = run.kiosk.intake
    for path, value in INTAKE_ANSWERS.items():
        intake.save_answer(run.patient.id, path, value, ACTOR)
    record = intake.current(run.patient.id)
    missing = intake.reasons_not_complete(record)
    if missing:
        raise SelfTestError("intake cannot be completed: " + "; ".join(missing))
    done = intake.complete(run.patient.id, ACTOR)
    if not done.is_complete or intake.blocked_steps(run.patient.id):
        raise SelfTestError("the completed intake still blocks a step")
    return f"intake #{done.id} complete"


def _course(run: SelfTestRun) -> str:
    course = run.kiosk.course
    suggestion = course.suggest(run.patient.id)
    start = course.proposed_start(course.done_dates(run.patient.id))
    stored = course.start_course(run.patient.id, start=start, protocol_id=suggestion.level, actor=ACTOR)
    plan = course.plan(run.patient.id)
    if not plan.sessions:
        raise SelfTestError("the planned course has no sessions")
    overview = course.overview(run.patient.id)
    if overview.problem is not None:
        raise SelfTestError(f"the course plan cannot be shown: {overview.problem}")
    return f"course #{stored.id}, protocol {suggestion.level}, {len(plan.sessions)} sessions from {start}"


def _consultant(run: SelfTestRun) -> str:
    accounts = run.kiosk.accounts
    if accounts.needs_setup():
        run.consultant = accounts.create_first_admin(CONSULTANT_NAME, CONSULTANT_PIN)
    else:  # a previous self-test's folder: its consultant is still there
        run.consultant = next((a for a in accounts.accounts() if a.display_name == CONSULTANT_NAME), None)
        if run.consultant is None:
            raise SelfTestError(f"this folder's accounts have no '{CONSULTANT_NAME}'")
    if not accounts.verify_pin(run.consultant.id, CONSULTANT_PIN).ok:
        raise SelfTestError("the consultant's PIN is not accepted")
    return f"consultant #{run.consultant.id} (Argon2id PIN checked)"


def _consent(run: SelfTestRun) -> str:
    consents = run.kiosk.consents
    language = consents.language_for(run.patient)
    template = consents.template_for(language)
    run.consent = consents.sign(
        run.patient.id, language=language, version=template.version, shown_text_sha256=template.text_sha256,
        checklist={item.id: True for item in template.checklist}, photo_consent=False,
        signature=synthetic_signature(f"self-test {run.patient.id}").to_data(),
        consultant_id=run.consultant.id, consultant_pin=CONSULTANT_PIN,
    )
    problems = consents.verify(run.consent)
    if problems:
        raise SelfTestError("the signed consent does not verify: " + "; ".join(problems))
    # Signed now: the gate's one refusal left is the clinic's time to think (48 h here).
    if consents.cooling_off.hold(run.patient.id) is None or consents.consent_gate(run.patient.id) != \
            consents.cooling_off.refusal(run.patient.id):
        raise SelfTestError("after signing, the consent gate does not just wait for the cooling-off period")
    return f"consent #{run.consent.id} ({language} v{template.version}) countersigned"


def _session(run: SelfTestRun) -> str:
    sessions = run.kiosk.sessions
    # The first session today: the admin records why it need not wait (the waiver's PIN, table and audit).
    run.kiosk.consents.cooling_off.waive(run.patient.id, reason=WAIVER_REASON, admin_id=run.consultant.id,
                                         admin_pin=CONSULTANT_PIN)
    started = sessions.start(run.patient.id, ACTOR, consultant_id=str(run.consultant.id))
    form = {
        "session_id": started.session_id,
        "started_at": started.started_at,  # not before the consent signed a moment ago (the gate)
        "consultant_id": str(run.consultant.id),
        "technique": "chemical_syringe",
        "numbing": "none",
        "zones": SESSION_ZONES,
        "products": [{"name": "Peptide hair complex", "lot": "ST-0001/A",
                      "expiry": f"{run.kiosk.clock.today().year + 1}-12"}],
        "duration_min": 35,
        "side_effects": ["redness"],
        "shedding": 1,
        "satisfaction": 4,
        "notes": "Self-test session.",
    }
    closed = sessions.close(run.patient.id, form, ACTOR).session
    if not closed.is_closed:
        raise SelfTestError("the session did not close")
    counts = sessions.history_counts(run.patient.id)
    if set(SESSION_ZONES) - {zone for zone, n in counts.items() if n}:
        raise SelfTestError("the closed session's zones are missing from the history")
    run.session = closed
    return f"session #{closed.session_id} closed on {len(SESSION_ZONES)} zones"


def _export(run: SelfTestRun) -> str:
    run.exported = run.kiosk.export.export_pdf(run.patient.id, ACTOR)
    size = run.exported.path.stat().st_size
    if not run.exported.path.read_bytes().startswith(b"%PDF-"):
        raise SelfTestError(f"{run.exported.path} is not a PDF")
    return f"{run.exported.path.name} ({size // 1024} KiB)"


def _shaping(run: SelfTestRun) -> str:
    """HarfBuzz is there (an installer build without uharfbuzz would print Hindi and Thai unshaped)."""
    from ..reports.shaped import shaped
    from .export import pdf_fonts

    fonts = pdf_fonts()
    for text, glyphs in (("क्ष", 1), ("👨\u200d👩\u200d👧", 1)):
        (name, _), = fonts.runs(text)
        if len(shaped(name, text)) != glyphs:
            raise SelfTestError(f"the PDF does not shape “{text}”: is the uharfbuzz package missing?")
    return "Devanagari conjunct and a joined emoji each one glyph (HarfBuzz)"


def _heic_photo(run: SelfTestRun) -> str:
    """A phone's HEIC comes in upright and bare (an installer build without pillow-heif and its libheif
    would refuse every iPhone photo)."""
    import io

    import pillow_heif
    from PIL import Image

    from .photo_image import prepare_photo

    exif = Image.Exif()
    exif[0x0112], exif[0x013B] = 6, CONSULTANT_NAME  # turned by the file, as a phone held on its side; an Artist
    heic = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (128, 96), "sienna")).save(heic, quality=80, exif=exif.tobytes())
    stored = prepare_photo(heic.getvalue())
    if (stored.width, stored.height) != (96, 128) or CONSULTANT_NAME.encode() in stored.jpeg:
        raise SelfTestError("a HEIC photo was not stored upright and without its metadata")
    return f"HEIC ({len(heic.getvalue())} bytes) stored upright as a {stored.width}x{stored.height} JPEG, metadata gone"


def _verify(run: SelfTestRun) -> str:
    report = run.kiosk.export.verify(run.exported.path)
    if not report.ok:
        raise SelfTestError(f"the exported PDF does not verify: {report.problem}")
    return f"seal valid and trusted, sha256 {report.sha256[:16]}…"


def _audit_verify(run: SelfTestRun) -> str:
    report = run.kiosk.store.verify_audit()
    if not report.ok:
        raise SelfTestError(f"audit log broken at row {report.first_broken_id}: {report.reason}")
    return f"audit log intact: {report.rows_checked} rows"


# In the clinic's order: the course is planned from the first session given (today), as the
# Course page proposes once a session is done; a course starting later would not hold it.
HEADLESS_STEPS: tuple[Step, ...] = (
    Step("open data folder", _open),
    Step("clinic data files", _clinic_data),
    Step("clinic settings", _clinic_settings),
    Step("seed patient", _seed_patient),
    Step("complete intake", _intake),
    Step("consultant and PIN", _consultant),
    Step("sign consent", _consent),
    Step("record session", _session),
    Step("plan course", _course),
    Step("export signed PDF", _export),
    Step("PDF text shaping", _shaping),
    Step("HEIC photo", _heic_photo),
    Step("verify PDF", _verify),
    Step("audit-verify", _audit_verify),
)


def _fault_words(error: BaseException) -> str:
    if isinstance(error, SelfTestError):
        return str(error)
    errors = getattr(error, "errors", None)  # ValidationError: say which field
    if isinstance(errors, dict) and errors:
        return "; ".join(f"{k}: {v}" for k, v in errors.items())
    return f"{type(error).__name__}: {error}".replace("\n", " ")


def run_self_test(data_dir: Path | None, extra_steps: Iterable[Step] = (), *,
                  out: Callable[[str], None] = print, err: TextIO | None = None) -> int:
    """Run every step, print one line per step with its time; 0 when all passed, else 1.

    Stops at the first failing step (later ones depend on it) and says where the
    folder was kept. Never raises for a failing step.
    """
    folder, temporary = claim_data_dir(data_dir)
    run = SelfTestRun(folder)
    steps = (*HEADLESS_STEPS, *extra_steps)
    width = max(len(step.name) for step in steps)
    failed: StepResult | None = None
    total = time.perf_counter()
    try:
        for step in steps:
            start = time.perf_counter()
            try:
                note = step.run(run)
                result = StepResult(step.name, True, (time.perf_counter() - start) * 1000, note)
            except Exception as error:  # noqa: BLE001 — the contract: one clear line, no traceback
                result = StepResult(step.name, False, (time.perf_counter() - start) * 1000, _fault_words(error))
            out(result.line(width))
            if not result.ok:
                failed = result
                break
    finally:
        if run.kiosk is not None:
            run.kiosk.close()
    elapsed = (time.perf_counter() - total) * 1000
    if failed is None:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
        out(f"self-test passed: {len(steps)} steps in {elapsed:.0f} ms")
        return 0
    out(f"self-test FAILED at '{failed.name}': {failed.note} (data kept in {folder})")
    return 1
