"""The patient's course: plan it, change it, suggest its protocol, export it to a calendar.

The protocols, the clinic calendar and the severity thresholds come from
``resources/protocols/`` through the installation's ``ClinicData``. The planner itself is the pure
``domain.course.project``; this service feeds it the stored course, the dates of the
sessions already closed, and today at the clinic.

Calendar export (``export_ics``). Each session not yet done becomes one **all-day**
event on its planned day. The planner plans days, not appointment times: an all-day
event promises nothing about the hour (the clinic books that), and, having no time,
it cannot move to another day when the patient's phone is in another time zone. Each
event carries a reminder the evening before (18:00 on the patient's device), the
clinic's name, and the aftercare advice. UIDs are stable per course and session
number, so importing a newer file updates the events instead of duplicating them
(``SEQUENCE`` grows with every export). ``DTSTAMP`` is the export moment in UTC.
The file is written atomically: a temporary file in the same folder, flushed and
fsynced, then ``os.replace``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from ..domain.aftercare import Aftercare
from ..domain.clock import Clock, parse_utc_iso
from ..domain.clinic_calendar import ClinicCalendar
from ..domain.course import Course, ProjectedCourse, project
from ..domain.course_price import course_price_words
from ..domain.protocol import MAX_INTERVAL_DAYS, Protocol
from ..domain.errors import ValidationError
from ..domain.intake import intake_salt_score
from ..domain.patient import parse_date
from ..domain.patient_words import PatientWords
from ..domain.severity import (
    MILD,
    SeverityChoice,
    SeverityRules,
    SeveritySuggestion,
    suggest_severity,
)
from ..store import courses as course_rows
from ..store import intakes as intake_rows
from ..store import patients as patient_rows
from ..store.courses import StoredCourse
from ..store.db import Store
from ..store.errors import RecordNotFoundError
from ..store.settings import clinic_name
from .clinic import ClinicService
from .clinic_data import ClinicData
from .files import write_atomically


# Sanity bounds for a typed start date: they catch a wrong year, they are not clinic rules.
MAX_START_DAYS_AHEAD = 366
MAX_START_DAYS_BEHIND = 3 * 366
ICS_KIND = "course_calendar"
REMINDER_BEFORE = timedelta(hours=6)  # all-day event starts at 00:00: 18:00 the evening before
MAX_EXPORT_PATH = 4096


class NoCourseError(RecordNotFoundError):
    """The patient has no course yet."""


class CourseExportError(Exception):
    """The calendar file could not be written; the message says why, for the consultant."""


@dataclass(frozen=True)
class CourseOverview:
    """Everything the course page shows for one patient.

    ``projected`` is the stored course's plan, or, when no course is stored yet, a
    proposal (the suggested protocol from the first session done, or from today).
    ``problem`` says why the stored course cannot be planned any more (for example more
    sessions done than its protocol has); the page shows it and lets the consultant fix it.
    """

    patient_id: int
    stored: StoredCourse | None
    suggestion: SeveritySuggestion
    projected: ProjectedCourse | None
    done: tuple[date, ...]
    problem: ValidationError | None = None

    @property
    def is_proposal(self) -> bool:
        return self.stored is None


@dataclass(frozen=True)
class IcsExport:
    path: Path
    events: int
    sha256: str


class CourseService:
    def __init__(self, store: Store, clock: Clock, clinic_data: ClinicData, clinic: ClinicService | None = None):
        self._store = store
        self._clinic = clinic  # its prices, read at each call: an admin may change them any time
        self._clock = clock
        self._data = clinic_data
        self._protocols = self._data.protocols()
        self._rules: SeverityRules = self._data.severity_rules()
        self._calendar = self._data.clinic_calendar()

    # -- reference data ------------------------------------------------------------------

    @property
    def protocols(self) -> Mapping[str, Protocol]:
        """The clinic's protocols in file order."""
        return self._protocols

    @property
    def calendar(self) -> ClinicCalendar:
        return self._calendar

    def protocol(self, protocol_id: object) -> Protocol:
        protocol = self._protocols.get(protocol_id) if isinstance(protocol_id, str) else None
        if protocol is None:
            raise ValidationError.single("protocol_id", "Choose a protocol from the list.")
        return protocol

    def aftercare(self, language: str | None = None) -> Aftercare:
        """The aftercare advice in ``language`` when the clinic has it, else in English."""
        return self._data.aftercare_or_english(language)

    def clinic_name(self) -> str:
        return clinic_name(self._store.conn)

    def patient_words(self, kind: str, language: str | None) -> PatientWords:
        """What the patient takes home is printed in: ``kind`` "calendar" or "pdf", in ``language``
        when the clinic has words in it, else English."""
        return self._data.patient_words(kind, language)

    def price_words(self, projected: ProjectedCourse | None) -> str | None:
        """The price of ``projected`` as the clinic set it now (per session and for all its
        sessions); None when the clinic set no price for its protocol, or no currency."""
        if projected is None or self._clinic is None:
            return None
        return course_price_words(self._clinic.settings(), projected.protocol.id, projected.total)

    # -- reading -------------------------------------------------------------------------

    def active(self, patient_id: int) -> StoredCourse | None:
        return course_rows.get_active_course(self._store.conn, patient_id)

    def done_dates(self, patient_id: int, course_id: int | None = None) -> list[date]:
        return course_rows.done_session_dates(self._store.conn, patient_id, tz=self._clock.tz, course_id=course_id)

    def suggest(self, patient_id: int) -> SeveritySuggestion:
        """The protocol level the patient's latest intake points to, with the reason."""
        intake = intake_rows.latest_intake(self._store.conn, patient_id)
        if intake is None:
            return SeveritySuggestion(MILD, "No intake recorded yet")
        scales = intake.classification
        try:
            return suggest_severity(
                self._rules,
                norwood=scales.norwood,
                ludwig=scales.ludwig,
                sinclair=scales.sinclair,
                salt=self._salt_score(intake),
            )
        except ValidationError as error:
            return SeveritySuggestion(MILD, f"The intake's scales could not be read ({error.errors[error.field]})")

    def _salt_score(self, intake) -> float | None:
        if not intake.classification.salt.complete:
            return None
        return intake_salt_score(intake, self._data.intake_options().scales)

    def plan(self, patient_id: int) -> ProjectedCourse:
        """The active course's plan as of today; ``NoCourseError`` when there is none."""
        stored = self.active(patient_id)
        if stored is None:
            raise NoCourseError(f"Patient {patient_id} has no course yet.")
        return self._project(stored.course, self.done_dates(patient_id, stored.id))

    def preview(self, patient_id: int, *, start: object, protocol_id: object,
                interval_overrides: Mapping[int, int] | None = None) -> ProjectedCourse:
        """The plan a course would have, without storing anything (``ValidationError`` by field)."""
        course = self._course(start, protocol_id, interval_overrides or {})
        return self._project(course, self.done_dates(patient_id))

    def overview(self, patient_id: int) -> CourseOverview:
        stored = self.active(patient_id)
        suggestion = self.suggest(patient_id)
        done = tuple(self.done_dates(patient_id, None if stored is None else stored.id))
        if stored is not None:
            course = stored.course
        else:
            protocol_id = suggestion.level if suggestion.level in self._protocols else next(iter(self._protocols))
            course = Course(start=self.proposed_start(done), protocol_id=protocol_id)
        try:
            projected = self._project(course, list(done))
        except ValidationError as error:
            return CourseOverview(patient_id, stored, suggestion, None, done, problem=error)
        return CourseOverview(patient_id, stored, suggestion, projected, done)

    def proposed_start(self, done: tuple[date, ...] | list[date] = ()) -> date:
        """Where a new course starts: the first session already given, else the next open day."""
        return done[0] if done else self._calendar.next_open_day(self._clock.today())

    # -- changing ------------------------------------------------------------------------

    def start_course(self, patient_id: int, *, start: object, protocol_id: object, reason: object = None,
                     actor: str) -> StoredCourse:
        """Store the patient's course (or replace the active one's start and protocol)."""
        self._require_patient(patient_id)
        course = self._course(start, protocol_id, {})
        choice, basis = self._choice(patient_id, course.protocol_id, reason)
        return self._save(patient_id, course, choice, actor, basis=basis, field_of_done="protocol_id")

    def change_start(self, patient_id: int, start: object, *, actor: str) -> StoredCourse:
        stored = self._require_course(patient_id)
        course = self._course(start, stored.protocol_id, stored.course.interval_overrides)
        return self._save(patient_id, course, stored.choice, actor, basis=stored.severity_basis, field_of_done="start")

    def change_protocol(self, patient_id: int, protocol_id: object, reason: object = None, *,
                        actor: str) -> StoredCourse:
        """Another protocol; a choice other than the suggestion needs a reason.

        Intervals set by hand belong to the old protocol's phases, so they are dropped.
        """
        stored = self._require_course(patient_id)
        course = self._course(stored.start, protocol_id, {})
        choice, basis = self._choice(patient_id, course.protocol_id, reason)
        return self._save(patient_id, course, choice, actor, basis=basis, field_of_done="protocol_id")

    def change_interval(self, patient_id: int, session_number: object, days: object, *,
                        actor: str) -> StoredCourse:
        """Set the days between session ``session_number - 1`` and it; ``None`` = the protocol's."""
        stored = self._require_course(patient_id)
        protocol = self.protocol(stored.protocol_id)
        number = _whole(session_number, "interval", "The session number", 2, protocol.sessions)
        done = self.done_dates(patient_id, stored.id)
        if number <= len(done):
            raise ValidationError.single(
                "interval", f"Session {number} is already done; its date is kept as it happened."
            )
        overrides = dict(stored.course.interval_overrides)
        if days is None:
            overrides.pop(number, None)
        else:
            value = _whole(days, "interval", "The number of days", 1, MAX_INTERVAL_DAYS)
            minimum = protocol.phase_of(number).min_interval_days
            if value < minimum:
                raise ValidationError.single(
                    "interval",
                    f"Session {number} must be at least {minimum} days after session {number - 1}"
                    f" (the protocol's minimum); {value} is too soon.",
                )
            overrides[number] = value
            if value == protocol.phase_of(number).interval_days:
                overrides.pop(number)  # the protocol's own interval: nothing to remember
        course = Course(stored.start, stored.protocol_id, overrides)
        return self._save(patient_id, course, stored.choice, actor, basis=stored.severity_basis,
                          field_of_done="interval")

    # -- calendar export -----------------------------------------------------------------

    @staticmethod
    def ics_file_name(patient_id: int) -> str:
        return f"course-plan-patient-{int(patient_id)}.ics"

    def export_ics(self, patient_id: int, path: Path | str, *, actor: str) -> IcsExport:
        """Write the sessions still to come as an RFC 5545 calendar file at ``path``.

        Raises ``NoCourseError`` without a stored course, ``ValidationError`` when nothing
        is left to plan, ``CourseExportError`` when the file cannot be written.
        """
        target = _export_target(path)
        stored = self._require_course(patient_id)
        projected = self._project(stored.course, self.done_dates(patient_id, stored.id))
        upcoming = [session for session in projected.sessions if not session.is_done]
        if not upcoming:
            raise ValidationError.single("ics", "Every session of this course is done: there is nothing to add.")
        patient = patient_rows.get_patient(self._store.conn, patient_id)
        language = patient.preferred_language  # the patient's own, when the clinic has words in it
        data = self.ics_bytes(stored, projected, self.aftercare(language), language)
        try:
            write_atomically(target, data)
        except OSError as error:
            raise CourseExportError(
                f"The calendar file could not be saved in {target.parent}: {error.strerror or error}."
            ) from error
        digest = hashlib.sha256(data).hexdigest()
        with self._store.write(actor) as tx:
            course_rows.record_export(tx, patient_id, ICS_KIND, str(target), digest)
        return IcsExport(target, len(upcoming), digest)

    def ics_bytes(self, stored: StoredCourse, projected: ProjectedCourse, aftercare: Aftercare,
                  language: str | None = None) -> bytes:
        """The calendar in ``language`` (its words, milestones and aftercare; English when the
        clinic has no words in it)."""
        from icalendar import Alarm, Calendar, Event  # import cost only when exporting

        words = self.patient_words("calendar", language)
        milestone_language = words.language  # milestones in the same language as the words around them
        clinic = self.clinic_name()
        now = self._clock.now_utc()
        created = parse_utc_iso(stored.created_at)
        sequence = max(0, int((now - created).total_seconds()))
        uid_seed = hashlib.sha256(f"{stored.id}|{stored.patient_id}|{stored.created_at}".encode()).hexdigest()[:20]
        care = aftercare.as_text(clinic)
        by_session = {}
        for milestone in projected.milestones:
            if milestone.milestone.anchor == "session":
                text = milestone.milestone.text_in(milestone_language)
                by_session.setdefault(milestone.milestone.at, []).append(text)

        calendar = Calendar()
        calendar.add("prodid", "-//Meso Kiosk//Course plan//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", words("calendar_name", clinic=clinic))
        total = projected.total
        for session in projected.sessions:
            if session.is_done:
                continue
            numbered = {"number": session.number, "total": total, "clinic": clinic}
            title = words("event_title", **numbered)
            lines = [words("event_line", **numbered), words("time_to_confirm")]
            if session.status == "overdue":
                lines.append(words("overdue"))
            for text in by_session.get(session.number, []):
                lines += ["", words("milestone", text=text)]
            lines += ["", care]
            event = Event()
            event.add("uid", f"{uid_seed}-session-{session.number}@meso-kiosk")
            event.add("dtstamp", now)
            event.add("sequence", sequence)
            event.add("dtstart", session.date)
            event.add("dtend", session.date + timedelta(days=1))
            event.add("summary", title)
            event.add("location", clinic)
            event.add("description", "\n".join(lines))
            event.add("transp", "TRANSPARENT")
            event.add("status", "TENTATIVE")
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", -REMINDER_BEFORE)
            alarm.add("description", words("reminder", clinic=clinic))
            event.add_component(alarm)
            calendar.add_component(event)
        return calendar.to_ical()

    # -- helpers -------------------------------------------------------------------------

    def _project(self, course: Course, done: list[date]) -> ProjectedCourse:
        protocol = self.protocol(course.protocol_id)
        return project(course.start, protocol, done, self._calendar, self._clock.today(),
                       dict(course.interval_overrides))

    def _course(self, start: object, protocol_id: object, overrides: Mapping[int, int]) -> Course:
        errors: dict[str, str] = {}
        day = None
        try:
            day = self._start_date(start)
        except ValidationError as error:
            errors.update(error.errors)
        try:
            protocol = self.protocol(protocol_id)
        except ValidationError as error:
            errors.update(error.errors)
            protocol = None
        if errors:
            raise ValidationError(errors)
        assert day is not None and protocol is not None
        return Course(start=day, protocol_id=protocol.id, interval_overrides=dict(overrides))

    def _start_date(self, value: object) -> date:
        if isinstance(value, datetime):
            raise ValidationError.single("start", "The start must be a calendar date, not a date and time.")
        if isinstance(value, str) and len(value) > 40:
            raise ValidationError.single("start", "Enter the start date like 2026-12-01 or 01/12/2026.")
        try:
            day = parse_date(value, "start", "start date")
        except ValidationError:
            raise ValidationError.single("start", "Enter the start date like 2026-12-01 or 01/12/2026.") from None
        today = self._clock.today()
        if day > today + timedelta(days=MAX_START_DAYS_AHEAD):
            raise ValidationError.single("start", "That start date is more than a year ahead; please check the year.")
        if day < today - timedelta(days=MAX_START_DAYS_BEHIND):
            raise ValidationError.single("start", "That start date is more than three years ago; please check the year.")
        return day

    def _choice(self, patient_id: int, protocol_id: str, reason: object) -> tuple[SeverityChoice, str]:
        """The consultant's choice against today's suggestion, and why that was suggested."""
        suggestion = self.suggest(patient_id)
        return SeverityChoice(suggested=suggestion.level, chosen=protocol_id, reason=reason), suggestion.reason

    def _require_patient(self, patient_id: int) -> None:
        patient_rows.get_patient(self._store.conn, patient_id)

    def _require_course(self, patient_id: int) -> StoredCourse:
        stored = self.active(patient_id)
        if stored is None:
            raise NoCourseError(f"Patient {patient_id} has no course yet: start one first.")
        return stored

    def _save(self, patient_id: int, course: Course, choice: SeverityChoice, actor: str, *,
              basis: str | None = None, field_of_done: str) -> StoredCourse:
        """Check the course can be planned with the sessions already done, then store it."""
        stored = self.active(patient_id)
        done = self.done_dates(patient_id, None if stored is None else stored.id)
        try:
            self._project(course, done)
        except ValidationError as error:
            raise _refield(error, field_of_done) from None
        with self._store.write(actor) as tx:
            return course_rows.save_active_course(tx, patient_id, course, choice, basis)


def _refield(error: ValidationError, field_of_done: str) -> ValidationError:
    """Name the field the person just changed when the plan refuses it."""
    errors = {}
    for key, message in error.errors.items():
        if key in ("done", "calendar") or key.startswith("interval_overrides"):
            key = field_of_done
        errors.setdefault(key, message)
    return ValidationError(errors)


def _whole(value: object, field: str, what: str, low: int, high: int) -> int:
    if isinstance(value, str) and value.strip().lstrip("+").isdigit() and len(value.strip()) <= 6:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError.single(field, f"{what} must be a whole number from {low} to {high}.")
    if not low <= value <= high:
        raise ValidationError.single(field, f"{what} must be from {low} to {high} (not {value}).")
    return value


def _export_target(path: Path | str) -> Path:
    if not isinstance(path, (str, Path)) or not str(path).strip() or len(str(path)) > MAX_EXPORT_PATH:
        raise CourseExportError("Choose a file name for the calendar.")
    if "\x00" in str(path):
        raise CourseExportError("The calendar file name contains an invisible control character.")
    target = Path(path)
    if target.suffix.lower() != ".ics":
        raise CourseExportError("The calendar file name must end in .ics.")
    if target.is_dir():
        raise CourseExportError(f"{target} is a folder; give a file name ending in .ics.")
    if not target.parent.is_dir():
        raise CourseExportError(f"The folder {target.parent} does not exist.")
    return target
