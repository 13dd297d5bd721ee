"""What the window's actions may ask of the window: prompts and the open document.

The actions (exports, signing, review, library, comparison) live in their own
modules and talk to the window only through this protocol, as mu's logic talks
to its view.  A test can drive an action with any object that has these
methods; the window's own prompts are the dialogs a person sees.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QWidget

    from scrutiny_desktop.settings import AppState, Settings
    from scrutiny_desktop.storage import Document
    from scrutiny_desktop.ui.autosave import Autosaver
    from scrutiny_desktop.ui.ops import BackgroundOp


class Prompts(Protocol):
    """Questions and notices for the person at the keyboard."""

    def ask_open_path(self) -> Path | None: ...

    def ask_save_path(self, title: str, suggested: Path, file_filter: str = ...) -> Path | None: ...

    def ask_open_pdf(self) -> Path | None: ...

    def ask_folder(self) -> Path | None: ...

    def confirm(self, title: str, text: str) -> bool: ...

    def show_error(self, title: str, text: str) -> None: ...

    def show_info(self, title: str, text: str) -> None: ...

    def ask_marking(self, default: str) -> str | None: ...

    def ask_printer(self, pages: int, title: str) -> QPrinter | None: ...

    def show_status(self, text: str, timeout_ms: int = 15000) -> None: ...


class Host(Prompts, Protocol):
    """The window as the actions see it: prompts, the open document, its pages."""

    doc: Document | None
    settings: Settings
    state: AppState
    autosaver: Autosaver

    def actor(self) -> str: ...

    def dialog_parent(self) -> QWidget: ...

    def add_page(self, page: QWidget) -> None: ...

    def show_page(self, page: QWidget) -> None: ...

    def show_questions(self) -> None: ...

    def go_to_question(self, question_id: str) -> None: ...

    def open_path(self, path: Path) -> bool: ...

    def close_document(self) -> bool: ...

    def forget_state(self, path: Path) -> None: ...

    def save_app_state(self) -> None: ...

    def document_changed(self, what: str) -> None: ...

    def run_in_background(self, work: Callable, done: Callable, failed: Callable) -> BackgroundOp: ...

    def known_passphrase(self, path: Path) -> str | None: ...

    def unlocked(self, path: Path, passphrase: str | None,
                 attempt: Callable[[str | None], Any]) -> tuple[Any, str | None]: ...
