"""The offline user guide (F1) and the About box."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from scrutiny_desktop import paths
from scrutiny_desktop.ui.widgets import named


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
