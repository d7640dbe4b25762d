"""What one typed search term also matches (docs/search.md, "What the search
understands"): its other spellings, its synonyms and, for a compound, all
its parts together. The compiler ORs the alternatives into one clause, so
a term still counts once for CKAN's minimum-should-match rule."""
from __future__ import annotations

import re
import unicodedata

from . import german
from .synonyms import Synonyms

# alternatives of one term at most (spellings, synonyms, parts)
MAX_ALTERNATIVES = 16
# terms of one query that get alternatives; the rest match as typed (a
# query of 1,000 synonym words had 16,000 alternatives and took 3-6 s)
MAX_EXPANDED_TERMS = 32
# letters joined by hyphens only ("Car-Sharing", not "COVID-19")
_HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")


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
        """``term`` first, then what else it matches: other spellings, the
        hyphenated word written as one, the compound's parts (and, relaxed,
        its tails), then synonyms (cut at :data:`MAX_ALTERNATIVES`)."""
        term = unicodedata.normalize("NFC", term)
        if self.terms_left <= 0:
            return [term]
        self.terms_left -= 1
        found: dict[str, None] = {term: None}
        found.update(dict.fromkeys(german.spellings(term)))
        if _HYPHENATED.fullmatch(term):
            # "Car-Sharing" finds "Carsharing", "E-Auto" finds "EAuto"
            found[term.replace("-", "")] = None
        if term.isalpha() and self.split is not None and self.splits_left > 0:
            self.splits_left -= 1
            parts = self.split.parts(term)
            if parts:
                self.compounds += 1
                found[" ".join(parts)] = None
                if self.relaxed:
                    found.update(dict.fromkeys(
                        " ".join(parts[i:]) for i in range(1, len(parts))
                        if len("".join(parts[i:])) >= 4))
        if self.synonyms is not None:
            found.update(dict.fromkeys(self.synonyms.expand(term)))
        return list(found)[:MAX_ALTERNATIVES]
