"""Whole-document checks: is this file exactly what the app wrote?

Beyond SQLite's own ``integrity_check`` this catches changes made behind the
app's back (with a SQLite shell, say): a value of the wrong kind in any column
(a date that does not parse, text where a number or a file's bytes belong), an
edited or removed audit row, an attachment whose bytes no longer match its
SHA-256 or size, a sign-off or countersignature record that differs from the
audit row written when it was made, a status that disagrees with the
signatures, and signed content that no longer matches its fingerprint.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from dataclasses import dataclass

from sqlalchemy import Integer, LargeBinary, select
from sqlalchemy.exc import SQLAlchemyError

from scrutiny_desktop.storage import audit
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import (
    Answer,
    Assessment,
    AuditEntry,
    Base,
    Countersignature,
    ISODate,
    SignOff,
    Status,
    UTCDateTime,
)


@dataclass(frozen=True)
class IntegrityReport:
    ok: bool
    problem: str = ""
    audit_rows: int = 0


def _sqlite_problem(doc: Document) -> str:
    conn = doc.raw()
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if rows != ["ok"]:
            return "the database is damaged (its pages failed the integrity check)"
        problem = _attachments_problem(conn) or _values_problem(conn)
        if problem:
            return problem
    except sqlite3.DatabaseError as exc:
        return f"the database is damaged ({exc})"
    finally:
        conn.close()
    return ""


def _attachments_problem(conn: sqlite3.Connection) -> str:
    """Every attachment is stored as bytes, of its recorded size and SHA-256."""
    for att_id, name, size, digest, kind, length in conn.execute(
            "SELECT id, filename, size, sha256, typeof(content), length(CAST(content AS BLOB)) "
            "FROM attachments ORDER BY id"):
        label = repr(name) if isinstance(name, str) else f"number {att_id}"
        if kind != "blob":
            what = {"text": "text", "null": "nothing"}.get(kind, "a number")
            return f"the attached file {label} is stored as {what}, not as the file's bytes"
        sha = hashlib.sha256()
        blob = conn.blobopen("attachments", "content", att_id, readonly=True)
        with blob:
            while chunk := blob.read(1024 * 1024):
                sha.update(chunk)
        if sha.hexdigest() != digest or size != length:
            return f"the attached file {label} was changed after it was attached"
    return ""


_WHAT = {"integer": "a whole number", "real": "a decimal number", "text": "text",
         "blob": "binary data", "null": "nothing"}


def _expected(column) -> tuple[str, str]:
    """(SQLite storage class, words) a column of the model must hold."""
    kind = type(column.type)
    if kind is UTCDateTime:
        return "text", "a date and time"
    if kind is ISODate:
        return "text", "a date"
    if issubclass(kind, Integer):
        return "integer", "a whole number"
    if issubclass(kind, LargeBinary):
        return "blob", "binary data"
    return "text", "text"


def _parses(kind: type, value: str) -> bool:
    try:
        if kind is UTCDateTime:
            return dt.datetime.fromisoformat(value).tzinfo is not None
        if kind is ISODate:
            return len(value) == 10 and bool(dt.date.fromisoformat(value))
    except (ValueError, TypeError, OverflowError):
        return False
    return True


def _values_problem(conn: sqlite3.Connection) -> str:
    """Every value of every column is of the kind the app stores there: whole numbers,
    UTF-8 text, dates and times that parse, bytes; NULL only where allowed.  (What a
    SQLite shell or a damaged page can put anywhere, and what would otherwise stop
    the app reading the document.)"""
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            storage, words = _expected(column)
            allowed = [storage] + (["null"] if column.nullable else [])
            quoted = ", ".join(f"'{a}'" for a in allowed)
            where = f'"{table.name}"."{column.name}"'
            row = conn.execute(
                f'SELECT rowid, typeof({where}) FROM "{table.name}" '
                f"WHERE typeof({where}) NOT IN ({quoted}) LIMIT 1").fetchone()
            if row is not None:
                return (f"{table.name}.{column.name} of row {row[0]} holds "
                        f"{_WHAT.get(row[1], row[1])} where {words} belongs")
            if storage != "text":
                continue
            kind = type(column.type)
            for rowid, raw in conn.execute(
                    f'SELECT rowid, CAST({where} AS BLOB) FROM "{table.name}" '
                    f"WHERE typeof({where}) = 'text'"):
                try:
                    value = (raw or b"").decode("utf-8")
                except UnicodeDecodeError:
                    return f"{table.name}.{column.name} of row {rowid} holds text that cannot be read"
                if not _parses(kind, value):
                    return (f"{table.name}.{column.name} of row {rowid} holds "
                            f"{_shown(value)} where {words} belongs")
    return ""


def values_problem(doc: Document) -> str:
    """The first stored value of the wrong kind (see ``_values_problem``), or ""."""
    conn = doc.raw()
    try:
        return _values_problem(conn)
    except sqlite3.DatabaseError as exc:
        return f"the database is damaged ({exc})"
    finally:
        conn.close()


def _shown(value: str) -> str:
    text = value if len(value) <= 40 else value[:40] + "…"
    return repr(text)


def _png_sha(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data else None


def _signature_problem(rows, entries, what: str) -> str:
    """Each signature row must match the audit row written when it was made."""
    if len(rows) != len(entries):
        return f"the {what} records do not match the audit log"
    for row, entry in zip(rows, entries, strict=True):
        try:
            new = json.loads(entry.new_value or "{}")
        except ValueError:
            return f"the audit row for a {what} is unreadable"
        expected = {"name": row.name, "role": row.role, "statement": row.statement,
                    "fingerprint": row.fingerprint, "signature_sha256": _png_sha(row.signature_png)}
        if any(new.get(k) != v for k, v in expected.items()):
            return f"a {what} record was changed after it was made"
    return ""


def _void_problem(rows, entries, key: str, what: str) -> str:
    voids = {}
    for entry in entries:
        try:
            old, new = json.loads(entry.old_value or "{}"), json.loads(entry.new_value or "{}")
        except ValueError:
            continue
        voids[old.get(key)] = new.get("reason")
    for row in rows:
        if row.voided_at is not None and voids.get(row.id) != row.void_reason:
            return f"a voided {what} does not match the audit log"
        if row.voided_at is None and row.id in voids:
            return f"a {what} that was voided is marked as in force"
    return ""


def _records_problem(doc: Document) -> str:
    from scrutiny_desktop.services.common import NO_ASSESSMENT_ROW, template_of
    from scrutiny_desktop.services.fingerprint import content_fingerprint, countersign_fingerprint

    with doc.read() as session:
        a = session.get(Assessment, 1)
        if a is None:
            return NO_ASSESSMENT_ROW
        signoffs = session.scalars(select(SignOff).order_by(SignOff.id)).all()
        counters = session.scalars(select(Countersignature).order_by(Countersignature.id)).all()
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        judgements = session.execute(select(Answer.question_id, Answer.judgement)).all()
        by_action: dict[str, list[AuditEntry]] = {}
        for e in entries:
            by_action.setdefault(e.action, []).append(e)
        for problem in (
            _signature_problem(signoffs, by_action.get("assessment.signed_off", []), "sign-off"),
            _signature_problem(counters, by_action.get("review.countersigned", []), "countersignature"),
            _void_problem(signoffs, by_action.get("assessment.reopened", []), "signoff", "sign-off"),
            _void_problem(counters, by_action.get("review.reopened", []), "countersignature",
                          "countersignature"),
        ):
            if problem:
                return problem
        signed = [s for s in signoffs if s.voided_at is None]
        countersigned = [c for c in counters if c.voided_at is None]
        status = a.status
    template = template_of(doc)
    bad = [qid for qid, j in judgements if not template.is_valid_judgement(j)]
    if bad:
        return f"judgements not on the checklist's scale were recorded for {', '.join(bad[:5])}"
    if (status != Status.DRAFT) != bool(signed) or (status == Status.REVIEWED) != bool(countersigned):
        return f"its status ({status}) does not agree with its signatures"
    if signed and content_fingerprint(doc) != signed[-1].fingerprint:
        return "the signed content was changed after it was signed off"
    if countersigned and countersign_fingerprint(doc) != countersigned[-1].fingerprint:
        return "the partnership's response was changed after it was countersigned"
    return ""


def integrity_report(doc: Document) -> IntegrityReport:
    """Everything above, first problem first."""
    problem = _sqlite_problem(doc)
    if problem:
        return IntegrityReport(False, problem)
    try:
        with doc.read() as session:
            chain = audit.verify_chain(session)
        if not chain.ok:
            return IntegrityReport(False, f"the audit log has been tampered with: {chain.problem}",
                                   chain.rows)
        problem = _records_problem(doc)
    except (SQLAlchemyError, ValueError, TypeError, OverflowError) as exc:
        detail = " ".join(str(getattr(exc, "orig", None) or exc).split())[:160]
        return IntegrityReport(False, f"its contents cannot be read ({detail})")
    if problem:
        return IntegrityReport(False, f"it was changed outside Scrutiny Desktop: {problem}", chain.rows)
    return IntegrityReport(True, "", chain.rows)
