"""The library's summary cache (issue 17, item 4): a refresh reads again only the files
whose stamp (size, modification time...) changed; an encrypted file is read again once
its passphrase is known; the summary is read with one query.  Reads are counted by
wrapping ``read_summary``; nothing here is timed."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest

from scrutiny_desktop.services import library
from scrutiny_desktop.storage import summary
from tests.helpers import make_many, trace_connections

PASS = "cache test passphrase"


def backdate(*paths: Path, seconds: float = 3600) -> None:
    """As files in a real library are: changed long enough ago that their stamp is
    trusted (see library.RACY_SECONDS)."""
    when = time.time() - seconds
    for p in paths:
        os.utime(p, (when, when))


@pytest.fixture
def reads(monkeypatch):
    """The paths read_summary is called with, in order."""
    seen: list[Path] = []
    real = library.read_summary

    def counting(path, **kwargs):
        seen.append(Path(path))
        return real(path, **kwargs)

    monkeypatch.setattr(library, "read_summary", counting)
    library.clear_cache()
    yield seen
    library.clear_cache()


def test_a_refresh_reads_only_the_files_that_changed(tmp_path, answered, reads):
    folder = tmp_path / "lib"
    docs = make_many(folder, answered, 20)
    backdate(*docs)
    first = library.list_library([folder])
    assert len(reads) == 20 and all(s.ok for s in first)

    reads.clear()
    again = library.list_library([folder])
    assert reads == [], "nothing changed, nothing is read"
    assert again == first

    changed = docs[7]
    with closing(sqlite3.connect(changed)) as conn, conn:
        conn.execute("UPDATE assessments SET partnership = 'Renamed Partnership'")
    backdate(changed, seconds=1800)
    reads.clear()
    third = library.list_library([folder])
    assert reads == [changed]
    by_path = {s.path: s for s in third}
    assert by_path[changed].partnership == "Renamed Partnership"
    assert all(s == first[n] for n, s in enumerate(third) if s.path != changed)


def test_a_file_changed_just_now_is_read_again(tmp_path, answered, reads):
    """A stamp is trusted only once the file is a little older than the read: two
    changes within one tick of the file system's clock may leave the same stamp."""
    folder = tmp_path / "lib"
    (fresh,) = make_many(folder, answered, 1)
    library.list_library([folder])
    library.list_library([folder])
    assert reads == [fresh, fresh]
    backdate(fresh)
    library.list_library([folder])
    library.list_library([folder])
    assert reads == [fresh, fresh, fresh]


def test_a_replaced_file_with_the_same_size_and_time_is_read_again(tmp_path, answered, reads):
    """Another copy put in its place keeping the size and modification time (as a backup
    tool may) still shows: the stamp holds the inode and change time too."""
    folder = tmp_path / "lib"
    (doc,) = make_many(folder, answered, 1)
    other = Path(shutil.copyfile(doc, tmp_path / "other.scrutiny"))
    for path, name in ((doc, "Al Ng"), (other, "Cy Obi")):  # the same change to each
        with closing(sqlite3.connect(path)) as conn, conn:
            conn.execute("UPDATE assessments SET scrutineer_name = ?", (name,))
    backdate(doc)
    assert library.list_library([folder])[0].scrutineer == "Al Ng"
    st = doc.stat()
    os.replace(other, doc)
    os.utime(doc, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert doc.stat().st_size == st.st_size

    (row,) = library.list_library([folder])
    assert reads == [doc, doc] and row.scrutineer == "Cy Obi"


def test_files_that_cannot_be_read_are_tried_again(tmp_path, answered, reads):
    folder = tmp_path / "lib"
    folder.mkdir()
    junk = folder / "junk.scrutiny"
    junk.write_bytes(b"not a document at all" * 10)
    backdate(junk)
    (row,) = library.list_library([folder])
    assert not row.ok
    library.list_library([folder])
    assert reads == [junk, junk]


def test_an_encrypted_file_is_read_again_once_its_passphrase_is_known(tmp_path, answered, reads):
    from scrutiny_desktop.services.encryption import encrypt_copy

    folder = tmp_path / "lib"
    folder.mkdir()
    enc = folder / "secret.scrutiny"
    encrypt_copy(answered, enc, PASS)
    backdate(enc)

    (locked,) = library.list_library([folder])
    (still,) = library.list_library([folder])
    assert locked.encrypted and not locked.ok and still == locked
    assert reads == [enc], "listed by name only, and kept"

    (unlocked,) = library.list_library([folder], passphrases={enc: PASS})
    assert unlocked.ok and unlocked.encrypted and unlocked.partnership
    (again,) = library.list_library([folder], passphrases={enc: PASS})
    assert again == unlocked
    assert reads == [enc, enc]

    (without,) = library.list_library([folder])
    assert not without.ok and without.encrypted, "without the passphrase: by name only"
    assert reads == [enc, enc, enc]


def test_a_cached_summary_carries_the_path_it_was_found_under(tmp_path, answered, reads):
    """The same file listed through another spelling of its folder keeps that spelling."""
    folder = tmp_path / "lib"
    (doc,) = make_many(folder, answered, 1)
    backdate(doc)
    link = tmp_path / "link"
    link.symlink_to(folder)
    (direct,) = library.list_library([folder])
    (linked,) = library.list_library([link])
    assert reads == [doc]
    assert direct.path == doc and linked.path == link / doc.relative_to(folder)


def test_the_table_batches_come_in_order_and_add_up_to_the_listing(tmp_path, answered):
    folder = tmp_path / "lib"
    make_many(folder, answered, 30)
    batches: list[list[library.DocumentSummary]] = []
    rows = library.list_library([folder], found=batches.append, cache=False)
    assert batches and [s for b in batches for s in b] == rows


def test_the_summary_is_read_with_one_query(new_doc_path, monkeypatch):
    """One statement on one read-only connection for a document of a known template."""
    statements: list[str] = []
    trace_connections(monkeypatch, summary, statements)
    first = summary.read_summary(new_doc_path)
    statements.clear()
    again = summary.read_summary(new_doc_path, known_templates={first.template_sha256})
    assert len(statements) == 1 and statements[0].startswith("SELECT")
    assert again.judgements == first.judgements and len(again.judgements) > 10


def test_a_wal_file_beside_a_document_is_part_of_its_stamp(tmp_path, new_doc_path, reads):
    """Another program switched the document to WAL mode and saved into the -wal file:
    the document itself is unchanged, the listing still sees the change."""
    folder = tmp_path / "lib"
    folder.mkdir()
    doc = Path(shutil.copyfile(new_doc_path, folder / "wal.scrutiny"))
    with closing(sqlite3.connect(doc)) as conn:
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
    backdate(doc)
    library.list_library([folder])
    with closing(sqlite3.connect(doc)) as conn:
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute("UPDATE assessments SET period = '2031-32'")
        conn.commit()
        (row,) = library.list_library([folder])
    assert len(reads) == 2 and row.period == "2031-32"
