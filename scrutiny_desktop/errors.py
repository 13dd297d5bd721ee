"""Typed errors for documents that cannot be opened or changed.

Every error's ``str()`` is one sentence a person can act on; the command line
prints it after ``error:`` and the app shows it in a dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class DocumentError(Exception):
    """Base class: something is wrong with the user's document."""

    def __init__(self, path: Path | str, message: str):
        self.path = Path(path)
        # Always one line: the CLI prints it after "error:", dialogs show it as is.
        super().__init__(" ".join(message.split()))


class DocumentNotFound(DocumentError):
    def __init__(self, path: Path | str):
        super().__init__(
            path, f"{path} does not exist. Check the name and folder, or choose the file with Open.")


class NotAFile(DocumentError):
    def __init__(self, path: Path | str):
        super().__init__(
            path,
            f"{path} is a folder, not an assessment document. Choose a .scrutiny file inside it.",
        )


class NotARegularFile(DocumentError):
    """A named pipe (FIFO), a device, a socket: never opened, so nothing can block."""

    def __init__(self, path: Path | str, kind: str = "not a regular file"):
        self.kind = kind
        super().__init__(
            path,
            f"{path} is not a regular file (it is {kind}), so it cannot be an assessment "
            "document. Choose a .scrutiny file.",
        )


class LinkLoop(DocumentError):
    """A symbolic link that leads back to itself (directly or through other links)."""

    def __init__(self, path: Path | str):
        super().__init__(
            path,
            f"{path} is a link that points back to itself (a loop of links), so there is no "
            "document behind it. Remove or fix the link, or choose the .scrutiny file itself.",
        )


class DocumentUnreadable(DocumentError):
    """The operating system refuses to let this user read the file."""

    def __init__(self, path: Path | str):
        super().__init__(
            path,
            f"{path} cannot be opened because you do not have permission to read it. "
            "Ask the owner of the file for access, or check the file's permissions.",
        )


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


class LockHolder(Protocol):
    """Who holds an editing lock, as an error needs it (``storage.lockfile.Holder``;
    named by what it does, as this module imports nothing from ``storage``)."""

    def describe(self) -> str: ...


class DocumentInUse(DocumentError):
    """Someone else is editing the document.

    ``holder`` describes them ("alex on PC-12 since 05 January 2026 09:30"), or is
    "" for another program writing the file right now.  ``holder_info`` is the
    editing lock's :class:`~scrutiny_desktop.storage.lockfile.Holder`, or None for
    a SQLite-level writer.  ``can_take_over`` is True only when the holder's
    liveness cannot be checked from here (a lock from another computer); a live
    Scrutiny Desktop process on this computer or a program writing the file now
    cannot be taken over.
    """

    def __init__(self, path: Path | str, holder: str = "", *, holder_info: LockHolder | None = None,
                 can_take_over: bool = False):
        who = f" by {holder}" if holder else " by another program"
        self.holder = holder
        self.holder_info = holder_info
        self.can_take_over = can_take_over
        then = ("Close it there and try again, open it read-only, or take over editing if it "
                "is no longer open there." if can_take_over else
                "Close it there and try again, or open it read-only.")
        super().__init__(path, f"{path} is being changed{who}. {then}")


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
    """A change (or a new document) could not be written.  ``detail`` is what SQLite or
    the operating system said; ``sqlite_errorcode`` and ``errno`` keep the code it came
    with, so the failure can be told apart without reading the words."""

    def __init__(self, path: Path | str, detail: str, *, retry: bool = True,
                 sqlite_errorcode: int | None = None, errno: int | None = None):
        self.detail = detail
        self.sqlite_errorcode = sqlite_errorcode
        self.errno = errno
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


class PassphraseNeeded(DocumentError):
    """An encrypted document was opened without a passphrase."""

    def __init__(self, path: Path | str):
        super().__init__(path, f"{Path(path).name} is encrypted. Enter its passphrase to open it.")


class WrongPassphrase(DocumentError):
    """The passphrase given does not decrypt the document (which is left as it was)."""

    def __init__(self, path: Path | str):
        super().__init__(
            path,
            f"That passphrase does not open {Path(path).name}. Nothing was changed; check it "
            "and try again (capital letters count).",
        )


class PassphraseTooWeak(InvalidInput):
    """A new passphrase that is too short or too easily guessed."""


class FileWriteFailed(DocumentError, OSError):
    """A file the app was asked to write (an export, an imported document) could not be
    written: the sentence names the file and its folder and says what to do.  Also an
    ``OSError`` (with the original ``errno``), as it is one."""

    def __init__(self, path: Path | str, message: str, errno: int | None = None):
        super().__init__(path, message)
        self.errno = errno


class FileReadFailed(DocumentError, InvalidInput):
    """A file given to read (a JSON export, an attachment) is missing, unreadable or not a
    regular file: the sentence names it and says what to do."""

    def __init__(self, path: Path | str, message: str):
        super().__init__(path, message)


class IdentityError(InvalidInput):
    """A signing certificate (PKCS#12) that cannot be used: one line saying why."""

    def __init__(self, path: Path | str, message: str):
        self.path = Path(path)
        super().__init__(" ".join(message.split()))
