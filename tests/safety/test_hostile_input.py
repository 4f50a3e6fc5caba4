"""Every validator behind a form, fed anything, through the real services.

For each form (patient, intake answer, session, course, consent, PIN) and each of its
fields: any Unicode, emoji, control characters, NUL, 1 MB strings, SQL-looking text,
absurd numbers and dates. Either the value is refused with a ``ValidationError``
whose messages are short plain sentences keyed by field, and nothing is written;
or it is stored, and what is stored passes the same validation again (no invalid
row). The database stays intact and the audit chain verifies throughout.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from meso_kiosk.domain.errors import ValidationError
from meso_kiosk.domain.patient import validate_patient
from meso_kiosk.domain.pin import validate_pin
from meso_kiosk.services.demo.signature import synthetic_signature
from meso_kiosk.store.consultants import insert_consultant
from meso_kiosk.store.errors import ImmutableRecordError, RecordNotFoundError
from tests.conftest import COUNTERSIGN_PIN, FIXED_NOW
from tests.safety.hostile import NASTY_TEXT, hostile_text, hostile_value

BOUNDED = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
MAX_MESSAGE = 400  # a message for a consultant, not an echo of the input


def _refused_clearly(error: ValidationError, fields: set[str] | None = None) -> None:
    assert error.errors
    for field, message in error.errors.items():
        assert isinstance(field, str)
        assert isinstance(message, str) and message.strip(), (field, message)
        assert len(message) <= MAX_MESSAGE, (field, len(message))
        if fields is not None:
            assert field.split(".")[0] in fields or field in fields, (field, fields)


def _rows(kiosk) -> tuple[int, ...]:
    conn = kiosk.store.conn
    return tuple(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                 for table in ("patients", "intakes", "treatment_sessions", "courses", "consents", "signatures",
                               "audit_log", "consultants"))


def _healthy(kiosk) -> None:
    conn = kiosk.store.conn
    assert not conn.in_transaction
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert kiosk.store.verify_audit().ok


# ------------------------------------------------------------------------------- patient

PATIENT_FIELDS = ["given_name", "family_name", "date_of_birth", "sex_at_birth", "phone", "email", "preferred_language"]
GOOD_PATIENT = {"given_name": "Claire", "family_name": "Dubois", "date_of_birth": "1986-04-12"}


@BOUNDED
@given(field=st.sampled_from(PATIENT_FIELDS), value=hostile_value())
def test_patient_form_fed_anything(kiosk, field, value):
    before = _rows(kiosk)
    form = GOOD_PATIENT | {field: value}
    try:
        stored = kiosk.patients.register(form, "test")
    except ValidationError as error:
        _refused_clearly(error, set(PATIENT_FIELDS))
        assert _rows(kiosk) == before
        return
    again = kiosk.patients.get(stored.id)
    assert again == stored
    revalidated = validate_patient({f: getattr(again, f) for f in PATIENT_FIELDS}, today=kiosk.clock.today(),
                                   patient_id=again.id)
    assert revalidated == again


@pytest.mark.parametrize("value", NASTY_TEXT)
def test_patient_names_and_search_with_the_nastiest_text(kiosk, value):
    for field in ("given_name", "family_name", "email", "phone"):
        try:
            kiosk.patients.register(GOOD_PATIENT | {field: value}, "test")
        except ValidationError as error:
            _refused_clearly(error)
    kiosk.patients.search(value[:10_000])  # search takes anything typed and never fails
    _healthy(kiosk)


# ------------------------------------------------------------------------------- intake


@pytest.fixture
def patient(register):
    return register()


@BOUNDED
@given(data=st.data())
def test_every_intake_answer_fed_anything(kiosk, patient, data):
    spec = data.draw(st.sampled_from(kiosk.intake.specs), label="field")
    value = data.draw(st.one_of(hostile_value(), st.sampled_from(NASTY_TEXT)), label="value")
    record = kiosk.intake.current(patient.id)
    before_answer = None if record is None else record.intake.answer(spec.path)
    before = _rows(kiosk)
    try:
        saved = kiosk.intake.save_answer(patient.id, spec.path, value, "test")
    except ValidationError as error:
        _refused_clearly(error)
        assert _rows(kiosk) == before
        after = kiosk.intake.current(patient.id)
        assert (None if after is None else after.intake.answer(spec.path)) == before_answer
        return
    stored = kiosk.intake.latest_intake(patient.id).answer(spec.path)
    assert stored == saved.intake.answer(spec.path)
    assert kiosk.intake.validate(spec.path, stored) == stored  # what is stored is itself valid


def test_intake_with_the_nastiest_text_in_every_field(kiosk, patient):
    for spec in kiosk.intake.specs:
        for value in NASTY_TEXT:
            try:
                kiosk.intake.save_answer(patient.id, spec.path, value, "test")
            except ValidationError as error:
                _refused_clearly(error)
    _healthy(kiosk)


def test_unknown_intake_paths_are_refused(kiosk, patient):
    for path in ["", "medical", "medical.", "x.y.z", "__class__", "medical.__dict__", "'; DROP TABLE intakes; --",
                 "\x00", "previous_treatments.", "complaint.previous_treatments.\x00"]:
        with pytest.raises(ValidationError) as refused:
            kiosk.intake.save_answer(patient.id, path, "x", "test")
        _refused_clearly(refused.value)
    _healthy(kiosk)


# ------------------------------------------------------------------------------- session


@pytest.fixture
def consultant(kiosk):
    with kiosk.store.write("test") as tx:
        return insert_consultant(tx, "Dr Session")


def _session_form(consultant) -> dict:
    return {
        "started_at": FIXED_NOW - timedelta(minutes=40), "consultant_id": str(consultant.id),
        "technique": "chemical_syringe", "numbing": "none",
        "zones": {"vertex": {"injections": 20, "depth_mm": 2.5, "volume_ml": 1.5}},
        "products": [{"name": "Peptide hair complex", "lot": "PX-2291/B", "expiry": "2027-03"}],
        "duration_min": 35, "side_effects": ["redness"], "shedding": 2, "satisfaction": 4, "notes": "Fine.",
    }


SESSION_KEYS = ["started_at", "consultant_id", "technique", "numbing", "zones", "products", "duration_min",
                "side_effects", "shedding", "satisfaction", "notes", "session_id", "status", "closed_at"]
NESTED = {
    "zones": lambda v: {"vertex": {"injections": v, "depth_mm": 2.5, "volume_ml": 1.5}},
    "zones.depth": lambda v: {"vertex": {"injections": 20, "depth_mm": v, "volume_ml": 1.5}},
    "zones.volume": lambda v: {"vertex": {"injections": 20, "depth_mm": 2.5, "volume_ml": v}},
    "zones.id": lambda v: {v if isinstance(v, str) else "vertex": {"injections": 20, "depth_mm": 2.5,
                                                                    "volume_ml": 1.5}},
    "products.name": lambda v: [{"name": v, "lot": "L1", "expiry": "2027-03"}],
    "products.lot": lambda v: [{"name": "P", "lot": v, "expiry": "2027-03"}],
    "products.expiry": lambda v: [{"name": "P", "lot": "L1", "expiry": v}],
    "side_effects": lambda v: [v],
}


@BOUNDED
@given(key=st.sampled_from(SESSION_KEYS + list(NESTED)), value=hostile_value(), close=st.booleans())
@example(key="session_id", value=2**63, close=False)  # past SQLite's integers: once an OverflowError
@example(key="session_id", value=10**40, close=True)
def test_session_form_fed_anything(kiosk, register_consented, consultant, key, value, close):
    patient = register_consented()
    form = _session_form(consultant)
    if key in NESTED:
        form[key.split(".")[0]] = NESTED[key](value)
    else:
        form[key] = value
    form.pop("session_id", None) if key != "session_id" else None
    before = _rows(kiosk)
    try:
        if close:
            result = kiosk.sessions.close(patient.id, form, "test")
        else:
            result = kiosk.sessions.save_draft(patient.id, form, "test")
    except ValidationError as error:
        _refused_clearly(error)
        assert _rows(kiosk) == before
        return
    except (RecordNotFoundError, ImmutableRecordError) as error:  # another patient's or a closed session
        assert key == "session_id" and str(error).strip() and len(str(error)) <= MAX_MESSAGE
        assert _rows(kiosk) == before
        return
    stored = result.session
    assert stored.session_id
    # What was stored reads back and passes validation again.
    [record] = [r for r in kiosk.sessions.overview(patient.id).records if r.original.session_id == stored.session_id]
    assert record.original == stored


# ------------------------------------------------------------------------------- course


@BOUNDED
@given(start=st.one_of(hostile_value(), st.sampled_from(["2026-12-01", "2026-11-22"])),
       protocol=st.one_of(hostile_text(40), st.sampled_from(["standard", "intensive", "maintenance"])),
       reason=hostile_value(), number=hostile_value(), days=hostile_value())
def test_course_inputs_fed_anything(kiosk, register_consented, start, protocol, reason, number, days):
    patient = register_consented()
    before = _rows(kiosk)
    try:
        kiosk.course.start_course(patient.id, start=start, protocol_id=protocol, reason=reason, actor="test")
    except ValidationError as error:
        _refused_clearly(error)
        assert _rows(kiosk) == before
        return
    try:
        kiosk.course.change_interval(patient.id, number, days, actor="test")
    except ValidationError as error:
        _refused_clearly(error)
    kiosk.course.overview(patient.id)  # and the course still projects


# ------------------------------------------------------------------------------- consent


@pytest.fixture
def countersigner(kiosk):
    with kiosk.store.write("test") as tx:
        row = insert_consultant(tx, "Dr Countersign")
        kiosk.accounts.set_initial_pin(tx, row.id, COUNTERSIGN_PIN)
    return row.id


CONSENT_FIELDS = ["checklist", "photo_consent", "signature", "question", "reached_end", "printed_name",
                  "witness_name", "consultant_pin", "shown_text_sha256", "language", "version", "signature_png"]


@BOUNDED
@given(field=st.sampled_from(CONSENT_FIELDS), value=hostile_value())
def test_consent_form_fed_anything(kiosk, register, countersigner, field, value):
    patient = register()
    template = kiosk.consents.template_for("en")
    form = dict(language="en", version=template.version, shown_text_sha256=template.text_sha256,
                checklist={item.id: True for item in template.checklist}, photo_consent=False,
                signature=synthetic_signature("x").to_data(), consultant_id=countersigner,
                consultant_pin=COUNTERSIGN_PIN)
    if field == "checklist" and isinstance(value, (str, bool)):
        form["checklist"] = {item.id: value for item in template.checklist}
    elif field == "signature_png":
        form[field] = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")[:5000]
    else:
        form[field] = value
    before = _rows(kiosk)
    try:
        record = kiosk.consents.sign(patient.id, **form)
    except ValidationError as error:
        _refused_clearly(error)
        assert kiosk.store.conn.execute("SELECT count(*) FROM consents").fetchone()[0] == before[4]
        return
    stored = kiosk.consents.get(record.id)
    assert kiosk.consents.verify(stored) == []
    roles = {r[0] for r in kiosk.store.conn.execute("SELECT role FROM signatures WHERE consent_id = ?",
                                                    (record.id,))}
    assert {"patient", "consultant"} <= roles


# ------------------------------------------------------------------------------- PIN


@settings(max_examples=200, deadline=None)
@given(pin=st.one_of(hostile_value(), st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩０１２３", max_size=12)))
def test_pin_validator_fed_anything(pin):
    try:
        cleaned = validate_pin(pin)
    except ValidationError as error:
        _refused_clearly(error)
        return
    assert isinstance(cleaned, str) and cleaned.isascii() and cleaned.isdigit()


@BOUNDED
@given(name=hostile_value(), pin=hostile_value(), typed=hostile_value())
def test_accounts_fed_anything(kiosk, name, pin, typed):
    try:
        account = kiosk.accounts.create_first_admin(name, pin)
    except ValidationError as error:
        _refused_clearly(error)
        account = None
    target = account.id if account else 1
    try:
        check = kiosk.accounts.verify_pin(target, typed)
        assert not check.ok or typed == pin
    except ValidationError as error:
        _refused_clearly(error)
    except RecordNotFoundError:
        assert account is None
    _healthy(kiosk)


def test_the_database_is_never_reached_by_sql_looking_text(kiosk, register):
    patient = register()
    for text in ["'; DROP TABLE patients; --", "Robert'); DELETE FROM audit_log; --", "1 OR 1=1"]:
        kiosk.intake.save_answer(patient.id, "medical.medications", text, "test")
        assert kiosk.intake.latest_intake(patient.id).medical.medications == text
        kiosk.patients.search(text)
    assert kiosk.patients.count() == 1
    _healthy(kiosk)
    with pytest.raises(sqlite3.IntegrityError):  # the immutable triggers are still there
        kiosk.store.conn.execute("DELETE FROM audit_log")
