"""JSON import (services.transfer): problems are labelled with their own JSON path."""

from __future__ import annotations

import base64
import copy
from pathlib import Path
from typing import get_args

import pytest

from scrutiny_desktop.report.jsonio import export_data
from scrutiny_desktop.services import answers, assessments, review, signoff
from scrutiny_desktop.services.assessments import open_assessment
from scrutiny_desktop.services.export_format import AssessmentJ
from scrutiny_desktop.services.transfer import ImportProblem, validate
from scrutiny_desktop.storage.models import Status
from tests.fixtures import badfiles
from tests.helpers import chair_id, scrutineer_id

PNG = badfiles.minimal_png()
GIF = base64.b64encode(b"GIF89a not a png").decode("ascii")


@pytest.fixture(scope="module")
def reviewed_export(tmp_path_factory, cis) -> dict:
    """The export of a signed-off and countersigned assessment, both signatures drawn."""
    from scrutiny_desktop.services.assessments import NewAssessment, create_assessment

    folder = tmp_path_factory.mktemp("reviewed")
    path = create_assessment(folder / "reviewed.scrutiny", cis,
                             NewAssessment("Northshire Partnership", "2025-26", "Ann Jones"))
    with open_assessment(path) as doc:
        for qid in assessments.question_ids(doc):
            answers.set_judgement(doc, qid, "strong")
        signoff.sign_off(doc, identity=scrutineer_id(),
                         name="Ann Jones", role="Scrutineer", statement="I confirm.",
                         confirmed=True, signature_png=PNG)
        review.set_overall_response(doc, "The partnership accepts the findings.")
        review.countersign(doc, identity=chair_id(), name="Chris Chair", role="Chair", statement="Agreed.",
                           confirmed=True, signature_png=PNG)
        data = export_data(doc)
    assert len(data["signoffs"]) == 1 and len(data["reviews"]["countersignatures"]) == 1
    return data


@pytest.mark.parametrize("value, problem", [
    (GIF, "not a PNG image"),
    ("not base64!", "not valid base64"),
])
def test_a_bad_countersignature_image_is_labelled_with_its_own_path(reviewed_export, value,
                                                                    problem):
    """A countersignature's drawn signature is reported at $.reviews.countersignatures[k],
    not as if it were a sign-off ($.signoffs[k] once counted on past the sign-offs)."""
    data = copy.deepcopy(reviewed_export)
    data["reviews"]["countersignatures"][0]["signature_png_base64"] = value
    with pytest.raises(ImportProblem) as info:
        validate(data, Path("reviewed.json"))
    assert info.value.problems == [
        f"$.reviews.countersignatures[0].signature_png_base64: {problem}"]
    assert "$.signoffs" not in str(info.value)


def test_a_bad_sign_off_image_is_still_labelled_as_a_sign_off(reviewed_export):
    data = copy.deepcopy(reviewed_export)
    data["signoffs"][0]["signature_png_base64"] = GIF
    with pytest.raises(ImportProblem) as info:
        validate(data, Path("reviewed.json"))
    assert info.value.problems == ["$.signoffs[0].signature_png_base64: not a PNG image"]


def test_a_reviewed_export_validates(reviewed_export):
    model, template = validate(copy.deepcopy(reviewed_export), Path("reviewed.json"))
    assert model.assessment.status == Status.REVIEWED
    assert template.id


def test_the_export_format_lists_exactly_the_statuses():
    """The published schema's statuses are the Status enum's values, in order."""
    assert get_args(AssessmentJ.model_fields["status"].annotation) == tuple(s.value for s in Status)
