"""A document that has lost its assessment row is damaged, and every service says so.

``open_assessment`` refuses such a file; the services below it (used by ``check``,
verify, exports and the library on documents opened without that check) used to
fail with ``AttributeError: 'NoneType' object has no attribute ...``.  Each now
names the file as damaged, or, for the integrity report, reports the problem.
"""

from __future__ import annotations

import io
import sqlite3

import pytest

from scrutiny_desktop import storage
from scrutiny_desktop.errors import DocumentCorrupt
from scrutiny_desktop.report import jsonio
from scrutiny_desktop.services import assessments, fingerprint, integrity
from scrutiny_desktop.services.assessments import NewAssessment, create_assessment
from tests.helpers import legacy_template


@pytest.fixture
def rowless(tmp_path):
    """A document whose assessments row was deleted outside the app, opened read-only
    without the checks ``open_assessment`` adds."""
    path = create_assessment(tmp_path / "rowless.scrutiny", legacy_template(), NewAssessment(
        partnership="Westvale Partnership", period="2025-26", scrutineer_name="Ann Jones"))
    with sqlite3.connect(path) as con:
        con.execute("DELETE FROM assessments")
    con.close()
    doc = storage.open_document(path, readonly=True)
    yield doc
    doc.close()


def test_open_assessment_refuses_it(rowless):
    with pytest.raises(DocumentCorrupt, match="it holds no assessment"):
        assessments.open_assessment(rowless.path, readonly=True)


@pytest.mark.parametrize("read", [
    assessments.info,
    fingerprint.scrutineer_content,
    jsonio.export_data,
    lambda doc: jsonio.export_json(doc, doc.path.with_suffix(".json")),
], ids=["info", "fingerprint", "export_data", "export_json"])
def test_services_name_the_file_as_damaged(rowless, read):
    with pytest.raises(DocumentCorrupt, match="it holds no assessment") as info:
        read(rowless)
    assert info.value.path == rowless.path
    assert not rowless.path.with_suffix(".json").exists()


def test_write_export_streams_from_the_callers_session(rowless):
    with rowless.read() as session, pytest.raises(DocumentCorrupt):
        jsonio.write_export(rowless, session, io.BytesIO())


def test_the_integrity_report_reports_it(rowless):
    report = integrity.integrity_report(rowless)
    assert not report.ok
    assert report.problem.endswith("it holds no assessment")
