"""What the out-of-process accessibility audit and the Orca walk share.

Runs under Debian's ``/usr/bin/python3`` (where ``python3-pyatspi`` lives), never
under the project venv: the app itself is started from ``.venv/bin/python`` in a
child process, with its own temporary HOME and XDG folders, on the X display in
``$DISPLAY`` and the D-Bus session bus in ``$DBUS_SESSION_BUS_ADDRESS`` (``make
a11y`` supplies both through ``xvfb-run`` and ``dbus-run-session``).  This
module starts the AT-SPI bus (``at-spi-bus-launcher``) and a window manager
(openbox, when installed, so a new dialog gets the keyboard focus), and offers
polling waits with a deadline, tree walks, and key presses through xdotool.

Not a test module: pytest collects only ``test_*.py`` files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VENV_PY = ROOT / ".venv" / "bin" / "python"
APP_NAME = "Scrutiny Desktop"
QUESTION_ID = re.compile(r"\b([A-Z]{2,6}-\d{1,3})\b")

pyatspi: Any = None  # imported by start_session(), once the AT-SPI bus is up
GLib: Any = None


def need(condition: bool, message: str) -> None:
    if not condition:
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


class Session:
    """The AT-SPI bus, a window manager and one running app, in a temp HOME."""

    def __init__(self, keep: bool = False, source: Path | None = None):
        need(bool(os.environ.get("DISPLAY")), "no X display: run under xvfb-run (see make a11y)")
        need(bool(os.environ.get("DBUS_SESSION_BUS_ADDRESS")),
             "no D-Bus session bus: run under dbus-run-session (see make a11y)")
        need(VENV_PY.exists(), f"{VENV_PY} is missing: run 'make test' or 'make a11y' first")
        need(shutil.which("xdotool") is not None, "xdotool is not installed (apt-get install xdotool)")
        self.keep = keep
        #: The tree the app is imported from (``python -m`` puts the working folder
        #: first on sys.path); another checkout can be audited with the same venv.
        self.source = (source or ROOT).resolve()
        self.tmp = Path(tempfile.mkdtemp(prefix="scrutiny-a11y-"))
        self.home = self.tmp / "home"
        self.home.mkdir()
        self.env = dict(os.environ)
        self.env.update({
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_STATE_HOME": str(self.home / ".local" / "state"),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
            "QT_ACCESSIBILITY": "1",
            "QT_QPA_PLATFORM": "xcb",
            "GTK_MODULES": "",
        })
        self.env.pop("QT_SCALE_FACTOR", None)
        self.procs: list[subprocess.Popen] = []
        self.app_proc: subprocess.Popen | None = None
        self.app_log = self.tmp / "app.log"
        self._start_buses()

    # -- the buses and the window manager -------------------------------------
    def _spawn(self, args: list[str], log: str) -> subprocess.Popen:
        out = open(self.tmp / log, "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(args, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def _start_buses(self) -> None:
        global pyatspi, GLib
        launcher = next((p for p in ("/usr/libexec/at-spi-bus-launcher",
                                     "/usr/lib/at-spi2-core/at-spi-bus-launcher") if Path(p).exists()),
                        None)
        need(launcher is not None, "at-spi-bus-launcher not found (apt-get install at-spi2-core)")
        self._spawn([str(launcher), "--launch-immediately"], "at-spi-bus.log")
        if shutil.which("openbox"):
            self._spawn(["openbox", "--sm-disable"], "openbox.log")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            r = subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.a11y.Bus",
                                "/org/a11y/bus", "org.a11y.Bus.GetAddress"],
                               env=self.env, capture_output=True, text=True)
            if r.returncode == 0 and "unix:" in r.stdout:
                break
            time.sleep(0.1)
        else:
            need(False, "the AT-SPI bus did not start (org.a11y.Bus has no address)")
        try:
            import pyatspi as _pyatspi  # type: ignore[import-not-found]
            from gi.repository import GLib as _GLib  # type: ignore[import-not-found]
        except ImportError:
            need(False, f"pyatspi is not importable by {sys.executable}: "
                        "run this with Debian's /usr/bin/python3 (apt-get install python3-pyatspi)")
        pyatspi, GLib = _pyatspi, _GLib

    # -- the app ---------------------------------------------------------------
    def venv(self, code: str) -> str:
        """Run ``code`` in the project venv (offscreen) and return its stdout."""
        env = dict(self.env, QT_QPA_PLATFORM="offscreen")
        r = subprocess.run([str(VENV_PY), "-c", code], env=env, capture_output=True, text=True,
                           cwd=self.source, timeout=120)
        need(r.returncode == 0, f"venv helper failed: {r.stderr.strip()[-800:]}")
        return r.stdout

    def cli(self, *args: str) -> None:
        r = subprocess.run([str(VENV_PY), "-m", "scrutiny_desktop", *args], env=self.env,
                           capture_output=True, text=True, cwd=self.source, timeout=120)
        need(r.returncode == 0, f"scrutiny-desktop {' '.join(args)} failed: {r.stderr.strip()}")

    def new_document(self, name: str = "Riverside SCP") -> Path:
        path = self.tmp / "riverside.scrutiny"
        self.cli("new", "--partnership", name, "--period", "2025-26", "--scrutineer", "Alex Morgan",
                 "--role", "Independent scrutineer", str(path))
        return path

    def start_app(self, *args: str) -> Any:
        """Start the app; return its AT-SPI application node once its window is showing."""
        log = open(self.app_log, "ab")  # noqa: SIM115 - closed with the process
        self.app_proc = subprocess.Popen([str(VENV_PY), "-m", "scrutiny_desktop", *args],
                                         env=self.env, cwd=self.source, stdout=log,
                                         stderr=subprocess.STDOUT)
        self.procs.append(self.app_proc)

        def found() -> Any:
            if self.app_proc is not None and self.app_proc.poll() is not None:
                need(False, f"the app exited ({self.app_proc.returncode}): "
                            f"{self.app_log.read_text(errors='replace')[-800:]}")
            app = self.application()
            if app is not None and any(showing(c) for c in children(app)):
                return app
            return None
        app = wait(found, 30)
        need(app is not None, "the app's window did not appear in the AT-SPI tree within 30 s")
        self.activate_window()
        return app

    def application(self) -> Any:
        desktop = pyatspi.Registry.getDesktop(0)
        for app in children(desktop):
            try:
                if app.name == APP_NAME and self.app_proc is not None \
                        and app.get_process_id() == self.app_proc.pid:
                    return app
            except Exception:  # noqa: BLE001 - a dying app
                continue
        return None

    def activate_window(self) -> None:
        r = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", APP_NAME],
                           env=self.env, capture_output=True, text=True, timeout=15)
        for wid in r.stdout.split():
            subprocess.run(["xdotool", "windowactivate", "--sync", wid], env=self.env,
                           capture_output=True, timeout=10)
            break

    def close(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in reversed(self.procs):
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


# -- keys ------------------------------------------------------------------------
def key(*keys: str, delay_ms: int = 40) -> None:
    """Press keys (xdotool names: ctrl+r, alt+Right, Tab, Return, Escape) on the focused window."""
    subprocess.run(["xdotool", "key", "--delay", str(delay_ms), *keys], check=True, timeout=30)


def type_text(text: str) -> None:
    subprocess.run(["xdotool", "type", "--delay", "40", text], check=True, timeout=60)


# -- waits and walks ----------------------------------------------------------------
def pump() -> None:
    """Deliver pending AT-SPI events to registered listeners."""
    ctx = GLib.MainContext.default()
    while ctx.pending():
        ctx.iteration(False)


def wait(predicate: Callable[[], Any], timeout: float = 10.0, every: float = 0.1) -> Any:
    """Poll ``predicate`` until it returns something truthy (returned) or ``timeout`` passes (None)."""
    deadline = time.monotonic() + timeout
    while True:
        pump()
        try:
            value = predicate()
        except Exception:  # noqa: BLE001 - nodes vanish while the tree changes
            value = None
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(every)


def children(node: Any) -> list[Any]:
    out = []
    try:
        for i in range(node.childCount):
            c = node.getChildAtIndex(i)
            if c is not None:
                out.append(c)
    except Exception:  # noqa: BLE001 - a node that went away
        pass
    return out


def has(node: Any, state: Any) -> bool:
    try:
        return bool(node.getState().contains(state))
    except Exception:  # noqa: BLE001
        return False


def showing(node: Any) -> bool:
    return has(node, pyatspi.STATE_SHOWING) or has(node, pyatspi.STATE_VISIBLE)


ITEM_CONTAINERS = ("list", "tree", "table", "tree table", "list box")


def walk(node: Any, visible_only: bool = True, _depth: int = 0) -> Iterator[Any]:
    """Every node under ``node`` (itself included).  With ``visible_only``, hidden
    subtrees are skipped, except the items of a visible list, tree or table (rows
    scrolled out of view are still reached with the arrow keys)."""
    yield node
    if _depth > 60:
        return
    role = role_name(node)
    for c in children(node):
        if visible_only and not showing(c) and role not in ITEM_CONTAINERS:
            continue
        yield from walk(c, visible_only, _depth + 1)


def role_name(node: Any) -> str:
    try:
        return str(node.getRoleName())
    except Exception:  # noqa: BLE001
        return "?"


def name(node: Any) -> str:
    try:
        return str(node.name or "")
    except Exception:  # noqa: BLE001
        return ""


def description(node: Any) -> str:
    try:
        return str(node.description or "")
    except Exception:  # noqa: BLE001
        return ""


def text_of(node: Any) -> str:
    try:
        t = node.queryText()
        return str(t.getText(0, -1))
    except Exception:  # noqa: BLE001
        return ""


def name_or_text(node: Any) -> str:
    return " ".join(s for s in (name(node), text_of(node)) if s)


def describe(node: Any) -> str:
    """A short label for messages: role 'name'."""
    return f"{role_name(node)} {name(node)[:70]!r}"


def windows(app: Any) -> list[Any]:
    return [c for c in children(app) if showing(c)]


def top_window(app: Any) -> Any:
    """The active window (a dialog if one is open), else the last showing one."""
    shown = windows(app)
    for w in shown:
        if has(w, pyatspi.STATE_ACTIVE):
            return w
    return shown[-1] if shown else None


def find(root: Any, pred: Callable[[Any], bool], visible_only: bool = True) -> Any:
    for n in walk(root, visible_only):
        try:
            if pred(n):
                return n
        except Exception:  # noqa: BLE001
            continue
    return None


def find_all(root: Any, pred: Callable[[Any], bool], visible_only: bool = True) -> list[Any]:
    out = []
    for n in walk(root, visible_only):
        try:
            if pred(n):
                out.append(n)
        except Exception:  # noqa: BLE001
            continue
    return out


def inside_combo(node: Any) -> bool:
    p = node
    for _ in range(6):
        try:
            p = p.parent
        except Exception:  # noqa: BLE001
            return False
        if p is None:
            return False
        if role_name(p) == "combo box":
            return True
    return False


def focused(app: Any) -> Any:
    """The node that has the keyboard focus in the app's active window (None if none)."""
    win = top_window(app)
    if win is None:
        return None
    hits = [n for n in walk(win) if has(n, pyatspi.STATE_FOCUSED)
            and has(n, pyatspi.STATE_FOCUSABLE) and not inside_combo(n)]
    # Qt marks a view's current item "focused" even while the view itself is not:
    # such an item counts only when its view has the focus too.
    hits = [n for n in hits if role_name(n) not in ITEMS or has(n.parent, pyatspi.STATE_FOCUSED)]
    return hits[-1] if hits else None


ITEMS = ("table cell", "list item", "tree item")


def relations(node: Any) -> list[tuple[str, list[Any]]]:
    out = []
    try:
        for rel in node.getRelationSet():
            targets = [rel.getTarget(i) for i in range(rel.getNTargets())]
            out.append((str(rel.getRelationType().value_nick), targets))
    except Exception:  # noqa: BLE001
        pass
    return out


def attributes(node: Any) -> dict[str, str]:
    try:
        attrs = node.getAttributes()
    except Exception:  # noqa: BLE001
        return {}
    out = {}
    for a in attrs or []:
        k, _, v = str(a).partition(":")
        out[k] = v
    return out
