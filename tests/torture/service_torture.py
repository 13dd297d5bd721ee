"""Kill a process that is saving through the services with SIGKILL, and count the harm.

Each trial starts a child process that opens a document exactly as the app does
(``open_assessment(..., lock=True)``) and edits it in a loop through the services:

* findings of growing size (20-200 KB of text, so saves grow the file),
* judgements,
* evidence with an attached file (100-400 KB, so attachment writes are covered),
* recommendations.

Before each call it writes an *intent* line to a side log and after the call returns a
*done* line (each fsync'd), so the log says exactly what was committed.  The parent
kills the child with SIGKILL at a random moment 10-400 ms after it reported ready,
then, in about half the trials, runs ``check`` first (read-only: it must change no
byte of the file or of anything beside it, and must not say "being changed" when no
process is alive), and then reopens the document as the app does and counts:

* harmed files: the reopen raised, opened read-only, or ``check`` failed, changed a
  byte or reported damage;
* committed edits lost: a *done* edit that is not in the document (the one edit in
  flight at the kill may or may not be there: both are correct);
* false "being changed": ``check`` said another program is changing the file although
  the child was dead and reaped.

The document carries on from trial to trial (so files recovered from a crash are
crashed again, and the killed child's lock must be cleared as stale) and starts afresh
when it passes ``--max-mb``.

Run: ``python tests/torture/service_torture.py --trials 200`` (``make torture``).
The child is forked from this process after the imports (fast); ``--spawn`` starts a
fresh interpreter per trial instead (closer to the app, about twice as slow).
``--encrypted`` runs every trial on an encrypted document (SQLCipher, its passphrase
given to every open and to ``check``): its journal holds encrypted pages, recovered
with the key.
Prints ``trials: N  harmed files: X  committed edits lost: Y  false 'being changed': Z``
and exits 1 if any of those counts is not zero.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

JUDGEMENTS = ("strong", "reasonable", "limited", "none", "not_yet")
WORDS = ("partnership", "evidence", "threshold", "practitioners", "minutes", "decision",
         "scrutiny", "learning", "children", "families", "review", "plan")


#: The passphrase of the document with ``--encrypted`` (set in the environment, so that
#: forked and spawned children both see it).
ENCRYPTED_ENV = "SCRUTINY_TORTURE_ENCRYPTED"
PASSPHRASE = "torture 'test' passphrase ☂"


def passphrase() -> str | None:
    return PASSPHRASE if os.environ.get(ENCRYPTED_ENV) == "1" else None


def sha(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


# -- the child: edits in a loop until it is killed -----------------------------------------

def child(doc_path: Path, log_path: Path, seed: int, ready_fd: int, work: Path) -> None:
    """Open the document as the app does and edit it for ever, logging each commit."""
    from scrutiny_desktop.services import answers, assessments, evidence, recommendations

    rng = random.Random(seed)
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def note(line: str) -> None:
        os.write(log, (line + "\n").encode("utf-8"))
        os.fsync(log)

    try:
        doc = assessments.open_assessment(doc_path, actor="torture", lock=True,
                                          passphrase=passphrase())
        if doc.readonly:
            raise RuntimeError(f"opened read-only: {doc.readonly_reason}")
        ids = assessments.question_ids(doc)
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        os.write(ready_fd, f"error {type(exc).__name__}: {exc}\n".encode("utf-8", "replace"))
        os._exit(3)
    os.write(ready_fd, b"ready\n")
    n = 0
    while True:
        n += 1
        qid = rng.choice(ids)
        kind = rng.choices(("findings", "judgement", "evidence", "recommendation"),
                           weights=(5, 3, 2, 2))[0]
        if kind == "findings":
            size = rng.randint(20_000, 200_000)
            words = " ".join(rng.choice(WORDS) for _ in range(size // 8))
            text = f"Findings {n}: {words}"[:size]
            note(json.dumps(["intent", kind, qid, sha(text)]))
            answers.set_findings(doc, qid, text)
            note(json.dumps(["done", kind, qid, sha(text)]))
        elif kind == "judgement":
            value = rng.choice(JUDGEMENTS)
            note(json.dumps(["intent", kind, qid, value]))
            answers.set_judgement(doc, qid, value)
            note(json.dumps(["done", kind, qid, value]))
        elif kind == "evidence":
            data = rng.randbytes(rng.randint(100_000, 400_000))
            attachment = work / f"attachment-{n}.bin"
            attachment.write_bytes(data)
            title = f"Evidence {seed}-{n}"
            note(json.dumps(["intent", kind, qid, title, sha(data)]))
            evidence.add_evidence(doc, qid, evidence.EvidenceInput(title), attach=attachment)
            note(json.dumps(["done", kind, qid, title, sha(data)]))
            attachment.unlink()
        else:
            text = f"Recommendation {seed}-{n}: publish the {rng.choice(WORDS)} plan."
            note(json.dumps(["intent", kind, qid, text]))
            recommendations.add_recommendation(doc, qid, recommendations.RecommendationInput(text))
            note(json.dumps(["done", kind, qid, text]))


# -- the parent ------------------------------------------------------------------------

def make_document(path: Path) -> None:
    from scrutiny_desktop.checklist import bundled_template
    from scrutiny_desktop.services.assessments import NewAssessment, create_assessment

    create_assessment(path, bundled_template(), NewAssessment(
        partnership="Northshire Safeguarding Children Partnership", period="2025-26",
        scrutineer_name="Torture Test", scrutineer_role="Independent scrutineer"),
        passphrase=passphrase())


def read_log(log: Path) -> list[list[str]]:
    entries = []
    if log.exists():
        for line in log.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError):
                entries.append(json.loads(line))
    return entries


def start_child(spawn: bool, doc: Path, log: Path, seed: int, work: Path):
    """(kill function, pid, read end of the ready pipe)."""
    read_fd, write_fd = os.pipe()
    if spawn:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", str(doc), str(log), str(seed), str(write_fd),
             str(work)], pass_fds=(write_fd,), env=dict(os.environ, PYTHONPATH=str(ROOT)))
        os.close(write_fd)
        return proc, proc.pid, read_fd
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        try:
            os.close(read_fd)
            child(doc, log, seed, write_fd, work)
        finally:
            os._exit(4)
    os.close(write_fd)
    return None, pid, read_fd


def wait_ready(read_fd: int, timeout: float) -> str:
    got = b""
    deadline = time.monotonic() + timeout
    while b"\n" not in got and time.monotonic() < deadline:
        ready, _w, _x = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(read_fd, 4096)
        if not chunk:
            break
        got += chunk
    return got.decode("utf-8", "replace").strip() or "no answer"


def files_beside(doc: Path) -> dict[str, bytes]:
    """The document and everything SQLite keeps beside it (not the editing lock)."""
    out = {}
    for suffix in ("", "-journal", "-wal", "-shm"):
        p = doc.with_name(doc.name + suffix)
        if p.exists():
            out[suffix or "file"] = p.read_bytes()
    return out


def run_check(doc: Path) -> tuple[int, str]:
    from scrutiny_desktop.cli import main

    extra = []
    if passphrase() is not None:
        key_file = doc.with_name("passphrase.txt")
        key_file.write_text(PASSPHRASE + "\n", encoding="utf-8")
        extra = ["--passphrase-file", str(key_file)]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", str(doc), *extra])
    return code, out.getvalue() + err.getvalue()


def verify(doc: Path, entries: list[list[str]]) -> tuple[str, int]:
    """(why the file is harmed or "", committed edits lost) after a kill."""
    from sqlalchemy import select as sql_select

    from scrutiny_desktop.services import answers, assessments, evidence
    from scrutiny_desktop.storage.models import Attachment, EvidenceItem, Recommendation

    try:
        opened = assessments.open_assessment(doc, actor="torture", lock=True,
                                             passphrase=passphrase())
    except Exception as exc:  # noqa: BLE001 - any refusal is a harmed file
        return f"refused on reopen: {type(exc).__name__}: {exc}", 0
    lost = 0
    with opened as d:
        if d.readonly:
            return f"reopened read-only: {d.readonly_reason}", 0
        in_flight = entries[-1] if entries and entries[-1][0] == "intent" else None
        last: dict[tuple[str, str], str] = {}
        added: list[list[str]] = []
        for entry in entries:
            if entry[0] != "done":
                continue
            if entry[1] in ("findings", "judgement"):
                last[(entry[1], entry[2])] = entry[3]
            else:
                added.append(entry)
        for (kind, qid), value in last.items():
            answer = answers.get_answer(d, qid)
            stored = sha(answer.findings) if kind == "findings" else answer.judgement
            allowed = {value}
            if in_flight and in_flight[1] == kind and in_flight[2] == qid:
                allowed.add(in_flight[3])
            if stored not in allowed:
                lost += 1
        with d.read() as session:
            titles = {t: a for t, a in session.execute(
                sql_select(EvidenceItem.title, EvidenceItem.attachment_id))}
            texts = set(session.scalars(sql_select(Recommendation.text)))
            digests = dict(session.execute(sql_select(Attachment.id, Attachment.sha256)).all())
        for entry in added:
            if entry[1] == "evidence":
                att = titles.get(entry[3])
                if att is None or digests.get(att) != entry[4]:
                    lost += 1
            elif entry[2:] and entry[3] not in texts:
                lost += 1
        # Every attachment's bytes read back and match their SHA-256 (integrity did too).
        for att_id, digest in digests.items():
            _view, content = evidence.attachment_content(d, att_id)
            if sha(content) != digest:
                return f"attachment {att_id} does not match its SHA-256", lost
    return "", lost


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--min-ms", type=int, default=10)
    parser.add_argument("--max-ms", type=int, default=400)
    parser.add_argument("--max-mb", type=float, default=12.0,
                        help="start a fresh document when it grows past this size")
    parser.add_argument("--check-share", type=float, default=0.5,
                        help="share of trials that run check before reopening")
    parser.add_argument("--spawn", action="store_true",
                        help="start a new interpreter per trial instead of forking")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp)")
    parser.add_argument("--keep", action="store_true", help="keep harmed documents for study")
    parser.add_argument("--encrypted", action="store_true",
                        help="torture an encrypted document (SQLCipher) instead of a plain one")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        doc, log, seed, fd, work = args.child
        child(Path(doc), Path(log), int(seed), int(fd), Path(work))
        return 0

    if args.encrypted:
        os.environ[ENCRYPTED_ENV] = "1"
    import scrutiny_desktop.cli  # noqa: F401 - imported before forking: children start fast
    from scrutiny_desktop.services import answers, assessments, evidence, recommendations  # noqa: F401

    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="scrutiny-torture-", dir=args.dir))
    base = folder / "base.scrutiny"
    make_document(base)
    doc = folder / "torture.scrutiny"
    log = folder / "committed.log"
    work = folder / "attachments"
    work.mkdir()
    from scrutiny_desktop.errors import DocumentCorrupt
    from scrutiny_desktop.storage.fileformat import HOT_JOURNAL, probe, read_header

    harmed = lost = false_busy = killed_editing = checks = hot = cut_short = 0
    notes: list[str] = []
    started = time.monotonic()
    for trial in range(1, args.trials + 1):
        if not doc.exists() or doc.stat().st_size > args.max_mb * 1024 * 1024:
            for p in folder.glob(doc.name + "*"):
                p.unlink()
            shutil.copyfile(base, doc)
        with contextlib.suppress(FileNotFoundError):
            log.unlink()
        proc, pid, ready_fd = start_child(args.spawn, doc, log, rng.randrange(1 << 30), work)
        state = wait_ready(ready_fd, 60)
        os.close(ready_fd)
        if state == "ready":
            time.sleep(rng.uniform(args.min_ms, args.max_ms) / 1000)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        if proc is not None:
            proc.wait()
        else:
            os.waitpid(pid, 0)
        for leftover in work.iterdir():
            leftover.unlink()
        entries = read_log(log)
        problem = "" if state == "ready" else f"the child could not open it: {state}"
        found = probe(doc, passphrase=passphrase())
        hot += found == HOT_JOURNAL
        if found == HOT_JOURNAL and passphrase() is None:  # (an encrypted header is unreadable)
            try:
                read_header(doc)
            except DocumentCorrupt:
                cut_short += 1  # what the old order of checks refused for good
        killed_editing += any(e[0] == "done" for e in entries)
        if not problem and rng.random() < args.check_share:
            checks += 1
            before = files_beside(doc)
            code, said = run_check(doc)
            if "being changed" in said:
                false_busy += 1
                problem = f"check said it is being changed: {said.strip()[-300:]}"
            elif code != 0:
                problem = f"check failed: {said.strip()[-300:]}"
            elif files_beside(doc) != before:
                problem = "check changed the file or what is beside it"
        trial_lost = 0
        if not problem:
            problem, trial_lost = verify(doc, entries)
        lost += trial_lost
        if problem:
            harmed += 1
            notes.append(f"trial {trial}: {problem}")
            if args.keep:
                keep = folder / f"harmed-{trial}"
                keep.mkdir()
                for p in folder.glob(doc.name + "*"):
                    shutil.copy2(p, keep / p.name)
            for p in folder.glob(doc.name + "*"):
                p.unlink()  # start the next trial from a sound file
        if trial_lost:
            notes.append(f"trial {trial}: {trial_lost} committed edit(s) lost")
        if args.verbose:
            size = doc.stat().st_size // 1024 if doc.exists() else 0
            print(f"trial {trial}: {len(entries)} log lines, {size} KB, "
                  f"{problem or 'ok'}", flush=True)
    elapsed = time.monotonic() - started
    for line in notes[:20]:
        print(line)
    kind = "encrypted document; " if args.encrypted else ""
    print(f"({kind}seed {seed}; {checks} trials ran check first; {killed_editing} killed after at "
          f"least one committed edit; {hot} left a hot journal, {cut_short} of them with the "
          f"header saying the file was cut short; {elapsed:.0f} s; work folder {folder})")
    print(f"trials: {args.trials}  harmed files: {harmed}  committed edits lost: {lost}  "
          f"false 'being changed': {false_busy}")
    if not args.keep and not (harmed or lost or false_busy):
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if (harmed or lost or false_busy) else 0


if __name__ == "__main__":
    sys.exit(main())
