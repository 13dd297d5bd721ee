"""The append-only, hash-chained audit log.

Each row stores the SHA-256 of the row before it and of its own content, so
editing or removing a row breaks the chain.  The newest hash is mirrored in
``assessments.audit_head`` (with the row count) so that removing rows from the
end is detectable too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scrutiny_desktop.storage.models import Assessment, AuditEntry, utcnow

GENESIS = "0" * 64


def _canonical(entry: dict) -> str:
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, target: str,
               old_value: str | None, new_value: str | None) -> str:
    content = _canonical(
        {"seq": seq, "at": at, "actor": actor, "action": action, "target": target,
         "old": old_value, "new": new_value}
    )
    return hashlib.sha256((prev_hash + "\n" + content).encode("utf-8")).hexdigest()


def as_text(value) -> str | None:
    """How a value is written in the log: text as is, anything else as JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _next_row(head: str | None, count: int | None, actor: str, action: str, target: str,
              old, new, at: str) -> dict:
    """The column values of the audit row that follows ``head`` (the last row's hash)."""
    prev = head or GENESIS
    seq = (count or 0) + 1
    actor = actor or "unknown"
    old_t, new_t = as_text(old), as_text(new)
    return {"seq": seq, "at": at, "actor": actor, "action": action, "target": target,
            "old_value": old_t, "new_value": new_t, "prev_hash": prev,
            "row_hash": entry_hash(prev, seq, at, actor, action, target, old_t, new_t)}


def append(session: Session, actor: str, action: str, target: str = "",
           old=None, new=None) -> AuditEntry:
    """Add one audit row in the caller's transaction."""
    assessment = session.get(Assessment, 1)
    row = AuditEntry(**_next_row(
        assessment.audit_head if assessment else None,
        assessment.audit_count if assessment else None,
        actor, action, target, old, new, utcnow().isoformat(timespec="microseconds")))
    session.add(row)
    if assessment is not None:
        assessment.audit_head = row.row_hash
        assessment.audit_count = row.seq
    return row


_INSERT = ("INSERT INTO audit_entries (seq, at, actor, action, target, old_value, new_value, "
           "prev_hash, row_hash) VALUES (:seq, :at, :actor, :action, :target, :old_value, "
           ":new_value, :prev_hash, :row_hash)")


def append_raw(db, head: str | None, count: int | None, actor: str, action: str,
               target: str = "", old=None, new=None) -> None:
    """:func:`append` on a driver connection inside the caller's transaction
    (``Document.write_raw``), given the assessment's ``audit_head`` and
    ``audit_count`` as read in that transaction.  It also sets the assessment's
    head, count and modification time, as :func:`services.common.record` does."""
    at = utcnow().isoformat(timespec="microseconds")
    row = _next_row(head, count, actor, action, target, old, new, at)
    db.execute(_INSERT, row)
    db.execute("UPDATE assessments SET audit_head = ?, audit_count = ?, modified_at = ? "
               "WHERE id = 1", (row["row_hash"], row["seq"], at))


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    rows: int
    problem: str = ""


def verify_chain(session: Session) -> ChainReport:
    """Every row follows the one before it and hashes to what it says, and the
    assessment's head and count are the last row's.  Read as plain rows, not ORM
    objects: a document worked on for weeks holds thousands (issue 17)."""
    rows = session.execute(select(
        AuditEntry.seq, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.target,
        AuditEntry.old_value, AuditEntry.new_value, AuditEntry.prev_hash, AuditEntry.row_hash,
    ).order_by(AuditEntry.seq)).all()
    prev = GENESIS
    for expected_seq, (seq, at, actor, action, target, old, new, prev_hash, row_hash) \
            in enumerate(rows, start=1):
        if seq != expected_seq:
            return ChainReport(False, len(rows), f"audit entry {expected_seq} is missing")
        if prev_hash != prev:
            return ChainReport(False, len(rows), f"audit entry {seq} does not follow the one before it")
        if entry_hash(prev, seq, at, actor, action, target, old, new) != row_hash:
            return ChainReport(False, len(rows), f"audit entry {seq} was changed after it was written")
        prev = row_hash
    assessment = session.get(Assessment, 1)
    if assessment is not None and (
            assessment.audit_count != len(rows) or (assessment.audit_head or GENESIS) != prev):
        return ChainReport(False, len(rows), "audit entries were removed from the end of the log")
    return ChainReport(True, len(rows))
