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


def append(session: Session, actor: str, action: str, target: str = "",
           old=None, new=None) -> AuditEntry:
    """Add one audit row in the caller's transaction."""
    assessment = session.get(Assessment, 1)
    prev = assessment.audit_head if assessment and assessment.audit_head else GENESIS
    seq = (assessment.audit_count if assessment else 0) + 1
    at = utcnow().isoformat(timespec="microseconds")
    old_t, new_t = as_text(old), as_text(new)
    row = AuditEntry(
        seq=seq, at=at, actor=actor or "unknown", action=action, target=target,
        old_value=old_t, new_value=new_t, prev_hash=prev,
        row_hash=entry_hash(prev, seq, at, actor or "unknown", action, target, old_t, new_t),
    )
    session.add(row)
    if assessment is not None:
        assessment.audit_head = row.row_hash
        assessment.audit_count = seq
    return row


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    rows: int
    problem: str = ""


def verify_chain(session: Session) -> ChainReport:
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    prev = GENESIS
    for expected_seq, row in enumerate(rows, start=1):
        if row.seq != expected_seq:
            return ChainReport(False, len(rows), f"audit entry {expected_seq} is missing")
        if row.prev_hash != prev:
            return ChainReport(False, len(rows), f"audit entry {row.seq} does not follow the one before it")
        recomputed = entry_hash(prev, row.seq, row.at, row.actor, row.action, row.target,
                                row.old_value, row.new_value)
        if recomputed != row.row_hash:
            return ChainReport(False, len(rows), f"audit entry {row.seq} was changed after it was written")
        prev = row.row_hash
    assessment = session.get(Assessment, 1)
    if assessment is not None and (
            assessment.audit_count != len(rows) or (assessment.audit_head or GENESIS) != prev):
        return ChainReport(False, len(rows), "audit entries were removed from the end of the log")
    return ChainReport(True, len(rows))
