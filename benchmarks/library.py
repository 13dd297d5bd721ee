"""How long the library takes to list 5,000 documents, against raw sqlite3.

    make bench            (or: .venv/bin/python benchmarks/library.py [COUNT] [RUNS])

Builds one real assessment from the bundled checklist (most questions judged) and
copies it COUNT times (default 5,000) into ten subfolders, as tests/helpers.py
``make_many`` does.  The copies' modification times are set an hour back: the
summary cache trusts a file's stamp only once it is a little older than the read
(see ``services.library.RACY_SECONDS``), as files in a real library are.

Times, interleaved so that the machine's drift falls on all alike (median of RUNS,
default 7):

* raw: the floor -- ``os.walk`` for the files, then for each a read-only ``sqlite3``
  connection and one SELECT of what a summary shows (the details, every judgement
  and the newest sign-off and countersignature), nothing else;
* storage: the storage layer's read of each file as a listing makes it
  (``read_summary`` over one ``SummaryReader``): the check of the file's first 100
  bytes, the same SELECT and the judgements decoded, without the service's summaries,
  counting or cache -- where the gap between raw and the service goes;
* service, first run: ``list_library`` with its cache emptied (every file is read);
* service, refresh: ``list_library`` again with nothing changed (goal: at most 0.3 s);
* GUI, first run and refresh: ``LibraryPage.refresh`` (offscreen) from the click to
  ``listing_finished`` with every row in the table (goal: within 10 % of the service).

Prints the medians and the ratios (goal: service at most 1.2x raw).  Nothing is asserted.
"""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from scrutiny_desktop.checklist import bundled_template  # noqa: E402
from scrutiny_desktop.services import answers  # noqa: E402
from scrutiny_desktop.services import library as service  # noqa: E402
from scrutiny_desktop.services.assessments import (  # noqa: E402
    NewAssessment,
    create_assessment,
    open_assessment,
)
from scrutiny_desktop.storage.summary import SummaryReader, read_summary  # noqa: E402

RAW_SQL = ("SELECT partnership, area, period, scrutineer_name, status, modified_at, "
           "template_sha256, "
           "(SELECT json_group_object(question_id, CASE WHEN carried_from IS NULL "
           "THEN judgement END) FROM answers), "
           "(SELECT max(signed_at) FROM signoffs WHERE voided_at IS NULL), "
           "(SELECT max(signed_at) FROM countersignatures WHERE voided_at IS NULL) "
           "FROM assessments WHERE id = 1")


def build(folder: Path, count: int) -> Path:
    template = bundled_template()
    source = create_assessment(folder / "source.scrutiny", template,
                               NewAssessment("Benchmark Partnership", "2025-26", "Ann Jones"))
    answered = next(v for v, _label in template.judgement_options()
                    if template.counts_as_answered(v))
    ids = template.question_ids()
    with open_assessment(source) as doc:
        for qid in ids[: len(ids) * 3 // 4]:
            answers.set_judgement(doc, qid, answered)
    library = folder / "library"
    an_hour_ago = time.time() - 3600
    for n in range(count):
        sub = library / f"team-{n % 10:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        copy = shutil.copyfile(source, sub / f"assessment-{n:04d}.scrutiny")
        os.utime(copy, (an_hour_ago, an_hour_ago))
    return library


def raw(library: Path) -> int:
    paths = []
    for root, dirs, files in os.walk(library):
        dirs.sort()
        paths += [os.path.join(root, f) for f in files if f.endswith(".scrutiny")]
    paths.sort()
    for p in paths:
        conn = sqlite3.connect("file:" + p + "?mode=ro", uri=True)
        conn.execute(RAW_SQL).fetchone()
        conn.close()
    return len(paths)


def storage(library: Path) -> int:
    """Every file read as the listing reads it, up to the stored summary."""
    paths = service.find_documents([library])
    known: set[str] = set()
    with SummaryReader() as reader:
        for p in paths:
            stored = read_summary(p, known_templates=known, reader=reader)
            known.add(stored.template_sha256)  # as the service's template cache does
    return len(paths)


def timed(fn) -> float:
    # Each row starts from a collected heap: a listing holds the collector off while it
    # reads (see scrutiny_desktop.gc_pause), and the collection it put off would
    # otherwise fall on whichever row runs next.
    gc.collect()
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    runs = max(7, int(sys.argv[2]) if len(sys.argv) > 2 else 7)
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from scrutiny_desktop.ui.library import LibraryPage

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        library = build(Path(tmp), count)
        page = LibraryPage([str(library)])
        page.resize(1200, 800)

        def listed(start) -> None:
            loop = QEventLoop()
            page.listing_finished.connect(loop.quit)
            start()
            loop.exec()
            page.listing_finished.disconnect(loop.quit)
            assert page.model.rowCount() == count and not page.listing

        listed(page.show)  # showing the page lists its folders once

        def gui() -> None:
            listed(page.refresh)

        def service_cold() -> None:
            service.clear_cache()
            assert len(service.list_library([library])) == count

        def gui_cold() -> None:
            service.clear_cache()
            gui()

        rows: dict[str, list[float]] = {k: [] for k in (
            "raw", "storage", "service first run", "service refresh", "GUI first run", "GUI refresh")}
        raw(library)  # warm the file system cache for all alike
        for _ in range(runs):
            rows["raw"].append(timed(lambda: raw(library)))
            rows["storage"].append(timed(lambda: storage(library)))
            rows["service first run"].append(timed(service_cold))
            rows["service refresh"].append(timed(lambda: service.list_library([library])))
            rows["GUI first run"].append(timed(gui_cold))
            rows["GUI refresh"].append(timed(gui))
        page.close()
        page.deleteLater()
        app.processEvents()
    median = {k: statistics.median(v) for k, v in rows.items()}
    print(f"library of {count:,} files, median of {runs} interleaved runs")
    for name, value in median.items():
        print(f"  {name:<20} {value:7.3f} s")
    print(f"  service / raw          {median['service first run'] / median['raw']:.2f}x  (goal <= 1.2x)")
    print(f"  storage / raw          {median['storage'] / median['raw']:.2f}x  "
          "(the header check and the judgements decoded)")
    print(f"  refresh, no change     {median['service refresh']:.3f} s  (goal <= 0.3 s)")
    print(f"  GUI / service, first   {median['GUI first run'] / median['service first run']:.2f}x"
          "  (goal <= 1.1x)")
    print(f"  GUI / service, refresh {median['GUI refresh'] / median['service refresh']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
