"""The clinic's seal in the data folder: created on first use, imported, loaded once.

Files in ``<data>/seal/`` (the folder is private to the kiosk's user, 0700):

- ``seal.p12``  — key and certificate, PKCS#12 with the key encrypted (AES-256, PBKDF2);
- ``passphrase`` — the random passphrase of ``seal.p12`` (0600), unless the environment
  variable ``MESO_KIOSK_SEAL_PASSPHRASE`` supplies it;
- ``seal-certificate.pem`` — the public certificate, to install in PDF readers as trusted;
- ``trusted/<sha256>.pem`` — every seal certificate this installation has used, so
  documents sealed before a key change still verify;
- ``retired/`` — a replaced ``seal.p12`` with its passphrase, never deleted.

The seal follows the clinic's name (``follow_name``): after a rename, a seal this app made
is replaced by a new one in the new name (audited ``seal.rename``); the old certificate
stays trusted, so documents sealed before still verify. An imported seal (the clinic's own,
e.g. CA-issued) is never replaced: ``imported_name_notice`` says to import one in the new name.

The trade-off, honestly: an unattended kiosk must sign without anyone typing a
passphrase, so by default the passphrase sits beside the key. Encryption at rest then
protects a *copy of seal.p12 alone* (sent by mistake, left on a stick), not the data
folder as a whole — that is guarded by the folder's permissions, the user account and
disk encryption, as the database is. A clinic that wants more sets
``MESO_KIOSK_SEAL_PASSPHRASE`` from its service manager (e.g. a systemd credential);
then no passphrase file is written. The passphrase is kept outside the database, like
the audit key, so a copy of ``meso.db`` never carries it.

Nothing here ever overwrites a key: a missing or damaged ``seal.p12`` after a seal
existed (the database remembers: ``store.seal_certificates``) stops the export with a
message; a new seal is made only on a fresh install, or when asked for by name
(``new_seal``, ``meso-kiosk new-seal``, audited). Every certificate used is also kept in
the database, so the documents sealed before a lost ``seal/`` folder still verify.
"""

from __future__ import annotations

import os
import secrets
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..store.audit import last_actor
from ..store.db import Store
from ..store.seal_certificates import has_sealed_before, keep_certificate, kept_certificates
from ..store.settings import get_setting
from .files import write_atomically

if TYPE_CHECKING:
    from cryptography import x509

    from ..reports.pades import SealMaterial, Sealer

# Makes a new key and self-signed certificate for (clinic name, now); ``reports.pades.create_seal``.
MakeSeal = Callable[[str, datetime], "SealMaterial"]

PASSPHRASE_ENV = "MESO_KIOSK_SEAL_PASSPHRASE"
TIMESTAMP_URL_SETTING = "seal.timestamp_url"


class SealService:
    def __init__(self, store: Store, folder: Path, *, make_seal: MakeSeal | None = None):
        """``make_seal``: how a new seal is made (default: a fresh RSA-3072 key); tests pass a
        cheap one, as they pass a cheap ``pin_hasher``."""
        self._store = store
        self.folder = folder
        self._make_seal = make_seal
        self._sealer: "Sealer | None" = None  # loaded once: loading the key is the slow part
        self._origins: dict[str, bool] = {}  # fingerprint → imported (the audit log, read once)

    # -- where things are ---------------------------------------------------
    @property
    def key_file(self) -> Path:
        return self.folder / "seal.p12"

    @property
    def passphrase_file(self) -> Path:
        return self.folder / "passphrase"

    @property
    def certificate_file(self) -> Path:
        return self.folder / "seal-certificate.pem"

    @property
    def trusted_folder(self) -> Path:
        return self.folder / "trusted"

    def timestamp_url(self) -> str | None:
        value = get_setting(self._store.conn, TIMESTAMP_URL_SETTING)
        return str(value).strip() or None if value else None

    # -- use ----------------------------------------------------------------
    def sealer(self, clinic_name: str, actor: str) -> "Sealer":
        """The loaded seal; on a fresh install, a new self-signed seal for ``clinic_name``.

        A seal made here in an earlier name is replaced first (``follow_name``): the rename's
        own hook may not have run (a crash, a full disk), so the next export finishes the job."""
        if self._sealer is not None and self._keeps(self._sealer.material, clinic_name):
            return self._sealer
        from ..reports.pades import Sealer

        if not self.key_file.exists() and not self._has_history():
            material = self._create(clinic_name, actor, "seal.create")
        else:
            material = self._follow(self._load(actor), clinic_name, actor)
        self._sealer = Sealer(material)
        return self._sealer

    def follow_name(self, clinic_name: str, actor: str) -> "SealMaterial | None":
        """After the clinic was renamed: a new seal in ``clinic_name`` if the current one was
        made by this app in another name (audited ``seal.rename``; the old key is kept under
        ``retired/``, its certificate stays trusted). None when nothing was made: no seal yet
        (the first export makes one), the same name, or an imported seal, which is the
        clinic's own and never replaced (``imported_name_notice`` says what to do)."""
        if self._sealer is not None and self._keeps(self._sealer.material, clinic_name):
            return None
        if not self.key_file.exists():
            return None  # none yet, or lost: the export says so and new-seal makes one in the name of the day
        current = self._load(actor)  # from disk: another copy of the app may have renewed it already
        followed = self._follow(current, clinic_name, actor)
        self._sealer = None  # the next export loads the seal on disk now
        return None if followed is current else followed

    def imported_name_notice(self, clinic_name: str) -> str | None:
        """What to tell an admin who renamed the clinic while an imported seal names it otherwise
        (None when the seal names the clinic, was made here, or there is none)."""
        from ..reports.pades import certificate_fingerprint, common_name, load_certificate_pem, seal_subject

        try:
            certificate = load_certificate_pem(self.certificate_file.read_bytes())
        except (OSError, ValueError):
            return None
        subject = common_name(certificate)
        if subject == seal_subject(clinic_name) or not self._imported(certificate_fingerprint(certificate)):
            return None
        return (f"The clinic's imported seal names {subject!r}, not {clinic_name!r}: documents are sealed in "
                "that name until a seal (PKCS#12) in the new name is imported to replace it.")

    def new_seal(self, clinic_name: str, actor: str) -> "SealMaterial":
        """A new seal after the old one was lost (no ``seal.p12``): audited ``seal.renew``. The
        earlier certificates stay trusted (kept in the database), so their documents still verify."""
        from ..reports.pades import SealError

        if self.key_file.exists():
            raise SealError(f"This installation has a seal ({self.key_file}); a new one is made only when it is "
                            "lost. To use another certificate, import it with replace.")
        self._sealer = None
        return self._create(clinic_name, actor, "seal.renew")

    def trusted_certificates(self) -> list["x509.Certificate"]:
        """Every seal certificate this installation has used, from ``seal/trusted/`` and the
        database (read-only; creates nothing)."""
        from ..reports.pades import load_certificate_pem

        pems = [pem for _, pem in kept_certificates(self._store.conn)]
        if self.trusted_folder.is_dir():
            for path in sorted(self.trusted_folder.glob("*.pem")):
                try:
                    pems.append(path.read_bytes())
                except OSError:
                    continue
        certificates, seen = [], set()
        for pem in pems:
            try:
                certificate = load_certificate_pem(pem)
            except ValueError:
                continue  # a damaged copy just trusts nothing
            if certificate not in seen:
                seen.add(certificate)
                certificates.append(certificate)
        return certificates

    def import_pkcs12(self, data: bytes, passphrase: bytes | None, actor: str, *, replace: bool = False) -> "SealMaterial":
        """Use a clinic's own certificate and key (PKCS#12) from now on.

        The current seal, if any, is kept under ``retired/`` and stays trusted for the
        documents it sealed. Without ``replace`` an existing seal is never displaced.
        """
        from ..reports.pades import SealError, seal_from_pkcs12

        material = seal_from_pkcs12(data, passphrase, source="being imported")
        if self.key_file.exists() and not replace:
            raise SealError(
                f"This installation already has a seal ({self.key_file}). Import with replace to use the new one."
            )
        if self.key_file.exists():
            self._retire()
        self._store_material(material, "seal.import", actor)
        self._sealer = None
        return material

    # -- internals ----------------------------------------------------------
    def _keeps(self, material: "SealMaterial", clinic_name: str) -> bool:
        """Whether ``material`` stays the seal for ``clinic_name``: it names it, or it was imported."""
        from ..reports.pades import seal_subject

        return material.subject == seal_subject(clinic_name) or self._imported(material.fingerprint)

    def _imported(self, fingerprint: str) -> bool:
        """The audit log tells how a seal came: imported (the clinic's own), or made here."""
        if fingerprint not in self._origins:
            imported = last_actor(self._store.conn, "seal.import", "seal", fingerprint[:32])
            self._origins[fingerprint] = imported is not None
        return self._origins[fingerprint]

    def _follow(self, current: "SealMaterial", clinic_name: str, actor: str) -> "SealMaterial":
        """``current``, or a new seal in ``clinic_name`` replacing it (the old key retired)."""
        if self._keeps(current, clinic_name):
            return current
        self._retire()
        return self._create(clinic_name, actor, "seal.rename")

    def _has_history(self) -> bool:
        in_folder = self.trusted_folder.is_dir() and any(self.trusted_folder.glob("*.pem"))
        return in_folder or has_sealed_before(self._store.conn)

    def _passphrase(self, *, create: bool) -> bytes:
        from ..reports.pades import SealKeyError

        supplied = os.environ.get(PASSPHRASE_ENV)
        if supplied:
            return supplied.encode("utf-8")
        if create and not self.passphrase_file.exists():
            write_atomically(self.passphrase_file, (secrets.token_hex(32) + "\n").encode("ascii"), mode=0o600)
        try:
            text = self.passphrase_file.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise SealKeyError(
                f"The seal passphrase file {self.passphrase_file} is missing or damaged; restore the seal "
                f"folder from a backup (or set {PASSPHRASE_ENV}). Nothing was changed."
            ) from error
        if not text:
            raise SealKeyError(f"The seal passphrase file {self.passphrase_file} is empty; restore it from a backup.")
        return text.encode("ascii")

    def _load(self, actor: str) -> "SealMaterial":
        from ..reports.pades import SealKeyError, seal_from_pkcs12

        try:
            data = self.key_file.read_bytes()
        except FileNotFoundError as error:
            raise SealKeyError(
                f"The clinic seal key {self.key_file} is missing, but this installation has sealed documents "
                "before. Restore the seal folder from a backup (meso-kiosk restore); or, if it is lost for good, "
                "make a new seal with 'meso-kiosk new-seal' (recorded; earlier documents still verify). "
                "Nothing was changed."
            ) from error
        except OSError as error:
            raise SealKeyError(f"The clinic seal key {self.key_file} cannot be read: {error.strerror}.") from error
        material = seal_from_pkcs12(data, self._passphrase(create=False), source=str(self.key_file))
        from ..reports.pades import certificate_pem

        pem = certificate_pem(material.certificate)
        trusted = self.trusted_folder / f"{material.fingerprint}.pem"
        if not trusted.exists():  # interrupted right after the key was written: finish the job
            self.trusted_folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_atomically(trusted, pem)
        if not self.certificate_file.exists() or self.certificate_file.read_bytes() != pem:
            write_atomically(self.certificate_file, pem)  # the one to install is always the key's own
        if material.fingerprint not in dict(kept_certificates(self._store.conn)):
            # A seal from before certificates were kept in the database (or an interrupted store).
            with self._store.write(actor) as tx:
                keep_certificate(tx, material.fingerprint, pem)
        return material

    def _create(self, clinic_name: str, actor: str, action: str) -> "SealMaterial":
        make_seal = self._make_seal
        if make_seal is None:
            from ..reports.pades import create_seal as make_seal

        # Real time, not the clinic clock: PDF readers compare the certificate with the
        # signing time pyHanko takes from the system clock.
        material = make_seal(clinic_name, datetime.now(timezone.utc))
        self._store_material(material, action, actor)
        return material

    def _store_material(self, material: "SealMaterial", action: str, actor: str) -> None:
        from ..reports.pades import certificate_pem, seal_to_pkcs12

        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.trusted_folder.mkdir(mode=0o700, exist_ok=True)
        pem = certificate_pem(material.certificate)
        # The key first, then the certificates. No document is sealed before all three
        # are written, so a crash or a full disk before the key is in place leaves no
        # "history" (a fresh seal is made next time), and one after it leaves a key whose
        # certificate ``_load`` puts back among the trusted. (Trusting first would leave a
        # history without a key: exports refused for good although nothing was sealed.)
        write_atomically(self.key_file, seal_to_pkcs12(material, self._passphrase(create=True)), mode=0o600)
        write_atomically(self.trusted_folder / f"{material.fingerprint}.pem", pem)
        write_atomically(self.certificate_file, pem)
        with self._store.write(actor) as tx:
            keep_certificate(tx, material.fingerprint, pem)
            tx.audit(action, "seal", material.fingerprint[:32])

    def _retire(self) -> None:
        retired = self.folder / "retired" / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        retired.mkdir(mode=0o700, parents=True)
        shutil.copy2(self.key_file, retired / self.key_file.name)
        if self.passphrase_file.exists():
            shutil.copy2(self.passphrase_file, retired / self.passphrase_file.name)
