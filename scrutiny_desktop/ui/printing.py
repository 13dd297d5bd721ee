"""Printing the PDF summary through the system's print dialog.

What is printed is the PDF itself (the signed one, once signed off), drawn page
by page by PDFium (``report.raster``) and painted onto the printer Qt's print
dialog chose, so paper and PDF always agree.  The painting runs on a worker
thread: Qt allows a QPainter on a QPrinter off the UI thread, and no widget is
touched there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from scrutiny_desktop.report.raster import render_pages


def ask_printer(parent: QWidget, pages: int, title: str) -> QPrinter | None:
    """The system print dialog for a document of ``pages`` pages (None if cancelled)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setFromTo(1, pages)
    printer.setPrintRange(QPrinter.PrintRange.AllPages)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print the PDF summary")
    dialog.setMinMax(1, pages)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintToFile, True)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return None
    return printer


def chosen_pages(printer: QPrinter, pages: int) -> list[int]:
    """The 1-based pages the person asked for (all, a range or a list of ranges)."""
    ranges = printer.pageRanges()
    if printer.printRange() == QPrinter.PrintRange.PageRange and not ranges.isEmpty():
        return [n for n in range(1, pages + 1) if ranges.contains(n)]
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        return list(range(max(1, printer.fromPage()), min(pages, printer.toPage()) + 1))
    return list(range(1, pages + 1))


def print_pdf(pdf: Path, printer: QPrinter, pages: list[int],
              progress: Callable[[int, int], None] | None = None) -> int:
    """Paint ``pages`` of ``pdf`` onto ``printer``, each page scaled to fit the
    printable area and centred; returns the number of pages sent."""
    dpi = min(printer.resolution(), 300)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("The printer could not be started. Check that it is switched on and "
                      "connected, then try again.")
    sent = 0
    try:
        for index, page in enumerate(render_pages(pdf, pages, dpi)):
            if index:
                printer.newPage()
            image = QImage(page.rgb, page.width, page.height, page.stride,
                           QImage.Format.Format_RGB888)
            area = printer.pageLayout().paintRectPixels(printer.resolution())
            scale = min(area.width() / page.width_pt, area.height() / page.height_pt)
            width, height = page.width_pt * scale, page.height_pt * scale
            # The painter's origin is the printable area's top left.
            target = QRectF((area.width() - width) / 2, (area.height() - height) / 2, width, height)
            painter.drawImage(target, image)
            sent += 1
            if progress is not None:
                progress(sent, len(pages))
    finally:
        painter.end()
    return sent
