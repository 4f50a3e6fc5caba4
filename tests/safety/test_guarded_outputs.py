"""No output can destroy data: --out never lands in the data folder, through a link, or over a file
it was not told to replace (and never over an issued document); what is written is private."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.safety.conftest import fingerprint


@pytest.mark.parametrize("inside", ["meso.db", "audit.key", "audit.head", "seal/seal.p12", "exports/new.pdf",
                                    "new.zip"])
@pytest.mark.parametrize("command", ["backup", "export-pdf"])
def test_out_inside_the_data_folder_is_refused_and_nothing_changes(installation, cli, inside, command):
    root, patient_id = installation
    target = root / inside
    if command == "export-pdf":
        target = target.with_suffix(".pdf")
    before = fingerprint(root)
    args = ["--patient", patient_id] if command == "export-pdf" else []
    code, out, err = cli(command, *args, "--out", target, "--force", "--data-dir", root)
    assert code == 1 and "inside the data folder" in err, err
    assert fingerprint(root) == before


@pytest.mark.parametrize("command", ["backup", "export-pdf"])
def test_a_planted_link_is_never_followed(installation, cli, tmp_path, command):
    root, patient_id = installation
    shared = tmp_path / "shared-temp"
    shared.mkdir()
    link = shared / ("report.pdf" if command == "export-pdf" else "backup.zip")
    link.symlink_to(root / "audit.key")
    key = (root / "audit.key").read_bytes()
    args = ["--patient", patient_id] if command == "export-pdf" else []
    code, out, err = cli(command, *args, "--out", link, "--force", "--data-dir", root)
    assert code == 1 and "symbolic link" in err, err
    assert (root / "audit.key").read_bytes() == key and link.is_symlink()


def test_an_existing_file_is_replaced_only_when_asked_and_an_issued_document_never(installation, cli, tmp_path):
    root, patient_id = installation
    mine = tmp_path / "letter.pdf"
    mine.write_bytes(b"the patient's own letter")
    code, out, err = cli("export-pdf", "--patient", patient_id, "--out", mine, "--data-dir", root)
    assert code == 1 and "already exists" in err and "--force" in err, err
    assert mine.read_bytes() == b"the patient's own letter"
    assert cli("export-pdf", "--patient", patient_id, "--out", mine, "--force", "--data-dir", root)[0] == 0
    assert mine.read_bytes().startswith(b"%PDF")
    # It is now an issued document: never replaced, --force or not; nor a copy of one elsewhere.
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(mine.read_bytes())
    for target in (mine, copy):
        issued = target.read_bytes()
        code, out, err = cli("export-pdf", "--patient", patient_id, "--out", target, "--force", "--data-dir", root)
        assert code == 1 and "document this installation issued" in err, err
        assert target.read_bytes() == issued
    code, out, err = cli("backup", "--out", mine, "--force", "--data-dir", root)
    assert code == 1 and "document this installation issued" in err, err


def test_backups_and_exports_are_private_from_the_start(installation, cli, tmp_path):
    root, patient_id = installation
    assert cli("backup", "--out", tmp_path / "b.zip", "--data-dir", root)[0] == 0
    assert cli("export-pdf", "--patient", patient_id, "--out", tmp_path / "s.pdf", "--data-dir", root)[0] == 0
    for made in (tmp_path / "b.zip", tmp_path / "s.pdf", *(root / "exports").glob("*.pdf")):
        assert oct(made.stat().st_mode & 0o777) == "0o600", made
    code, out, err = cli("backup", "--out", tmp_path / "b.zip", "--data-dir", root)
    assert code == 1 and "already exists" in err  # the earlier backup stays
    assert cli("backup", "--out", tmp_path / "b.zip", "--force", "--data-dir", root)[0] == 0


def test_an_open_data_folder_is_made_private_and_says_so_once(installation, cli):
    root, _ = installation
    os.chmod(root, 0o755)
    os.chmod(root / "audit.key", 0o644)
    os.chmod(root / "seal" / "seal.p12", 0o644)
    code, out, err = cli("audit-verify", "--data-dir", root)  # read-only: changes nothing
    assert code == 0 and oct(root.stat().st_mode & 0o777) == "0o755"
    code, out, err = cli("export-pdf", "--patient", "1", "--data-dir", root)
    assert code == 0 and "made private to this user" in err and "audit.key" in err and "seal.p12" in err, err
    assert oct(root.stat().st_mode & 0o777) == "0o700"
    for key in (root / "audit.key", root / "seal" / "seal.p12", root / "seal" / "passphrase"):
        assert oct(key.stat().st_mode & 0o777) == "0o600", key
    code, out, err = cli("export-pdf", "--patient", "1", "--data-dir", root)
    assert code == 0 and err == ""  # once


def test_a_restored_folder_s_keys_come_back_private(installation, cli, tmp_path):
    root, _ = installation
    assert cli("backup", "--out", tmp_path / "b.zip", "--data-dir", root)[0] == 0
    assert cli("restore", tmp_path / "b.zip", "--data-dir", tmp_path / "restored")[0] == 0
    restored = tmp_path / "restored"
    assert oct(restored.stat().st_mode & 0o777) == "0o700"
    for key in (restored / "audit.key", restored / "audit.head", restored / "seal" / "seal.p12",
                restored / "seal" / "passphrase"):
        assert oct(key.stat().st_mode & 0o777) == "0o600", key
    assert Path(restored / "seal").stat().st_mode & 0o077 == 0
