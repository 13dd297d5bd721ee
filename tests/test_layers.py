"""The layers say what they are (see DESIGN.md, "Layers").

* Everything below the UI imports without Qt: each package and module is imported,
  with every submodule, in a fresh interpreter, and no ``PySide6``/``shiboken6``
  module may be loaded.
* Who may import whom, read from the source (every import, at the top of a module
  or inside a function):

  - ``ui/`` takes nothing from ``storage/`` but the document type (``Document``)
    and the file suffix (``SUFFIX``); everything else comes through a service;
  - ``services/`` never imports ``report/`` (reports are built on services);
  - ``storage/`` never imports ``services/`` or ``report/``.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

PACKAGE = REPO / "scrutiny_desktop"

QT_FREE = [
    "scrutiny_desktop.services",
    "scrutiny_desktop.storage",
    "scrutiny_desktop.report",
    "scrutiny_desktop.checklist",
    "scrutiny_desktop.settings",
    "scrutiny_desktop.text",
    "scrutiny_desktop.errors",
    "scrutiny_desktop.atomic",
]

#: Run by Alembic with its migration context; importing it on its own fails by design.
NOT_IMPORTABLE_ALONE = {"scrutiny_desktop.storage.migrations.env"}

CHILD = r"""
import importlib, json, pkgutil, sys

name, skip = sys.argv[1], set(json.loads(sys.argv[2]))
module = importlib.import_module(name)
imported = [name]
for info in pkgutil.walk_packages(getattr(module, "__path__", []), name + "."):
    if info.name in skip:
        continue
    importlib.import_module(info.name)
    imported.append(info.name)
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
print(json.dumps({"imported": imported, "qt": qt}))
"""


@pytest.mark.parametrize("name", QT_FREE)
def test_importing_below_the_ui_pulls_in_no_qt(name):
    """Each package (with every submodule) or module imports in a fresh interpreter
    without loading PySide6 or shiboken6."""
    run = subprocess.run([sys.executable, "-c", CHILD, name, json.dumps(sorted(NOT_IMPORTABLE_ALONE))],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["qt"] == [], f"importing {name} loaded Qt: {result['qt']}"
    if (PACKAGE / name.split(".", 1)[1]).is_dir():
        assert len(result["imported"]) > 1, "no submodules were found to import"


# -- who imports whom ------------------------------------------------------------------------

def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str, str | None]]:
    """Every import in a file as (line, module, name): ``import a.b`` gives ("a.b", None);
    ``from a import b`` gives ("a", "b"); relative imports are made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    out: list[tuple[int, str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                module = ".".join(base + ([module] if module else []))
            out.extend((node.lineno, module, alias.name) for alias in node.names)
    return out


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _reaches(module: str, name: str | None, package: str) -> bool:
    """Does ``from module import name`` (or ``import module``) reach into ``package``?"""
    if _within(module, package):
        return True
    return name is not None and _within(f"{module}.{name}", package)


def _files(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(REPO)}:{line}"


#: What ui/ may take from storage/, and from where.
UI_MAY_USE_FROM_STORAGE = {
    ("scrutiny_desktop.storage", "Document"),
    ("scrutiny_desktop.storage", "SUFFIX"),
    ("scrutiny_desktop.storage.document", "Document"),
    ("scrutiny_desktop.storage.document", "SUFFIX"),
}


def ui_storage_violations() -> list[str]:
    found = []
    for path in _files("ui"):
        for line, module, name in imports_of(path):
            if _reaches(module, name, "scrutiny_desktop.storage") \
                    and (module, name) not in UI_MAY_USE_FROM_STORAGE:
                what = f"import {module}" if name is None else f"from {module} import {name}"
                found.append(f"{_where(path, line)}: {what}")
    return found


def test_ui_takes_only_the_document_type_and_suffix_from_storage():
    """Widgets call services; from storage they may name only Document and SUFFIX.
    Each violation is listed as FILE:LINE: the import (use a service instead)."""
    violations = ui_storage_violations()
    assert not violations, (
        "ui/ imports from storage/ beyond Document and SUFFIX (go through a service):\n  "
        + "\n  ".join(violations))


@pytest.mark.parametrize("folder, forbidden", [
    ("services", ("scrutiny_desktop.report",)),
    ("storage", ("scrutiny_desktop.services", "scrutiny_desktop.report")),
])
def test_lower_layers_do_not_import_upper_ones(folder, forbidden):
    violations = [
        f"{_where(path, line)}: {module}" + (f" import {name}" if name else "")
        for path in _files(folder)
        for line, module, name in imports_of(path)
        if any(_reaches(module, name, upper) for upper in forbidden)
    ]
    assert not violations, f"{folder}/ imports from {', '.join(forbidden)}:\n  " + "\n  ".join(violations)


def test_the_scanner_sees_every_kind_of_import(tmp_path, monkeypatch):
    """A check of the checker: plain, from, relative and function-level imports are all seen."""
    fake = REPO / "scrutiny_desktop" / "ui" / "_layer_probe.py"
    source = ("from scrutiny_desktop.storage import SUFFIX, save_copy\n"
              "import scrutiny_desktop.storage.models\n"
              "from ..storage.document import Document\n"
              "from scrutiny_desktop import storage\n"
              "def later():\n"
              "    from scrutiny_desktop.storage.lockfile import lock_path\n")
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source)
    got = [(m, n) for _line, m, n in imports_of(fake)]
    assert got == [("scrutiny_desktop.storage", "SUFFIX"), ("scrutiny_desktop.storage", "save_copy"),
                   ("scrutiny_desktop.storage.models", None),
                   ("scrutiny_desktop.storage.document", "Document"),
                   ("scrutiny_desktop", "storage"),
                   ("scrutiny_desktop.storage.lockfile", "lock_path")]
    allowed = [(m, n) in UI_MAY_USE_FROM_STORAGE or not _reaches(m, n, "scrutiny_desktop.storage")
               for m, n in got]
    assert allowed == [True, False, False, True, False, False]


# -- what the window's start loads before Qt ---------------------------------------------------

START_CHILD = r"""
import json, sys
import scrutiny_desktop.ui
qt_first = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
before = set(sys.modules)
import scrutiny_desktop.ui.app, scrutiny_desktop.ui.main_window
late = sorted(m for m in set(sys.modules) - before
              if m.split(".")[0] in ("sqlalchemy", "pydantic", "pydantic_core", "alembic", "reportlab")
              or (m.startswith("scrutiny_desktop.") and not m.startswith("scrutiny_desktop.ui")))
print(json.dumps({"qt_first": qt_first, "late": late}))
"""


def test_the_layers_beneath_the_window_load_before_qt():
    """``scrutiny_desktop.ui`` imports the services, storage, settings and their
    libraries before any Qt module: PySide6 reads the source of every module imported
    after it, which cost every start about 70 ms.  The main window's own imports then
    load no module beneath the UI that was not already there."""
    run = subprocess.run([sys.executable, "-c", START_CHILD], cwd=REPO, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["qt_first"] == [], f"Qt was loaded before the layers beneath: {result['qt_first']}"
    assert result["late"] == [], (
        "the main window's imports load these after PySide6; import them in "
        "scrutiny_desktop/ui/__init__.py, or where first used if the first screen does "
        f"not need them: {result['late']}")
