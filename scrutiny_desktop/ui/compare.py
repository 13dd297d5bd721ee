"""Compare two assessments side by side (question by question, matched by id, or
across checklist versions through the questions that replace earlier ones).

``CompareDialog`` shows a :class:`~scrutiny_desktop.services.compare.Comparison`
(made by :func:`scrutiny_desktop.services.compare.compare_paths`): the two
assessments, counts per section, every question with its earlier and later
judgement (and direction of travel, where given) and what changed, the findings
of the selected question, the earlier checklist's questions that have no
counterpart in the later one, and an "Export PDF…" button.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from scrutiny_desktop.services import assessments
from scrutiny_desktop.services.compare import CHANGES, Comparison, QuestionComparison
from scrutiny_desktop.text import when_text
from scrutiny_desktop.ui.ops import BackgroundOp, run_in_background
from scrutiny_desktop.ui.widgets import Banner, named, restoring_focus, run_dialog

PDF_FILTER = "PDF documents (*.pdf)"

#: What the "Show" box offers, and which changes each keeps.
FILTERS: dict[str, frozenset[str]] = {
    "All": frozenset(CHANGES),
    "Changes only": frozenset(CHANGES) - {"same"},
    "Improved": frozenset({"improved"}),
    "Worsened": frozenset({"worse"}),
    "New or removed": frozenset({"new", "removed"}),
}

#: Subtle row tints (translucent, so they read on light and dark palettes).
#: The change is always written out too: the colour is never the only signal.
TINTS = {
    "improved": QColor(46, 160, 67, 46),
    "worse": QColor(215, 58, 73, 46),
    "changed": QColor(230, 150, 20, 52),
    "new": QColor(40, 110, 220, 40),
    "removed": QColor(120, 120, 120, 52),
}

QUESTION_COLUMNS = ["ID", "Question", "Earlier", "Later", "Change", "Wording"]
WORDING_CHANGED = "Wording changed"
NOT_ANSWERED = "Not answered"
UNMATCHED_HEADING = "Questions of the earlier checklist with no counterpart"


def suggested_pdf_name(comparison: Comparison) -> str:
    e, lat = comparison.earlier, comparison.later
    stem = assessments.suggested_file_name(e.partnership, f"{e.period} and {lat.period}")
    return "Comparison-" + stem.rsplit(".", 1)[0] + ".pdf"


def _judgement(label: str, judgement: str | None, present: bool, direction: str = "") -> str:
    if not present:
        return "—"
    text = label or NOT_ANSWERED
    return f"{text} · {direction}" if direction else text


def unmatched_lines(comparison: Comparison) -> list[str]:
    """One line per earlier question with no counterpart: id, wording, judgement and
    (when the later checklist gives one) why it was retired."""
    lines = []
    for u in comparison.unmatched:
        line = f"{u.question_id} ({u.section_title}): {' '.join(u.text.split())}"
        line += f" — earlier judgement: {u.judgement_label or NOT_ANSWERED}"
        if u.reason:
            line += f". Retired: {' '.join(u.reason.split())}"
        lines.append(line)
    return lines


def _item(text: str, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if tooltip:
        item.setToolTip(tooltip)
    return item


def _selectable(label: QLabel) -> QLabel:
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


def _default_ask_save_path(parent: QWidget) -> Callable[[str, Path, str], Path | None]:
    def ask(title: str, suggested: Path, file_filter: str = PDF_FILTER) -> Path | None:
        with restoring_focus(parent):
            chosen, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), file_filter)
        return Path(chosen) if chosen else None
    return ask


class CompareDialog(QDialog):
    """Two assessments side by side, with an export to PDF."""

    #: An export finished: (path or None, error message or "").
    export_finished = Signal(object, str)

    def __init__(self, parent: QWidget | None, comparison: Comparison,
                 ask_save_path: Callable[[str, Path, str], Path | None] | None = None, *,
                 protective_marking: str = "OFFICIAL-SENSITIVE"):
        super().__init__(parent)
        self.comparison = comparison
        self.protective_marking = protective_marking
        self._ask_save_path = ask_save_path or _default_ask_save_path(self)
        self._export_op: BackgroundOp | None = None
        e, lat = comparison.earlier, comparison.later
        self.setWindowTitle(f"Compare: {e.partnership}, {e.period} and {lat.period}")
        self.setSizeGripEnabled(True)
        self.setMinimumSize(720, 480)
        self.resize(self.preferred_size())
        self.setAccessibleName("Compare two assessments")

        # -- header: the two assessments ---------------------------------------------
        self.header = self._build_header()
        self.notice = Banner()
        notes = []
        if comparison.templates_differ:
            notes.append(
                f"The two assessments use different checklist versions ({e.template_title} "
                f"{e.template_version} and {lat.template_title} {lat.template_version}). Questions "
                "are matched by their ID, or with the later questions that replace them; those "
                f"whose wording changed are marked “{WORDING_CHANGED}”.")
        if " ".join(e.partnership.split()).casefold() != " ".join(lat.partnership.split()).casefold():
            notes.append("They are for different partnerships.")
        if notes:
            self.notice.show_message(" ".join(notes))

        # -- earlier questions that nothing in the later checklist replaces ------------
        self.unmatched_box = QWidget()
        ul = QVBoxLayout(self.unmatched_box)
        ul.setContentsMargins(0, 0, 0, 0)
        ul.setSpacing(2)
        unmatched_label = QLabel(f"{UNMATCHED_HEADING} ({len(comparison.unmatched)})")
        bold_head = unmatched_label.font()
        bold_head.setBold(True)
        unmatched_label.setFont(bold_head)
        self.unmatched = named(QPlainTextEdit(), UNMATCHED_HEADING,
                               "The earlier checklist's questions that no question of the later "
                               "one replaces, with the reason the later checklist gives")
        self.unmatched.setReadOnly(True)
        self.unmatched.setTabChangesFocus(True)
        self.unmatched.setPlainText("\n".join(unmatched_lines(comparison)))
        self.unmatched.setMaximumHeight(self.fontMetrics().height() * 4 + 12)
        ul.addWidget(unmatched_label)
        ul.addWidget(self.unmatched)
        self.unmatched_box.setVisible(bool(comparison.unmatched))

        # -- summary by section -------------------------------------------------------
        self.summary = named(QTableWidget(0, 1 + len(CHANGES)), "Changes by section",
                             "How many questions improved, stayed the same, worsened, changed, "
                             "are new or were removed, section by section")
        self.summary.setHorizontalHeaderLabels(["Section", *CHANGES.values()])
        self._setup_table(self.summary)
        self.summary.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self._fill_summary()

        # -- questions -----------------------------------------------------------------
        show_label = QLabel("&Show:")
        self.filter = named(QComboBox(), "Show", "Which questions the table lists")
        self.filter.addItems(list(FILTERS))
        show_label.setBuddy(self.filter)
        self.shown_label = named(QLabel(""), "Questions shown")
        filter_row = QHBoxLayout()
        filter_row.addWidget(show_label)
        filter_row.addWidget(self.filter)
        filter_row.addSpacing(12)
        filter_row.addWidget(self.shown_label, 1)

        self.questions = named(QTableWidget(0, len(QUESTION_COLUMNS)), "Questions compared",
                               "Each question with its earlier and later judgement and the change; "
                               "select one to see its findings")
        self.questions.setHorizontalHeaderLabels(QUESTION_COLUMNS)
        self._setup_table(self.questions)
        self.questions.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.questions.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._fill_questions()
        self.filter.currentTextChanged.connect(self.apply_filter)
        self.questions.itemSelectionChanged.connect(self._show_selected)

        # -- findings of the selected question ----------------------------------------
        self.question_title = _selectable(named(QLabel(""), "Selected question"))
        bold = self.question_title.font()
        bold.setBold(True)
        self.question_title.setFont(bold)
        self.earlier_wording = _selectable(named(QLabel(""), "Earlier wording"))
        self.earlier_wording.hide()
        self.earlier_label = QLabel(f"&Earlier findings ({e.period})")
        self.later_label = QLabel(f"&Later findings ({lat.period})")
        self.earlier_findings = named(QPlainTextEdit(), "Earlier findings")
        self.later_findings = named(QPlainTextEdit(), "Later findings")
        for label, box in ((self.earlier_label, self.earlier_findings),
                           (self.later_label, self.later_findings)):
            box.setReadOnly(True)
            box.setTabChangesFocus(True)
            label.setBuddy(box)
            label.setTextFormat(Qt.TextFormat.PlainText)
        findings_grid = QGridLayout()
        findings_grid.setContentsMargins(0, 0, 0, 0)
        findings_grid.addWidget(self.earlier_label, 0, 0)
        findings_grid.addWidget(self.later_label, 0, 1)
        findings_grid.addWidget(self.earlier_findings, 1, 0)
        findings_grid.addWidget(self.later_findings, 1, 1)
        findings_grid.setColumnStretch(0, 1)
        findings_grid.setColumnStretch(1, 1)
        findings_grid.setRowStretch(1, 1)
        findings = QWidget()
        fl = QVBoxLayout(findings)
        fl.setContentsMargins(0, 4, 0, 0)
        fl.setSpacing(4)
        fl.addWidget(self.question_title)
        fl.addWidget(self.earlier_wording)
        fl.addLayout(findings_grid, 1)

        questions_pane = QWidget()
        ql = QVBoxLayout(questions_pane)
        ql.setContentsMargins(0, 0, 0, 0)
        ql.setSpacing(4)
        ql.addLayout(filter_row)
        ql.addWidget(self.questions, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.summary)
        self.splitter.addWidget(questions_pane)
        self.splitter.addWidget(findings)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)

        # -- buttons -------------------------------------------------------------------
        self.status = named(QLabel(""), "Export status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.export_button = named(QPushButton("Export PDF…"), "Export PDF",
                                   "Save this comparison as a PDF")
        self.close_button = named(QPushButton("Close"), "Close")
        self.export_button.clicked.connect(self.export_pdf)
        self.close_button.clicked.connect(self.reject)
        self.close_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)
        layout.addWidget(self.header)
        layout.addWidget(self.notice)
        layout.addWidget(self.unmatched_box)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(buttons)

        self._sized = False
        self.apply_filter(self.filter.currentText())
        self.questions.setFocus()

    def preferred_size(self) -> QSize:
        """1200 x 760, or less where the screen is smaller (a 1366 x 768 laptop
        must still show the Close button)."""
        parent = self.parentWidget()
        screen = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        size = QSize(1200, 760)
        if screen is not None:
            room = screen.availableGeometry().size() - QSize(40, 70)  # window frame and title
            size = size.boundedTo(room).expandedTo(self.minimumSize())
        return size

    # -- building ------------------------------------------------------------------------
    def _build_header(self) -> QWidget:
        c = self.comparison
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(2)
        heads = [QLabel(""), QLabel("Earlier assessment"), QLabel("Later assessment")]
        for col, label in enumerate(heads):
            f = label.font()
            f.setBold(True)
            label.setFont(f)
            grid.addWidget(label, 0, col)

        def checklist(info) -> str:
            return f"{info.template_title}, version {info.template_version}"

        def status(info) -> str:
            return f"{info.status_label} (last changed {when_text(info.modified_at)})"

        rows = [
            ("Partnership", lambda i: i.partnership + (f" ({i.area})" if i.area else "")),
            ("Period", lambda i: i.period),
            ("Status", status),
            ("File", lambda i: f"{i.path.name} · {checklist(i)}"),
        ]
        self.header_values: dict[tuple[str, str], QLabel] = {}
        for r, (name, get) in enumerate(rows, start=1):
            label = QLabel(name)
            label.setStyleSheet("color: palette(placeholder-text);")
            grid.addWidget(label, r, 0, Qt.AlignmentFlag.AlignTop)
            for col, (which, info) in enumerate((("Earlier", c.earlier), ("Later", c.later)),
                                                start=1):
                value = _selectable(QLabel(get(info)))
                value.setAccessibleName(f"{which} {name.lower()}")
                if name == "File":
                    value.setToolTip(str(info.path))
                    value.setAccessibleName(f"{which} file and checklist")
                grid.addWidget(value, r, col)
                self.header_values[(which, name)] = value
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        return box

    @staticmethod
    def _setup_table(table: QTableWidget) -> None:
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        table.verticalHeader().setVisible(False)
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.setWordWrap(False)
        table.setSortingEnabled(False)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0 if table.columnCount() != len(QUESTION_COLUMNS) else 1,
                                    QHeaderView.ResizeMode.Stretch)

    def _fill_summary(self) -> None:
        """"All sections" first (so it shows even when the sections need scrolling)."""
        table = self.summary
        sections = self.comparison.sections
        table.setRowCount(len(sections) + 1)
        totals = self.comparison.totals()
        total = _item("All sections")
        bold = total.font()
        bold.setBold(True)
        total.setFont(bold)
        table.setItem(0, 0, total)
        for c, key in enumerate(CHANGES, start=1):
            item = _item(str(totals[key]), f"All sections, {CHANGES[key].lower()}: {totals[key]}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setFont(bold)
            table.setItem(0, c, item)
        for r, section in enumerate(sections, start=1):
            table.setItem(r, 0, _item(section.title, section.title))
            for c, key in enumerate(CHANGES, start=1):
                n = section.counts.get(key, 0)
                item = _item(str(n) if n else "–", f"{section.title}, {CHANGES[key].lower()}: {n}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                table.setItem(r, c, item)

    def _size_summary(self) -> None:
        """Every section where that fits beside a useful question list; the splitter
        (and the table's scroll bar) give the rest."""
        table = self.summary
        head = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
        row = table.verticalHeader().defaultSectionSize()
        table.setMinimumHeight(head + 2 * row)
        full = head + row * table.rowCount() + 2
        available = max(self.splitter.height() - 2 * self.splitter.handleWidth(), 300)
        top = min(full, int(available * 0.32))
        rest = available - top
        self.splitter.setSizes([top, rest * 3 // 5, rest - rest * 3 // 5])

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            self._size_summary()

    def _fill_questions(self) -> None:
        table = self.questions
        qs = self.comparison.questions
        table.setRowCount(len(qs))
        for r, q in enumerate(qs):
            earlier = _judgement(q.earlier_label, q.earlier_judgement, q.change != "new",
                                 q.earlier_direction)
            later = _judgement(q.later_label, q.later_judgement, q.change != "removed",
                               q.later_direction)
            wording = WORDING_CHANGED if q.wording_changed else ""
            if q.replaced:
                wording = f"Replaces {', '.join(q.earlier_ids)}"
            cells = [q.question_id, " ".join(q.text.split()), earlier, later, q.change_label,
                     wording]
            tips = [q.section_title, q.text, earlier, later, q.change_label,
                    f"{wording}. Earlier: {q.earlier_text}" if wording else ""]
            tint = TINTS.get(q.change)
            for c, (text, tip) in enumerate(zip(cells, tips, strict=True)):
                item = _item(text, tip)
                if tint is not None:
                    item.setBackground(QBrush(tint))
                table.setItem(r, c, item)

    # -- behaviour ----------------------------------------------------------------------
    def visible_questions(self) -> list[QuestionComparison]:
        return [q for r, q in enumerate(self.comparison.questions)
                if not self.questions.isRowHidden(r)]

    def apply_filter(self, name: str) -> None:
        keep = FILTERS.get(name, FILTERS["All"])
        shown = 0
        for r, q in enumerate(self.comparison.questions):
            hidden = q.change not in keep
            self.questions.setRowHidden(r, hidden)
            shown += not hidden
        total = len(self.comparison.questions)
        self.shown_label.setText(f"Showing {shown} of {total} questions")
        current = self.questions.currentRow()
        if current < 0 or self.questions.isRowHidden(current):
            first = next((r for r in range(total) if not self.questions.isRowHidden(r)), -1)
            if first >= 0:
                self.questions.selectRow(first)
            else:
                self.questions.clearSelection()
                self.questions.setCurrentCell(-1, -1)
                self._show_question(None)

    def select_question(self, question_id: str) -> None:
        for r, q in enumerate(self.comparison.questions):
            if q.question_id == question_id:
                self.questions.selectRow(r)
                return
        raise KeyError(question_id)

    def _show_selected(self) -> None:
        rows = self.questions.selectionModel().selectedRows()
        q = self.comparison.questions[rows[0].row()] if rows else None
        self._show_question(q)

    def _show_question(self, q: QuestionComparison | None) -> None:
        if q is None:
            self.question_title.setText("No question is shown with this choice.")
            self.earlier_wording.hide()
            self.earlier_findings.setPlainText("")
            self.later_findings.setPlainText("")
            return
        self.question_title.setText(f"{q.question_id} ({q.section_title}): {' '.join(q.text.split())}"
                                    f" — {q.change_label}")
        if q.replaced:
            self.earlier_wording.setText(f"Replaces earlier {', '.join(q.earlier_ids)}: "
                                         f"{' '.join(q.earlier_text.split())}")
            self.earlier_wording.show()
        elif q.wording_changed:
            self.earlier_wording.setText(f"Earlier wording: {' '.join(q.earlier_text.split())}")
            self.earlier_wording.show()
        else:
            self.earlier_wording.hide()
        if q.change == "new":
            self.earlier_findings.setPlainText("")
            self.earlier_findings.setPlaceholderText("This question was not in the earlier checklist.")
        else:
            self.earlier_findings.setPlainText(q.earlier_findings)
            self.earlier_findings.setPlaceholderText("No findings recorded.")
        if q.change == "removed":
            self.later_findings.setPlainText("")
            self.later_findings.setPlaceholderText("This question is not in the later checklist.")
        else:
            self.later_findings.setPlainText(q.later_findings)
            self.later_findings.setPlaceholderText("No findings recorded.")

    # -- export ---------------------------------------------------------------------------
    def export_pdf(self) -> None:
        from scrutiny_desktop.report.compare_pdf import build_compare_pdf

        suggested = self.comparison.later.path.parent / suggested_pdf_name(self.comparison)
        target = self._ask_save_path("Export the comparison as a PDF", suggested, PDF_FILTER)
        if target is None:
            return
        target = Path(target)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        comparison, marking = self.comparison, self.protective_marking
        self.export_button.setEnabled(False)
        self.status.setText("Writing the PDF…")

        def done(path) -> None:
            self._export_op = None
            if not isValid(self.status):
                return
            self.export_button.setEnabled(True)
            self.status.setText(f"Saved as {path}")
            self.export_finished.emit(path, "")

        def failed(exc) -> None:
            self._export_op = None
            if not isValid(self.status):
                return
            self.export_button.setEnabled(True)
            message = " ".join(str(exc).split()) or exc.__class__.__name__
            self.status.setText(f"The PDF could not be written: {message}")
            self.export_finished.emit(None, message)

        # Owned by the application so that a dialog deleted mid-export cannot break
        # the operation's own clean-up; done/failed check the dialog still exists.
        self._export_op = run_in_background(
            QCoreApplication.instance() or self,
            lambda progress: build_compare_pdf(comparison, target, marking), done, failed)

    def done(self, result: int) -> None:
        if self._export_op is not None:
            # Let the export finish before the dialog (its callbacks' owner) goes.
            self.status.setText("Waiting for the PDF to be written…")

            def close_when_written() -> None:
                if isValid(self):
                    QDialog.done(self, result)

            self._export_op.finished.connect(close_when_written)
            self._export_op = None
            return
        super().done(result)

    @classmethod
    def ask(cls, parent: QWidget | None, comparison: Comparison,
            ask_save_path: Callable[[str, Path, str], Path | None] | None = None, *,
            protective_marking: str = "OFFICIAL-SENSITIVE") -> None:
        """Show the comparison (modal) until the person closes it."""
        dialog = cls(parent, comparison, ask_save_path, protective_marking=protective_marking)
        try:
            run_dialog(dialog)
        finally:
            dialog.deleteLater()
