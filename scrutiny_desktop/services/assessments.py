"""Create, open and describe assessments."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from scrutiny_desktop import storage
from scrutiny_desktop.checklist.model import Template
from scrutiny_desktop.errors import DocumentCorrupt, InvalidInput
from scrutiny_desktop.services.common import (
    assessment_of,
    clean,
    record,
    required_text,
    template_of,
)
from scrutiny_desktop.services.permissions import Permissions, permissions
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import STATUS_LABELS, Answer, Assessment, Status, utcnow

__all__ = ["STATUS_LABELS", "AssessmentInfo", "NewAssessment", "Permissions", "Status",
           "create_assessment", "info", "open_assessment", "permissions", "question_ids",
           "save_copy", "suggested_file_name", "take_over", "template_snapshot"]


@dataclass(frozen=True)
class NewAssessment:
    """What a person types into the New assessment dialog."""

    partnership: str
    period: str
    scrutineer_name: str
    area: str = ""
    scrutineer_role: str = ""

    def validated(self) -> NewAssessment:
        return NewAssessment(
            partnership=required_text(self.partnership, "The partnership"),
            period=required_text(self.period, "The period covered"),
            scrutineer_name=required_text(self.scrutineer_name, "The scrutineer's name"),
            area=clean(self.area),
            scrutineer_role=clean(self.scrutineer_role),
        )


@dataclass(frozen=True)
class AssessmentInfo:
    path: Path
    uid: str
    partnership: str
    area: str
    period: str
    scrutineer_name: str
    scrutineer_role: str
    #: A :class:`Status` (a ``str``) for any file the app wrote.
    status: Status | str
    created_at: dt.datetime
    modified_at: dt.datetime
    template_id: str
    template_version: str
    template_title: str
    format_version: int
    previous_period: str | None = None
    readonly: bool = False
    readonly_reason: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def status_label(self) -> str:
        return Status.label_of(self.status)


def template_snapshot(template: Template) -> tuple[str, str]:
    """Canonical JSON of a template and its SHA-256."""
    data = template.model_dump(mode="json")
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def suggested_file_name(partnership: str, period: str) -> str:
    """A safe file name such as ``Northshire-Safeguarding-Partnership-2025-26.scrutiny``."""
    raw = f"{partnership} {period}".strip()
    name = re.sub(r"[^\w\s-]", " ", raw, flags=re.UNICODE)
    name = re.sub(r"[\s_]+", "-", name).strip("-")
    # Most file systems allow 255 bytes per name; keep well inside that.
    while len(name.encode("utf-8")) > 120:
        name = name[:-1]
    name = name.strip("-") or "assessment"
    return f"{name}{storage.SUFFIX}"


def create_assessment(path: Path | str, template: Template, details: NewAssessment,
                      *, actor: str = "", passphrase: str | None = None) -> Path:
    """Create a new document at ``path`` (which must not exist), encrypted with
    ``passphrase`` when one is given (check a new one with
    ``services.encryption.check_new_passphrase`` first)."""
    details = details.validated()
    path = Path(path).expanduser()
    if not path.name or path.name in (".", "..") or path.is_dir():
        raise InvalidInput(f"'{path}' is a folder, not a file name. Give a name such as "
                           f"{suggested_file_name(details.partnership, details.period)}.")
    if path.suffix.lower() != storage.SUFFIX:
        path = path.with_name(path.name + storage.SUFFIX)
    storage.create_document(path, passphrase=passphrase)
    snapshot, digest = template_snapshot(template)
    now = utcnow()
    with (storage.open_document(path, actor=actor or details.scrutineer_name,
                                passphrase=passphrase) as doc,
          doc.write() as session):
            session.add(Assessment(
                id=1, uid=str(uuid.uuid4()), partnership=details.partnership, area=details.area,
                period=details.period, scrutineer_name=details.scrutineer_name,
                scrutineer_role=details.scrutineer_role, status=Status.DRAFT,
                created_at=now, modified_at=now, template_id=template.id,
                template_version=template.version, template_title=template.title,
                template_snapshot=snapshot, template_sha256=digest,
                audit_head="", audit_count=0,
            ))
            for position, question_id in enumerate(template.question_ids()):
                session.add(Answer(question_id=question_id, position=position, findings=""))
            session.flush()
            record(doc, session, "assessment.created", "assessment", None, {
                "partnership": details.partnership, "area": details.area,
                "period": details.period, "scrutineer": details.scrutineer_name,
                "role": details.scrutineer_role,
                "template": f"{template.id} {template.version}",
            })
    return path


def _open_checked(path: Path | str, **kwargs) -> Document:
    """``storage.open_document`` plus: the stored template and every detail read."""
    doc = storage.open_document(path, **kwargs)
    try:
        template_of(doc)
        info(doc)  # every field readable: dates parse, the row is there
    except (SQLAlchemyError, ValueError, TypeError, OverflowError) as exc:
        from scrutiny_desktop.services.integrity import values_problem

        try:
            detail = values_problem(doc)
        finally:
            doc.close()
        detail = detail or " ".join(str(getattr(exc, "orig", None) or exc).split())[:160]
        raise DocumentCorrupt(doc.path, f"its contents cannot be read ({detail})") from None
    except BaseException:
        doc.close()
        raise
    return doc


def _integrity_problem(doc: Document) -> str:
    """What ``check`` would say is wrong with the document, or ""."""
    from scrutiny_desktop.services.integrity import integrity_report

    report = integrity_report(doc)
    return "" if report.ok else report.problem


def open_assessment(path: Path | str, *, readonly: bool = False, actor: str = "",
                    lock: bool = False, detect_writer: bool = False,
                    passphrase: str | None = None) -> Document:
    """Open an assessment (see ``storage.open_document`` for the safety checks).

    A document asked for editing is checked as ``check`` checks it first; if that
    finds a problem (an edited audit row, an attachment changed or stored as text,
    signatures that no longer match...) it opens read-only instead, with the problem
    in ``Document.integrity_problem`` and ``Document.readonly_reason``.  With ``lock``
    a stale editing lock is cleared (``Document.cleared_stale_lock``), and a live one
    raises ``DocumentInUse`` (see ``holder_info`` and ``can_take_over``).  An
    encrypted document needs its ``passphrase`` (``PassphraseNeeded``,
    ``WrongPassphrase``); a plain one ignores it.
    """
    doc = _open_checked(path, readonly=readonly, actor=actor, lock=lock,
                        detect_writer=detect_writer, passphrase=passphrase)
    if doc.readonly:
        return doc
    try:
        problem = _integrity_problem(doc)
    except BaseException:
        doc.close()
        raise
    if not problem:
        return doc
    return _reopen_read_only(doc, problem, actor)


def _reopen_read_only(doc: Document, problem: str, actor: str) -> Document:
    """Close an editable document whose integrity check failed and open it read-only."""
    carried = (doc.recovered_backup, doc.recovered_interrupted_save, doc.cleared_stale_lock,
               doc.took_over_from)
    doc.close()
    ro = _open_checked(doc.path, readonly=True, actor=actor, passphrase=doc.passphrase)
    (ro.recovered_backup, ro.recovered_interrupted_save, ro.cleared_stale_lock,
     ro.took_over_from) = carried
    ro.integrity_problem = problem
    ro.readonly_reason = f"its integrity check failed: {problem}"
    return ro


def take_over(path: Path | str, actor: str = "", passphrase: str | None = None) -> Document:
    """Take over editing from the holder of the editing lock, and return the document
    open for editing.

    For a lock ``open_assessment`` reported with ``DocumentInUse.can_take_over``
    (another computer's, whose process cannot be checked from here): the lock is
    replaced with ours atomically and the audit log records that editing was taken
    over from "USER on HOST since TIME".  A lock held by a running Scrutiny Desktop
    on this computer, or a program writing the file now, still raises
    ``DocumentInUse``.  A document that fails its integrity check is returned
    read-only and the other person's lock is left alone; a read-only file opens
    read-only as usual.  Without a live lock this is an ordinary editable open.
    """
    path = Path(path).expanduser()
    with _open_checked(path, readonly=True, actor=actor, passphrase=passphrase) as probe_doc:
        problem = _integrity_problem(probe_doc)
    if problem:
        ro = _open_checked(path, readonly=True, actor=actor, passphrase=passphrase)
        ro.integrity_problem = problem
        ro.readonly_reason = f"its integrity check failed: {problem}"
        return ro
    doc = _open_checked(path, actor=actor, lock=True, take_over=True, passphrase=passphrase)
    try:
        if doc.readonly:
            return doc
        problem = _integrity_problem(doc)
        if problem:  # changed in the moment since the first look
            return _reopen_read_only(doc, problem, actor)
        holder = doc.took_over_from
        if holder is not None:
            from scrutiny_desktop.storage.lockfile import this_user_on_this_computer

            me = this_user_on_this_computer(actor)
            with doc.write() as session:
                record(doc, session, "editing.taken_over", "editing lock", holder.describe(),
                       f"Editing was taken over from {holder.describe()} by {me}.")
    except BaseException:
        doc.close()
        raise
    return doc


def info(doc: Document) -> AssessmentInfo:
    with doc.read() as session:
        a = assessment_of(doc, session)
        return AssessmentInfo(
            path=doc.path, uid=a.uid, partnership=a.partnership, area=a.area, period=a.period,
            scrutineer_name=a.scrutineer_name, scrutineer_role=a.scrutineer_role,
            status=Status.coerce(a.status), created_at=a.created_at, modified_at=a.modified_at,
            template_id=a.template_id, template_version=a.template_version,
            template_title=a.template_title, format_version=doc.format_version,
            previous_period=a.previous_period, readonly=doc.readonly,
            readonly_reason=doc.readonly_reason,
        )


def save_copy(doc: Document, target: Path | str) -> Path:
    """Save a copy of the open document at ``target``: a clean single file with deleted
    text purged (``VACUUM INTO``), written atomically (see ``storage.save_copy``); the
    copy of an encrypted document is encrypted with the same passphrase."""
    return storage.save_copy(doc, target)


def question_ids(doc: Document) -> list[str]:
    with doc.read() as session:
        return list(session.scalars(select(Answer.question_id).order_by(Answer.position)))
