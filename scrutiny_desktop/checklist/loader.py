"""Load, validate and list checklist templates."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

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


def _describe(error: dict) -> str:
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


def load_template(path: Path | str) -> Template:
    """Read and validate one TOML template, or raise :class:`TemplateError`."""
    path = Path(path)
    if not path.exists():
        raise TemplateError(path, ["file not found"])
    if not path.is_file():
        raise TemplateError(path, ["not a file"])
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise TemplateError(path, ["not a UTF-8 text file"]) from None
    except OSError as exc:
        raise TemplateError(path, [f"cannot be read ({exc.strerror})"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(path, [f"TOML syntax error: {exc}"]) from None
    return parse_template(data, path)


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
