"""Kill the real window with SIGKILL while someone types, and count what was lost.

Each trial starts the app's real main window in a child process (offscreen, or
on the X display in ``$DISPLAY`` with ``--platform xcb``), opens a document and
types into the Findings box without ever pausing, one key every ``--every-ms``
milliseconds, pressing Alt+digit now and then and Alt+Right every
``--per-question`` characters.  The child logs the time of every key it typed
(a plain write per key, which survives SIGKILL).  The parent kills the child at
a random moment, reopens the document exactly as the app does, and compares:

* harmed files: the document does not open editable, or a question's stored
  findings are not exactly a prefix of what was typed into it;
* seconds of typing lost: from the first typed key that is not in the file to
  the moment of the kill (0 when everything typed is there).

Run: ``python tests/torture/gui_torture.py --trials 20`` (``make torture``).
Exit status 1 if any file was harmed or more than ``--max-loss`` seconds were
lost in any trial.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TEXT = ("The partners described their plan, and the minutes show the decision. "
        "Practitioners said the threshold document helped them. ")


# -- the child: the real window, typing -------------------------------------------
def child(doc: Path, log: Path, every_ms: int, per_question: int) -> None:  # pragma: no cover
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from scrutiny_desktop.ui.app import application, create_main_window

    app = application()
    window = create_main_window()
    window.resize(1366, 768)
    window.show()
    window.activateWindow()
    if not window.open_path(doc):
        raise SystemExit("could not open the document")
    page = window.assessment.page
    out = open(log, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives until killed
    state = {"n": 0, "in_question": 0}

    def key() -> None:
        focus = QApplication.focusWidget() or page.findings
        if state["in_question"] >= per_question:
            QTest.keyClick(focus, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
            state["in_question"] = 0
            return
        if state["n"] % 37 == 36:
            QTest.keyClick(focus, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
        ch = TEXT[state["n"] % len(TEXT)]
        qid = page.question_id
        QTest.keyClicks(focus, ch)
        # One line per key, after it reached the box: time, question, offset.
        os.write(out.fileno(), f"{time.time():.4f} {qid} {state['in_question']}\n".encode())
        state["n"] += 1
        state["in_question"] += 1

    page.findings.setFocus()
    os.write(out.fileno(), b"ready\n")
    timer = QTimer()
    timer.setInterval(every_ms)
    timer.timeout.connect(key)
    timer.start()
    app.exec()


# -- the parent ------------------------------------------------------------------------
def _env(home: Path, platform: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
                "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state"),
                "XDG_CACHE_HOME": str(home / "cache"), "XDG_CONFIG_DIRS": str(home / "etc"),
                "QT_QPA_PLATFORM": platform, "PYTHONPATH": str(ROOT)})
    env.pop("SCRUTINY_DESKTOP_CONFIG", None)
    return env


def make_document(path: Path) -> None:
    from scrutiny_desktop.checklist.loader import bundled_template
    from scrutiny_desktop.services.assessments import NewAssessment, create_assessment

    create_assessment(path, bundled_template(), NewAssessment(
        partnership="Northshire Safeguarding Children Partnership", period="2025-26",
        scrutineer_name="Torture Test", scrutineer_role="Independent scrutineer"))


def read_log(log: Path) -> list[tuple[float, str, int]]:
    keys = []
    for line in log.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            keys.append((float(parts[0]), parts[1], int(parts[2])))
    return keys


def judge(doc: Path, keys: list[tuple[float, str, int]], killed_at: float) -> tuple[bool, float, str]:
    """(harmed, seconds lost, note) for one trial."""
    from scrutiny_desktop.services import answers, assessments

    try:
        opened = assessments.open_assessment(doc, lock=True)
    except Exception as exc:  # noqa: BLE001 - any refusal is a harmed file
        return True, 0.0, f"refused on reopen: {exc}"
    with opened as d:
        if d.readonly:
            return True, 0.0, f"reopened read-only: {d.readonly_reason}"
        typed: dict[str, list[tuple[float, int]]] = {}
        for when, qid, offset in keys:
            typed.setdefault(qid, []).append((when, offset))
        first_lost: float | None = None
        for qid, chars in typed.items():
            stored = answers.get_answer(d, qid).findings
            expected_len = max(o for _w, o in chars) + 1
            # The characters typed into this question, in order.
            start = _text_offset(keys, qid)
            # One key more than logged: the kill may fall between a key and its log line.
            text = "".join(TEXT[(start + i) % len(TEXT)] for i in range(expected_len + 1))
            if not text.startswith(stored):
                return True, 0.0, f"{qid}: stored text is not what was typed"
            for when, offset in chars:
                if offset >= len(stored):
                    first_lost = when if first_lost is None else min(first_lost, when)
                    break
    lost = 0.0 if first_lost is None else max(0.0, killed_at - first_lost)
    return False, lost, ""


def _text_offset(keys: list[tuple[float, str, int]], qid: str) -> int:
    """Where in TEXT the first key typed into ``qid`` came from (keys are numbered globally)."""
    for n, (_when, q, _offset) in enumerate(keys):
        if q == qid:
            return n % len(TEXT)
    return 0


def trial(n: int, args, rng: random.Random) -> tuple[bool, float, str, int]:
    with tempfile.TemporaryDirectory(prefix=f"gui-torture-{n}-") as tmp_name:
        tmp = Path(tmp_name)
        doc = tmp / "assessment.scrutiny"
        make_document(doc)
        log = tmp / "keys.log"
        log.touch()
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", str(doc), str(log), str(args.every_ms),
             str(args.per_question)],
            env=_env(tmp / "home", args.platform), stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while "ready" not in log.read_text(encoding="utf-8"):
            if proc.poll() is not None or time.time() > deadline:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                proc.kill()
                return True, 0.0, f"the window did not start: {err.strip()[-300:]}", 0
            time.sleep(0.05)
        time.sleep(rng.uniform(args.min_s, args.max_s))
        killed_at = time.time()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        if proc.stderr:
            proc.stderr.close()
        keys = read_log(log)
        harmed, lost, note = judge(doc, keys, killed_at)
        return harmed, lost, note, len(keys)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=15)
    parser.add_argument("--every-ms", type=int, default=60,
                        help="milliseconds between keys (default 60: a fast typist)")
    parser.add_argument("--per-question", type=int, default=150,
                        help="keys typed into a question before Alt+Right")
    parser.add_argument("--min-s", type=float, default=1.0, help="earliest kill after start")
    parser.add_argument("--max-s", type=float, default=8.0, help="latest kill after start")
    parser.add_argument("--max-loss", type=float, default=1.5,
                        help="seconds of typing a kill may cost (default 1.5)")
    parser.add_argument("--platform", default="offscreen", help="Qt platform: offscreen or xcb")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        doc, log, every, per_q = args.child
        child(Path(doc), Path(log), int(every), int(per_q))
        return 0
    rng = random.Random(args.seed)
    harmed = 0
    losses: list[float] = []
    keys_total = 0
    for n in range(1, args.trials + 1):
        bad, lost, note, keys = trial(n, args, rng)
        keys_total += keys
        harmed += bad
        if not bad:
            losses.append(lost)
        print(f"trial {n:3}: {keys:4} keys typed, "
              + (f"HARMED: {note}" if bad else f"{lost:.2f} s of typing lost"), flush=True)
    median = statistics.median(losses) if losses else 0.0
    worst = max(losses) if losses else 0.0
    print(f"GUI torture: trials: {args.trials}  harmed files: {harmed}  keys typed: {keys_total}  "
          f"seconds of typing lost per kill: median {median:.2f}, max {worst:.2f}")
    if args.json:
        print(json.dumps({"trials": args.trials, "harmed": harmed, "median_s": median,
                          "max_s": worst}))
    return 1 if harmed or worst > args.max_loss else 0


if __name__ == "__main__":
    sys.exit(main())
