"""Synonyms for the full-text search: the everyday word finds the official one.

Three sources, read in this order and merged:

1. the shipped list ``ckanext/smartcity/vocabularies/search-synonyms-de.txt``
   (Müll/Abfall, Bücherei/Bibliothek, Kita/Kindertageseinrichtung, ...);
2. groups other packages register with :func:`register` (the Smart City
   categories register each concept's German label with its
   ``skos:altLabel``s), so search knows nothing of categories;
3. a town's own file, named by ``ckanext.smartcity.search.synonyms_file``,
   read again when it changes (no restart, no code change).

The files use Solr's synonyms.txt format, so a Solr configset can read the
same file: ``a, b, c`` (each finds the others), ``a, b => c`` (one way),
``#`` comments. Keys match regardless of case, umlaut spelling, hyphens and
inflection (Snowball's German stemmer, the algorithm PostgreSQL's
``german`` configuration uses).
"""
from __future__ import annotations

import logging
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

import snowballstemmer

from . import german

log = logging.getLogger(__name__)

SHIPPED = os.path.join(os.path.dirname(os.path.dirname(__file__)), "vocabularies",
                       "search-synonyms-de.txt")
# longest key, in words ("Kommunaler Ordnungsdienst", "Hartz IV")
MAX_KEY_WORDS = 3
# alternatives one key expands to at most (a line of 200 words stays cheap)
MAX_ALTERNATIVES = 24
# lines of one file read at most (the table is built on a request)
MAX_LINES = 20_000
_SEPARATORS = re.compile(r"[\s\-/]+")
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})

Group = tuple[str, ...]
_sources: list[Callable[[], Iterable[Group]]] = []
# what tells that a source's groups changed (e.g. the category scheme reloaded)
_versions: list[Callable[[], object]] = []


def register(source: Callable[[], Iterable[Group]],
             version: Callable[[], object] | None = None) -> None:
    """Add a source of synonym groups (each group: equivalent phrases);
    ``version`` returns something that changes when the groups change."""
    if source not in _sources:
        _sources.append(source)
        if version is not None:
            _versions.append(version)
        _cache.clear()


_stemmer = snowballstemmer.stemmer("german")
_stemmer_lock = threading.Lock()  # a Snowball stemmer object is not thread-safe


def _stem(word: str) -> str:
    with _stemmer_lock:
        return _stemmer.stemWord(word)


@lru_cache(maxsize=50_000)
def key(text: str) -> str:
    """The form under which a phrase is looked up: lower case, umlauts and
    their two-letter spellings folded, each word stemmed."""
    out = []
    for word in _SEPARATORS.split(unicodedata.normalize("NFC", text).strip().lower()):
        if not word:
            continue
        word = german.ASCII_UMLAUT.sub(r"\1", word.translate(_FOLD))
        out.append(_stem(word))
    return " ".join(out)


def parse(lines: Iterable[str], origin: str) -> list[tuple[Group, Group]]:
    """Rules of a synonyms file as (left, right): ``a, b`` is (a b, a b),
    ``a => b`` is (a, b). A malformed line is logged and skipped."""
    rules: list[tuple[Group, Group]] = []
    for number, raw in enumerate(lines, 1):
        if number > MAX_LINES:
            log.warning("synonyms %s: only the first %d lines are read", origin, MAX_LINES)
            break
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        left, arrow, right = line.partition("=>")
        terms = tuple(t.strip() for t in left.split(",") if t.strip())
        targets = tuple(t.strip() for t in right.split(",") if t.strip()) if arrow else terms
        if not terms or not targets or len(terms) + len(targets) < 2:
            log.warning("synonyms %s line %d ignored: %r", origin, number, raw.strip()[:80])
            continue
        rules.append((terms, targets))
    return rules


class Synonyms:
    """Lookup table from keys to the phrases they expand to."""

    def __init__(self, rules: Iterable[tuple[Group, Group]]) -> None:
        table: dict[str, dict[str, None]] = {}
        for terms, targets in rules:
            for term in terms:
                term_key = key(term)
                if not term_key or len(term_key.split()) > MAX_KEY_WORDS:
                    continue
                found = table.setdefault(term_key, {})
                for target in targets:
                    if len(found) >= MAX_ALTERNATIVES:
                        break  # a line of 3,000 words stays cheap
                    if key(target) != term_key:
                        found[target] = None
        self.table = {k: tuple(v)[:MAX_ALTERNATIVES] for k, v in table.items() if v}

    def expand(self, phrase: str) -> tuple[str, ...]:
        """The phrases ``phrase`` also finds (itself not included)."""
        return self.table.get(key(phrase), ())

    def __contains__(self, phrase: str) -> bool:
        return key(phrase) in self.table


_cache: dict[tuple[str, float, tuple[object, ...]], Synonyms] = {}
_cache_lock = threading.Lock()


def _version(version: Callable[[], object]) -> object:
    try:
        return version()
    except Exception:  # a broken source must not stop the search
        return None


def _read(path: str) -> list[str]:
    with open(path, encoding="utf-8-sig") as handle:  # a BOM from Notepad is no word
        return handle.read().splitlines()


def current(town_file: str = "", shipped: bool = True) -> Synonyms:
    """The merged table; rebuilt when the town's file changes."""
    try:
        mtime = os.stat(town_file).st_mtime if town_file else 0.0
    except OSError:
        mtime = -1.0
    cache_key = (f"{shipped}|{town_file}", mtime, tuple(_version(v) for v in _versions))
    found = _cache.get(cache_key)
    if found is not None:
        return found
    with _cache_lock:
        found = _cache.get(cache_key)
        if found is not None:  # built by the thread that held the lock
            return found
        rules: list[tuple[Group, Group]] = []
        if shipped:
            try:
                rules += parse(_read(SHIPPED), "shipped list")
            except (OSError, UnicodeDecodeError) as exc:  # an install without the file
                log.warning("cannot read the shipped synonyms %s: %s", SHIPPED, exc)
        for source in list(_sources):
            try:
                rules += [(tuple(g), tuple(g)) for g in source() if len(g) > 1]
            except Exception:
                log.warning("synonym source %r failed", source, exc_info=True)
        if town_file:
            try:
                rules += parse(_read(town_file), town_file)
            except (OSError, UnicodeDecodeError) as exc:
                log.warning("cannot read synonyms file %s: %s", town_file, exc)
        table = Synonyms(rules)
        _cache.clear()
        _cache[cache_key] = table
        return table
