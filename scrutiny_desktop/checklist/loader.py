"""Load, validate and list checklist templates."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from scrutiny_desktop import paths
from scrutiny_desktop.checklist.model import NEW_TEMPLATE, Template

BUNDLED_ID = "cis"


class TemplateError(Exception):
    """A template file that cannot be used.  ``str()`` is one line for a person."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = Path(path)
        self.problems = problems
        first = problems[0] if problems else "unknown problem"
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        super().__init__(f"{self.path}: {first}{more}")


def format_loc(loc: tuple) -> str:
    """``('sections', 2, 'questions', 4, 'id')`` -> ``sections[2].questions[4].id``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _describe(error: ErrorDetails) -> str:
    loc = format_loc(tuple(error.get("loc", ())))
    msg = error.get("msg", "invalid")
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        msg = "unknown field (check the spelling; see docs/template-format.md)"
    elif kind == "missing":
        msg = "this field is required"
    elif kind == "too_short" and loc.endswith("points"):
        msg = "the judgement scale needs at least two points"
    elif kind == "too_short":
        msg = "must not be empty"
    elif kind == "bool_type":
        msg = "must be true or false (a TOML boolean, without quotes)"
    elif kind == "string_pattern_mismatch":
        msg = "ids may use letters, digits, '.', '_' and '-' and must start with a letter or digit"
    msg = re.sub(r"^Value error, ", "", msg)
    # Our own validators put the path at the start of the message.
    m = re.match(r"^((?:sections|sources|scale)[\w\[\].]*): (.*)$", msg)
    if m:
        return f"{m.group(1)}: {m.group(2)}"
    return f"{loc}: {msg}" if loc else msg


def parse_template(data: dict, path: Path | str = "<template>") -> Template:
    """Validate a template file's data with every rule (see checklist.model)."""
    try:
        return Template.model_validate(data, context={NEW_TEMPLATE: True})
    except ValidationError as exc:
        raise TemplateError(path, [_describe(e) for e in exc.errors()]) from None


#: Lists and tables nested deeper than this are refused before (and after) parsing:
#: a template needs four levels, and tomllib recurses once per level of ``[``/``{``.
MAX_NESTING = 64
#: The bundled CIS template is about 32 KB; anything this large is not a checklist.
MAX_TEMPLATE_BYTES = 8 * 1024 * 1024

_TOML_EVENT = re.compile(r'"""|\'\'\'|["\'#\[\]{}\n]')
_BASIC_END = re.compile(r'\\.|"|\n', re.DOTALL)
_MULTI_BASIC_END = re.compile(r'\\.|"""', re.DOTALL)


def toml_nesting_line(text: str, limit: int = MAX_NESTING) -> int | None:
    """The line where ``[``/``{`` nesting first goes deeper than ``limit``, or None.

    A linear scan that skips strings and comments, so that tomllib (which recurses
    once per level) is never handed a file that would exhaust the stack.  It only
    counts: syntax errors are left for tomllib to report.
    """
    depth, line, i = 0, 1, 0
    while True:
        m = _TOML_EVENT.search(text, i)
        if m is None:
            return None
        token, i = m.group(), m.end()
        if token == "\n":
            line += 1
        elif token == '"""':
            while (e := _MULTI_BASIC_END.search(text, i)) is not None and e.group() != '"""':
                i = e.end()
            if e is None:
                return None
            line += text.count("\n", m.end(), e.start())
            i = e.end()
        elif token == "'''":
            end = text.find("'''", i)
            if end < 0:
                return None
            line += text.count("\n", i, end)
            i = end + 3
        elif token == '"':
            while (e := _BASIC_END.search(text, i)) is not None and len(e.group()) == 2:
                i = e.end()
            if e is None:
                return None
            i = e.end() if e.group() == '"' else e.start()  # an unclosed string ends at the line
        elif token == "'":
            end = min((x for x in (text.find("'", i), text.find("\n", i)) if x >= 0), default=-1)
            if end < 0:
                return None
            i = end + 1 if text[end] == "'" else end
        elif token == "#":
            end = text.find("\n", i)
            if end < 0:
                return None
            i = end
        elif token in "[{":
            depth += 1
            if depth > limit:
                return line
        else:
            depth = max(0, depth - 1)


def _data_depth(data) -> int:
    """How deeply tables and lists nest in parsed data (dotted keys can nest without brackets)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _too_deep(where: str) -> str:
    return (f"tables and lists are nested more than {MAX_NESTING} levels deep{where}; a checklist "
            "template never is. Fix the file (see docs/template-format.md) or remove it from the folder.")


def load_template(path: Path | str) -> Template:
    """Read and validate one TOML template, or raise :class:`TemplateError`."""
    from scrutiny_desktop.atomic import FileReadFailed, open_source

    path = Path(path)
    try:
        with open_source(path, "checklist template") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_TEMPLATE_BYTES:
                raise TemplateError(path, [
                    f"the file is {size / 1048576:.0f} MB, far larger than any checklist "
                    "template; choose the template's .toml file"])
            raw = fh.read(MAX_TEMPLATE_BYTES + 1)
        text = raw.decode("utf-8")
    except FileReadFailed as exc:
        if not os.path.lexists(path):
            raise TemplateError(path, ["file not found"]) from None
        raise TemplateError(path, [_reason_of(path, str(exc))]) from None
    except UnicodeDecodeError:
        raise TemplateError(path, ["not a UTF-8 text file"]) from None
    except OSError as exc:
        raise TemplateError(path, [f"cannot be read ({exc.strerror})"]) from None
    deep_line = toml_nesting_line(text)
    if deep_line is not None:
        raise TemplateError(path, [_too_deep(f" (line {deep_line})")])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(path, [f"TOML syntax error: {exc}"]) from None
    except RecursionError:  # pragma: no cover - the scan above stops this first
        raise TemplateError(path, [_too_deep("")]) from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        detail = " ".join(str(exc).split())[:120]
        raise TemplateError(path, [f"TOML value that cannot be read: {detail}"]) from None
    if _data_depth(data) > MAX_NESTING:
        raise TemplateError(path, [_too_deep("")])
    return parse_template(data, path)


def _reason_of(path: Path, message: str) -> str:
    """A read error's sentence with "the file" for the name (TemplateError puts the name first)."""
    message = message.replace(str(path), "the file", 1)
    return message[0].lower() + message[1:] if message.startswith("You ") else message


@dataclass(frozen=True)
class TemplateInfo:
    """A template found on disk (or a broken one, with its error)."""

    path: Path
    origin: str  # "bundled", "user" or "managed"
    template: Template | None
    error: str | None = None

    @property
    def id(self) -> str:
        return self.template.id if self.template else self.path.stem

    @property
    def label(self) -> str:
        if self.template is None:
            return f"{self.path.name} (cannot be used)"
        return f"{self.template.title} (version {self.template.version})"

    @property
    def reason(self) -> str:
        """Why a broken template cannot be used, without its file name ("" if it can)."""
        if self.template is not None:
            return ""
        text = self.error or "it cannot be read"
        prefix = f"{self.path}: "
        return text[len(prefix):] if text.startswith(prefix) else text


def template_folders(extra: list[Path] | None = None) -> list[tuple[str, Path]]:
    folders = [("bundled", paths.bundled_checklists_dir()), ("user", paths.user_templates_dir())]
    for folder in extra or []:
        folders.append(("managed", Path(folder)))
    return folders


def discover_templates(extra_folders: list[Path] | None = None) -> list[TemplateInfo]:
    """Every ``*.toml`` in the bundled, user and managed folders, bundled CIS first."""
    found: list[TemplateInfo] = []
    for origin, folder in template_folders(extra_folders):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                found.append(TemplateInfo(path, origin, load_template(path)))
            except TemplateError as exc:
                found.append(TemplateInfo(path, origin, None, str(exc)))
            except Exception as exc:  # noqa: BLE001 - one bad file must never stop the listing
                found.append(TemplateInfo(path, origin, None, f"{path}: it cannot be read "
                                          f"({exc.__class__.__name__}); fix or remove the file"))
    found.sort(key=lambda t: (t.id != BUNDLED_ID or t.origin != "bundled", t.origin != "bundled"))
    return found


def find_template(id_or_path: str | None, extra_folders: list[Path] | None = None) -> Template:
    """A template by id (first match in the folders) or by file path."""
    if not id_or_path:
        id_or_path = BUNDLED_ID
    candidate = Path(id_or_path)
    if candidate.suffix.lower() == ".toml" or candidate.exists():
        return load_template(candidate)
    for info in discover_templates(extra_folders):
        if info.template and info.template.id == id_or_path:
            return info.template
    raise TemplateError(
        id_or_path,
        ["no template with this id; run 'scrutiny-desktop templates' to list them"],
    )


def bundled_template() -> Template:
    return load_template(paths.bundled_checklists_dir() / "cis.toml")
