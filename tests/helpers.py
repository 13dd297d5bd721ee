"""Helpers shared by tests (plain functions and constants; fixtures live in conftest.py,
helpers that drive Qt widgets in tests/ui/helpers.py).

No test module imports from another test module: anything two of them need is here.

``all_evidence`` and ``set_details`` stand in for two service functions that only
tests used (``evidence.list_all_evidence`` and ``assessments.update_details``):
the app has no such feature, so the code lives with the tests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import io
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from scrutiny_desktop.checklist import load_template
from scrutiny_desktop.errors import DocumentCorrupt, InvalidInput
from scrutiny_desktop.report import signing
from scrutiny_desktop.services import answers, assessments, recommendations, review
from scrutiny_desktop.services.assessments import NewAssessment, create_assessment, open_assessment
from scrutiny_desktop.services.common import clean, record, required_text
from scrutiny_desktop.services.compare import compare
from scrutiny_desktop.services.evidence import EvidenceView
from scrutiny_desktop.services.fingerprint import content_fingerprint
from scrutiny_desktop.services.permissions import EDIT_ANSWERS, require
from scrutiny_desktop.services.recommendations import RecommendationInput
from scrutiny_desktop.storage import fileformat
from scrutiny_desktop.storage.models import AuditEntry
from tests.fixtures import badfiles

# -- places ------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: A three-question template (two required) used by the CLI, checklist and UI tests.
MINI = FIXTURES / "mini.toml"


# -- documents ---------------------------------------------------------------------------

NORTHSHIRE = "Northshire Safeguarding Children Partnership"
WESTVALE = "Westvale Safeguarding Children Partnership"
STATEMENT = "I confirm that this assessment is my independent judgement."

#: The details of the shared documents (``pristine``, ``details`` and those made from them).
NORTHSHIRE_DETAILS = NewAssessment(NORTHSHIRE, "2025-26", "Ann Jones", area="Northshire",
                                   scrutineer_role="Independent scrutineer")

#: The details ``set_details`` may change, and how a blank one is named (None: may be blank).
DETAILS = {
    "partnership": "The partnership",
    "area": None,
    "period": "The period covered",
    "scrutineer_name": "The scrutineer's name",
    "scrutineer_role": None,
}


def all_evidence(doc) -> list[EvidenceView]:
    """Every evidence item in the document, in checklist order."""
    return [e for qid in assessments.question_ids(doc)
            for e in answers.get_answer(doc, qid).evidence]


def set_details(doc, **changes: str) -> None:
    """Change an assessment's details as the app would (a draft only; one audit row per
    changed detail, action ``assessment.updated``)."""
    unknown = set(changes) - set(DETAILS)
    if unknown:
        raise InvalidInput(f"Unknown detail: {', '.join(sorted(unknown))}.")
    with doc.write() as session:
        a = require(doc, EDIT_ANSWERS, session)
        for name, value in changes.items():
            label = DETAILS[name]
            value = required_text(value, label) if label else clean(value)
            old = getattr(a, name)
            if old != value:
                setattr(a, name, value)
                record(doc, session, "assessment.updated", name, old, value)


def answer_all(doc, value: str = "strong") -> None:
    """Give every question on the open document's checklist the same judgement."""
    for qid in assessments.question_ids(doc):
        answers.set_judgement(doc, qid, value)


def answer_all_in(path: Path, value: str = "strong") -> None:
    """``answer_all`` on the document at ``path`` (about a second for the full checklist)."""
    with open_assessment(path) as doc:
        answer_all(doc, value)


def trace_connections(monkeypatch, owner, statements: list[str], name: str = "connect") -> None:
    """Replace ``owner.<name>`` (a function that makes a connection) with one whose
    connections append every statement they run to ``statements``."""
    real = getattr(owner, name)

    def traced(*args, **kwargs):
        conn = real(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(owner, name, traced)


def copy_document(source: Path, folder: Path, name: str = "doc.scrutiny") -> Path:
    """A copy of the document ``source`` in ``folder`` (tests change copies, never sources)."""
    target = Path(folder) / name
    shutil.copyfile(source, target)
    return target


def audit_rows(doc) -> list[AuditEntry]:
    """Every audit row of the open document, oldest first."""
    with doc.read() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def raw_update(path: Path, sql: str, *params) -> None:
    """Change exactly one row behind the app's back, as with the sqlite3 shell."""
    with contextlib.closing(sqlite3.connect(str(path), isolation_level=None)) as conn:
        assert conn.execute(sql, params).rowcount == 1


def tamper(path: Path, *sql: str) -> None:
    """Change the file behind the app's back, as someone with the sqlite3 shell could:
    the triggers that guard the audit log are dropped, each statement runs, and the
    triggers are put back as they were (``tamper_raw`` leaves them out)."""
    tamper_raw(path, *sql, restore_triggers=True)


def tamper_raw(path: Path, *sql: str, restore_triggers: bool = False) -> None:
    from scrutiny_desktop.storage.models import AUDIT_TRIGGERS

    with contextlib.closing(sqlite3.connect(str(path), isolation_level=None)) as conn:
        conn.execute("DROP TRIGGER IF EXISTS audit_entries_no_update")
        conn.execute("DROP TRIGGER IF EXISTS audit_entries_no_delete")
        for statement in sql:
            conn.execute(statement)
        if restore_triggers:
            for ddl in AUDIT_TRIGGERS:
                conn.execute(ddl)


def make_signed(path: Path) -> str:
    """Answer every question 'reasonable', add two recommendations and sign off (ready
    for a chair's review); returns the content fingerprint at sign-off."""
    with open_assessment(path) as doc:
        ids = assessments.question_ids(doc)
        for qid in ids:
            answers.set_judgement(doc, qid, "reasonable")
        recommendations.add_recommendation(doc, ids[0],
                                           RecommendationInput("Publish the plan", "partnership"))
        recommendations.add_recommendation(doc, ids[1], RecommendationInput("Train staff", "health"))
        signing.sign_off(doc, identity=scrutineer_id(),
                         name="Ann Jones", role="Scrutineer", statement="I confirm.",
                         confirmed=True)
        return content_fingerprint(doc)


# -- the command line --------------------------------------------------------------------

def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """Run the command line in this process: (exit code, stdout, stderr).  Whatever the
    outcome, nothing it prints is a traceback."""
    from scrutiny_desktop.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out and "Traceback" not in err
    return code, out, err


def one_error_line(err: str, out: str = "") -> str:
    """Exactly one stderr line, starting 'error:', and no traceback anywhere; returns it."""
    lines = err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: "), lines
    assert "Traceback" not in err and "Traceback" not in out
    return lines[0]


def cli_error(capsys, *argv) -> str:
    """Run a command that must fail: exit 1 and one ``error:`` line, which is returned."""
    code, out, err = run_cli(capsys, *argv)
    assert code == 1, (code, out, err)
    return one_error_line(err, out)


# -- other programs, crashes and refusals ------------------------------------------------

@contextlib.contextmanager
def live_writer(path: Path, statement: str) -> Iterator[subprocess.Popen]:
    """Another process in the middle of a write transaction on ``path``: it has run
    ``statement`` and holds SQLite's write lock until the block ends (then it rolls back
    and exits), unless the block kills it first."""
    script = ("import sqlite3, sys\n"
              f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
              "c.execute('BEGIN IMMEDIATE')\n"
              f"c.execute({statement!r})\n"
              "print('writing', flush=True)\n"
              "sys.stdin.read()\n"
              "c.execute('ROLLBACK')\n")
    with subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as writer:
        assert writer.stdout.readline().strip() == "writing"
        try:
            yield writer
        finally:
            writer.stdin.close()
            writer.wait(timeout=30)


def crash_during(path: Path, *statements: str, cache_size: int = 2) -> None:
    """A child process runs the statements in one write transaction and dies (os._exit)
    before committing or rolling back, as a kill -9 would leave it."""
    script = ("import sqlite3, os\n"
              f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
              f"c.execute('PRAGMA cache_size = {cache_size}')\n"
              "c.execute('BEGIN IMMEDIATE')\n"
              + "".join(f"c.execute({s!r})\n" for s in statements)
              + "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


#: The findings ``with_committed_edit`` saves; a crash afterwards must not lose them.
KEPT = "Committed before the crash."


def with_committed_edit(path: Path) -> Path:
    with open_assessment(path) as doc:
        answers.set_findings(doc, "ARR-01", KEPT)
    return path


def make_crashed_growing_save(path: Path) -> Path:
    """The state a kill -9 leaves in the middle of a commit that grows the file: a valid
    hot journal, and page 1 already rewritten with the new page count while the file is
    not yet that long (so the header says "cut short" until SQLite rolls back)."""
    with_committed_edit(path)
    crash_during(path, "UPDATE answers SET findings = hex(randomblob(20000))")
    journal = fileformat.journal_path(path)
    assert journal.read_bytes()[:8] == bytes.fromhex("d9d505f920a163d7"), "a valid hot journal"
    with open(path, "r+b") as fh:
        head = bytearray(fh.read(100))
        (page_size,) = struct.unpack(">H", head[16:18])
        change_counter, _pages = struct.unpack(">II", head[24:32])
        size = os.path.getsize(path)
        head[24:32] = struct.pack(">II", change_counter + 1, size // page_size + 40)
        head[92:96] = struct.pack(">I", change_counter + 1)
        fh.seek(0)
        fh.write(head)
    with pytest.raises(DocumentCorrupt, match="cut short"):
        fileformat.read_header(path)  # what the old order of checks refused for good
    return path


def refuse_to_open(monkeypatch, path: Path) -> None:
    """``os.open`` of ``path`` fails with "Permission denied" (the tests run as root,
    who may read anything, so the refusal is simulated)."""
    real_open = os.open

    def refusing(name, flags, *args, **kwargs):
        if os.fspath(name) == str(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(name, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing)


def fail_first_calls(monkeypatch, owner, name: str, times: int, error) -> dict[str, int]:
    """``owner.name`` raises ``error(doc)`` (``doc``: its first argument) on its next
    ``times`` calls, then works again; ``left["n"]`` counts the failures still to come."""
    real = getattr(owner, name)
    left = {"n": times}

    def flaky(doc, *args, **kwargs):
        if left["n"]:
            left["n"] -= 1
            raise error(doc)
        return real(doc, *args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    return left


def patch_open(monkeypatch, replacement) -> None:
    """Every ``open``/``io.open`` call goes through ``replacement(file, mode, ...)``; the
    app writes through either name, so both are replaced."""
    import builtins

    monkeypatch.setattr(io, "open", replacement)
    monkeypatch.setattr(builtins, "open", replacement)


NO_SPACE = "there is no space left on the disk holding {folder}. Free some space or choose another folder."
DENIED = "you do not have permission to write in {folder}. Choose a folder you can write to."


class FillingFile:
    """A file object on a disk with ``room`` bytes free (see the ``full_disk`` fixture)."""

    def __init__(self, fh, room: int):
        self._fh, self._room = fh, room

    def write(self, data) -> int:
        if len(data) > self._room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self._room -= len(data)
        return self._fh.write(data)

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()


# -- reading PDFs back ---------------------------------------------------------------------

def tool(name: str) -> str:
    """The path of a command-line tool the PDF tests need; a missing one fails the test
    (CI installs them) rather than skipping it."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; the PDF tests need it (poppler-utils / qpdf).")
    return found


def pdftotext_pages(path: Path) -> list[str]:
    """Each page's text as pdftotext sees it (UTF-8, reading order)."""
    out = subprocess.run([tool("pdftotext"), "-enc", "UTF-8", str(path), "-"],
                         check=True, capture_output=True).stdout.decode("utf-8")
    pages = out.split("\f")
    assert pages[-1].strip() == ""
    return pages[:-1]


def qpdf_check(path: Path) -> None:
    result = subprocess.run([tool("qpdf"), "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def squash(text: str) -> str:
    return " ".join(text.split())


# -- two assessments to compare (issue 6, item 5) ----------------------------------------

MINI_HEAD = """
format = 1
id = "mini"
version = "{version}"
title = "Mini checklist"
description = "A tiny template used by the comparison tests."

[scale]
allow_not_applicable = true

[[scale.points]]
value = "yes"
label = "Yes"

[[scale.points]]
value = "partly"
label = "Partly"

[[scale.points]]
value = "no"
label = "No"

[[scale.points]]
value = "pending"
label = "Not yet"
answered = false
"""

#: Version 0.1: Q1, Q2 in section one; Q3 in section two.
MINI_V1 = MINI_HEAD.format(version="0.1") + """
[[sections]]
id = "s1"
title = "Section one"

[[sections.questions]]
id = "Q1"
text = "First question?"

[[sections.questions]]
id = "Q2"
text = "Is the second question worded like this?"

[[sections]]
id = "s2"
title = "Section two"

[[sections.questions]]
id = "Q3"
text = "Third question, later removed?"
"""

#: Version 0.2: Q1 unchanged, Q2 reworded, Q3 removed, Q4 new.
MINI_V2 = MINI_HEAD.format(version="0.2") + """
[[sections]]
id = "s1"
title = "Section one"

[[sections.questions]]
id = "Q1"
text = "First   question?"

[[sections.questions]]
id = "Q2"
text = "Is the second question now worded differently?"

[[sections]]
id = "s3"
title = "Section three"

[[sections.questions]]
id = "Q4"
text = "A brand new fourth question?"
"""

#: Nothing in common with the mini checklist.
OTHER = MINI_HEAD.format(version="9").replace('id = "mini"', 'id = "other"') + """
[[sections]]
id = "x"
title = "Something else"

[[sections.questions]]
id = "X1"
text = "An unrelated question?"
"""


def write_template(folder: Path, name: str, text: str):
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return load_template(path)


def legacy_template():
    """The 1.0.0 checklist, bundled as ``cis-2024``: the tests written against its
    question ids and scale use it (the bundled ``cis`` is 2.0.0; see
    tests/test_checklist_2026.py)."""
    from scrutiny_desktop import paths

    return load_template(paths.bundled_checklists_dir() / "cis-2024.toml")


def make_doc(path: Path, template=None, *, period: str, partnership: str = NORTHSHIRE,
             scrutineer: str = "Ann Jones", judgements: dict[str, str | None] | None = None,
             findings: dict[str, str] | None = None) -> Path:
    """A draft document with these judgements and findings, built through the services."""
    create_assessment(path, template or legacy_template(),
                      NewAssessment(partnership, period, scrutineer, area="Northshire"))
    with open_assessment(path) as doc:
        for qid, value in (judgements or {}).items():
            answers.set_judgement(doc, qid, value)
        for qid, text in (findings or {}).items():
            answers.set_findings(doc, qid, text)
    return path


#: Earlier and later judgements on the bundled checklist (best first: strong,
#: reasonable, limited, none), with the change each pair must be classed as.
CIS_CASES = {
    "ARR-01": ("limited", "strong", "improved"),
    "ARR-02": ("strong", "reasonable", "worse"),
    "ARR-03": ("reasonable", "reasonable", "same"),
    "ARR-04": ("none", "limited", "improved"),
    "LEAD-01": ("none", "not_applicable", "changed"),
    "LEAD-02": (None, "strong", "changed"),
    "LEAD-03": ("strong", "not_yet", "changed"),
    "LEAD-04": ("reasonable", "none", "worse"),
}


def cis_pair(folder: Path, *, findings: bool = True) -> tuple[Path, Path]:
    """Last year's and this year's assessment for one partnership (CIS checklist)."""
    earlier = make_doc(folder / "2024-25.scrutiny", period="2024-25",
                       judgements={q: e for q, (e, _l, _c) in CIS_CASES.items() if e},
                       findings={"ARR-01": "The arrangements were not published.",
                                 "ARR-02": "Strong challenge in the minutes."} if findings else None)
    later = make_doc(folder / "2025-26.scrutiny", period="2025-26",
                     judgements={q: v for q, (_e, v, _c) in CIS_CASES.items()},
                     findings={"ARR-01": "Published in June 2025.",
                               "LEAD-02": "Leaders now attend every meeting."} if findings else None)
    return earlier, later


def mini_pair(folder: Path) -> tuple[Path, Path]:
    """Two documents made from two versions of a small checklist that share Q1 and Q2."""
    v1 = write_template(folder, "mini-v1", MINI_V1)
    v2 = write_template(folder, "mini-v2", MINI_V2)
    earlier = make_doc(folder / "mini-2024.scrutiny", v1, period="2024-25",
                       judgements={"Q1": "yes", "Q2": "no", "Q3": "partly"},
                       findings={"Q2": "Old findings for Q2.", "Q3": "Findings of a removed question."})
    later = make_doc(folder / "mini-2025.scrutiny", v2, period="2025-26",
                     judgements={"Q1": "partly", "Q2": "yes", "Q4": "yes"},
                     findings={"Q2": "New findings for Q2.", "Q4": "Findings of a new question."})
    return earlier, later


def compare_files(earlier: Path, later: Path):
    """The comparison of two documents, both opened read-only."""
    with open_assessment(earlier, readonly=True) as e, open_assessment(later, readonly=True) as lt:
        return compare(e, lt)


# -- a library of documents (issue 6, item 1) ----------------------------------------------

def make_document(path: Path, *, partnership: str = NORTHSHIRE, period: str = "2025-26",
                  scrutineer: str = "Ann Jones", area: str | None = None,
                  template=None, base: Path | None = None,
                  judgements: dict[str, str] | None = None,
                  findings: dict[str, str] | None = None,
                  recommendation: str = "", sign: bool = False, countersign: bool = False) -> Path:
    """A document built through the services.

    ``base`` (a fully answered draft of the same template) is copied instead
    of creating a new one, which makes a signable document quickly; its
    details are then changed to these.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    area = partnership.split()[0] if area is None else area
    if base is not None:
        shutil.copyfile(base, path)
        with open_assessment(path) as doc:
            set_details(doc, partnership=partnership, period=period,
                        scrutineer_name=scrutineer, area=area)
    else:
        create_assessment(path, template or legacy_template(),
                          NewAssessment(partnership, period, scrutineer, area=area,
                                        scrutineer_role="Independent scrutineer"))
    with open_assessment(path, actor=scrutineer) as doc:
        for qid, value in (judgements or {}).items():
            answers.set_judgement(doc, qid, value)
        for qid, text in (findings or {}).items():
            answers.set_findings(doc, qid, text)
        if recommendation:
            first = assessments.question_ids(doc)[0]
            recommendations.add_recommendation(doc, first, RecommendationInput(recommendation))
        if sign or countersign:
            signing.sign_off(doc, identity=scrutineer_id(), name=scrutineer, role="Independent scrutineer",
                             statement=STATEMENT, confirmed=True)
        if countersign:
            review.set_overall_response(doc, "The partnership accepts the findings.")
            for r in recommendations.list_recommendations(doc):
                review.set_response(doc, r.id, decision="accepted", action_owner="Business manager")
            signing.countersign(doc, identity=chair_id(),
                                name="Chris Chair", role="Chair", statement="Reviewed.",
                                confirmed=True)
    return path


def set_signed_at(path: Path, when: dt.datetime, table: str = "signoffs") -> None:
    """Backdate a sign-off (test set-up only, behind the app's back)."""
    with contextlib.closing(sqlite3.connect(str(path), isolation_level=None)) as conn:
        conn.execute(f"UPDATE {table} SET signed_at = ?", (when.isoformat(),))


def tree_snapshot(folder: Path) -> dict[str, tuple]:
    """Every file's SHA-256, size, mtime and mode, and every folder's entries and
    mtime (a journal or lock file created and deleted again changes a folder's mtime)."""
    out: dict[str, tuple] = {}
    for root, dirs, files in os.walk(folder):
        st = os.stat(root)
        out[root] = ("dir", tuple(sorted(dirs + files)), st.st_mtime_ns)
        for name in files:
            p = Path(root) / name
            st = p.stat()
            out[str(p)] = ("file", hashlib.sha256(p.read_bytes()).hexdigest(), st.st_size,
                           st.st_mtime_ns, st.st_mode)
    return out


def build_library(folder: Path, base: Path, *, broken: bool = True) -> dict[str, Path]:
    """A shared folder as a chair might find it: two periods of one partnership
    (signed off, then reviewed), another partnership's draft, a draft with a
    few answers, and (with ``broken``) some files that cannot be read.

    ``base`` is a fully answered draft (the ``answered`` fixture)."""
    docs = {
        "north_2024": make_document(folder / "Northshire" / "2024-25.scrutiny", period="2024-25",
                                    base=base, sign=True),
        "north_2025": make_document(folder / "Northshire" / "2025-26" / "final.scrutiny",
                                    period="2025-26", scrutineer="Bea Khan", base=base,
                                    recommendation="Publish the scrutiny plan.", countersign=True),
        "west_2025": make_document(folder / "Westvale-2025-26.scrutiny", partnership=WESTVALE,
                                   period="2025-26", scrutineer="Cy Evans",
                                   judgements={"ARR-01": "strong", "ARR-02": "limited",
                                               "ARR-03": "not_yet"}),
    }
    set_signed_at(docs["north_2024"], dt.datetime(2025, 5, 9, 12, 0, tzinfo=dt.UTC))
    (folder / "notes.txt").write_text("Not an assessment.\n", encoding="utf-8")
    if broken:
        bad = folder / "Problems"
        bad.mkdir()
        docs["empty"] = badfiles.make_empty(bad, base)
        docs["png"] = badfiles.make_png(bad, base)
    return docs


def make_many(folder: Path, source: Path, count: int) -> list[Path]:
    """``count`` copies of one document, spread over ten subfolders."""
    out = []
    for n in range(count):
        sub = folder / f"team-{n % 10:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        out.append(Path(shutil.copyfile(source, sub / f"assessment-{n:03d}.scrutiny")))
    return out


# -- signing identities ---------------------------------------------------------------

_IDENTITIES: dict[str, object] = {}
_IDENTITY_DIR: list = []
PASSPHRASE = b"correct horse battery staple"


def identity_for(name: str = "Ann Jones", email: str = ""):
    """A throwaway signing identity (self-signed RSA key in a temporary .p12), made once
    per test session for each name: key generation costs ~100 ms."""
    import tempfile

    from scrutiny_desktop.services.identity import create_identity

    key = f"{name}\n{email}"
    if key not in _IDENTITIES:
        if not _IDENTITY_DIR:
            _IDENTITY_DIR.append(tempfile.TemporaryDirectory(prefix="scrutiny-ids-"))
        folder = Path(_IDENTITY_DIR[0].name)
        path = folder / f"id{len(_IDENTITIES)}.p12"
        _IDENTITIES[key] = create_identity(path, name=name, email=email, passphrase=PASSPHRASE)
        _IDENTITIES[key + "\npath"] = path
    return _IDENTITIES[key]


def identity_path(name: str = "Ann Jones", email: str = "") -> Path:
    """The .p12 file of ``identity_for(name)`` (passphrase ``PASSPHRASE``)."""
    identity_for(name, email)
    return _IDENTITIES[f"{name}\n{email}\npath"]  # type: ignore[return-value]


def scrutineer_id():
    return identity_for("Ann Jones")


def chair_id():
    return identity_for("Chris Chair")


def export_pdf(doc, out: Path) -> Path:
    """The PDF an export of ``doc`` writes (a signed one exactly as signed)."""
    return signing.export_pdf(doc, out)


#: A small format-2 checklist that asks for a direction of travel.  Q1 is required
#: (so "Not applicable" is not offered), Q2 optional (so it is).
DIRECTED_TEMPLATE = """
format = 2
id = "mini-directed"
version = "2.0"
title = "Mini checklist with directions"
description = "A tiny format-2 template used by the direction-of-travel tests."
directions = true

[scale]
allow_not_applicable = true

[[scale.points]]
value = "yes"
label = "Yes"

[[scale.points]]
value = "no"
label = "No"

[[sections]]
id = "s1"
title = "Section one"

[[sections.questions]]
id = "Q1"
text = "First question?"

[[sections.questions]]
id = "Q2"
text = "Second question?"
required = false
"""

#: The same, but without directions (and format 1).
UNDIRECTED_TEMPLATE = (DIRECTED_TEMPLATE.replace("format = 2", "format = 1")
                       .replace("directions = true\n", "")
                       .replace('id = "mini-directed"', 'id = "mini-plain"'))
