"""The offline user guide (F1) and the About box."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from scrutiny_desktop import APP_NAME, __version__, paths
from scrutiny_desktop.checklist.model import Template
from scrutiny_desktop.settings import Managed
from scrutiny_desktop.ui.widgets import message_box, named, run_dialog


class GuideWindow(QDialog):
    """Shows resources/help/guide.html.  Links never leave the guide."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Scrutiny Desktop user guide")
        self.resize(820, 640)
        self.browser = named(QTextBrowser(), "User guide")
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(True)
        guide = paths.resource("help", "guide.html")
        self.browser.setSearchPaths([str(guide.parent)])
        self.browser.setSource(QUrl.fromLocalFile(str(guide)))
        self.browser.anchorClicked.connect(self._anchor)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(box)

    def _anchor(self, url: QUrl) -> None:
        # Only in-page anchors and local files are followed; anything else is ignored.
        if url.scheme() not in ("", "file"):
            self.browser.setSource(self.browser.source())


def about_html(template: Template, managed: Managed) -> str:
    """The About box: version, the checklist in use, and any managed settings."""
    extra = ""
    if managed.describe():
        extra = ("<p><b>Managed settings</b> (from " + escape(str(managed.path)) + "): "
                 + escape("; ".join(managed.describe())) + "</p>")
    if managed.error:
        extra += "<p><b>Problem with the managed settings:</b> " + escape(managed.error) + "</p>"
    return (f"<h3>{APP_NAME} {escape(__version__)}</h3>"
            "<p>An offline tool for the independent scrutiny of safeguarding children "
            "partnerships. It never connects to a network.</p>"
            f"<p><b>Checklist:</b> {escape(template.title)}, version {escape(template.version)}</p>"
            f"<p>{escape(template.description)}</p>"
            f"<p><b>Sources:</b> {escape(template.source_statement())}</p>{extra}")


def show_about(parent: QWidget, template: Template, managed: Managed) -> None:
    box = message_box(parent, QMessageBox.Icon.NoIcon, f"About {APP_NAME}",
                      about_html(template, managed))
    box.setTextFormat(Qt.TextFormat.RichText)
    icon = QApplication.windowIcon()
    if not icon.isNull():
        box.setIconPixmap(icon.pixmap(64, 64))
    run_dialog(box)
