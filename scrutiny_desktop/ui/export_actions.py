"""Exports, Save a copy and Verify a PDF, as window actions.

The PDF is laid out on a worker thread (it can take seconds for a long
assessment); JSON, CSV and the Word report are quick and written at once.  Every outcome is
reported through the host's prompts and the ``finished`` callback, which the
window turns into its ``export_finished`` signal; a file written is also announced
through ``notify`` (what was saved, and where), which the window shows as a notice
with Open and Show in folder.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog

from scrutiny_desktop.errors import DocumentError, InvalidInput
from scrutiny_desktop.services import assessments, signatures
from scrutiny_desktop.storage import SUFFIX, Document
from scrutiny_desktop.ui.prompts import Host
from scrutiny_desktop.ui.widgets import reactivate


class ExportActions:
    def __init__(self, host: Host, finished: Callable[[Path | None, str], None],
                 notify: Callable[[str, Path], None] | None = None):
        self.host = host
        self._finished = finished
        self._notify_saved = notify or (lambda what, path: None)
        self._op: object | None = None

    def _plain(self) -> bool:
        """Whether an export from the open assessment is a plain copy of an encrypted one."""
        return bool(self.host.doc is not None and getattr(self.host.doc, "encrypted", False))

    def _notify(self, what: str, path: Path) -> None:
        self._notify_saved(f"{what} (not encrypted)" if self._plain() else what, path)

    def _target(self, doc: Document, title: str, extension: str, file_filter: str) -> Path | None:
        if self._plain():
            # Said before the file is written: exports are never encrypted.
            title += " (the exported file is not encrypted)"
        target = self.host.ask_save_path(title, doc.path.with_suffix(extension), file_filter)
        if target is None:
            return None
        if target.suffix.lower() != extension:
            target = target.with_name(target.name + extension)
        if target.resolve() == doc.path.resolve():
            self.host.show_error("Choose another name", "That is the assessment file itself.")
            return None
        return target

    def save_a_copy(self) -> None:
        doc = self.host.doc
        if doc is None:
            return
        self.host.autosaver.flush()
        suggested = doc.path.with_name(doc.path.stem + " (copy)" + SUFFIX)
        target = self.host.ask_save_path("Save a copy of this assessment", suggested)
        if target is None:
            return
        if target.suffix.lower() != SUFFIX:
            target = target.with_name(target.name + SUFFIX)
        try:
            assessments.save_copy(doc, target)
        except (DocumentError, InvalidInput, OSError) as exc:
            self.host.show_error("Could not save a copy", str(exc))
            return
        self.host.show_status(f"Copy saved as {target}", 10000)
        if doc.readonly and self.host.confirm(
                "Copy saved", f"The copy was saved as {target.name}. Open the copy to edit it?"):
            self.host.open_path(target)

    def export_pdf(self) -> None:
        from scrutiny_desktop.report.data import collect
        from scrutiny_desktop.report.pdf import build_pdf

        doc = self.host.doc
        if doc is None:
            return
        self.host.autosaver.flush()
        target = self._target(doc, "Export the PDF summary", ".pdf", "PDF documents (*.pdf)")
        if target is None:
            return
        try:
            signed = signatures.pdf_to_export(doc)
            if signed is not None:
                # Signed off: exactly the PDF that was signed, checked before it is written.
                from scrutiny_desktop.report.signing import write_signed_pdf

                write_signed_pdf(doc, signed, target)
                self.host.show_status(f"Signed PDF summary saved as {target}", 15000)
                self._notify("Signed PDF summary", target)
                self._finished(target, "")
                return
            options = self._options_with_marking()
            if options is None:
                return
            data = collect(doc, options)
        except (DocumentError, InvalidInput, OSError) as exc:
            self.host.show_error("Could not export the PDF", " ".join(str(exc).split()))
            self._finished(None, str(exc))
            return
        def done(path: Path) -> None:
            self.host.show_status(f"PDF summary saved as {path}", 15000)
            self._notify("PDF summary", path)
            self._finished(path, "")

        self._in_background(lambda report: build_pdf(data, target, progress=report),
                            ("Writing the PDF summary…", "Export PDF summary", "Export progress"),
                            done, "Could not export the PDF")

    def _in_background(self, work: Callable[[Callable[[int, int], None]], object],
                       progress_text: tuple[str, str, str], done: Callable[[Any], None],
                       error_title: str, cleanup: Callable[[], None] = lambda: None) -> None:
        """Run ``work`` on a worker thread behind a window-modal progress dialog
        (text, title, accessible name; no cancel button, shown only if the work takes
        a moment), then ``done`` with its result; a failure is reported under
        ``error_title``.  ``cleanup`` runs after a failure.  Either way the dialog
        closes and the focus goes back where it was."""
        text, title, name = progress_text
        parent = self.host.dialog_parent()
        dialog = QProgressDialog(text, "", 0, 0, parent)
        dialog.setWindowTitle(title)
        dialog.setCancelButton(None)
        dialog.setMinimumDuration(300)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAccessibleName(name)
        focus = QApplication.focusWidget()

        def progress(count: int, total: int) -> None:
            dialog.setMaximum(total)
            dialog.setValue(count)

        def finish() -> None:
            dialog.close()
            if QApplication.activeWindow() is None:  # the progress window took it
                reactivate(parent, focus)

        def succeeded(result: object) -> None:
            finish()
            done(result)

        def failed(exc: BaseException) -> None:
            finish()
            cleanup()
            message = " ".join(str(exc).split()) or exc.__class__.__name__
            self.host.show_error(error_title, message)
            self._finished(None, message)

        op = self.host.run_in_background(work, succeeded, failed)
        op.progress.connect(progress)
        self._op = op

    # -- printing -----------------------------------------------------------------------
    def print_summary(self) -> None:
        """Print the PDF summary (the signed one once signed off) through the system
        print dialog: the PDF is made in a private temporary folder, printed, and removed."""
        from scrutiny_desktop.report.data import collect
        from scrutiny_desktop.report.pdf import build_pdf

        doc = self.host.doc
        if doc is None:
            return
        self.host.autosaver.flush()
        folder = Path(tempfile.mkdtemp(prefix="scrutiny-print-"))
        target = folder / (doc.path.stem + ".pdf")
        try:
            signed = signatures.pdf_to_export(doc)
            if signed is not None:
                from scrutiny_desktop.report.signing import write_signed_pdf

                write_signed_pdf(doc, signed, target)
                self._print_file(target, folder)
                return
            options = self._options_with_marking()
            if options is None:
                shutil.rmtree(folder, ignore_errors=True)
                return
            data = collect(doc, options)
        except (DocumentError, InvalidInput, OSError) as exc:
            shutil.rmtree(folder, ignore_errors=True)
            self.host.show_error("Could not print", " ".join(str(exc).split()))
            self._finished(None, str(exc))
            return
        self._in_background(lambda report: build_pdf(data, target, progress=report),
                            ("Preparing the PDF summary for printing…", "Print", "Print progress"),
                            lambda path: self._print_file(path, folder), "Could not print",
                            cleanup=lambda: shutil.rmtree(folder, ignore_errors=True))

    def _print_file(self, pdf: Path, folder: Path) -> None:
        from scrutiny_desktop.report.raster import page_count
        from scrutiny_desktop.ui.printing import chosen_pages, print_pdf

        try:
            pages = page_count(pdf)
        except Exception as exc:  # noqa: BLE001 - PDFium's own error type; reported
            shutil.rmtree(folder, ignore_errors=True)
            self.host.show_error("Could not print", f"The PDF could not be read for printing: {exc}")
            self._finished(None, str(exc))
            return
        printer = self.host.ask_printer(pages, pdf.stem)
        if printer is None:
            shutil.rmtree(folder, ignore_errors=True)
            return
        wanted = chosen_pages(printer, pages)
        name = printer.printerName() or Path(printer.outputFileName()).name or "the printer"
        def done(sent: int) -> None:
            shutil.rmtree(folder, ignore_errors=True)
            what = "1 page" if sent == 1 else f"{sent} pages"
            self.host.show_status(f"Sent {what} of the PDF summary to {name}.", 15000)
            out = printer.outputFileName()
            self._finished(Path(out) if out else None, "")

        self._in_background(lambda report: print_pdf(pdf, printer, wanted, progress=report),
                            (f"Sending the PDF summary to {name}…", "Print", "Print progress"),
                            done, "Could not print",
                            cleanup=lambda: shutil.rmtree(folder, ignore_errors=True))

    def _export_now(self, title: str, extension: str, file_filter: str,
                    write: Callable[[Document, Path], object], what: str) -> None:
        doc = self.host.doc
        if doc is None:
            return
        self.host.autosaver.flush()
        target = self._target(doc, title, extension, file_filter)
        if target is None:
            return
        try:
            write(doc, target)
        except (DocumentError, InvalidInput, OSError) as exc:
            self.host.show_error(title, str(exc))
            self._finished(None, str(exc))
            return
        self.host.show_status(f"Saved {target}", 15000)
        self._notify(what, target)
        self._finished(target, "")

    def export_json(self) -> None:
        from scrutiny_desktop.report.jsonio import export_json

        self._export_now("Export JSON", ".json", "JSON files (*.json)", export_json, "JSON file")

    def export_docx(self) -> None:
        """The accessible Word report, for publication (quick: written at once)."""
        from scrutiny_desktop.report.data import collect
        from scrutiny_desktop.report.docx import build_docx

        options = self._options_with_marking()
        if options is None:
            return

        def write(doc: Document, target: Path) -> Path:
            return build_docx(collect(doc, options), target)

        self._export_now("Export Word report", ".docx", "Word documents (*.docx)", write, "Word report")

    def _options_with_marking(self):
        """The report options from Preferences, with the protective marking chosen now
        (None if the person cancelled)."""
        import dataclasses

        from scrutiny_desktop.report.data import options_from_settings

        options = options_from_settings(self.host.settings)
        marking = self.host.ask_marking(options.protective_marking)
        return None if marking is None else dataclasses.replace(options, protective_marking=marking)

    def export_csv(self) -> None:
        from scrutiny_desktop.report.csvout import export_csv

        self._export_now("Export CSV", ".csv", "CSV files (*.csv)", export_csv, "CSV file")

    def verify_pdf(self) -> None:
        from scrutiny_desktop.report.verify import trust_settings, verify_pdf

        pdf = self.host.ask_open_pdf()
        if pdf is None:
            return
        doc = self.host.doc
        try:
            trust = trust_settings()
            if doc is not None:
                self.host.autosaver.flush()
                result = verify_pdf(pdf, doc, **trust)
                name = doc.path.name
            else:
                path = self.host.ask_open_path()
                if path is None:
                    return
                with assessments.open_assessment(path, readonly=True) as other:
                    result = verify_pdf(pdf, other, **trust)
                name = path.name
        except (DocumentError, InvalidInput) as exc:
            self.host.show_error("Cannot verify", str(exc))
            return
        # The same sentences as the command line: each signature, then the verdict.
        verdict = f"{pdf.name} against {name}: {result.message}."
        verdict = verdict[0].upper() + verdict[1:]
        text = "\n\n".join([*result.signatures, verdict])
        if result.ok:
            self.host.show_info("The PDF is verified", text)
        else:
            self.host.show_error("The PDF is not verified", text)
