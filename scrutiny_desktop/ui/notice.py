"""The notice after an export: a bar across the bottom of the window's pages saying
which file was saved, with Open, Show in folder and a close button.

It stays until closed (its close button or Escape) or replaced by the next notice;
the status-bar message is still shown as well.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class SavedNotice(QFrame):
    """"PDF summary saved as NAME." with Open, Show in folder and Close."""

    def __init__(self, open_file: Callable[[Path], object], show_folder: Callable[[Path], object],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._open_file = open_file
        self._show_folder = show_folder
        self.path: Path | None = None
        self.setObjectName("saved_notice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # The palette's own colours, so it reads in light and dark alike.
        self.setStyleSheet("#saved_notice { background: palette(alternate-base); "
                           "border: 1px solid palette(mid); border-radius: 3px; }")
        self.setAccessibleName("Export notice")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.open_button = QPushButton("Open")
        self.open_button.setAccessibleName("Open")
        self.open_button.clicked.connect(self._open)
        self.folder_button = QPushButton("Show in folder")
        self.folder_button.setAccessibleName("Show in folder")
        self.folder_button.clicked.connect(self._folder)
        self.close_button = QPushButton("✕")
        self.close_button.setAccessibleName("Close the notice")
        self.close_button.setToolTip("Close (Esc)")
        self.close_button.setFlat(True)
        self.close_button.clicked.connect(self.dismiss)
        for button in (self.open_button, self.folder_button, self.close_button):
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    def show_saved(self, what: str, path: Path) -> None:
        """Say that ``what`` ("PDF summary", "Word report"...) was saved as ``path``,
        replacing any notice already shown."""
        self.path = Path(path)
        text = f"{what} saved as {self.path.name}."
        self.label.setText(text)
        self.label.setToolTip(str(self.path))
        self.setAccessibleDescription(f"{text} In {self.path.parent}.")
        self.open_button.setAccessibleDescription(f"Open {self.path.name}")
        self.folder_button.setAccessibleDescription(f"Show {self.path.parent} in the file manager")
        self.show()

    def dismiss(self) -> None:
        """Close the notice (Qt moves the keyboard focus on if it was here)."""
        self.hide()

    def _open(self) -> None:
        if self.path is not None:
            self._open_file(self.path)

    def _folder(self) -> None:
        if self.path is not None:
            self._show_folder(self.path.parent)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.dismiss()
            event.accept()
            return
        super().keyPressEvent(event)
