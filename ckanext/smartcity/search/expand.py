"""What one typed search term also matches (docs/search.md, "What the search
understands"): its other spellings, its synonyms and, for a compound, all
its parts together. The compiler ORs the alternatives into one clause, so
a term still counts once for CKAN's minimum-should-match rule."""
from __future__ import annotations

from . import german
from .synonyms import Synonyms

# alternatives of one term at most (spellings, synonyms, parts)
MAX_ALTERNATIVES = 16
# terms of one query that get alternatives; the rest match as typed (1,000
# synonym words, 16,000 alternatives, took 3-6 s: docs/security.md)
MAX_EXPANDED_TERMS = 32


class Expander:
    """Alternatives of the terms of one query (one instance per query: it
    counts the compound analyses the query may still make)."""

    def __init__(self, split: german.Splitter | None, synonyms: Synonyms | None,
                 relaxed: bool = False) -> None:
        self.split = split
        self.synonyms = synonyms
        self.splits_left = german.MAX_SPLITS_PER_QUERY
        self.terms_left = MAX_EXPANDED_TERMS
        # relaxed: a compound also matches its tail ("Grundschulen" finds
        # "Schulen") and a query of several words needs one word less ("Bücher
        # ausleihen" finds "Ausleihen der Stadtbibliothek"); the backend asks
        # for it only when a search found nothing
        self.relaxed = relaxed
        # whether a term of the query was a compound (a relaxed search can
        # then find more)
        self.compounds = 0

    def known(self, phrase: str) -> bool:
        """Whether a phrase of several words has synonyms of its own
        ("Open Data", "Rat der Stadt"): the query treats it as one term."""
        return self.synonyms is not None and phrase in self.synonyms

    def __call__(self, term: str) -> list[str]:
        """``term`` first, then what else it matches."""
        found: dict[str, None] = {term: None}
        if self.terms_left <= 0:
            return [term]
        self.terms_left -= 1
        found.update(dict.fromkeys(german.spellings(term)))
        words = german.words(term)
        if "-" in term and len(words) > 1:
            # "Car-Sharing" finds "Carsharing", "E-Auto" finds "EAuto"
            found["".join(words)] = None
        if self.synonyms is not None:
            for synonym in self.synonyms.expand(term):
                found[synonym] = None
        if len(words) == 1 and self.split is not None and self.splits_left > 0:
            self.splits_left -= 1
            parts = self.split.parts(words[0])
            if parts:
                self.compounds += 1
                found[" ".join(parts)] = None
                if self.relaxed:
                    found.update(dict.fromkeys(
                        " ".join(parts[i:]) for i in range(1, len(parts))
                        if len("".join(parts[i:])) >= 4))
        return list(found)[:MAX_ALTERNATIVES]
