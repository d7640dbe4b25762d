"""What an empty dataset search page offers instead of "no datasets": the
Smart City categories a word of the query names, "Meinten Sie …?" spelling
suggestions (search/suggest.py, PostgreSQL search only) and a link to the
category overview. Shown by templates/package/snippets/search_results.html
only when a query found nothing (docs/search.md, "Empty result pages")."""
from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError, SolrConnectionError

from ckanext.smartcity.categories import scheme as categories
from ckanext.smartcity.categories.actions import caller_context
from ckanext.smartcity.search import connection as search_connection
from ckanext.smartcity.search import german, suggest, synonyms
from ckanext.smartcity.web import search_params

log = logging.getLogger(__name__)

MAX_CATEGORIES = 6
# words of a label that name no field ("Luftqualität und Lärm")
_FILLERS = frozenset({"und", "oder", "der", "die", "das", "des", "den", "dem", "für",
                      "mit", "von", "vom", "zum", "zur", "and", "or", "of", "the", "for",
                      "with", "in", "im", "am", "an", "auf", "bei"})


def _word_keys(text: str) -> set[str]:
    """Keys (search/synonyms.py key()) of the words of ``text`` that can
    name a field: three letters or more, no filler words."""
    found = (w for w in german.LETTERS.findall(text) if len(w) >= suggest.MIN_WORD)
    return {synonyms.key(w) for w in found if w.lower() not in _FILLERS}


def _label_keys(scheme: categories.Scheme) -> list[tuple[categories.Concept, set[str], set[str]]]:
    """Each concept with the keys of its label words and of its whole labels
    (every language, alternative labels included), once per loaded scheme."""
    cached = scheme.cache.get("smartcity_suggestion_keys")
    if cached is None:
        cached = []
        for concept in scheme.concepts.values():
            labels = [*concept.labels.values(),
                      *(alt for alts in concept.alt_labels.values() for alt in alts)]
            cached.append((concept, set().union(*(_word_keys(label) for label in labels)),
                           {synonyms.key(label) for label in labels}))
        scheme.cache["smartcity_suggestion_keys"] = cached
    return cached


def _query_text(q: str) -> str:
    """The part of the query looked at: no NUL, at most
    ``suggest.MAX_QUERY_WORDS`` words of at most ``suggest.MAX_WORD`` letters."""
    found = (w for w in german.LETTERS.finditer(search_connection.UNSENDABLE.sub("", q or ""))
             if len(w.group()) <= suggest.MAX_WORD)
    return " ".join(w.group() for w in itertools.islice(found, suggest.MAX_QUERY_WORDS))


def matching_categories(q: str) -> list[dict[str, str]]:
    """Categories a word of ``q`` (or ``q`` as a whole) names, by label or
    altLabel, ignoring case, umlaut spelling and inflection."""
    text = _query_text(q)
    if not text:
        return []
    words, whole = _word_keys(text), synonyms.key(text)
    lang = categories.page_language()
    found = []
    for concept, word_keys, label_keys in _label_keys(categories.current()):
        if words & word_keys or whole in label_keys:
            found.append({"label": concept.label(lang),
                          "url": tk.url_for("smartcity_categories.concept", cid=concept.id)})
            if len(found) >= MAX_CATEGORIES:
                break
    return found


def _hit_counter(dataset_type: str) -> Callable[[str], int]:
    """A search for a suggestion as the visitor sees it (their private
    datasets, nobody's drafts, as the search page itself searches)."""
    context = caller_context()
    include_private = tk.asbool(tk.config.get("ckan.search.default_include_private"))

    def count(q: str) -> int:
        try:
            # exactly what was asked: no relaxed retry for a check
            with search_connection.relaxed_search(False):
                result = tk.get_action("package_search")(dict(context), {
                    "q": q, "fq": f"+dataset_type:{dataset_type}", "rows": 0,
                    "facet": "false", "include_private": include_private})
        except (tk.ValidationError, SearchError, SolrConnectionError):
            return 0
        return int(result.get("count") or 0)
    return count


def spelling_links(q: str, dataset_type: str = "dataset") -> list[dict[str, str]]:
    """"Meinten Sie …?" links; none unless the PostgreSQL search answers."""
    if not plugins.plugin_loaded("smartcity_search"):
        return []
    texts = suggest.spellings(q, _hit_counter(dataset_type))
    return [{"text": text, "url": tk.url_for(f"{dataset_type}.search", q=text)}
            for text in texts]


def smartcity_empty_search_help(q: str, dataset_type: str = "dataset") -> dict[str, Any]:
    """What the empty result page offers: {"spellings": [{"text", "url"}],
    "categories": [{"label", "url"}], "overview_url"}. Call it only when a
    query found nothing: it runs up to ``suggest.MAX_VERIFIED`` searches."""
    try:
        spellings = spelling_links(q, dataset_type)
    except Exception:  # a suggestion must never cost the page
        log.warning("spelling suggestions failed", exc_info=True)
        spellings = []
    return {"spellings": spellings, "categories": matching_categories(q),
            "overview_url": tk.url_for("smartcity_categories.index")}


def get_helpers() -> dict[str, Any]:
    return {"smartcity_empty_search_help": smartcity_empty_search_help,
            "smartcity_search_was_relaxed": search_params.smartcity_search_was_relaxed}
