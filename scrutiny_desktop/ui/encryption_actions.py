"""File > Encryption: encrypt the open assessment, change its passphrase, or remove
its encryption.

Each makes a new file through ``services.encryption`` (written beside the
original, checked, then put in its place), so the original is never half
rewritten.  The assessment is closed first (everything saved) and opened again
afterwards, where the person was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scrutiny_desktop.errors import DocumentError, InvalidInput
from scrutiny_desktop.services import encryption
from scrutiny_desktop.ui.prompts import Host


class EncryptionActions:
    def __init__(self, host: Host, remember: Callable[[Path, str | None], None],
                 known: Callable[[Path], str | None]):
        self.host = host
        self._remember = remember
        self._known = known

    def _can_change(self, title: str) -> Path | None:
        doc = self.host.doc
        if doc is None:
            return None
        if doc.readonly:
            self.host.show_error(title, "This assessment is open read-only, so its file cannot be "
                                 "changed. Use File > Save a copy, then change the copy.")
            return None
        return doc.path

    def _redo(self, title: str, path: Path, change: Callable[[], object], done: str) -> None:
        """Close the assessment, make the change, and open it again."""
        if not self.host.close_document():
            return
        try:
            change()
        except (DocumentError, InvalidInput, OSError) as exc:
            self.host.show_error(title, f"{exc} The assessment was not changed.")
            self.host.open_path(path)
            return
        if self.host.open_path(path):
            self.host.show_status(done, 15000)

    def encrypt(self) -> None:
        title = "Encrypt the assessment"
        path = self._can_change(title)
        doc = self.host.doc
        if path is None or doc is None:
            return
        if doc.encrypted:
            self.host.show_info(title, f"{path.name} is already encrypted. Use File > Encryption > "
                                "Change passphrase to choose another passphrase.")
            return
        from scrutiny_desktop.ui.passphrase import NewPassphraseDialog  # here, not at start-up
        passphrase = NewPassphraseDialog.ask(
            self.host.dialog_parent(), title,
            f"From now on {path.name} opens only with this passphrase. Anyone who finds or is "
            "sent the file without it sees nothing of what is inside.", "Encrypt")
        if passphrase is None:
            return
        actor = self.host.actor()

        def change() -> None:
            encryption.encrypt_file(path, passphrase, actor=actor)
            self._remember(path, passphrase)

        self._redo(title, path, change, f"{path.name} is now encrypted. Exports (PDF, Word, JSON, "
                   "CSV) are still plain files.")

    def change_passphrase(self) -> None:
        title = "Change the passphrase"
        path = self._can_change(title)
        doc = self.host.doc
        if path is None or doc is None:
            return
        if not doc.encrypted:
            self.host.show_info(title, f"{path.name} is not encrypted. Use File > Encryption > "
                                "Encrypt with a passphrase first.")
            return
        old = self._known(path)
        from scrutiny_desktop.ui.passphrase import NewPassphraseDialog  # here, not at start-up
        passphrase = NewPassphraseDialog.ask(
            self.host.dialog_parent(), title,
            f"Choose the new passphrase for {path.name}. The old one will no longer open it.",
            "Change passphrase")
        if passphrase is None or old is None:
            return
        actor = self.host.actor()

        def change() -> None:
            encryption.change_passphrase(path, old, passphrase, actor=actor)
            self._remember(path, passphrase)

        self._redo(title, path, change, f"The passphrase of {path.name} was changed.")

    def remove(self) -> None:
        title = "Remove encryption"
        path = self._can_change(title)
        doc = self.host.doc
        if path is None or doc is None or not doc.encrypted:
            return
        if not self.host.confirm(title, f"After this, anyone who has {path.name} can read "
                                 "everything in it, without a passphrase. Remove the encryption?"):
            return
        passphrase = self._known(path)
        if passphrase is None:
            return
        actor = self.host.actor()

        def change() -> None:
            encryption.decrypt_file(path, passphrase, actor=actor)
            self._remember(path, None)

        self._redo(title, path, change, f"{path.name} is no longer encrypted.")
