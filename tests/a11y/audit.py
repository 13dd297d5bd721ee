"""The out-of-process accessibility audit (issue 15), run by ``make a11y``.

Starts the real app (``.venv/bin/python -m scrutiny_desktop``) on a new document
under the X display and D-Bus session that ``make a11y`` provides (xvfb-run,
dbus-run-session), finds it on the AT-SPI desktop, drives it with key presses
(xdotool) and asserts through pyatspi what a screen reader gets.  Each check
prints ``PASS name: reason`` or ``FAIL name: what was found``; the exit status
is 1 if any check failed, 2 if the audit could not run at all.

Run it with Debian's interpreter, which has python3-pyatspi::

    xvfb-run -a -s '-screen 0 1366x768x24' dbus-run-session -- /usr/bin/python3 tests/a11y/audit.py

``--keep`` leaves the temporary HOME (with app.log) behind; ``--only NAME``
(repeatable) runs the named checks only (the app is still driven through the
pages those need).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness as h

RESULTS: list[tuple[str, bool, str]] = []
ONLY: set[str] = set()


def record(check: str, ok: bool, reason: str) -> None:
    RESULTS.append((check, ok, reason))
    print(f"{'PASS' if ok else 'FAIL'} {check}: {reason}", flush=True)


def run_check(check: str, fn: Callable[[], tuple[bool, str]]) -> None:
    if ONLY and check not in ONLY:
        return
    try:
        ok, reason = fn()
    except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
        tb = traceback.format_exc().strip().splitlines()[-1]
        ok, reason = False, f"the check itself failed: {exc!r} ({tb})"
    record(check, ok, reason)


# -- helpers over the app ------------------------------------------------------------
class App:
    def __init__(self, session: h.Session, node: Any):
        self.session = session
        self.node = node
        self.events: list[tuple[str, str, str]] = []
        self._listening = False

    # windows
    def main_window(self) -> Any:
        for w in h.windows(self.node):
            if h.role_name(w) == "frame":
                return w
        return h.windows(self.node)[0]

    def dialog(self) -> Any:
        for w in h.windows(self.node):
            if h.role_name(w) != "frame" and h.has(w, h.pyatspi.STATE_ACTIVE):
                return w
        for w in h.windows(self.node):
            if h.role_name(w) in ("dialog", "alert", "file chooser"):
                return w
        return None

    def wait_dialog(self, timeout: float = 10) -> Any:
        return h.wait(self.dialog, timeout)

    def close_dialogs(self) -> None:
        for _ in range(3):
            if self.dialog() is None:
                return
            h.key("Escape")
            h.wait(lambda: self.dialog() is None, 3)

    def focused(self) -> Any:
        return h.focused(self.node)

    def wait_focus(self, pred: Callable[[Any], bool], timeout: float = 10) -> Any:
        def hit() -> Any:
            f = self.focused()
            return f if f is not None and pred(f) else None
        return h.wait(hit, timeout)

    def findings(self) -> Any:
        return h.find(self.main_window(),
                      lambda n: h.role_name(n) == "text" and h.name(n).startswith("Findings"))

    def focus_node(self, node: Any) -> None:
        node.queryComponent().grabFocus()
        h.wait(lambda: h.has(node, h.pyatspi.STATE_FOCUSED), 3)

    # events
    def listen(self) -> None:
        if self._listening:
            return
        self._listening = True

        def on_event(event: Any) -> None:
            try:
                src = h.describe(event.source)
            except Exception:  # noqa: BLE001
                src = "?"
            try:
                detail = str(event.any_data) if event.any_data is not None else ""
            except Exception:  # noqa: BLE001
                detail = ""
            self.events.append((str(event.type), src, detail))

        for kind in ("object:property-change:accessible-description",
                     "object:property-change:accessible-name", "object:announcement",
                     "object:text-changed", "object:state-changed:focused"):
            with contextlib.suppress(Exception):  # an old at-spi without announcements
                h.pyatspi.Registry.registerEventListener(on_event, kind)
        time.sleep(0.3)  # let the app hear that someone listens
        h.pump()


def unnamed_focusable(window: Any) -> list[str]:
    """Focusable, showing nodes with no name (an empty cell in a table is allowed)."""
    out = []
    for n in h.walk(window):
        if not h.has(n, h.pyatspi.STATE_FOCUSABLE):
            continue
        if h.name(n).strip():
            continue
        if h.inside_combo(n):
            continue
        role = h.role_name(n)
        if role in ("table cell", "tree item") and h.role_name(n.parent) in h.ITEM_CONTAINERS:
            continue  # a blank cell is a blank cell
        if not h.showing(n) and role not in h.ITEMS:
            continue
        extra = f" (description {h.description(n)[:50]!r})" if h.description(n) else ""
        out.append(f"{role}{extra}")
    return out


def unnamed_report(where: str, window: Any) -> tuple[bool, str]:
    if window is None:
        return False, f"{where}: the window/dialog was not found in the AT-SPI tree"
    bad = unnamed_focusable(window)
    total = sum(1 for n in h.walk(window) if h.has(n, h.pyatspi.STATE_FOCUSABLE))
    if bad:
        return False, f"{where}: {len(bad)} focusable node(s) without a name: {'; '.join(bad[:6])}"
    return True, f"{where}: all {total} focusable nodes have names"


def status_text(app: App) -> tuple[str, list[str]]:
    """The save status text as AT-SPI exposes it, and what the status bar holds."""
    bar = h.find(app.main_window(), lambda n: h.role_name(n) == "status bar")
    if bar is None:
        return "", ["no status bar in the tree"]
    seen = []
    hit = ""
    for n in h.walk(bar):
        if n is bar:
            continue
        s = h.name_or_text(n)
        seen.append(f"{h.role_name(n)} {h.name(n)!r}" + (f" text {h.text_of(n)!r}" if h.text_of(n) else ""))
        if re.search(r"saved|saving", s, re.I) and not hit:
            hit = s
    return hit, seen


TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def saved_time(s: str) -> tuple[int, ...] | None:
    if "All changes saved" not in s:
        return None
    m = TIME.search(s)
    return tuple(int(g or 0) for g in m.groups()) if m else (0,)


# -- the checks ----------------------------------------------------------------------
def question_ids(app: App) -> list[tuple[str, str]]:
    tree = h.find(app.main_window(), lambda n: h.role_name(n) in ("tree", "tree table")
                  and h.name(n).startswith("Questions"))
    if tree is None:
        return []
    out = []
    for c in h.children(tree):
        m = h.QUESTION_ID.match(h.name(c).strip())
        if m:
            out.append((m.group(1), h.name(c)))
    return out


def check_navigator_names(app: App) -> tuple[bool, str]:
    rows = question_ids(app)
    if not rows:
        return False, "no question rows (names starting with an id like ARR-01) in the 'Questions' tree"
    cut = [n for _id, n in rows if "…" in n or "..." in n]
    if cut:
        return False, (f"{len(cut)} of {len(rows)} question rows are cut short with '…', "
                       f"e.g. {cut[0][:90]!r}")
    return True, f"all {len(rows)} question rows carry the full question text"


def check_menus(app: App) -> tuple[bool, str]:
    # AT-SPI gives a menu item's mnemonic as its key binding (Alt+X) only when it
    # has no shortcut; Qt strips '&' from names.  The raw texts come from the
    # same menus built offscreen in the venv, matched to the AT-SPI items by name.
    raw = json.loads(app.session.venv(
        "import json\n"
        "from scrutiny_desktop.ui.app import application, create_main_window\n"
        "a = application(); w = create_main_window()\n"
        "print(json.dumps([[m.text(), [x.text() for x in m.menu().actions()\n"
        "    if not x.isSeparator()]] for m in w.menuBar().actions() if m.menu()]))\n"))
    raw_by_menu = {t.replace("&", ""): items for t, items in raw}
    bar = h.find(app.main_window(), lambda n: h.role_name(n) == "menu bar")
    if bar is None:
        return False, "no menu bar in the AT-SPI tree"
    problems, summary = [], []
    wanted = ["File", "Edit", "Go", "Assessment", "Help"]
    top_keys: dict[str, str] = {}
    for menu in h.children(bar):
        title = h.name(menu)
        binding = keybinding(menu)
        if binding:
            top_keys.setdefault(binding.lower(), title)
        popup = next(iter(h.children(menu)), None)
        if popup is None:
            problems.append(f"{title}: no popup menu in the tree")
            continue
        letters: dict[str, list[str]] = {}
        raw_items = {re.sub(r"&(?!&)", "", t): t for t in raw_by_menu.get(title, [])}
        for item in h.children(popup):
            if h.role_name(item) != "menu item":
                continue
            nm = h.name(item)
            kb = keybinding(item)
            m = re.fullmatch(r"Alt\+(.)", kb or "")
            letter = m.group(1).lower() if m else ""
            if not letter and nm in raw_items:
                rm = re.search(r"&([^&])", raw_items[nm])
                letter = rm.group(1).lower() if rm else ""
            if letter:
                letters.setdefault(letter, []).append(nm)
        dup = {k: v for k, v in letters.items() if len(v) > 1}
        if dup:
            problems.append(f"{title}: " + "; ".join(f"Alt+{k.upper()} on {', '.join(map(repr, v))}"
                                                    for k, v in dup.items()))
        summary.append(f"{title} {len(letters)}")
    missing = [w for w in wanted if w not in [h.name(m) for m in h.children(bar)]]
    if missing:
        problems.append(f"menus missing: {', '.join(missing)}")
    if problems:
        return False, "duplicate mnemonics: " + " | ".join(problems)
    return True, "each menu's mnemonics are unique (" + ", ".join(summary) + " letters)"


def keybinding(node: Any) -> str:
    try:
        act = node.queryAction()
        for i in range(act.nActions):
            kb = act.getKeyBinding(i)
            if kb:
                return str(kb).split(";")[0]
    except Exception:  # noqa: BLE001
        pass
    return ""


def check_save_status(app: App) -> tuple[bool, str]:
    before, seen = status_text(app)
    if not before and not seen:
        return False, "no status bar"
    findings = app.findings()
    if findings is None:
        return False, "no 'Findings' text field on the question page"
    app.focus_node(findings)
    t0 = saved_time(before)
    n_events = len(app.events)
    h.type_text(" audit")

    def newer() -> str:
        now, _ = status_text(app)
        t = saved_time(now)
        return now if t is not None and (t0 is None or t > t0 or now != before) else ""
    after = h.wait(newer, 10)
    typed = h.text_of(findings)
    if not before:
        what = "; ".join(seen) or "nothing"
        return False, (f"no status bar node names or shows 'saved'/'Saving' (status bar holds: {what}); "
                       f"after typing (Findings now ends {typed[-20:]!r}) still "
                       f"{'; '.join(status_text(app)[1])}")
    if not after:
        return False, (f"status was {before!r}; 10 s after typing into Findings it is "
                       f"{status_text(app)[0]!r}, not a newer 'All changes saved'")
    fired = [e for e in app.events[n_events:] if "saved" in e[2].lower() or "Save" in e[1]]
    note = f"; {len(fired)} event(s) about it" if fired else "; no name-change/announcement event seen"
    return True, f"status went from {before!r} to {after!r} after typing{note}"


def check_question_change(app: App, rows: list[tuple[str, str]]) -> tuple[bool, str]:
    findings = app.findings()
    if findings is None:
        return False, "no 'Findings' text field on the question page"
    app.focus_node(findings)
    ids = [i for i, _ in rows]
    heading = h.find(app.main_window(), lambda n: re.match(r"Question (\d+) of \d+", h.name(n)) is not None)
    pos = int(re.match(r"Question (\d+)", h.name(heading)).group(1)) - 1 if heading is not None else 0
    if pos + 1 >= len(ids):
        return False, f"cannot tell the next question (at position {pos + 1} of {len(ids)})"
    expect = ids[pos + 1]
    desc_before = h.description(findings)
    n_events = len(app.events)
    h.key("alt+Right")

    def described() -> str:
        f = app.findings()
        d = h.description(f) if f is not None else ""
        return d if expect in d else ""
    desc = h.wait(described, 10)
    new_events = app.events[n_events:]
    ev = [e for e in new_events if e[0].startswith("object:property-change:accessible-description")
          or e[0].startswith("object:announcement")]
    ev_note = (f"; events: {', '.join(sorted({e[0] for e in ev}))}" if ev
               else "; no description-change or announcement event fired")
    if not desc:
        f = app.findings()
        f_desc = h.description(f) if f is not None else "(Findings field gone)"
        rel = [f"{k}->{', '.join(h.describe(t) for t in ts)}" for k, ts in h.relations(f)] if f else []
        return False, (f"after Alt+Right the Findings description is {f_desc!r} (was {desc_before!r}), "
                       f"not naming {expect}; relations: {', '.join(rel) or 'none'}{ev_note}")
    ok_event = bool(ev)
    return ok_event, (f"Findings description names {expect}: {desc[:80]!r}{ev_note}")


def check_ctrl_l(app: App, expect: str) -> tuple[bool, str]:
    h.key("ctrl+l")
    cell = app.wait_focus(lambda f: h.role_name(f) in h.ITEMS
                          and h.role_name(f.parent) in ("tree", "tree table"), 10)
    if cell is None:
        f = app.focused()
        return False, (f"after Ctrl+L the focus is on {h.describe(f) if f else 'nothing'}, "
                       "not a row of the question tree")
    tree = cell.parent
    try:
        sel = tree.querySelection()
        selected = [sel.getSelectedChild(i) for i in range(sel.nSelectedChildren)]
    except Exception as exc:  # noqa: BLE001
        return False, f"the question tree has no selection interface ({exc})"
    sel_names = [h.name(s) for s in selected if s is not None]
    problems = []
    if not h.name(cell).startswith(expect):
        problems.append(f"focus is on {h.name(cell)[:60]!r}, not the current question {expect}")
    if h.name(cell) not in sel_names:
        problems.append(f"the tree's selection interface returns {[s[:40] for s in sel_names]}, "
                        f"not the focused row {h.name(cell)[:40]!r}")
    if not h.has(cell, h.pyatspi.STATE_SELECTED):
        problems.append("the focused row is not in the selected state")
    if problems:
        return False, "; ".join(problems)
    return True, f"focus and selection both on {h.name(cell)[:60]!r}"


def check_readiness(app: App) -> tuple[bool, str]:
    win = app.main_window()
    pat = re.compile(r"Not ready to sign off|Ready to sign off", re.I)
    node = h.wait(lambda: h.find(app.main_window(), lambda n: bool(pat.search(h.name_or_text(n)))), 5)
    # Walk the page with Tab, as a listener would.
    stops = tab_walk(app, 40)
    reached = [s for s in stops if pat.search(s)]
    if node is None:
        labels = [h.name(n) for n in h.find_all(win, lambda n: "readiness" in h.name(n).lower())]
        return False, ("no node names or shows 'Not ready to sign off'/'Ready to sign off' on the "
                       f"review page (readiness nodes: {labels or 'none'}); Tab stops: "
                       f"{' | '.join(s[:30] for s in stops[:12])}")
    focusable = h.has(node, h.pyatspi.STATE_FOCUSABLE)
    if not (focusable and reached):
        return False, (f"the sentence is in the tree as {h.describe(node)} but "
                       f"{'not focusable' if not focusable else 'Tab never reached it'}; Tab stops: "
                       f"{' | '.join(s[:30] for s in stops[:12])}")
    return True, f"{h.describe(node)} is a Tab stop"


def tab_walk(app: App, limit: int) -> list[str]:
    stops: list[str] = []
    first = None
    for _ in range(limit):
        h.key("Tab", delay_ms=10)
        time.sleep(0.15)
        f = h.wait(app.focused, 2)
        label = f"{h.role_name(f)} {h.name_or_text(f) or '(no name)'}" if f is not None else "(nothing)"
        if first is None:
            first = label
        elif label == first and len(stops) > 1:
            break
        stops.append(label)
    return stops


def check_dialog_error(app: App) -> tuple[bool, str]:
    dlg = app.dialog()
    if dlg is None:
        return False, "the New assessment dialog is not open"
    text = "Enter the partnership's name."
    node_for = lambda: h.find(app.dialog() or dlg, lambda n: text in h.name_or_text(n))  # noqa: E731
    h.key("Return")
    how = "pressing Create (Return) with a blank partnership"
    n_events = len(app.events)
    node = h.wait(node_for, 3)
    if node is None:
        field = h.find(dlg, lambda n: h.role_name(n) in ("text", "entry") and "artnership" in h.name(n))
        if field is None:
            return False, "no Partnership text field in the New assessment dialog"
        app.focus_node(field)
        h.type_text("x")
        h.key("BackSpace")
        how = "typing a letter into Partnership and deleting it (Return showed no error)"
        node = h.wait(node_for, 5)
    if node is None:
        return False, f"{text!r} never appeared in the dialog's tree after {how}"
    # What kind of exposure?
    ways = []
    chain = [node]
    p = node
    for _ in range(4):
        p = p.parent
        if p is None:
            break
        chain.append(p)
    if any(h.role_name(n) in ("alert", "notification") for n in chain):
        ways.append("ALERT/notification role")
    for n in chain:
        a = h.attributes(n)
        if "container-live" in a or "live" in a:
            ways.append(f"live region ({a.get('container-live') or a.get('live')})")
            break
    field = h.find(app.dialog() or dlg,
                   lambda n: h.role_name(n) in ("text", "entry") and "artnership" in h.name(n))
    rels = h.relations(field) if field is not None else []
    for kind, targets in rels:
        if kind in ("described-by", "error-message", "details") and any(
                text in h.name_or_text(t) for t in targets):
            ways.append(f"field relation {kind}")
    h.wait(lambda: any(text in e[2] for e in app.events[n_events:]
                       if e[0].startswith("object:announcement")), 1)
    if any(text in e[2] for e in app.events[n_events:] if e[0].startswith("object:announcement")):
        ways.append("an announcement event")
    where = f"shown as {h.describe(node)} after {how}"
    in_desc = field is not None and text in h.description(field)
    if ways:
        return True, (f"{where}; exposed by: {', '.join(ways)}"
                      + ("; also in the field's description" if in_desc else ""))
    rel_s = ", ".join(f"{k}->{'/'.join(h.describe(t) for t in ts)}" for k, ts in rels) or "none"
    return False, (f"{where}, with no alert role, no live-region attribute, no announcement and no "
                   f"relation from the Partnership field (its relations: {rel_s}); "
                   + ("it is only in the field's description" if in_desc else
                      f"the field's description is {h.description(field) if field else ''!r}"))


# -- the run -----------------------------------------------------------------------------
def audit(session: h.Session) -> None:
    doc = session.new_document()
    node = session.start_app(str(doc))
    app = App(session, node)
    app.listen()
    ready = h.wait(app.findings, 20)
    if ready is None:
        record("start", False, "the question page (a 'Findings' field) did not appear within 20 s")
        return
    app.wait_focus(lambda f: True, 5)

    rows = question_ids(app)
    run_check("navigator-full-names", lambda: check_navigator_names(app))
    run_check("menu-mnemonics-unique", lambda: check_menus(app))
    run_check("unnamed-question-page", lambda: unnamed_report("question page", app.main_window()))
    run_check("save-status-spoken", lambda: check_save_status(app))
    run_check("question-change-announced", lambda: check_question_change(app, rows))

    current = rows[1][0] if len(rows) > 1 else ""
    heading = h.find(app.main_window(), lambda n: re.match(r"Question (\d+) of \d+", h.name(n)) is not None)
    if heading is not None and rows:
        current = rows[int(re.match(r"Question (\d+)", h.name(heading)).group(1)) - 1][0]
    run_check("ctrl-l-current-row", lambda: check_ctrl_l(app, current))
    h.key("Return")  # back to the question
    h.wait(lambda: app.findings() is not None, 5)

    def add_evidence() -> tuple[bool, str]:
        button = h.find(app.main_window(), lambda n: h.role_name(n) == "push button"
                        and h.name(n).startswith("Add evidence"))
        if button is None:
            return False, "no 'Add evidence' button on the question page"
        app.focus_node(button)
        h.key("space")
        dlg = app.wait_dialog()
        result = unnamed_report("Add evidence dialog", dlg)
        app.close_dialogs()
        return result
    run_check("unnamed-add-evidence-dialog", add_evidence)

    def new_dialog() -> tuple[bool, str]:
        h.key("ctrl+n")
        return unnamed_report("New assessment dialog", app.wait_dialog())
    if not ONLY or ONLY & {"unnamed-new-assessment-dialog", "dialog-error-exposed"}:
        run_check("unnamed-new-assessment-dialog", new_dialog)
        if app.dialog() is None:
            h.key("ctrl+n")
            app.wait_dialog()
        run_check("dialog-error-exposed", lambda: check_dialog_error(app))
        app.close_dialogs()

    def preferences() -> tuple[bool, str]:
        h.key("ctrl+comma")
        result = unnamed_report("Preferences dialog", app.wait_dialog())
        app.close_dialogs()
        return result
    run_check("unnamed-preferences-dialog", preferences)

    def review_page() -> Any:
        return h.find(app.main_window(), lambda n: h.name(n).startswith("Review before signing off"))

    if not ONLY or ONLY & {"unnamed-review-page", "readiness-exposed"}:
        h.key("ctrl+r")
        shown = h.wait(review_page, 10)
        run_check("unnamed-review-page", lambda: unnamed_report("review page", app.main_window())
                  if shown else (False, "Ctrl+R did not show the review page"))
        run_check("readiness-exposed", lambda: check_readiness(app) if shown
                  else (False, "Ctrl+R did not show the review page"))

    def summary() -> tuple[bool, str]:
        h.key("ctrl+shift+m")
        shown = h.wait(lambda: h.find(app.main_window(), lambda n: "onclusion" in h.name(n)
                                      and h.role_name(n) in ("text", "label", "heading")), 10)
        if not shown:
            return False, "Ctrl+Shift+M did not show the summary page (no 'conclusion' field)"
        return unnamed_report("summary page", app.main_window())
    run_check("unnamed-summary-page", summary)

    def home() -> tuple[bool, str]:
        h.key("ctrl+w")
        shown = h.wait(lambda: h.find(app.main_window(), lambda n: h.role_name(n) == "push button"
                                      and h.name(n) == "New assessment"), 10)
        if not shown:
            return False, "Ctrl+W did not show the home screen (no 'New assessment' button)"
        return unnamed_report("home screen", app.main_window())
    run_check("unnamed-home-screen", home)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary HOME and logs")
    parser.add_argument("--only", action="append", default=[], help="run only this check (repeatable)")
    parser.add_argument("--source", type=Path, default=None,
                        help="audit the app in this source tree (e.g. an unpacked 'git archive HEAD'), "
                             "run with this checkout's venv")
    args = parser.parse_args()
    ONLY.update(args.only)
    started = time.monotonic()
    session = h.Session(keep=args.keep, source=args.source)
    try:
        audit(session)
    finally:
        session.close()
    failed = [r for r in RESULTS if not r[1]]
    print(f"audit took {time.monotonic() - started:.0f} s")
    print(f"a11y: {len(RESULTS) - len(failed)} passed, {len(failed)} failed")
    if args.keep:
        print(f"logs kept in {session.tmp}")
    return 1 if failed or not RESULTS else 0


if __name__ == "__main__":
    sys.exit(main())
