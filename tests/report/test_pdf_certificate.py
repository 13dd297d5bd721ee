"""The PDF's sign-off block names the signer's certificate by its SHA-256 fingerprint."""

from __future__ import annotations

from scrutiny_desktop.report.data import ReportOptions, collect
from scrutiny_desktop.report.pdf import build_pdf
from scrutiny_desktop.report.pdf_sections import certificate_text
from scrutiny_desktop.services.assessments import open_assessment
from tests.helpers import make_signed, pdftotext_pages, scrutineer_id


def test_the_sign_off_block_prints_the_certificate_fingerprint(new_doc_path, tmp_path):
    make_signed(new_doc_path)
    with open_assessment(new_doc_path, readonly=True) as doc:
        pdf = build_pdf(collect(doc, ReportOptions()), tmp_path / "signed.pdf")
    pages = pdftotext_pages(pdf)
    (signoff_page,) = [p for p in pages if "Certificate (SHA-256)" in p and "Sign-off" in p]
    fingerprint = scrutineer_id().fingerprint
    first, second = certificate_text(fingerprint).split("\n")
    assert first in signoff_page and second in signoff_page
    assert (first + ":" + second) == fingerprint


def test_a_record_without_a_key_says_so():
    assert certificate_text("").startswith("None: signed without a key")
