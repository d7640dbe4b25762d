"""German word forms the full-text search adds: compound parts and spellings.

German writes "Fahrradzählstellen" where a citizen types "Fahrrad", and
"Luftqualität" where one types "Luft". PostgreSQL's ``german`` configuration
stems words but never splits them, so this module does, with Hunspell's
compound rules and Debian's German dictionary (package ``hunspell-de-de``,
read by spylls, a pure-Python Hunspell; the figures that decided the choice
are in docs/search.md, "What the search understands"):

- at indexing time, every compound of the title, tags and description adds
  its parts and each pair of neighbouring parts ("Fahrradzählstellen" adds
  "fahr rad zähl stellen fahrrad radzähl zählstellen"), so a part finds
  the compound;
- at query time, a compound the citizen types also matches all its parts
  ("Müllabfuhrtermine" finds "Termine der Müllabfuhr").

Spellings: ``ae/oe/ue`` for ``ä/ö/ü`` and back, ``ss`` for ``ß`` (the
Snowball stemmer already folds ``ß`` and umlauts, not their two-letter
spellings). Singular and plural are the stemmer's work.

Every result is cached per process; splitting a word the first time costs
1-6 ms, so a query splits at most :data:`MAX_SPLITS_PER_QUERY` words.
"""
from __future__ import annotations

import logging
import os
import re
import threading
import time
import unicodedata
from functools import lru_cache
from itertools import pairwise

from spylls.hunspell import Dictionary

log = logging.getLogger(__name__)

# shortest compound: two parts of three letters (Hunspell's COMPOUNDMIN 3)
MIN_COMPOUND = 6
# longer "words" are rarely German (hashes, glued URLs): never split
MAX_COMPOUND = 50
# candidate parts one word's analysis may look up: real compounds need
# 10-50 (Donaudampfschifffahrtsgesellschaftskapitänsmütze 49), a
# pathological repetition thousands (each about 0.3 ms)
STEPS_PER_WORD = 150
# words one query may split; the rest match as typed
MAX_SPLITS_PER_QUERY = 8
# distinct words of one indexed text that are analysed, and the time they
# may take (a harvested description may hold thousands of odd words)
MAX_SPLITS_PER_TEXT = 400
SECONDS_PER_TEXT = 1.0
# what a word is here (letters only), for every module that splits text
LETTERS = re.compile(r"[^\W\d_]+")
_TO_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss",
                           "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ẞ": "SS"})
# ae/oe/ue as umlauts, but not "que" (Queue, Quelle) nor after a vowel
# (Feuer, neue, Steuer); "Israel" or "aktuell" get a wrong extra spelling,
# which finds nothing and costs nothing
ASCII_UMLAUT = re.compile(r"(?<![aeiouyqAEIOUYQ])([aouAOU])e")
_UMLAUT = {"a": "ä", "o": "ö", "u": "ü", "A": "Ä", "O": "Ö", "U": "Ü"}


def spellings(word: str) -> list[str]:
    """Other spellings of ``word``: with umlauts for ae/oe/ue, with
    ae/oe/ue for umlauts and ss for ß. ``word`` itself is not listed."""
    out: list[str] = []
    ascii_form = word.translate(_TO_ASCII)
    if ascii_form != word:
        out.append(ascii_form)
    umlauts = ASCII_UMLAUT.sub(lambda m: _UMLAUT[m.group(1)], word)
    if umlauts != word:
        out.append(umlauts)
    return out


class _OverBudget(Exception):
    """The compound analysis of one word took too many steps."""


class Splitter:
    """Hunspell compound analysis of single words, loaded on first use.

    Hunspell's compound search backtracks: for a word such as
    "Teeteeteeteeteeteeteeteet" it tries thousands of part combinations
    (1.2 s). Each analysis may therefore look up at most
    :data:`STEPS_PER_WORD` candidate parts; a word that needs more counts
    as no compound (docs/search.md, "Compounds")."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._dictionary: Dictionary | None = None
        self._lock = threading.Lock()
        self._steps = threading.local()
        self.failed = False
        # words whose analysis stopped at the budget (since start)
        self.over_budget = 0
        self.parts = lru_cache(maxsize=200_000)(self._parts)

    def _load(self) -> Dictionary | None:
        if self._dictionary is None and not self.failed:
            with self._lock:
                if self._dictionary is None and not self.failed:
                    try:
                        dictionary = Dictionary.from_files(self.path)
                    except Exception as exc:  # missing file, broken dictionary
                        self.failed = True
                        log.warning("German compound splitting is off: cannot read the "
                                    "Hunspell dictionary %s (%s)", self.path, exc)
                    else:
                        self._count_steps(dictionary)
                        self._dictionary = dictionary
        return self._dictionary

    def _count_steps(self, dictionary: Dictionary) -> None:
        """Every candidate part the compound search looks up costs a step."""
        lookup = dictionary.lookuper
        affix_forms = lookup.affix_forms

        def counted(*args, **kwargs):
            steps = self._steps
            steps.left = getattr(steps, "left", STEPS_PER_WORD) - 1
            if steps.left < 0:
                raise _OverBudget
            return affix_forms(*args, **kwargs)
        lookup.affix_forms = counted

    def _after_fork(self) -> None:
        # a lock held by the loading thread at fork time would never be
        # released in the child (RQ workers fork per job)
        self._lock = threading.Lock()
        self._steps = threading.local()

    def _parts(self, word: str) -> tuple[str, ...]:
        """The parts of compound ``word`` in lower case, or () when it is
        none (or too short, too long, not letters only, too costly)."""
        if not MIN_COMPOUND <= len(word) <= MAX_COMPOUND or not word.isalpha():
            return ()
        dictionary = self._load()
        if dictionary is None:
            return ()
        # nouns are capitalised in the dictionary; a capitalised word also
        # matches lower-case entries (adjectives, verbs)
        forms = [word, *spellings(word)]
        if "ss" in word:  # "Strassen": the dictionary writes "Straßen"
            forms.append(forms[-1].replace("ss", "ß"))
        self._steps.left = STEPS_PER_WORD
        for candidate in dict.fromkeys(w[0].upper() + w[1:].lower() for w in forms):
            lookup = dictionary.lookuper
            captype = dictionary.aff.casing.guess(candidate)
            try:
                form = next(iter(lookup.compound_forms(candidate, captype)), None)
            except _OverBudget:
                log.debug("compound analysis of %r over budget", candidate)
                self.over_budget += 1
                return ()
            except Exception:  # a dictionary quirk must not fail indexing
                log.debug("compound analysis of %r failed", candidate, exc_info=True)
                form = None
            if form is not None:
                return tuple(part.text.lower() for part in form.parts)
        return ()


_splitters: dict[str, Splitter] = {}
_splitters_lock = threading.Lock()


def _reset_after_fork() -> None:
    global _splitters_lock
    _splitters_lock = threading.Lock()
    for found in _splitters.values():
        found._after_fork()


os.register_at_fork(after_in_child=_reset_after_fork)


def splitter(path: str) -> Splitter | None:
    """The splitter of the dictionary at ``path`` (without ``.dic``/``.aff``),
    one per process; None when ``path`` is empty or its files are missing."""
    if not path:
        return None
    with _splitters_lock:
        found = _splitters.get(path)
        if found is None:
            if not (os.path.exists(path + ".dic") and os.path.exists(path + ".aff")):
                log.warning("German compound splitting is off: %s.dic/.aff not found "
                            "(Debian package hunspell-de-de)", path)
                found = Splitter(path)
                found.failed = True
            else:
                found = Splitter(path)
            _splitters[path] = found
    return None if found.failed else found


def preload(path: str) -> None:
    """Read the dictionary in the background (about 1 s), so that the
    first search of a web worker does not wait for it."""
    found = splitter(path)
    if found is not None and found._dictionary is None:
        threading.Thread(target=found._load, name="smartcity-hunspell", daemon=True).start()


def words(text: str) -> list[str]:
    """The words of ``text`` (letters only; decomposed umlauts composed)."""
    return LETTERS.findall(unicodedata.normalize("NFC", text))


def index_terms(text: str, split: Splitter | None) -> str:
    """What a text adds to the index besides itself: the parts of its
    compounds and every pair of neighbouring parts, space separated."""
    if split is None or not text:
        return ""
    extra: dict[str, None] = {}
    candidates = [w for w in dict.fromkeys(words(text)) if len(w) >= MIN_COMPOUND]
    deadline = time.monotonic() + SECONDS_PER_TEXT
    for word in candidates[:MAX_SPLITS_PER_TEXT]:
        if time.monotonic() > deadline:
            log.info("compound analysis of a text stopped after %.1f s", SECONDS_PER_TEXT)
            break
        parts = split.parts(word)
        if not parts:
            continue
        extra.update(dict.fromkeys(parts))
        if len(parts) > 2:
            extra.update(dict.fromkeys(a + b for a, b in pairwise(parts)))
    return " ".join(extra)
