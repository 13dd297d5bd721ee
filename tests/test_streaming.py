"""Attachments are streamed, never held whole in memory (issue 9, item 8).

Adding a file, exporting JSON and importing JSON move an attachment's bytes in chunks
with SQLite's incremental blob I/O, base64-encoding and -decoding them a chunk at a
time.  The memory test runs each step in a fresh Python process and reads that
process's peak resident memory (``VmHWM``): for a 49 MB attachment each step must stay
within twice the attachment plus 150 MB.  (Before: add 206 MB, export 256 MB, import
351 MB; a 300 MB attachment imported at 1.77 GB.)

Run the measurement alone, with its figures printed::

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q -s -p no:cacheprovider \\
        tests/test_streaming.py -k peak_memory
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scrutiny_desktop.errors import InvalidInput
from scrutiny_desktop.report import jsonio
from scrutiny_desktop.report.jsonio import export_json
from scrutiny_desktop.services import evidence, json_reader
from scrutiny_desktop.services.assessments import open_assessment
from scrutiny_desktop.services.transfer import ImportProblem, import_json
from tests.helpers import REPO, all_evidence

MB = 1024 * 1024
ATTACHMENT_MB = 49
BOUND_MB = 2 * ATTACHMENT_MB + 150

CHILD = r"""
import sys, time
from pathlib import Path

def peak_mb():
    import os
    if os.path.exists("/proc/self/status"):  # Linux: the high-water mark of resident memory
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    import resource  # macOS reports ru_maxrss in bytes, Linux in KiB
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024

step, folder = sys.argv[1], Path(sys.argv[2])
from scrutiny_desktop.report.jsonio import export_json
from scrutiny_desktop.services.transfer import import_json
from scrutiny_desktop.services import evidence
from scrutiny_desktop.services.assessments import open_assessment

start = time.monotonic()
if step == "add":
    with open_assessment(folder / "doc.scrutiny") as doc:
        evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("Large file"),
                              attach=folder / "large.bin")
elif step == "export":
    with open_assessment(folder / "doc.scrutiny", readonly=True) as doc:
        export_json(doc, folder / "doc.json")
elif step == "import":
    import_json(folder / "doc.json", folder / "copy.scrutiny")
print(f"{peak_mb():.0f} {time.monotonic() - start:.1f}")
"""


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(MB):
            digest.update(chunk)
    return digest.hexdigest()


def test_peak_memory_of_add_export_import_of_a_49_mb_attachment(tmp_path, new_doc_path):
    """Each step, in its own process, peaks below 2 x 49 MB + 150 MB, and the attachment
    comes through the round trip byte for byte with the same SHA-256."""
    os.replace(new_doc_path, tmp_path / "doc.scrutiny")
    large = tmp_path / "large.bin"
    with open(large, "wb") as fh:
        for _ in range(ATTACHMENT_MB):
            fh.write(os.urandom(MB))  # incompressible
    expected = _sha256_file(large)

    peaks = {}
    for step in ("add", "export", "import"):
        done = subprocess.run([sys.executable, "-c", CHILD, step, str(tmp_path)], cwd=REPO,
                              capture_output=True, text=True, timeout=300,
                              env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        assert done.returncode == 0, done.stderr
        peak, seconds = done.stdout.split()
        peaks[step] = float(peak)
        print(f"{step}: peak RSS {peak} MB in {seconds} s (bound {BOUND_MB} MB)")
    assert all(peak <= BOUND_MB for peak in peaks.values()), peaks

    with open_assessment(tmp_path / "copy.scrutiny", readonly=True) as doc:
        (item,) = all_evidence(doc)
        assert item.attachment.size == ATTACHMENT_MB * MB
        assert item.attachment.sha256 == expected
        copy = evidence.attachment_to_temp(doc, item.attachment.id)
    assert _sha256_file(copy) == expected


# -- chunk boundaries ------------------------------------------------------------------------

@pytest.fixture
def small_chunks(monkeypatch):
    """Tiny chunks everywhere, so every boundary case happens in a small file."""
    monkeypatch.setattr(evidence, "BLOB_CHUNK", 3 * 5)
    monkeypatch.setattr(json_reader, "_B64_CHUNK", 4 * 3)


@pytest.fixture
def doc_with_attachments(tmp_path, new_doc_path):
    files = {"odd.bin": bytes(range(256)) * 3 + b"x", "empty.bin": b"",
             "three.bin": b"abc", "text.txt": "Siân’s notes — Łódź\n".encode() * 7}
    with open_assessment(new_doc_path) as doc:
        for i, (name, data) in enumerate(files.items()):
            (tmp_path / name).write_bytes(data)
            evidence.add_evidence(doc, f"ARR-0{i + 1}", evidence.EvidenceInput(name),
                                  attach=tmp_path / name)
    return new_doc_path, files


def _attachments(path: Path) -> dict[str, bytes]:
    with open_assessment(path, readonly=True) as doc:
        return {e.attachment.filename: evidence.attachment_content(doc, e.attachment.id)[1]
                for e in all_evidence(doc)}


def test_streamed_export_matches_json_dumps_byte_for_byte(tmp_path, doc_with_attachments,
                                                          small_chunks):
    """The streaming writer gives exactly the bytes of json.dumps(indent=2, sort_keys)."""
    path, files = doc_with_attachments
    out = tmp_path / "streamed.json"
    with open_assessment(path, readonly=True) as doc:
        export_json(doc, out)
        in_memory = jsonio.dumps(jsonio.export_data(doc))
    assert out.read_bytes() == in_memory
    data = json.loads(out.read_bytes())
    got = {e["attachment"]["name"]: base64.b64decode(e["attachment"]["content_base64"])
           for a in data["answers"] for e in a["evidence"]}
    assert got == files


@pytest.mark.parametrize("read_chunk", [1, 2, 3, 5, 16, 1 << 20])
def test_import_reads_the_file_in_chunks_of_any_size(tmp_path, doc_with_attachments,
                                                     small_chunks, monkeypatch, read_chunk):
    """Escapes, quotes, keys and base64 split across chunk boundaries all come through."""
    path, files = doc_with_attachments
    with open_assessment(path) as doc:
        from scrutiny_desktop.services import answers

        answers.set_findings(doc, "ARR-01", 'Quotes " and \\ backslashes, "content_base64": [{')
    out = tmp_path / "export.json"
    with open_assessment(path, readonly=True) as doc:
        export_json(doc, out)
    monkeypatch.setattr(json_reader, "_READ_CHUNK", read_chunk)
    copy = import_json(out, tmp_path / f"copy-{read_chunk}.scrutiny")
    assert _attachments(copy) == files
    with open_assessment(copy, readonly=True) as doc:
        export_json(doc, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == out.read_bytes()


def test_import_of_base64_written_with_json_escapes(tmp_path, doc_with_attachments):
    """Some encoders write "/" as "\\/": still the same bytes."""
    path, files = doc_with_attachments
    with open_assessment(path, readonly=True) as doc:
        data = jsonio.export_data(doc)
    escaped = json.dumps(data).replace("/", "\\/")
    assert "\\/" in escaped
    source = tmp_path / "escaped.json"
    source.write_text(escaped, encoding="utf-8")
    assert _attachments(import_json(source, tmp_path / "copy.scrutiny")) == files


@pytest.mark.parametrize("bad", ["QUJD=QUJD", "QUJ", "QUJD\nQUJD", "QUJD!"])
def test_import_refuses_base64_that_is_broken_anywhere(tmp_path, doc_with_attachments,
                                                       small_chunks, bad):
    """Padding in the middle, a length not a multiple of 4, whitespace, other characters:
    each is refused with its JSON path, wherever it falls among the chunks."""
    path, _files = doc_with_attachments
    with open_assessment(path, readonly=True) as doc:
        data = jsonio.export_data(doc)
    att = data["answers"][0]["evidence"][0]["attachment"]
    att["content_base64"] = "QUJD" * 7 + bad
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ImportProblem, match=r"\$\.answers\[0\]\.evidence\[0\]\.attachment\."
                                            r"content_base64: not valid base64"):
        import_json(source, tmp_path / "copy.scrutiny")


def test_a_file_that_changes_while_it_is_attached_is_refused(tmp_path, new_doc_path, monkeypatch):
    """Hashed first, then streamed: different bytes the second time roll everything back."""
    source = tmp_path / "moving.txt"
    source.write_bytes(b"first version")
    measured = evidence._read_attachment(source)
    source.write_bytes(b"other version")
    monkeypatch.setattr(evidence, "_read_attachment", lambda path: measured)
    with open_assessment(new_doc_path) as doc:
        with pytest.raises(InvalidInput, match="changed while it was being copied"):
            evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("Moving"), attach=source)
        assert all_evidence(doc) == []


def test_attachment_over_the_limit_is_refused_without_reading_it(tmp_path, new_doc_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as fh:
        fh.truncate(evidence.MAX_ATTACHMENT_BYTES + 1)  # sparse: nothing to read
    with open_assessment(new_doc_path) as doc, \
            pytest.raises(InvalidInput, match="attachments can be at most 50 MB"):
        evidence.add_evidence(doc, "ARR-01", evidence.EvidenceInput("Big"), attach=big)
