"""PAdES signatures on the exported PDF (issue 11, item 3 and the PDF half of item 4).

Keys and certificates are made here with ``cryptography``; PDFs are drawn with
reportlab.  Everything runs offline: a test watches the audit events for sockets.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from scrutiny_desktop.report import pades
from scrutiny_desktop.report.pades import (
    COVERS_WHOLE_FILE,
    TRUST_ISSUER,
    TRUST_PINNED,
    TRUST_SELF,
    describe,
    sign_pdf,
    verify_pdf,
)

KEYWORDS = "scrutiny-desktop; signed-off; fingerprint=ABC123; signer=Ann Jones"


# -- keys and certificates ------------------------------------------------------------------

def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _cert(name: str, key, *, issuer_name: str | None = None, issuer_key=None, ca: bool = False,
          email: str = "", urls: bool = False) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]
                        + ([x509.NameAttribute(NameOID.EMAIL_ADDRESS, email)] if email else []))
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]) if issuer_name else subject
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(issuer)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1))
               .not_valid_after(now + dt.timedelta(days=365))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=not ca,
                                            key_encipherment=False, data_encipherment=False,
                                            key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                                            encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if urls:  # where a validator that fetches would look for revocation data and the issuer
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier("http://crl.example.invalid/ca.crl")], None, None, None)]),
            critical=False).add_extension(x509.AuthorityInformationAccess([
                x509.AccessDescription(x509.oid.AuthorityInformationAccessOID.OCSP,
                                       x509.UniformResourceIdentifier("http://ocsp.example.invalid")),
                x509.AccessDescription(x509.oid.AuthorityInformationAccessOID.CA_ISSUERS,
                                       x509.UniformResourceIdentifier("http://ca.example.invalid/ca.crt"))]),
                critical=False)
    if issuer_key is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256())


class Identity:
    def __init__(self, name: str, *, ca: Identity | None = None, urls: bool = False):
        self.name = name
        self.key = _key()
        if ca is None:
            self.cert = _cert(name, self.key, urls=urls)
        else:
            self.cert = _cert(name, self.key, issuer_name=ca.name, issuer_key=ca.key, urls=urls)
        self.ca = ca

    def sign(self, src: Path, dst: Path, field: str = "Signature1", reason: str = "Signed off") -> Path:
        return sign_pdf(src, dst, private_key=self.key, certificate=self.cert, field_name=field,
                        signer_name=self.name, reason=reason, location="Northshire")


@pytest.fixture(scope="module")
def ann():
    return Identity("Ann Jones")


@pytest.fixture(scope="module")
def chair():
    return Identity("Chris Chair")


@pytest.fixture(scope="module")
def ca():
    ident = Identity("Northshire Council Signing CA")
    ident.cert = _cert(ident.name, ident.key, ca=True)
    return ident


# -- PDFs -----------------------------------------------------------------------------------

def make_pdf(path: Path, *, pages: int = 2, text: str = "Judgement: strong",
             keywords: str = KEYWORDS) -> Path:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=0)
    c.setTitle("Scrutiny assessment")
    c.setKeywords(keywords)
    for page in range(pages):
        c.drawString(72, 770, f"Page {page + 1}: {text}")
        for line in range(40):
            c.drawString(72, 740 - 16 * line, f"Finding {page}.{line}: the partnership's arrangements.")
        c.showPage()
    c.save()
    path.write_bytes(buf.getvalue())
    return path


@pytest.fixture
def pdf(tmp_path):
    return make_pdf(tmp_path / "report.pdf")


# -- sign and verify -------------------------------------------------------------------------

def test_sign_then_verify(pdf, tmp_path, ann):
    out = ann.sign(pdf, tmp_path / "signed.pdf")
    result = verify_pdf(out)
    assert result.ok, result.problems
    assert result.problems == []
    [sig] = result.signatures
    assert sig.field_name == "Signature1"
    assert sig.signer == "Ann Jones"
    assert sig.fingerprint == pades.fingerprint(ann.cert)
    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", sig.fingerprint)
    assert sig.intact
    assert sig.covers == COVERS_WHOLE_FILE
    assert sig.trust == TRUST_SELF
    assert sig.signed_at is not None
    assert abs(sig.signed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert pdf.read_bytes() != out.read_bytes()


def test_signature_is_pades_baseline_and_invisible(pdf, tmp_path, ann):
    from pyhanko.pdf_utils.reader import PdfFileReader

    out = ann.sign(pdf, tmp_path / "signed.pdf")
    reader = PdfFileReader(io.BytesIO(out.read_bytes()))
    [sig] = reader.embedded_regular_signatures
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert str(sig.sig_object["/Name"]) == "Ann Jones"
    assert "/M" in sig.sig_object
    widget = sig.sig_field
    rect = [float(v) for v in widget.get("/Rect", [0, 0, 0, 0])]
    assert rect[2] - rect[0] == 0 and rect[3] - rect[1] == 0
    # Incremental: the original bytes are the start of the signed file.
    assert out.read_bytes().startswith(pdf.read_bytes())


def test_sign_in_place(pdf, ann):
    assert ann.sign(pdf, pdf) == pdf
    assert verify_pdf(pdf).ok


def test_scrutineer_then_chair_both_intact(pdf, tmp_path, ann, chair):
    first = ann.sign(pdf, tmp_path / "signed.pdf")
    first_bytes = first.read_bytes()
    both = chair.sign(first, tmp_path / "countersigned.pdf", field="Countersignature",
                      reason="Countersigned")
    assert both.read_bytes().startswith(first_bytes)
    result = verify_pdf(both)
    assert result.ok, result.problems
    assert [s.signer for s in result.signatures] == ["Ann Jones", "Chris Chair"]
    assert all(s.intact for s in result.signatures)
    assert result.signatures[0].covers == "revision 2; later revisions are signatures only"
    assert result.signatures[1].covers == COVERS_WHOLE_FILE
    assert result.signatures[0].fingerprint != result.signatures[1].fingerprint


def test_same_field_name_twice_is_refused(pdf, tmp_path, ann, chair):
    first = ann.sign(pdf, tmp_path / "signed.pdf")
    with pytest.raises(pades.InvalidInput, match="already has a signature field"):
        chair.sign(first, tmp_path / "again.pdf", field="Signature1")


def test_a_key_that_does_not_match_the_certificate_is_refused(pdf, tmp_path, ann, chair):
    with pytest.raises(pades.InvalidInput, match="does not belong to the certificate"):
        sign_pdf(pdf, tmp_path / "x.pdf", private_key=chair.key, certificate=ann.cert,
                 field_name="Signature1", signer_name="Ann Jones", reason="Signed off")
    assert not (tmp_path / "x.pdf").exists()


def test_signing_something_that_is_not_a_pdf_is_one_sentence(tmp_path, ann):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all")
    with pytest.raises(pades.InvalidInput, match="could not be signed"):
        ann.sign(junk, tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()


# -- forgeries -------------------------------------------------------------------------------

def test_unsigned_pdf_is_not_verified(pdf):
    result = verify_pdf(pdf)
    assert not result.ok
    assert result.signatures == []
    assert any("the pdf carries no digital signature" in p.lower() for p in result.problems)


def test_forged_from_scratch_copying_metadata_is_not_verified(pdf, tmp_path, ann):
    from pypdf import PdfReader

    signed = ann.sign(pdf, tmp_path / "signed.pdf")
    keywords = PdfReader(str(signed)).metadata["/Keywords"]
    forged = make_pdf(tmp_path / "forged.pdf", pages=1, text="Judgement: inadequate", keywords=keywords)
    assert PdfReader(str(forged)).metadata["/Keywords"] == KEYWORDS
    result = verify_pdf(forged)
    assert not result.ok
    assert any("no digital signature" in p for p in result.problems)
    assert describe(result)[0] == "Not verified."


def _asn1_key(key):
    from cryptography.hazmat.primitives import serialization
    from pyhanko.keys.pemder import load_private_key_from_pemder_data

    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return load_private_key_from_pemder_data(der, None)


def _add_forged_page(writer) -> None:
    """Add a page saying "Judgement: inadequate" to an incremental writer."""
    from pyhanko.pdf_utils import generic

    font = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Font"),
        generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
        generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
    })
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 700 Td (Judgement: inadequate) Tj ET")
    page = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Page"),
        generic.NameObject("/MediaBox"): generic.ArrayObject(
            [generic.NumberObject(v) for v in (0, 0, 595, 842)]),
        generic.NameObject("/Contents"): writer.add_object(stream),
        generic.NameObject("/Resources"): generic.DictionaryObject({
            generic.NameObject("/Font"): generic.DictionaryObject({generic.NameObject("/F1"): font}),
        }),
    })
    writer.insert_page(page)


def _forged_update(signed: bytes) -> bytes:
    """An incremental update that adds a page with new text, as a forger would write it."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    _add_forged_page(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_forged_incremental_update_after_signature_is_not_verified(pdf, tmp_path, ann):
    signed = ann.sign(pdf, tmp_path / "signed.pdf").read_bytes()
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(_forged_update(signed))
    from pypdf import PdfReader
    assert len(PdfReader(str(forged)).pages) == 3  # the forger's page is there to see
    result = verify_pdf(forged)
    assert not result.ok
    [sig] = result.signatures
    assert sig.intact  # the signed bytes themselves are untouched...
    assert sig.covers == "revision 2; content was added after it"  # ...but something follows
    assert any("Content was added after the signature" in p for p in result.problems)


def test_forged_update_after_countersignature_is_not_verified(pdf, tmp_path, ann, chair):
    first = ann.sign(pdf, tmp_path / "signed.pdf")
    both = chair.sign(first, tmp_path / "both.pdf", field="Countersignature").read_bytes()
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(_forged_update(both))
    result = verify_pdf(forged)
    assert not result.ok
    assert any("Content was added after the signature in field 'Countersignature'" in p
               for p in result.problems)


def test_a_page_added_under_a_second_signature_is_that_signers_alone(pdf, tmp_path, ann):
    """A page added in the same revision as a second (the forger's own) signature leaves
    the first signature standing for the pages it signed, and the report says the added
    page is under the second signer's name (the app's verify then refuses a signer its
    PDF does not name: tests/report/test_signed_pdf.py)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signed = ann.sign(pdf, tmp_path / "signed.pdf").read_bytes()
    forger = Identity("Mallory")
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    _add_forged_page(writer)
    signer = signers.SimpleSigner(
        signing_cert=pades._to_asn1(forger.cert), signing_key=_asn1_key(forger.key),
        cert_registry=SimpleCertificateStore())
    out = io.BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="Countersignature", subfilter=SigSeedSubFilter.PADES),
        signer=signer, new_field_spec=fields.SigFieldSpec("Countersignature"),
    ).sign_pdf(writer, output=out)
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(out.getvalue())
    result = verify_pdf(forged)
    assert [s.signer for s in result.signatures] == ["Ann Jones", "Mallory"]
    assert all(s.intact for s in result.signatures)
    assert result.ok, result.problems
    assert result.signatures[0].covers == pades.COVERS_PAGES_ADDED.format(n=2)
    assert "a later signature added pages after it" in describe(result)[0]
    assert "self-signed and not pinned" in describe(result)[1]


@pytest.mark.parametrize("junk", [b"\n%%EOF\n", b"garbage bytes\n", b"\n1 0 obj\n(x)\nendobj\n%%EOF\n"])
def test_bytes_appended_after_signature_are_not_verified(pdf, tmp_path, ann, junk):
    signed = ann.sign(pdf, tmp_path / "signed.pdf")
    forged = tmp_path / "appended.pdf"
    forged.write_bytes(signed.read_bytes() + junk)
    result = verify_pdf(forged)
    assert not result.ok
    assert any("Content was added after the signature" in p for p in result.problems)


def test_changed_signed_byte_is_not_intact(pdf, tmp_path, ann):
    signed = ann.sign(pdf, tmp_path / "signed.pdf").read_bytes()
    index = signed.index(b"Judgement: strong")
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(signed[:index] + b"Judgement: STRONG" + signed[index + 17:])
    result = verify_pdf(tampered)
    assert not result.ok
    [sig] = result.signatures
    assert not sig.intact
    assert any("does not match the signed content" in p for p in result.problems)


def test_not_a_pdf(tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"hello")
    result = verify_pdf(junk)
    assert not result.ok
    assert "not a PDF" in result.problems[0]


# -- trust -----------------------------------------------------------------------------------

def test_certificate_from_a_trusted_issuer(pdf, tmp_path, ca):
    signer = Identity("Ann Jones", ca=ca)
    out = sign_pdf(pdf, tmp_path / "signed.pdf", private_key=signer.key, certificate=signer.cert,
                   chain=(ca.cert,), field_name="Signature1", signer_name="Ann Jones", reason="Signed off")
    result = verify_pdf(out, trusted_issuers=[ca.cert])
    assert result.ok, result.problems
    assert result.signatures[0].trust == TRUST_ISSUER
    assert "issued by Northshire Council Signing CA, a trusted issuer" in describe(result)[0]
    # The same file, without that issuer in the trust list: only self-consistent.
    untrusted = verify_pdf(out)
    assert untrusted.ok
    assert untrusted.signatures[0].trust == TRUST_SELF
    assert "which is not a trusted issuer" in describe(untrusted)[0]


def test_an_unrelated_trusted_issuer_does_not_make_it_trusted(pdf, tmp_path, ann, ca):
    out = ann.sign(pdf, tmp_path / "signed.pdf")
    result = verify_pdf(out, trusted_issuers=[ca.cert])
    assert result.signatures[0].trust == TRUST_SELF


def test_pinned_fingerprint(pdf, tmp_path, ann):
    out = ann.sign(pdf, tmp_path / "signed.pdf")
    pin = pades.fingerprint(ann.cert).replace(":", "").lower()  # however it was typed
    result = verify_pdf(out, pinned_fingerprints=[pin])
    assert result.ok
    assert result.signatures[0].trust == TRUST_PINNED
    assert "one you have pinned" in describe(result)[0]


def test_self_consistent_only(pdf, tmp_path, ann, chair):
    out = ann.sign(pdf, tmp_path / "signed.pdf")
    result = verify_pdf(out, pinned_fingerprints=[pades.fingerprint(chair.cert)])
    assert result.signatures[0].trust == TRUST_SELF
    line = describe(result)[0]
    assert line.startswith(f"Signed by Ann Jones (certificate {pades.fingerprint(ann.cert)}), on ")
    assert "by the signing computer's clock" in line
    assert "the signed content is unchanged" in line
    assert line.endswith("the certificate is self-signed and not pinned, so check its fingerprint "
                         "with the signer.")


def test_describe_a_tampered_file(pdf, tmp_path, ann):
    signed = ann.sign(pdf, tmp_path / "signed.pdf")
    forged = tmp_path / "appended.pdf"
    forged.write_bytes(signed.read_bytes() + b"junk\n")
    lines = describe(verify_pdf(forged))
    assert "content was added after it" in lines[0]
    assert "Not verified." in lines
    assert any(line.startswith("Content was added after the signature") for line in lines)


# -- offline ---------------------------------------------------------------------------------

_NETWORK = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
            "socket.sendto", "socket.sendmsg", "urllib.Request", "http.client.connect"}


class _Watch:
    events: list[str] = []  # noqa: RUF012 (one watch per process; audit hooks cannot be removed)
    active = False

    def __call__(self, event: str, args) -> None:
        if self.active and event in _NETWORK:
            self.events.append(event)


_WATCH = _Watch()
sys.addaudithook(_WATCH)


def test_sign_and_verify_never_touch_the_network(pdf, tmp_path, ann, chair, ca):
    # The certificate names a CRL, an OCSP responder and its issuer's address: none is asked.
    signer = Identity("Ann Jones", ca=ca, urls=True)
    _WATCH.events.clear()
    _WATCH.active = True
    try:
        first = sign_pdf(pdf, tmp_path / "a.pdf", private_key=signer.key, certificate=signer.cert,
                         chain=(ca.cert,), field_name="Signature1", signer_name="Ann Jones",
                         reason="Signed off")
        both = chair.sign(first, tmp_path / "b.pdf", field="Countersignature")
        result = verify_pdf(both, trusted_issuers=[ca.cert])
        describe(result)
    finally:
        _WATCH.active = False
    assert result.ok
    assert result.signatures[0].trust == TRUST_ISSUER
    assert _WATCH.events == []


def test_the_watch_sees_a_connection_attempt():
    import socket

    _WATCH.events.clear()
    _WATCH.active = True
    try:
        with socket.socket() as s, pytest.raises(OSError):
            s.settimeout(0.01)
            s.connect(("127.0.0.1", 9))
    finally:
        _WATCH.active = False
    assert _WATCH.events == ["socket.connect"]


# -- the app's own PDF ------------------------------------------------------------------------

def test_the_apps_report_signs_and_verifies(ready, tmp_path, ann, chair):
    from scrutiny_desktop.report.data import collect
    from scrutiny_desktop.report.pdf import build_pdf
    from tests.helpers import qpdf_check

    report = build_pdf(collect(ready), tmp_path / "report.pdf")
    ann.sign(report, report)
    chair.sign(report, report, field="Countersignature", reason="Countersigned")
    qpdf_check(report)
    result = verify_pdf(report)
    assert result.ok, result.problems
    assert [s.signer for s in result.signatures] == ["Ann Jones", "Chris Chair"]


def test_another_validator_agrees(pdf, tmp_path, ann, chair):
    """poppler's pdfsig (a different implementation) finds both signatures valid."""
    import subprocess

    from tests.helpers import tool

    ann.sign(pdf, pdf)
    chair.sign(pdf, pdf, field="Countersignature")
    result = subprocess.run([tool("pdfsig"), "-nocert", str(pdf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Signature Validation: Signature is Valid.") == 2
    assert "Signature Type: ETSI.CAdES.detached" in result.stdout
    assert "Signer Certificate Common Name: Chris Chair" in result.stdout


@pytest.mark.slow
def test_thirty_pages_signed_twice_verify_intact(tmp_path, ann, chair):
    """A long report takes both signatures and both verify, each covering what it
    should.  (Nothing here is timed.)"""
    pdf = make_pdf(tmp_path / "long.pdf", pages=30)
    ann.sign(pdf, pdf)
    chair.sign(pdf, pdf, field="Countersignature")
    result = verify_pdf(pdf)
    assert result.ok, result.problems
    assert [s.signer for s in result.signatures] == ["Ann Jones", "Chris Chair"]
    assert all(s.intact for s in result.signatures)
