"""What encryption costs: an encrypted against a plain 58-question assessment.

    make bench            (or: .venv/bin/python benchmarks/encryption.py [RUNS])

Builds two copies of the same assessment from the bundled checklist (58 questions,
every one with a judgement and a paragraph of findings): one plain, one encrypted
(SQLCipher 4).  Times, interleaved so the machine's drift falls on both alike:

* open: ``open_assessment`` for editing with the editing lock, as the app opens a file
  (every check, the integrity check included), then close;
* autosave: ``answers.set_findings`` on the open document (what typing saves),
  SAVES times in each run, each save timed on its own;
* PDF: the PDF summary exported from the open document.

Prints the median of RUNS (default 9, at least 7) runs of each (of every save timed,
for the autosave: one save of 1.5 ms is too short to time once a run) and the ratios
(goal: at most 1.3x).  The passphrase's key derivation (PBKDF2-HMAC-SHA512, 256,000
iterations, on purpose slow) runs once per file and passphrase in a process; it is
timed on its own and counted in a separate "first open" row.  Nothing is asserted.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scrutiny_desktop.checklist import bundled_template  # noqa: E402
from scrutiny_desktop.report import signing  # noqa: E402
from scrutiny_desktop.services import answers  # noqa: E402
from scrutiny_desktop.services.assessments import (  # noqa: E402
    NewAssessment,
    create_assessment,
    open_assessment,
)
from scrutiny_desktop.storage.sqlite import derived_key  # noqa: E402

PASSPHRASE = "benchmark copper kettle mountain"
PARAGRAPH = ("The partners described how the multi-agency safeguarding hub triages contacts "
             "within a day; minutes of the executive group show that actions are tracked, "
             "though some remain open for months. ") * 3


def build(path: Path, passphrase: str | None) -> Path:
    template = bundled_template()
    path = create_assessment(path, template, NewAssessment("Benchmark Partnership", "2025-26",
                                                           "Ann Jones"), passphrase=passphrase)
    answered = next(v for v, _label in template.judgement_options()
                    if template.counts_as_answered(v))
    with open_assessment(path, passphrase=passphrase) as doc:
        for qid in template.question_ids():
            answers.set_judgement(doc, qid, answered)
            answers.set_findings(doc, qid, f"{qid}: {PARAGRAPH}")
    return path


#: Saves timed in each run.
SAVES = 20


def time_once(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> int:
    runs = max(7, int(sys.argv[1]) if len(sys.argv) > 1 else 9)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        docs = {"plain": (build(folder / "plain.scrutiny", None), None),
                "encrypted": (build(folder / "encrypted.scrutiny", PASSPHRASE), PASSPHRASE)}
        times: dict[str, dict[str, list[float]]] = {k: {"open": [], "autosave": [], "pdf": []}
                                                    for k in docs}
        for n in range(runs):
            for kind, (path, passphrase) in docs.items():
                row = times[kind]
                row["open"].append(time_once(lambda p=path, k=passphrase: open_assessment(
                    p, lock=True, passphrase=k).close()))
                with open_assessment(path, lock=True, passphrase=passphrase) as doc:
                    for k in range(SAVES):
                        row["autosave"].append(time_once(lambda d=doc, i=n * SAVES + k:
                                                         answers.set_findings(
                            d, "ARR-01", f"Autosave {i}: {PARAGRAPH}")))
                    row["pdf"].append(time_once(lambda d=doc, k=kind: signing.export_pdf(
                        d, folder / f"{k}.pdf")))
        salt = docs["encrypted"][0].read_bytes()[:16]

        def derive_cold() -> float:
            derived_key.cache_clear()
            return time_once(lambda: derived_key(PASSPHRASE, salt))

        kdf = statistics.median(derive_cold() for _ in range(3))
    print(f"encrypted (SQLCipher 4) against plain, 58 questions with findings; median of {runs} "
          "interleaved runs")
    print(f"  {'':10} {'plain':>9} {'encrypted':>10} {'ratio':>7}")
    for what in ("open", "autosave", "pdf"):
        plain_s = statistics.median(times["plain"][what])
        enc_s = statistics.median(times["encrypted"][what])
        print(f"  {what:10} {plain_s * 1000:7.1f} ms {enc_s * 1000:8.1f} ms {enc_s / plain_s:6.2f}x")
    first = statistics.median(times["encrypted"]["open"]) + kdf
    print(f"  first open of a file in a session adds the key derivation once: {kdf * 1000:.0f} ms "
          f"(open then {first * 1000:.0f} ms, "
          f"{first / statistics.median(times['plain']['open']):.1f}x)")
    print("  goal: at most 1.3x for open, autosave and PDF")
    return 0


if __name__ == "__main__":
    sys.exit(main())
