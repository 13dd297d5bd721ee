"""A keyboard-only walk of the whole job with Orca listening; writes what Orca said.

Starts the real app (empty HOME, home screen) and Orca (Debian's ``orca``, 43 on
bookworm) with ``--debug-file``: Orca logs every utterance as ``SPEECH OUTPUT:``
whether or not a synthesiser is heard (speech-dispatcher is pointed at its dummy
module in the temporary HOME).  Then it presses the keys a blind scrutineer
would, step by step, and after each step collects what Orca said until it has
been quiet for a second.  The transcript goes to ``walk-transcript.md`` beside
this file (``--out`` to change).  Nothing is asserted: read the transcript.

Run (Debian's interpreter; Orca and pyatspi live there)::

    xvfb-run -a -s '-screen 0 1366x768x24' dbus-run-session -- /usr/bin/python3 tests/a11y/walk.py

Needs the packages ``make a11y`` needs plus ``orca`` and ``speech-dispatcher``.
"""

from __future__ import annotations

import argparse
import datetime
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness as h

SPEECH = re.compile(r"SPEECH OUTPUT: '(.*)'\s*(?:voice=\w+\s*)?\{")


class Orca:
    def __init__(self, session: h.Session):
        h.need(shutil.which("orca") is not None, "orca is not installed (apt-get install orca)")
        self.log = session.tmp / "orca-debug.log"
        conf = session.home / ".config" / "speech-dispatcher"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "speechd.conf").write_text('AddModule "dummy" "sd_dummy" ""\nDefaultModule dummy\n')
        run = session.tmp / "run"
        run.mkdir(mode=0o700)
        session.env["XDG_RUNTIME_DIR"] = str(run)
        prefs = session.tmp / "orca-prefs"
        prefs.mkdir()
        self.proc = session._spawn(["orca", "--replace", "-u", str(prefs), f"--debug-file={self.log}"],
                                   "orca.out")
        self.pos = 0
        self.partial = ""
        ok = h.wait(lambda: any("Screen reader on" in u for u in self.said()), 30)
        h.need(bool(ok), f"Orca did not start speaking within 30 s (see {self.log})")

    def said(self) -> list[str]:
        """Utterances logged since the last call (the log is read on from where we left it)."""
        try:
            with open(self.log, "rb") as f:
                f.seek(self.pos)
                chunk = f.read()
        except FileNotFoundError:
            return []
        self.pos += len(chunk)
        text = self.partial + chunk.decode("utf-8", errors="replace")
        complete, _, self.partial = text.rpartition("\n")
        return [m.group(1) for m in SPEECH.finditer(complete)]

    def settle(self, quiet: float = 1.5, limit: float = 10.0) -> list[str]:
        """What Orca says until it has been quiet for ``quiet`` seconds (at most ``limit``)."""
        out: list[str] = []
        last = time.monotonic()
        deadline = last + limit
        while time.monotonic() < deadline:
            h.pump()
            got = self.said()
            if got:
                out += got
                last = time.monotonic()
            elif time.monotonic() - last >= quiet:
                break
            time.sleep(0.1)
        return out


def squash(utterances: list[str]) -> list[str]:
    """Runs of single-character echoes (Orca echoing typed keys) become one note."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= 3:
            out.append(f"[echoes each key typed: {len(run)} keys]")
        else:
            out.extend(run)
        run.clear()
    for u in utterances:
        if len(u.strip()) <= 1 or u.strip() == "space":
            run.append(u)
        else:
            flush()
            out.append(u)
    flush()
    return out


class Walk:
    def __init__(self, session: h.Session, orca: Orca, app: Any):
        self.session, self.orca, self.app = session, orca, app
        self.rows: list[tuple[str, str, list[str]]] = []

    def step(self, title: str, keys: str, action: Callable[[], None], settle: float = 1.5) -> None:
        self.orca.said()  # drop anything left over
        action()
        said = squash(self.orca.settle(settle))
        self.rows.append((title, keys, said))
        print(f"- {title} [{keys}]: {' / '.join(said) or '(silence)'}", flush=True)

    def focused_name(self) -> str:
        f = h.focused(self.app)
        return h.name(f) if f is not None else ""

    def tab_to(self, pattern: str, limit: int = 25, back: bool = False) -> bool:
        rx = re.compile(pattern)
        for _ in range(limit):
            if rx.search(self.focused_name()):
                return True
            h.key("shift+Tab" if back else "Tab")
            time.sleep(0.2)
        return bool(rx.search(self.focused_name()))

    def dialog(self) -> Any:
        return h.wait(lambda: next((w for w in h.windows(self.app) if h.role_name(w) != "frame"
                                    and h.has(w, h.pyatspi.STATE_ACTIVE)), None), 8)

    def no_dialog(self) -> bool:
        return bool(h.wait(lambda: all(h.role_name(w) == "frame" for w in h.windows(self.app)), 8))


def run_walk(session: h.Session, out: Path) -> int:
    orca = Orca(session)
    app = session.start_app()
    walk = Walk(session, orca, app)
    walk.rows.append(("The app starts (home screen)", "(start)", squash(orca.settle(2.0))))
    print(f"- start: {' / '.join(walk.rows[-1][2])}", flush=True)

    # -- create a new assessment -------------------------------------------------
    walk.step("Open the New assessment dialog", "Ctrl+N", lambda: (h.key("ctrl+n"), walk.dialog()))
    walk.step("Partnership field", "Alt+P, type", lambda: (h.key("alt+p"), h.type_text("Riverside SCP")))
    walk.step("Period covered field", "Alt+C, type", lambda: (h.key("alt+c"), h.type_text("2025-26")))
    walk.step("Scrutineer name field", "Alt+N, type", lambda: (h.key("alt+n"), h.type_text("Alex Morgan")))
    walk.step("Create", "Return", lambda: (h.key("Return"), walk.no_dialog(),
                                           h.wait(lambda: h.find(h.top_window(app), lambda n: h.name(n)
                                                  .startswith("Findings") and h.role_name(n) == "text"), 15)),
              settle=2.0)

    # -- three questions -------------------------------------------------------------
    findings = ["The terms of reference name the scrutineer.",
                "The plan is agreed and dated.",
                "Access to records was delayed twice."]
    for n, (judgement, text) in enumerate(zip(("1", "2", "3"), findings, strict=True), start=1):
        walk.step(f"Question {n}: choose a judgement", f"Alt+{judgement}",
                  lambda j=judgement: h.key(f"alt+{j}"))

        def to_findings() -> None:
            node = h.find(h.top_window(app), lambda x: h.role_name(x) == "text"
                          and h.name(x).startswith("Findings"))
            if node is not None and not h.has(node, h.pyatspi.STATE_FOCUSED):
                walk.tab_to(r"^Findings")
        walk.step(f"Question {n}: Tab to Findings (if not there)", "Tab…", to_findings)
        walk.step(f"Question {n}: type the findings", "type", lambda t=text: h.type_text(t))
        if n < 3:
            walk.step(f"Question {n}: next question", "Alt+Right", lambda: h.key("alt+Right"), settle=1.5)

    # -- evidence ------------------------------------------------------------------------
    walk.step("Tab to Add evidence", "Tab…", lambda: walk.tab_to(r"^Add evidence"))
    walk.step("Open Add evidence", "Space", lambda: (h.key("space"), walk.dialog()))
    walk.step("Evidence title", "type", lambda: h.type_text("Scrutiny plan 2025-26"))
    walk.step("Save the evidence", "Return", lambda: (h.key("Return"), walk.no_dialog()), settle=1.5)

    # -- a recommendation ---------------------------------------------------------------
    walk.step("Tab to Add recommendation", "Tab…", lambda: walk.tab_to(r"^Add recommendation"))
    walk.step("Open Add recommendation", "Space", lambda: (h.key("space"), walk.dialog()))
    walk.step("Recommendation text", "type",
              lambda: h.type_text("Agree a timetable for access to records."))
    walk.step("Owner field (leaves the text box)", "Alt+O", lambda: h.key("alt+o"))
    walk.step("Save the recommendation", "Return", lambda: (h.key("Return"), walk.no_dialog()),
              settle=1.5)
    # If the dialog is still open (a required choice), say so and leave it.
    if not all(h.role_name(w) == "frame" for w in h.windows(app)):
        walk.step("The dialog stayed open; close it", "Escape", lambda: (h.key("Escape"), walk.no_dialog()))

    # -- review while not ready ------------------------------------------------------------
    walk.step("Review and sign off", "Ctrl+R", lambda: h.key("ctrl+r"), settle=2.0)
    for i in range(1, 4):
        walk.step(f"Review page: Tab {i}", "Tab", lambda: h.key("Tab"))
    reached: list[bool] = []
    walk.step("Tab towards Sign off (up to 8 Tabs)", "Tab…",
              lambda: reached.append(walk.tab_to(r"^Sign off", limit=8)))
    if not reached[-1]:
        walk.rows[-1] = (walk.rows[-1][0] + ": not reached (disabled, so not a Tab stop)",
                         *walk.rows[-1][1:])
    walk.step("Try Sign off from the menu", "Alt+A, S",
              lambda: (h.key("alt+a"), time.sleep(0.5), h.key("s")), settle=2.0)
    if not all(h.role_name(w) == "frame" for w in h.windows(app)):
        walk.step("Close what Sign off opened", "Escape", lambda: (h.key("Escape"), walk.no_dialog()))

    # -- make it ready: every other question, and the conclusion --------------------------
    bulk: list[str] = []

    def answer_the_rest() -> None:
        walk.tab_to(r"^Back to the questions", limit=8)
        h.key("space")
        bulk.extend(orca.settle(1.0))
        # One question at a time, letting Orca finish: it hears every key first, and
        # keys pressed faster than it speaks reach the app late.
        for _ in range(55):
            h.key("alt+Right")
            bulk.extend(orca.settle(0.5, 4))
            h.key("alt+5")
            bulk.extend(orca.settle(0.5, 4))
    walk.step("Back to the questions, then every other question: Insufficient evidence",
              "Space; (Alt+Right, Alt+5) x 55", answer_the_rest, settle=1.5)
    last = walk.rows[-1]
    heard = squash(bulk + last[2])
    walk.rows[-1] = (last[0], last[1], [f"[{len(heard)} utterances; the last ones:]", *heard[-4:]])
    walk.step("Summary page", "Ctrl+Shift+M", lambda: h.key("ctrl+shift+m"), settle=1.5)
    walk.step("Tab to the conclusion", "Tab…", lambda: walk.tab_to(r"onclusion", limit=15))
    walk.step("Write the conclusion", "type", lambda: h.type_text("The arrangements are sound."))
    walk.step("Review and sign off (ready now?)", "Ctrl+R", lambda: h.key("ctrl+r"), settle=2.0)
    for _ in range(4):  # a key Orca held up can be lost: go to what is still missing
        missing = h.find(h.top_window(app), lambda n: h.name(n) == "Unanswered required questions")
        if missing is None or missing.childCount == 0:
            break
        walk.step("Tab to the first unanswered question", "Tab…",
                  lambda: walk.tab_to(r"^[A-Z]+-\d+ ", limit=10))
        walk.step("Go to it and choose Insufficient evidence", "Return, Alt+5",
                  lambda: (h.key("Return"), orca.settle(1.0), h.key("alt+5")))
        walk.step("Review and sign off again", "Ctrl+R", lambda: h.key("ctrl+r"), settle=2.0)

    # -- sign off -------------------------------------------------------------------------------
    walk.step("Tab to Sign off", "Tab…", lambda: walk.tab_to(r"^Sign off", limit=10))
    walk.step("Open the sign-off dialog", "Space", lambda: (h.key("space"), walk.dialog()), settle=1.5)
    if walk.dialog() is not None:
        walk.step("Tab to Create my signing certificate", "Tab…",
                  lambda: walk.tab_to(r"^Create my signing certificate", limit=12))
        walk.step("Open it", "Space", lambda: (h.key("space"), time.sleep(1)), settle=1.5)
        walk.step("Passphrase", "Alt+P, type", lambda: (h.key("alt+p"), h.type_text("correct horse battery")))
        walk.step("Repeat it", "Alt+R, type", lambda: (h.key("alt+r"), h.type_text("correct horse battery")))
        walk.step("Create the certificate", "Return", lambda: (h.key("Return"), time.sleep(2)), settle=2.0)
        if h.find(h.top_window(app), lambda n: h.name(n) == "Repeat the passphrase") is not None:
            walk.step("Close what is left open", "Escape", lambda: h.key("Escape"), settle=1.5)
        walk.step("Tab to the certificate passphrase", "Tab…",
                  lambda: walk.tab_to(r"^Certificate passphrase", limit=15))
        walk.step("Type the passphrase", "type", lambda: h.type_text("correct horse battery"))
        walk.step("Tab to I confirm", "Shift+Tab…", lambda: walk.tab_to(r"^I confirm", limit=15, back=True))
        walk.step("Tick it", "Space", lambda: h.key("space"))
        walk.step("Sign off", "Return", lambda: (h.key("Return"), walk.no_dialog()), settle=3.0)
        while not all(h.role_name(w) == "frame" for w in h.windows(app)) and len(walk.rows) < 80:
            walk.step("A dialog is still open: Escape", "Escape", lambda: (h.key("Escape"), time.sleep(1)))

    # -- export ----------------------------------------------------------------------------
    walk.step("Export the PDF summary", "Ctrl+E", lambda: (h.key("ctrl+e"), walk.dialog()), settle=2.0)
    walk.step("Accept the suggested file name", "Return", lambda: h.key("Return"), settle=2.0)
    if not all(h.role_name(w) == "frame" for w in h.windows(app)):
        walk.step("Accept the next dialog (marking)", "Return", lambda: h.key("Return"), settle=3.0)
    walk.step("Wait for the export to finish", "(wait)", lambda: time.sleep(3), settle=2.0)
    pdfs = sorted(session.home.rglob("*.pdf"))

    write_transcript(out, walk.rows, pdfs)
    print(f"transcript written to {out}")
    return 0


def write_transcript(out: Path, rows: list[tuple[str, str, list[str]]], pdfs: list[Path]) -> None:
    orca_version = subprocess.run(["orca", "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# Keyboard-only walk with Orca (recorded)",
        "",
        f"Recorded {datetime.date.today().isoformat()} by `tests/a11y/walk.py` with Orca "
        f"{orca_version or '?'} under Xvfb, from Orca's debug log (`SPEECH OUTPUT` lines; "
        "speech-dispatcher's dummy module, so nothing was audible). Each row is one step: the keys "
        "pressed and everything Orca said until it was quiet for a second. Typed letters that Orca "
        "echoed are summarised. Orca can lag behind the keys, so a step's speech sometimes "
        "lands in the next row. Regenerate with the command in `tests/a11y/README.md`.",
        "",
        "| # | Step | Keys | What Orca said |",
        "| --- | --- | --- | --- |",
    ]
    for i, (title, keys, said) in enumerate(rows, start=1):
        spoken = " / ".join(s.replace("|", "\\|").strip() for s in said) or "*(silence)*"
        lines.append(f"| {i} | {title} | {keys} | {spoken} |")
    lines += ["", f"PDF written: {'yes (' + pdfs[-1].name + ')' if pdfs else 'no'}.", ""]
    out.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("walk-transcript.md"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary HOME and logs")
    args = parser.parse_args()
    session = h.Session(keep=args.keep)
    try:
        return run_walk(session, args.out)
    finally:
        session.close()
        if args.keep:
            print(f"logs kept in {session.tmp}")


if __name__ == "__main__":
    sys.exit(main())
