"""The clinic seal: its certificate and key, PAdES signing and checking with pyHanko.

The seal is a *certification* signature (DocMDP "no changes") over the whole file,
PAdES baseline B-B, or B-T when a timestamp server is given. A self-signed seal
certificate is a CA certificate of path length 0 that signs with its own key: the
clinic (or a court) installs it once as a trust anchor, and every reader that knows
it (Acrobat, poppler's pdfsig, pyHanko) then reports the seal as valid and trusted.

This module does no file handling: ``services.seal`` decides where the key lives.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import BinaryIO, Sequence

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

SEAL_FIELD = "ClinicSeal"
SEAL_KEY_BITS = 3072
SEAL_YEARS = 20
_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


class SealError(Exception):
    """The document cannot be sealed; the message says why in plain words."""


class SealKeyError(SealError):
    """The seal's key or certificate is missing, damaged, or cannot be decrypted."""


@dataclass(frozen=True)
class SealMaterial:
    """A private key, its certificate, and any certificates of its chain (imported seals)."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def subject(self) -> str:
        return common_name(self.certificate)

    @property
    def fingerprint(self) -> str:
        return certificate_fingerprint(self.certificate)


def common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


def certificate_fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def certificate_pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def load_certificate_pem(data: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(data)


SUBJECT_FALLBACK = "Clinic document seal"


def seal_subject(clinic_name: str) -> str:
    """The name a seal certificate made for ``clinic_name`` carries.

    X.509 allows 64 bytes of UTF-8, and pyHanko (asn1crypto's RFC 4518 preparation) refuses
    a certificate naming anything outside Unicode 3.2 (an emoji), or right-to-left letters
    mixed with left-to-right ones: a trusted certificate like that would fail every check,
    old documents' too. So those characters are left out rather than the seal refused.
    """
    import unicodedata

    # Invisible format characters (a right-to-left override…) have no place in a signer's name.
    kept = "".join(char for char in clinic_name if unicodedata.category(char) != "Cf" and _x509_accepts(char))
    kept = " ".join(kept.split())
    while len(kept.encode("utf-8")) > 64:
        kept = kept[:-1].rstrip()
    if not _x509_accepts(kept):
        kept = _one_direction(kept)
    return kept if kept and _x509_accepts(kept) else SUBJECT_FALLBACK


def _x509_accepts(text: str) -> bool:
    try:
        value = asn1_x509.DirectoryString(name="utf8_string", value=text)
        asn1_x509.NameTypeAndValue({"type": "common_name", "value": value}).prepped_value
    except ValueError:
        return False
    return True


def _one_direction(text: str) -> str:
    """``text`` with only the letters written in the direction of its first one (RFC 3454 bidi rule)."""
    import unicodedata

    directions = [unicodedata.bidirectional(char) for char in text]
    first = next((d for d in directions if d in ("L", "R", "AL")), "L")
    unwanted = ("R", "AL") if first == "L" else ("L",)
    kept = " ".join("".join(c for c, d in zip(text, directions) if d not in unwanted).split())
    if first != "L":  # right-to-left text must start and end with a right-to-left letter
        while kept and unicodedata.bidirectional(kept[0]) not in ("R", "AL"):
            kept = kept[1:]
        while kept and unicodedata.bidirectional(kept[-1]) not in ("R", "AL"):
            kept = kept[:-1]
    return kept


def create_seal(clinic_name: str, now: datetime, *, key: rsa.RSAPrivateKey | None = None) -> SealMaterial:
    """A self-signed seal certificate naming the clinic, over a new RSA key (or ``key``: tests
    reuse one, the certificate being what they check)."""
    if key is None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=SEAL_KEY_BITS)
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, seal_subject(clinic_name)),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, seal_subject(clinic_name)),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Document seal (Meso Kiosk)"),
    ])
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))  # tolerate a kiosk clock a little behind
        .not_valid_after(now + timedelta(days=365 * SEAL_YEARS))
        # CA with path length 0: NSS (pdfsig, Firefox) accepts it as a trust anchor.
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_cert_sign=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, crl_sign=False, encipher_only=False,
            decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return SealMaterial(key, certificate)


def seal_to_pkcs12(material: SealMaterial, passphrase: bytes) -> bytes:
    """PKCS#12 with the key encrypted (AES-256, PBKDF2) under ``passphrase``."""
    return pkcs12.serialize_key_and_certificates(
        b"clinic-seal", material.key, material.certificate, list(material.chain) or None,
        serialization.BestAvailableEncryption(passphrase),
    )


def seal_from_pkcs12(data: bytes, passphrase: bytes | None, *, source: str) -> SealMaterial:
    """Read a PKCS#12; ``SealKeyError`` naming ``source`` if it is damaged or the passphrase is wrong."""
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, passphrase)
    except (ValueError, TypeError) as error:
        raise SealKeyError(
            f"The seal key {source} cannot be opened: it is damaged or its passphrase is wrong."
        ) from error
    if key is None or certificate is None:
        raise SealKeyError(f"The seal file {source} holds no private key with its certificate.")
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise SealKeyError(f"The seal key {source} is of a kind PDF readers do not accept (use RSA or ECDSA).")
    if key.public_key().public_numbers() != certificate.public_key().public_numbers():
        raise SealKeyError(f"The seal file {source} holds a key that does not belong to its certificate.")
    return SealMaterial(key, certificate, tuple(chain))


# ------------------------------------------------------------------ signing


def _make_signer(material: SealMaterial):
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    def to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))

    class _LoadedKeySigner(signers.SimpleSigner):
        """pyHanko's SimpleSigner re-parses the key for every signature (~0.1 s for RSA);
        this one keeps the parsed key."""

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            algorithm = _HASHES[digest_algorithm.lower()]()
            if isinstance(material.key, rsa.RSAPrivateKey):
                return material.key.sign(data, padding.PKCS1v15(), algorithm)
            return material.key.sign(data, ec.ECDSA(algorithm))

    registry = SimpleCertificateStore.from_certs([to_asn1(c) for c in material.chain])
    key_info = asn1_keys.PrivateKeyInfo.load(material.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return _LoadedKeySigner(signing_cert=to_asn1(material.certificate), signing_key=key_info, cert_registry=registry)


class Sealer:
    """A seal loaded in memory, ready to sign many documents."""

    def __init__(self, material: SealMaterial):
        self.material = material
        self._signer = _make_signer(material)
        chain_bytes = sum(len(c.public_bytes(serialization.Encoding.DER)) for c in (material.certificate, *material.chain))
        self._reserve = 4096 + 2 * chain_bytes  # room for the CMS; no trial signature needed

    def sign(self, pdf: bytes, *, reason: str, timestamp_url: str | None = None) -> bytes:
        """The PDF with the seal applied as an incremental update covering the whole file."""
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.pdf_utils.misc import PdfError
        from pyhanko.sign import signers
        from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
        from pyhanko.sign.general import SigningError
        from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError

        metadata = signers.PdfSignatureMetadata(
            field_name=SEAL_FIELD, certify=True, docmdp_permissions=MDPPerm.NO_CHANGES,
            subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256", reason=reason,
            name=self.material.subject,
        )
        timestamper = HTTPTimeStamper(timestamp_url, timeout=10) if timestamp_url else None
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
            signed = signers.PdfSigner(metadata, signer=self._signer, timestamper=timestamper).sign_pdf(
                writer, bytes_reserved=None if timestamper else self._reserve)
        except (TimestampRequestError, OSError, asyncio.TimeoutError) as error:
            raise SealError(f"The timestamp server {timestamp_url} did not answer ({error}); the document was not sealed.") from error
        except (SigningError, PdfError, ValueError) as error:
            raise SealError(f"The document could not be sealed: {error}") from error
        return signed.getvalue()


# ------------------------------------------------------------------ checking


@dataclass(frozen=True)
class SealCheck:
    """What a PDF reader would say about the seal of one file."""

    signed: bool
    intact: bool = False            # the signed bytes are unchanged
    valid: bool = False             # the signature over them is cryptographically sound
    trusted: bool = False           # the signer chains to one of the trusted certificates
    whole_file: bool = False        # the signature covers every byte of the file
    unchanged_since: bool = False   # the certification (no changes) is respected
    later_revisions: int = 0        # incremental updates appended after the sealed revision
    signer: str | None = None
    signer_fingerprint: str | None = None
    signing_time: datetime | None = None
    timestamp: datetime | None = None
    problem: str | None = None      # the first thing that does not hold, in plain words

    @property
    def ok(self) -> bool:
        return self.problem is None


def _first_problem(check: SealCheck) -> str | None:
    if not check.intact:
        return "the file was changed after it was sealed (the signed bytes do not match)"
    if not check.valid:
        return "the seal's signature is not valid"
    if check.later_revisions:
        added = "a later revision was" if check.later_revisions == 1 else f"{check.later_revisions} later revisions were"
        return (f"changed after sealing: {added} added to the file (an incremental update, as a PDF editor "
                "saves an annotation or a form field); the sealed document is the file as it was before it")
    if not check.whole_file:
        return "the seal does not cover the whole file (something was added after sealing)"
    if not check.unchanged_since:
        return "the file was modified in a way its certification forbids"
    if not check.trusted:
        return f"the seal was made by a certificate this installation does not trust ({check.signer})"
    return None


def _one_line(error: Exception) -> str:
    return f"{type(error).__name__}: " + " ".join(str(error).split())[:200]


def check_seal(pdf: bytes | BinaryIO, trusted: Sequence[x509.Certificate]) -> SealCheck:
    """Validate the first signature of ``pdf`` (its bytes, or a seekable binary stream read as
    needed) against ``trusted`` anchors (no network)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf, strict=False)
    except Exception as error:  # any parser failure means: not a readable PDF
        return SealCheck(signed=False, problem=f"it is not a readable PDF ({_one_line(error)})")
    try:
        signatures = reader.embedded_signatures
    except Exception as error:  # a signature dictionary or CMS blob that does not parse
        return SealCheck(signed=True, problem=f"its seal cannot be read ({_one_line(error)})")
    if not signatures:
        return SealCheck(signed=False, problem="it carries no signature")
    roots = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in trusted]
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = validate_pdf_signature(signatures[0], context)
    except Exception as error:  # a mangled signature dictionary or CMS blob
        return SealCheck(signed=True, problem=f"its seal cannot be read ({_one_line(error)})")
    cert = status.signing_cert
    signer = cert.subject.native.get("common_name") or cert.subject.human_friendly
    timestamp = status.timestamp_validity.timestamp if status.timestamp_validity is not None else None
    check = SealCheck(
        signed=True,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        unchanged_since=status.docmdp_ok is not False,
        later_revisions=max(0, reader.xrefs.total_revisions - 1 - signatures[0].signed_revision),
        signer=str(signer),
        signer_fingerprint=hashlib.sha256(cert.dump()).hexdigest(),
        signing_time=(status.signer_reported_dt.astimezone(timezone.utc) if status.signer_reported_dt else None),
        timestamp=timestamp,
    )
    return replace(check, problem=_first_problem(check))
