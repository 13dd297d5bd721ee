"""PAdES signatures on exported PDFs: sign (scrutineer, then the chair) and verify, offline.

Signing adds a PAdES baseline B-B signature (``ETSI.CAdES.detached``, SHA-256) in an
invisible signature field, as an incremental update, so that a second signature (the
chair's countersignature) leaves the first one valid.  No timestamp server is asked:
the signing time is this computer's clock, written in the signature dictionary
(``/M``) and reported as such.

Verifying uses pyHanko's validation with fetching switched off and an explicit trust
list (never the operating system's): for each signature, pyHanko checks the signed
bytes (digest) and the CMS signature, the coverage of the file and, for revisions
added after the signed one, its difference analysis.  On top of it this module asks
that the last signature covers the whole file and that every revision after a
signature is itself the revision of a later signature, which either only signs
(pyHanko's difference analysis) or adds pages after the signed ones without touching
any object those pages use (the chair's countersignature adds the partnership's
response this way; see :func:`_later_change`).  Trust is reported, never
required: "trusted issuer" (a path to one of ``trusted_issuers``), "pinned
certificate" (the signer's SHA-256 fingerprint is pinned) or "self-consistent only".

Nothing here touches the network: no fetchers, no timestamp client.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import NameOID

from scrutiny_desktop.atomic import atomic_write
from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.text import when_text

__all__ = [
    "COVERS_ADDED_AFTER",
    "COVERS_PAGES_ADDED",
    "COVERS_SIGNATURES_ONLY",
    "COVERS_WHOLE_FILE",
    "NO_SIGNATURE",
    "TRUST_ISSUER",
    "TRUST_PINNED",
    "TRUST_SELF",
    "PdfSignature",
    "PdfVerification",
    "describe",
    "fingerprint",
    "info_at",
    "normalise_fingerprint",
    "sign_bytes",
    "sign_pdf",
    "verify_bytes",
    "verify_pdf",
]

COVERS_WHOLE_FILE = "whole file"
COVERS_SIGNATURES_ONLY = "revision {n}; later revisions are signatures only"
COVERS_ADDED_AFTER = "revision {n}; content was added after it"
COVERS_PAGES_ADDED = "revision {n}; later signatures added pages after it and changed none of its pages"

TRUST_ISSUER = "trusted issuer"
TRUST_PINNED = "pinned certificate"
TRUST_SELF = "self-consistent only"

NO_SIGNATURE = "the PDF carries no digital signature"

#: Key usages accepted for a signing certificate: either will do (pyHanko's default asks
#: for non-repudiation alone, which many organisation-issued certificates lack).
_KEY_USAGES = frozenset({"digital_signature", "non_repudiation"})


@dataclass(frozen=True)
class PdfSignature:
    """One signature found in a PDF, as checked."""

    field_name: str
    signer: str
    """The signer certificate's common name (or its whole subject when it has none)."""
    fingerprint: str
    """SHA-256 of the signer's certificate: uppercase hex pairs joined by ':'."""
    signed_at: dt.datetime | None
    """The signing time the signer's computer wrote (``/M``); no timestamp authority."""
    intact: bool
    """The signed bytes are unchanged and the CMS signature is valid."""
    covers: str
    """"whole file", "revision N; later revisions are signatures only" or
    "revision N; content was added after it"."""
    trust: str
    """"trusted issuer", "pinned certificate" or "self-consistent only"."""
    self_signed: bool = False
    issuer: str = ""
    revision: int = 0
    """The revision this signature signs, counted from 1."""


@dataclass(frozen=True)
class PdfVerification:
    """What :func:`verify_pdf` found: every signature, the verdict, and why not."""

    signatures: list[PdfSignature] = field(default_factory=list)
    ok: bool = False
    problems: list[str] = field(default_factory=list)


# -- helpers ---------------------------------------------------------------------------------

def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of a certificate's DER bytes, as "3A:0F:…:9F"."""
    digest = certificate.fingerprint(hashes.SHA256())
    return ":".join(f"{b:02X}" for b in digest)


def normalise_fingerprint(text: str) -> str:
    """A fingerprint however it was typed ("3a0f…", "3A:0F…", "3A 0F…") as "3A:0F:…"."""
    digits = "".join(ch for ch in text.upper() if ch in "0123456789ABCDEF")
    return ":".join(digits[i:i + 2] for i in range(0, len(digits), 2))


def _to_asn1(certificate: x509.Certificate):
    """The certificate as pyHanko takes it (asn1crypto)."""
    from pyhanko.keys.pemder import load_certs_from_pemder_data

    [converted] = load_certs_from_pemder_data(certificate.public_bytes(serialization.Encoding.DER))
    return converted


def _public_der(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def _from_asn1(certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(certificate.dump())


def _common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if values:
        value = values[0].value
        return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return name.rfc4514_string()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# -- signing ---------------------------------------------------------------------------------

def sign_pdf(src: Path, dst: Path, *, private_key: CertificateIssuerPrivateKeyTypes,
             certificate: x509.Certificate, chain: Sequence[x509.Certificate] = (),
             field_name: str, signer_name: str, reason: str, location: str = "") -> Path:
    """Sign the PDF at ``src`` (see :func:`sign_bytes`) and write the result to ``dst``,
    atomically (``dst`` may be ``src``)."""
    src, dst = Path(src), Path(dst)
    try:
        data = src.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{src} cannot be read ({exc.strerror}).") from None
    signed = sign_bytes(data, private_key=private_key, certificate=certificate, chain=chain,
                        field_name=field_name, signer_name=signer_name, reason=reason,
                        location=location, name=src.name)
    with atomic_write(dst) as fh:
        fh.write(signed)
    return dst


def sign_bytes(data: bytes, *, private_key: CertificateIssuerPrivateKeyTypes,
               certificate: x509.Certificate, chain: Sequence[x509.Certificate] = (),
               field_name: str, signer_name: str, reason: str, location: str = "",
               append_pages: bytes | None = None, info: dict[str, str] | None = None,
               name: str = "the PDF") -> bytes:
    """The PDF ``data`` signed with ``private_key`` and ``certificate``.

    The signature is PAdES baseline B-B in a new invisible field ``field_name``, added
    as an incremental update: signatures already in ``data`` stay valid.  ``chain``
    holds any intermediate certificates to embed.  The signing time is this
    computer's clock.  ``append_pages`` (a whole PDF) adds its pages at the end, and
    ``info`` replaces entries of the document information ("Keywords", "Subject"...),
    in the same signed update: the
    chair's countersignature adds the partnership's response to the scrutineer's
    signed report this way, leaving the report's pages untouched.
    """
    from pyhanko.keys.pemder import load_private_key_from_pemder_data
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    if _public_der(private_key.public_key()) != _public_der(certificate.public_key()):
        raise InvalidInput("The private key does not belong to the certificate it was given with.")
    key_der = private_key.private_bytes(serialization.Encoding.DER,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    signer = signers.SimpleSigner(
        signing_cert=_to_asn1(certificate),
        signing_key=load_private_key_from_pemder_data(key_der, passphrase=None),
        cert_registry=SimpleCertificateStore.from_certs([_to_asn1(c) for c in chain]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        name=signer_name,
        reason=reason or None,
        location=location or None,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        existing = {name: value for name, value, _ in fields.enumerate_sig_fields(writer.prev)}
        if existing.get(field_name) is not None:
            raise InvalidInput(f"{name} already has a signature field named {field_name!r}.")
        if append_pages is not None:
            _append_pages(writer, append_pages)
        if info:
            _set_info(writer, info)
        out = io.BytesIO()
        # A new invisible field, or the empty one the PDF already has under that name.
        # Its (invisible) widget goes on the last page: with ``append_pages`` one of the
        # new ones, so that no page signed before changes.
        new_field = None if field_name in existing else fields.SigFieldSpec(
            field_name, on_page=-1 if append_pages is not None else 0)
        pdf_signer = signers.PdfSigner(meta, signer=signer, new_field_spec=new_field)
        pdf_signer.sign_pdf(writer, output=out)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, InvalidInput):
            raise
        raise InvalidInput(f"{name} could not be signed ({exc}).") from None
    return out.getvalue()


def _append_pages(writer, pdf: bytes) -> None:
    """Add every page of ``pdf`` after the last page of ``writer``'s document.

    The other document's page tree is imported whole (its pages, their resources and
    contents) and hung under this document's page tree root as one more node, so no
    page already in the document is touched.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader

    extra = PdfFileReader(io.BytesIO(pdf), strict=False)
    node_ref = writer.import_object(extra.root.raw_get("/Pages"))
    node = node_ref.get_object()
    root_ref = writer.root.raw_get("/Pages")
    root = root_ref.get_object()
    node[generic.NameObject("/Parent")] = root_ref
    kids = root["/Kids"]
    kids.append(node_ref)
    writer.update_container(kids)
    root[generic.NameObject("/Count")] = generic.NumberObject(int(root["/Count"]) + int(node["/Count"]))
    writer.update_container(root)


def _set_info(writer, entries: dict[str, str]) -> None:
    """Replace entries of the document information (a new dictionary if it has none)."""
    from pyhanko.pdf_utils import generic

    try:
        info = writer.trailer["/Info"]
    except KeyError:
        info = None
    if info is None:
        info = generic.DictionaryObject()
        writer.set_info(writer.add_object(info))
    for key, value in entries.items():
        info[generic.NameObject(f"/{key}")] = generic.TextStringObject(value)
    writer.update_container(info)


# -- verifying -------------------------------------------------------------------------------

def verify_pdf(path: Path, *, trusted_issuers: Sequence[x509.Certificate] = (),
               pinned_fingerprints: Iterable[str] = ()) -> PdfVerification:
    """Check every signature in the PDF at ``path``, offline (see :func:`verify_bytes`)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path} cannot be read ({exc.strerror}).") from None
    return verify_bytes(data, trusted_issuers=trusted_issuers,
                        pinned_fingerprints=pinned_fingerprints, name=path.name)


def verify_bytes(data: bytes, *, trusted_issuers: Sequence[x509.Certificate] = (),
                 pinned_fingerprints: Iterable[str] = (), name: str = "The PDF") -> PdfVerification:
    """Check every signature in the PDF ``data``, offline.

    ``ok`` is True when the PDF has at least one signature, every signature is intact,
    the last one covers the whole file, and every revision after a signature is that
    of a later signature which changed none of the pages signed before it (it may add
    pages).  ``problems`` says, one sentence each, why not.
    """
    if b"%PDF-" not in data[:1024]:
        return PdfVerification([], False, [f"{name} is not a PDF (it does not start like one)."])
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    trusted = list(trusted_issuers)
    pinned = {normalise_fingerprint(f) for f in pinned_fingerprints}
    try:
        return asyncio.run(_verify(data, trusted, pinned))
    except _Unreadable as exc:
        unreadable = PdfVerification([], False, [f"{name} is not a readable PDF ({exc})."])
    # Unreadable as a whole: bytes may have been appended to a signed file.  Check the
    # longest readable prefix that ends at an end-of-file marker and carries signatures.
    for cut in _eof_cuts(data):
        try:
            prefix = asyncio.run(_verify(data[:cut], trusted, pinned))
        except _Unreadable:
            continue
        if prefix.signatures:
            return _appended(prefix, len(data) - cut)
    return unreadable


class _Unreadable(Exception):
    """pyHanko cannot read the bytes as a PDF (the message says why)."""


def _eof_cuts(data: bytes, limit: int = 20) -> list[int]:
    """Where the file could end: after each ``%%EOF`` (and its line end), last first."""
    cuts: list[int] = []
    end = len(data)
    while len(cuts) < limit:
        at = data.rfind(b"%%EOF", 0, end)
        if at < 0:
            break
        cut = at + 5
        if data[cut:cut + 2] == b"\r\n":
            cut += 2
        elif data[cut:cut + 1] in (b"\n", b"\r"):
            cut += 1
        if cut < len(data):
            cuts.append(cut)
        end = at
    return cuts


def _appended(prefix: PdfVerification, extra: int) -> PdfVerification:
    """The verdict on a signed file followed by ``extra`` bytes that make it unreadable."""
    last = prefix.signatures[-1]
    marked = replace(last, covers=COVERS_ADDED_AFTER.format(n=last.revision))
    problem = (f"Content was added after the signature in field {last.field_name!r} (signed by "
               f"{last.signer}): {_plural(extra, 'byte')} that no signature covers follow it.")
    return PdfVerification([*prefix.signatures[:-1], marked], False, [*prefix.problems, problem])


async def _verify(data: bytes, trusted: list[x509.Certificate], pinned: set[str]) -> PdfVerification:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import DiffResult
    from pyhanko.sign.validation import EmbeddedPdfSignature, async_validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded: list[EmbeddedPdfSignature] = list(reader.embedded_regular_signatures)
        revisions = reader.xrefs.total_revisions
    except Exception as exc:  # noqa: BLE001 - any failure to parse untrusted bytes is "unreadable"
        raise _Unreadable(" ".join(str(exc).split())[:200] or type(exc).__name__) from None
    if not embedded:
        return PdfVerification([], False, [f"{NO_SIGNATURE[0].upper()}{NO_SIGNATURE[1:]}."])

    usage = KeyUsageConstraints(key_usage=set(_KEY_USAGES), match_all_key_usages=False)
    signed_revisions = {sig.signed_revision for sig in embedded}
    field_names = {str(sig.field_name) for sig in embedded}
    last = max(embedded, key=lambda sig: sig.signed_revision)
    found: list[PdfSignature] = []
    problems: list[str] = []
    for sig in sorted(embedded, key=lambda s: s.signed_revision):
        label = f"The signature in field {sig.field_name!r}"
        try:
            cert = _from_asn1(sig.signer_cert)
        except (ValueError, KeyError, TypeError):
            cert = None
        try:
            status = await async_validate_pdf_signature(
                sig, signer_validation_context=_context(trusted), key_usage_settings=usage)
        except Exception as exc:  # noqa: BLE001 - a malformed signature is a problem, not a crash
            problems.append(f"{label} cannot be checked ({' '.join(str(exc).split())[:200]}).")
            found.append(_entry(sig, cert, intact=False, covers=COVERS_ADDED_AFTER.format(
                n=sig.signed_revision + 1), trust=TRUST_SELF))
            continue
        intact = bool(status.intact and status.valid)
        later = range(sig.signed_revision + 1, revisions)
        unsigned_later = [r for r in later if r not in signed_revisions]
        # pyHanko's difference analysis of every later revision: only signing (filling in
        # signature fields) may follow, no other form field and nothing else.
        diff = status.diff_result
        if isinstance(diff, DiffResult):
            mod_ok = (status.docmdp_ok is not False
                      and diff.modification_level.name in ("NONE", "FORM_FILLING")
                      and set(diff.changed_form_fields) <= field_names)
        else:  # a SuspiciousModification, or no analysis at all
            mod_ok = False
        if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
            covers = COVERS_WHOLE_FILE
        elif (status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and sig is not last
              and not unsigned_later and mod_ok
              and not _later_change(reader, sig.signed_revision, pages_added=False)):
            covers = COVERS_SIGNATURES_ONLY.format(n=sig.signed_revision + 1)
        elif (status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and sig is not last
              and not unsigned_later
              and not _later_change(reader, sig.signed_revision, pages_added=True)):
            covers = COVERS_PAGES_ADDED.format(n=sig.signed_revision + 1)
        else:
            covers = COVERS_ADDED_AFTER.format(n=sig.signed_revision + 1)
        trust = TRUST_SELF
        if status.trusted and trusted:
            trust = TRUST_ISSUER
        elif cert is not None and fingerprint(cert) in pinned:
            trust = TRUST_PINNED
        entry = _entry(sig, cert, intact=intact, covers=covers, trust=trust)
        found.append(entry)
        who = f"{label} (signed by {entry.signer})"
        if not intact:
            problems.append(f"{who} does not match the signed content: the signed bytes were "
                            "changed or the signature itself is not valid.")
        if covers == COVERS_ADDED_AFTER.format(n=entry.revision):
            if sig is last or unsigned_later or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
                problems.append(f"Content was added after {who[0].lower()}{who[1:]}: the file has "
                                "bytes or revisions that no signature covers.")
            else:
                problems.append(f"{who} was followed by changes other than a later signature.")
    return PdfVerification(found, not problems, problems)


def _get(dictionary, key: str):
    """``dictionary[key]`` with references followed, or None (``dict.get`` returns a
    reference as it is)."""
    return dictionary[key] if key in dictionary else None  # noqa: SIM401 - get() would not follow it


#: Page attributes a page inherits from the page tree nodes above it.
_INHERITABLE = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
#: Catalog entries a later signature may change: the page tree (pages added), the form
#: (its new signature field, checked below) and the XMP metadata (not shown on a page).
_CATALOG_MAY_CHANGE = frozenset({"/Pages", "/AcroForm", "/Metadata"})


def _canon(value, refs: list) -> object:
    """A comparable form of a PDF value; the references in it are added to ``refs``."""
    from pyhanko.pdf_utils import generic

    if isinstance(value, generic.IndirectObject):
        refs.append(value.reference)
        return ("ref", value.idnum, value.generation)
    if isinstance(value, generic.StreamObject):
        items = {str(k): _canon(v, refs) for k, v in value.items() if k != "/Parent"}
        return ("stream", tuple(sorted(items.items())), bytes(value.encoded_data))
    if isinstance(value, generic.DictionaryObject):
        items = {str(k): _canon(v, refs) for k, v in value.items() if k != "/Parent"}
        return ("dict", tuple(sorted(items.items())))
    if isinstance(value, generic.ArrayObject):
        return ("array", tuple(_canon(v, refs) for v in value))
    return ("value", type(value).__name__, str(value))


def _page_list(root) -> list | None:
    """Every page in the order a viewer shows them, each with the attributes it inherits
    from the page tree nodes above it: [(reference, {key: raw value})], or None for a
    tree that is not a tree."""
    from pyhanko.pdf_utils import generic

    out: list = []
    stack: list = [(root.raw_get("/Pages"), {})]
    seen: set = set()
    while stack:
        ref, inherited = stack.pop()
        if not isinstance(ref, generic.IndirectObject) or ref.reference in seen or len(seen) > 100_000:
            return None
        seen.add(ref.reference)
        node = ref.get_object()
        here = dict(inherited)
        for key in _INHERITABLE:
            if key in node:
                here[key] = node.raw_get(key)
        if _get(node, "/Type") == "/Pages":
            stack.extend((kid, here) for kid in reversed(list(node["/Kids"])))
        else:
            out.append((ref.reference, here))
    return out


def _invisible_signature_widgets_only(reader, old_page, new_page, revision: int) -> bool:
    """A page rewritten after ``revision`` only to list new signature widgets of no size
    (an invisible signature field): every other entry is as it was."""
    from pyhanko.pdf_utils import generic

    def annots(page) -> list:
        value = _get(page, "/Annots")
        return list(value) if isinstance(value, generic.ArrayObject) else []

    if _canon({k: v for k, v in old_page.items() if k != "/Annots"}, []) != \
            _canon({k: v for k, v in new_page.items() if k != "/Annots"}, []):
        return False
    before, after = annots(old_page), annots(new_page)
    if [_canon(v, []) for v in after[:len(before)]] != [_canon(v, []) for v in before]:
        return False
    for extra in after[len(before):]:
        if not isinstance(extra, generic.IndirectObject) or \
                reader.xrefs.get_introducing_revision(extra.reference) <= revision:
            return False
        widget = extra.get_object()
        field = _get(widget, "/Parent") or widget
        rect = [float(x) for x in (_get(widget, "/Rect") or [0, 0, 0, 0])]
        if _get(widget, "/Subtype") != "/Widget" or _get(field, "/FT") != "/Sig" or len(rect) != 4 \
                or (rect[0] != rect[2] and rect[1] != rect[3]):
            return False
    return True


def _later_change(reader, revision: int, *, pages_added: bool) -> str:
    """What a viewer would show differently from ``revision`` (0-based), or "" when
    nothing a viewer shows of ``revision`` (0-based) changed afterwards.

    Every page of that revision is still, in the same order, among the first pages of
    the file, with the same inherited attributes; no object reachable from those pages
    or from the catalog (contents, resources, fonts, images, annotations, outlines,
    names, actions) was written again, at any generation number, or freed after it.
    A page may only gain invisible signature widgets; the form only new fields; the
    catalog only a changed page tree and metadata.  With ``pages_added`` pages may
    follow the signed ones; without, the page count is the same.
    """
    from pyhanko.pdf_utils import generic

    try:
        later: set[int] = set()
        for rev in range(revision + 1, reader.xrefs.total_revisions):
            later |= {ref.idnum for ref in reader.xrefs.explicit_refs_in_revision(rev)}
            later |= {ref.idnum for ref in reader.xrefs.refs_freed_in_revision(rev)}
        old = reader.get_historical_resolver(revision)
        before, after = _page_list(old.root), _page_list(reader.root)
        if not before or after is None or \
                [r for r, _ in after[:len(before)]] != [r for r, _ in before]:
            return "the signed pages are no longer the first pages, in order"
        if not pages_added and len(after) != len(before):
            return "pages were added"
        walk: list = []
        for (ref, was), (_ref, now) in zip(before, after, strict=False):
            if {k: _canon(v, walk) for k, v in was.items()} != {k: _canon(v, []) for k, v in now.items()}:
                return ("what the signed pages inherit from the page tree (size, crop, rotation "
                        "or resources) changed")
            old_page = old.get_object(ref)
            if ref.idnum in later and not _invisible_signature_widgets_only(
                    reader, old_page, reader.get_object(ref), revision):
                return "a signed page was changed"
            _canon({k: v for k, v in old_page.items() if k != "/Parent"}, walk)
        old_root, new_root = old.root, reader.root
        if {k: _canon(v, walk) for k, v in old_root.items() if k not in _CATALOG_MAY_CHANGE} != \
                {k: _canon(v, []) for k, v in new_root.items() if k not in _CATALOG_MAY_CHANGE}:
            return "the document catalog (bookmarks, names, actions or page labels) changed"
        old_form, new_form = _get(old_root, "/AcroForm"), _get(new_root, "/AcroForm")
        if old_form is not None:
            if new_form is None:
                return "the form was removed"
            keep = ("/Fields", "/SigFlags")
            if {k: _canon(v, walk) for k, v in old_form.items() if k not in keep} != \
                    {k: _canon(v, []) for k, v in new_form.items() if k not in keep}:
                return "the form's settings changed"
            old_fields = list(_get(old_form, "/Fields") or [])
            new_fields = list(_get(new_form, "/Fields") or [])
            kept = new_fields[:len(old_fields)]
            if [_canon(v, walk) for v in old_fields] != [_canon(v, []) for v in kept]:
                return "the form's fields changed"
        seen: set = set()
        while walk:
            ref = walk.pop()
            if ref in seen:
                continue
            seen.add(ref)
            if ref.idnum in later and ref not in {r for r, _ in before}:
                return f"object {ref.idnum}, which the signed pages use, was written again"
            obj = old.get_object(ref)
            if isinstance(obj, generic.DictionaryObject) and _get(obj, "/Type") == "/Page":
                continue  # a page: checked above (it may gain an invisible signature widget)
            _canon(obj, walk)
        return ""
    except (KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        return f"the later revisions cannot be compared ({exc})"


def _context(trusted: list[x509.Certificate]):
    """A validation context that trusts only ``trusted`` (maybe none) and never fetches."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(trust_roots=[_to_asn1(c) for c in trusted], allow_fetching=False,
                             revocation_mode="soft-fail")


def _entry(sig, cert: x509.Certificate | None, *, intact: bool, covers: str, trust: str) -> PdfSignature:
    if cert is None:
        return PdfSignature(str(sig.field_name), "an unreadable certificate", "", None, False, covers,
                            TRUST_SELF, revision=sig.signed_revision + 1)
    try:
        signed_at = sig.self_reported_timestamp
    except (ValueError, KeyError, TypeError):
        signed_at = None
    return PdfSignature(
        field_name=str(sig.field_name),
        signer=_common_name(cert.subject),
        fingerprint=fingerprint(cert),
        signed_at=signed_at,
        intact=intact,
        covers=covers,
        trust=trust,
        self_signed=cert.subject == cert.issuer,
        issuer=_common_name(cert.issuer),
        revision=sig.signed_revision + 1,
    )


# -- in words --------------------------------------------------------------------------------

def describe(verification: PdfVerification) -> list[str]:
    """Plain-English lines for the command line and the app: one per signature, then the
    verdict and each problem."""
    lines: list[str] = []
    for sig in verification.signatures:
        when = (f"on {when_text(sig.signed_at)} by the signing computer's clock (no timestamp server)"
                if sig.signed_at is not None else "at a time it does not state")
        content = ("the signed content is unchanged" if sig.intact
                   else "the signed content has CHANGED or the signature is not valid")
        if sig.covers != COVERS_WHOLE_FILE:
            if sig.covers.endswith("signatures only"):
                content += "; only later signatures were added after it"
            elif sig.covers.endswith("changed none of its pages"):
                content += ("; a later signature added pages after it and changed none of the "
                            "pages it signed")
            else:
                content += "; content was added after it"
        if sig.trust == TRUST_ISSUER:
            trust = f"the certificate was issued by {sig.issuer}, a trusted issuer"
        elif sig.trust == TRUST_PINNED:
            trust = "the certificate is one you have pinned"
        elif sig.self_signed:
            trust = "the certificate is self-signed and not pinned, so check its fingerprint with the signer"
        else:
            trust = (f"the certificate was issued by {sig.issuer}, which is not a trusted issuer, and it "
                     "is not pinned, so check its fingerprint with the signer")
        lines.append(f"Signed by {sig.signer} (certificate {sig.fingerprint}), {when}; {content}; "
                     f"{trust}.")
    if verification.ok:
        lines.append("Verified: every signature is intact and nothing was added after the last one.")
    else:
        lines.append("Not verified.")
        lines.extend(_sentence(p) for p in verification.problems)
    return lines


def _sentence(text: str) -> str:
    text = text.strip()
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def info_at(data: bytes, revision: int, keys: Sequence[str] = ("Keywords",)) -> str:
    """The first of ``keys`` the document information has, as revision ``revision``
    (1-based, as :attr:`PdfSignature.revision` counts) left it, or "" if none."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        old = reader.get_historical_resolver(revision - 1)
        ref = old.trailer_view.raw_get("/Info")
        # Resolved in that revision (the trailer view's own lookup gives the newest object).
        info = old.get_object(ref.reference) if hasattr(ref, "reference") else ref
        for key in keys:
            if f"/{key}" in info:
                return str(info[f"/{key}"])
        return ""
    except Exception:  # noqa: BLE001 - unreadable: no stamp
        return ""
