"""The exported PDF of a signed-off assessment is PAdES-signed (issue 11, items 3 and 4).

Sign-off keeps the PDF signed with the scrutineer's key; countersignature adds the
partnership's response as new pages signed with the chair's key, leaving the first
signature valid; export hands out exactly those bytes; ``verify`` believes the PDF's
signatures, never its metadata.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import sqlite3
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from scrutiny_desktop.errors import DocumentError, InvalidInput
from scrutiny_desktop.report import pades, signing
from scrutiny_desktop.report.jsonio import export_json
from scrutiny_desktop.report.verify import read_stamp, verify_pdf
from scrutiny_desktop.services import answers, assessments, recommendations, review, signatures, signoff
from scrutiny_desktop.services.recommendations import RecommendationInput
from scrutiny_desktop.services.transfer import import_json
from tests.helpers import (
    chair_id,
    identity_for,
    pdftotext_pages,
    qpdf_check,
    run_cli,
    scrutineer_id,
    squash,
)


def _sign(doc, name: str = "Ann Jones"):
    return signing.sign_off(doc, identity=scrutineer_id(), name=name, role="Independent scrutineer",
                            statement="I confirm the findings.", confirmed=True)


def _respond_and_countersign(doc, identity=None, name: str = "Chris Chair"):
    review.set_overall_response(doc, "The partners accept the findings — and Łódź's advice.")
    ids = assessments.question_ids(doc)
    review.set_question_comment(doc, ids[0], "We will publish the plan by June.")
    for r in recommendations.list_recommendations(doc):
        review.set_response(doc, r.id, decision="accepted", action_owner="Business manager")
    return signing.countersign(doc, identity=identity or chair_id(), name=name, role="Chair",
                               statement="Agreed by the partners.", confirmed=True)


@pytest.fixture
def signed(ready):
    recommendations.add_recommendation(ready, assessments.question_ids(ready)[0],
                                       RecommendationInput("Publish the scrutiny plan"))
    _sign(ready)
    return ready


# -- what signing keeps and export hands out -----------------------------------------------------

def test_sign_off_keeps_a_pdf_signed_with_the_scrutineers_key(signed, tmp_path):
    kept = signatures.pdf_to_export(signed)
    assert kept is not None and kept.startswith(b"%PDF-")
    out = signing.export_pdf(signed, tmp_path / "signed.pdf")
    assert out.read_bytes() == kept  # exactly the bytes that were signed
    qpdf_check(out)
    check = pades.verify_pdf(out, pinned_fingerprints=[scrutineer_id().fingerprint])
    assert check.ok, check.problems
    [sig] = check.signatures
    assert sig.signer == "Ann Jones" and sig.fingerprint == scrutineer_id().fingerprint
    assert sig.trust == pades.TRUST_PINNED and sig.covers == pades.COVERS_WHOLE_FILE
    view = signoff.current_signoff(signed)
    assert sig.signed_at is not None and abs((sig.signed_at - view.signed_at).total_seconds()) < 60
    text = squash(" ".join(pdftotext_pages(out)))
    # The visible sign-off block names the signer, the time and the certificate.
    assert "Ann Jones" in text and scrutineer_id().fingerprint[:23] in text.replace(" ", "")
    assert "DRAFT" not in text
    stamp = read_stamp(out)
    assert stamp.state == "signed_off"
    assert stamp.signer == scrutineer_id().fingerprint.replace(":", "").lower()


def test_a_draft_is_never_signed(ready, tmp_path):
    assert signatures.pdf_to_export(ready) is None
    out = signing.export_pdf(ready, tmp_path / "draft.pdf")
    assert pades.verify_pdf(out).signatures == []
    result = verify_pdf(out)
    assert not result.ok and "drafts are never signed" in result.message
    assert verify_pdf(out, ready).ok  # it still matches the draft it came from


def test_countersignature_adds_the_response_and_keeps_the_first_signature(signed, tmp_path):
    before = signatures.pdf_to_export(signed)
    assert before is not None
    pages_before = len(pdftotext_pages_from(before, tmp_path / "before.pdf"))
    _respond_and_countersign(signed)
    kept = signatures.pdf_to_export(signed)
    assert kept is not None and kept.startswith(before)  # an incremental update
    out = signing.export_pdf(signed, tmp_path / "reviewed.pdf")
    qpdf_check(out)
    check = pades.verify_pdf(out)
    assert check.ok, check.problems
    first, second = check.signatures
    assert (first.signer, second.signer) == ("Ann Jones", "Chris Chair")
    assert first.intact and first.covers == pades.COVERS_PAGES_ADDED.format(n=first.revision)
    assert second.covers == pades.COVERS_WHOLE_FILE
    pages = pdftotext_pages(out)
    assert len(pages) > pages_before
    # The scrutineer's pages are unchanged; the response follows on the chair's pages.
    assert "Partnership response" not in squash(" ".join(pages[:pages_before]))
    added = squash(" ".join(pages[pages_before:]))
    for expected in ("Partnership response", "Łódź's advice", "We will publish the plan by June.",
                     "Countersignature", "Chris Chair", "Response page 1 of"):
        assert expected in added, expected
    stamp = read_stamp(out)
    assert stamp.state == "reviewed"
    assert stamp.countersigner == chair_id().fingerprint.replace(":", "").lower()
    result = verify_pdf(out, signed)
    assert result.ok, result.message
    assert "signed off by Ann Jones" in result.message and "countersigned by Chris Chair" in result.message


def pdftotext_pages_from(data: bytes, path: Path) -> list[str]:
    path.write_bytes(data)
    return pdftotext_pages(path)


def test_a_second_validator_agrees_with_both_signatures(signed, tmp_path):
    """poppler's pdfsig (another implementation) finds both signatures valid."""
    import subprocess

    from tests.helpers import tool

    _respond_and_countersign(signed)
    out = signing.export_pdf(signed, tmp_path / "reviewed.pdf")
    result = subprocess.run([tool("pdfsig"), "-nocert", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Signature Validation: Signature is Valid.") == 2
    assert "Signer Certificate Common Name: Ann Jones" in result.stdout
    assert "Signer Certificate Common Name: Chris Chair" in result.stdout


def test_reopening_and_signing_again_keeps_the_new_pdf(signed, tmp_path):
    signoff.reopen(signed, reason="Late evidence")
    assert signatures.pdf_to_export(signed) is None
    answers.set_findings(signed, assessments.question_ids(signed)[1], "Late evidence considered.")
    _sign(signed)
    out = signing.export_pdf(signed, tmp_path / "second.pdf")
    assert "Late evidence considered." in squash(" ".join(pdftotext_pages(out)))
    assert verify_pdf(out, signed).ok


# -- what verify refuses ---------------------------------------------------------------------

def _forged_copy(real: Path, out: Path, *, text: str) -> Path:
    """A PDF drawn from scratch that copies the real one's stamp."""
    from pypdf import PdfReader

    from scrutiny_desktop.report.stamp import INFO_KEY

    keywords = PdfReader(str(real)).metadata[f"/{INFO_KEY}"]
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setKeywords(keywords)  # the stamp, where PDFs before format 4 carried it
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    out.write_bytes(buf.getvalue())
    return out


def test_a_pdf_forged_from_scratch_is_not_verified(signed, tmp_path, capsys):
    real = signing.export_pdf(signed, tmp_path / "real.pdf")
    forged = _forged_copy(real, tmp_path / "forged.pdf", text="Signed off by Ann Jones: all Strong")
    assert read_stamp(forged) == read_stamp(real)  # the metadata is identical
    for argv in (("verify", forged), ("verify", forged, "--against", signed.path)):
        code, _out, err = run_cli(capsys, *argv)
        assert code == 1
        assert err.startswith("error: ") and "no digital signature" in err


def test_a_pdf_signed_by_someone_else_is_not_verified(signed, tmp_path, capsys):
    """A forger signs their own PDF (copied stamp) with their own key: the signature is
    intact, but it is not the scrutineer's the stamp names."""
    real = signing.export_pdf(signed, tmp_path / "real.pdf")
    forged = _forged_copy(real, tmp_path / "forged.pdf", text="All Strong")
    mallory = identity_for("Ann Jones", "mallory@example.org")  # the same name, another key
    pades.sign_pdf(forged, forged, private_key=mallory.private_key, certificate=mallory.certificate,
                   field_name=signing.SCRUTINEER_FIELD, signer_name="Ann Jones", reason="Signed off")
    assert pades.verify_pdf(forged).ok  # cryptographically fine on its own...
    result = verify_pdf(forged, signed)
    assert not result.ok and "not those of the signers it names" in result.message
    code, _out, err = run_cli(capsys, "verify", forged)
    assert code == 1 and "not those of the signers" in err


def test_pages_added_under_another_signature_are_not_verified(signed, tmp_path):
    """Someone adds their own pages to the scrutineer's signed PDF and signs them: the
    scrutineer's signature stays intact, but the PDF claims only a sign-off."""
    real = signing.export_pdf(signed, tmp_path / "real.pdf")
    extra = io.BytesIO()
    c = canvas.Canvas(extra)
    c.drawString(72, 720, "Addendum: every judgement is Strong.")
    c.showPage()
    c.save()
    mallory = identity_for("Mallory")
    data = pades.sign_bytes(real.read_bytes(), private_key=mallory.private_key,
                            certificate=mallory.certificate, field_name="Addendum",
                            signer_name="Mallory", reason="x", append_pages=extra.getvalue())
    (tmp_path / "added.pdf").write_bytes(data)
    result = verify_pdf(tmp_path / "added.pdf")
    assert not result.ok and "not those of the signers it names" in result.message


def test_a_signed_page_changed_in_a_later_signed_revision_is_not_verified(signed, tmp_path):
    """A later signature that also rewrites a page the scrutineer signed does not leave
    the scrutineer's signature standing."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    real = signing.export_pdf(signed, tmp_path / "real.pdf").read_bytes()
    writer = IncrementalPdfFileWriter(io.BytesIO(real), strict=False)
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    # Draw over the cover with a new content stream.
    overlay = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 400 Td (All Strong) Tj ET")
    contents = page.raw_get("/Contents")
    page[generic.NameObject("/Contents")] = generic.ArrayObject(
        [*(contents if isinstance(contents, generic.ArrayObject) else [contents]),
         writer.add_object(overlay)])
    writer.update_container(page)
    mallory = identity_for("Mallory")
    out = io.BytesIO()
    signer = signers.SimpleSigner(signing_cert=pades._to_asn1(mallory.certificate),
                                  signing_key=_pyhanko_key(mallory), cert_registry=None)
    signers.PdfSigner(signers.PdfSignatureMetadata(field_name="Second"), signer=signer,
                      new_field_spec=fields.SigFieldSpec("Second")).sign_pdf(writer, output=out)
    check = pades.verify_bytes(out.getvalue())
    assert not check.ok
    assert check.signatures[0].covers != pades.COVERS_PAGES_ADDED.format(n=check.signatures[0].revision)


def _pyhanko_key(identity):
    from cryptography.hazmat.primitives import serialization
    from pyhanko.keys.pemder import load_private_key_from_pemder_data

    der = identity.private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption())
    return load_private_key_from_pemder_data(der, passphrase=None)


def test_bytes_appended_to_the_signed_pdf_are_not_verified(signed, tmp_path, capsys):
    real = signing.export_pdf(signed, tmp_path / "real.pdf")
    real.write_bytes(real.read_bytes() + b"\n% a forged line\n")
    code, _out, err = run_cli(capsys, "verify", real, "--against", signed.path)
    assert code == 1 and "added after" in err


# -- the signed PDF inside the document --------------------------------------------------------

def test_a_replaced_signed_pdf_is_refused_by_check_export_and_countersign(signed, tmp_path, capsys):
    """Someone swaps the kept PDF for one signed with another key: check fails naming it,
    export refuses it with one sentence and writes nothing, and the chair cannot
    countersign on top of it."""
    mallory = identity_for("Mallory")
    real = signatures.pdf_to_export(signed)
    assert real is not None
    unsigned = real[:real.index(b"%%EOF") + 6]  # the report as laid out, before the signature
    swapped = pades.sign_bytes(unsigned, private_key=mallory.private_key,
                               certificate=mallory.certificate, field_name="ScrutineerSignOff",
                               signer_name="Ann Jones", reason="x")
    path = signed.path
    with sqlite3.connect(str(path)) as conn:
        conn.execute("UPDATE signoffs SET signed_pdf = ?", (swapped,))
    conn.close()
    before = path.read_bytes()
    code, _out, err = run_cli(capsys, "check", path)
    assert code == 1 and "the signed PDF kept with the sign-off by Ann Jones is not the one" in err
    assert path.read_bytes() == before
    with assessments.open_assessment(path) as doc:
        with pytest.raises(InvalidInput, match="is not the one made when it was signed"):
            signing.export_pdf(doc, tmp_path / "out.pdf")
        assert not (tmp_path / "out.pdf").exists()
        with pytest.raises(DocumentError, match="integrity check failed"):
            _respond_and_countersign(doc)


def test_the_json_export_carries_the_signed_pdf_and_import_keeps_it(signed, tmp_path):
    _respond_and_countersign(signed)
    export = export_json(signed, tmp_path / "a.json")
    data = json.loads(Path(export).read_text(encoding="utf-8"))
    kept = signatures.pdf_to_export(signed)
    assert base64.b64decode(data["reviews"]["countersignatures"][0]["signed_pdf_base64"]) == kept
    assert data["signoffs"][0]["signed_pdf_base64"]
    copy = import_json(tmp_path / "a.json", tmp_path / "copy.scrutiny")
    with assessments.open_assessment(copy, readonly=True) as doc:
        out = signing.export_pdf(doc, tmp_path / "from-copy.pdf")
        assert out.read_bytes() == kept
        assert verify_pdf(out, doc).ok


def test_the_cli_signs_and_exports_a_signed_pdf(answered, tmp_path, capsys):
    from tests.helpers import PASSPHRASE, copy_document, identity_path

    path = copy_document(answered, tmp_path, "cli.scrutiny")
    secret = tmp_path / "pass.txt"
    secret.write_bytes(PASSPHRASE + b"\n")
    code, out, err = run_cli(capsys, "sign", path, "--key", identity_path("Ann Jones"),
                             "--passphrase-file", secret, "--name", "Ann Jones", "--role",
                             "Scrutineer", "--confirm")
    assert code == 0, err
    code, out, err = run_cli(capsys, "check", path)
    assert code == 0, err
    assert "signed PDF: kept" in out
    code, out, err = run_cli(capsys, "export", path, "--pdf", tmp_path / "cli.pdf")
    assert code == 0, err
    code, out, err = run_cli(capsys, "verify", tmp_path / "cli.pdf", "--against", path)
    assert code == 0, err
    assert out.splitlines()[-1].startswith("matches: signed off by Ann Jones (Scrutineer)")


def test_an_earlier_signed_pdf_put_back_is_caught(signed, tmp_path, capsys):
    """Reopened and signed again: putting the first (genuinely signed, now stale) PDF back
    in place of the new one is caught by check, and export refuses it."""
    first = signatures.pdf_to_export(signed)
    signoff.reopen(signed, reason="Late evidence")
    answers.set_findings(signed, assessments.question_ids(signed)[1], "Late evidence considered.")
    _sign(signed)
    path = signed.path
    with sqlite3.connect(str(path)) as conn:
        conn.execute("UPDATE signoffs SET signed_pdf = ? WHERE voided_at IS NULL", (first,))
    conn.close()
    code, _out, err = run_cli(capsys, "check", path)
    assert code == 1 and "is not the one made when it was signed" in err
    with (assessments.open_assessment(path, readonly=True) as doc,
          pytest.raises(InvalidInput, match="is not the one made when it was signed")):
        signing.export_pdf(doc, tmp_path / "stale.pdf")
    assert not (tmp_path / "stale.pdf").exists()


# -- attacks an independent review tried (each passed verify before it was fixed) -------------

def _attack(real: bytes, mutate, *, append: bool = True, on_page: int = -1) -> bytes:
    """An incremental update of the scrutineer's signed PDF: ``mutate(writer)`` (and, with
    ``append``, a page of the attacker's), signed with a key of the attacker's own."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(real), strict=False)
    if append:
        page = io.BytesIO()
        c = canvas.Canvas(page)
        c.drawString(72, 720, "Response")
        c.showPage()
        c.save()
        pades._append_pages(writer, page.getvalue())
    mutate(writer)
    mallory = identity_for("Mallory")
    signer = signers.SimpleSigner(signing_cert=pades._to_asn1(mallory.certificate),
                                  signing_key=_pyhanko_key(mallory), cert_registry=None)
    out = io.BytesIO()
    signers.PdfSigner(signers.PdfSignatureMetadata(field_name="Second"), signer=signer,
                      new_field_spec=fields.SigFieldSpec("Second", on_page=on_page)
                      ).sign_pdf(writer, output=out)
    return out.getvalue()


def _crop_every_signed_page(writer) -> None:
    """An inherited /CropBox on the page tree root hides all but a strip of each page."""
    from pyhanko.pdf_utils import generic

    root = writer.root["/Pages"]
    root[generic.NameObject("/CropBox")] = generic.ArrayObject(
        [generic.NumberObject(v) for v in (0, 700, 595, 842)])
    writer.update_container(root)


def _redefine_a_font_at_generation_1(writer) -> None:
    """A font object the signed pages use, written again as generation 1 (the pages
    still refer to generation 0)."""
    from pyhanko.pdf_utils import generic

    page = writer.prev.root["/Pages"]["/Kids"][0]
    resources = page["/Resources"]
    ref = resources.raw_get("/Font")
    if not isinstance(ref, generic.IndirectObject):
        fonts = resources["/Font"]
        ref = next(fonts.raw_get(k) for k in fonts if isinstance(fonts.raw_get(k), generic.IndirectObject))
    old = ref.get_object()
    writer.objects[(1, ref.idnum)] = generic.DictionaryObject(dict(old.items()))


def _rename_bookmarks(writer) -> None:
    from pyhanko.pdf_utils import generic

    item = writer.root["/Outlines"]["/First"]
    item[generic.NameObject("/Title")] = generic.TextStringObject("FORGED: inadequate")
    writer.update_container(item)


@pytest.mark.parametrize(("mutate", "append"), [
    (_crop_every_signed_page, True),
    (_redefine_a_font_at_generation_1, True),
    (_rename_bookmarks, True),
    (lambda writer: None, False),  # a visible widget of the second signature over page 1
])
def test_a_later_signature_cannot_change_what_the_signed_pages_show(signed, tmp_path, mutate, append):
    real = signing.export_pdf(signed, tmp_path / "real.pdf").read_bytes()
    assert pades.verify_bytes(real).ok
    data = _attack(real, mutate) if append else _visible_widget_on_page_1(real)
    check = pades.verify_bytes(data)
    assert not check.ok
    assert check.signatures[0].intact  # the scrutineer's bytes are untouched...
    assert "followed by changes other than a later signature" in " ".join(check.problems)


def _visible_widget_on_page_1(real: bytes) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    mallory = identity_for("Mallory")
    signer = signers.SimpleSigner(signing_cert=pades._to_asn1(mallory.certificate),
                                  signing_key=_pyhanko_key(mallory), cert_registry=None)
    out = io.BytesIO()
    spec = fields.SigFieldSpec("Second", on_page=0, box=(50, 300, 550, 600))
    signers.PdfSigner(signers.PdfSignatureMetadata(field_name="Second"), signer=signer,
                      new_field_spec=spec).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(real), strict=False), output=out)
    return out.getvalue()


def test_a_later_revision_cannot_rewrite_what_the_scrutineer_signed_off(signed, tmp_path):
    """The countersigner's revision may bring the stamp up to date, but the stamp the
    scrutineer signed (its fingerprint and signer) must stay what it was."""
    from scrutiny_desktop.report.stamp import INFO_KEY, decode, hex_of

    real = signing.export_pdf(signed, tmp_path / "real.pdf")
    first = read_stamp(real)
    mallory = identity_for("Mallory")
    lie = dataclasses.replace(first, state="reviewed", fingerprint="0" * 64,
                              countersign_fingerprint="1" * 64, countersigner=hex_of(mallory.fingerprint))
    data = pades.sign_bytes(real.read_bytes(), private_key=mallory.private_key,
                            certificate=mallory.certificate, field_name="Second", signer_name="x",
                            reason="x", append_pages=_one_page(), info={INFO_KEY: lie.encode()})
    (tmp_path / "lie.pdf").write_bytes(data)
    assert decode(pades.info_at(data, 2, (INFO_KEY,))) == first  # the signed revision's stamp
    result = verify_pdf(tmp_path / "lie.pdf")
    assert not result.ok and "not those of the signers it names" in result.message


def _one_page() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "Response")
    c.showPage()
    c.save()
    return buf.getvalue()


def test_an_unsigned_draft_does_not_vouch_for_a_signed_off_assessment(ready, tmp_path, capsys):
    """A draft PDF (or one made up with a draft stamp and the right fingerprint) checked
    against an assessment signed off since: not a match."""
    draft = signing.export_pdf(ready, tmp_path / "draft.pdf")
    assert verify_pdf(draft, ready).ok
    _sign(ready)
    code, _out, err = run_cli(capsys, "verify", draft, "--against", ready.path)
    assert code == 1 and "unsigned draft" in err and "signed off since" in err


def test_a_scrutineer_only_pdf_checked_after_countersignature_says_it_is_out_of_date(signed, tmp_path):
    first = signing.export_pdf(signed, tmp_path / "signed.pdf")
    _respond_and_countersign(signed)
    result = verify_pdf(first, signed)
    assert result.ok and "has since been countersigned" in result.message
