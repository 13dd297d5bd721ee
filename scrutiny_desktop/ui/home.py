"""The home screen: start a new assessment, open one, or pick a recent one.

A centred column of readable width: the three ways in (New, Open, Library) as
one compact row, then the recent assessments as a compact list.  Each entry
shows the partnership and period (bold), the file and when it was last saved,
its status ("Draft", "Signed off 3 March 2026", "Countersigned ...") and its
progress ("34 of 58 answered").  The text of an entry comes from
:func:`recent_entry` (plain, testable); ``RecentDelegate`` only draws it.

Enter (or a double-click) opens the selected entry; Delete removes it from the
list (the file itself is never touched).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from scrutiny_desktop.services.library import DocumentSummary
from scrutiny_desktop.services.permissions import Status
from scrutiny_desktop.text import date_text, local_time_text
from scrutiny_desktop.ui.widgets import named

#: The widest the home screen's column grows, in pixels (text lines stay readable).
COLUMN_WIDTH = 760
#: The most entries the list is sized for before it scrolls.
VISIBLE_ENTRIES = 8
#: On each list item: its RecentEntry.
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
#: Padding inside an entry, and the room its status and progress take on the right.
PAD_X, PAD_Y, GAP = 12, 8, 3
BAR_HEIGHT = 4
#: The longest status an entry usually shows (sets the width of the status column).
RIGHT_SAMPLE = "Countersigned 30 September 2026"


@dataclass(frozen=True)
class RecentEntry:
    """What one recent-list entry says (built from a DocumentSummary)."""

    path: Path
    title: str
    detail: str
    status: str
    progress: str
    #: Answered as a fraction of all questions (None: no progress to show).
    fraction: float | None
    ok: bool

    @property
    def spoken(self) -> str:
        """The whole entry as one sentence for screen readers."""
        parts = [self.title, self.status, self.progress, self.detail]
        return ". ".join(p for p in parts if p)


def status_text(s: DocumentSummary) -> str:
    """"Draft", "Signed off 3 March 2026", "Countersigned 5 April 2026"; "Missing" or
    "Cannot be opened" for a file that cannot be read."""
    if s.encrypted and not s.ok and not s.error:
        return "🔒 Encrypted"
    if not s.ok:
        return "Missing" if s.missing else "Cannot be opened"
    if s.status == Status.SIGNED_OFF:
        return f"Signed off {date_text(s.signed_off_at)}".strip()
    if s.status == Status.REVIEWED:
        return f"Countersigned {date_text(s.reviewed_at)}".strip()
    return s.status_label or "Draft"


def recent_entry(s: DocumentSummary) -> RecentEntry:
    """The text of the recent-list entry for ``s``."""
    name = s.path.name
    if s.encrypted and not s.ok and not s.error:
        # Listed by name only: its details are inside the encryption.
        return RecentEntry(s.path, name, f"{name} · Open it and enter its passphrase to see more",
                           status_text(s), "", None, ok=True)
    if not s.ok:
        detail = (f"Not found in {s.path.parent}; it may have been moved or deleted" if s.missing
                  else " ".join(s.error.split()).replace(str(s.path), "This file"))
        return RecentEntry(s.path, name, detail, status_text(s), "", None, ok=False)
    title = ", ".join(t for t in (s.partnership.strip(), s.period.strip()) if t) or name
    detail = name
    if s.modified_at is not None:
        detail += f" · Last saved {local_time_text(s.modified_at)}"
    progress = f"{s.answered} of {s.total} answered"
    fraction = s.answered / s.total if s.total else 0.0
    return RecentEntry(s.path, title, detail, status_text(s), progress, fraction, ok=True)


class RecentDelegate(QStyledItemDelegate):
    """Draws an entry in two lines: bold title and status; file, last saved and progress."""

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        bold = QFont(option.font)
        bold.setBold(True)
        return bold, QFont(option.font)

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        bold, plain = self._fonts(option)
        height = (QFontMetrics(bold).height() + GAP + QFontMetrics(plain).height() + GAP
                  + BAR_HEIGHT + 2 * PAD_Y)
        return QSize(max(option.rect.width(), 200), height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        entry = index.data(ENTRY_ROLE)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        if not isinstance(entry, RecentEntry):
            return
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = opt.palette
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        text = palette.color(role)
        muted = palette.color(role) if selected else palette.color(QPalette.ColorRole.PlaceholderText)
        bold, plain = self._fonts(opt)
        if not entry.ok:
            bold.setItalic(True)
            plain.setItalic(True)
        fb, fp = QFontMetrics(bold), QFontMetrics(plain)
        rect: QRect = opt.rect.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y)
        # One width for every entry, so that statuses and progress bars line up.
        right_width = min(max(fb.horizontalAdvance(RIGHT_SAMPLE), fp.horizontalAdvance(entry.progress)),
                          rect.width() // 2)
        left_width = rect.width() - right_width - PAD_X
        top2 = rect.top() + fb.height() + GAP
        left1 = QRect(rect.left(), rect.top(), left_width, fb.height())
        left2 = QRect(rect.left(), top2, left_width, fp.height())
        right1 = QRect(rect.right() - right_width + 1, rect.top(), right_width, fb.height())
        right2 = QRect(right1.left(), top2, right_width, fp.height())
        align_left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        align_right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

        painter.save()
        painter.setPen(text)
        painter.setFont(bold)
        painter.drawText(left1, align_left, fb.elidedText(entry.title, Qt.TextElideMode.ElideRight,
                                                          left1.width()))
        painter.drawText(right1, align_right, fb.elidedText(entry.status, Qt.TextElideMode.ElideRight,
                                                            right1.width()))
        painter.setFont(plain)
        painter.setPen(muted)
        painter.drawText(left2, align_left, fp.elidedText(entry.detail, Qt.TextElideMode.ElideMiddle,
                                                          left2.width()))
        painter.drawText(right2, align_right, fp.elidedText(entry.progress,
                                                            Qt.TextElideMode.ElideRight,
                                                            right2.width()))
        if entry.fraction is not None:
            bar = QRect(right2.left(), right2.bottom() + GAP, right2.width(), BAR_HEIGHT)
            track = palette.color(QPalette.ColorRole.Mid)
            fill = palette.color(QPalette.ColorRole.HighlightedText if selected
                                 else QPalette.ColorRole.Highlight)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(bar, 2, 2)
            done = round(bar.width() * max(0.0, min(1.0, entry.fraction)))
            if done:
                painter.setBrush(fill)
                painter.drawRoundedRect(QRect(bar.left(), bar.top(), done, bar.height()), 2, 2)
        painter.restore()


class RecentList(QListWidget):
    """The recent assessments: as tall as its entries (up to VISIBLE_ENTRIES), then it scrolls."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        rows = max(1, min(self.count(), VISIBLE_ENTRIES))
        row = self.sizeHintForRow(0) if self.count() else self.fontMetrics().height() * 3
        return QSize(hint.width(), rows * row + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:
        row = self.sizeHintForRow(0) if self.count() else self.fontMetrics().height() * 3
        return QSize(super().minimumSizeHint().width(), row + 2 * self.frameWidth())


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
        self.new_button.clicked.connect(self.new_requested)
        self.open_button.clicked.connect(self.open_requested)
        self.library_button.clicked.connect(self.library_requested)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        for button in (self.new_button, self.open_button, self.library_button):
            # No default button: this is a page of the main window, not a dialog, and a
            # default button would be announced (and drawn) as such on every page.
            button.setAutoDefault(False)
            button.setDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)

        recent_label = QLabel("&Recent assessments")
        rfont = recent_label.font()
        rfont.setBold(True)
        rfont.setPointSizeF(rfont.pointSizeF() * 1.15)
        recent_label.setFont(rfont)
        self.recent = named(RecentList(), "Recent assessments",
                            "Press Enter to open the selected assessment, "
                            "or Delete to remove it from the list")
        recent_label.setBuddy(self.recent)
        self.recent.setItemDelegate(RecentDelegate(self.recent))
        self.recent.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.recent.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.recent.setUniformItemSizes(True)
        self.recent.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.recent.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.recent.setFrameShape(QFrame.Shape.StyledPanel)
        # Double-click (or the platform's activation) opens; Enter and Delete are
        # handled in eventFilter so that they work the same on every platform.
        self.recent.activated.connect(lambda _index: self._open_selected())
        self.recent.itemSelectionChanged.connect(self._update_buttons)
        self.recent.installEventFilter(self)
        self.empty_label = QLabel("No recent assessments yet. Choose New assessment to begin.")
        self.empty_label.setWordWrap(True)

        self.open_selected_button = named(QPushButton("Open selected"), "Open selected assessment",
                                          "Open the selected assessment (Enter)")
        self.remove_button = named(QPushButton("Remove from list"), "Remove from list",
                                   "Forget this entry; the file itself is not deleted (Delete)")
        self.open_selected_button.clicked.connect(self._open_selected)
        self.remove_button.clicked.connect(self._remove_selected)
        row = QHBoxLayout()
        row.addStretch(1)
        for button in (self.open_selected_button, self.remove_button):
            button.setAutoDefault(False)
            row.addWidget(button)

        # One centred column of readable width, from the top of the window.
        self.column = QWidget()
        self.column.setObjectName("home_column")
        self.column.setMaximumWidth(COLUMN_WIDTH)
        self.column.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self.column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addLayout(buttons)
        layout.addSpacing(18)
        layout.addWidget(recent_label)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.recent)
        layout.addLayout(row)
        layout.addStretch(1)

        outer = QHBoxLayout(self)
        outer.setContentsMargins(24, 32, 24, 16)
        outer.addStretch(1)
        outer.addWidget(self.column, 100)
        outer.addStretch(1)
        self._entries: list[RecentEntry] = []
        self._update_buttons()

    # -- the list -------------------------------------------------------------------------
    @property
    def entries(self) -> list[RecentEntry]:
        return list(self._entries)

    def show_recent(self, summaries: list[DocumentSummary]) -> None:
        """Show these recent documents (most recent first); the selection stays on the
        same file if it is still listed, or on the entry that took its place."""
        previous = self.selected_path()
        previous_row = self.recent.currentRow()
        self._entries = [recent_entry(s) for s in summaries]
        self.recent.clear()
        for entry in self._entries:
            item = QListWidgetItem()
            item.setData(ENTRY_ROLE, entry)
            item.setData(Qt.ItemDataRole.DisplayRole, entry.title)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, entry.spoken)
            item.setToolTip(str(entry.path) if entry.ok else f"{entry.path}\n{entry.detail}")
            self.recent.addItem(item)
        self.empty_label.setVisible(not self._entries)
        self.recent.setVisible(bool(self._entries))
        self.open_selected_button.setVisible(bool(self._entries))
        self.remove_button.setVisible(bool(self._entries))
        if self._entries:
            paths = [e.path for e in self._entries]
            row = paths.index(previous) if previous in paths else max(0, min(previous_row,
                                                                               len(paths) - 1))
            self.recent.setCurrentRow(row)
        self.recent.updateGeometry()
        self._update_buttons()

    def selected_path(self) -> Path | None:
        row = self.recent.currentRow()
        if not 0 <= row < len(self._entries) or not self.recent.item(row).isSelected():
            return None
        return self._entries[row].path

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

    def eventFilter(self, watched, event) -> bool:
        if (watched is self.recent and event.type() == QEvent.Type.KeyPress
                and event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                          Qt.KeyboardModifier.KeypadModifier)):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._open_selected()
                return True
            if event.key() == Qt.Key.Key_Delete:
                self._remove_selected()
                return True
        return super().eventFilter(watched, event)
