"""The consultation summary snapshot: every record of one patient's consultation, in words.

``SummaryBuilder.build`` reads through the other services (intake, sessions, course,
consents) and turns ids into the labels a reader understands (zone names, consultant
names, protocol names, side effects), so ``reports/`` needs neither the database nor the
reference files. What is missing is said, never guessed: without a signed consent in
force the snapshot carries a "not signed" notice and empty signature lines.

"This course" is the patient's active course; sessions are not yet linked to a course
in the store (``treatment_sessions.course_id`` is never set), so every closed session of
the patient counts for it, exactly as the course planner counts done visits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from ..domain.clock import Clock, parse_utc_iso
from ..domain.consent import ConsentKind, SignedConsent
from ..domain.consent_template import BlockKind, sha256_text
from ..domain.course import DueState, due_state
from ..domain.course import SessionStatus as PlanStatus
from ..domain.patient import Patient
from ..domain.photo import Photo
from ..domain.screening import Level
from ..domain.actor import actor_name
from ..domain.session_captions import TECHNIQUES, field_caption
from ..domain.amendment import Amendment
from ..domain.session_settings import SideEffect
from ..domain.summary import (
    ConsentAnswer,
    ConsentEvent,
    ConsentSection,
    ConsultationSummary,
    CourseSection,
    IntakeSection,
    Milestone,
    Notice,
    NoticeLevel,
    PhotoPair,
    PlannedVisit,
    ProductUse,
    ScalpSection,
    ScreeningItem,
    ScreeningOverride,
    SessionCorrection,
    SessionRow,
    SignatureBlock,
    Stroke,
    SummaryClinic,
    SummaryPhoto,
    UnsignedBlock,
    ZoneCount,
    ZoneTreatment,
)
from ..store import audit as audit_rows
from ..store import patients as patient_rows
from ..store.consents import countersignature_json
from ..store.credentials import current_credentials
from ..store.db import Store
from ..store.sessions import SessionRecord
from .clinic import ClinicService
from .clinic_data import ClinicDataError
from .consent import ConsentService
from .course import CourseService
from .intake import IntakeService, headline
from .photos import PhotoFileError, PhotoService
from .sessions import SessionService
from .summary_parties import assent_words, party_blocks

# What the consultant's PIN countersignature means (the consent record stores who and when).
COUNTERSIGN_MEANING = ("I explained this treatment and its risks to the patient, answered their questions, "
                       "and confirm that they signed this consent in front of me.")
# The consultant's Summary step reads the notices in English whatever the PDF's language.
NOT_SIGNED_FOR_CONSULTANT = ("The patient has not signed a consent to this treatment yet. This document records the "
                             "consultation so far; it is not a signed consent.")
WITHDRAWN_FOR_CONSULTANT = ("The patient withdrew their consent on {when}. No further treatment may be given until a "
                            "new consent is signed. The consent shown below is no longer in force.")
LEVEL_WORDS = {Level.STOP: "level_stop", Level.WARN: "level_warn", Level.INFO: "level_info"}  # PDF word keys


@dataclass(frozen=True)
class SummarySources:
    """The services the snapshot reads the whole consultation through."""

    intake: IntakeService
    sessions: SessionService
    course: CourseService
    consents: ConsentService
    photos: PhotoService | None = None  # None: a summary without progress photos


class SummaryBuilder:
    def __init__(self, store: Store, clock: Clock, clinic: ClinicService, sources: SummarySources):
        self._store = store
        self._clock = clock
        self._clinic = clinic
        self.sources = sources
        self._credentials: dict[str, str | None] = {}  # consultant id → profession and registration
        self._words = None  # the PDF's words, in the patient's language: set by ``build``

    # -- the whole document ---------------------------------------------------
    def build(self, patient_id: int, document_id: str) -> ConsultationSummary:
        conn = self._store.conn
        patient = patient_rows.get_patient(conn, patient_id)
        names = self.sources.sessions.consultant_names()
        # The PDF's words, milestones and statuses in the patient's language (English without a file in it).
        self._words = self.sources.course.patient_words("pdf", patient.preferred_language)
        # Who treated and countersigned, as registered now (the latest row of each consultant).
        self._credentials = {str(consultant): self._credentials_words(*found)
                             for consultant, found in current_credentials(conn).items()}
        parts: dict = {"intake": self._intake(patient_id, names), "words": self._words}
        parts |= self._sessions(patient_id, names)
        parts["course"] = self._course(patient_id)
        parts["photos"] = self._photos(patient_id, parts.pop("session_numbers"))
        parts |= self._consent(patient)
        if patient.preferred_language:  # "français (fr)" in a French PDF, "French (fr)" in an English one
            code = patient.preferred_language
            name = self._language_name(code.split("-")[0])  # fr-CA is named as French
            parts["preferred_language"] = f"{name} ({code})" if name != code.split("-")[0] else code
        return ConsultationSummary(
            document_id=document_id,
            generated_at=self._clock.now_utc(),
            clinic=self._issuer(),
            patient=patient,
            audit_head=audit_rows.head_hash(conn),
            **parts,
        )

    def _issuer(self) -> SummaryClinic:
        """The clinic's name, contact lines and logo as its admin last set them."""
        settings = self._clinic.settings()
        logo = self._clinic.logo() if settings.logo else None
        return SummaryClinic(name=self._clinic.profile().name, timezone=self._clock.tz, address=settings.address,
                             phone=settings.phone, email=settings.email, logo_png=logo.png if logo else None)

    def _credentials_words(self, profession: str | None, registration: str | None) -> str | None:
        """``credentials_words`` in the PDF's language: ``Dermatologist, registration RPPS 1000``."""
        number = self._words("registration", number=registration) if registration else None
        return ", ".join(part for part in (profession, number) if part) or None

    def _price(self, protocol_id: str, sessions: int) -> str | None:
        """The course's price as course_price_words says it, in the PDF's language and number marks."""
        settings = self._clinic.settings()
        per_session = settings.price_per_session(protocol_id)
        if per_session is None or settings.currency is None:
            return None
        price = self._words.amount(per_session, settings.currency)
        if sessions == 1:
            return self._words("price_one_session", price=price)
        total = self._words.amount(per_session * sessions, settings.currency)
        return self._words("price_words", price=price, total=total, sessions=sessions)

    def _plan_word(self, state: DueState) -> str:
        return self._words({DueState.DONE: "plan_done", DueState.DUE_TODAY: "plan_due_today", DueState.DUE: "plan_next",
                            DueState.OVERDUE: "plan_overdue", DueState.PLANNED: "plan_planned"}[state])

    def _who(self, actor: str | None, names: Mapping[str, str]) -> str:
        """An audit actor ("consultant:3") as the consultant's name; other actors as they are."""
        return actor_name(actor, names) if actor else "unknown"

    # -- intake ---------------------------------------------------------------
    def _intake(self, patient_id: int, names: Mapping[str, str]) -> IntakeSection | None:
        service = self.sources.intake
        record = service.current(patient_id)
        if record is None:
            return None
        intake, options = record.intake, service.options
        # Only stops that still apply and may be overridden count as overridden (not a stale override).
        overridden = {stop.finding.rule_id: stop for stop in service.overridden_stops(patient_id)}
        w = self._words
        findings = []
        for finding in record.outcome.findings:
            if finding.level is Level.STOP:
                handled = ("handled_overridden" if finding.rule_id in overridden
                           else "handled_not_overridden" if finding.overridable else "handled_final")
            elif finding.level is Level.WARN:
                handled = ("handled_acknowledged" if finding.rule_id in record.acknowledged
                           else "handled_not_acknowledged")
            else:
                handled = "handled_information"
            findings.append(ScreeningItem(w(LEVEL_WORDS[finding.level]), finding.message, w(handled)))
        overrides = tuple(
            ScreeningOverride(headline(stop.finding.message), stop.override.reason,
                              self._who(stop.override.consultant, names), parse_utc_iso(stop.at) if stop.at else None)
            for stop in overridden.values())
        scales: list[tuple[str, str]] = []
        catalogue = options.scales
        for scale_id in ("norwood", "ludwig", "sinclair"):
            stage_id = getattr(intake.classification, scale_id, None)
            if stage_id:
                try:
                    scale = catalogue.stage_scale(scale_id)
                except KeyError:
                    continue
                stage = scale.stage(stage_id)
                scales.append((scale.label, stage.label if stage else stage_id))
        salt = service.salt_score(intake)
        if salt is not None:
            scales.append((catalogue.salt.label, f"{salt:g} of 100 ({service.salt_band_label(salt)})"))
        hair_loss = next((c.label for c in options.hair_loss_types if c.id == intake.complaint.hair_loss_type), None)
        if intake.complaint.hair_loss_type_other:
            hair_loss = f"{hair_loss or 'Other'}: {intake.complaint.hair_loss_type_other}"
        completed_by = None
        if record.is_complete:
            done = audit_rows.last_actor(self._store.conn, "intake.complete", "intake", record.id)
            completed_by = self._who(done[0], names) if done else None
        return IntakeSection(
            status=w("intake_complete" if record.is_complete else "intake_draft"),
            screening_outcome=_screening_words(record.outcome, record.overrides, record.acknowledged, w),
            hair_loss_type=hair_loss,
            scales=tuple(scales),
            findings=tuple(findings),
            overrides=overrides,
            completed_at=parse_utc_iso(record.completed_at) if record.completed_at else None,
            completed_by=completed_by,
            texts=_typed_answers(intake, w),
        )

    # -- scalp map and sessions -----------------------------------------------
    def _sessions(self, patient_id: int, names: Mapping[str, str]) -> dict:
        service = self.sources.sessions
        geometry = service.geometry
        overview = service.overview(patient_id)
        labels = {zone.id: zone.label for zone in geometry.zones}
        effects = {effect.id: effect for effect in service.side_effects}
        closed = overview.numbered
        rows = tuple(self._session_row(number, record, labels, effects, names)
                     for number, record in enumerate(closed, start=1))
        injections: dict[str, int] = {}
        last: dict[str, date] = {}
        for record in closed:
            session = record.effective
            day = self._clock.local(session.started_at).date()
            for zone in session.zones:
                injections[zone.zone_id] = injections.get(zone.zone_id, 0) + zone.injections
                last[zone.zone_id] = max(last.get(zone.zone_id, day), day)
        counts = overview.history.counts
        scalp = ScalpSection(geometry, tuple(
            ZoneCount(zone.id, zone.label, int(counts.get(zone.id, 0)), injections.get(zone.id, 0), last.get(zone.id))
            for zone in geometry.zones))
        return {"scalp": scalp if closed else None, "sessions": rows,
                "sessions_in_progress": len(overview.records) - len(overview.closed),
                "session_numbers": overview.numbers}

    def _session_row(self, number: int, record: SessionRecord, labels: Mapping[str, str],
                     effects: Mapping[str, SideEffect], names: Mapping[str, str]) -> SessionRow:
        session = record.effective
        side_effects = [effects[e].label if e in effects else e for e in session.side_effects]
        if session.side_effects_other:
            side_effects.append(session.side_effects_other)
        return SessionRow(
            started_at=session.started_at,
            consultant=names.get(session.consultant_id, f"consultant {session.consultant_id}"),
            zones=tuple(ZoneTreatment(labels.get(z.zone_id, z.zone_id), z.injections, z.depth_mm, z.volume_ml)
                        for z in session.zones),
            products=tuple(ProductUse(p.name, p.lot, p.expiry) for p in session.products),
            side_effects=tuple(side_effects),
            number=number,
            consultant_credentials=self._credentials.get(str(session.consultant_id)),
            notes=session.notes,
            technique=TECHNIQUES.get(session.technique.value, session.technique.value),
            corrections=tuple(
                SessionCorrection(stored.amendment.amended_at, self._who(stored.amendment.amended_by, names),
                                  stored.amendment.reason, self._changes(stored.amendment, labels, effects, names))
                for stored in record.amendments),
        )

    def _changes(self, amendment: Amendment, labels: Mapping[str, str], effects: Mapping[str, SideEffect],
                 names: Mapping[str, str]) -> tuple[str, ...]:
        geometry = self.sources.sessions.geometry
        words = []
        for change in amendment.changes:
            field, before, after = change.field, change.before, change.after
            if field == "notes":
                words.append("Notes changed")
                continue
            what = field_caption(field, geometry)  # the scalp-map step's words
            what = what[:1].upper() + what[1:]  # a line of its own here ("product 1 lot" on screen)
            if field == "zones":
                before = ", ".join(labels.get(z, z) for z in before.split(", ") if z)
                after = ", ".join(labels.get(z, z) for z in after.split(", ") if z)
            elif field == "side_effects":
                before = ", ".join(effects[e].label if e in effects else e for e in before.split(", ") if e)
                after = ", ".join(effects[e].label if e in effects else e for e in after.split(", ") if e)
            elif field == "consultant_id":
                before, after = names.get(before, before), names.get(after, after)
            elif field == "started_at":
                before = self._clock.format_local(before, with_offset=True) if before else before
                after = self._clock.format_local(after, with_offset=True) if after else after
            words.append(f"{what}: {before or '—'} → {after or '—'}")
        return tuple(words)

    # -- progress photos ------------------------------------------------------
    def _photos(self, patient_id: int, session_numbers: Mapping[int, int]) -> tuple[PhotoPair, ...]:
        """Each view's first and latest photo, in the clinic's order of views. ``PhotoService.photos``
        lists none while the photo consent is not current, so then the PDF has no photo section."""
        service = self.sources.photos
        if service is None:
            return ()
        pairs = []
        for view in service.views():
            taken = service.photos(patient_id, view.id)  # oldest first
            if not taken:
                continue
            shown = (taken[0], taken[-1]) if len(taken) > 1 else (taken[0],)
            pairs.append(PhotoPair(view.label_in(self._words.language),
                                   tuple(self._photo(service, photo, session_numbers) for photo in shown)))
        return tuple(pairs)

    @staticmethod
    def _photo(service: PhotoService, photo: Photo, session_numbers: Mapping[int, int]) -> SummaryPhoto:
        try:
            jpeg = service.image(photo)
        except PhotoFileError:
            jpeg = None  # the PDF says so in its place; audit-verify names the file
        return SummaryPhoto(photo.taken_at, photo.width, photo.height, jpeg,
                            session_numbers.get(photo.session_id) if photo.session_id is not None else None)

    # -- course ---------------------------------------------------------------
    def _course(self, patient_id: int) -> CourseSection | None:
        service = self.sources.course
        overview = service.overview(patient_id)
        if overview.stored is None:
            return None
        if overview.projected is None:
            stored = overview.stored.course
            protocol = service.protocols.get(stored.protocol_id)
            problem = overview.problem
            why = next(iter(problem.errors.values())) if problem is not None and problem.errors else "unknown reason"
            label = protocol.label_in(self._words.language) if protocol else stored.protocol_id
            return CourseSection(protocol=label, start=stored.start,
                                 note=f"The plan cannot be shown: {why} The consultant reviews the course plan.")
        projected = overview.projected
        return CourseSection(
            protocol=projected.protocol.label_in(self._words.language),
            start=projected.start,
            visits=tuple(PlannedVisit(s.number, s.date, self._plan_word(due_state(s, projected.today)),
                                      s.status is PlanStatus.DONE)
                         for s in projected.sessions),
            milestones=tuple(Milestone(m.date, m.milestone.text_in(self._words.language), m.passed)
                             for m in projected.milestones),
            maintenance_from=projected.maintenance_from,
            price=self._price(projected.protocol.id, projected.total),
        )

    # -- consent and signatures -----------------------------------------------
    def _consent(self, patient: Patient) -> dict:
        consents = self.sources.consents
        current = consents.current(patient.id)
        clock = self._clock
        if current is not None:
            status = self._words("in_force", when=self._words.moment(clock.local(current.signed_at)))
            return {"consent": self._consent_section(current, status), "signatures": self._signatures(current)}
        latest = consents.latest(patient.id)  # only now: reading a record parses its signature strokes
        words = self._words
        unsigned = (
            UnsignedBlock(words("role_patient"), patient.display_name, words("unsigned_patient")),
            UnsignedBlock(words("role_consultant"), "", words("unsigned_consultant")),
        )
        if latest is not None and latest.kind is ConsentKind.WITHDRAWAL:
            when = self._words.moment(clock.local(latest.signed_at))
            withdrawn = next((entry.record for entry in consents.history(patient.id)
                              if entry.record.kind is ConsentKind.CONSENT), None)
            notice = Notice(NoticeLevel.WARNING, words("notice_withdrawn_title"), words("notice_withdrawn", when=when),
                            WITHDRAWN_FOR_CONSULTANT.format(when=clock.format_local(latest.signed_at,
                                                                                    with_offset=True)))
            parts: dict = {"notices": (notice,), "unsigned": unsigned}
            if withdrawn is not None:
                parts["consent"] = self._consent_section(withdrawn, self._words("withdrawn_on", when=when),
                                                         withdrawal=latest.text)
                parts["signatures"] = (*self._signatures(withdrawn), *self._withdrawal_signatures(latest))
            return parts
        notice = Notice(NoticeLevel.WARNING, words("notice_not_signed_title"), words("notice_not_signed"),
                        NOT_SIGNED_FOR_CONSULTANT)
        return {"notices": (notice,), "unsigned": unsigned}

    def _consent_section(self, record: SignedConsent, status: str, withdrawal: str = "") -> ConsentSection:
        consents, words = self.sources.consents, self._words
        language = f"{consents.language_name(record.language)} ({record.language})"
        try:
            template = consents.template(record.language, record.template_version)
            if words.language == record.language:  # a French PDF names the French text "Français (fr)"
                language = f"{template.label('language_name')} ({record.language})"
        except ClinicDataError:
            template = None
        answers: tuple[ConsentAnswer, ...] = ()
        photo_question = photo_answer = None
        pre: tuple[str, ...] = ()
        after: tuple[str, ...] = ()
        titles = {}
        if template is not None:
            ticked = set(record.answers.acknowledged) if record.answers else set()
            answers = tuple(ConsentAnswer(item.text, words("read_and_ticked" if item.id in ticked else "not_ticked"))
                            for item in template.checklist)
            photo = template.photo_question
            photo_question = photo.question
            if record.photo_consent is not None:
                yes = record.photo_consent
                photo_answer = words("photo_answer_line", answer=words("yes" if yes else "no"),
                                     words=photo.yes if yes else photo.no)  # "Oui : …" in French
            for key, section_id in (("pre", "before"), ("after", "aftercare")):
                try:
                    section = template.section(section_id)
                except KeyError:
                    continue
                titles[key] = section.heading
                items = tuple(block.text for block in section.body
                              if block.kind in (BlockKind.BULLET, BlockKind.PARAGRAPH))
                if key == "pre":
                    pre = items
                else:
                    after = items
        question = record.answers.question_for_consultant if record.answers else None
        history = self._history(record.patient_id)
        return ConsentSection(
            language=language, version=str(record.template_version), text_sha256=record.text_sha256, status=status,
            answers=answers, photo_question=photo_question, photo_answer=photo_answer,
            question_for_consultant=question, pre_treatment=pre, aftercare=after,
            signed_text=record.text or "", withdrawal_text=withdrawal or "", history=history,
            **({"pre_treatment_title": titles["pre"]} if "pre" in titles else {}),
            **({"aftercare_title": titles["after"]} if "after" in titles else {}),
        )

    def _history(self, patient_id: int) -> tuple[ConsentEvent, ...]:
        """Every consent and withdrawal the patient signed, oldest first, in the PDF's words."""
        consents, words = self.sources.consents, self._words
        events, signed_before = [], False
        for entry in reversed(consents.history(patient_id)):  # newest first there
            record = entry.record
            if record.kind is ConsentKind.WITHDRAWAL:
                how = record.withdrawal_channel.value if record.withdrawal_channel else "in_person"
                what = words("event_withdrawn", channel=words(f"channel_{how}"))
            else:
                what = words("event_signed_again" if signed_before else "event_signed")
                signed_before = True
            language = f"{self._language_name(record.language)} ({record.language})"
            events.append(ConsentEvent(record.signed_at, what, language, str(record.template_version)))
        return tuple(events)

    def _language_name(self, code: str) -> str:
        """A language named in the PDF's own language: "Chinese" in English, "chinois" in French."""
        return self.sources.consents.language_name(code, self._words.language)

    def _signatures(self, record: SignedConsent) -> tuple[SignatureBlock, ...]:
        blocks = []
        if record.patient_signature is not None:
            strokes, aspect = _normalised(record.patient_signature)
            blocks.append(SignatureBlock(
                role=self._words("role_patient"), printed_name=record.printed_name, signed_at=record.signed_at,
                meaning=record.meaning,
                strokes_sha256=record.patient_signature_sha256 or record.patient_signature.sha256,
                strokes=strokes, aspect=aspect, method=self._words("signed_on_tablet"),
                digest_label=self._words("strokes_sha256"), device=record.device_id))
        parties = self.sources.consents.parties(record.id)  # guardian, witness, interpreter
        assent = assent_words(parties, self._words)
        if assent and blocks:  # a guardian consented: the patient's own signature is their assent
            blocks[0] = SignatureBlock(**{**vars(blocks[0]), "meaning": f"{blocks[0].meaning} {assent}"})
        blocks += party_blocks(parties, record.printed_name, self._words, self._language_name,
                               _normalised, self._words("signed_on_tablet"), record.device_id)
        blocks.append(self._countersignature(record))
        return tuple(blocks)

    def _withdrawal_signatures(self, record: SignedConsent) -> tuple[SignatureBlock, ...]:
        blocks = []
        if record.patient_signature is not None:
            strokes, aspect = _normalised(record.patient_signature)
            blocks.append(SignatureBlock(
                role=self._words("role_patient_withdrawal"), printed_name=record.printed_name,
                signed_at=record.signed_at,
                meaning=record.meaning, strokes_sha256=record.patient_signature_sha256, strokes=strokes, aspect=aspect,
                method=self._words("signed_on_tablet"), digest_label=self._words("strokes_sha256"),
                device=record.device_id))
        blocks += party_blocks(self.sources.consents.parties(record.id), record.printed_name, self._words,
                               self._language_name, _normalised, self._words("signed_on_tablet"), record.device_id)
        block = self._countersignature(record)
        how = record.withdrawal_channel.value if record.withdrawal_channel else "in_person"
        channel = self._words(f"channel_{how}")
        blocks.append(SignatureBlock(
            role=self._words("role_consultant_withdrawal"), printed_name=block.printed_name, signed_at=block.signed_at,
            meaning=self._words("withdrawal_recorded", channel=channel), strokes_sha256=block.strokes_sha256,
            method=block.method, digest_label=block.digest_label, credentials=block.credentials))
        return tuple(replace(block, withdrawal=True) for block in blocks)

    def _countersignature(self, record: SignedConsent) -> SignatureBlock:
        counter = record.countersignature
        meaning = self._words("countersign_meaning")  # COUNTERSIGN_MEANING, in the patient's language
        if record.witness_name:
            meaning += " " + self._words("witness_present", name=record.witness_name)
        return SignatureBlock(
            role=self._words("role_consultant"), printed_name=counter.consultant_name, signed_at=counter.signed_at,
            meaning=meaning, strokes_sha256=sha256_text(countersignature_json(record)),
            method=self._words("pin_method"), digest_label=self._words("attestation_sha256"),
            credentials=self._credentials.get(str(counter.consultant_id)))


def _typed_answers(intake, w) -> tuple[tuple[str, str], ...]:
    """(label, text) of each free-text answer of the intake, in the form's order, as typed."""
    typed = ((w("other_treatment"), intake.complaint.previous_treatment_other),
             (w("medications"), intake.medical.medications), (w("allergies"), intake.medical.allergies),
             (w("medical_notes"), intake.medical.notes), (w("expectations"), intake.notes.expectations),
             (w("consultant_notes"), intake.notes.consultant))
    return tuple((label, text) for label, text in typed if text and text.strip())


def _screening_words(outcome, overrides, acknowledged, w) -> str:
    """The screening outcome in one line, in the PDF's words: what was found and how it was handled."""
    def counted(key: str, noun: str, count: int, **values: object) -> str:  # "1 stop", "2 stops"
        return w(key, count=count, **{f"{noun}s": w(f"{noun}_{'one' if count == 1 else 'many'}")}, **values)

    stops, warnings = outcome.stops, outcome.warnings
    if not stops and not warnings:
        return counted("screening_clear_notes", "note", len(outcome.infos)) if outcome.infos else w("screening_clear")
    parts = []
    if stops:
        open_stops = len(outcome.unhandled_stops(overrides))
        parts.append(counted("stops_open", "stop", len(stops), open=open_stops) if open_stops
                     else counted("stops_all_overridden", "stop", len(stops)))
    if warnings:
        waiting = len(outcome.unacknowledged_warnings(acknowledged))
        parts.append(counted("warnings_open", "warning", len(warnings), open=waiting) if waiting
                     else counted("warnings_all_acknowledged", "warning", len(warnings)))
    return "; ".join(parts)


def _normalised(signature) -> tuple[tuple[Stroke, ...], float]:
    """The strokes cropped to their ink (with a small margin), in a 0..1 box, and that box's aspect."""
    box = signature.bounding_box()
    if box is None:
        return (), 3.0
    left, top, right, bottom = box
    margin = max(right - left, bottom - top, 1.0) * 0.04
    left, top, right, bottom = left - margin, top - margin, right + margin, bottom + margin
    width, height = max(right - left, 1.0), max(bottom - top, 1.0)
    strokes = tuple(tuple(((p.x - left) / width, (p.y - top) / height) for p in stroke)
                    for stroke in signature.strokes)
    return strokes, width / height
