"""The summary page: the overall judgement, the conclusion and what a board reads first.

Written like findings: every box is queued with the window's autosaver as it
changes (keyed ``("summary", name)`` or ``("summary-section", section id)``) and
written when typing pauses, at once on leaving the page; the overall judgement is
saved as soon as it is chosen.  While a write waits (a full disk...), the page
shows what was typed, never the older stored text.  A signed-off or read-only
assessment shows every field read-only, with a notice saying why.
"""

from __future__ import annotations

import itertools
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from scrutiny_desktop.errors import DocumentError, InvalidInput
from scrutiny_desktop.services import signoff, summary
from scrutiny_desktop.services.common import template_of
from scrutiny_desktop.services.permissions import EDIT_ANSWERS, Status, permissions
from scrutiny_desktop.storage.document import Document
from scrutiny_desktop.ui.announce import announce
from scrutiny_desktop.ui.autosave import Autosaver
from scrutiny_desktop.ui.question_page import word_count_text
from scrutiny_desktop.ui.spelling import enable_spellcheck
from scrutiny_desktop.ui.undo import undo_by_word
from scrutiny_desktop.ui.widgets import Banner, local_time, named, scrolling_page

#: Each written part: its label (with a mnemonic clear of the menu bar's F, E, G, A
#: and H) and the one-line hint under it.
FIELD_TEXT = {
    "conclusion": ("&Conclusion", "The overall conclusion about the partnership's arrangements, "
                   "in a few sentences."),
    "strengths": ("&Strengths", "What the partnership does well, with the evidence for it."),
    "areas_for_improvement": ("Areas for &improvement", "What should change, most important first."),
    "scope_and_method": ("Scope and &method", "What you looked at, how, and any limits on what "
                         "you could see."),
}
NOT_GIVEN = "Not given"
JUDGEMENT_KEY = ("summary-judgement",)


def _key(name: str) -> tuple[str, str]:
    return ("summary", name)


def _section_key(section_id: str) -> tuple[str, str]:
    return ("summary-section", section_id)


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.92)
    label.setFont(font)
    return label


def _text_box(name: str, description: str, lines: int) -> QPlainTextEdit:
    """A text box ``lines`` lines high in its own font (so large fonts still fit);
    longer text scrolls inside it."""
    box = named(QPlainTextEdit(), name, description)
    enable_spellcheck(box)
    box.setTabChangesFocus(True)
    undo_by_word(box)
    margins = box.contentsMargins()
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines
                       + int(box.document().documentMargin() * 2)
                       + margins.top() + margins.bottom() + 2)
    box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return box


def _word_count(box: QPlainTextEdit, name: str) -> QLabel:
    """A label that keeps ``box``'s word count as it is typed."""
    label = QLabel(word_count_text(""))
    label.setAccessibleName(f"{name} word count")
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    box.textChanged.connect(lambda: label.setText(word_count_text(box.toPlainText())))
    return label


class SummaryPage(QWidget):
    """Summary and conclusions: what a board reads first."""

    back_requested = Signal()
    ready_requested = Signal()

    def __init__(self, window, autosaver: Autosaver, parent: QWidget | None = None):
        super().__init__(parent)
        self.window_ = window  # for show_error
        self.autosaver = autosaver
        self.doc: Document | None = None
        self.editable = False
        self._loading = False
        self._section_ids: tuple[str, ...] = ()

        self.banner = Banner()
        title = QLabel("Summary and conclusions")
        title.setObjectName("summary_title")
        f = title.font()
        f.setPointSizeF(f.pointSizeF() * 1.4)
        f.setBold(True)
        title.setFont(f)
        title.setAccessibleName("Summary and conclusions")
        intro = QLabel("A board reads this first: the PDF summary opens with your overall "
                       "judgement and conclusion, before the detail of each question.")
        intro.setWordWrap(True)

        self.judgement = named(QComboBox(), "Overall judgement",
                               "Your overall judgement of the partnership's arrangements, on the "
                               "checklist's scale; saved when chosen")
        self.judgement.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.judgement.currentIndexChanged.connect(self._judgement_changed)
        judgement_label = QLabel("&Overall judgement:")
        judgement_label.setBuddy(self.judgement)
        judgement_row = QHBoxLayout()
        judgement_row.addWidget(self.judgement)
        judgement_row.addStretch(1)

        self.fields: dict[str, QPlainTextEdit] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow(judgement_label, judgement_row)
        for name in summary.FIELDS:
            label_text, hint = FIELD_TEXT[name]
            plain = summary.FIELD_LABELS[name]
            box = _text_box(plain, f"{hint} Saved as you type.", 5)
            box.textChanged.connect(partial(self._text_changed, name))
            label = QLabel(label_text)
            label.setBuddy(box)
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(box)
            under = QHBoxLayout()
            under.addWidget(_hint(hint), 1)
            count = _word_count(box, plain)
            count.setObjectName(f"word_count_{name}")
            under.addWidget(count)
            column.addLayout(under)
            form.addRow(label, column)
            self.fields[name] = box
        self.list_note = _hint("Lines that start with “- ” or “1.” print as lists in the PDF.")

        sections_title = QLabel("Section summaries")
        sf = sections_title.font()
        sf.setPointSizeF(sf.pointSizeF() * 1.15)
        sf.setBold(True)
        sections_title.setFont(sf)
        sections_intro = _hint("A few lines on each section of the checklist (optional).")
        # Each label on its own line above its box, so long titles wrap across the page.
        self.sections_layout = QVBoxLayout()
        self.sections_layout.setSpacing(4)
        self.section_boxes: dict[str, QPlainTextEdit] = {}

        self.back = named(QPushButton("◀ Back to the questions"), "Back to the questions")
        self.ready_button = named(QPushButton("Review and sign off…"), "Review and sign off",
                                  "How the checklist stands before signing off (Ctrl+R)")
        self.back.clicked.connect(self.back_requested)
        self.ready_button.clicked.connect(self.ready_requested)

        content = QWidget()
        content.setObjectName("summary_content")
        body = QVBoxLayout(content)
        body.setContentsMargins(18, 12, 18, 12)
        body.addWidget(title)
        body.addWidget(intro)
        body.addWidget(self.list_note)
        body.addLayout(form)
        body.addSpacing(10)
        body.addWidget(sections_title)
        body.addWidget(sections_intro)
        body.addLayout(self.sections_layout)
        body.addStretch(1)
        inner = QWidget()
        scrolling_page(inner, content, self.back, self.ready_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(inner, 1)

    # -- loading --------------------------------------------------------------
    def load(self, doc: Document) -> bool:
        """Show ``doc``'s summary; what waits to be saved wins over what is stored,
        and a box whose text is already right is left alone (cursor and all)."""
        try:
            template = template_of(doc)
            view = summary.get_summary(doc)
            options = summary.overall_options(doc)
            allowed = permissions(doc)
        except (DocumentError, InvalidInput) as exc:
            self.window_.show_error("Cannot show the summary", str(exc))
            return False
        same_doc = self.doc is doc
        self.doc = doc
        self._loading = True
        try:
            self._fill_options(options)
            section_ids = tuple(s.id for s in template.sections)
            if not same_doc or section_ids != self._section_ids:
                self._build_sections([(s.id, s.title) for s in template.sections])
            pending = self.autosaver.pending_value
            value = pending(JUDGEMENT_KEY, view.overall_judgement)
            self.judgement.setCurrentIndex(max(0, self.judgement.findData(value)))
            for name, box in self.fields.items():
                self._set_text(box, pending(_key(name), view.text(name)))
            for sid, box in self.section_boxes.items():
                self._set_text(box, pending(_section_key(sid), view.sections.get(sid, "")))
        finally:
            self._loading = False
        self.set_editable(allowed.can_edit_answers)
        self.banner.show_message(self.lock_message(allowed.reason(EDIT_ANSWERS))
                                 if not self.editable else "")
        self._tab_chain()
        return True

    def refresh(self) -> None:
        """Reload from the document (after it changed), keeping what is being typed."""
        if self.doc is not None:
            self.load(self.doc)

    def unload(self) -> None:
        self.doc = None

    def _fill_options(self, options: list[tuple[str, str]]) -> None:
        wanted = [(None, NOT_GIVEN), *options]
        have = [(self.judgement.itemData(i), self.judgement.itemText(i))
                for i in range(self.judgement.count())]
        if have != wanted:
            self.judgement.clear()
            for value, label in wanted:
                self.judgement.addItem(label, value)

    def _build_sections(self, sections: list[tuple[str, str]]) -> None:
        while (old := self.sections_layout.takeAt(0)) is not None:
            widget = old.widget()
            if widget is not None:
                widget.deleteLater()
        self.section_boxes = {}
        for number, (sid, title) in enumerate(sections, start=1):
            shown = title.replace("&", "&&")
            # Alt+1 to Alt+9 reach the first nine sections.
            label = QLabel(f"&{number}. {shown}" if number < 10 else f"{number}. {shown}")
            label.setWordWrap(True)
            box = _text_box(f"Summary of section {number}: {title}",
                            f"A short summary of “{title}”; saved as you type", 3)
            box.setObjectName(f"section_summary_{sid}")
            box.textChanged.connect(partial(self._section_changed, sid))
            label.setBuddy(box)
            if number > 1:
                self.sections_layout.addSpacing(6)
            self.sections_layout.addWidget(label)
            self.sections_layout.addWidget(box)
            self.section_boxes[sid] = box
        self._section_ids = tuple(sid for sid, _t in sections)

    def _tab_chain(self) -> None:
        chain: list[QWidget] = [self.judgement, *self.fields.values(), *self.section_boxes.values(),
                                self.back, self.ready_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    @staticmethod
    def _set_text(box: QPlainTextEdit, text: str) -> None:
        if box.toPlainText() != text:
            box.setPlainText(text)

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        self.judgement.setEnabled(editable)
        for box in (*self.fields.values(), *self.section_boxes.values()):
            box.setReadOnly(not editable)
        for name, box in self.fields.items():
            box.setPlaceholderText(f"Write the {summary.FIELD_LABELS[name].lower()} here. It is "
                                   "saved as you type." if editable else "Nothing written.")

    def lock_message(self, reason: str = "") -> str:
        doc = self.doc
        if doc is None:
            return ""
        if doc.readonly:
            return (f"Read-only: {doc.readonly_reason}. Nothing you see here can be changed. "
                    "Use File > Save a copy to edit a copy of it.")
        try:
            current = signoff.current_signoff(doc)
            status = permissions(doc).status
        except (DocumentError, InvalidInput):
            return reason
        who = f" by {current.name} on {local_time(current.signed_at)}" if current else ""
        if status == Status.REVIEWED:
            return (f"This assessment was signed off{who} and has been reviewed, so the summary "
                    "is locked. Use File > Save a copy to keep a copy.")
        if status != Status.DRAFT:
            return (f"Signed off{who}: the summary is locked with the answers. The scrutineer can "
                    "reopen it for changes (Assessment > Reopen for changes…).")
        return reason

    # -- edits ----------------------------------------------------------------
    def _text_changed(self, name: str) -> None:
        doc = self.doc
        if self._loading or doc is None or not self.editable:
            return
        text = self.fields[name].toPlainText()
        self.autosaver.schedule(_key(name), partial(summary.set_text, doc, name, text), text)

    def _section_changed(self, section_id: str) -> None:
        doc = self.doc
        box = self.section_boxes.get(section_id)
        if self._loading or doc is None or box is None or not self.editable:
            return
        text = box.toPlainText()
        self.autosaver.schedule(_section_key(section_id),
                                partial(summary.set_section_summary, doc, section_id, text), text)

    def _judgement_changed(self, index: int) -> None:
        doc = self.doc
        if self._loading or doc is None or not self.editable or index < 0:
            return
        value = self.judgement.itemData(index)
        self.autosaver.save_now(JUDGEMENT_KEY, partial(summary.set_overall_judgement, doc, value),
                                value)

    def focus_first(self) -> None:
        """Put the cursor at the end of the conclusion (read-only boxes still take focus,
        so a screen reader can read them)."""
        box = self.fields["conclusion"]
        box.setFocus(Qt.FocusReason.OtherFocusReason)
        cursor = box.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        box.setTextCursor(cursor)
        announce(box, "Summary and conclusions. " + (self.banner.label.text()
                                                      if not self.banner.isHidden() else ""))

    def hideEvent(self, event) -> None:
        # Leaving the page writes what was typed at once, as navigation does elsewhere.
        self.autosaver.flush()
        super().hideEvent(event)
