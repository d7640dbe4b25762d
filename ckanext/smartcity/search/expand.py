"""What one typed search term also matches (docs/search.md, "What the search
understands"): its other spellings, its synonyms and, for a compound, all
its parts together. The compiler ORs the alternatives into one clause, so
a term still counts once for CKAN's minimum-should-match rule."""
from __future__ import annotations

from . import german
from .synonyms import Synonyms

# alternatives of one term at most (spellings, synonyms, parts)
MAX_ALTERNATIVES = 16


class Expander:
    """Alternatives of the terms of one query (one instance per query: it
    counts the compound analyses the query may still make)."""

    def __init__(self, split: german.Splitter | None, synonyms: Synonyms | None) -> None:
        self.split = split
        self.synonyms = synonyms
        self.splits_left = german.MAX_SPLITS_PER_QUERY

    def known(self, phrase: str) -> bool:
        """Whether a phrase of several words has synonyms of its own
        ("Open Data", "Rat der Stadt"): the query treats it as one term."""
        return self.synonyms is not None and phrase in self.synonyms

    def __call__(self, term: str) -> list[str]:
        """``term`` first, then what else it matches."""
        found: dict[str, None] = {term: None}
        found.update(dict.fromkeys(german.spellings(term)))
        if self.synonyms is not None:
            for synonym in self.synonyms.expand(term):
                found[synonym] = None
        words = german.words(term)
        if len(words) == 1 and self.split is not None and self.splits_left > 0:
            self.splits_left -= 1
            parts = self.split.parts(words[0])
            if parts:
                found[" ".join(parts)] = None
        return list(found)[:MAX_ALTERNATIVES]
