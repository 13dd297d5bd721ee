"""Signing identities: a person's certificate and private key (PKCS#12).

A signer uses a ``.p12``/``.pfx`` file: one issued by their organisation, or one
this module creates for them (self-signed, RSA 3072, SHA-256, five years,
passphrase-protected).  The passphrase is never stored.  Signatures are RSA
PKCS#1 v1.5 over SHA-256, which any standard tool can check against the
certificate (see docs/json-format.md, "Signed payloads").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from scrutiny_desktop import paths
from scrutiny_desktop.atomic import atomic_write
from scrutiny_desktop.errors import IdentityError, InvalidInput

__all__ = ["Identity", "certificate_fingerprint", "create_identity", "default_identity_folder",
           "load_certificates", "load_identity", "normalise_fingerprint", "passphrase_from_file",
           "sign_payload", "trust_of", "verify_payload"]

KEY_SIZE = 3072
VALIDITY_DAYS = 5 * 365


def certificate_fingerprint(certificate_der: bytes) -> str:
    """SHA-256 of the DER certificate as uppercase hex pairs joined by ':'."""
    import hashlib

    digest = hashlib.sha256(certificate_der).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


@dataclass(frozen=True)
class Identity:
    """A person's certificate and private key, as loaded from a PKCS#12 file."""

    name: str
    email: str
    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    @property
    def fingerprint(self) -> str:
        return certificate_fingerprint(self.certificate_der)


def default_identity_folder() -> Path:
    """Where the app keeps the certificates it creates for people."""
    return paths.user_data_dir() / "signing"


def _subject_text(cert: x509.Certificate, oid) -> str:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def create_identity(path: Path, *, name: str, email: str = "", passphrase: bytes) -> Identity:
    """Create a self-signed signing certificate and write it, encrypted, to ``path``."""
    path = Path(path)
    name = " ".join((name or "").split())
    email = (email or "").strip()
    if not name:
        raise InvalidInput("Give the name to put on the signing certificate.")
    if not passphrase:
        raise InvalidInput("Choose a passphrase to protect the signing certificate.")
    if path.exists():
        raise IdentityError(path, f"{path} already exists; choose another name for the new "
                                  "signing certificate (an existing one is never overwritten).")
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, name)]
    if email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    subject = x509.Name(attrs)
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALIDITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if email:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
    cert = builder.sign(key, hashes.SHA256())
    data = pkcs12.serialize_key_and_certificates(
        name.encode("utf-8"), key, cert, None, serialization.BestAvailableEncryption(passphrase))
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, overwrite=False) as out:
        out.write(data)
    return Identity(name, email, cert, key, ())


def load_identity(path: Path, passphrase: bytes) -> Identity:
    """Read a PKCS#12 file; each failure is one line saying what to do."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IdentityError(path, f"{path} does not exist; choose your signing certificate "
                                  "(.p12 or .pfx).") from None
    except OSError as exc:
        raise IdentityError(path, f"{path} cannot be read ({exc.strerror}).") from None
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase or None)
    except ValueError as exc:
        if _looks_like_pkcs12(data):
            raise IdentityError(path, f"The passphrase for {path.name} is wrong; type it again "
                                      "(it is case-sensitive).") from None
        raise IdentityError(path, f"{path} is not a PKCS#12 signing certificate (.p12 or .pfx) "
                                  f"({' '.join(str(exc).split())[:80]}).") from None
    if cert is None:
        raise IdentityError(path, f"{path} holds no certificate; ask IT for your signing "
                                  "certificate with its private key.")
    if key is None:
        raise IdentityError(path, f"{path} holds a certificate but no private key; ask IT for "
                                  "the .p12 file that includes your private key.")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise IdentityError(path, f"{path} holds a {type(key).__name__} key; Scrutiny Desktop "
                                  "signs with RSA keys only.")
    now = dt.datetime.now(dt.UTC)
    if cert.not_valid_after_utc < now:
        raise IdentityError(path, f"The signing certificate in {path.name} expired on "
                                  f"{cert.not_valid_after_utc:%Y-%m-%d}; create or ask for a new one.")
    if cert.not_valid_before_utc > now:
        raise IdentityError(path, f"The signing certificate in {path.name} is not valid until "
                                  f"{cert.not_valid_before_utc:%Y-%m-%d}; check the computer's clock.")
    return Identity(_subject_text(cert, NameOID.COMMON_NAME), _subject_text(cert, NameOID.EMAIL_ADDRESS),
                    cert, key, tuple(extra or ()))


def _looks_like_pkcs12(data: bytes) -> bool:
    """A DER SEQUENCE whose first element is INTEGER 3 (the PFX version)."""
    if len(data) < 8 or data[0] != 0x30:
        return False
    i = 2 if data[1] < 0x80 else 2 + (data[1] & 0x7F)
    return data[i:i + 3] == b"\x02\x01\x03"


def sign_payload(identity: Identity, payload: bytes) -> bytes:
    """RSA PKCS#1 v1.5 signature over SHA-256 of ``payload``."""
    return identity.private_key.sign(payload, padding.PKCS1v15(), hashes.SHA256())


def verify_payload(certificate_der: bytes, payload: bytes, signature: bytes) -> bool:
    """Is ``signature`` the certificate holder's signature of ``payload``?"""
    try:
        cert = x509.load_der_x509_certificate(certificate_der)
        public = cert.public_key()
        if not isinstance(public, rsa.RSAPublicKey):
            return False
        public.verify(signature, payload, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def passphrase_from_file(path: Path) -> bytes:
    """The first line of a file, without its newline (for scripts and IT)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IdentityError(path, f"The passphrase file {path} cannot be read "
                                  f"({exc.strerror or exc}).") from None
    line = data.split(b"\n", 1)[0].rstrip(b"\r")
    if not line:
        raise IdentityError(path, f"The passphrase file {path} is empty; put the passphrase on "
                                  "its first line.")
    return line


# -- trust ------------------------------------------------------------------------


def normalise_fingerprint(text: str) -> str:
    """A fingerprint however it was typed ("3a0f…", "3A:0F…", "3A 0F…") as "3A:0F:…"."""
    digits = "".join(ch for ch in text.upper() if ch in "0123456789ABCDEF")
    return ":".join(digits[i:i + 2] for i in range(0, len(digits), 2))


def load_certificates(files: list[str] | tuple[str, ...]) -> tuple[list[x509.Certificate], list[str]]:
    """CA certificates from PEM or DER files (IT's ``trusted_issuers``), and one line for
    each file that could not be read."""
    certs: list[x509.Certificate] = []
    problems: list[str] = []
    for name in files:
        path = Path(name).expanduser()
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(f"{path}: cannot be read ({exc.strerror or exc})")
            continue
        try:
            if b"-----BEGIN CERTIFICATE-----" in data:
                certs.extend(x509.load_pem_x509_certificates(data))
            else:
                certs.append(x509.load_der_x509_certificate(data))
        except ValueError:
            problems.append(f"{path}: not an X.509 certificate (PEM or DER)")
    return certs, problems


def _cn(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else name.rfc4514_string()


def trust_of(certificate_der: bytes, *, trusted_issuers: list[x509.Certificate] | tuple = (),
             pinned: list[str] | tuple = ()) -> tuple[bool, str]:
    """(trusted, words): pinned fingerprint, issued by a trusted CA, or neither."""
    cert = x509.load_der_x509_certificate(certificate_der)
    if certificate_fingerprint(certificate_der) in {normalise_fingerprint(p) for p in pinned}:
        return True, "trusted (pinned certificate)"
    for ca in trusted_issuers:
        try:
            cert.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        now = dt.datetime.now(dt.UTC)
        if ca.not_valid_before_utc <= now <= ca.not_valid_after_utc:
            return True, f"trusted (issued by {_cn(ca.subject)})"
    if cert.issuer == cert.subject:
        return False, "self-signed, not pinned"
    return False, f"issued by {_cn(cert.issuer)}, which is not a trusted issuer"
