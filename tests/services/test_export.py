"""Export of the signed summary and its verification, through the service and the command line."""

from __future__ import annotations

import hashlib
import re
import stat
from pathlib import Path

import pytest

from meso_kiosk.cli import main
from meso_kiosk.reports.pades import SealError, create_seal, seal_to_pkcs12
from meso_kiosk.services.export import ExportError
from meso_kiosk.services.kiosk import open_kiosk
from meso_kiosk.services.seal import PASSPHRASE_ENV
from meso_kiosk.store.audit import head_hash
from tests.pdf_tools import extracted_text, flip_byte, needs_pdfsig, needs_pdftoppm, pdfsig, to_pngs
from tests.conftest import cheap_seal


def audit_actions(kiosk) -> list[str]:
    return [row[0] for row in kiosk.store.conn.execute("SELECT action FROM audit_log ORDER BY id")]


def document_rows(kiosk) -> list[tuple]:
    return kiosk.store.conn.execute("SELECT patient_id, kind, path, sha256, created_by FROM documents").fetchall()


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


@pytest.fixture
def patient(register):
    return register("Ελένη", "Παπαδοπούλου")


def test_export_writes_a_sealed_pdf_and_records_it_in_one_audited_transaction(kiosk, patient):
    head_before = head_hash(kiosk.store.conn)
    exported = kiosk.export.export_pdf(patient.id, "dr-laurent")
    assert exported.path.parent == kiosk.paths.exports
    assert exported.path.name == f"summary-{exported.document_id}.pdf"
    data = exported.path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == exported.sha256
    assert document_rows(kiosk) == [
        (patient.id, "consultation-summary", f"exports/{exported.path.name}", exported.sha256, "dr-laurent")]
    assert audit_actions(kiosk)[-2:] == ["seal.create", "document.export"]
    assert audit_actions(kiosk).count("document.export") == 1
    assert audit_actions(kiosk).count("seal.create") == 1
    assert kiosk.store.verify_audit().ok
    text = extracted_text(data)
    assert "Ελένη Παπαδοπούλου" in text and exported.document_id in text
    assert head_before in text  # the audit head when the document was made
    assert not [p for p in kiosk.paths.exports.iterdir() if p.suffix != ".pdf"]  # no temp files left


def test_the_seal_is_made_once_and_the_loaded_key_is_kept(kiosk, patient, monkeypatch):
    first = kiosk.export.export_pdf(patient.id, "test")
    sealer = kiosk.export.seal.sealer(kiosk.clinic.profile().name, "test")

    def no_reload(*args, **kwargs):
        raise AssertionError("the seal key was loaded again")

    monkeypatch.setattr("meso_kiosk.reports.pades.seal_from_pkcs12", no_reload)
    second = kiosk.export.export_pdf(patient.id, "test")
    assert kiosk.export.seal.sealer(kiosk.clinic.profile().name, "test") is sealer
    assert first.path != second.path and first.sha256 != second.sha256
    assert audit_actions(kiosk).count("seal.create") == 1


def test_the_seal_key_is_encrypted_and_private(kiosk, patient):
    kiosk.export.export_pdf(patient.id, "test")
    seal = kiosk.export.seal
    assert stat.S_IMODE(seal.key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(seal.passphrase_file.stat().st_mode) == 0o600
    from cryptography.hazmat.primitives.serialization import pkcs12

    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(seal.key_file.read_bytes(), None)
    assert b"BEGIN CERTIFICATE" in seal.certificate_file.read_bytes()
    assert len(kiosk.export.seal.trusted_certificates()) == 1


def test_a_passphrase_from_the_environment_leaves_no_passphrase_file(kiosk, patient, monkeypatch):
    monkeypatch.setenv(PASSPHRASE_ENV, "from the service manager")
    exported = kiosk.export.export_pdf(patient.id, "test")
    assert not kiosk.export.seal.passphrase_file.exists()
    assert kiosk.export.verify(exported.path).ok


def test_verify_reports_signer_time_intact_and_issued_here(kiosk, patient):
    exported = kiosk.export.export_pdf(patient.id, "test")
    report = kiosk.export.verify(exported.path)
    assert report.ok, report.problem
    assert report.signature_valid and report.trusted and report.intact and report.whole_file
    assert report.signer == "Meso Kiosk clinic"
    assert report.signing_time is not None
    assert report.issued is not None and report.issued.sha256 == exported.sha256
    lines = report.lines(kiosk.clock)
    assert any(line.startswith("issued here: document ") for line in lines)


def test_a_copy_with_one_byte_flipped_fails_verify(kiosk, patient, tmp_path):
    exported = kiosk.export.export_pdf(patient.id, "test")
    data = exported.path.read_bytes()
    for offset in (data.index(b"ReportLab Generated PDF document") + 3, len(data) // 3, len(data) - 40):
        copy = tmp_path / f"flipped-{offset}.pdf"
        copy.write_bytes(flip_byte(data, offset))
        report = kiosk.export.verify(copy)
        assert not report.ok and report.problem


def test_a_seal_of_this_installation_on_a_document_it_did_not_issue_fails(kiosk, patient, tmp_path):
    kiosk.export.export_pdf(patient.id, "test")
    sealer = kiosk.export.seal.sealer(kiosk.clinic.profile().name, "test")
    summary = kiosk.export.build_summary(patient.id)
    stranger = tmp_path / "made-elsewhere.pdf"
    stranger.write_bytes(sealer.sign(kiosk.export.render(summary), reason="not recorded"))
    report = kiosk.export.verify(stranger)
    assert report.signature_valid and report.trusted and report.intact
    assert report.issued is None
    assert report.problem == "its SHA-256 matches no document this installation issued"


def test_another_installations_document_is_not_trusted(kiosk, patient, tmp_path):
    other = open_kiosk(tmp_path / "other", make_seal=cheap_seal)
    try:
        someone = other.patients.register({"given_name": "Ana", "family_name": "Silva",
                                           "date_of_birth": "1990-01-01"}, "test")
        foreign = other.export.export_pdf(someone.id, "test")
    finally:
        other.close()
    kiosk.export.export_pdf(patient.id, "test")
    report = kiosk.export.verify(foreign.path)
    assert not report.ok and not report.trusted and "does not trust" in report.problem


def test_verify_on_a_fresh_installation_creates_nothing(kiosk, tmp_path):
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4\nnonsense")
    report = kiosk.export.verify(pdf)
    assert not report.ok
    assert not kiosk.export.seal.folder.exists()


def stored_unprintable(kiosk):
    """A patient whose name no PDF font prints (Tibetan), stored before registration refused it."""
    from datetime import date

    from meso_kiosk.domain.patient import Patient
    from meso_kiosk.store.patients import insert_patient

    with kiosk.store.write("test") as tx:
        return insert_patient(tx, Patient("བསྟན", "Dorje", date(1990, 1, 1)))


def test_text_no_font_can_print_stops_the_export_with_nothing_written(kiosk):
    hindi = stored_unprintable(kiosk)
    with pytest.raises(ExportError, match=r"U\+0F56 TIBETAN LETTER BA"):
        kiosk.export.export_pdf(hindi.id, "test")
    assert document_rows(kiosk) == []
    assert not list(kiosk.paths.exports.iterdir())


def test_a_missing_seal_key_stops_the_export_and_nothing_is_overwritten(kiosk, patient, data_dir):
    kiosk.export.export_pdf(patient.id, "test")
    seal = kiosk.export.seal
    trusted_before = sorted(p.name for p in seal.trusted_folder.iterdir())
    seal.key_file.unlink()
    kiosk.close()
    reopened = open_kiosk(data_dir, make_seal=cheap_seal)
    try:
        with pytest.raises(ExportError, match="seal key .* is missing.*Restore the seal folder"):
            reopened.export.export_pdf(patient.id, "test")
        assert not reopened.export.seal.key_file.exists()  # no new seal behind the clinic's back
        assert sorted(p.name for p in reopened.export.seal.trusted_folder.iterdir()) == trusted_before
    finally:
        reopened.close()


@pytest.mark.parametrize("damage", ["key", "passphrase"])
def test_a_damaged_seal_stops_the_export_and_is_left_as_it_is(kiosk, patient, data_dir, damage):
    kiosk.export.export_pdf(patient.id, "test")
    seal = kiosk.export.seal
    target = seal.key_file if damage == "key" else seal.passphrase_file
    damaged = target.read_bytes()[:-20] + b"x" * 20
    target.write_bytes(damaged)
    kiosk.close()
    reopened = open_kiosk(data_dir, make_seal=cheap_seal)
    try:
        with pytest.raises(ExportError, match="damaged or its passphrase is wrong"):
            reopened.export.export_pdf(patient.id, "test")
        assert target.read_bytes() == damaged
        assert len(document_rows(reopened)) == 1
    finally:
        reopened.close()


def test_a_clinic_can_import_its_own_pkcs12(kiosk, patient, tmp_path):
    first = kiosk.export.export_pdf(patient.id, "test")
    from datetime import datetime, timezone

    own = create_seal("Northgate Hair Clinic Ltd", datetime.now(timezone.utc))
    data = seal_to_pkcs12(own, b"clinic secret")
    with pytest.raises(SealError, match="already has a seal"):
        kiosk.export.seal.import_pkcs12(data, b"clinic secret", "admin")
    kiosk.export.seal.import_pkcs12(data, b"clinic secret", "admin", replace=True)
    second = kiosk.export.export_pdf(patient.id, "test")
    assert kiosk.export.verify(second.path).signer == "Northgate Hair Clinic Ltd"
    assert kiosk.export.verify(first.path).ok  # documents sealed before stay verifiable
    assert list((kiosk.export.seal.folder / "retired").glob("*/seal.p12"))
    assert "seal.import" in audit_actions(kiosk)


def test_export_to_a_chosen_file_records_its_absolute_path(kiosk, patient, tmp_path):
    out = tmp_path / "for the patient.pdf"
    exported = kiosk.export.export_pdf(patient.id, "test", out)
    assert exported.path == out.resolve() and out.is_file()
    assert document_rows(kiosk)[0][2] == str(out.resolve())
    assert kiosk.export.verify(out).ok


@pytest.mark.parametrize(("name", "message"), [
    ("missing-folder/x.pdf", "does not exist"),
    ("summary.txt", "must end in .pdf"),
])
def test_a_bad_output_name_is_refused_before_anything_happens(kiosk, patient, tmp_path, name, message):
    with pytest.raises(ExportError, match=message):
        kiosk.export.export_pdf(patient.id, "test", tmp_path / name)
    assert not kiosk.export.seal.folder.exists()


def test_when_recording_fails_the_file_is_removed(kiosk, patient, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("meso_kiosk.store.documents.insert_document", broken)
    with pytest.raises(RuntimeError):
        kiosk.export.export_pdf(patient.id, "test")
    assert not list(kiosk.paths.exports.glob("*.pdf"))
    assert document_rows(kiosk) == []


@needs_pdfsig
def test_poppler_trusts_an_exported_document_through_the_clinic_certificate(kiosk, patient, tmp_path):
    exported = kiosk.export.export_pdf(patient.id, "test")
    result = pdfsig(exported.path, kiosk.export.seal.certificate_file, tmp_path)
    assert "Signature is Valid." in result.stdout and "Total document signed" in result.stdout
    assert "Certificate is Trusted." in result.stdout
    flipped = tmp_path / "flipped.pdf"
    data = exported.path.read_bytes()
    flipped.write_bytes(flip_byte(data, data.index(b"ReportLab Generated PDF document") + 3))
    assert "Signature is Valid." not in pdfsig(flipped, kiosk.export.seal.certificate_file, tmp_path).stdout


@needs_pdftoppm
def test_an_exported_document_converts_to_pictures(kiosk, register, tmp_path):
    patient = register("فاطمة", "الحسيني")
    exported = kiosk.export.export_pdf(patient.id, "test")
    pngs = to_pngs(exported.path, tmp_path / "png")
    from tests.pdf_tools import page_texts

    assert len(pngs) == len(page_texts(exported.path.read_bytes())) >= 1


# ---------------------------------------------------------------- command line

def test_cli_exports_then_verifies(kiosk, patient, data_dir, capsys):
    kiosk.close()
    assert main(["export-pdf", "--patient", str(patient.id), "--data-dir", str(data_dir)]) == 0
    line = one_line(capsys.readouterr().out)
    assert line.startswith("exported ") and "sha256 " in line
    path = Path(line.split()[1])
    assert main(["verify", str(path), "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "signature: valid, sealed by Meso Kiosk clinic" in out and "issued here: document 1" in out


def test_cli_export_to_a_file(kiosk, patient, data_dir, tmp_path, capsys):
    kiosk.close()
    out = tmp_path / "copy.pdf"
    assert main(["export-pdf", "--patient", str(patient.id), "--out", str(out), "--data-dir", str(data_dir)]) == 0
    assert out.is_file()
    assert main(["verify", str(out), "--data-dir", str(data_dir)]) == 0


@pytest.mark.parametrize(("args", "message"), [
    (["export-pdf", "--patient", "999"], "Patient 999 does not exist."),
    (["export-pdf", "--patient", "1", "--out", "/nonexistent-folder/x.pdf"], "does not exist"),
    (["verify", "/nonexistent-folder/x.pdf"], "No such file or directory"),
])
def test_cli_failures_are_one_line(kiosk, patient, data_dir, capsys, args, message):
    kiosk.close()
    assert main([*args, "--data-dir", str(data_dir)]) == 1
    assert message in one_line(capsys.readouterr().err)


def test_cli_verify_of_a_tampered_copy_is_one_line_and_exit_1(kiosk, patient, data_dir, tmp_path, capsys):
    exported = kiosk.export.export_pdf(patient.id, "test")
    kiosk.close()
    data = exported.path.read_bytes()
    copy = tmp_path / "tampered.pdf"
    copy.write_bytes(flip_byte(data, data.index(b"ReportLab Generated PDF document") + 3))
    assert main(["verify", str(copy), "--data-dir", str(data_dir)]) == 1
    err = one_line(capsys.readouterr().err)
    assert "tampered.pdf" in err and "changed after it was sealed" in err


def test_cli_export_of_unprintable_text_is_one_line(kiosk, data_dir, capsys):
    hindi = stored_unprintable(kiosk)
    kiosk.close()
    assert main(["export-pdf", "--patient", str(hindi.id), "--data-dir", str(data_dir)]) == 1
    assert "U+0F56" in one_line(capsys.readouterr().err)


def test_cli_verify_without_a_database_is_one_line(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "x.pdf"), "--data-dir", str(tmp_path / "nothing")]) == 1
    assert "no Meso Kiosk database" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize("damage", ["truncated", "appended", "signature-flipped", "empty"])
def test_cli_verify_of_any_damage_is_one_line(kiosk, patient, data_dir, tmp_path, capsys, damage):
    exported = kiosk.export.export_pdf(patient.id, "test")
    kiosk.close()
    data = exported.path.read_bytes()
    contents = data.index(b"/Contents <") + 40
    damaged = {
        "truncated": data[: len(data) // 2],
        "appended": data + b"\n% one more line\n",
        "signature-flipped": data[:contents] + (b"1" if data[contents:contents + 1] == b"0" else b"0")
        + data[contents + 1:],
        "empty": b"",
    }[damage]
    copy = tmp_path / "damaged.pdf"
    copy.write_bytes(damaged)
    assert main(["verify", str(copy), "--data-dir", str(data_dir)]) == 1
    assert "damaged.pdf: " in one_line(capsys.readouterr().err)


# ---------------------------------------------------------------- the whole consultation

from tests.consultation import COUNTERSIGN_PIN, OVERRIDE_REASON, record_consultation  # noqa: E402


def squashed(text: str) -> str:
    """Text with every run of white space made one space: table cells wrap where they must."""
    return " ".join(text.split())


@pytest.fixture
def rich(kiosk, patient):
    return record_consultation(kiosk, patient.id, sessions=5)


def test_a_whole_consultation_is_in_the_exported_text(kiosk, patient, rich):
    exported = kiosk.export.export_pdf(patient.id, "test")
    text = squashed(extracted_text(exported.path.read_bytes()))
    template = kiosk.consents.template_for("en")
    consent = kiosk.consents.current(patient.id)
    offset = "(UTC+00:00)"  # the test clinic's time zone is the system's, UTC here
    local = kiosk.clock.format_local
    for expected in [
        "Ελένη Παπαδοπούλου", "Androgenetic alopecia", "Norwood–Hamilton", "III",
        "1 stop: all overridden with a reason; 1 warning: all acknowledged", squashed(OVERRIDE_REASON),
        "Treated zones", "Vertex (crown)", "5×", "Treatment sessions", "PX-2201/B", "PX-2205/B", "Bruising", "Itching",
        "Depth typed wrong", "Vertex (crown) depth (mm): 2.5 → 2",
        "Moderate hair loss: 8 sessions", "5 of 8 sessions done",
        f"English (en), version {template.version}", template.text_sha256, "Yes: " + template.photo_question.yes,
        consent.printed_name + " (Patient)", rich.consultant_name + " (Consultant)",
        local(consent.signed_at, with_offset=True), local(consent.countersignature.signed_at, with_offset=True),
        squashed(consent.meaning), "confirm that they signed this consent in front of me",
        consent.patient_signature_sha256, template.section("before").heading, template.section("aftercare").heading,
    ]:
        assert squashed(expected) in text, expected
    for item in template.checklist:  # every side effect, each with the patient's answer beside it
        assert squashed(item.text) + " Read and ticked" in text, item.id
    assert offset in text
    assert "NOT SIGNED" not in text and "Not recorded yet" not in text


def test_a_rich_export_passes_pyhanko_and_a_flipped_copy_fails_it_and_the_command(kiosk, patient, rich, data_dir,
                                                                                tmp_path, capsys):
    from meso_kiosk.reports.pades import check_seal

    exported = kiosk.export.export_pdf(patient.id, "test")
    data = exported.path.read_bytes()
    check = check_seal(data, kiosk.export.seal.trusted_certificates())
    assert check.problem is None and check.valid and check.intact and check.whole_file and check.trusted
    copy = tmp_path / "flipped.pdf"
    copy.write_bytes(flip_byte(data, data.index(b"Treatment sessions") if b"Treatment sessions" in data
                               else len(data) // 2))
    assert check_seal(copy.read_bytes(), kiosk.export.seal.trusted_certificates()).problem
    assert not kiosk.export.verify(copy).ok
    kiosk.close()
    assert main(["verify", str(copy), "--data-dir", str(data_dir)]) == 1
    assert "flipped.pdf" in one_line(capsys.readouterr().err)
    assert main(["verify", str(exported.path), "--data-dir", str(data_dir)]) == 0


@needs_pdfsig
def test_poppler_validates_a_rich_export_and_rejects_a_flipped_copy(kiosk, patient, rich, tmp_path):
    exported = kiosk.export.export_pdf(patient.id, "test")
    result = pdfsig(exported.path, kiosk.export.seal.certificate_file, tmp_path)
    assert "Signature is Valid." in result.stdout and "Total document signed" in result.stdout
    data = exported.path.read_bytes()
    flipped = tmp_path / "flipped.pdf"
    flipped.write_bytes(flip_byte(data, len(data) // 2))
    assert "Signature is Valid." not in pdfsig(flipped, kiosk.export.seal.certificate_file, tmp_path).stdout


@pytest.mark.parametrize(("given", "family"), [
    ("Siobhán", "Ó Briain-Łukasiewicz"), ("Ελένη", "Παπαδοπούλου"), ("Дмитрий", "Соколов"), ("小明", "王"),
    ("さくら", "山田"), ("فاطمة", "الحسيني"), ("נועה", "כהן"),
])
def test_names_in_every_script_survive_a_rich_export(kiosk, register, given, family):
    someone = register(given, family)
    record_consultation(kiosk, someone.id, sessions=2)
    exported = kiosk.export.export_pdf(someone.id, "test")
    text = extracted_text(exported.path.read_bytes())
    assert given in text and family in text
    assert kiosk.export.verify(exported.path).ok


def test_a_twenty_session_patient_paginates_cleanly(kiosk, patient):
    from tests.pdf_tools import page_texts

    record_consultation(kiosk, patient.id, sessions=20)
    exported = kiosk.export.export_pdf(patient.id, "test")
    pages = page_texts(exported.path.read_bytes())
    appendix = len(pages) - next((n for n, text in enumerate(pages) if "Appendix: the text" in text), len(pages))
    assert 4 <= len(pages) - appendix <= 8  # the appendix (the whole signed text, from the signatures' page) aside
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
    whole = squashed("\n".join(pages))
    assert sorted(set(re.findall(r"PX-(\d{4})/B", whole))) == [str(2200 + n) for n in range(1, 21)]
    # the session table continues over pages, its header repeated on each
    assert sum("Products and lots" in squashed(text) for text in pages) >= 2
    # more sessions than the 12 the course plans: said plainly, not hidden
    assert "The plan cannot be shown: 20 sessions are already done" in whole
    assert kiosk.export.verify(exported.path).ok


def test_without_a_signed_consent_the_export_says_not_signed(kiosk, patient):
    record_consultation(kiosk, patient.id, sessions=0, consent=False)
    exported = kiosk.export.export_pdf(patient.id, "test")
    text = extracted_text(exported.path.read_bytes())
    assert "Consent NOT signed" in text and text.count("NOT SIGNED") == 2
    assert "Not countersigned." in text
    assert kiosk.export.verify(exported.path).ok


def test_a_withdrawn_consent_is_shown_as_withdrawn(kiosk, patient, rich):
    kiosk.consents.withdraw(patient.id, channel="phone", consultant_id=rich.consultant_id,
                            consultant_pin=COUNTERSIGN_PIN, reason="Wants time to think.")
    text = squashed(extracted_text(kiosk.export.export_pdf(patient.id, "test").path.read_bytes()))
    assert "Consent withdrawn" in text and "The consent shown below is no longer in force." in text
    assert "Withdrawn on" in text and "I recorded the patient's withdrawal, received phone." in text


def test_an_open_session_is_counted_but_not_listed(kiosk, patient, rich):
    kiosk.sessions.start(patient.id, "test", consultant_id=str(rich.consultant_id))
    summary = kiosk.export.build_summary(patient.id)
    assert summary.sessions_in_progress == 1 and len(summary.sessions) == 5
    text = squashed(extracted_text(kiosk.export.render(summary)))
    assert "Sessions still being recorded: 1. They will appear here once closed." in text


@needs_pdftoppm
def test_every_page_of_a_rich_export_converts_to_a_picture(kiosk, patient, rich, tmp_path):
    exported = kiosk.export.export_pdf(patient.id, "test")
    pngs = to_pngs(exported.path, tmp_path / "png")
    assert len(pngs) >= 4 and all(png.stat().st_size > 5000 for png in pngs)


def test_a_french_patient_s_intake_values_are_in_french_too(kiosk):
    """Not only the headings: the intake's status, the screening's levels and how each finding was
    handled are the PDF's words in the patient's language (issue 23's French patient)."""
    claire = kiosk.patients.register({"given_name": "Claire", "family_name": "Dubois", "date_of_birth": "1986-04-12",
                                      "sex_at_birth": "female", "preferred_language": "fr"}, "test")
    record_consultation(kiosk, claire.id, sessions=1)
    text = squashed(extracted_text(kiosk.export.export_pdf(claire.id, "test").path.read_bytes()))
    for french in ("Féminin", "Terminé", "1 arrêt : tous levés avec une raison", "1 avertissement : tous pris en compte",
                   "Avertissement", "Pris en compte", "Levé avec une raison (voir plus bas)"):
        assert french in text, french
    for english in ("Female", "Complete", "all acknowledged", "Acknowledged", "For information", "Overridden"):
        assert english not in text, english
