"""The command line: GUI launch and the headless commands.

Exit codes: 0 success; 1 a problem with the user's data (one ``error:`` line
on stderr, never a traceback); 2 bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from scrutiny_desktop import APP_NAME, APP_SLUG, __version__

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2

COMMANDS = ("new", "check", "templates", "export", "import", "verify", "keys", "sign", "countersign",
            "encrypt", "decrypt", "change-passphrase", "self-test")


class UserError(Exception):
    """A problem with the user's data, reported as one ``error:`` line."""


def _warn_managed() -> None:
    """Commands that use settings say when IT's config.toml could not be applied."""
    from scrutiny_desktop.settings import load_managed

    managed = load_managed()
    if managed.error:
        print(f"warning: managed settings not applied: {' '.join(managed.error.split())}",
              file=sys.stderr)


def _exit_status(exc: SystemExit) -> int:
    """The status ``exc`` would end the process with: None is 0, a message 1."""
    if exc.code is None:
        return 0
    return exc.code if isinstance(exc.code, int) else 1


def _err(message: str) -> int:
    text = " ".join(str(message).split())
    print(f"error: {text}", file=sys.stderr)
    return EXIT_DATA


# -- passphrases of encrypted documents ----------------------------------------

def _read_passphrase(file: str | None) -> str | None:
    """The first line of ``file`` (its newline stripped), or None without a file.  A
    passphrase is never taken from the command line itself (it would show in the
    process list and the shell's history)."""
    if not file:
        return None
    from scrutiny_desktop.services.identity import passphrase_from_file

    data = passphrase_from_file(Path(file))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"the passphrase file {file} is not UTF-8 text.") from None


def _doc_passphrase(args) -> str | None:
    """The passphrase of the document a command opens (``--passphrase-file``, or for
    ``sign``/``countersign`` ``--document-passphrase-file``)."""
    return _read_passphrase(getattr(args, "document_passphrase_file", None)
                            or getattr(args, "doc_passphrase_file", None))


def _new_passphrase(args) -> str | None:
    """The passphrase for a new encrypted document (``--encrypt``), checked as the app
    checks one; None without ``--encrypt``.  IT's ``require_encryption`` refuses a
    new plain document."""
    from scrutiny_desktop.settings import load_managed

    if not getattr(args, "encrypt", False):
        if getattr(args, "doc_passphrase_file", None):
            raise UserError("--passphrase-file gives the new document's passphrase: add "
                            "--encrypt to encrypt it.")
        if load_managed().config.require_encryption:
            raise UserError("your organisation requires new assessments to be encrypted; add "
                            "--encrypt --passphrase-file F.")
        return None
    passphrase = _doc_passphrase(args)
    if passphrase is None:
        raise UserError("--encrypt needs --passphrase-file F (a file whose first line is the "
                        "passphrase).")
    from scrutiny_desktop.services.encryption import check_new_passphrase

    check_new_passphrase(passphrase, passphrase)
    return passphrase


# -- commands ---------------------------------------------------------------

def cmd_templates(args) -> int:
    from scrutiny_desktop.checklist import TemplateError, discover_templates, load_template
    from scrutiny_desktop.settings import current_settings

    if not args.check:
        _warn_managed()
    if args.check:
        try:
            t = load_template(args.check)
        except TemplateError as exc:
            return _err(str(exc))
        print(f"{args.check}: valid template '{t.id}' version {t.version}, "
              f"{len(t.sections)} sections, {len(t.question_ids())} questions")
        return EXIT_OK
    settings = current_settings()
    found = discover_templates(settings.extra_template_folders())
    for info in found:
        if info.template:
            t = info.template
            print(f"{t.id}\t{t.version}\t{len(t.question_ids())} questions\t{info.origin}\t"
                  f"{t.title}\t{info.path}")
    # A broken file in a templates folder is listed, not fatal: the good ones still work.
    for info in found:
        if info.template is None:
            print(f"Unusable: {info.path}: {' '.join(info.reason.split())}")
    return EXIT_OK


def cmd_new(args) -> int:
    from scrutiny_desktop.checklist import TemplateError, find_template
    from scrutiny_desktop.services.assessments import NewAssessment, create_assessment
    from scrutiny_desktop.settings import current_settings

    _warn_managed()
    try:
        template = find_template(args.template, current_settings().extra_template_folders())
    except TemplateError as exc:
        return _err(str(exc))
    details = NewAssessment(partnership=args.partnership, period=args.period,
                            scrutineer_name=args.scrutineer, area=args.area or "",
                            scrutineer_role=args.role or "")
    passphrase = _new_passphrase(args)
    path = create_assessment(Path(args.file), template, details, passphrase=passphrase)
    print(f"created {path} from '{template.id}' version {template.version} "
          f"({len(template.question_ids())} questions)" + (", encrypted" if passphrase else ""))
    return EXIT_OK


def _printable(text: object) -> str:
    """Metadata shown on a terminal: control characters as visible escapes."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in str(text))


def cmd_check(args) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from scrutiny_desktop.services import assessments, progress
    from scrutiny_desktop.services.integrity import IntegrityReport, integrity_report
    from scrutiny_desktop.storage import FORMAT_VERSION, lockfile
    from scrutiny_desktop.storage.document import writable_reason

    # Read-only: check never writes, migrates or recovers in place.  An interrupted
    # save is rolled back in a private copy; a program writing the file right now
    # (a SQLite lock held) is reported; a stale journal is not.
    passphrase = _doc_passphrase(args)
    with assessments.open_assessment(args.file, readonly=True, detect_writer=True,
                                     passphrase=passphrase) as doc:
        report = integrity_report(doc)
        info = assessments.info(doc)
        try:
            prog = progress.progress(doc)
            prog_text = prog.text
            required = f"{prog.required_answered}/{prog.required}"
        except (SQLAlchemyError, ValueError, TypeError) as exc:
            if report.ok:  # the integrity check reads every value, so this is unexpected
                detail = " ".join(str(getattr(exc, "orig", None) or exc).split())[:160]
                report = IntegrityReport(False, f"its answers cannot be read ({detail})")
            prog_text = required = "unknown"
        recovered = doc.recovered_interrupted_save
        encrypted = doc.encrypted
    cannot_write = writable_reason(info.path)
    fmt: object = info.format_version
    if info.format_version < FORMAT_VERSION:
        fmt = (f"{info.format_version} (an earlier format, read through an updated copy; opening "
               "it for editing in the app updates the file)")
    for label, value in (("file", info.path), ("format", fmt),
                         ("template", f"{info.template_id} {info.template_version}"),
                         ("partnership", info.partnership), ("period", info.period),
                         ("status", info.status_label), ("progress", prog_text),
                         ("required answered", required),
                         ("integrity", "ok" if report.ok else report.problem)):
        print(f"{label}: {_printable(value)}")
    if encrypted:
        print("encryption: encrypted with a passphrase (SQLCipher 4); without it nothing in the "
              "file can be read")
    if recovered:
        print("interrupted save: the last change was not finished when the program or computer "
              "stopped; this report leaves it out, as SQLite's recovery will. Opening the file "
              "for editing in the app finishes the recovery (a copy is kept first).")
    holder = lockfile.current_holder(info.path)
    if holder is not None:
        print(f"open for editing: by {_printable(holder.describe())} (the lock file beside it)")
    if cannot_write:
        # Not a problem with the document: an archived or shared copy is often read-only.
        print(f"read-only: {cannot_write}; it can be read and checked, and Save a copy in the "
              "app makes an editable copy")
    for line in signature_lines(args.file, passphrase):
        print(line)
    if report.ok:
        pdf_line, pdf_problem = kept_pdf_line(args.file, passphrase)
        if pdf_line:
            print(pdf_line)
        if pdf_problem:
            report = IntegrityReport(False, pdf_problem)
    if not report.ok:
        return _err(f"{info.path}: {report.problem}")
    return EXIT_OK


def kept_pdf_line(path, passphrase: str | None = None) -> tuple[str, str]:
    """A line on the signed PDF kept with the signature in force ("" if none), and the
    problem with it ("" if none)."""
    from scrutiny_desktop.report.signing import kept_pdf_problem
    from scrutiny_desktop.services import assessments
    from scrutiny_desktop.services.signatures import pdf_to_export

    with assessments.open_assessment(path, readonly=True, passphrase=passphrase) as doc:
        pdf = pdf_to_export(doc)
        if pdf is None:
            return "", ""
        problem = kept_pdf_problem(doc, pdf)
    if problem:
        return "", f"the signed PDF kept in it {problem}"
    return f"signed PDF: kept ({len(pdf) // 1024} KB), its signatures intact", ""


def signature_lines(path, passphrase: str | None = None) -> list[str]:
    """One line per stored signature: signer, certificate, valid or not, trusted or not."""
    from scrutiny_desktop.services import assessments
    from scrutiny_desktop.services.identity import load_certificates, trust_of
    from scrutiny_desktop.services.integrity import INVALID, NO_KEY, VALID, signature_checks
    from scrutiny_desktop.settings import current_settings

    settings = current_settings()
    issuers, problems = load_certificates(settings.trusted_issuers)
    lines = [f"warning: trusted issuer {p}" for p in problems]
    try:
        with assessments.open_assessment(path, readonly=True, passphrase=passphrase) as doc:
            checks = signature_checks(doc)
    except Exception:  # noqa: BLE001 - the integrity line above already says what is wrong
        return lines
    for c in checks:
        who = _printable(f"{c.name}" + (f" ({c.role})" if c.role else ""))
        when = c.signed_at.isoformat(timespec="seconds")
        if c.voided:
            lines.append(f"{c.kind}: {who}, {when}: voided")
            continue
        if c.state == NO_KEY:
            lines.append(f"{c.kind}: {who}, {when}: {NO_KEY}, not a verifiable signature")
            continue
        state = {VALID: "valid", INVALID: "INVALID"}.get(c.state, c.state)
        trust = ""
        if c.certificate_der:
            try:
                trust = "; " + trust_of(c.certificate_der, trusted_issuers=issuers,
                                        pinned=settings.pinned_fingerprints)[1]
            except ValueError:
                trust = "; the certificate cannot be read"
        lines.append(f"{c.kind}: {who}, {when}: signature {state}; certificate "
                     f"{c.certificate_sha256 or 'none'}{trust}")
    return lines


def _identity(args):
    from scrutiny_desktop.services.identity import load_identity, passphrase_from_file

    return load_identity(Path(args.key), passphrase_from_file(Path(args.passphrase_file)))


def cmd_keys(args) -> int:
    from scrutiny_desktop.services.identity import create_identity, passphrase_from_file

    identity = create_identity(Path(args.out), name=args.name, email=args.email or "",
                               passphrase=passphrase_from_file(Path(args.passphrase_file)))
    print(f"created {args.out}: signing certificate for {_printable(identity.name)}")
    print(f"SHA-256 fingerprint: {identity.fingerprint}")
    return EXIT_OK


def _signing_statement(doc, given: str | None) -> str:
    from scrutiny_desktop.services.common import template_of
    from scrutiny_desktop.settings import current_settings

    return given or current_settings().signoff_statement or template_of(doc).signoff_statement


def _report_options(marking: str | None = None):
    """The report options from the settings; ``marking`` ("none" for none) overrides the
    protective marking unless IT has fixed it."""
    import dataclasses

    from scrutiny_desktop.report.data import options_from_settings
    from scrutiny_desktop.settings import current_settings, load_managed

    options = options_from_settings(current_settings())
    if marking is None:
        return options
    if "protective_marking" in load_managed().locked:
        raise UserError("your organisation has fixed the protective marking; --marking cannot "
                        "change it.")
    chosen = " ".join(marking.split())
    return dataclasses.replace(options, protective_marking="" if chosen.lower() == "none" else chosen)


def cmd_sign(args) -> int:
    from scrutiny_desktop.report import signing
    from scrutiny_desktop.services import assessments

    if not args.confirm:
        raise UserError("add --confirm to sign off: it records that you confirm the statement.")
    identity = _identity(args)
    with assessments.open_assessment(args.file, passphrase=_doc_passphrase(args)) as doc:
        view = signing.sign_off(doc, identity=identity, name=args.name, role=args.role or "",
                                statement=_signing_statement(doc, args.statement), confirmed=True,
                                options=_report_options())
    print(f"signed off {args.file} as {_printable(view.name)}; certificate {view.certificate_sha256}")
    return EXIT_OK


def cmd_countersign(args) -> int:
    from scrutiny_desktop.report import signing
    from scrutiny_desktop.services import assessments, review

    if not args.confirm:
        raise UserError("add --confirm to countersign: it records that you confirm the statement.")
    identity = _identity(args)
    with assessments.open_assessment(args.file, passphrase=_doc_passphrase(args)) as doc:
        view = signing.countersign(doc, identity=identity, name=args.name, role=args.role or "",
                                   statement=args.statement or review.DEFAULT_COUNTERSIGN_STATEMENT,
                                   confirmed=True, options=_report_options())
    print(f"countersigned {args.file} as {_printable(view.name)}; certificate "
          f"{view.certificate_sha256}")
    return EXIT_OK


def cmd_export(args) -> int:
    from scrutiny_desktop.atomic import check_target
    from scrutiny_desktop.services import assessments

    outputs = [(kind, Path(p))
               for kind, p in (("pdf", args.pdf), ("json", args.json), ("csv", args.csv),
                               ("docx", args.docx)) if p]
    for _kind, out in outputs:
        # Before any work: a folder, pipe, device, link loop or missing folder is named now.
        if os.path.realpath(out) == os.path.realpath(args.file):
            raise UserError(f"{out}: that is the assessment itself; choose another file name.")
        check_target(out)
    if args.pdf:
        _warn_managed()
    passphrase = _doc_passphrase(args)
    with assessments.open_assessment(args.file, readonly=True, passphrase=passphrase) as doc:
        for kind, out in outputs:
            if kind == "pdf":
                from scrutiny_desktop.report.signing import export_pdf

                export_pdf(doc, out, _report_options(args.marking))  # a signed one as signed
            elif kind == "json":
                from scrutiny_desktop.report.jsonio import export_json

                export_json(doc, out)
            elif kind == "docx":
                from scrutiny_desktop.report.data import collect
                from scrutiny_desktop.report.docx import build_docx

                build_docx(collect(doc, _report_options(args.marking)), out)
            else:
                from scrutiny_desktop.report.csvout import export_csv

                export_csv(doc, out)
            print(f"wrote {out}")
    return EXIT_OK


def cmd_import(args) -> int:
    from scrutiny_desktop.services import assessments, progress
    from scrutiny_desktop.services.transfer import import_json

    passphrase = _new_passphrase(args)
    if passphrase is None:
        path = import_json(Path(args.json), Path(args.to))
    else:
        path = _import_encrypted(Path(args.json), Path(args.to), passphrase)
    with assessments.open_assessment(path, readonly=True, passphrase=passphrase) as doc:
        info = assessments.info(doc)
        prog = progress.progress(doc)
    print(f"created {path}: {info.partnership}, {info.period}, {info.status_label}, {prog.text} answered"
          + (", encrypted" if passphrase else ""))
    return EXIT_OK


def _import_encrypted(source: Path, target: Path, passphrase: str) -> Path:
    """Import into a plain document in a private temporary folder, then make the
    encrypted copy at ``target``: the plain one never sits beside the target."""
    import shutil
    import tempfile

    from scrutiny_desktop.atomic import check_target
    from scrutiny_desktop.services.encryption import encrypt_copy
    from scrutiny_desktop.services.transfer import import_json

    check_target(target)
    if os.path.lexists(target):
        raise FileExistsError(f"{target} already exists. Choose a new file name; "
                              "import never replaces a file.")
    folder = Path(tempfile.mkdtemp(prefix="scrutiny-import-"))
    try:
        plain = import_json(source, folder / "imported.scrutiny")
        return encrypt_copy(plain, target, passphrase)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cmd_encrypt(args) -> int:
    from scrutiny_desktop.services.encryption import check_new_passphrase, encrypt_copy

    passphrase = _read_passphrase(args.passphrase_file)
    assert passphrase is not None  # a required option
    check_new_passphrase(passphrase, passphrase)
    out = encrypt_copy(Path(args.file), Path(args.to), passphrase,
                       source_passphrase=_read_passphrase(args.source_passphrase_file))
    print(f"wrote {out}: an encrypted copy of {args.file} (the original is unchanged). Keep the "
          "passphrase safe: without it nothing can recover the file.")
    return EXIT_OK


def cmd_decrypt(args) -> int:
    from scrutiny_desktop.services.encryption import decrypt_copy

    passphrase = _read_passphrase(args.passphrase_file)
    assert passphrase is not None
    out = decrypt_copy(Path(args.file), Path(args.to), passphrase=passphrase)
    print(f"wrote {out}: a copy of {args.file} that is NOT encrypted (the original is unchanged)")
    return EXIT_OK


def cmd_change_passphrase(args) -> int:
    from scrutiny_desktop.services.encryption import change_passphrase, check_new_passphrase

    old = _read_passphrase(args.passphrase_file)
    new = _read_passphrase(args.new_passphrase_file)
    assert old is not None and new is not None
    check_new_passphrase(new, new)
    change_passphrase(Path(args.file), old, new)
    print(f"changed the passphrase of {args.file}; the old passphrase no longer opens it")
    return EXIT_OK


def cmd_verify(args) -> int:
    from scrutiny_desktop.atomic import check_source
    from scrutiny_desktop.report.verify import trust_settings, verify_pdf
    from scrutiny_desktop.services import assessments

    check_source(args.pdf, "PDF")  # a pipe or device is named, never opened
    trust = trust_settings()
    if not args.against:
        result = verify_pdf(args.pdf, **trust)
    else:
        with assessments.open_assessment(args.against, readonly=True,
                                         passphrase=_doc_passphrase(args)) as doc:
            result = verify_pdf(args.pdf, doc, **trust)
    for line in result.signatures:
        print(_printable(line))
    if result.ok:
        print(_printable(result.message))
        return EXIT_OK
    return _err(f"{args.pdf}: {result.message}")


def cmd_self_test(args) -> int:
    from scrutiny_desktop.selftest import run

    return run()


# -- parser -------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message):  # bad usage: exit 2 with a short message
        self.print_usage(sys.stderr)
        print(f"{self.prog}: usage error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=APP_SLUG,
        description=f"{APP_NAME}: independent scrutiny of safeguarding children partnerships. "
                    "With no command, opens the app (optionally with FILE).",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("new", help="create a new assessment document")
    p.add_argument("file", metavar="FILE", help="the .scrutiny file to create")
    p.add_argument("--partnership", required=True, metavar="NAME")
    p.add_argument("--period", required=True, metavar="TEXT", help="period covered, e.g. 2025-26")
    p.add_argument("--scrutineer", required=True, metavar="NAME")
    p.add_argument("--role", metavar="TEXT", default="")
    p.add_argument("--area", metavar="TEXT", default="")
    p.add_argument("--template", metavar="ID_OR_PATH", default=None,
                   help="template id or .toml file (default: the bundled CIS)")
    _encrypt_options(p)
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("check", help="report a document's format, template, status and progress")
    p.add_argument("file", metavar="FILE")
    _passphrase_option(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("templates", help="list templates, or validate one with --check")
    p.add_argument("--check", metavar="PATH", help="validate one template file")
    p.set_defaults(func=cmd_templates)

    p = sub.add_parser("export", help="export a document as PDF, JSON, CSV and/or Word")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--pdf", metavar="OUT", help="write the PDF summary here")
    p.add_argument("--json", metavar="OUT", help="write the lossless JSON export here")
    p.add_argument("--csv", metavar="OUT", help="write one row per question here")
    p.add_argument("--docx", metavar="OUT", help="write the accessible Word report here")
    p.add_argument("--marking", metavar="TEXT",
                   help="the protective marking on every page of the PDF and Word report "
                        "(default: the preference; 'none' for publication); a signed PDF keeps "
                        "the marking it was signed with")
    _passphrase_option(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="build a new document from a JSON export")
    p.add_argument("json", metavar="JSON")
    p.add_argument("--to", required=True, metavar="FILE", help="the new .scrutiny file (must not exist)")
    _encrypt_options(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("verify", help="check a PDF's digital signatures (and, with --against, "
                                      "that it shows what a document holds)")
    p.add_argument("pdf", metavar="PDF")
    p.add_argument("--against", metavar="FILE", help="the .scrutiny document to check against")
    _passphrase_option(p, "the passphrase of the --against document, if it is encrypted")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("keys", help="create a personal signing certificate")
    keys = p.add_subparsers(dest="keys_command", metavar="ACTION", parser_class=_Parser,
                            required=True)
    k = keys.add_parser("new", help="create a self-signed signing certificate (.p12)")
    k.add_argument("out", metavar="OUT.p12", help="the new .p12 file (must not exist)")
    k.add_argument("--name", required=True, metavar="NAME", help="your name, as on the certificate")
    k.add_argument("--email", metavar="EMAIL", default="")
    k.add_argument("--passphrase-file", required=True, metavar="F",
                   help="a file whose first line is the passphrase (never stored)")
    k.set_defaults(func=cmd_keys)

    for name, func, what in (("sign", cmd_sign, "sign off a ready assessment"),
                             ("countersign", cmd_countersign, "countersign a reviewed assessment")):
        p = sub.add_parser(name, help=f"{what} with your signing certificate")
        p.add_argument("file", metavar="FILE")
        p.add_argument("--key", required=True, metavar="KEY.p12", help="your signing certificate")
        p.add_argument("--passphrase-file", required=True, metavar="F",
                       help="a file whose first line is the certificate's passphrase")
        p.add_argument("--name", required=True, metavar="NAME")
        p.add_argument("--role", required=True, metavar="ROLE")
        p.add_argument("--statement", metavar="TEXT", default=None,
                       help="the statement you sign (default: the checklist's)")
        p.add_argument("--confirm", action="store_true", help="confirm the statement")
        p.add_argument("--document-passphrase-file", metavar="F", default=None,
                       help="a file whose first line is the passphrase of the document, if it "
                            "is encrypted (--passphrase-file is the certificate's)")
        p.set_defaults(func=func)

    p = sub.add_parser("encrypt", help="make an encrypted copy of a document")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--to", required=True, metavar="NEW", help="the new encrypted file (must not exist)")
    p.add_argument("--passphrase-file", required=True, metavar="F",
                   help="a file whose first line is the new copy's passphrase")
    p.add_argument("--source-passphrase-file", metavar="F", default=None,
                   help="the passphrase of FILE, if it is already encrypted")
    p.set_defaults(func=cmd_encrypt)

    p = sub.add_parser("decrypt", help="make a copy of an encrypted document that is not encrypted")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--to", required=True, metavar="NEW", help="the new plain file (must not exist)")
    p.add_argument("--passphrase-file", required=True, metavar="F",
                   help="a file whose first line is FILE's passphrase")
    p.set_defaults(func=cmd_decrypt)

    p = sub.add_parser("change-passphrase", help="give an encrypted document a new passphrase")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--passphrase-file", required=True, metavar="OLD",
                   help="a file whose first line is the current passphrase")
    p.add_argument("--new-passphrase-file", required=True, metavar="NEW",
                   help="a file whose first line is the new passphrase")
    p.set_defaults(func=cmd_change_passphrase)

    p = sub.add_parser("self-test", help="check this installation offscreen, offline")
    p.set_defaults(func=cmd_self_test)

    return parser


def _passphrase_option(p: argparse.ArgumentParser,
                       what: str = "the document's passphrase, if it is encrypted") -> None:
    p.add_argument("--passphrase-file", dest="doc_passphrase_file", metavar="F", default=None,
                   help=f"a file whose first line is {what} (never give a passphrase on the "
                        "command line)")


def _encrypt_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--encrypt", action="store_true",
                   help="encrypt the new document with a passphrase (if it is lost, nothing "
                        "can recover the file)")
    _passphrase_option(p, "the new document's passphrase (with --encrypt)")


def run_command(argv: list[str]) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from scrutiny_desktop.checklist import TemplateError
    from scrutiny_desktop.errors import DocumentError, InvalidInput, PassphraseNeeded

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return _exit_status(exc)
    if args.command == "export" and not (args.pdf or args.json or args.csv or args.docx):
        try:
            parser.error("export needs at least one of --pdf, --json, --csv or --docx")
        except SystemExit as exc:
            return _exit_status(exc)
    try:
        return args.func(args)
    except PassphraseNeeded as exc:
        option = ("--document-passphrase-file" if args.command in ("sign", "countersign")
                  else "--passphrase-file")
        return _err(f"{exc} Give it with {option} F (a file whose first line is the "
                    "passphrase).")
    except (DocumentError, TemplateError, InvalidInput, UserError) as exc:
        return _err(str(exc))
    except SQLAlchemyError as exc:
        detail = " ".join(str(getattr(exc, "orig", None) or exc).split())[:160]
        return _err(f"the document is damaged and cannot be read ({detail}). "
                    "Open an earlier copy or backup of it.")
    except FileExistsError as exc:
        return _err(str(exc))
    except OSError as exc:
        return _err(_os_error_sentence(exc))
    except RecursionError:
        return _err("the input is nested too deeply to be read. Check that it is a file made by "
                    "Scrutiny Desktop.")
    except MemoryError:
        return _err("there is not enough memory to finish. Close other programs and try again.")
    except KeyboardInterrupt:
        return 130


def _os_error_sentence(exc: OSError) -> str:
    """A last-resort sentence for an operating-system error no command turned into one."""
    import errno

    name = exc.filename or ""
    where = f"{name}: " if name else ""
    folder = os.path.dirname(os.path.abspath(name)) if name else "the folder you chose"
    if isinstance(exc, PermissionError):
        return f"{where}permission denied. Choose a file or folder you have access to."
    if exc.errno == errno.ENOSPC:
        return (f"{where}there is no space left on the disk holding {folder}. "
                "Free some space or choose another folder.")
    if isinstance(exc, FileNotFoundError):
        return f"{where}it does not exist. Check the name and folder."
    return f"{where}{exc.strerror or exc}. Check the file and folder, and try again."


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``scrutiny-desktop`` and ``python -m scrutiny_desktop``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        return run_command(argv)
    if argv and not argv[0].startswith("-") and not Path(argv[0]).exists() \
            and Path(argv[0]).suffix == "" and os.sep not in argv[0]:
        # Not a file and not a command: most likely a mistyped command.
        print(f"{APP_SLUG}: usage error: '{argv[0]}' is not a command or a file. "
              f"Commands: {', '.join(COMMANDS)}.", file=sys.stderr)
        return EXIT_USAGE
    gui = _Parser(prog=APP_SLUG, add_help=True,
                  description=f"Open {APP_NAME}. Commands: {', '.join(COMMANDS)} "
                              f"(see '{APP_SLUG} COMMAND --help').")
    gui.add_argument("file", nargs="?", metavar="FILE", help="a .scrutiny document to open")
    gui.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    try:
        args = gui.parse_args(argv)
    except SystemExit as exc:
        return _exit_status(exc)
    return launch_gui(Path(args.file) if args.file else None)


def launch_gui(file: Path | None = None) -> int:
    """Start the app, reusing a running QApplication (tests and scripts need that)."""
    from scrutiny_desktop.gc_pause import pause_for_start_up, start_up_done

    # No collection while the app starts: run_app freezes what the start made once it
    # is first idle (see scrutiny_desktop.gc_pause).
    pause_for_start_up()
    try:
        from scrutiny_desktop.ui.app import run_app

        return run_app(file)
    finally:
        start_up_done()  # (if the app stopped before its first idle moment)


def gui_main() -> int:
    return main()


if __name__ == "__main__":
    sys.exit(main())
