"""The "Meinten Sie …?" spelling suggestions, from the portal's own words.

The table ``smartcity_search_word`` holds every word of the titles and tags
of public, active datasets (lower case, letters only, 3 to 40 characters),
with a ``pg_trgm`` trigram index. :func:`remember` adds the words of
datasets as they are indexed (registered with ``connection.on_indexed``);
the migration that creates the table fills it from the index rows.

A word is only a candidate: private datasets never add words, and a word of
a deleted dataset stays behind, so every suggestion is shown only after a
search for it, run as the visitor, finds something (the caller's
``count_hits``). That search is the only guard against leaking a word; keep
it (docs/search.md, "Empty result pages").

Without the table (a Solr site) or without ``pg_trgm`` (the migration could
not create the extension) :func:`spellings` suggests nothing.
"""
from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

import ckan.model as model

from . import synonyms
from .connection import UNSENDABLE
from .german import LETTERS

log = logging.getLogger(__name__)

TABLE = "smartcity_search_word"
MIN_WORD = 3
MAX_WORD = 40
# words of one dataset remembered at most (a harvested title of 10,000 words)
MAX_WORDS_PER_DATASET = 200
# query words looked up at most; the rest of the query is kept as typed
MAX_QUERY_WORDS = 8
# a longer query is pasted text, not a misspelt search: no suggestions
MAX_QUERY_CHARS = 200
# nearest known words fetched per query word
CANDIDATES_PER_WORD = 3
# below this trigram similarity a known word is not "meant"
MIN_SIMILARITY = 0.4
# suggestions shown, and searches run to verify them, at most
MAX_SUGGESTIONS = 3
MAX_VERIFIED = 6
# the lookup's backstop: a suggestion is not worth a slow page
LOOKUP_TIMEOUT = "500ms"

# query syntax, not words to correct
_OPERATORS = frozenset({"AND", "OR", "NOT"})
# what makes the next word an exclusion ("-Wort", "!Wort", "NOT Wort"):
# never corrected, it must not reveal a word
_EXCLUDED = re.compile(r"(?:(?:^|\s)[-!]|\bNOT\s+)$")
# searches one page may run to check suggestions (words and queries)
MAX_CHECKS = 12

_AVAILABLE = sa.text(f"""
    SELECT to_regclass('{TABLE}') IS NOT NULL
       AND EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')""")
_EXISTS = sa.text(f"SELECT to_regclass('{TABLE}') IS NOT NULL")
_INSERT = sa.text(f"""
    INSERT INTO {TABLE} (word) SELECT unnest(CAST(:words AS text[]))
    ON CONFLICT (word) DO NOTHING""")
_SETTINGS = sa.text("""
    SELECT current_setting('statement_timeout'),
           current_setting('pg_trgm.similarity_threshold', true),
           set_config('statement_timeout', :timeout, true),
           set_config('pg_trgm.similarity_threshold', :threshold, true)""")
_RESTORE = sa.text("""
    SELECT set_config('statement_timeout', :timeout, true),
           set_config('pg_trgm.similarity_threshold', :threshold, true)""")
_KNOWN = sa.text(f"SELECT word FROM {TABLE} WHERE word = ANY(CAST(:words AS text[]))")
# the nearest known words of each query word, in one round trip; "%" uses
# the trigram index, above pg_trgm.similarity_threshold (set to MIN_SIMILARITY)
_NEAREST = sa.text(f"""
    SELECT q.word, c.word, c.score
    FROM unnest(CAST(:words AS text[])) AS q(word)
    CROSS JOIN LATERAL (
        SELECT w.word, similarity(w.word, q.word) AS score FROM {TABLE} w
        WHERE w.word % q.word
        ORDER BY score DESC, w.word LIMIT :per_word) c""")


def words(text: str) -> list[str]:
    """The words of ``text`` the table keeps: lower case, letters only,
    3 to 40 characters, each once, in order."""
    found = (w.lower() for w in LETTERS.findall(text or ""))
    return list(dict.fromkeys(w for w in found if MIN_WORD <= len(w) <= MAX_WORD))


def dataset_words(dataset: dict[str, Any]) -> list[str]:
    """Title and tag words of a public, active dataset; none of any other."""
    if dataset.get("private") or (dataset.get("state") or "active") != "active":
        return []
    texts = [str(dataset.get("title") or "")]
    for tag in dataset.get("tags") or []:
        texts.append(str(tag.get("name") or "") if isinstance(tag, dict) else str(tag))
    return words(" ".join(texts))[:MAX_WORDS_PER_DATASET]


def remember(datasets: list[dict[str, Any]]) -> None:
    """Add the words of freshly indexed datasets (a ``connection.on_indexed``
    hook). Runs inside the indexing transaction, so in a savepoint: a
    missing table or a failure never fails the dataset's save."""
    found = sorted({w for dataset in datasets for w in dataset_words(dataset)})
    if not found:
        return
    session = model.Session
    savepoint = session.begin_nested()
    try:
        if session.execute(_EXISTS).scalar():
            # sorted: two indexings adding the same words lock them in the
            # same order (no deadlock)
            session.execute(_INSERT, {"words": found})
        savepoint.commit()
    except DBAPIError as exc:
        savepoint.rollback()
        log.warning("search words not recorded: %s", exc.orig)


def available() -> bool:
    """Whether the word table and pg_trgm are there (not on a Solr site)."""
    session = model.Session
    savepoint = session.begin_nested()
    try:
        result = bool(session.execute(_AVAILABLE).scalar())
        savepoint.commit()
        return result
    except DBAPIError:
        savepoint.rollback()
        return False


def _nearest(query_words: list[str]) -> dict[str, list[tuple[str, float]]]:
    """Known words by similarity for each query word; a known word is its
    own only candidate and costs no trigram search. Bounded by a statement
    timeout; a failure finds nothing."""
    session = model.Session
    savepoint = session.begin_nested()
    try:
        # for this lookup only (restored below, or undone with the savepoint):
        # a higher similarity threshold lets the index skip most words
        previous = session.execute(_SETTINGS, {"timeout": LOOKUP_TIMEOUT,
                                               "threshold": str(MIN_SIMILARITY)}).first()
        known = {row[0] for row in session.execute(_KNOWN, {"words": query_words})}
        unknown = [w for w in query_words if w not in known]
        rows = session.execute(_NEAREST, {"words": unknown, "per_word": CANDIDATES_PER_WORD + 1}
                               ).fetchall() if unknown else []
        session.execute(_RESTORE, {"timeout": previous[0], "threshold": previous[1]})
        savepoint.commit()
    except DBAPIError as exc:
        savepoint.rollback()
        log.warning("spelling suggestions failed: %s", exc.orig)
        return {}
    except Exception:
        savepoint.rollback()  # the timeout setting must not outlive the lookup
        raise
    nearest: dict[str, list[tuple[str, float]]] = {w: [(w, 1.0)] for w in known}
    for word, candidate, score in rows:
        nearest.setdefault(word, []).append((candidate, float(score)))
    return nearest


def _options(word: str, nearest: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """What ``word`` may become: itself when known (also in another
    spelling or inflection), else its nearest known words."""
    word_key = synonyms.key(word)
    if any(c == word or synonyms.key(c) == word_key for c, _ in nearest):
        return [(word, 1.0)]
    meant = [(c, s) for c, s in nearest if s >= MIN_SIMILARITY][:CANDIDATES_PER_WORD]
    return meant or [(word, 0.0)]


def _cased(candidate: str, typed: str) -> str:
    """``candidate`` written like ``typed`` (German nouns keep their capital)."""
    if typed.isupper() and len(typed) > 1:
        return candidate.upper()
    if typed[:1].isupper():
        return candidate[:1].upper() + candidate[1:]
    return candidate


def _candidates(query: str) -> Iterable[tuple[str, list[str]]]:
    """Corrected forms of ``query``, most similar first: each misspelt word
    replaced by one of its nearest known words, everything else as typed."""
    spans = [m for m in LETTERS.finditer(query)
             if MIN_WORD <= len(m.group()) <= MAX_WORD and m.group() not in _OPERATORS
             and not query.startswith(":", m.end())  # not field names
             and not _EXCLUDED.search(query[:m.start()])][:MAX_QUERY_WORDS]  # not -word
    looked_up = list(dict.fromkeys(m.group().lower() for m in spans))
    if not looked_up:
        return
    nearest = _nearest(looked_up)
    options = [_options(m.group().lower(), nearest.get(m.group().lower(), [])) for m in spans]
    if all(o == [(m.group().lower(), 1.0)] for m, o in zip(spans, options, strict=True)):
        return  # every word is known: nothing to correct
    combos = sorted(itertools.product(*options),
                    key=lambda combo: -sum(score for _, score in combo))
    for combo in combos[:MAX_VERIFIED]:
        text, end, new_words = [], 0, []
        for match, (choice, _) in zip(spans, combo, strict=True):
            if choice == match.group().lower():
                replaced = match.group()
            else:
                replaced = _cased(choice, match.group())
                new_words.append(choice)
            text.append(query[end:match.start()] + replaced)
            end = match.end()
        yield "".join(text) + query[end:], new_words


def spellings(query: str, count_hits: Callable[[str], int]) -> list[str]:
    """At most :data:`MAX_SUGGESTIONS` corrected queries for ``query`` that
    ``count_hits`` (a search run as the visitor) finds something for."""
    query = UNSENDABLE.sub("", query or "").strip()
    if not query or len(query) > MAX_QUERY_CHARS or not available():
        return []
    found: list[str] = []
    visible: dict[str, bool] = {}
    checks = 0

    def hits(text: str) -> int:
        nonlocal checks
        checks += 1
        return count_hits(text) if checks <= MAX_CHECKS else 0

    for candidate, new_words in _candidates(query):
        if candidate.lower() == query.lower() or candidate in found:
            continue
        # every word put in must be found on its own, exactly (a phrase: no
        # synonyms, no compound parts of the query), by this visitor: the
        # word table may still hold words of datasets that are private or
        # deleted now, and the whole query could match without that word
        for word in new_words:
            if word not in visible:
                visible[word] = hits(f'"{word}"') > 0
        if all(visible[w] for w in new_words) and hits(candidate) > 0:
            found.append(candidate)
            if len(found) >= MAX_SUGGESTIONS:
                break
    return found
