"""Whole-document checks: SQLite integrity and the audit chain."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from scrutiny_desktop.storage import audit
from scrutiny_desktop.storage.document import Document


@dataclass(frozen=True)
class IntegrityReport:
    ok: bool
    problem: str = ""
    audit_rows: int = 0


def integrity_report(doc: Document) -> IntegrityReport:
    """``PRAGMA integrity_check`` plus the audit hash chain."""
    conn = doc.raw()
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return IntegrityReport(False, f"the database is damaged ({exc})")
    finally:
        conn.close()
    if rows != ["ok"]:
        return IntegrityReport(False, f"the database is damaged ({rows[0]})")
    with doc.read() as session:
        chain = audit.verify_chain(session)
    if not chain.ok:
        return IntegrityReport(False, f"the audit log has been tampered with: {chain.problem}",
                               chain.rows)
    return IntegrityReport(True, "", chain.rows)
