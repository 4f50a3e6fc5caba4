"""The seal follows the clinic's name (issue 21, point 3): a rename makes a new seal certificate
in the new name, the old ones stay trusted, and documents sealed under either still verify."""

from __future__ import annotations

import subprocess
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from meso_kiosk.reports.pades import (SUBJECT_FALLBACK, SealError, certificate_pem, check_seal, common_name, load_certificate_pem,
                                     seal_subject, seal_to_pkcs12)
from meso_kiosk.services.backup import create_backup
from meso_kiosk.services.kiosk import open_kiosk
from meso_kiosk.store.folder_check import check_folder
from tests.conftest import CHEAP_PIN_HASHER, FIXED_NOW, cheap_seal
from tests.pdf_tools import needs_pdfsig

OLD_NAME = "Clinique du Parc"
NEW_NAME = "Clinique Capillaire du Parc — Lyon 6ᵉ"


def audit_actions(kiosk) -> list[str]:
    return [row[0] for row in kiosk.store.conn.execute("SELECT action FROM audit_log ORDER BY id")]


def certificate_names(kiosk) -> list[str]:
    return sorted(common_name(certificate) for certificate in kiosk.seal.trusted_certificates())


def installed_name(kiosk) -> str:
    return common_name(load_certificate_pem(kiosk.seal.certificate_file.read_bytes()))


def chain_ok(kiosk) -> bool:
    paths = kiosk.paths
    return check_folder(paths.database, paths.audit_key, paths.audit_anchor).ok


@pytest.fixture
def patient(kiosk, register_consented):
    kiosk.clinic.update({"name": OLD_NAME}, "admin")
    return register_consented("Amélie", "Rousseau")


def test_a_rename_makes_a_seal_in_the_new_name_and_both_documents_verify(kiosk, patient):
    before = kiosk.export.export_pdf(patient.id, "dr-laurent")
    old_fingerprint = kiosk.seal.sealer(OLD_NAME, "test").material.fingerprint
    assert installed_name(kiosk) == OLD_NAME

    kiosk.clinic.update({"name": NEW_NAME}, "admin")
    assert installed_name(kiosk) == NEW_NAME  # at once, not at the next export
    assert audit_actions(kiosk)[-3:] == ["settings.update", "seal.certificate", "seal.rename"]
    assert certificate_names(kiosk) == sorted([OLD_NAME, NEW_NAME])
    assert (kiosk.seal.trusted_folder / f"{old_fingerprint}.pem").exists()
    retired = list((kiosk.seal.folder / "retired").glob("*/seal.p12"))
    assert len(retired) == 1 and (retired[0].parent / "passphrase").exists()

    after = kiosk.export.export_pdf(patient.id, "dr-laurent")
    for exported, name in ((before, OLD_NAME), (after, NEW_NAME)):
        report = kiosk.export.verify(exported.path)
        assert report.ok and report.trusted and report.signer == name, report.problem
        assert f"sealed by {name} at" in report.lines(kiosk.clock)[0]
    assert audit_actions(kiosk).count("seal.rename") == 1
    assert chain_ok(kiosk)


def test_the_same_name_again_or_another_setting_makes_no_new_seal(kiosk, patient):
    kiosk.export.export_pdf(patient.id, "test")
    files_before = sorted(p.name for p in kiosk.seal.folder.rglob("*"))
    kiosk.clinic.update({"name": OLD_NAME, "phone": "+33 4 72 00 00 00"}, "admin")
    assert kiosk.seal.follow_name(OLD_NAME, "admin") is None
    kiosk.export.export_pdf(patient.id, "test")
    assert sorted(p.name for p in kiosk.seal.folder.rglob("*")) == files_before
    assert "seal.rename" not in audit_actions(kiosk)


def test_before_the_first_export_a_rename_makes_nothing_and_the_first_seal_has_the_new_name(kiosk, patient):
    kiosk.clinic.update({"name": NEW_NAME}, "admin")
    assert not kiosk.seal.folder.exists() or not any(kiosk.seal.folder.iterdir())
    assert kiosk.seal.follow_name(NEW_NAME, "admin") is None
    kiosk.export.export_pdf(patient.id, "test")
    assert installed_name(kiosk) == NEW_NAME and certificate_names(kiosk) == [NEW_NAME]
    assert "seal.rename" not in audit_actions(kiosk) and audit_actions(kiosk).count("seal.create") == 1


def test_renaming_back_and_forth_keeps_every_certificate_trusted(kiosk, patient):
    hostile = "診所 '; DROP TABLE documents; --"
    exported = [kiosk.export.export_pdf(patient.id, "test")]
    for name in (NEW_NAME, OLD_NAME, hostile):
        kiosk.clinic.update({"name": name}, "admin")
        assert installed_name(kiosk) == name
        exported.append(kiosk.export.export_pdf(patient.id, "test"))
    assert audit_actions(kiosk).count("seal.rename") == 3
    assert len(kiosk.seal.trusted_certificates()) == 4  # going back to OLD_NAME made a new key, too
    assert len(list((kiosk.seal.folder / "retired").glob("*/seal.p12"))) == 3
    reports = [kiosk.export.verify(item.path) for item in exported]
    assert all(report.ok for report in reports), [report.problem for report in reports]
    assert [report.signer for report in reports] == [OLD_NAME, NEW_NAME, OLD_NAME, hostile]
    assert chain_ok(kiosk)


def test_a_long_name_is_cut_in_the_certificate_and_does_not_renew_at_every_export(kiosk, patient):
    long_name = "Centre de médecine esthétique et de traitement capillaire du Parc de la Tête d'Or, Lyon"
    kiosk.clinic.update({"name": long_name}, "admin")
    first = kiosk.export.export_pdf(patient.id, "test")
    kiosk.export.export_pdf(patient.id, "test")
    kiosk.clinic.update({"name": long_name + " II"}, "admin")  # the same first 64 bytes
    cut = installed_name(kiosk)
    assert long_name.startswith(cut) and len(cut.encode("utf-8")) <= 64 < len(long_name.encode("utf-8"))
    assert audit_actions(kiosk).count("seal.create") == 1 and "seal.rename" not in audit_actions(kiosk)
    assert kiosk.export.verify(first.path).signer == cut


def test_a_stored_name_with_an_invisible_override_is_not_put_in_a_certificate():
    # The settings refuse one today; a name stored before that must not spoof a signer either.
    assert seal_subject("Clinic\u202eevil") == "Clinicevil"
    assert seal_subject("  ") == SUBJECT_FALLBACK


@pytest.mark.parametrize(("name", "in_certificate"), [
    ("Clinique 🌿 des Lilas", "Clinique des Lilas"),        # outside Unicode 3.2: pyHanko refuses it
    ("Clinique الشفاء Lyon", "Clinique Lyon"),               # right-to-left mixed with left-to-right
    ("عيادة الشفاء", "عيادة الشفاء"),
    ("Клиника «Волос» Москва", "Клиника «Волос» Москва"),
    ("🌿🌿", SUBJECT_FALLBACK),
])
def test_a_name_a_certificate_cannot_carry_still_leaves_every_document_verifiable(kiosk, patient, name,
                                                                                   in_certificate):
    before = kiosk.export.export_pdf(patient.id, "test")
    unsigned = kiosk.export.render(kiosk.export.build_summary(patient.id))  # (no font draws an emoji)
    kiosk.clinic.update({"name": name}, "admin")
    assert installed_name(kiosk) == in_certificate
    report = kiosk.export.verify(before.path)  # a trusted certificate pyHanko cannot read would fail this
    assert report.ok and report.signer == OLD_NAME, report.problem
    sealed = kiosk.seal.sealer(name, "test").sign(unsigned, reason="test")
    check = check_seal(sealed, kiosk.seal.trusted_certificates())
    assert check.problem is None and check.signer == in_certificate
    assert audit_actions(kiosk).count("seal.rename") == 1  # the seal in this name is made once


@needs_pdfsig
def test_poppler_trusting_both_certificates_validates_both_documents(kiosk, patient, tmp_path):
    before = kiosk.export.export_pdf(patient.id, "test")
    kiosk.clinic.update({"name": NEW_NAME}, "admin")
    after = kiosk.export.export_pdf(patient.id, "test")
    # As the README says: the current certificate, and the earlier ones from seal/trusted/.
    installed = [kiosk.seal.certificate_file, *sorted(kiosk.seal.trusted_folder.glob("*.pem"))]
    nss = tmp_path / "nssdb"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
    for number, pem in enumerate(installed):
        subprocess.run(["certutil", "-d", f"sql:{nss}", "-A", "-t", "CT,C,C", "-n", f"seal-{number}", "-i", str(pem)],
                       check=True, capture_output=True)
    for exported, name in ((before, OLD_NAME), (after, NEW_NAME)):
        result = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(exported.path)], capture_output=True,
                                text=True, timeout=60)
        assert "Signature is Valid." in result.stdout and "Certificate is Trusted." in result.stdout, result.stdout
        assert name in result.stdout


def test_an_imported_seal_is_not_replaced_and_the_admin_is_told(kiosk, patient, capsys):
    own = cheap_seal("Rousseau Trichologie SARL", datetime.now(timezone.utc))
    kiosk.seal.import_pkcs12(seal_to_pkcs12(own, b"clinic secret"), b"clinic secret", "admin")
    kiosk.clinic.update({"name": NEW_NAME}, "admin")
    assert kiosk.seal.follow_name(NEW_NAME, "admin") is None
    notice = kiosk.seal.imported_name_notice(NEW_NAME)
    assert notice and "Rousseau Trichologie SARL" in notice and NEW_NAME in notice and "import" in notice
    assert notice in capsys.readouterr().err
    exported = kiosk.export.export_pdf(patient.id, "test")
    assert kiosk.export.verify(exported.path).signer == "Rousseau Trichologie SARL"
    assert kiosk.seal.certificate_file.read_bytes() == certificate_pem(own.certificate)
    assert "seal.rename" not in audit_actions(kiosk) and not (kiosk.seal.folder / "retired").exists()
    # A seal made here replaced by an imported one: still the clinic's own, still kept.
    kiosk.clinic.update({"name": "Rousseau Trichologie SARL"}, "admin")
    assert kiosk.seal.imported_name_notice("Rousseau Trichologie SARL") is None


def test_a_seal_that_cannot_be_renewed_does_not_undo_the_rename_and_the_next_export_renews_it(
        kiosk, patient, monkeypatch, capsys):
    before = kiosk.export.export_pdf(patient.id, "test")

    def full_disk(*args, **kwargs):
        raise SealError("the disk is full")

    monkeypatch.setattr(kiosk.seal, "follow_name", full_disk)
    kiosk.clinic.update({"name": NEW_NAME}, "admin")
    err = capsys.readouterr().err.strip()
    assert err == ("meso-kiosk: the clinic was renamed but its seal was not renewed: the disk is full; "
                   "the next export retries")
    assert kiosk.clinic.profile().name == NEW_NAME and installed_name(kiosk) == OLD_NAME
    monkeypatch.undo()

    after = kiosk.export.export_pdf(patient.id, "test")
    assert installed_name(kiosk) == NEW_NAME and kiosk.export.verify(after.path).signer == NEW_NAME
    assert kiosk.export.verify(before.path).ok and kiosk.export.verify(after.path).ok
    assert audit_actions(kiosk).count("seal.rename") == 1
    assert chain_ok(kiosk)


def test_a_crash_between_the_rename_and_the_seal_is_finished_by_the_next_export(kiosk, data_dir, patient):
    before = kiosk.export.export_pdf(patient.id, "test")

    def power_cut(settings, changed, actor):
        raise SystemExit("power cut")  # not a seal error: nothing catches it

    kiosk.clinic._listeners.insert(0, power_cut)  # dies before the seal's listener runs
    with pytest.raises(SystemExit):
        kiosk.clinic.update({"name": NEW_NAME}, "admin")
    kiosk.close()

    reopened = open_kiosk(data_dir, now=lambda: FIXED_NOW, pin_hasher=CHEAP_PIN_HASHER, make_seal=cheap_seal)
    try:
        assert reopened.clinic.profile().name == NEW_NAME and installed_name(reopened) == OLD_NAME
        after = reopened.export.export_pdf(patient.id, "test")
        assert installed_name(reopened) == NEW_NAME
        assert reopened.export.verify(after.path).signer == NEW_NAME
        assert reopened.export.verify(before.path).ok and reopened.export.verify(after.path).ok
        assert audit_actions(reopened).count("seal.rename") == 1
        assert chain_ok(reopened)
    finally:
        reopened.close()


def test_a_crash_after_the_new_key_is_written_is_finished_by_the_next_export(kiosk, patient, monkeypatch, capsys):
    kiosk.export.export_pdf(patient.id, "test")
    import meso_kiosk.services.seal as seal_module

    real_write = seal_module.write_atomically

    def fails_after_the_key(path: Path, data: bytes, **kwargs):
        if path.suffix == ".pem":
            raise OSError(28, "No space left on device")
        return real_write(path, data, **kwargs)

    monkeypatch.setattr(seal_module, "write_atomically", fails_after_the_key)
    kiosk.clinic.update({"name": NEW_NAME}, "admin")
    assert "its seal was not renewed" in capsys.readouterr().err
    monkeypatch.undo()

    after = kiosk.export.export_pdf(patient.id, "test")  # the key in the new name is there: its certificate follows
    report = kiosk.export.verify(after.path)
    assert report.ok and report.signer == NEW_NAME
    assert installed_name(kiosk) == NEW_NAME and sorted(certificate_names(kiosk)) == sorted([OLD_NAME, NEW_NAME])
    assert chain_ok(kiosk)


def test_the_backup_holds_the_retired_seal_and_every_certificate(kiosk, patient, tmp_path):
    kiosk.export.export_pdf(patient.id, "test")
    kiosk.clinic.update({"name": NEW_NAME}, "admin")
    report = create_backup(kiosk, tmp_path / "backup.zip")
    names = set(zipfile.ZipFile(report.path).namelist())
    retired = [name for name in names if name.startswith("seal/retired/")]
    assert {Path(name).name for name in retired} == {"seal.p12", "passphrase"}
    assert len([name for name in names if name.startswith("seal/trusted/")]) == 2
    assert "seal/seal-certificate.pem" in names
