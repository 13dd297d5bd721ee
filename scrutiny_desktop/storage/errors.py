"""Typed errors for documents that cannot be opened or changed.

Every error's ``str()`` is one sentence a person can act on; the command line
prints it after ``error:`` and the app shows it in a dialog.
"""

from __future__ import annotations

from pathlib import Path


class DocumentError(Exception):
    """Base class: something is wrong with the user's document."""

    def __init__(self, path: Path | str, message: str):
        self.path = Path(path)
        # Always one line: the CLI prints it after "error:", dialogs show it as is.
        super().__init__(" ".join(message.split()))


class DocumentNotFound(DocumentError):
    def __init__(self, path: Path | str):
        super().__init__(path, f"{path} does not exist. Check the name and folder, or choose the file with Open.")


class NotAFile(DocumentError):
    def __init__(self, path: Path | str):
        super().__init__(path, f"{path} is a folder, not an assessment document. Choose a .scrutiny file inside it.")


class NotADocument(DocumentError):
    """Not SQLite at all (empty, random bytes, a picture, a ZIP...)."""

    def __init__(self, path: Path | str, what: str = "not a Scrutiny Desktop document"):
        super().__init__(
            path,
            f"{path} is {what}. Open a .scrutiny file made by Scrutiny Desktop.",
        )


class ForeignDatabase(DocumentError):
    def __init__(self, path: Path | str):
        super().__init__(
            path,
            f"{path} is a database made by another program, not a Scrutiny Desktop document. "
            "Open a .scrutiny file made by Scrutiny Desktop.",
        )


class DocumentTooNew(DocumentError):
    def __init__(self, path: Path | str, found: int, supported: int):
        self.found = found
        self.supported = supported
        super().__init__(
            path,
            f"{path} was made by a newer version of Scrutiny Desktop (format {found}); "
            f"this version reads up to format {supported}. Install the newer version to open it.",
        )


class DocumentCorrupt(DocumentError):
    def __init__(self, path: Path | str, detail: str = ""):
        extra = f" ({detail})" if detail else ""
        super().__init__(
            path,
            f"{path} is damaged and cannot be opened safely{extra}. "
            "Open an earlier copy or backup of this assessment.",
        )


class DocumentInUse(DocumentError):
    def __init__(self, path: Path | str, holder: str = ""):
        who = f" by {holder}" if holder else " by another program"
        self.holder = holder
        super().__init__(
            path,
            f"{path} is being changed{who}. Close it there and try again, or open it read-only.",
        )


class DocumentReadOnly(DocumentError):
    def __init__(self, path: Path | str, reason: str = "it is open read-only"):
        super().__init__(
            path,
            f"{path} cannot be changed because {reason}. Use Save a copy to edit it.",
        )


class DocumentLocked(DocumentError):
    """A signed-off (or reviewed) document refuses changes to locked content."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(path, reason)


class DocumentWriteFailed(DocumentError):
    def __init__(self, path: Path | str, detail: str, *, retry: bool = True):
        then = " Your text is kept; saving will be retried." if retry else \
            " Choose a folder you can write to."
        super().__init__(path, f"Could not save to {path} ({detail}).{then}")


class DocumentNeedsRecovery(DocumentError):
    """A hot journal: a save was interrupted (crash, power cut, pulled USB stick)."""

    def __init__(self, path: Path | str):
        super().__init__(
            path,
            f"{path} was being saved when the program or computer stopped, so its last change "
            "was not finished. Open it in Scrutiny Desktop (not read-only) to recover it; "
            "everything saved before that change is kept.",
        )


class InvalidInput(ValueError):
    """Bad input from a person (a blank required field, an unknown option...)."""
