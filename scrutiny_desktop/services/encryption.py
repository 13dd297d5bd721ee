"""Encrypted assessments: passphrases, and encrypted or plain copies made safely.

An encrypted document is a SQLCipher 4 database keyed from a passphrase with
SQLCipher's own key derivation (see :mod:`scrutiny_desktop.storage.sqlite`).  The
passphrase is never stored: if it is lost, nothing can recover the document.

:func:`encrypt_copy`, :func:`decrypt_copy`, :func:`change_passphrase`,
:func:`encrypt_file` and :func:`decrypt_file` each make a NEW file: written under a
temporary name in the target's folder (SQLCipher's ``sqlcipher_export``), flushed to
disk, checked by opening it and comparing every table's rows, the audit chain and the
integrity check with the original, and only then given its name.  The original is
never rewritten in place: ``change_passphrase``, ``encrypt_file`` and ``decrypt_file``
replace it only after the new copy has been checked, and refuse while the document is
open for editing anywhere (its editing lock).  Each copy gets an audit row ("Encrypted
with a passphrase.", "The passphrase was changed.", "Encryption was removed.") when it
is in the current format (an older document keeps its format and its log as they are).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from scrutiny_desktop.errors import DocumentCorrupt, DocumentInUse, InvalidInput, PassphraseTooWeak
from scrutiny_desktop.services import assessments
from scrutiny_desktop.services.common import record
from scrutiny_desktop.storage import FORMAT_VERSION, lockfile
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.storage.fileformat import connect_ro, is_encrypted
from scrutiny_desktop.storage.sqlite import export_database, table_digests

__all__ = ["MIN_LENGTH", "change_passphrase", "check_new_passphrase", "decrypt_copy",
           "decrypt_file", "encrypt_copy", "encrypt_file", "is_encrypted", "strength"]

#: The shortest passphrase accepted for a new or changed one.
MIN_LENGTH = 10

#: Passphrases (and stems of them) that guessing programs try first.
_COMMON_TEXT = """
password passw0rd p@ssw0rd password1 password123 123456 1234567 12345678 123456789
1234567890 12345678910 qwerty qwertyuiop qwerty123 abc123 abcdef letmein welcome
welcome1 welcome123 iloveyou admin administrator monkey dragon football baseball
sunshine princess shadow master superman trustno1 changeme secret secret123 default
summer winter spring autumn safeguarding scrutiny scrutiny123 partnership children
liverpool chelsea arsenal london england 111111 000000 123123 654321 987654321
"""
_COMMON = frozenset(_COMMON_TEXT.split())

_HINT_SHORT = (f"Weak: use at least {MIN_LENGTH} characters; three or four unrelated words "
               "are strong and easy to remember.")


def _classes(text: str) -> int:
    return sum((any(c.islower() for c in text), any(c.isupper() for c in text),
                any(c.isdigit() for c in text), any(not c.isalnum() for c in text)))


def _is_common(text: str) -> bool:
    folded = text.casefold()
    bare = folded.rstrip("0123456789!?.")
    return folded in _COMMON or bare in _COMMON or len(set(folded)) <= 2


def strength(passphrase: str) -> tuple[int, str]:
    """How hard ``passphrase`` is to guess: a score from 0 (very weak) to 4 (strong) and
    one line of advice in plain words.  Judged from its length, the kinds of character
    it uses and a short list of passwords everyone tries first."""
    text = passphrase or ""
    if not text:
        return 0, _HINT_SHORT
    if _is_common(text):
        return 0, ("Very weak: this is one of the first passwords anyone would try. Use three "
                   "or four unrelated words instead.")
    length = len(text)
    if length < MIN_LENGTH:
        return (1 if length >= 6 else 0), _HINT_SHORT
    words = len([w for w in text.replace("-", " ").split() if w])
    score = 2
    if length >= 14 or (length >= 12 and _classes(text) >= 3):
        score = 3
    if length >= 20 or (length >= 16 and (_classes(text) >= 3 or words >= 3)):
        score = 4
    hints = {
        2: "Fair: longer is stronger; add another word or two.",
        3: "Good: a longer passphrase, such as four unrelated words, would be stronger still.",
        4: "Strong: keep it somewhere safe; nothing can open the file without it.",
    }
    return score, hints[score]


def check_new_passphrase(passphrase: str, repeat: str) -> None:
    """Raise ``InvalidInput`` (``PassphraseTooWeak`` when too short or too easily
    guessed) unless ``passphrase`` is fit to encrypt a document and ``repeat`` matches."""
    if not passphrase:
        raise PassphraseTooWeak("Enter a passphrase.")
    if "\x00" in passphrase:
        raise InvalidInput("The passphrase cannot contain a null character.")
    if passphrase != passphrase.strip():
        raise InvalidInput("The passphrase starts or ends with a space; remove it, as it is "
                           "easy to forget.")
    if len(passphrase) < MIN_LENGTH:
        raise PassphraseTooWeak(f"The passphrase is too short: use at least {MIN_LENGTH} "
                                "characters (three or four unrelated words are strong and easy "
                                "to remember).")
    if strength(passphrase)[0] == 0:
        raise PassphraseTooWeak("That passphrase is one of the first anyone would try. Use "
                                "three or four unrelated words instead.")
    if passphrase != repeat:
        raise InvalidInput("The two passphrases do not match. Type the same passphrase twice.")


_SAID = {
    "file.encrypted": "Encrypted with a passphrase.",
    "file.passphrase_changed": "The passphrase was changed.",
    "file.encryption_removed": "Encryption was removed.",
}


def _export_source(doc: Document) -> Path:
    """What to copy from: the file itself, or, after an interrupted save, the private
    copy with that save rolled back (an older format is copied as it is)."""
    return doc.db_path if doc.recovered_interrupted_save else doc.path


def _digests(path: Path, passphrase: str | None) -> tuple[dict[str, str], int, int]:
    conn = connect_ro(path, passphrase)
    try:
        return (table_digests(conn), int(conn.execute("PRAGMA user_version").fetchone()[0]),
                int(conn.execute("PRAGMA application_id").fetchone()[0]))
    finally:
        conn.close()


def _make_copy(doc: Document, tmp: Path, passphrase: str | None, action: str,
               actor: str) -> None:
    """Export the open document to ``tmp`` (encrypted with ``passphrase`` or plain),
    check it holds exactly the same, then add the audit row."""
    from scrutiny_desktop.services.integrity import integrity_report

    source = _export_source(doc)
    export_database(source, tmp, source_passphrase=doc.passphrase, target_passphrase=passphrase)
    if _digests(source, doc.passphrase) != _digests(tmp, passphrase):
        raise DocumentCorrupt(doc.path, "the new copy did not hold exactly the same records, so "
                                        "it was not kept")
    before = integrity_report(doc)
    with assessments.open_assessment(tmp, readonly=True, passphrase=passphrase) as copy:
        after = integrity_report(copy)
        current = copy.format_version >= FORMAT_VERSION
    if before.ok and not after.ok:
        raise DocumentCorrupt(doc.path, f"the new copy failed its check ({after.problem}), so "
                                        "it was not kept")
    if not (current and before.ok):
        return
    with assessments.open_assessment(tmp, actor=actor, passphrase=passphrase) as copy:
        with copy.write() as session:
            record(copy, session, action, "file", None, _SAID[action])
        final = integrity_report(copy)
    if not final.ok or final.audit_rows != before.audit_rows + 1:
        raise DocumentCorrupt(doc.path, "the new copy's audit log did not check out, so it was "
                                        "not kept")


def _new_copy(source: Path | str, target: Path | str, *, source_passphrase: str | None,
              passphrase: str | None, action: str, actor: str) -> Path:
    from scrutiny_desktop.atomic import atomic_path

    source, target = Path(source).expanduser(), Path(target).expanduser()
    if target.exists() and target.resolve() == source.resolve():
        raise InvalidInput("Choose a new file name for the copy; the original is kept as it is.")
    with assessments.open_assessment(source, readonly=True, actor=actor,
                                     passphrase=source_passphrase) as doc, \
            atomic_path(target, overwrite=False, tag="encrypting") as tmp:
        _make_copy(doc, tmp, passphrase, action, actor)
    return target


def encrypt_copy(source: Path | str, target: Path | str, passphrase: str, *,
                 source_passphrase: str | None = None, actor: str = "") -> Path:
    """A new, encrypted copy of ``source`` at ``target`` (which must not exist).  The
    source (plain, or encrypted with ``source_passphrase``) is only read."""
    if not passphrase:
        raise InvalidInput("Enter a passphrase.")
    return _new_copy(source, target, source_passphrase=source_passphrase, passphrase=passphrase,
                     action="file.encrypted", actor=actor)


def decrypt_copy(source: Path | str, target: Path | str, *, passphrase: str,
                 actor: str = "") -> Path:
    """A new, plain copy of the encrypted ``source`` at ``target`` (which must not exist)."""
    return _new_copy(source, target, source_passphrase=passphrase, passphrase=None,
                     action="file.encryption_removed", actor=actor)


def change_passphrase(path: Path | str, old: str, new: str, *, actor: str = "") -> Path:
    """Give the encrypted document at ``path`` a new passphrase: a new copy encrypted with
    ``new`` is made beside it, checked, and only then put in its place.  Refused
    (``DocumentInUse``) while the document is open for editing anywhere; a wrong ``old``
    raises ``WrongPassphrase`` and changes nothing."""
    if not new:
        raise InvalidInput("Enter the new passphrase.")
    _require_encrypted(path)
    return _replace(path, old, new, "file.passphrase_changed", actor)


def _require_encrypted(path: Path | str) -> None:
    if not is_encrypted(Path(path).expanduser()):
        raise InvalidInput(f"{Path(path).name} is not encrypted.")


def encrypt_file(path: Path | str, passphrase: str, *, actor: str = "") -> Path:
    """Encrypt the plain document at ``path`` in its place (File > Encrypt): an encrypted
    copy is made beside it, checked, and only then put in its place.  Refused while the
    document is open for editing anywhere."""
    if not passphrase:
        raise InvalidInput("Enter a passphrase.")
    if is_encrypted(Path(path).expanduser()):
        raise InvalidInput(f"{Path(path).name} is already encrypted; change its passphrase "
                           "instead.")
    return _replace(path, None, passphrase, "file.encrypted", actor)


def decrypt_file(path: Path | str, passphrase: str, *, actor: str = "") -> Path:
    """Remove the encryption of the document at ``path`` in its place (a plain copy is
    made beside it, checked, and only then put in its place)."""
    _require_encrypted(path)
    return _replace(path, passphrase, None, "file.encryption_removed", actor)


def _replace(path: Path | str, old: str | None, new: str | None, action: str,
             actor: str) -> Path:
    from scrutiny_desktop.atomic import atomic_path

    path = Path(path).expanduser()
    # Unlock (and check) first, so a wrong passphrase takes no lock and writes nothing.
    with assessments.open_assessment(path, readonly=True, passphrase=old):
        pass
    try:
        acquired = lockfile.acquire(path)
    except lockfile.LockHeld as exc:
        raise DocumentInUse(path, exc.holder.describe(), holder_info=exc.holder) from None
    try:
        # Opened for editing: an interrupted save is finished in place first, so no
        # journal is left beside the file that is about to be replaced.
        with assessments.open_assessment(path, actor=actor, passphrase=old) as doc, \
                atomic_path(path, overwrite=True, tag="rekeying") as tmp:
            if doc.readonly:
                raise InvalidInput(f"{path.name} cannot be changed because "
                                   f"{doc.readonly_reason or 'it is read-only'}.")
            _make_copy(doc, tmp, new, action, actor)
            doc.close()  # before the new copy takes its name
    finally:
        if acquired.lock is not None:
            with contextlib.suppress(OSError):
                acquired.lock.release()
    return path
