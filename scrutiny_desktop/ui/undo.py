"""Undo typing a word at a time.

A ``QPlainTextEdit`` merges consecutive typing into one undo step, so one Ctrl+Z
can remove a whole paragraph.  ``QTextDocument`` only merges a new insertion into
the previous undo step while the document is marked modified, so marking it
unmodified just after a space or a new line is typed starts a new step with the
next word.  Nothing in the app reads the documents' modified flag (saving is by
the autosaver), so this costs nothing else.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

#: Characters after which the next typing starts a new undo step.
_BREAKS = frozenset(" \t\u2029\u2028\n")


def undo_by_word(box: QPlainTextEdit | QTextEdit) -> None:
    """Make Undo in ``box`` remove typing a word (with its following space) at a time."""
    document = box.document()

    def changed(position: int, _removed: int, added: int) -> None:
        if added > 0 and document.characterAt(position + added - 1) in _BREAKS:
            document.setModified(False)

    document.contentsChange.connect(changed)
