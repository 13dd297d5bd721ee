"""``scrutiny-desktop self-test``: prove an install works, offline, without a display.

Each step prints one line.  Everything is written inside one temporary folder,
which is removed at the end.  A Python audit hook watches for network use; any
attempt to connect or look up a host fails the test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrutiny_desktop.checklist.model import Template

NETWORK_EVENTS = {
    "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
    "socket.sendto", "socket.sendmsg", "socket.bind", "urllib.Request", "http.client.connect",
}


class _NetworkWatch:
    def __init__(self):
        self.events: list[str] = []
        self.active = False

    def __call__(self, event: str, args) -> None:
        if self.active and event in NETWORK_EVENTS:
            self.events.append(f"{event} {args!r}"[:200])


_WATCH = _NetworkWatch()
_HOOKED = False


def _install_hook() -> _NetworkWatch:
    global _HOOKED
    if not _HOOKED:  # audit hooks cannot be removed; install once per process
        sys.addaudithook(_WATCH)
        _HOOKED = True
    _WATCH.events.clear()
    _WATCH.active = True
    return _WATCH


class StepFailed(Exception):
    pass


def _fail(message: str) -> str:
    """A step that fails with ``message`` (a bundled template that does not load)."""
    raise StepFailed(message)


def run(out=None, *, with_qt: bool = True) -> int:
    """Run every step; returns 0 when all pass, 1 naming the first failing step."""
    out = out or sys.stdout
    watch = _install_hook()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="scrutiny-self-test-"))
    failures: list[str] = []

    def step(name: str, fn: Callable[[], str | None]) -> None:
        try:
            detail = fn()
        except Exception as exc:  # noqa: BLE001 - every failure becomes one line
            text = " ".join(str(exc).split()) or exc.__class__.__name__
            failures.append(name)
            print(f"FAIL  {name}: {text}", file=out)
            if os.environ.get("SCRUTINY_DESKTOP_DEBUG"):
                traceback.print_exc()
            return
        print(f"ok    {name}" + (f": {detail}" if detail else ""), file=out)

    try:
        from scrutiny_desktop import __version__

        print(f"Scrutiny Desktop {__version__} self-test (temporary folder {tmp})", file=out)
        if getattr(sys, "frozen", False):
            step("bundle run-time hooks", _check_frozen_hooks)
        step("resources", _check_resources)
        step("fonts", _check_fonts)
        step("migrations", _check_migrations)
        step("managed settings", _check_managed)
        signer: list = []
        step("signing", partial(_check_signing, tmp, signer))
        from scrutiny_desktop.checklist import discover_templates

        for info in [i for i in discover_templates() if i.origin == "bundled"]:
            if info.template is None:
                step(f"template {info.path.name}", partial(_fail, info.error or "invalid"))
                continue
            step(f"template {info.template.id}: document round trip",
                 partial(_round_trip, info.template, tmp, signer))
        step("encrypted document", partial(_check_encryption, tmp))
        if with_qt:
            step("Qt offscreen", _check_qt)
            step("Qt bindings keep Python sound", _check_qt_refcounts)
            step("printing", partial(_check_printing, tmp))
        step("no network", lambda: _check_network(watch))
    finally:
        watch.active = False
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"self-test failed: {', '.join(failures)}", file=out)
        return 1
    print("self-test passed", file=out)
    return 0


def _check_frozen_hooks() -> str:
    """In the bundle, PyInstaller's hooks for inspect, pkgutil and multiprocessing run
    when each is first imported (packaging/pyinstaller/hooks/rthooks.dat): check they did."""
    import inspect
    import multiprocessing.process
    import pkgutil

    import scrutiny_desktop

    if inspect.getsourcefile.__name__ != "_pyi_getsourcefile":
        raise StepFailed("inspect was not set up for the bundle")
    if getattr(multiprocessing.process, "ORIGINAL_DIR", "") is not None:
        raise StepFailed("multiprocessing was not set up for the bundle")
    names = {module.name for module in pkgutil.iter_modules(scrutiny_desktop.__path__)}
    if not {"storage", "services", "ui"} <= names:
        raise StepFailed(f"pkgutil lists only {sorted(names)} in the bundle's package")
    return f"inspect, multiprocessing and pkgutil set up on first use ({len(names)} modules listed)"


def _check_resources() -> str:
    from scrutiny_desktop import paths
    from scrutiny_desktop.report.jsonio import schema_path

    needed = [paths.bundled_checklists_dir() / "cis.toml", paths.resource("help", "guide.html"),
              schema_path(), paths.icons_dir() / "scrutiny-desktop.png"]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise StepFailed("missing: " + ", ".join(missing))
    return str(paths.resources_dir())


def _check_fonts() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from scrutiny_desktop import paths

    names = ["NotoSans-Regular", "NotoSans-Bold", "NotoSans-Italic", "NotoSans-BoldItalic"]
    for name in names:
        font_path = paths.fonts_dir() / f"{name}.ttf"
        if not font_path.is_file():
            raise StepFailed(f"missing font {font_path}")
        font = TTFont(f"selftest-{name}", str(font_path))
        pdfmetrics.registerFont(font)
        for ch in "ŵŷżąΩЖ":
            if ord(ch) not in font.face.charToGlyph:
                raise StepFailed(f"{name} cannot show {ch!r}")
    # The fallback for symbols Noto Sans lacks (≥ ≤ ≠ → ✓) and the □ placeholder.
    for name in ("DejaVuSans", "DejaVuSans-Bold"):
        font_path = paths.fonts_dir() / f"{name}.ttf"
        if not font_path.is_file():
            raise StepFailed(f"missing font {font_path}")
        font = TTFont(f"selftest-{name}", str(font_path))
        for ch in "≥≤≠→✓□":
            if ord(ch) not in font.face.charToGlyph:
                raise StepFailed(f"{name} cannot show {ch!r}")
    return (f"{len(names)} Noto Sans faces cover Latin, Greek and Cyrillic; "
            "DejaVu Sans covers symbols")


def _check_migrations() -> str:
    from scrutiny_desktop.storage import FORMAT_VERSION
    from scrutiny_desktop.storage.migrate import head_format

    head = head_format()
    if head != FORMAT_VERSION:
        raise StepFailed(f"the migrations reach format {head}, the app expects {FORMAT_VERSION}")
    return f"format {head}"


def _check_managed() -> str:
    from scrutiny_desktop.settings import load_managed

    managed = load_managed()
    if managed.error:
        raise StepFailed(managed.error)
    if managed.path is None:
        from scrutiny_desktop import paths

        return f"none installed (looked for {paths.managed_config_file()})"
    return f"{managed.path}: " + ("; ".join(managed.describe()) or "nothing set")


def _check_signing(tmp: Path, signer: list) -> str:
    """Create a throwaway signing certificate, load it back, sign and verify, offline."""
    from scrutiny_desktop.services.identity import (
        create_identity,
        load_identity,
        sign_payload,
        verify_payload,
    )

    path = tmp / "signing" / "self-test.p12"
    create_identity(path, name="Self Test", passphrase=b"self-test passphrase")
    identity = load_identity(path, b"self-test passphrase")
    signature = sign_payload(identity, b"self-test")
    if not verify_payload(identity.certificate_der, b"self-test", signature) \
            or verify_payload(identity.certificate_der, b"self-tesT", signature):
        raise StepFailed("an RSA signature did not verify as it should")
    signer.append(identity)
    return f"throwaway certificate {identity.fingerprint[:23]}… created, loaded, signed and verified"


def _round_trip(template: Template, tmp: Path, signer: list | None = None) -> str:
    from scrutiny_desktop.report import signing
    from scrutiny_desktop.report.csvout import export_csv
    from scrutiny_desktop.report.data import ReportOptions
    from scrutiny_desktop.report.jsonio import export_json
    from scrutiny_desktop.report.verify import verify_pdf
    from scrutiny_desktop.services import answers, assessments, signatures
    from scrutiny_desktop.services.assessments import NewAssessment
    from scrutiny_desktop.services.transfer import import_json

    folder = tmp / template.id
    folder.mkdir()
    path = assessments.create_assessment(folder / "self-test.scrutiny", template, NewAssessment(
        partnership="Self-test Partnership (Łódź, Αθήνα, Київ)", period="2025-26",
        scrutineer_name="Self Test", scrutineer_role="Installer check"))
    answered = next(v for v, _label in template.judgement_options()
                    if template.counts_as_answered(v))
    with assessments.open_assessment(path, lock=True) as doc:
        ids = template.question_ids()
        answers.set_findings(doc, ids[0], "Self-test findings <with markup> & “quotes”.")
        for qid in ids:
            answers.set_judgement(doc, qid, answered)
        if not signer:
            raise StepFailed("no signing certificate (the signing step failed)")
        signing.sign_off(doc, identity=signer[0], name="Self Test", role="Installer check",
                         statement=template.signoff_statement, confirmed=True,
                         options=ReportOptions())
        from scrutiny_desktop.services.integrity import VALID, signature_checks

        states = [c.state for c in signature_checks(doc)]
        if states != [VALID]:
            raise StepFailed(f"the stored signature did not verify ({', '.join(states)})")
        if signatures.pdf_to_export(doc) is None:
            raise StepFailed("signing off kept no signed PDF")
        pdf = signing.export_pdf(doc, folder / "self-test.pdf")
        export_json(doc, folder / "self-test.json")
        export_csv(doc, folder / "self-test.csv")
        # The PDF's PAdES signature, offline, with the certificate pinned as a user would.
        result = verify_pdf(pdf, doc, pinned_fingerprints=[signer[0].fingerprint])
        if not result.ok:
            raise StepFailed(f"verify: {result.message}")
        if "pinned" not in " ".join(result.signatures):
            raise StepFailed(f"verify did not report the pinned certificate: {result.signatures}")
    copy = import_json(folder / "self-test.json", folder / "imported.scrutiny")
    with assessments.open_assessment(copy, readonly=True) as doc:
        export_json(doc, folder / "again.json")
    if (folder / "self-test.json").read_bytes() != (folder / "again.json").read_bytes():
        raise StepFailed("JSON export and import did not round-trip exactly")
    return (f"{len(template.question_ids())} questions; signed off with a key and the stored "
            "signature verified; PDF "
            f"({pdf.stat().st_size // 1024} KB), JSON and CSV exported; the PDF's PAdES signature "
            "verified")


def _check_encryption(tmp: Path) -> str:
    """Create an encrypted document, reopen it, refuse a wrong passphrase, export from it,
    and find none of its text in the file's bytes (SQLCipher, offline)."""
    import hashlib

    from scrutiny_desktop.checklist import bundled_template
    from scrutiny_desktop.errors import WrongPassphrase
    from scrutiny_desktop.report import signing
    from scrutiny_desktop.report.jsonio import export_json
    from scrutiny_desktop.services import answers, assessments
    from scrutiny_desktop.services.assessments import NewAssessment

    folder = tmp / "encrypted"
    folder.mkdir()
    passphrase = "self-test 'passphrase' \"quoted\" ☂"
    findings = "Self-test encrypted findings: Kestrel-7Q."
    template = bundled_template()
    path = assessments.create_assessment(folder / "encrypted.scrutiny", template, NewAssessment(
        partnership="Self-test Encrypted Partnership", period="2025-26",
        scrutineer_name="Self Test"), passphrase=passphrase)
    with assessments.open_assessment(path, lock=True, passphrase=passphrase) as doc:
        answers.set_findings(doc, template.question_ids()[0], findings)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    try:
        assessments.open_assessment(path, passphrase=passphrase + "x").close()
        raise StepFailed("a wrong passphrase opened the encrypted document")
    except WrongPassphrase:
        pass
    if hashlib.sha256(path.read_bytes()).hexdigest() != before:
        raise StepFailed("refusing a wrong passphrase changed the file")
    with assessments.open_assessment(path, readonly=True, passphrase=passphrase) as doc:
        if answers.get_answer(doc, template.question_ids()[0]).findings != findings:
            raise StepFailed("the findings did not read back")
        pdf = signing.export_pdf(doc, folder / "encrypted.pdf")
        exported = export_json(doc, folder / "encrypted.json")
    raw = path.read_bytes()
    for secret in (findings, "Self-test Encrypted Partnership", "SQLite format 3"):
        if secret.encode("utf-8") in raw:
            raise StepFailed(f"{secret!r} is readable in the encrypted file")
    if findings not in exported.read_text(encoding="utf-8") or \
            not pdf.read_bytes().startswith(b"%PDF-"):
        raise StepFailed("the exports from the encrypted document are not plain files")
    from sqlcipher3 import dbapi2 as sqlcipher

    conn = sqlcipher.connect(":memory:")
    try:
        version = conn.execute("PRAGMA cipher_version").fetchone()[0]
    finally:
        conn.close()
    return (f"SQLCipher {version}: created, reopened, a wrong passphrase refused without a "
            "change, PDF and JSON exported; no text readable in the file")


def _check_qt() -> str:
    from scrutiny_desktop.ui.smoke import qt_smoke

    return qt_smoke()


def _check_printing(tmp: Path) -> str:
    from scrutiny_desktop.ui.smoke import print_smoke

    pdfs = sorted(tmp.glob("*/self-test.pdf"))
    if not pdfs:
        raise StepFailed("no PDF to print (the round trip failed)")
    return print_smoke(pdfs[0], tmp / "printed.pdf")


def _check_qt_refcounts() -> str:
    from scrutiny_desktop.ui.qtprobe import probe_in_app

    result = probe_in_app()
    if not result.ok:
        raise StepFailed(result.describe())
    return result.describe()


def _check_network(watch: _NetworkWatch) -> str:
    if watch.events:
        raise StepFailed("network activity: " + "; ".join(watch.events[:3]))
    return "no connection or host lookup was attempted"


if __name__ == "__main__":  # pragma: no cover
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(run())
