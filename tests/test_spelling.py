"""UK English spell-checking without Qt (scrutiny_desktop.spelling)."""

from __future__ import annotations

import pytest

from scrutiny_desktop import paths
from scrutiny_desktop.errors import FileWriteFailed
from scrutiny_desktop.spelling import Speller


@pytest.fixture
def speller(tmp_path):
    """A loaded speller whose personal dictionary is in this test's folder."""
    return Speller(personal_file=tmp_path / "personal.txt").load()


def marked(speller: Speller, text: str) -> list[str]:
    return [text[start:start + length] for start, length in speller.misspelt(text)]


def test_misspelt_word_is_marked_and_correct_ones_are_not(speller):
    """Only the misspelt word is marked, at its own place in the text."""
    text = "The safeguarding partnersip met."
    assert speller.misspelt(text) == [(text.index("partnersip"), len("partnersip"))]
    assert not speller.check("partnersip")


@pytest.mark.parametrize("word", ["colour", "organisation", "behaviour", "practise", "judgement",
                                  "programme", "Safeguarding", "SAFEGUARDING"])
def test_uk_spellings_are_accepted(speller, word):
    assert speller.check(word)


@pytest.mark.parametrize("word", ["color", "behavior"])
def test_us_only_spellings_are_marked(speller, word):
    """The dictionary is British: "color" is wrong here (Oxford "-ize" is allowed)."""
    assert not speller.check(word)


@pytest.mark.parametrize("word", ["safeguarding", "scrutineer", "scrutineers", "Scrutineer",
                                  "scrutineer's", "scrutineer’s", "LSCP", "MACPT", "Ofsted",
                                  "JTAI", "LCSPRs", "LADO", "wellbeing", "countersignature",
                                  "CSPR’s", "DfE"])
def test_project_vocabulary_is_built_in(speller, word):
    assert speller.check(word)


def test_project_vocabulary_is_listed_in_the_bundled_file():
    words = (paths.dictionaries_dir() / "project-words.txt").read_text(encoding="utf-8").split()
    for word in ("safeguarding", "scrutineer", "LSCP", "MACPT", "MASH", "Ofsted", "JTAI", "DSL",
                 "LADO", "CSPR", "LCSPR"):
        assert word in words


@pytest.mark.parametrize("text", [
    "ARR-01", "2nd", "Q3", "LSCPX", "ABCDEF", "x",
    "https://www.example.gov.uk/safeguardingx/reportt",
    "see www.northshirelscp.org.uk for it",
    "ann.jonesx@northshire.gov.uk",
    "northshirelscp.org.uk",
])
def test_what_is_never_marked(speller, text):
    """Words with digits, single letters, capitals up to six letters, addresses."""
    assert marked(speller, text) == []


def test_long_capitals_and_lowercase_acronyms_are_checked(speller):
    assert marked(speller, "PARTNERSIP meeting") == ["PARTNERSIP"]
    assert marked(speller, "the lscpx met") == ["lscpx"]


def test_straight_and_curly_apostrophes_alike(speller):
    assert marked(speller, "The partnership's plan and the partnership’s plan.") == []
    assert marked(speller, "The partnersip’s plan") == ["partnersip’s"]


def test_hyphenated_words(speller):
    assert marked(speller, "multi-agency, LSCP-led and Ofsted-rated work") == []
    assert marked(speller, "multi-agencyy work") == ["multi-agencyy"]


def test_suggestions_are_capped_and_best_first(speller):
    suggestions = speller.suggest("partnersip")
    assert suggestions[0] == "partnership"
    assert 1 <= len(speller.suggest("teh", limit=3)) <= 3
    assert speller.suggest("orgnaisation")[0] == "organisation"


def test_added_word_is_accepted_and_persisted(tmp_path, speller):
    assert not speller.check("partnersip")
    speller.add_to_personal("partnersip")
    assert speller.check("partnersip")
    assert (tmp_path / "personal.txt").read_text(encoding="utf-8").splitlines() == ["partnersip"]
    # A new session reads it back.
    again = Speller(personal_file=tmp_path / "personal.txt").load()
    assert again.check("partnersip") and again.check("Partnersip")
    assert again.personal_words == {"partnersip"}


def test_adding_keeps_words_another_window_added(tmp_path, speller):
    """Two windows add words at once: the file keeps both, one a line, UTF-8."""
    other = Speller(personal_file=tmp_path / "personal.txt").load()
    speller.add_to_personal("partnersip")
    other.add_to_personal("Ŵyddfa")
    other.add_to_personal("scrutinee’d")
    lines = (tmp_path / "personal.txt").read_text(encoding="utf-8").splitlines()
    assert sorted(lines) == sorted(["partnersip", "Ŵyddfa", "scrutinee'd"])


def test_default_personal_dictionary_is_in_the_config_folder(isolated_home):
    speller = Speller()
    assert speller.personal_file == paths.personal_dictionary_file()
    assert speller.personal_file.is_relative_to(isolated_home)


def test_personal_dictionary_ignores_comments_and_blank_lines(tmp_path):
    (tmp_path / "personal.txt").write_text("\ufeff# mine\n\nNorthshire\n  frobnicate  \n", encoding="utf-8")
    speller = Speller(personal_file=tmp_path / "personal.txt").load()
    assert speller.personal_words == {"Northshire", "frobnicate"}
    assert speller.check("frobnicate") and speller.check("Northshire")


def test_not_a_word_cannot_be_added(speller):
    with pytest.raises(ValueError):
        speller.add_to_personal("two words")


def test_unwritable_personal_dictionary_says_so(tmp_path):
    """The word is still accepted for this session; the failure names the file."""
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    speller = Speller(personal_file=blocker / "personal.txt").load()
    with pytest.raises(FileWriteFailed, match="blocked"):
        speller.add_to_personal("partnersip")
    assert speller.check("partnersip")


def test_ignored_word_is_accepted_but_not_saved(tmp_path, speller):
    speller.ignore("partnersip")
    assert speller.check("partnersip")
    assert not (tmp_path / "personal.txt").exists()


def test_check_loads_the_dictionary_when_needed(tmp_path):
    speller = Speller(personal_file=tmp_path / "personal.txt")
    assert not speller.loaded
    assert not speller.check("partnersip")
    assert speller.loaded


def test_a_paragraph_checked_again_asks_the_dictionary_nothing_new(speller, monkeypatch):
    """The box checks a paragraph again at every keystroke typed in it (issue 17): every
    word already met, curly apostrophes and hyphens included, is answered from the
    cache, and only a new word goes to the dictionary."""
    text = ("The partnership’s plan, the partnership's plan and multi-agency work: "
            "see www.northshirelscp.org.uk. The partnersip met.")
    first = speller.misspelt(text)
    asked: list[str] = []
    real = speller._check
    monkeypatch.setattr(speller, "_check", lambda word: asked.append(word) or real(word))
    assert speller.misspelt(text) == first == [(text.index("partnersip"), len("partnersip"))]
    assert asked == []
    assert speller.misspelt(text + " Scrutinyy") == [*first, (len(text) + 1, len("Scrutinyy"))]
    assert asked == ["Scrutinyy"]


@pytest.mark.parametrize("text", [
    "See https://www.example.gov.uk/safeguardingx/reportt, then partnersip.",
    "(www.northshirelscp.org.uk/partnersip) and partnersip",
    "Email ann.jonesx@northshire.gov.uk or partnersip@northshire.gov.uk, the partnersip.",
    "northshirelscp.org.uk partnersip.northshirelscp.org.uk\u00a0partnersip",
    "e.g. the partnersip’s plan.partnersip and multi-agencyy.org work",
    "partnersip\tftp://northshire.gov.uk/partnersip\npartnersip",
])
def test_addresses_are_found_around_each_word_as_in_the_whole_text(speller, text):
    """A misspelt word is left unmarked when it is part of an address: looking for the
    address only around the word finds exactly what a search of the whole text finds."""
    from scrutiny_desktop.spelling import _NOT_PROSE_RE, WORD_RE

    addresses = [m.span() for m in _NOT_PROSE_RE.finditer(text)]
    expected = [(m.start(), len(m.group())) for m in WORD_RE.finditer(text)
                if not speller.check(m.group())
                and not any(s <= m.start() < e for s, e in addresses)]
    assert speller.misspelt(text) == expected
    assert expected  # each text has a misspelt word outside an address too
