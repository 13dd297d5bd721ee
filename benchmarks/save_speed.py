"""One findings save: the services against raw sqlite3 making the same writes.

Both sides work on their own copy of the same new assessment (58 questions),
with the settings every document is opened with (``journal_mode = DELETE``,
``synchronous = FULL``: each commit is on the disk before it returns), and save
new findings text to question after question:

* **ours**: ``answers.set_findings(doc, question, text)``, what the app calls
  when typing pauses; it checks the document may be edited, compares with the
  stored text, writes the answer and a hash-chained audit row with the old and
  new text, all in one transaction;
* **raw**: ``sqlite3`` doing the same in one transaction on one open connection:
  read the status, the stored text and the audit log's head, then UPDATE the
  answer, INSERT the audit row (its SHA-256 computed the same way) and UPDATE
  the assessment's head, count and time.

Runs are interleaved in rounds; each round's figure is the median time per save.
The issue's goal is ours within 1.5x raw.  The folder is the system's temporary
one unless ``--folder`` names another (a real disk makes both slower, and the
ratio smaller).

    .venv/bin/python benchmarks/save_speed.py [--saves 200] [--rounds 7] [--folder DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
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
from scrutiny_desktop.services.assessments import NewAssessment, create_assessment


def raw_save(db: sqlite3.Connection, question_id: str, text: str) -> None:
    db.execute("BEGIN IMMEDIATE")
    status, name, head, count = db.execute(
        "SELECT status, scrutineer_name, audit_head, audit_count FROM assessments "
        "WHERE id = 1").fetchone()
    assert status == "draft"
    (old,) = db.execute("SELECT findings FROM answers WHERE question_id = ?",
                        (question_id,)).fetchone()
    if old == text:
        db.execute("ROLLBACK")
        return
    now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    db.execute("UPDATE answers SET findings = ?, updated_at = ? WHERE question_id = ?",
               (text, now, question_id))
    seq = count + 1
    content = json.dumps({"seq": seq, "at": now, "actor": name, "action": "answer.findings",
                          "target": question_id, "old": old, "new": text},
                         sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    row_hash = hashlib.sha256((head + "\n" + content).encode("utf-8")).hexdigest()
    db.execute("INSERT INTO audit_entries (seq, at, actor, action, target, old_value, new_value, "
               "prev_hash, row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (seq, now, name, "answer.findings", question_id, old, text, head, row_hash))
    db.execute("UPDATE assessments SET audit_head = ?, audit_count = ?, modified_at = ? "
               "WHERE id = 1", (row_hash, seq, now))
    db.execute("COMMIT")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="scrutiny-bench-", dir=args.folder) as tmp:
        folder = Path(tmp)
        template = bundled_template()
        ours_path = create_assessment(folder / "ours.scrutiny", template, NewAssessment(
            partnership="Benchmark Partnership", period="2025-26", scrutineer_name="Ann Jones"))
        raw_path = folder / "raw.scrutiny"
        shutil.copyfile(ours_path, raw_path)
        ids = template.question_ids()

        doc = assessments.open_assessment(ours_path, lock=True)
        db = sqlite3.connect(raw_path, isolation_level=None)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA journal_mode = DELETE")
        db.execute("PRAGMA synchronous = FULL")
        counter = 0

        def one_round(save) -> float:
            """The median time of ``--saves`` saves of new text, question after question."""
            nonlocal counter
            times = []
            for n in range(args.saves):
                counter += 1
                text = f"Findings, draft {counter}: the partnership's minutes show the work."
                start = time.perf_counter()
                save(ids[n % len(ids)], text)
                times.append(time.perf_counter() - start)
            return statistics.median(times)

        def ours_round() -> float:
            return one_round(lambda qid, text: answers.set_findings(doc, qid, text))

        def raw_round() -> float:
            return one_round(lambda qid, text: raw_save(db, qid, text))

        try:
            ours_round(), raw_round()  # warm both (statement caches, the file in memory)
            ours, raw = [], []
            for _ in range(args.rounds):
                ours.append(ours_round())
                raw.append(raw_round())
            doc.close()
            # Opening checks the file, its audit chain included: the saves left it sound.
            assessments.open_assessment(ours_path, readonly=True).close()
        finally:
            doc.close()
            db.close()
    o, r = statistics.median(ours), statistics.median(raw)
    print(f"findings save ({args.saves} saves x {args.rounds} rounds, in {folder.parent}): "
          f"ours {o * 1000:.2f} ms, raw sqlite3 {r * 1000:.2f} ms, ratio {o / r:.2f}x "
          f"(goal <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
