"""Whole-document checks: is this file exactly what the app wrote?

Beyond SQLite's own ``integrity_check`` this catches changes made behind the
app's back (with a SQLite shell, say): a value of the wrong kind in any column
(a date that does not parse, text where a number or a file's bytes belong), an
edited or removed audit row, an attachment whose bytes no longer match its
SHA-256 or size, a sign-off or countersignature record that differs from the
audit row written when it was made, a status that disagrees with the
signatures, and signed content that no longer matches its fingerprint.

Format 2 adds: the schema objects the app relies on (its tables and columns, and
the audit triggers with their exact SQL; no others), every stored key signature
checked against its recomputed payload (see docs/json-format.md), the signing
time and certificate of each signature against its audit row, review rows
(comments, decisions) against the audit rows that wrote them, and
``assessments.modified_at`` against the newest audit row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import Integer, LargeBinary, select
from sqlalchemy.exc import SQLAlchemyError

from scrutiny_desktop.storage import audit
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import (
    AUDIT_TRIGGERS,
    Answer,
    Assessment,
    AuditEntry,
    Base,
    Countersignature,
    ISODate,
    RecommendationResponse,
    ReviewComment,
    SignOff,
    Status,
    UTCDateTime,
)
from scrutiny_desktop.storage.sqlite import DATABASE_ERRORS, Connection, blob_open


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
        problem = _schema_problem(conn) or _attachments_problem(conn) or _values_problem(conn)
        if problem:
            return problem
    except DATABASE_ERRORS as exc:
        return f"the database is damaged ({exc})"
    finally:
        conn.close()
    return ""


def _trigger_name(sql: str) -> str:
    return sql.split()[2]


def _schema_problem(conn: Connection) -> str:
    """The tables and columns of the models, and exactly the audit triggers, as the app
    made them (a dropped or altered trigger would let the audit log be rewritten)."""
    objects = {(kind, name): sql for kind, name, sql in conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}
    for table in Base.metadata.sorted_tables:
        if ("table", table.name) not in objects:
            return f"the table {table.name} is missing"
        have = {r[1] for r in conn.execute(f'PRAGMA table_info("{table.name}")')}
        want = {c.name for c in table.columns}
        if have != want:
            return f"the columns of the table {table.name} are not the ones the app made"
    expected = {_trigger_name(sql): sql for sql in AUDIT_TRIGGERS}
    for name, sql in expected.items():
        found = objects.get(("trigger", name))
        if found is None:
            return f"the audit log's protection (trigger {name}) was removed"
        if " ".join(found.split()) != " ".join(sql.split()):
            return f"the audit log's protection (trigger {name}) was altered"
    for (kind, name) in objects:
        if kind in ("trigger", "view") and name not in expected:
            return f"a {kind} the app never makes ({name}) was added"
    return ""


def _attachments_problem(conn: Connection) -> str:
    """Every attachment is stored as bytes, of its recorded size and SHA-256."""
    for att_id, name, size, digest, kind, length in conn.execute(
            "SELECT id, filename, size, sha256, typeof(content), length(CAST(content AS BLOB)) "
            "FROM attachments ORDER BY id"):
        label = repr(name) if isinstance(name, str) else f"number {att_id}"
        if kind != "blob":
            what = {"text": "text", "null": "nothing"}.get(kind, "a number")
            return f"the attached file {label} is stored as {what}, not as the file's bytes"
        sha = hashlib.sha256()
        blob = blob_open(conn, "attachments", "content", att_id, readonly=True)
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


def _allowed(column, storage: str) -> str:
    """The SQLite storage classes ``column`` may hold, quoted for ``typeof(...) IN``."""
    return ", ".join(f"'{a}'" for a in [storage] + (["null"] if column.nullable else []))


def _parses(kind: type, value: str) -> bool:
    try:
        if kind is UTCDateTime:
            return dt.datetime.fromisoformat(value).tzinfo is not None
        if kind is ISODate:
            return len(value) == 10 and bool(dt.date.fromisoformat(value))
    except (ValueError, TypeError, OverflowError):
        return False
    return True


def _values_problem(conn: Connection) -> str:
    """Every value of every column is of the kind the app stores there: whole numbers,
    UTF-8 text, dates and times that parse, bytes; NULL only where allowed.  (What a
    SQLite shell or a damaged page can put anywhere, and what would otherwise stop
    the app reading the document.)

    Each table is first looked at whole (:func:`_table_sound`): one query for the kinds
    and one read of its text.  Only when something is off does the search column by
    column, which names the first wrong value, run.  A document worked on for weeks
    holds thousands of audit rows, and this is read at every open (issue 17)."""
    if all(_table_sound(conn, table) for table in Base.metadata.sorted_tables):
        return ""
    return _first_wrong_value(conn)


def _table_sound(conn: Connection, table) -> bool:
    """Whether every value of ``table`` is of its column's kind (see
    :func:`_values_problem`): false for anything :func:`_first_wrong_value` would name."""
    name = table.name
    wrong_kind: list[str] = []
    text: list[str] = []
    dated: list[tuple[int, type]] = []
    for column in table.columns:
        storage, _words = _expected(column)
        wrong_kind.append(f'typeof("{column.name}") NOT IN ({_allowed(column, storage)})')
        if storage == "text":
            if type(column.type) in (UTCDateTime, ISODate):
                dated.append((len(text), type(column.type)))
            text.append(f'"{column.name}"')
    if conn.execute(f'SELECT 1 FROM "{name}" WHERE {" OR ".join(wrong_kind)} LIMIT 1').fetchone():
        return False
    if not text:
        return True
    try:  # the driver decodes each text as UTF-8, strictly, as the search does
        rows = conn.execute(f'SELECT {", ".join(text)} FROM "{name}"').fetchall()
    except DATABASE_ERRORS:
        return False
    return all(row[i] is None or _parses(kind, row[i]) for i, kind in dated for row in rows)


def _first_wrong_value(conn: Connection) -> str:
    """The first value of the wrong kind, column by column, in words (see
    :func:`_values_problem`)."""
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            storage, words = _expected(column)
            where = f'"{table.name}"."{column.name}"'
            row = conn.execute(
                f'SELECT rowid, typeof({where}) FROM "{table.name}" '
                f"WHERE typeof({where}) NOT IN ({_allowed(column, storage)}) LIMIT 1").fetchone()
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
    except DATABASE_ERRORS as exc:
        return f"the database is damaged ({exc})"
    finally:
        conn.close()


def _shown(value: str) -> str:
    text = value if len(value) <= 40 else value[:40] + "…"
    return repr(text)


def _sha_or_none(data: bytes | None) -> str | None:
    """SHA-256 of a drawn signature or a signed PDF, as the audit log records it."""
    return hashlib.sha256(data).hexdigest() if data else None


#: How far a signing time may be from the time of its audit row.
_CLOCK_SLACK = dt.timedelta(seconds=60)


def _signature_problem(rows, entries, what: str) -> str:
    """Each signature row must match the audit row written when it was made: who, the
    statement, the fingerprint, the drawn signature, the signing time, (format 2) the
    certificate and (format 3) the SHA-256 of the signed PDF."""
    if len(rows) != len(entries):
        return f"the {what} records do not match the audit log"
    if not rows:
        return ""  # nothing signed: no need to load the certificate code (issue 17)
    from scrutiny_desktop.services.fingerprint import _time
    from scrutiny_desktop.services.identity import certificate_fingerprint

    for row, entry in zip(rows, entries, strict=True):
        try:
            new = json.loads(entry.new_value or "{}")
            logged_at = dt.datetime.fromisoformat(entry.at)
        except ValueError:
            return f"the audit row for a {what} is unreadable"
        expected = {"name": row.name, "role": row.role, "statement": row.statement,
                    "fingerprint": row.fingerprint, "signature_sha256": _sha_or_none(row.signature_png)}
        if any(new.get(k) != v for k, v in expected.items()):
            return f"a {what} record was changed after it was made"
        signed_at = _time(row.signed_at)
        if ("signed_at" in new and new["signed_at"] != signed_at) \
                or abs(row.signed_at - logged_at) > _CLOCK_SLACK:
            return (f"the {what} by {row.name} says it was made at {signed_at}, but the audit "
                    f"log recorded it at {entry.at}")
        logged_cert = new.get("certificate_sha256")
        cert = certificate_fingerprint(row.certificate_der) if row.certificate_der else None
        if logged_cert != cert:
            if logged_cert and cert:
                return (f"the {what} by {row.name} is signed with a different certificate "
                        f"({cert}) than the one recorded in the audit log when it was made "
                        f"({logged_cert})")
            if logged_cert:
                return (f"the {what} by {row.name} was made with the certificate {logged_cert}, "
                        "but its signature and certificate were removed")
            return (f"the {what} by {row.name} carries a certificate the audit log never "
                    "recorded")
        if (new.get("signed_payload_version") or 0) != (row.signed_payload_version or 0):
            return f"the {what} by {row.name} does not match the audit log (payload version)"
        # Format 3: the signed PDF kept with it is the one made when it was signed.
        if new.get("signed_pdf_sha256") != _sha_or_none(row.signed_pdf):
            return (f"the signed PDF kept with the {what} by {row.name} is not the one made "
                    "when it was signed")
    return ""


def _void_problem(rows, entries, key: str, what: str) -> str:
    voids = {}
    for entry in entries:
        try:
            old, new = json.loads(entry.old_value or "{}"), json.loads(entry.new_value or "{}")
        except ValueError:
            continue
        voids[old.get(key)] = new.get("reason")
    bys = {}
    for entry in entries:
        try:
            old, new = json.loads(entry.old_value or "{}"), json.loads(entry.new_value or "{}")
        except ValueError:
            continue
        if "by" in new:
            bys[old.get(key)] = new["by"]
    for row in rows:
        if row.voided_at is not None and voids.get(row.id) != row.void_reason:
            return f"a voided {what} does not match the audit log"
        if row.voided_at is not None and row.id in bys and bys[row.id] != row.voided_by:
            return f"the {what} by {row.name} says it was voided by someone the audit log does not"
        if row.voided_at is None and row.id in voids:
            return f"a {what} that was voided is marked as in force"
        if row.voided_at is None and (row.voided_by or row.void_reason):
            return (f"the {what} in force (by {row.name}) is marked as voided by "
                    f"{row.voided_by or 'someone'}, which the audit log never recorded")
    return ""


def _latest(entries, action: str) -> dict[str, AuditEntry]:
    out: dict[str, AuditEntry] = {}
    for e in entries:
        if e.action == action:
            out[e.target] = e
    return out


def _review_problem(session, entries) -> str:
    """Every review row must be what the newest audit row for it wrote."""
    comments = _latest(entries, "review.comment")
    overall = _latest(entries, "review.overall_response").get("assessment")
    for c in session.scalars(select(ReviewComment).order_by(ReviewComment.id)):
        entry = overall if c.question_id is None else comments.get(c.question_id)
        what = "the overall response" if c.question_id is None else f"the comment on {c.question_id}"
        if entry is None or (entry.new_value or "") != (c.text or ""):
            return f"{what} is not what the audit log recorded (it was added or changed outside the app)"
    responses = {}
    for e in entries:
        if e.action == "review.response":
            responses[e.target.rsplit("/", 1)[-1]] = e
    from scrutiny_desktop.storage.models import Recommendation

    for r in session.scalars(select(RecommendationResponse).order_by(RecommendationResponse.id)):
        entry = responses.get(str(r.recommendation_id))
        expected = {"decision": r.decision, "detail": r.detail, "action_owner": r.action_owner,
                    "action_due": r.action_due.isoformat() if r.action_due else None}
        try:
            logged = json.loads(entry.new_value or "null") if entry is not None else None
        except ValueError:
            logged = None
        if logged != expected:
            rec = session.get(Recommendation, r.recommendation_id)
            where = f" on {rec.answer.question_id}" if rec is not None else ""
            return (f"the partnership's decision on a recommendation{where} is not what the audit "
                    "log recorded (it was added or changed outside the app)")
    return ""


def _summary_problem(session, entries) -> str:
    """Every part of the summary must be what the newest audit row for it wrote."""
    from scrutiny_desktop.services.common import audit_text
    from scrutiny_desktop.storage.models import SummaryPart

    logged: dict[str, AuditEntry] = {}
    for e in entries:
        if e.action in ("summary.text", "summary.overall_judgement"):
            logged[e.target] = e
    for row in session.scalars(select(SummaryPart).order_by(SummaryPart.id)):
        entry = logged.get(row.part)
        if entry is None or (entry.new_value or "") != (audit_text(row.text) or ""):
            what = row.part.replace("section/", "the summary of section ").replace("_", " ")
            return f"{what} is not what the audit log recorded (it was added or changed outside the app)"
    return ""


def _modified_problem(a: Assessment, entries) -> str:
    """``modified_at`` is written with every audit row: it must be that row's time."""
    if not entries:
        return ""
    try:
        last = dt.datetime.fromisoformat(entries[-1].at)
    except ValueError:
        return "the newest audit row's time is unreadable"
    if abs(a.modified_at - last) > _CLOCK_SLACK:
        return (f"the document's last-modified time ({a.modified_at.isoformat()}) does not "
                f"match its newest audit row ({entries[-1].at})")
    return ""


#: The audit actions whose rows :func:`_records_problem` compares with the records.
_CHECKED_ACTIONS = (
    "assessment.signed_off", "review.countersigned", "assessment.reopened", "review.reopened",
    "review.comment", "review.overall_response", "review.response",
    "summary.text", "summary.overall_judgement",
)


def _records_problem(doc: Document) -> str:
    from scrutiny_desktop.services.common import NO_ASSESSMENT_ROW, template_of
    from scrutiny_desktop.services.fingerprint import content_fingerprint, countersign_fingerprint

    with doc.read() as session:
        a = session.get(Assessment, 1)
        if a is None:
            return NO_ASSESSMENT_ROW
        signoffs = session.scalars(select(SignOff).order_by(SignOff.id)).all()
        counters = session.scalars(select(Countersignature).order_by(Countersignature.id)).all()
        # Only the rows the checks below read: not the thousands of edits to answers.
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action.in_(_CHECKED_ACTIONS))
                                  .order_by(AuditEntry.seq)).all()
        newest = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).all()
        judgements = session.execute(select(Answer.question_id, Answer.judgement)).all()
        directions = session.execute(select(Answer.question_id, Answer.direction)
                                     .where(Answer.direction.is_not(None))).all()
        by_action: dict[str, list[AuditEntry]] = {}
        for e in entries:
            by_action.setdefault(e.action, []).append(e)
        for problem in (
            _signature_problem(signoffs, by_action.get("assessment.signed_off", []), "sign-off"),
            _signature_problem(counters, by_action.get("review.countersigned", []), "countersignature"),
            _void_problem(signoffs, by_action.get("assessment.reopened", []), "signoff", "sign-off"),
            _void_problem(counters, by_action.get("review.reopened", []), "countersignature",
                          "countersignature"),
            _review_problem(session, entries),
            _summary_problem(session, entries),
            _modified_problem(a, newest),
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
    from scrutiny_desktop.checklist.model import DIRECTIONS

    odd = [qid for qid, d in directions if d not in dict(DIRECTIONS)]
    if odd:
        return f"directions of travel the app does not offer were recorded for {', '.join(odd[:5])}"
    if (status != Status.DRAFT) != bool(signed) or (status == Status.REVIEWED) != bool(countersigned):
        return f"its status ({status}) does not agree with its signatures"
    if signed and content_fingerprint(doc) != signed[-1].fingerprint:
        return "the signed content was changed after it was signed off"
    if countersigned and countersign_fingerprint(doc) != countersigned[-1].fingerprint:
        return "the partnership's response was changed after it was countersigned"
    for check in signature_checks(doc):
        if not check.voided and check.state == INVALID:
            return check.problem
    return ""


VALID = "valid"
INVALID = "invalid"
NO_KEY = "made without a key (format 1)"


@dataclass(frozen=True)
class SignatureCheck:
    """One stored signature and whether it verifies against the current content."""

    kind: str  # "sign-off" or "countersignature"
    name: str
    role: str
    signed_at: dt.datetime
    certificate_sha256: str  # "" for a format-1 record
    certificate_der: bytes | None
    voided: bool
    state: str  # VALID, INVALID or NO_KEY ("" for a voided record, not checked)
    problem: str = ""  # a sentence for INVALID


def _check_one(doc: Document, kind: str, row, payload_of) -> SignatureCheck:
    from scrutiny_desktop.services.fingerprint import signer_block
    from scrutiny_desktop.services.identity import certificate_fingerprint, verify_payload

    cert = row.certificate_der
    fp = certificate_fingerprint(cert) if cert else ""
    base = dict(kind=kind, name=row.name, role=row.role, signed_at=row.signed_at,
                certificate_sha256=fp, certificate_der=cert, voided=row.voided_at is not None)
    if row.voided_at is not None:
        return SignatureCheck(**base, state="")
    if not row.signed_payload_version:
        if row.signature or cert:
            return SignatureCheck(**base, state=INVALID, problem=(
                f"the {kind} by {row.name} carries a signature but says it was made without a key"))
        return SignatureCheck(**base, state=NO_KEY)
    if row.signed_payload_version != 1 or not row.signature or not cert:
        return SignatureCheck(**base, state=INVALID, problem=(
            f"the {kind} by {row.name} has no usable signature or certificate"))
    signer = signer_block(name=row.name, role=row.role, statement=row.statement,
                          signed_at=row.signed_at, certificate_sha256=fp)
    if verify_payload(cert, payload_of(signer), row.signature):
        return SignatureCheck(**base, state=VALID)
    return SignatureCheck(**base, state=INVALID, problem=(
        f"the {kind} by {row.name} no longer verifies: the signed record (answers, evidence, "
        "recommendations, details or the signer's own entry) is not what their certificate signed"))


def signature_checks(doc: Document) -> list[SignatureCheck]:
    """Every stored sign-off and countersignature, oldest first; the ones in force are
    verified against the payload recomputed from the document."""
    from scrutiny_desktop.services.fingerprint import countersignature_payload, signoff_payload

    with doc.read() as session:
        signoffs = session.scalars(select(SignOff).order_by(SignOff.id)).all()
        counters = session.scalars(select(Countersignature).order_by(Countersignature.id)).all()
        session.expunge_all()
    in_force = [s for s in signoffs if s.voided_at is None]
    signoff_sig = (in_force[-1].signature or b"") if in_force else b""
    out = [_check_one(doc, "sign-off", s, lambda signer: signoff_payload(doc, signer))
           for s in signoffs]
    out += [_check_one(doc, "countersignature", c,
                       lambda signer: countersignature_payload(doc, signer, signoff_sig))
            for c in counters]
    return out


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
