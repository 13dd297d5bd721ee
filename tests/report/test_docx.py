"""The Word report (report/docx.py): real documents made through the services, real
.docx files in tmp_path, read back with python-docx and checked for what makes them
accessible (title, language, heading order, header rows, alternative text, lists)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from scrutiny_desktop.report.data import ReportOptions, collect
from scrutiny_desktop.report.docx import build_docx, clean
from scrutiny_desktop.services import evidence, review, signoff, summary
from scrutiny_desktop.services.assessments import open_assessment
from scrutiny_desktop.services.evidence import EvidenceInput
from tests.helpers import NORTHSHIRE, chair_id, make_document, one_error_line, run_cli, scrutineer_id

MARKING = "OFFICIAL-SENSITIVE"
WELSH = "Siân Llŷr, ŵ ŷ Ŵ Ŷ"
POLISH = "Zażółć gęślą jaźń"
GREEK = "Καλημέρα κόσμε"
AWKWARD = f"{WELSH} {POLISH} {GREEK} <b>&amp; & </b>"
CONCLUSION = "The partnership's arrangements are sound overall."
FINDINGS = ("The partnership meets quarterly.\nMinutes are published.\n\n"
            "- Attendance is good\n- Papers go out on time\n\n"
            "1. Agree a data set\n2. Publish the plan\n\n" + AWKWARD)
HEX64 = re.compile(r"\b[0-9a-fA-F]{64}\b")


def signature_png() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (360, 120), (255, 255, 255, 0))
    ImageDraw.Draw(img).line([(10, 90), (60, 20), (110, 100), (350, 40)], fill=(10, 10, 80, 255), width=5)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def make(folder: Path, answered: Path, *, sign: bool = False, countersign: bool = False) -> Path:
    """A realistic assessment: judgements, findings with lists, evidence with an attached
    file, a recommendation, the summary; signed off and countersigned if asked."""
    path = make_document(folder / "a.scrutiny", base=answered,
                         judgements={"ARR-01": "limited", "ARR-02": "strong"},
                         findings={"ARR-01": FINDINGS}, recommendation="Publish the " + AWKWARD)
    attachment = folder / "minutes.txt"
    attachment.write_text("Minutes of the meeting.", encoding="utf-8")
    with open_assessment(path, actor="Ann Jones") as doc:
        evidence.add_evidence(doc, "ARR-01", EvidenceInput(
            "Board minutes", "meeting", dt.date(2026, 3, 12), "Business unit", "Read in full."),
            attach=attachment)
        summary.set_overall_judgement(doc, "strong")
        summary.set_text(doc, "conclusion", CONCLUSION + "\n\n- " + AWKWARD)
        summary.set_text(doc, "strengths", "- Clear leadership\n- Good data")
        summary.set_text(doc, "scope_and_method", "Interviews and a review of documents.")
        if sign or countersign:
            signoff.sign_off(doc, identity=scrutineer_id(), name="Ann Jones",
                             role="Independent scrutineer", statement="My independent judgement.",
                             confirmed=True, signature_png=signature_png())
        if countersign:
            review.set_overall_response(doc, "The partnership accepts the findings.")
            for rec in collect(doc).recommendations:
                review.set_response(doc, rec.recommendation.id, decision="accepted",
                                    action_owner="Business manager")
            review.countersign(doc, identity=chair_id(), name="Chris Chair", role="Chair",
                               statement="Reviewed.", confirmed=True, signature_png=signature_png())
    return path


def export(path: Path, out: Path) -> tuple[docx.document.Document, object]:
    with open_assessment(path, readonly=True) as doc:
        data = collect(doc, ReportOptions(protective_marking=MARKING))
    build_docx(data, out)
    return docx.Document(str(out)), data


def headings(document) -> list[tuple[int, str]]:
    out = []
    for p in document.paragraphs:
        name = p.style.name
        if name == "Title":
            out.append((0, p.text))
        elif name.startswith("Heading "):
            out.append((int(name.split()[1]), p.text))
    return out


def all_text(out: Path) -> str:
    with zipfile.ZipFile(out) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                         if n.endswith((".xml", ".rels")))


@pytest.fixture(params=["draft", "signed", "countersigned"])
def report(request, tmp_path, answered):
    path = make(tmp_path, answered, sign=request.param != "draft",
                countersign=request.param == "countersigned")
    out = tmp_path / "report.docx"
    document, data = export(path, out)
    return request.param, out, document, data


def test_title_language_and_properties(report):
    _kind, _out, document, _data = report
    cp = document.core_properties
    assert cp.title == f"Independent scrutiny: {NORTHSHIRE}, 2025-26"
    assert cp.author == "Ann Jones"
    assert cp.language == "en-GB"
    assert cp.subject
    lang = document.styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang is not None and lang.get(qn("w:val")) == "en-GB"
    assert document.paragraphs[0].style.name == "Title"
    assert document.paragraphs[0].text == NORTHSHIRE
    for section in document.sections:
        assert MARKING in section.header.paragraphs[0].text


def test_headings_present_and_in_order(report):
    kind, _out, document, data = report
    found = headings(document)
    texts = [t for _, t in found]
    main = ["Summary", "Judgements by section", "Recommendations", "Scope and method",
            "Findings by section", "Sign-off"]
    if kind == "countersigned":
        main.insert(5, "Partnership response")
    level1 = [t for level, t in found if level == 1]
    assert level1 == main
    for section in data.sections:
        for q in section.questions:
            assert (3, f"Q{q.number}. {q.text}") in found
    level = 0
    for n, _text in found:
        assert n <= level + 1, f"heading level {n} after {level}"
        level = n
    assert "Strengths" in texts and "Areas for improvement" in texts


def test_tables_have_header_rows_and_images_alt_text(report):
    kind, _out, document, data = report
    assert len(document.tables) >= 2
    for table in document.tables:
        tr_pr = table.rows[0]._tr.trPr
        assert tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None
    judgements = document.tables[0]
    labels = [label for _, label in data.template.judgement_options()] + ["No judgement"]
    assert [c.text for c in judgements.rows[0].cells] == ["Section", *labels]
    assert judgements.rows[1].cells[0].text == f"1. {data.sections[0].title}"
    recs = document.tables[1]
    assert recs.rows[1].cells[0].text == "R1"
    assert recs.rows[1].cells[6].text == "Q1 (ARR-01)"
    shapes = list(document.inline_shapes)
    expected = {"draft": 1, "signed": 2, "countersigned": 3}[kind]
    assert len(shapes) == expected
    doc_prs = document.element.body.findall(".//" + qn("wp:docPr"))
    assert len(doc_prs) == expected
    for doc_pr in doc_prs:
        assert doc_pr.get("descr", "").strip()
    descrs = [d.get("descr") for d in doc_prs]
    assert descrs[0].startswith("Bar chart of judgements by section")
    if kind != "draft":
        assert "Signature of Ann Jones" in descrs
    if kind == "countersigned":
        assert "Signature of Chris Chair" in descrs


def test_lists_conclusion_and_exact_text(report):
    _kind, out, document, _data = report
    paras = document.paragraphs
    texts = [p.text for p in paras]
    first_q = next(i for i, p in enumerate(paras) if p.style.name == "Heading 3")
    assert CONCLUSION in texts[:first_q]
    assert "Overall judgement: Strong assurance" in texts[:first_q]
    styles = {p.text: p.style.name for p in paras}
    assert styles["Attendance is good"] == "List Bullet"
    assert styles["Agree a data set"] == "List Number"
    assert styles["Publish the plan"] == "List Number"
    assert styles["Clear leadership"] == "List Bullet"
    # A paragraph's inner line break is kept.
    assert "The partnership meets quarterly.\nMinutes are published." in texts
    # Awkward text round-trips exactly, in findings, the summary and a table cell.
    assert texts.count(AWKWARD) >= 2
    assert any(AWKWARD in c.text for t in document.tables for row in t.rows for c in row.cells)
    # Evidence: what it is and its file name, never its hash.
    assert any("Board minutes" in t and "minutes.txt" in t for t in texts)
    assert not HEX64.search(all_text(out))


def test_numbered_lists_restart(tmp_path, answered):
    path = make_document(tmp_path / "a.scrutiny", base=answered,
                         findings={"ARR-01": "1. one\n2. two", "ARR-02": "1. again"})
    document, _data = export(path, tmp_path / "r.docx")
    nums = {p.text: p._p.pPr.numPr.numId.val for p in document.paragraphs
            if p.style.name == "List Number"}
    assert nums["one"] == nums["two"] != nums["again"]


def test_forbidden_characters_are_dropped(tmp_path, answered):
    assert clean("a\x00b\x0bc\r\nd\te") == "abc\nd\te"
    path = make_document(tmp_path / "a.scrutiny", base=answered)
    with open_assessment(path) as doc:
        data = collect(doc)
    bad = dataclasses_replace_findings(data, "bell\x07 and\x1f nul")
    build_docx(bad, tmp_path / "r.docx")
    assert "bell and nul" in [p.text for p in docx.Document(str(tmp_path / "r.docx")).paragraphs]


def dataclasses_replace_findings(data, text: str):
    import dataclasses

    section = data.sections[0]
    q = dataclasses.replace(section.questions[0], findings=text)
    section = dataclasses.replace(section, questions=(q, *section.questions[1:]))
    return dataclasses.replace(data, sections=(section, *data.sections[1:]))


def test_failed_write_leaves_nothing(tmp_path, answered, monkeypatch):
    path = make_document(tmp_path / "a.scrutiny", base=answered)
    with open_assessment(path) as doc:
        data = collect(doc)
    out = tmp_path / "r.docx"

    def broken(self, stream):
        stream.write(b"PK partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(docx.document.Document, "save", broken)
    with pytest.raises(OSError):
        build_docx(data, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.scrutiny"]


# -- the command line -------------------------------------------------------------------------


def test_cli_export_docx(capsys, tmp_path, answered):
    path = make(tmp_path, answered, sign=True)
    out = tmp_path / "out.docx"
    code, stdout, err = run_cli(capsys, "export", path, "--docx", out)
    assert code == 0, err
    assert stdout.strip() == f"wrote {out}"
    document = docx.Document(str(out))
    assert document.core_properties.title.startswith("Independent scrutiny: ")


def test_cli_export_docx_missing_folder(capsys, tmp_path, answered):
    path = make_document(tmp_path / "a.scrutiny", base=answered)
    out = tmp_path / "missing" / "out.docx"
    code, stdout, err = run_cli(capsys, "export", path, "--docx", out)
    assert code == 1
    one_error_line(err, stdout)
    assert not out.exists() and not out.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.scrutiny"]
