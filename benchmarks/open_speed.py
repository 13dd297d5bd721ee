"""Opening a document for editing, new and after thousands of saves, against raw sqlite3.

An open for editing checks the whole file before it is shown
(``services.assessments.open_assessment``): SQLite's own integrity check, the kind
of every stored value, the audit log's hash chain, and the records against the
audit log.  Every save adds an audit row with the old and the new text, so that
check grows with the saves a document has had: this is the start-up a scrutineer
meets on a document they have worked on for weeks.

Two copies of one document are timed: a new one, and the same after ``--saves``
findings saves (default 3,000, spread over the questions, each a few sentences
longer than the last, as typing makes them).  For each, interleaved, ``--runs``
times (default 9):

* **ours**: ``open_assessment(path, lock=True)`` and ``close()``, as the window opens
  a document;
* **floor**: ``sqlite3`` opening the file read-only and reading every row of every
  table (``SELECT *``): the least any check of the whole file must read.

Prints the medians, their ratio, and ours per thousand saves.  No goal is set by
the issue for this row; nothing is asserted.

    .venv/bin/python benchmarks/open_speed.py [--saves 3000] [--runs 9]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scrutiny_desktop.checklist import bundled_template
from scrutiny_desktop.services import answers, assessments
from scrutiny_desktop.services.assessments import (
    NewAssessment,
    create_assessment,
    open_assessment,
)

SENTENCE = "The partnership showed how referrals from schools are tracked to an outcome. "


def ours(path: Path) -> None:
    doc = open_assessment(path, actor="Ann Jones", lock=True)
    try:
        assert not doc.readonly, doc.readonly_reason
    finally:
        doc.close()


def floor(path: Path) -> None:
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = [name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            db.execute(f'SELECT * FROM "{table}"').fetchall()
    finally:
        db.close()


def timed(action, path: Path) -> float:
    started = time.perf_counter()
    action(path)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scrutiny-bench-") as tmp:
        new = create_assessment(Path(tmp) / "new.scrutiny", bundled_template(), NewAssessment(
            partnership="Northshire Safeguarding Children Partnership", period="2025-26",
            scrutineer_name="Ann Jones"))
        worked = Path(tmp) / "worked.scrutiny"
        shutil.copyfile(new, worked)
        with open_assessment(worked, actor="Ann Jones") as doc:
            questions = assessments.question_ids(doc)
            for i in range(args.saves):
                growth = 1 + (i // len(questions)) % 12
                answers.set_findings(doc, questions[i % len(questions)], SENTENCE * growth + str(i))
        size = worked.stat().st_size
        results: dict[str, dict[str, list[float]]] = {}
        for name, path in (("new", new), ("worked", worked)):
            ours(path), floor(path)  # warm: caches, the ORM's first statements
            times: dict[str, list[float]] = {"ours": [], "floor": []}
            for i in range(args.runs):
                for side in (("ours", "floor") if i % 2 == 0 else ("floor", "ours")):
                    times[side].append(timed(ours if side == "ours" else floor, path))
            results[name] = times
    print(f"open for editing, median of {args.runs} interleaved runs")
    for name, label in (("new", "a new document"),
                        ("worked", f"after {args.saves:,} saves ({size / 1e6:.1f} MB)")):
        o, f = (statistics.median(results[name][side]) for side in ("ours", "floor"))
        print(f"  {label}: ours {o * 1000:.0f} ms, raw sqlite3 reading every row "
              f"{f * 1000:.0f} ms, ratio {o / f:.2f}x")
    grown = (statistics.median(results["worked"]["ours"])
             - statistics.median(results["new"]["ours"])) / args.saves * 1000
    print(f"  ours grows by {grown * 1000:.0f} ms per thousand saves")
    return 0


if __name__ == "__main__":
    sys.exit(main())
