"""The home screen: start a new assessment, open one, or pick a recent one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scrutiny_desktop.services.library import DocumentSummary
from scrutiny_desktop.ui.widgets import local_time, named

COLUMNS = ["Partnership", "Period", "Status", "Progress", "Last edited", "File"]


class HomePage(QWidget):
    new_requested = Signal()
    open_requested = Signal()
    open_path = Signal(Path)
    remove_requested = Signal(Path)
    library_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        title = QLabel("Scrutiny Desktop")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel("Independent scrutiny of safeguarding children partnerships. "
                       "Start a new assessment, or carry on with one you have already begun. "
                       "Everything stays on this computer and is saved as you work.")
        intro.setWordWrap(True)

        self.new_button = named(QPushButton("New assessment…"), "New assessment",
                                "Start a new assessment (Ctrl+N)")
        self.open_button = named(QPushButton("Open…"), "Open", "Open an assessment file (Ctrl+O)")
        self.library_button = named(QPushButton("Library…"), "Library",
                                    "List every assessment in chosen folders (Ctrl+Shift+L)")
        self.new_button.setDefault(True)
        self.new_button.clicked.connect(self.new_requested)
        self.open_button.clicked.connect(self.open_requested)
        self.library_button.clicked.connect(self.library_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.library_button)
        buttons.addStretch(1)

        recent_label = QLabel("&Recent assessments")
        rfont = recent_label.font()
        rfont.setBold(True)
        recent_label.setFont(rfont)
        self.table = named(QTableWidget(0, len(COLUMNS)), "Recent assessments",
                           "Press Enter to open the selected assessment")
        recent_label.setBuddy(self.table)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setSortingEnabled(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(COLUMNS) - 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(len(COLUMNS) - 1, 320)
        self.table.itemActivated.connect(lambda _item: self._open_selected())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.empty_label = QLabel("No recent assessments yet. Choose New assessment to begin.")

        self.open_selected_button = named(QPushButton("Open selected"), "Open selected assessment")
        self.remove_button = named(QPushButton("Remove from list"), "Remove from list",
                                   "Forget this entry; the file itself is not deleted")
        self.open_selected_button.clicked.connect(self._open_selected)
        self.remove_button.clicked.connect(self._remove_selected)
        row = QHBoxLayout()
        row.addWidget(self.open_selected_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addSpacing(12)
        layout.addWidget(recent_label)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self._paths: list[Path] = []
        self._update_buttons()

    def show_recent(self, summaries: list[DocumentSummary]) -> None:
        self.table.setRowCount(0)
        self._paths = []
        for s in summaries:
            r = self.table.rowCount()
            self.table.insertRow(r)
            if s.ok:
                values = [s.partnership, s.period, s.status_label, s.progress_text,
                          local_time(s.modified_at), str(s.path)]
            elif s.missing:
                values = ["(file missing)", "", "Missing", "", "", str(s.path)]
            else:
                values = ["(cannot be opened)", "", "Problem", "", "", str(s.path)]
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(s.error or text)
                if not s.ok:
                    f = item.font()
                    f.setItalic(True)
                    item.setFont(f)
                self.table.setItem(r, col, item)
            self._paths.append(s.path)
        self.empty_label.setVisible(not summaries)
        self.table.setVisible(bool(summaries))
        if summaries:
            self.table.selectRow(0)
        self._update_buttons()

    def selected_path(self) -> Path | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self._paths[rows[0].row()]

    def _open_selected(self) -> None:
        path = self.selected_path()
        if path is not None:
            self.open_path.emit(path)

    def _remove_selected(self) -> None:
        path = self.selected_path()
        if path is not None:
            self.remove_requested.emit(path)

    def _update_buttons(self) -> None:
        has = self.selected_path() is not None
        self.open_selected_button.setEnabled(has)
        self.remove_button.setEnabled(has)

    def keyPressEvent(self, event):  # Delete removes the selected entry from the list
        if event.key() == Qt.Key.Key_Delete and self.table.hasFocus():
            self._remove_selected()
            return
        super().keyPressEvent(event)
