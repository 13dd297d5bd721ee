"""The command line: GUI launch and the headless commands.

Exit codes: 0 success; 1 a problem with the user's data (one ``error:`` line
on stderr, never a traceback); 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrutiny_desktop import APP_NAME, APP_SLUG, __version__

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2

COMMANDS = ("new", "check", "templates")


class UserError(Exception):
    """A problem with the user's data, reported as one ``error:`` line."""


def _err(message: str) -> int:
    text = " ".join(str(message).split())
    print(f"error: {text}", file=sys.stderr)
    return EXIT_DATA


# -- commands ---------------------------------------------------------------

def cmd_templates(args) -> int:
    from scrutiny_desktop.checklist import TemplateError, discover_templates, load_template
    from scrutiny_desktop.settings import load_settings

    if args.check:
        try:
            t = load_template(args.check)
        except TemplateError as exc:
            return _err(str(exc))
        print(f"{args.check}: valid template '{t.id}' version {t.version}, "
              f"{len(t.sections)} sections, {len(t.question_ids())} questions")
        return EXIT_OK
    settings = load_settings()
    problems = 0
    for info in discover_templates(settings.extra_template_folders()):
        if info.template:
            t = info.template
            print(f"{t.id}\t{t.version}\t{len(t.question_ids())} questions\t{info.origin}\t"
                  f"{t.title}\t{info.path}")
        else:
            problems += 1
            print(f"{info.path.stem}\t-\t-\t{info.origin}\tcannot be used: {info.error}")
    return EXIT_OK


def cmd_new(args) -> int:
    from scrutiny_desktop.checklist import TemplateError, find_template
    from scrutiny_desktop.services.assessments import NewAssessment, create_assessment
    from scrutiny_desktop.settings import load_settings

    try:
        template = find_template(args.template, load_settings().extra_template_folders())
    except TemplateError as exc:
        return _err(str(exc))
    details = NewAssessment(partnership=args.partnership, period=args.period,
                            scrutineer_name=args.scrutineer, area=args.area or "",
                            scrutineer_role=args.role or "")
    path = create_assessment(Path(args.file), template, details)
    print(f"created {path} from '{template.id}' version {template.version} "
          f"({len(template.question_ids())} questions)")
    return EXIT_OK


def cmd_check(args) -> int:
    from scrutiny_desktop.services import assessments, progress
    from scrutiny_desktop.services.integrity import integrity_report

    with assessments.open_assessment(args.file) as doc:
        info = assessments.info(doc)
        prog = progress.progress(doc)
        report = integrity_report(doc)
    print(f"file: {info.path}")
    print(f"format: {info.format_version}")
    print(f"template: {info.template_id} {info.template_version}")
    print(f"partnership: {info.partnership}")
    print(f"period: {info.period}")
    print(f"status: {info.status_label}")
    print(f"progress: {prog.text}")
    print(f"required answered: {prog.required_answered}/{prog.required}")
    print(f"integrity: {'ok' if report.ok else report.problem}")
    if info.readonly:
        print(f"read-only: {info.readonly_reason}")
    if not report.ok:
        return _err(f"{info.path}: {report.problem}")
    return EXIT_OK


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
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("check", help="report a document's format, template, status and progress")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("templates", help="list templates, or validate one with --check")
    p.add_argument("--check", metavar="PATH", help="validate one template file")
    p.set_defaults(func=cmd_templates)

    return parser


def run_command(argv: list[str]) -> int:
    from scrutiny_desktop.checklist import TemplateError
    from scrutiny_desktop.storage.errors import DocumentError, InvalidInput

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return args.func(args)
    except (DocumentError, TemplateError, InvalidInput, UserError) as exc:
        return _err(str(exc))
    except FileExistsError as exc:
        return _err(str(exc))
    except PermissionError as exc:
        return _err(f"{exc.filename or ''}: permission denied. Choose a folder you can write to.")
    except OSError as exc:
        return _err(f"{exc.filename or ''}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        return 130


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``scrutiny-desktop`` and ``python -m scrutiny_desktop``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        return run_command(argv)
    gui = _Parser(prog=APP_SLUG, add_help=True,
                  description=f"Open {APP_NAME}. Commands: {', '.join(COMMANDS)} "
                              f"(see '{APP_SLUG} COMMAND --help').")
    gui.add_argument("file", nargs="?", metavar="FILE", help="a .scrutiny document to open")
    gui.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    try:
        args = gui.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return launch_gui(Path(args.file) if args.file else None)


def launch_gui(file: Path | None = None) -> int:
    """Start the app, reusing a running QApplication (tests and scripts need that)."""
    from scrutiny_desktop.ui.app import run_app

    return run_app(file)


def gui_main() -> int:
    return main()


if __name__ == "__main__":
    sys.exit(main())
