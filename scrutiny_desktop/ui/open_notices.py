"""What the window says when it opens a document: notices for the banner and status bar.

Plain functions from what opening found (the document, or why it is in use) to
sentences, kept apart from the window so the wording has one home.
"""

from __future__ import annotations

from scrutiny_desktop.errors import DocumentInUse
from scrutiny_desktop.storage import Document


def in_use_banner(exc: DocumentInUse) -> tuple[str, str]:
    """(reason the file is read-only, banner text) for a file someone else holds."""
    holder = exc.holder_info
    who = f" by {holder.describe()}" if holder else (
        f" by {exc.holder}" if exc.holder else " by another program")
    if exc.can_take_over:
        return f"it is open{who}", (
            f"Read-only: this assessment is open{who}, according to the lock file beside it. "
            "If they have finished, or their computer stopped without closing it, you can take "
            "over editing; otherwise ask them to close it, or use File > Save a copy to edit a "
            "copy.")
    return f"it is open{who}", (
        f"Read-only: this assessment is open{who}. Nothing can be changed here. Ask them to "
        "close it and open it again, or use File > Save a copy to edit a copy.")


TAKE_OVER_WARNING = (
    "Take over editing of this assessment?\n\nOnly do this if the person named in the notice "
    "has finished with it or their computer stopped without closing it. If they are still "
    "editing, changes made in two places at once can be lost. The take-over is recorded in the "
    "assessment's audit log.")


def opening_notes(doc: Document) -> list[str]:
    """What happened while opening: an upgrade, a recovery, a cleared or taken-over lock."""
    notes = []
    if doc.backup_path is not None:
        notes.append(f"Updated to this version's format; the original was kept as "
                     f"{doc.backup_path.name}.")
    if doc.recovered_interrupted_save:
        notes.append(doc.recovery_message)
    if doc.cleared_stale_lock is not None:
        notes.append(f"A lock left by {doc.cleared_stale_lock.describe()}, which is no longer "
                     "running, was cleared.")
    if doc.took_over_from is not None:
        notes.append(f"You took over editing from {doc.took_over_from.describe()}; this is "
                     "recorded in the audit log.")
    return notes


def damaged_text(name: str, exc: BaseException) -> str:
    """One line for a document that opened but whose contents cannot be shown."""
    detail = " ".join(str(getattr(exc, "orig", None) or exc).split())[:200].rstrip(".")
    advice = "" if "earlier copy" in detail else " Open an earlier copy or backup of it."
    return f"{name} is damaged and cannot be shown: {detail or type(exc).__name__}.{advice}"
