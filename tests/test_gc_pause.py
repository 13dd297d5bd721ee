"""The collector held off while the app starts, and long-lived objects frozen
(scrutiny_desktop.gc_pause; issue 17).  No Qt: run_app's part is in tests/ui/test_app.py."""

from __future__ import annotations

import gc
import shutil

import pytest

from scrutiny_desktop import paths
from scrutiny_desktop.gc_pause import collector_paused, pause_for_start_up, start_up_done
from scrutiny_desktop.spelling import Speller


@pytest.fixture
def unfrozen():
    """Nothing frozen before the test, and nothing left frozen after it."""
    gc.unfreeze()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    yield
    gc.unfreeze()
    gc.enable()


def test_the_start_is_held_then_frozen_and_the_collector_comes_back(unfrozen):
    pause_for_start_up()
    assert not gc.isenabled()
    pause_for_start_up()  # a second call changes nothing
    start_up_done()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 1000  # every module and object the test process holds


def test_the_collector_stays_off_while_another_pause_holds_it(unfrozen):
    pause_for_start_up()
    with collector_paused():
        start_up_done()
        assert gc.get_freeze_count() > 0
        assert not gc.isenabled()  # the listing's (or the PDF's) pause is still on
    assert gc.isenabled()


def test_start_up_done_without_a_held_start_does_nothing(unfrozen):
    start_up_done()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_spelling_dictionary_is_frozen_once_read(unfrozen, tmp_path):
    """Its hundred thousand entries live as long as the app: no later collection
    walks them (a dictionary at a new path is read, not taken from the cache)."""
    for suffix in (".aff", ".dic"):
        shutil.copyfile(paths.dictionaries_dir() / f"en_GB{suffix}", tmp_path / f"en_GB{suffix}")
    speller = Speller(dictionary=tmp_path / "en_GB", personal_file=tmp_path / "personal.txt")
    speller.load()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 100_000
    assert speller.check("safeguarding") and not speller.check("partnersip")
