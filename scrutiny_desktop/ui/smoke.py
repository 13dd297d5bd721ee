"""A quick offscreen check that Qt and the main window work (used by self-test)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import qInstallMessageHandler, qVersion
from PySide6.QtWidgets import QApplication

from scrutiny_desktop.settings import AppState, Settings
from scrutiny_desktop.ui.app import application
from scrutiny_desktop.ui.main_window import MainWindow

#: What the offscreen platform says about every window: harmless, and noise in self-test.
_NOISE = ("This plugin does not support propagateSizeHints()",)


def _quiet_handler(_mode, _context, message: str) -> None:
    if message not in _NOISE:
        print(message, file=sys.stderr)


def print_smoke(pdf: Path, out: Path) -> str:
    """Print ``pdf`` as File > Print does, to a PDF file printer (no printer needed)."""
    from PySide6.QtPrintSupport import QPrinter

    from scrutiny_desktop.report.raster import page_count
    from scrutiny_desktop.ui.printing import print_pdf

    QApplication.instance() or application()
    pages = page_count(pdf)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setResolution(72)
    printer.setOutputFileName(str(out))
    sent = print_pdf(pdf, printer, list(range(1, pages + 1)))
    printed = page_count(out)
    if sent != pages or printed != pages:
        raise RuntimeError(f"printed {printed} of {pages} pages")
    return f"{pages} pages drawn by PDFium and printed to a PDF file"


def qt_smoke() -> str:
    previous = qInstallMessageHandler(_quiet_handler)
    try:
        app = QApplication.instance() or application()
        window = MainWindow(Settings(), AppState())
        window.resize(1366, 768)
        window.show()
        app.processEvents()
        image = window.grab()
        window.close()
        window.deleteLater()
        app.processEvents()
    finally:
        qInstallMessageHandler(previous)
    if image.isNull():
        raise RuntimeError("the main window could not be drawn")
    return f"Qt {qVersion()} on the '{QApplication.platformName()}' platform drew the main window"
