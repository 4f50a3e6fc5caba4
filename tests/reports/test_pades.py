"""The clinic seal: certificate, PKCS#12, signing, and what pyHanko and poppler say about it."""

from __future__ import annotations

import http.server
import socket
import threading
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from meso_kiosk.reports.pades import (
    SealError, SealKeyError, Sealer, certificate_pem, check_seal, create_seal, seal_from_pkcs12, seal_to_pkcs12,
)
from meso_kiosk.reports.summary_pdf import render_summary
from tests.pdf_tools import flip_byte, needs_pdfsig, pdfsig

from .conftest import make_summary

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)
CLINIC = "Clinique Élise & <Fils> 北门"


@pytest.fixture(scope="module")
def material():
    return create_seal(CLINIC, datetime.now(timezone.utc))


@pytest.fixture(scope="module")
def sealer(material):
    return Sealer(material)


@pytest.fixture(scope="module")
def unsigned(fonts):
    return render_summary(make_summary("Ελένη", "Παπαδοπούλου"), fonts)


@pytest.fixture(scope="module")
def signed(sealer, unsigned):
    return sealer.sign(unsigned, reason="test seal")


def test_the_seal_certificate_names_the_clinic_and_may_anchor_trust(material):
    cert = material.certificate
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == CLINIC
    assert cert.issuer == cert.subject
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca and constraints.path_length == 0
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert cert.not_valid_after_utc - cert.not_valid_before_utc > timedelta(days=365 * 19)


def test_pkcs12_keeps_the_key_encrypted_and_refuses_a_wrong_passphrase(material):
    data = seal_to_pkcs12(material, b"correct horse")
    with pytest.raises(SealKeyError, match="passphrase is wrong"):
        seal_from_pkcs12(data, b"wrong", source="seal.p12")
    with pytest.raises(SealKeyError):
        seal_from_pkcs12(data, None, source="seal.p12")
    back = seal_from_pkcs12(data, b"correct horse", source="seal.p12")
    assert back.fingerprint == material.fingerprint


def test_a_damaged_pkcs12_is_named(material):
    data = bytearray(seal_to_pkcs12(material, b"pw"))
    data[len(data) // 2] ^= 0xFF
    with pytest.raises(SealKeyError, match="seal.p12"):
        seal_from_pkcs12(bytes(data), b"pw", source="seal.p12")


def test_a_sealed_pdf_is_valid_trusted_and_covers_the_whole_file(signed, material):
    check = check_seal(signed, [material.certificate])
    assert check.ok, check.problem
    assert check.intact and check.valid and check.trusted and check.whole_file and check.unchanged_since
    assert check.signer == CLINIC
    assert abs(check.signing_time - datetime.now(timezone.utc)) < timedelta(minutes=5)


def test_the_seal_is_a_pades_certification_signature(signed):
    from pyhanko.pdf_utils.reader import PdfFileReader
    import io

    reader = PdfFileReader(io.BytesIO(signed))
    [signature] = reader.embedded_signatures
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.docmdp_level is not None and signature.docmdp_level.value == 1  # no changes allowed
    assert "/Perms" in reader.root and "/DocMDP" in reader.root["/Perms"]


def test_an_unknown_certificate_is_not_trusted(signed):
    other = create_seal("Another clinic", datetime.now(timezone.utc))
    check = check_seal(signed, [other.certificate])
    assert check.intact and check.valid and not check.trusted
    assert "does not trust" in check.problem


def test_one_flipped_byte_breaks_the_seal(signed, material):
    offset = signed.index(b"ReportLab Generated PDF document") + 3
    check = check_seal(flip_byte(signed, offset), [material.certificate])
    assert not check.intact and "changed after it was sealed" in check.problem


def test_bytes_added_after_sealing_are_noticed(signed, material):
    check = check_seal(signed + b"\n%% appended\n", [material.certificate])
    assert not check.ok


@pytest.mark.parametrize("data", [b"", b"not a pdf", b"%PDF-1.4\n%%EOF"])
def test_what_is_not_a_sealed_pdf_is_reported_not_raised(data, material):
    check = check_seal(data, [material.certificate])
    assert not check.ok and not check.signed


def test_a_pdf_without_signature_says_so(unsigned, material):
    assert check_seal(unsigned, [material.certificate]).problem == "it carries no signature"


@needs_pdfsig
def test_poppler_finds_the_seal_valid_trusted_and_covering_everything(signed, material, tmp_path):
    cert = tmp_path / "seal.pem"
    cert.write_bytes(certificate_pem(material.certificate))
    pdf = tmp_path / "sealed.pdf"
    pdf.write_bytes(signed)
    result = pdfsig(pdf, cert, tmp_path)
    assert "Signature is Valid." in result.stdout, result.stdout + result.stderr
    assert "Total document signed" in result.stdout
    assert "Certificate is Trusted." in result.stdout
    assert "ETSI.CAdES.detached" in result.stdout

    flipped = tmp_path / "flipped.pdf"
    flipped.write_bytes(flip_byte(signed, signed.index(b"ReportLab Generated PDF document") + 3))
    result = pdfsig(flipped, cert, tmp_path)
    assert "Signature is Valid." not in result.stdout
    assert "Digest Mismatch" in result.stdout or "Invalid" in result.stdout, result.stdout


# ---------------------------------------------------------------- PAdES B-T with a local TSA

@pytest.fixture(scope="module")
def timestamp_server():
    """An RFC 3161 timestamp authority on 127.0.0.1 (pyHanko's test TSA behind http.server)."""
    from asn1crypto import keys, tsp
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from pyhanko.sign.timestamps import DummyTimeStamper

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(key, hashes.SHA256()))
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(key.private_bytes(serialization.Encoding.DER,
                                                            serialization.PrivateFormat.PKCS8,
                                                            serialization.NoEncryption())))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_with_a_timestamp_server_the_seal_is_pades_b_t(sealer, unsigned, material, timestamp_server):
    signed = sealer.sign(unsigned, reason="test seal", timestamp_url=timestamp_server)
    check = check_seal(signed, [material.certificate])
    assert check.intact and check.valid and check.whole_file
    assert check.timestamp is not None
    assert abs(check.timestamp - datetime.now(timezone.utc)) < timedelta(minutes=5)


def test_a_timestamp_server_that_does_not_answer_stops_the_seal(sealer, unsigned):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SealError, match="did not answer"):
        sealer.sign(unsigned, reason="test seal", timestamp_url=f"http://127.0.0.1:{port}/")


def test_the_tests_cheap_seal_never_gives_two_seals_in_a_row_one_key():
    """Two installations in one test must not trust each other's documents by accident,
    whichever test of the run comes first."""
    from tests.conftest import cheap_seal

    now = datetime.now(timezone.utc)
    seals = [cheap_seal("Clinic", now) for _ in range(9)]
    numbers = [seal.key.private_numbers().d for seal in seals]
    assert all(a != b for a, b in zip(numbers, numbers[1:]))
    assert len({seal.fingerprint for seal in seals}) == 9
