"""Sign-off: who signed, when, and the fingerprint of what they signed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.models import SignOff


@dataclass(frozen=True)
class SignOffView:
    id: int
    name: str
    role: str
    signed_at: dt.datetime
    statement: str
    has_signature: bool
    fingerprint: str
    voided_at: dt.datetime | None
    voided_by: str
    void_reason: str

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


def _view(row: SignOff) -> SignOffView:
    return SignOffView(row.id, row.name, row.role, row.signed_at, row.statement,
                       row.signature_png is not None, row.fingerprint, row.voided_at,
                       row.voided_by, row.void_reason)


def history(doc: Document) -> list[SignOffView]:
    with doc.read() as session:
        return [_view(r) for r in session.scalars(select(SignOff).order_by(SignOff.id))]


def current_signoff(doc: Document) -> SignOffView | None:
    """The sign-off in force, if any (the newest one not voided)."""
    for view in reversed(history(doc)):
        if not view.voided:
            return view
    return None
