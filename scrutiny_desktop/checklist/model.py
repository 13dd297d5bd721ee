"""The checklist template: a pydantic model of the TOML format.

The format is documented in ``docs/template-format.md``.  Every model forbids
unknown fields so that a misspelt key is reported rather than ignored, and the
true/false fields take only TOML booleans (``required = "yes"`` is an error,
not silently true).

Some rules only apply to a template file being loaded (``parse_template``
passes ``context={NEW_TEMPLATE: True}``): two judgement options with the same
label.  A document keeps a snapshot of the template it was made with, and a
snapshot that was valid when the document was made must still open, so those
rules are not applied when a snapshot is read back.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

_ID_RE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=_ID_RE)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

DEFAULT_SIGNOFF_STATEMENT = (
    "I confirm that this assessment is my independent judgement, formed from the "
    "evidence recorded here, and that it is complete and accurate to the best of "
    "my knowledge."
)


#: Validation context key: the template is being loaded from a file (apply every rule).
NEW_TEMPLATE = "new_template"


def _is_new(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get(NEW_TEMPLATE))


def _label_key(label: str) -> str:
    """Labels that a screen reader would say the same way compare equal."""
    return " ".join(label.split()).casefold()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """A document the checklist rests on."""

    id: Id
    title: Text
    publisher: str = ""
    year: int | None = None
    note: str = ""


class ScalePoint(_Strict):
    """One judgement on the scale."""

    value: Id
    label: Text
    description: str = ""
    answered: StrictBool = True


class Scale(_Strict):
    """The judgement scale, in order from the first option shown to the last."""

    points: list[ScalePoint] = Field(min_length=2)
    allow_not_applicable: StrictBool = True
    not_applicable_label: Text = "Not applicable"

    # Messages start with the field path (the scale is always ``scale`` in a
    # template); checklist.loader passes such a path through as it is.
    @model_validator(mode="after")
    def _unique_values(self, info: ValidationInfo) -> Scale:
        values: dict[str, int] = {}
        for i, point in enumerate(self.points):
            here = f"scale.points[{i}].value"
            if point.value == NOT_APPLICABLE:
                raise ValueError(f"{here}: '{NOT_APPLICABLE}' is reserved for 'Not applicable'")
            if point.value in values:
                raise ValueError(f"{here}: judgement value '{point.value}' is already used by "
                                 f"scale.points[{values[point.value]}]")
            values[point.value] = i
        if not any(p.answered for p in self.points):
            raise ValueError("scale.points: at least one judgement must count as answered")
        if _is_new(info):
            self._unique_labels()
        return self

    def _unique_labels(self) -> None:
        """Every option a person can choose has its own label (its accessible name)."""
        labels: dict[str, int] = {}
        for i, point in enumerate(self.points):
            key = _label_key(point.label)
            if key in labels:
                raise ValueError(f"scale.points[{i}].label: judgement label '{point.label}' is "
                                 f"already used by scale.points[{labels[key]}]")
            if self.allow_not_applicable and key == _label_key(self.not_applicable_label):
                raise ValueError(f"scale.points[{i}].label: '{point.label}' is the label of the "
                                 f"'not applicable' option (scale.not_applicable_label)")
            labels[key] = i


NOT_APPLICABLE = "not_applicable"


class Question(_Strict):
    id: Id
    text: Text
    guidance: str = ""
    source: str = ""
    required: StrictBool = True
    #: Template format 2: the ids of questions in earlier versions of this checklist
    #: that this one replaces (one or several: merges and splits), for comparison and
    #: carry-forward across versions.
    replaces: list[Id] = Field(default_factory=list)
    #: Template format 2: may this question be answered "Not applicable"?  Unset: an
    #: optional question may (when the scale allows it), a required one may not.
    allow_not_applicable: StrictBool | None = None


class Retired(_Strict):
    """Template format 2: a question of an earlier version that nothing replaces, and why."""

    id: Id
    reason: Text


#: Template format 2: the direction of travel a scrutineer may give each question.
DIRECTIONS = (("improving", "Improving"), ("stable", "Stable"), ("declining", "Declining"),
              ("not_known", "Not known"))


class Section(_Strict):
    id: Id
    title: Text
    intro: str = ""
    questions: list[Question] = Field(min_length=1)


class Template(_Strict):
    """A checklist template, as loaded from TOML and snapshotted in documents."""

    format: Literal[1, 2] = 1
    id: Id
    version: Text
    title: Text
    description: Text
    signoff_statement: Text = DEFAULT_SIGNOFF_STATEMENT
    #: Sign-off waits until the scrutineer has written the summary's conclusion.
    require_conclusion: bool = False
    sources: list[Source] = Field(default_factory=list)
    scale: Scale
    sections: list[Section] = Field(min_length=1)
    #: Format 2: questions of earlier versions that no question here replaces.
    retired: list[Retired] = Field(default_factory=list)
    #: Format 2: offer a direction of travel (improving, stable...) on each question.
    directions: StrictBool = False

    @model_validator(mode="after")
    def _unique_ids(self) -> Template:
        section_ids: dict[str, int] = {}
        question_ids: dict[str, str] = {}
        for s_index, section in enumerate(self.sections):
            if section.id in section_ids:
                raise ValueError(
                    f"sections[{s_index}].id: section id '{section.id}' is already used by "
                    f"sections[{section_ids[section.id]}]"
                )
            section_ids[section.id] = s_index
            for q_index, question in enumerate(section.questions):
                here = f"sections[{s_index}].questions[{q_index}].id"
                if question.id in question_ids:
                    raise ValueError(
                        f"{here}: question id '{question.id}' is already used at "
                        f"{question_ids[question.id]}"
                    )
                question_ids[question.id] = here
        source_ids = [s.id for s in self.sources]
        if len(set(source_ids)) != len(source_ids):
            raise ValueError("sources: each source id must be unique")
        if self.format == 1 and (self.retired or self.directions or any(
                q.replaces or q.allow_not_applicable is not None for _, q in self.questions())):
            raise ValueError("format: 'replaces', 'allow_not_applicable', 'retired' and "
                             "'directions' need format = 2")
        # Several questions may replace one earlier question (a split): the first names it.
        replaced: dict[str, str] = {}
        for _s, q in self.questions():
            for old in q.replaces:
                replaced.setdefault(old, q.id)
        for i, r in enumerate(self.retired):
            if r.id in replaced:
                raise ValueError(f"retired[{i}].id: '{r.id}' is retired but question "
                                 f"'{replaced[r.id]}' replaces it")
        return self

    # -- convenience -------------------------------------------------------
    def questions(self) -> list[tuple[Section, Question]]:
        return [(s, q) for s in self.sections for q in s.questions]

    def question_ids(self) -> list[str]:
        return [q.id for _, q in self.questions()]

    def question(self, question_id: str) -> Question:
        for _, q in self.questions():
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def section_of(self, question_id: str) -> Section:
        for s, q in self.questions():
            if q.id == question_id:
                return s
        raise KeyError(question_id)

    def judgement_options(self) -> list[tuple[str, str]]:
        """(value, label) for every option a user can choose, in order."""
        options = [(p.value, p.label) for p in self.scale.points]
        if self.scale.allow_not_applicable:
            options.append((NOT_APPLICABLE, self.scale.not_applicable_label))
        return options

    def not_applicable_allowed(self, question_id: str) -> bool:
        """May this question be answered "Not applicable"?  Format 1: whenever the scale
        allows it.  Format 2: a question may say so; otherwise only optional ones."""
        if not self.scale.allow_not_applicable:
            return False
        if self.format == 1:
            return True
        q = self.question(question_id)
        return q.allow_not_applicable if q.allow_not_applicable is not None else not q.required

    def options_for(self, question_id: str) -> list[tuple[str, str]]:
        """The judgements this question may be given (:meth:`judgement_options` less
        "Not applicable" where it is not allowed)."""
        return [(v, label) for v, label in self.judgement_options()
                if v != NOT_APPLICABLE or self.not_applicable_allowed(question_id)]

    def successors(self) -> dict[str, list[str]]:
        """Earlier question id -> the ids of the questions here that replace it (a
        question keeping its id replaces itself)."""
        out: dict[str, list[str]] = {}
        for _s, q in self.questions():
            for old in q.replaces:
                out.setdefault(old, []).append(q.id)
        return out

    def retired_reason(self, question_id: str) -> str:
        return next((r.reason for r in self.retired if r.id == question_id), "")

    def judgement_label(self, value: str | None) -> str:
        if value is None:
            return ""
        for v, label in self.judgement_options():
            if v == value:
                return label
        return value

    def counts_as_answered(self, value: str | None) -> bool:
        if value is None:
            return False
        if value == NOT_APPLICABLE:
            return self.scale.allow_not_applicable
        return any(p.value == value and p.answered for p in self.scale.points)

    def is_valid_judgement(self, value: str | None) -> bool:
        return value is None or any(v == value for v, _ in self.judgement_options())

    def source_statement(self) -> str:
        names = "; ".join(s.title + (f" ({s.year})" if s.year else "") for s in self.sources)
        return names
