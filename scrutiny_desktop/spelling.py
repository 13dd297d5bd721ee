"""UK English spell-checking, without Qt.

A :class:`Speller` reads the bundled British English Hunspell dictionary
(``resources/dictionaries/en_GB.aff``/``.dic``) with spylls, a pure-Python port of
Hunspell, and adds two word lists of its own: the project's vocabulary
(``project-words.txt`` beside the dictionary: scrutineer, LSCP, MACPT...) and the
user's personal dictionary (``personal-dictionary.txt`` in the user's config
folder, one word a line, UTF-8).

Loading the dictionary takes about a second, so :meth:`Speller.load` is meant to
run off the UI thread; :meth:`Speller.check` loads it first if nobody has.
Checking a word takes well under a millisecond (and is cached); suggesting
corrections for a badly misspelt word can take a few hundred milliseconds, so
the UI asks for suggestions off its thread too, and :meth:`Speller.suggest` stops
after a time budget.

What is never marked: words with digits (``ARR-01``, ``2nd``), single letters,
acronyms in capitals of up to six letters (``LSCP``, ``NHS``), web addresses and
email addresses.  Straight and curly apostrophes are treated alike
(``partnership's``, ``partnership’s``).
"""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scrutiny_desktop import paths
from scrutiny_desktop.atomic import atomic_write, write_error
from scrutiny_desktop.gc_pause import collector_paused, freeze_survivors

#: Suggestions offered for one word, at most.
SUGGESTIONS = 6

#: Words whose verdict is remembered, at most.
_CACHE_LIMIT = 50_000

#: Acronyms in capitals up to this many letters are never marked.
ACRONYM_LETTERS = 6

#: A word: letters and digits, with apostrophes and hyphens inside it
#: ("partnership’s", "multi-agency"), never at its ends.
WORD_RE = re.compile(r"\w+(?:['’]\w+)*(?:[-\u2010]\w+(?:['’]\w+)*)*")

#: Text that is not prose: web addresses, email addresses, bare domain names.
_NOT_PROSE_RE = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:uk|com|org|net|gov|nhs|io|info|eu)\b(?:/\S*)?",
    re.IGNORECASE,
)

#: Hunspell dictionaries read so far in this process, by path: read-only once loaded,
#: so every Speller for the same files shares one (a second spent once, 60 MB kept once).
_LOADED: dict[str, Any] = {}
_LOADED_LOCK = threading.Lock()

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "\u02bc": "'"})
_POSSESSIVE_RE = re.compile(r"^(.+?)'s?$")


def _read_dictionary(base: Path) -> Any:
    """The spylls Dictionary of ``base``.aff and ``base``.dic.

    spylls' own ``Dictionary.from_files`` leaves both files open (and opens the .aff
    twice); this reads each file whole, closes it, and hands spylls the text.
    """
    from spylls.hunspell import Dictionary, readers  # a second of work: only when loading
    from spylls.hunspell.readers.file_reader import BaseReader

    class TextReader(BaseReader):
        def __init__(self, path: Path, encoding: str = "Windows-1252"):
            self.path = path
            super().__init__(self._text(encoding))

        def reset_encoding(self, encoding: str) -> None:
            self.reset_io(self._text(encoding))

        def _text(self, encoding: str) -> io.StringIO:
            # surrogateescape as spylls does: some dictionaries use bytes invalid in
            # their own encoding as affix flags.
            with open(self.path, encoding=encoding, errors="surrogateescape") as fh:
                return io.StringIO(fh.read())

    aff, context = readers.read_aff(TextReader(base.with_name(base.name + ".aff")))
    dic = readers.read_dic(TextReader(base.with_name(base.name + ".dic"), encoding=context.encoding),
                           aff=aff, context=context)
    return Dictionary(aff, dic)


def _in_address(text: str, start: int, end: int) -> bool:
    """Whether the word ``text[start:end]`` is part of a web or email address or a
    domain name (``_NOT_PROSE_RE``).  Only the run of text around the word, up to the
    spaces either side, is looked at: no address spans a space, and searching a whole
    paragraph for addresses at every keystroke typed in it took longer than checking
    its words (issue 17)."""
    before = start
    while before > 0 and not text[before - 1].isspace():
        before -= 1
    after = end
    while after < len(text) and not text[after].isspace():
        after += 1
    return any(m.start() <= start < m.end() for m in _NOT_PROSE_RE.finditer(text, before, after))


def normalise(word: str) -> str:
    """``word`` with typographic apostrophes made straight."""
    return word.translate(_APOSTROPHES)


def worth_checking(word: str) -> bool:
    """False for what is never marked: digits, single letters, short acronyms."""
    if len(word) < 2 or any(c.isdigit() or c == "_" for c in word):
        return False
    letters = [c for c in word if c.isalpha()]
    return not (len(letters) <= ACRONYM_LETTERS and all(c.isupper() for c in letters))


def read_words(path: Path) -> set[str]:
    """The words in a word list (one a line, ``#`` starts a comment); empty if missing."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return set()
    except (OSError, UnicodeDecodeError):
        # An unreadable personal dictionary must not stop anyone writing.
        return set()
    words = set()
    for line in text.splitlines():
        word = normalise(line.split("#", 1)[0].strip())
        if word:
            words.add(word)
    return words


class _WordSet:
    """Words matched as Hunspell matches its own: "scrutineer" also matches
    "Scrutineer" and "SCRUTINEER"; "Ofsted" also "OFSTED"; "DfE" only itself
    and "DFE"."""

    def __init__(self, words: Iterable[str] = ()):
        self.words: set[str] = set()
        self._upper: set[str] = set()
        self.update(words)

    def update(self, words: Iterable[str]) -> None:
        for word in words:
            self.words.add(word)
            self._upper.add(word.upper())

    def __contains__(self, word: str) -> bool:
        if word in self.words:
            return True
        if word[:1].isupper() and word[1:] == word[1:].lower() and word.lower() in self.words:
            return True
        return word.isupper() and word in self._upper


class Speller:
    """Checks and corrects UK English words (see the module's notes).

    ``dictionary`` is the Hunspell pair's path without its suffix (default: the
    bundled ``en_GB``); ``personal_file`` the user's own word list (default:
    :func:`scrutiny_desktop.paths.personal_dictionary_file`, looked up when loading).
    """

    def __init__(self, dictionary: Path | None = None, personal_file: Path | None = None,
                 project_words: Path | None = None):
        self._dictionary_path = dictionary
        self._personal_path = personal_file
        self._project_path = project_words
        self._lock = threading.Lock()
        self._dictionary: Any = None  # a spylls Dictionary, once loaded
        self._project = _WordSet()
        self._personal = _WordSet()
        self._ignored = _WordSet()
        self._cache: dict[str, bool] = {}

    # -- loading ---------------------------------------------------------------------

    @property
    def personal_file(self) -> Path:
        if self._personal_path is None:
            self._personal_path = paths.personal_dictionary_file()
        return self._personal_path

    @property
    def loaded(self) -> bool:
        return self._dictionary is not None

    def load(self) -> Speller:
        """Read the dictionary and both word lists (once; later calls return at once)."""
        with self._lock:
            if self._dictionary is not None:
                return self
            base = self._dictionary_path or paths.dictionaries_dir() / "en_GB"
            project = self._project_path or paths.dictionaries_dir() / "project-words.txt"
            self._project.update(read_words(project))
            self._personal.update(read_words(self.personal_file))
            with _LOADED_LOCK:
                dictionary = _LOADED.get(str(base))
                if dictionary is None:
                    with collector_paused():  # 100,000 entries: see scrutiny_desktop.gc_pause
                        dictionary = _LOADED[str(base)] = _read_dictionary(base)
                        freeze_survivors()  # they live as long as the app
            self._dictionary = dictionary
        return self

    # -- checking ----------------------------------------------------------------------

    def check(self, word: str) -> bool:
        """True if ``word`` is spelt correctly (or is not a word to check)."""
        # Kept by the word as written: a paragraph is checked again at every keystroke
        # typed in it, nearly all of its words already met (issue 17).
        known = self._cache.get(word)
        if known is None:
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()  # every partial word typed passes through here
            plain = normalise(word)
            known = self._cache[word] = not worth_checking(plain) or self._check(plain)
        return known

    def _check(self, word: str) -> bool:
        dictionary = self._dictionary or self.load()._dictionary
        assert dictionary is not None
        if self._listed(word):
            return True
        if dictionary.lookup(word):
            return True
        parts = re.split(r"[-\u2010]", word)
        return len(parts) > 1 and all(self.check(part) for part in parts if part)

    def _listed(self, word: str) -> bool:
        candidates = [word]
        possessive = _POSSESSIVE_RE.match(word)
        if possessive:
            candidates.append(possessive.group(1))
        return any(c in s for c in candidates for s in (self._project, self._personal, self._ignored))

    def misspelt(self, text: str) -> list[tuple[int, int]]:
        """(start, length) of every misspelt word in ``text``."""
        found = []
        check = self.check
        for match in WORD_RE.finditer(text):
            if not check(match.group()):
                start, end = match.span()
                if not _in_address(text, start, end):
                    found.append((start, end - start))
        return found

    @staticmethod
    def word_at(text: str, index: int) -> tuple[int, str] | None:
        """The word in ``text`` that touches ``index``, as (start, word), or None."""
        for match in WORD_RE.finditer(text):
            if match.start() <= index <= match.end():
                return match.start(), match.group()
            if match.start() > index:
                break
        return None

    # -- correcting --------------------------------------------------------------------

    def suggest(self, word: str, limit: int = SUGGESTIONS, budget_seconds: float = 2.0) -> list[str]:
        """Up to ``limit`` corrections for ``word``, best first; whatever was found once
        ``budget_seconds`` have passed (a long garbled word can take Hunspell a while)."""
        word = normalise(word)
        dictionary = self._dictionary or self.load()._dictionary
        assert dictionary is not None
        deadline = time.monotonic() + budget_seconds
        found: list[str] = []
        for suggestion in dictionary.suggest(word):
            if suggestion not in found and suggestion != word:
                found.append(suggestion)
            if len(found) >= limit or time.monotonic() > deadline:
                break
        return found

    # -- the user's own words ---------------------------------------------------------

    @property
    def personal_words(self) -> frozenset[str]:
        return frozenset(self._personal.words)

    def add_to_personal(self, word: str) -> None:
        """Accept ``word`` from now on, here and in every later session.

        The word is accepted at once; the file is then rewritten whole (atomically,
        merged with what another window may have added meanwhile).  Raises
        :class:`scrutiny_desktop.errors.FileWriteFailed` if it cannot be saved.
        """
        word = normalise(word).strip()
        if not word or any(c.isspace() for c in word):
            raise ValueError(f"Not a single word: {word!r}")
        self._personal.update([word])
        self._cache.clear()
        path = self.personal_file
        with self._lock:
            words = read_words(path) | self._personal.words
            self._personal.update(words)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise write_error(exc, path) from None
            text = "".join(f"{w}\n" for w in sorted(words, key=lambda w: (w.casefold(), w)))
            with atomic_write(path) as fh:
                fh.write(text.encode("utf-8"))

    def ignore(self, word: str) -> None:
        """Accept ``word`` until the app closes (it is not saved)."""
        self._ignored.update([normalise(word)])
        self._cache.clear()
