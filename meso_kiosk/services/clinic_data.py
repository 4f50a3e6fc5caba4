"""The clinic's own data under ``resources/``, read one way: each file parsed once, all checkable.

A clinic edits these files (screening rules, consent templates, protocols, the scalp zones,
the demo records). Every service takes its data from one ``ClinicData``: it reads a file the
first time it is asked for, hands it to the domain's parse function and keeps the result.
Whatever is wrong with a file (missing, a TOML or JSON syntax error, a value the domain
refuses) becomes one ``ClinicDataError`` naming the file (relative to ``resources/``) and the
key, so the clinic knows what to fix. ``check_all`` reads every file: the GUI runs it right
after its first frame, ``self-test`` runs it too, so a broken file shows before a patient
sits down, not when its page is first used.

A cold start imports this module on its way to the first frame: the window's title comes
from app.toml.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from ..domain.aftercare import Aftercare, parse_aftercare
from ..domain.clinic_calendar import ClinicCalendar, parse_clinic_calendar
from ..domain.consent_clinic import EXTRA_GROUPS, has_group
from ..domain.consent_template import ConsentTemplate, TemplateError, check_checklist_ids, parse_consent_template
from ..domain.intake_form import field_paths
from ..domain.intake_options import IntakeOptions, parse_options
from ..domain.protocol import Protocol, parse_protocols
from ..domain.photo import PhotoView, parse_photo_views
from ..domain.patient_words import CALENDAR_KEYS, PDF_KEYS, PatientWords, parse_patient_words
from ..domain.scalp import ScalpGeometry, parse_geometry
from ..domain.screening import ScreeningRule, parse_rules
from ..domain.session_settings import SessionSettings, SideEffect, parse_session_settings, parse_side_effects
from ..domain.severity import SeverityRules, parse_severity_rules
from ..domain.errors import ValidationError
from ..domain.language import is_language_code
from ..resources import MissingResourceError, resource_path
from .errors import WordedError
from .reference import AppInfo, Language, parse_app_info, parse_languages

if TYPE_CHECKING:
    from ..domain.clinic_settings import ClinicSettings

T = TypeVar("T")

APP_FILE = "app.toml"
LANGUAGES_FILE = "languages.toml"
OPTIONS_FILE = "intake/options.toml"
RULES_FILE = "screening/rules.toml"
SESSION_SETTINGS_FILE = "sessions/settings.toml"
SIDE_EFFECTS_FILE = "side_effects.toml"
GEOMETRY_FILE = "scalp/zones.json"
PROTOCOLS_FILE = "protocols/protocols.toml"
CALENDAR_FILE = "protocols/clinic_calendar.toml"
CONSENT_INDEX_FILE = "consent/index.toml"
PHOTO_VIEWS_FILE = "photos/views.toml"
PATIENT_WORDS_KINDS = ("calendar", "pdf")  # calendar/<language>.toml, pdf/<language>.toml
DEFAULT_LANGUAGE = "en"
DEMO_CLINIC_FILE = "demo/clinic.toml"
# The top-level entries each demo seeder reads; the records inside are checked as they are seeded.
DEMO_SECTIONS = {
    "clinic": ("clinic", "consultants", "patients"),
    "intakes": ("all_clear", "intake"),
    "consents": ("pin", "consent"),
    "courses": ("course",),
    "sessions": ("session",),
}
# What a parse function raises on data it cannot take: ValidationError, TemplateError and the
# options and rules errors are ValueErrors; a shape it did not expect can end in the others.
_PARSE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError)


class ClinicDataError(WordedError):
    """A clinic data file cannot be used; the message names the file and the key at fault."""

    def __init__(self, name: str, problem: str, key: str | None = None):
        self.name, self.key, self.problem = name, key, problem
        super().__init__(f"{name}: {key}: {problem}" if key else f"{name}: {problem}")


class ClinicData:
    """The clinic data files of one installation, each read and parsed at most once.

    ``root``: a resources folder to read instead of the shipped one (tests).
    """

    def __init__(self, root: Path | None = None):
        self._root = root
        self._raw: dict[str, Any] = {}
        self._parsed: dict[tuple, Any] = {}

    # -- reading -------------------------------------------------------------------------

    def _path(self, name: str) -> Path:
        try:
            return resource_path(name, root=self._root)
        except MissingResourceError:
            raise ClinicDataError(name, "the file is missing; restore it or reinstall the application") from None

    def _read_text(self, name: str) -> str:
        try:
            return self._path(name).read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise ClinicDataError(name, f"not UTF-8 text (byte {error.start})") from None
        except OSError as error:
            raise ClinicDataError(name, f"cannot be read ({error.strerror or error})") from None

    def raw(self, name: str) -> Any:
        """The file as TOML (or, for ``.json``, JSON) data, read once."""
        if name not in self._raw:
            text = self._read_text(name)
            if name.endswith(".json"):
                try:
                    data = json.loads(text)
                except json.JSONDecodeError as error:
                    raise ClinicDataError(name, f"{error.msg} (at line {error.lineno}, column {error.colno})") from None
            else:
                try:
                    data = tomllib.loads(text)
                except tomllib.TOMLDecodeError as error:
                    raise ClinicDataError(name, str(error)) from None
            self._raw[name] = data
        return self._raw[name]

    def parsed(self, name: str, parse: Callable[[Any], T], key: tuple = ()) -> T:
        """``parse(raw(name))``, once per ``(name, *key)``; its errors named after the file."""
        cache_key = (name, *key)
        if cache_key not in self._parsed:
            data = self.raw(name)
            try:
                self._parsed[cache_key] = parse(data)
            except _PARSE_ERRORS as error:
                raise _named(name, error) from None
        return self._parsed[cache_key]

    # -- the files -----------------------------------------------------------------------

    def app_info(self) -> AppInfo:
        return self.parsed(APP_FILE, parse_app_info)

    def languages(self) -> tuple[Language, ...]:
        return self.parsed(LANGUAGES_FILE, parse_languages)

    def language_name(self, code: str, into: str | None = None) -> str:
        """A language's name for the consultant's screens ("French"), or as a document in language
        ``into`` writes it (a French PDF: "chinois"); the code itself when it is not listed."""
        return next((language.name_in(into) for language in self.languages() if language.code == code), code)

    def intake_options(self) -> IntakeOptions:
        return self.parsed(OPTIONS_FILE, parse_options)

    def screening_rules(self) -> tuple[ScreeningRule, ...]:
        known = field_paths(self.intake_options())
        return self.parsed(RULES_FILE, lambda data: parse_rules(data, known_fields=known))

    def session_settings(self) -> SessionSettings:
        return self.parsed(SESSION_SETTINGS_FILE, parse_session_settings)

    def side_effects(self) -> tuple[SideEffect, ...]:
        return self.parsed(SIDE_EFFECTS_FILE, parse_side_effects)

    def geometry(self) -> ScalpGeometry:
        return self.parsed(GEOMETRY_FILE, parse_geometry)

    def protocols(self) -> dict[str, Protocol]:
        return self.parsed(PROTOCOLS_FILE, parse_protocols)

    def severity_rules(self) -> SeverityRules:
        return self.parsed(PROTOCOLS_FILE, parse_severity_rules, key=("severity",))

    def clinic_calendar(self) -> ClinicCalendar:
        return self.parsed(CALENDAR_FILE, parse_clinic_calendar)

    def photo_views(self) -> tuple[PhotoView, ...]:
        """The standard views progress photos are taken in, in the clinic's order."""
        return self.parsed(PHOTO_VIEWS_FILE, parse_photo_views)

    def aftercare(self, language: str | None) -> Aftercare | None:
        """The aftercare advice in ``language``; None when the clinic has none in it."""
        if not is_language_code(language):
            return None
        name = f"aftercare/{language}.toml"
        if not self._exists(name):
            return None
        return self.parsed(name, lambda data: parse_aftercare(data, name))

    def aftercare_or_english(self, language: str | None) -> Aftercare:
        """The aftercare advice in ``language`` when the clinic has it (None or a code that is not
        one: it has not), else the English one."""
        advice = self.aftercare(language) or self.aftercare(DEFAULT_LANGUAGE)
        if advice is None:
            self._path(f"aftercare/{DEFAULT_LANGUAGE}.toml")  # says it is missing
        return advice

    def aftercare_languages(self) -> tuple[str, ...]:
        folder = self._path("aftercare")
        return tuple(sorted(path.stem for path in folder.glob("*.toml")))

    def patient_words(self, kind: str, language: str | None) -> PatientWords:
        """The words of the patient's calendar file (``kind`` "calendar") or PDF ("pdf") in
        ``language`` when the clinic has them (``<kind>/<language>.toml``), else in English."""
        for code in (language, (language or "").split("-")[0], DEFAULT_LANGUAGE):
            name = f"{kind}/{code}.toml"
            if is_language_code(code) and self._exists(name):
                keys, months = (PDF_KEYS, True) if kind == "pdf" else (CALENDAR_KEYS, False)
                return self.parsed(name, lambda data: parse_patient_words(data, name, kind, keys, months=months))
        self._path(f"{kind}/{DEFAULT_LANGUAGE}.toml")  # says it is missing
        raise AssertionError("unreachable")

    def consent_versions(self) -> dict[str, int]:
        """The consent version signed today, per language (``[current]`` of consent/index.toml)."""
        return self.parsed(CONSENT_INDEX_FILE, _parse_consent_index)[0]

    def consent_default_language(self) -> str:
        return self.parsed(CONSENT_INDEX_FILE, _parse_consent_index)[1]

    def consent_template(self, language: str, version: int) -> ConsentTemplate:
        """A consent template, checked against its file name and the side-effect catalogue."""
        name = f"consent/{language}/v{version}.toml"
        if not is_language_code(language):
            raise ClinicDataError(name, "there is no consent in this language")
        effects = self.side_effects()
        catalogue = tuple((effect.id, effect.rare) for effect in effects)

        def words(language: str) -> dict[str, tuple[bool, str | None]]:
            return {effect.id: (effect.rare, effect.wording(language)) for effect in effects}

        def parse(data: Any) -> ConsentTemplate:
            template = parse_consent_template(data, words)
            if (template.language, template.version) != (language, version):
                raise TemplateError(f"it says language {template.language!r}, version {template.version}: "
                                    "they must match its name")
            current = self.consent_versions().get(language) == version
            problems = check_checklist_ids(template, catalogue, current=current)
            if problems:
                raise TemplateError(f"it does not match {SIDE_EFFECTS_FILE}: " + "; ".join(problems))
            if current:  # a consent signed today says the stops, urgent contact and time to think (issue 23)
                said = dict(template.clinic_words)
                missing = [key for group in EXTRA_GROUPS if not has_group(said, group) for key in EXTRA_GROUPS[group]]
                if missing:
                    raise TemplateError("missing: the consent signed today needs it (see consent/en/v2.toml)",
                                        key=f"clinic.{missing[0]}")
            return template

        return self.parsed(name, parse)

    def demo(self, name: str) -> dict:
        """A demo file (``demo/<name>.toml``): its records are checked as they are seeded."""
        file = f"demo/{name}.toml"

        def sections(data: dict) -> dict:
            for section in DEMO_SECTIONS.get(name, ()):
                if section not in data:
                    raise ClinicDataError(file, "missing", key=section)
            if name == "clinic":  # the settings as the settings page would take them, the logo there
                _demo_clinic_settings(data["clinic"], tuple(self.protocols()))
                if "logo" in data["clinic"]:
                    self._path(_demo_picture_name(data["clinic"]["logo"]))
            return data

        return self.parsed(file, sections)

    def demo_clinic_settings(self) -> ClinicSettings:
        """The demo clinic's name, contact and policies (``[clinic]`` of demo/clinic.toml), checked by
        the one validator of the clinic's settings; its logo is ``demo_picture``'s to read."""
        self.demo("clinic")
        protocol_ids = tuple(self.protocols())
        return self.parsed(DEMO_CLINIC_FILE, lambda data: _demo_clinic_settings(data["clinic"], protocol_ids),
                           key=("settings",))

    def demo_picture(self, name: object) -> bytes:
        """The bytes of a picture beside the demo files (``demo/<name>``), e.g. the demo clinic's logo."""
        path = _demo_picture_name(name)
        try:
            return self._path(path).read_bytes()
        except OSError as error:
            raise ClinicDataError(path, f"cannot be read ({error.strerror or error})") from None

    def _check_language_listed(self, language: str) -> None:
        """A consent language the screens can name: it is in languages.toml."""
        if language not in {entry.code for entry in self.languages()}:
            raise ClinicDataError(CONSENT_INDEX_FILE, f"{language!r} is not in {LANGUAGES_FILE}",
                                  key=f"current.{language}")

    def _exists(self, name: str) -> bool:
        try:
            self._path(name)
        except ClinicDataError:
            return False
        return True

    # -- the check -----------------------------------------------------------------------

    def files_read(self) -> int:
        return len(self._raw)

    def check_all(self) -> list[str]:
        """Read every clinic data file; one line per problem, each naming the file and key."""
        return [str(error) for error in self.problems()]

    def problems(self) -> list[ClinicDataError]:
        """``check_all``'s problems as the errors themselves (file, key and problem apart)."""
        found: list[ClinicDataError] = []

        def check(read: Callable[[], object]) -> None:
            try:
                read()
            except ClinicDataError as error:
                if all(str(error) != str(seen) for seen in found):  # a file two readers share is said once
                    found.append(error)

        for read in (self.app_info, self.languages, self.intake_options, self.screening_rules,
                     self.session_settings, self.side_effects, self.geometry, self.protocols,
                     self.severity_rules, self.clinic_calendar, self.consent_versions, self.photo_views):
            check(read)
        check(lambda: self.aftercare_or_english(DEFAULT_LANGUAGE))
        if self._exists("aftercare"):
            for language in self.aftercare_languages():
                check(lambda language=language: self.aftercare(language))
        for kind in PATIENT_WORDS_KINDS:  # every language's file, not only those asked for so far
            check(lambda kind=kind: self.patient_words(kind, DEFAULT_LANGUAGE))
            if self._exists(kind):
                for path in sorted(self._path(kind).glob("*.toml")):
                    check(lambda kind=kind, code=path.stem: self.patient_words(kind, code))
        try:
            versions = self.consent_versions()
        except ClinicDataError:
            versions = {}
        for language, current in versions.items():
            check(lambda language=language: self._check_language_listed(language))
            for version in range(1, current + 1):  # old versions too: signed records name them
                check(lambda language=language, version=version: self.consent_template(language, version))
        for name in DEMO_SECTIONS:
            check(lambda name=name: self.demo(name))
        return found


def check_clinic_data(data: ClinicData) -> None:
    """Raise the first problem ``check_all`` finds as a ``ClinicDataError`` (counting the rest)."""
    problems = data.problems()
    if problems:
        first, more = problems[0], len(problems) - 1
        if more:
            raise ClinicDataError(first.name, f"{first.problem} (and {more} more problem{'s' if more > 1 else ''} "
                                              "in the clinic data: run meso-kiosk self-test)", key=first.key)
        raise first


def _demo_clinic_settings(clinic: object, protocol_ids: tuple[str, ...]) -> ClinicSettings:
    """``[clinic]`` of demo/clinic.toml as settings; a value the validator refuses names its key."""
    from ..domain.clinic_settings import ClinicSettings, check_changes  # not on the first frame's path

    if not isinstance(clinic, dict):
        raise ClinicDataError(DEMO_CLINIC_FILE, "must be a table of the clinic's settings", key="clinic")
    changes = {key: value for key, value in clinic.items() if key != "logo"}
    try:
        return check_changes(ClinicSettings(), changes, protocol_ids)
    except ValidationError as error:
        raise ValidationError({f"clinic.prices.{key[6:]}" if key.startswith("price.") else f"clinic.{key}": message
                               for key, message in error.errors.items()}) from None


def _demo_picture_name(name: object) -> str:
    if not isinstance(name, str) or not name.lower().endswith((".png", ".jpg", ".jpeg")) or "/" in name \
            or "\\" in name or name.startswith("."):
        raise ClinicDataError(DEMO_CLINIC_FILE, "must name a PNG or JPEG file beside it, e.g. \"logo.png\"",
                              key="clinic.logo")
    return f"demo/{name}"


def _named(name: str, error: BaseException) -> ClinicDataError:
    """A parse function's error as a ``ClinicDataError`` naming the file and, if known, the key."""
    if isinstance(error, ClinicDataError):
        return error
    if isinstance(error, TemplateError) and error.key:  # e.g. a [clinic] sentence without its {price}
        return ClinicDataError(name, error.problem, key=error.key)
    if isinstance(error, ValidationError):  # messages keyed by field
        errors = error.errors
        key, message = next(iter(errors.items()))
        message = _without_prefix(_without_prefix(message, name), key)
        if len(errors) > 1:
            message += "; " + "; ".join(f"{k}: {_without_prefix(m, name)}" for k, m in list(errors.items())[1:])
        return ClinicDataError(name, message, key=_key_path(key, name))
    if isinstance(error, KeyError):
        return ClinicDataError(name, "missing", key=str(error.args[0]) if error.args else None)
    if isinstance(error, (TypeError, AttributeError, IndexError)):
        return ClinicDataError(name, f"a value has the wrong type or shape ({error})")
    return ClinicDataError(name, _without_prefix(str(error), name))


def _without_prefix(message: str, name: str) -> str:
    """The domain's message without the file name (or key) it may already start with."""
    for prefix in (f"{name}: ", f"{name}.", f"{name} "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


def _key_path(key: str, name: str) -> str:
    return key[len(name) + 1:] if key.startswith(f"{name}.") else key


def _parse_consent_index(data: dict) -> tuple[dict[str, int], str]:
    current = data.get("current")
    if not isinstance(current, dict) or not current:
        raise ClinicDataError(CONSENT_INDEX_FILE, "must be a table of language = version", key="current")
    for language, version in current.items():
        if not is_language_code(language):
            raise ClinicDataError(CONSENT_INDEX_FILE, "not a language code such as \"en\"", key=f"current.{language}")
        if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 9999:
            raise ClinicDataError(CONSENT_INDEX_FILE, "must be a whole number from 1", key=f"current.{language}")
    default = data.get("default_language", DEFAULT_LANGUAGE)
    if default not in current:
        raise ClinicDataError(CONSENT_INDEX_FILE, f"{default!r} has no consent in [current]",
                              key="default_language")
    return dict(current), default


def app_info() -> AppInfo:
    """The shipped app.toml's title, icon and steps (where no installation is open yet)."""
    return ClinicData().app_info()
