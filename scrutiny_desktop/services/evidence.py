"""Evidence records and the files attached to them."""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from sqlalchemy import func, select

from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.services.common import answer_row, clean, record, required_text
from scrutiny_desktop.services.permissions import EDIT_ANSWERS, require
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import EVIDENCE_KINDS, Attachment, EvidenceItem, utcnow
from scrutiny_desktop.storage.sqlite import DB_ERRORS, Connection, blob_open

#: Attachments larger than this are refused: the document is emailed to chairs.
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class AttachmentView:
    id: int
    filename: str
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class EvidenceView:
    id: int
    question_id: str
    title: str
    kind: str
    date: dt.date | None
    source: str
    note: str
    attachment: AttachmentView | None

    @property
    def kind_label(self) -> str:
        return EVIDENCE_KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class EvidenceInput:
    title: str
    kind: str = "document"
    date: dt.date | None = None
    source: str = ""
    note: str = ""

    def validated(self) -> EvidenceInput:
        if self.kind not in EVIDENCE_KINDS:
            raise InvalidInput(f"'{self.kind}' is not a kind of evidence; choose one of: "
                               + ", ".join(EVIDENCE_KINDS.values()) + ".")
        if self.date is not None and not isinstance(self.date, dt.date):
            raise InvalidInput("The evidence date must be a calendar date.")
        return EvidenceInput(required_text(self.title, "The evidence title"), self.kind,
                             self.date, clean(self.source), clean(self.note))

    def as_dict(self) -> dict:
        return {"title": self.title, "kind": self.kind,
                "date": self.date.isoformat() if self.date else None,
                "source": self.source, "note": self.note}


@overload
def attachment_view(a: Attachment) -> AttachmentView: ...
@overload
def attachment_view(a: None) -> None: ...
def attachment_view(a: Attachment | None) -> AttachmentView | None:
    if a is None:
        return None
    return AttachmentView(a.id, a.filename, a.media_type, a.size, a.sha256)


def evidence_view(e: EvidenceItem, question_id: str | None = None) -> EvidenceView:
    """``e`` as a view; ``question_id``, when the caller knows it, spares loading the
    answer row (so a detached item with its attachment loaded will do)."""
    return EvidenceView(e.id, question_id if question_id is not None else e.answer.question_id,
                        e.title, e.kind, e.date, e.source, e.note, attachment_view(e.attachment))


#: Bytes per step when an attachment is streamed in or out of the document: a multiple of
#: 3, so that base64 pieces of consecutive chunks join without padding in between.
BLOB_CHUNK = 3 * 256 * 1024


@dataclass(frozen=True)
class AttachmentSource:
    """A file about to be attached: measured and hashed, not held in memory."""

    path: Path
    filename: str
    size: int
    sha256: str

    @property
    def media_type(self) -> str:
        return mimetypes.guess_type(self.filename)[0] or "application/octet-stream"

    def chunks(self) -> Iterator[bytes]:
        with _open_attachment(self.path) as fh:
            try:
                while chunk := fh.read(BLOB_CHUNK):
                    yield chunk
            except OSError as exc:
                raise InvalidInput(f"{self.filename} cannot be read ({exc.strerror}).") from None


def too_large_message(name: str, size: int) -> str:
    return (f"{name} is {size / 1048576:.0f} MB; attachments can be at most "
            f"{MAX_ATTACHMENT_BYTES // 1048576} MB. Record it as evidence without attaching it.")


def _open_attachment(path: Path):
    from scrutiny_desktop.atomic import FileReadFailed, open_source

    try:
        return open_source(path, "file that can be attached")
    except FileReadFailed as exc:
        raise InvalidInput(str(exc)) from None


def _read_attachment(path: Path | str) -> AttachmentSource:
    """Measure and hash a file to attach, in chunks (it is read again when stored)."""
    path = Path(path)
    digest, size = hashlib.sha256(), 0
    with _open_attachment(path) as fh:
        declared = os.fstat(fh.fileno()).st_size
        if declared > MAX_ATTACHMENT_BYTES:
            raise InvalidInput(too_large_message(path.name, declared))
        try:
            while chunk := fh.read(BLOB_CHUNK):
                size += len(chunk)
                if size > MAX_ATTACHMENT_BYTES:
                    raise InvalidInput(too_large_message(path.name, size))
                digest.update(chunk)
        except OSError as exc:
            raise InvalidInput(f"{path.name} cannot be read ({exc.strerror}).") from None
    return AttachmentSource(path, path.name, size, digest.hexdigest())


def driver_connection(session) -> Connection:
    """The driver connection under a session (sqlite3, or sqlcipher3 for an encrypted
    document), inside the session's transaction."""
    return session.connection().connection.driver_connection


def write_attachment(session, *, filename: str, media_type: str, size: int, sha256: str,
                     chunks: Iterable[bytes], id: int | None = None,
                     added_at: dt.datetime | None = None) -> Attachment:
    """Insert an attachment of ``size`` bytes and stream ``chunks`` into it.

    The row is inserted with ``zeroblob(size)`` and the bytes written with SQLite's
    incremental blob I/O on the session's own connection, so they are part of the same
    transaction and never all in memory at once.  The bytes are hashed as they go; if
    they are not ``size`` bytes with this SHA-256 (the file changed while it was being
    copied in) :class:`InvalidInput` is raised and the caller's transaction rolls back.
    """
    if size > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(too_large_message(filename, size))
    att = Attachment(id=id, filename=filename, media_type=media_type, size=size, sha256=sha256,
                     content=func.zeroblob(size), added_at=added_at or utcnow())
    session.add(att)
    session.flush()
    digest, written = hashlib.sha256(), 0
    changed = InvalidInput(f"{filename} changed while it was being copied into the document; "
                           "try again.")
    with blob_open(driver_connection(session), "attachments", "content", att.id) as blob:
        for chunk in chunks:
            if written + len(chunk) > size:
                raise changed
            blob.write(chunk)
            digest.update(chunk)
            written += len(chunk)
    if written != size or digest.hexdigest() != sha256:
        raise changed
    return att


def iter_attachment(session, attachment_id: int, chunk_size: int | None = None) -> Iterator[bytes]:
    """An attachment's bytes in chunks of ``BLOB_CHUNK``, read with SQLite's incremental blob I/O."""
    chunk_size = chunk_size or BLOB_CHUNK
    try:
        blob = blob_open(driver_connection(session), "attachments", "content", attachment_id,
                         readonly=True)
    except DB_ERRORS:
        # Not a BLOB (edited behind the app's back): read the value as it is.
        value = session.scalar(select(Attachment.content).where(Attachment.id == attachment_id))
        if isinstance(value, str):
            value = value.encode("utf-8")
        yield value or b""
        return
    with blob:
        while data := blob.read(chunk_size):
            yield data


def _store_attachment(session, source: AttachmentSource) -> Attachment:
    return write_attachment(session, filename=source.filename, media_type=source.media_type,
                            size=source.size, sha256=source.sha256, chunks=source.chunks())


def add_evidence(doc: Document, question_id: str, item: EvidenceInput,
                 attach: Path | str | None = None) -> EvidenceView:
    item = item.validated()
    file = _read_attachment(attach) if attach else None
    with doc.write() as session:
        require(doc, EDIT_ANSWERS, session)
        answer = answer_row(session, question_id)
        position = (session.scalar(select(func.max(EvidenceItem.position))
                                   .where(EvidenceItem.answer_id == answer.id)) or 0) + 1
        row = EvidenceItem(answer_id=answer.id, position=position, title=item.title,
                           kind=item.kind, date=item.date, source=item.source, note=item.note)
        if file:
            row.attachment = _store_attachment(session, file)
        session.add(row)
        session.flush()
        new = item.as_dict()
        if row.attachment:
            new["attachment"] = {"name": row.attachment.filename, "sha256": row.attachment.sha256}
        record(doc, session, "evidence.added", f"{question_id}/evidence/{row.id}", None, new)
        return evidence_view(row)


def _evidence_row(session, evidence_id: int) -> EvidenceItem:
    row = session.get(EvidenceItem, evidence_id)
    if row is None:
        raise InvalidInput("That evidence item no longer exists.")
    return row


def update_evidence(doc: Document, evidence_id: int, item: EvidenceInput, *,
                    attach: Path | str | None = None, remove_attachment: bool = False) -> EvidenceView:
    item = item.validated()
    file = _read_attachment(attach) if attach else None
    with doc.write() as session:
        require(doc, EDIT_ANSWERS, session)
        row = _evidence_row(session, evidence_id)
        old = EvidenceInput(row.title, row.kind, row.date, row.source, row.note).as_dict()
        old_att = row.attachment
        if old_att:
            old["attachment"] = {"name": old_att.filename, "sha256": old_att.sha256}
        row.title, row.kind, row.date, row.source, row.note = (
            item.title, item.kind, item.date, item.source, item.note)
        if file or remove_attachment:
            row.attachment = _store_attachment(session, file) if file else None
            if old_att is not None:
                session.delete(old_att)
        session.flush()
        new = item.as_dict()
        if row.attachment:
            new["attachment"] = {"name": row.attachment.filename, "sha256": row.attachment.sha256}
        if new != old:
            record(doc, session, "evidence.changed",
                   f"{row.answer.question_id}/evidence/{row.id}", old, new)
        return evidence_view(row)


def remove_evidence(doc: Document, evidence_id: int) -> None:
    with doc.write() as session:
        require(doc, EDIT_ANSWERS, session)
        row = _evidence_row(session, evidence_id)
        old = EvidenceInput(row.title, row.kind, row.date, row.source, row.note).as_dict()
        target = f"{row.answer.question_id}/evidence/{row.id}"
        att = row.attachment
        if att:
            old["attachment"] = {"name": att.filename, "sha256": att.sha256}
        session.delete(row)
        if att is not None:
            session.delete(att)
        record(doc, session, "evidence.removed", target, old, None)


def attachment_content(doc: Document, attachment_id: int) -> tuple[AttachmentView, bytes]:
    with doc.read() as session:
        att = session.get(Attachment, attachment_id)
        if att is None:
            raise InvalidInput("That attachment no longer exists.")
        content = att.content
        if hashlib.sha256(content).hexdigest() != att.sha256:
            raise InvalidInput(f"The attached file {att.filename} is damaged (its checksum does not match).")
        return attachment_view(att), content


def attachment_to_temp(doc: Document, attachment_id: int) -> Path:
    """Write an attachment to a private temporary folder, for the system viewer.

    Streamed in chunks through :func:`scrutiny_desktop.atomic.atomic_write` and checked
    against its SHA-256 on the way: a damaged attachment leaves nothing behind.
    """
    from scrutiny_desktop.atomic import atomic_write

    with doc.read() as session:
        att = session.get(Attachment, attachment_id)
        if att is None:
            raise InvalidInput("That attachment no longer exists.")
        view = attachment_view(att)
        folder = Path(tempfile.mkdtemp(prefix="scrutiny-attachment-"))
        name = Path(view.filename).name
        target = folder / (name if name not in ("", ".", "..") else "attachment")
        digest = hashlib.sha256()
        try:
            with atomic_write(target, overwrite=False) as fh:
                for chunk in iter_attachment(session, attachment_id):
                    digest.update(chunk)
                    fh.write(chunk)
                if digest.hexdigest() != view.sha256:
                    raise InvalidInput(f"The attached file {view.filename} is damaged (its "
                                       "checksum does not match).")
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    target.chmod(0o400)
    return target
